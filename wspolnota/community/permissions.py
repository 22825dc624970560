"""Who may do what with places, rooms, events and volunteering. Pure functions, time explicit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from wspolnota.accounts.permissions import (
    acts_for_unit,
    can_act_for_residents,
    has_role,
    is_administrator,
    is_official,
    unit_ids,
)
from wspolnota.accounts.roles import Role
from wspolnota.community.models import (
    Activity,
    ApplicationStatus,
    Event,
    EventStatus,
    OfferStatus,
    Place,
    Room,
    RoomBooking,
    VolunteerAgreement,
    VolunteerApplication,
    VolunteerOffer,
)


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def manages_place(user: Any, place: Place | None) -> bool:
    if place is None or not _signed_in(user):
        return False
    return place.managers.filter(pk=user.pk).exists()


def manages_any_place(user: Any) -> bool:
    return _signed_in(user) and Place.objects.filter(managers=user).exists()


def can_manage_places(user: Any) -> bool:
    """Officials add places (for their own unit) and import the open-data file."""
    return is_official(user)


def new_place_unit_id(user: Any) -> int | None:
    """The unit a new place added by this official is put in the charge of (their first unit;
    none for administrators, who choose)."""
    if is_administrator(user):
        return None
    units = unit_ids(user)
    return min(units) if units else None


def can_assign_place_unit(user: Any, unit: Any) -> bool:
    """A place is put in a unit's charge only by that unit's officials (or administrators)."""
    return acts_for_unit(user, getattr(unit, "pk", None))


def can_edit_place(user: Any, place: Place) -> bool:
    """Scoped to the place: officials of the unit that runs it, its managers, administrators."""
    return acts_for_unit(user, place.city_unit_id) or manages_place(user, place)


def runs_any_place(user: Any) -> bool:
    """Whether the user has some place in their charge (office lists and links)."""
    return is_administrator(user) or bool(unit_ids(user)) or manages_any_place(user)


def can_manage_activities(user: Any, place: Place) -> bool:
    """The place's managers and officials create, change and end its recurring activities."""
    return can_edit_place(user, place)


def can_view_activity(user: Any, activity: Activity) -> bool:
    return activity.place.is_published or can_edit_place(user, activity.place)


def activity_open_for_signup(activity: Activity, *, at: datetime) -> bool:
    """The rule of a sign-up, whoever asks (online or through a clerk): a running activity of a
    published place that is open on that day."""
    place = activity.place
    return (
        activity.is_active
        and place.is_published
        and place.is_open_on(timezone.localtime(at).date())
    )


def can_sign_up_for_activity(user: Any, activity: Activity, *, at: datetime) -> bool:
    return _signed_in(user) and activity_open_for_signup(activity, at=at)


# --- Acting for a resident (issue 17) -------------------------------------------------------------


def _clerk_of(user: Any, unit_id: int | None) -> bool:
    """A clerk (official or counter clerk) of the object's unit, or an administrator. An object
    that names no unit belongs to no clerk: only administrators (``can_act_for_residents`` with
    no unit would mean "any unit")."""
    if unit_id is None:
        return is_administrator(user)
    return can_act_for_residents(user, city_unit=unit_id)


def can_sign_up_callers(user: Any, place: Place) -> bool:
    """Sign a caller (a person without an account, or one who phoned) up at a place: the
    counter clerks and officials of the unit running the place (its staff hold the counter
    clerk role of that unit), administrators."""
    return _clerk_of(user, place.city_unit_id)


def can_register_callers_for_event(user: Any, event: Event) -> bool:
    """Register a caller for an event: the clerks of the unit running the event's place. An
    event away from any place belongs to no unit (administrators only)."""
    return _clerk_of(user, event.place.city_unit_id if event.place is not None else None)


def can_record_volunteers(user: Any, offer: VolunteerOffer) -> bool:
    """Record a volunteer who phoned or came in (with no account) for an offer: the clerks of
    the unit running the offer's place; an offer away from any place belongs to no unit."""
    return _clerk_of(user, offer.place.city_unit_id if offer.place is not None else None)


def can_request_room(user: Any, room: Room, *, at: datetime) -> bool:
    """A bookable room of a published place that has not closed (issue 21)."""
    closed_on = room.place.closed_on
    return (
        _signed_in(user)
        and room.is_bookable
        and room.place.is_published
        and not (closed_on is not None and closed_on <= timezone.localtime(at).date())
    )


def can_decide_booking(user: Any, booking: RoomBooking) -> bool:
    return can_edit_place(user, booking.room.place)


def can_review_bookings(user: Any) -> bool:
    """The list shows only the places the user runs (see ``selectors.bookings_to_review``)."""
    return runs_any_place(user)


def can_cancel_booking(user: Any, booking: RoomBooking, *, at: datetime) -> bool:
    if not booking.is_active or booking.ends_at <= at:
        return False
    return booking.requested_by_id == getattr(user, "pk", None) or can_decide_booking(user, booking)


def can_create_event(user: Any) -> bool:
    return is_official(user) or has_role(user, Role.NGO_MEMBER) or manages_any_place(user)


def can_edit_event(user: Any, event: Event) -> bool:
    if not _signed_in(user):
        return False
    if is_administrator(user) or event.created_by_id == user.pk:
        return True
    return event.place is not None and can_edit_place(user, event.place)


def can_view_event(user: Any, event: Event) -> bool:
    if event.status != EventStatus.DRAFT:
        return True
    return can_edit_event(user, event)


def event_open_for_registration(event: Event, *, at: datetime) -> bool:
    """The rule of a registration, whoever asks: a published event with places, not started."""
    return (
        event.status == EventStatus.PUBLISHED
        and event.capacity is not None
        and event.starts_at > at
    )


def can_register_for_event(user: Any, event: Event, *, at: datetime) -> bool:
    return _signed_in(user) and event_open_for_registration(event, at=at)


def can_create_offer(user: Any) -> bool:
    return is_official(user) or has_role(user, Role.NGO_MEMBER)


def can_manage_offer(user: Any, offer: VolunteerOffer) -> bool:
    """The offer's own coordinator, those who run the place it is held at, administrators —
    never an official of any department, nor another organisation's member."""
    if not _signed_in(user):
        return False
    if is_administrator(user) or offer.created_by_id == user.pk:
        return True
    return offer.place is not None and can_edit_place(user, offer.place)


def offer_open_for_applications(offer: VolunteerOffer, *, at: datetime) -> bool:
    return offer.status == OfferStatus.OPEN and offer.ends_on >= at.date()


def can_apply_for_offer(user: Any, offer: VolunteerOffer, *, at: datetime) -> bool:
    return (
        _signed_in(user)
        and offer_open_for_applications(offer, at=at)
        and offer.created_by_id != user.pk
    )


def can_log_hours(user: Any, application: VolunteerApplication) -> bool:
    return (
        _signed_in(user)
        and application.volunteer_id == user.pk
        and application.status == ApplicationStatus.ACCEPTED
    )


def can_view_application(user: Any, application: VolunteerApplication) -> bool:
    if not _signed_in(user):
        return False
    return application.volunteer_id == user.pk or can_manage_offer(user, application.offer)


def can_record_agreement_signature(user: Any, agreement: VolunteerAgreement) -> bool:
    """The organiser's side records that the written agreement was signed (a signed file or the
    paper copies): the offer's coordinator, those who run its place, administrators. Never the
    volunteer alone, nor an official of another unit."""
    return can_manage_offer(user, agreement.application.offer)


def can_view_agreement(user: Any, agreement: VolunteerAgreement) -> bool:
    """The agreement, its signed file and its scan: the two sides only."""
    return can_view_application(user, agreement.application)
