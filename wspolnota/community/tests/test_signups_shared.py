"""Event registration and activity sign-up are one implementation (issue 21,
``services/signups.py``): the same story played on an event and on an activity ends the same
way - capacity, the waiting list, one active place per person, a clerk's act for a caller, and
the promotion of the first person waiting (audit-logged, told the way they chose) when someone
with a place cancels."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from wspolnota.community.errors import CommunityError
from wspolnota.community.models import RegistrationStatus
from wspolnota.community.services import (
    activity_sign_up,
    activity_signup_cancel,
    event_register,
    event_registration_cancel,
)
from wspolnota.community.tests.factories import PLACES_UNIT, ActivityFactory, EventFactory
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.onbehalf import Channel, OnBehalf
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import counter_clerk_of, kept_person


def _event_path() -> tuple[Any, Any, Any, str]:
    event = EventFactory(capacity=1)

    def take(user: Any, **kw: Any) -> Any:
        return event_register(user=user, event=event, **kw)

    def cancel(user: Any, **kw: Any) -> Any:
        return event_registration_cancel(user=user, event=event, **kw)

    return event, take, cancel, "registrations"


def _activity_path() -> tuple[Any, Any, Any, str]:
    activity = ActivityFactory(capacity=1)

    def take(user: Any, **kw: Any) -> Any:
        return activity_sign_up(user=user, activity=activity, **kw)

    def cancel(user: Any, **kw: Any) -> Any:
        return activity_signup_cancel(user=user, activity=activity, **kw)

    return activity, take, cancel, "signups"


def _story(path: Any, clerk: Any, capture: Any) -> dict[str, Any]:
    """First has the only place, a caller without an account (put on the waiting list by a
    clerk on the phone) and an online resident wait; the clerk cancels for the first person."""
    from wspolnota.communication.models import OutboxMessage

    target, take, cancel, related = path()
    first, third = UserFactory(), UserFactory()
    caller = kept_person()
    phone = OnBehalf(clerk=clerk, channel=Channel.PHONE)
    mail.outbox.clear()
    outcome: dict[str, Any] = {}
    with capture(execute=True):
        outcome["taken"] = [
            take(first).status,
            take(caller, on_behalf=phone).status,
            take(third).status,
        ]
        with pytest.raises(CommunityError) as again:
            take(third)
        outcome["again"] = again.value.code.startswith("already_")
        audit_before = AuditLogEntry.objects.count()
        cancel(first, on_behalf=phone)
    entries = {e.user_id: e for e in getattr(target, related).all()}
    promoted = entries[caller.pk]
    outcome["after_cancel"] = [entries[p.pk].status for p in (first, caller, third)]
    outcome["promoted_at_set"] = promoted.promoted_at is not None
    outcome["keeps_channel"] = (promoted.channel, promoted.keyed_by_id)
    new_audit = list(
        AuditLogEntry.objects.order_by("id")[audit_before:].values_list("actor_id", "object_id")
    )
    # the clerk's cancellation (actor = clerk), then the promotion (the system, no actor)
    outcome["audit"] = [
        (actor == clerk.pk, object_id == str(promoted.pk)) for actor, object_id in new_audit
    ]
    outcome["letters_to_caller"] = OutboxMessage.objects.filter(
        user=caller, channel="letter"
    ).count()
    outcome["mail_to"] = [m.to for m in mail.outbox if third.email in m.to]
    # leaving the waiting list promotes nobody; the freed person may come back, at the end
    cancel(third)
    outcome["after_leaving_waitlist"] = sorted(
        getattr(target, related).values_list("status", flat=True)
    )
    outcome["back_of_queue"] = take(first).status
    return outcome


@pytest.mark.django_db
def test_event_registration_and_activity_sign_up_promote_the_waiting_list_the_same_way(
    krakow, django_capture_on_commit_callbacks
):
    clerk = counter_clerk_of(CityUnitFactory(code=PLACES_UNIT))
    for_event = _story(_event_path, clerk, django_capture_on_commit_callbacks)
    for_activity = _story(_activity_path, clerk, django_capture_on_commit_callbacks)
    assert for_event == for_activity
    confirmed, waitlisted, cancelled = (
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CANCELLED,
    )
    assert for_event["taken"] == [confirmed, waitlisted, waitlisted]
    assert for_event["after_cancel"] == [cancelled, confirmed, waitlisted]
    assert for_event["promoted_at_set"] is True
    assert for_event["keeps_channel"] == (Channel.PHONE, clerk.pk)
    assert for_event["audit"] == [(True, False), (False, True)]
    assert for_event["letters_to_caller"] == 1
    assert for_event["mail_to"] == []
    assert for_event["again"] is True
    assert for_event["back_of_queue"] == waitlisted
