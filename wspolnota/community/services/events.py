"""Writes of events and recurring activities, and people's places in them.

One place per seat is enforced under a row lock on the event or the activity, so concurrent
requests on PostgreSQL serialise; a partial unique index backs each rule up in the database.
Taking and giving up a place, and promoting the waiting list, are one implementation for both
(``signups.py``); the functions here name which one."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from wspolnota.community import errors, permissions
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    Activity,
    ActivitySignup,
    Event,
    EventRegistration,
    EventStatus,
    Place,
    RegistrationStatus,
)
from wspolnota.community.services._common import (
    _deny,
    _tell,
    _validation_to_domain,
)
from wspolnota.community.services.signups import (
    ACTIVITY_SIGNUPS,
    EVENT_SIGNUPS,
    signup_cancel,
    signup_take,
    waitlist_promote,
)
from wspolnota.core.onbehalf import OnBehalf
from wspolnota.core.services import audit_log_append, snapshot

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

EVENT_FIELDS = (
    "title",
    "description",
    "organiser_kind",
    "organiser_name",
    "place",
    "location",
    "district",
    "starts_at",
    "ends_at",
    "programme",
    "audience",
    "language",
    "price",
    "step_free",
    "induction_loop",
    "sign_language",
    "capacity",
    "status",
)


def _check_capacity_and_save(target: Any, entries: Any, error: Any) -> None:
    """Validate and save an event or activity; its capacity may not fall below those confirmed."""
    if target.pk and target.capacity is not None:
        confirmed = entries.filter(status=RegistrationStatus.CONFIRMED).count()
        if target.capacity < confirmed:
            raise CommunityError(error, field="capacity", params={"count": confirmed})
    try:
        target.full_clean()
    except ValidationError as exc:
        raise _validation_to_domain(exc) from None
    target.save()


def event_save(*, actor: User, event: Event | None, fields: dict[str, Any]) -> Event:
    """Create or change an event. A larger capacity promotes people from the waiting list."""
    if event is None and not permissions.can_create_event(actor):
        raise _deny()
    if event is not None and not permissions.can_edit_event(actor, event):
        raise _deny()
    place = fields.get("place", event.place if event else None)
    location = fields.get("location", event.location if event else "")
    if place is None and not (location or "").strip():
        raise CommunityError(errors.EVENT_PLACE_OR_LOCATION, field="place")
    starts_at = fields.get("starts_at", event.starts_at if event else None)
    ends_at = fields.get("ends_at", event.ends_at if event else None)
    if starts_at and ends_at and ends_at <= starts_at:
        raise CommunityError(errors.EVENT_ENDS_BEFORE_START, field="ends_at")
    with transaction.atomic():
        if event is None:
            target = Event(created_by=actor)
            before = None
        else:
            target = Event.objects.select_for_update().get(pk=event.pk)
            before = snapshot(target)
        was = (target.starts_at, target.ends_at, target.place_id, (target.location or "").strip())
        for name in EVENT_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if target.place is not None and target.district_id is None:
            target.district = target.place.district
        _check_capacity_and_save(
            target, target.registrations, errors.EVENT_CAPACITY_BELOW_CONFIRMED
        )
        # a cancelled event gives nobody a place (issue 21: editing one promoted its waiting list)
        if before is not None and target.status != EventStatus.CANCELLED:
            waitlist_promote(EVENT_SIGNUPS, target)
            now = (
                target.starts_at,
                target.ends_at,
                target.place_id,
                (target.location or "").strip(),
            )
            if was != now:
                _tell_rescheduled(target, previous_start=was[0])
        audit_log_append(
            actor=actor,
            action="community.event_created" if before is None else "community.event_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
    return target


def _tell_rescheduled(event: Event, *, previous_start: datetime | None) -> None:
    """The event moved in time or place: everyone with a place or a waiting-list turn is told
    the new time and place (issue 21: rescheduling told nobody)."""
    for registration in event.registrations.exclude(
        status=RegistrationStatus.CANCELLED
    ).select_related("user"):
        _tell(
            registration.user,
            kind="community.event_rescheduled",
            template="community/email/event_rescheduled",
            context={"event": event, "previous_start": previous_start},
        )


def event_cancel(*, actor: User, event: Event, reason: str) -> Event:
    """Call an event off; everyone with a place or on the waiting list is told."""
    if not permissions.can_edit_event(actor, event):
        raise _deny()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status == EventStatus.CANCELLED:
            raise CommunityError(errors.EVENT_ALREADY_CANCELLED)
        before = snapshot(locked)
        locked.status = EventStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        audit_log_append(
            actor=actor,
            action="community.event_cancelled",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
        for registration in locked.registrations.exclude(
            status=RegistrationStatus.CANCELLED
        ).select_related("user"):
            _tell(
                registration.user,
                kind="community.event_cancelled",
                template="community/email/event_cancelled",
                context={"event": locked, "reason": reason},
            )
    return locked


def event_register(
    *,
    user: User,
    event: Event,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> EventRegistration:
    """Take a place at an event, or a turn on its waiting list when every place is taken.

    The event row is locked while places are counted, so two people asking for the last place
    at the same moment get one place and one waiting-list entry. With ``on_behalf`` a clerk or
    the place's staff registers ``user`` (a caller, often without an account): the same rules
    apply (before the start, one place per person, the waiting list), the channel and the clerk
    are recorded and the act is audit-logged.
    """
    return signup_take(EVENT_SIGNUPS, user=user, target=event, at=at, on_behalf=on_behalf)


def event_registration_cancel(
    *,
    user: User,
    event: Event,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> EventRegistration:
    """Give up a place (or a waiting-list turn); the first person waiting gets the place. With
    ``on_behalf`` a clerk cancels for a caller (audit-logged)."""
    return signup_cancel(EVENT_SIGNUPS, user=user, target=event, at=at, on_behalf=on_behalf)


# --- Recurring activities -------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "title",
    "description",
    "weekday",
    "starts_at",
    "ends_at",
    "capacity",
    "audience",
    "price",
)


def activity_save(
    *, actor: User | None, place: Place, activity: Activity | None, fields: dict[str, Any]
) -> Activity:
    """Create or change a place's recurring activity (its managers or an official).

    Capacity may not drop below the people who already have a place; a larger capacity
    promotes people from the waiting list at once. ``actor=None`` is the system (demo data);
    every change is audit-logged.
    """
    if actor is not None and not permissions.can_manage_activities(actor, place):
        raise _deny()
    if activity is not None and activity.place_id != place.pk:
        raise _deny()
    starts_at = fields.get("starts_at", activity.starts_at if activity else None)
    ends_at = fields.get("ends_at", activity.ends_at if activity else None)
    if starts_at and ends_at and ends_at <= starts_at:
        raise CommunityError(errors.ACTIVITY_ENDS_BEFORE_START, field="ends_at")
    with transaction.atomic():
        if activity is None:
            target = Activity(place=place)
            before = None
        else:
            target = Activity.objects.select_for_update().get(pk=activity.pk)
            before = snapshot(target)
            if not target.is_active:
                raise CommunityError(errors.ACTIVITY_ALREADY_ENDED)
        for name in ACTIVITY_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        _check_capacity_and_save(target, target.signups, errors.ACTIVITY_CAPACITY_BELOW_CONFIRMED)
        audit_log_append(
            actor=actor,
            action="community.activity_created" if before is None else "community.activity_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
        if before is not None:
            target.place = place
            waitlist_promote(ACTIVITY_SIGNUPS, target)
    return target


def activity_end(*, actor: User, activity: Activity, reason: str) -> Activity:
    """Stop running an activity; everyone with a place or on the waiting list is told why."""
    if not permissions.can_manage_activities(actor, activity.place):
        raise _deny()
    now = timezone.now()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if not locked.is_active:
            raise CommunityError(errors.ACTIVITY_ALREADY_ENDED)
        before = snapshot(locked)
        locked.is_active = False
        locked.save(update_fields=["is_active", "updated_at"])
        audit_log_append(
            actor=actor,
            action="community.activity_ended",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
        signups = list(
            locked.signups.exclude(status=RegistrationStatus.CANCELLED).select_related("user")
        )
        for signup in signups:
            signup.status = RegistrationStatus.CANCELLED
            signup.cancelled_at = now
            signup.save(update_fields=["status", "cancelled_at", "updated_at"])
            _tell(
                signup.user,
                kind="community.activity_ended",
                template="community/email/activity_ended",
                context={"activity": locked, "place": activity.place, "reason": reason},
            )
    return locked


def activity_sign_up(
    *,
    user: User,
    activity: Activity,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> ActivitySignup:
    """Take a place in a recurring activity, or a turn on its waiting list when it is full.

    The activity row is locked while places are counted, so two people asking for the last
    place at the same moment get one place and one waiting-list entry. With ``on_behalf`` the
    place's staff or a clerk of its unit signs ``user`` up (a caller at the counter or on the
    phone): the same rules, the channel and clerk recorded, the act audit-logged.
    """
    return signup_take(ACTIVITY_SIGNUPS, user=user, target=activity, at=at, on_behalf=on_behalf)


def activity_signup_cancel(
    *,
    user: User,
    activity: Activity,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> ActivitySignup:
    """Leave an activity (or its waiting list); the first person waiting gets the place. With
    ``on_behalf`` a clerk or the place's staff cancels for a caller (audit-logged)."""
    return signup_cancel(ACTIVITY_SIGNUPS, user=user, target=activity, at=at, on_behalf=on_behalf)
