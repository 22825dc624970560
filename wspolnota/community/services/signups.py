"""One implementation of a person's place at an event (a registration) and in a recurring
activity (a sign-up): capacity, the waiting list, its promotion when a place frees up, one
active place per person, acts a clerk does for a caller, and telling the promoted person.

``signup_take``, ``signup_cancel`` and ``waitlist_promote`` hold the rules; an ``Signups``
subclass says only what differs between the two (the models, the permission checks, the
messages, the audit actions and the e-mail). ``EVENT_SIGNUPS`` and ``ACTIVITY_SIGNUPS`` are the
two instances the event and activity services use.

The event or activity row is locked while places are counted, so two people asking for the
last place at the same moment get one place and one waiting-list entry; a partial unique index
(one active entry per person) backs that up in the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from wspolnota.community import errors, permissions
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    Activity,
    ActivitySignup,
    Event,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
)
from wspolnota.community.services._common import _already, _clerk_act, _deny, _tell
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append, snapshot

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from wspolnota.accounts.models import User

T = TypeVar("T", Event, Activity)
E = TypeVar("E", EventRegistration, ActivitySignup)


class Signups(Generic[T, E]):
    """What differs between an event's registrations and an activity's sign-ups."""

    #: code of the "already has a place" error (see ``_common._ALREADY``)
    already_code: str
    #: said when the event or activity does not take people now
    not_open: StrOrPromise
    #: said when the person has no place to give up: to them online, about them to a clerk
    not_taken: StrOrPromise
    not_taken_for_person: StrOrPromise
    #: audit actions for a clerk's act for a person, and for the system's promotion
    on_behalf_action: str
    cancelled_on_behalf_action: str
    promoted_action: str
    #: notification kind and e-mail template pair for the promoted person
    promoted_kind: str
    promoted_template: str

    def may_act_for_callers(self, clerk: User, target: T) -> bool:
        raise NotImplementedError

    def check_takes_people(self, target: T) -> None:
        """Refuse at once when the target takes no registrations at all."""

    def lock(self, target: T) -> T:
        raise NotImplementedError

    def is_open_to(self, user: User, target: T, *, at: datetime) -> bool:
        raise NotImplementedError

    def capacity(self, target: T) -> int | None:
        return target.capacity

    def entries(self, target: T) -> models.QuerySet[E]:
        raise NotImplementedError

    def create(self, target: T, *, user: User, status: str, on_behalf: OnBehalf | None) -> E:
        raise NotImplementedError

    def promotes(self, target: T) -> bool:
        """Whether a freed place goes to the waiting list (the target still runs)."""
        raise NotImplementedError

    def promoted_context(self, target: T) -> dict[str, Any]:
        raise NotImplementedError


class EventSignups(Signups[Event, EventRegistration]):
    already_code = "already_registered"
    not_open = errors.EVENT_NOT_OPEN
    not_taken = errors.EVENT_NOT_REGISTERED
    not_taken_for_person = errors.PERSON_NOT_REGISTERED
    on_behalf_action = "community.registration_on_behalf"
    cancelled_on_behalf_action = "community.registration_cancelled_on_behalf"
    promoted_action = "community.registration_promoted"
    promoted_kind = "community.waitlist_promoted"
    promoted_template = "community/email/waitlist_promoted"

    def may_act_for_callers(self, clerk: User, target: Event) -> bool:
        return permissions.can_register_callers_for_event(clerk, target)

    def check_takes_people(self, target: Event) -> None:
        if target.capacity is None:
            raise CommunityError(errors.EVENT_NO_REGISTRATION)

    def lock(self, target: Event) -> Event:
        return Event.objects.select_for_update().get(pk=target.pk)

    def is_open_to(self, user: User, target: Event, *, at: datetime) -> bool:
        return permissions.can_register_for_event(user, target, at=at)

    def entries(self, target: Event) -> models.QuerySet[EventRegistration]:
        return target.registrations.all()

    def create(
        self, target: Event, *, user: User, status: str, on_behalf: OnBehalf | None
    ) -> EventRegistration:
        return EventRegistration.objects.create(
            event=target, user=user, status=status, **act_fields(on_behalf)
        )

    def promotes(self, target: Event) -> bool:
        return target.status == EventStatus.PUBLISHED

    def promoted_context(self, target: Event) -> dict[str, Any]:
        return {"event": target}


class ActivitySignups(Signups[Activity, ActivitySignup]):
    already_code = "already_signed_up"
    not_open = errors.ACTIVITY_NOT_OPEN
    not_taken = errors.ACTIVITY_NOT_SIGNED_UP
    not_taken_for_person = errors.PERSON_NOT_SIGNED_UP
    on_behalf_action = "community.activity_signup_on_behalf"
    cancelled_on_behalf_action = "community.activity_signup_cancelled_on_behalf"
    promoted_action = "community.activity_signup_promoted"
    promoted_kind = "community.activity_waitlist_promoted"
    promoted_template = "community/email/activity_promoted"

    def may_act_for_callers(self, clerk: User, target: Activity) -> bool:
        return permissions.can_sign_up_callers(clerk, target.place)

    def lock(self, target: Activity) -> Activity:
        locked = Activity.objects.select_for_update().get(pk=target.pk)
        locked.place = target.place
        return locked

    def is_open_to(self, user: User, target: Activity, *, at: datetime) -> bool:
        return permissions.can_sign_up_for_activity(user, target, at=at)

    def entries(self, target: Activity) -> models.QuerySet[ActivitySignup]:
        return target.signups.all()

    def create(
        self, target: Activity, *, user: User, status: str, on_behalf: OnBehalf | None
    ) -> ActivitySignup:
        return ActivitySignup.objects.create(
            activity=target, user=user, status=status, **act_fields(on_behalf)
        )

    def promotes(self, target: Activity) -> bool:
        return target.is_active

    def promoted_context(self, target: Activity) -> dict[str, Any]:
        return {"activity": target, "place": target.place}


EVENT_SIGNUPS = EventSignups()
ACTIVITY_SIGNUPS = ActivitySignups()


def signup_take(
    signups: Signups[T, E],
    *,
    user: User,
    target: T,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> E:
    """Take a place, or a turn on the waiting list when every place is taken.

    The target row is locked while places are counted. With ``on_behalf`` a clerk (or the
    place's staff) acts for ``user``: the same rules apply, the channel and the clerk are
    recorded and the act is audit-logged.
    """
    now = at or timezone.now()
    if on_behalf is not None and not signups.may_act_for_callers(on_behalf.clerk, target):
        raise _deny()
    signups.check_takes_people(target)
    try:
        with transaction.atomic():
            locked = signups.lock(target)
            if not signups.is_open_to(user, locked, at=now):
                raise CommunityError(signups.not_open)
            entries = signups.entries(locked)
            if entries.filter(user=user).exclude(status=RegistrationStatus.CANCELLED).exists():
                raise _already(on_behalf, signups.already_code)
            confirmed = entries.filter(status=RegistrationStatus.CONFIRMED).count()
            capacity = signups.capacity(locked)
            assert capacity is not None
            status = (
                RegistrationStatus.CONFIRMED
                if confirmed < capacity
                else RegistrationStatus.WAITLISTED
            )
            entry = signups.create(locked, user=user, status=status, on_behalf=on_behalf)
            _clerk_act(on_behalf, action=signups.on_behalf_action, obj=entry)
    except IntegrityError:
        raise _already(on_behalf, signups.already_code) from None
    return entry


def signup_cancel(
    signups: Signups[T, E],
    *,
    user: User,
    target: T,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> E:
    """Give up a place (or a waiting-list turn); a freed place goes to the first person waiting
    while the target still runs. With ``on_behalf`` a clerk cancels for a caller (audit-logged)."""
    if on_behalf is not None and not signups.may_act_for_callers(on_behalf.clerk, target):
        raise _deny()
    with transaction.atomic():
        locked = signups.lock(target)
        entry = (
            signups.entries(locked)
            .select_for_update()
            .filter(user=user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
        if entry is None:
            raise CommunityError(signups.not_taken_for_person if on_behalf else signups.not_taken)
        before = snapshot(entry)
        was_confirmed = entry.status == RegistrationStatus.CONFIRMED
        entry.status = RegistrationStatus.CANCELLED
        entry.cancelled_at = at or timezone.now()
        entry.save(update_fields=["status", "cancelled_at", "updated_at"])
        _clerk_act(on_behalf, action=signups.cancelled_on_behalf_action, obj=entry, before=before)
        if was_confirmed and signups.promotes(locked):
            waitlist_promote(signups, locked)
    return entry


def waitlist_promote(signups: Signups[T, E], target: T) -> list[E]:
    """Move the oldest waiting-list entries into free places; call with the target row locked.

    The system makes this change, so it is audit-logged without an actor, and each promoted
    person is told in their own language (or the way they chose when a clerk wrote them down).
    No capacity (an event that stopped taking registrations) lets everyone waiting in.
    """
    entries = signups.entries(target)
    waiting = (
        entries.filter(status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "id")
    )
    capacity = signups.capacity(target)
    if capacity is None:
        promoted = list(waiting)
    else:
        confirmed = entries.filter(status=RegistrationStatus.CONFIRMED).count()
        free = max(capacity - confirmed, 0)
        promoted = list(waiting[:free]) if free else []
    now = timezone.now()
    context = signups.promoted_context(target)
    for entry in promoted:
        entry.status = RegistrationStatus.CONFIRMED
        entry.promoted_at = now
        entry.save(update_fields=["status", "promoted_at", "updated_at"])
        audit_log_append(
            actor=None, action=signups.promoted_action, obj=entry, after=snapshot(entry)
        )
        _tell(
            entry.user,
            kind=signups.promoted_kind,
            template=signups.promoted_template,
            context=context,
        )
    return promoted
