"""Writes of rooms and room bookings.

One booking per slot is enforced under a row lock on the room, so concurrent requests on
PostgreSQL serialise; a unique index on the start time backs it up in the database (it can only
catch holds that start together)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from wspolnota.communication.notifications import notify
from wspolnota.community import errors, permissions
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    ACTIVE_BOOKING_STATUSES,
    ApplicantKind,
    BookingStatus,
    Place,
    Room,
    RoomBooking,
)
from wspolnota.community.services._common import (
    _deny,
    _validation_to_domain,
)
from wspolnota.core.services import audit_log_append, snapshot

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def max_booking_hours() -> int:
    return int(getattr(settings, "COMMUNITY_MAX_BOOKING_HOURS", 12))


def room_save(*, actor: User, place: Place, room: Room | None, fields: dict[str, Any]) -> Room:
    if not permissions.can_edit_place(actor, place):
        raise _deny()
    with transaction.atomic():
        before = snapshot(room) if room is not None else None
        target = room or Room(place=place)
        for name in ("name", "capacity", "description", "step_free", "is_bookable"):
            if name in fields:
                setattr(target, name, fields[name])
        try:
            target.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        target.save()
        audit_log_append(
            actor=actor,
            action="community.room_created" if before is None else "community.room_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
    return target


def room_booking_request(
    *,
    user: User,
    room: Room,
    applicant_kind: str,
    applicant_name: str,
    purpose: str,
    attendees: int,
    starts_at: datetime,
    ends_at: datetime,
    at: datetime | None = None,
) -> RoomBooking:
    """Ask for a room; the request holds the slot until an official decides.

    The room row is locked while overlapping holds are checked, so two requests for the same
    slot at the same moment leave exactly one booking; the other person is told to pick another.
    """
    now = at or timezone.now()
    if not permissions.can_request_room(user, room, at=now):
        raise CommunityError(errors.ROOM_NOT_BOOKABLE)
    if ends_at <= starts_at:
        raise CommunityError(errors.BOOKING_ENDS_BEFORE_START, field="ends_at")
    place = room.place
    if not (
        place.is_open_on(timezone.localtime(starts_at).date())
        and place.is_open_on(timezone.localtime(ends_at).date())
    ):
        raise CommunityError(errors.ROOM_PLACE_CLOSED, field="starts_at", code="place_closed")
    if starts_at <= now:
        raise CommunityError(errors.BOOKING_IN_PAST, field="starts_at")
    if ends_at - starts_at > timedelta(hours=max_booking_hours()):
        raise CommunityError(
            errors.BOOKING_TOO_LONG, field="ends_at", params={"hours": max_booking_hours()}
        )
    if attendees > room.capacity:
        raise CommunityError(
            errors.BOOKING_TOO_MANY_PEOPLE, field="attendees", params={"capacity": room.capacity}
        )
    if applicant_kind != ApplicantKind.RESIDENT and not applicant_name.strip():
        raise CommunityError(errors.BOOKING_NAME_REQUIRED, field="applicant_name")
    try:
        with transaction.atomic():
            Room.objects.select_for_update().only("id").get(pk=room.pk)
            taken = RoomBooking.objects.filter(
                room=room,
                status__in=ACTIVE_BOOKING_STATUSES,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            ).exists()
            if taken:
                raise CommunityError(errors.BOOKING_TAKEN, field="starts_at", code="slot_taken")
            booking = RoomBooking(
                room=room,
                requested_by=user,
                applicant_kind=applicant_kind,
                applicant_name=applicant_name.strip(),
                purpose=purpose.strip(),
                attendees=attendees,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            try:
                booking.full_clean(validate_constraints=False)
            except ValidationError as exc:
                raise _validation_to_domain(exc) from None
            booking.save()
    except IntegrityError:
        raise CommunityError(errors.BOOKING_TAKEN, field="starts_at", code="slot_taken") from None
    return booking


def room_booking_decide(
    *, actor: User, booking: RoomBooking, approve: bool, reason: str = ""
) -> RoomBooking:
    """An official (or the place's manager) approves or rejects a request; the person is told."""
    if not permissions.can_decide_booking(actor, booking):
        raise _deny()
    if not approve and not reason.strip():
        raise CommunityError(errors.BOOKING_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = RoomBooking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != BookingStatus.REQUESTED:
            raise CommunityError(errors.BOOKING_NOT_PENDING)
        before = snapshot(locked)
        locked.status = BookingStatus.APPROVED if approve else BookingStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason.strip()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.booking_approved" if approve else "community.booking_rejected",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason.strip(),
        )
        notify(
            recipient=locked.requested_by,
            kind="community.booking_decided",
            subject_template="community/email/booking_decided_subject.txt",
            body_template="community/email/booking_decided.txt",
            context={"booking": locked, "room": booking.room},
        )
    return locked


def room_booking_cancel(
    *, actor: User, booking: RoomBooking, reason: str = "", at: datetime | None = None
) -> RoomBooking:
    now = at or timezone.now()
    if not permissions.can_cancel_booking(actor, booking, at=now):
        raise CommunityError(errors.BOOKING_CANNOT_CANCEL)
    with transaction.atomic():
        locked = RoomBooking.objects.select_for_update().get(pk=booking.pk)
        if locked.status not in ACTIVE_BOOKING_STATUSES:
            raise CommunityError(errors.BOOKING_CANNOT_CANCEL)
        before = snapshot(locked)
        locked.status = BookingStatus.CANCELLED
        locked.save()
        if locked.requested_by_id != actor.pk:
            audit_log_append(
                actor=actor,
                action="community.booking_cancelled",
                obj=locked,
                before=before,
                after=snapshot(locked),
                reason=reason,
            )
    return locked
