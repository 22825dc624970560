"""Community features that keep their word (issue 21): editing a cancelled event promotes nobody,
rescheduling tells those registered, rooms in closed places are not bookable. Each test failed on
the code before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from wspolnota.community.errors import CommunityError
from wspolnota.community.models import EventRegistration, RegistrationStatus
from wspolnota.community.services import (
    event_cancel,
    event_register,
    event_save,
    room_booking_request,
)
from wspolnota.community.tests.factories import EventFactory, PlaceFactory, RoomFactory
from wspolnota.tests_support.factories import UserFactory


@pytest.mark.django_db
def test_editing_a_cancelled_event_promotes_nobody_and_tells_nobody_they_have_a_place(
    krakow, official, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1, created_by=official)
    first, waiting = UserFactory(), UserFactory()
    event_register(user=first, event=event)
    event_register(user=waiting, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(actor=official, event=event, reason="Awaria ogrzewania")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_save(actor=official, event=event, fields={"capacity": 5, "description": "Nowy opis"})
    entry = EventRegistration.objects.get(event=event, user=waiting)
    assert entry.status == RegistrationStatus.WAITLISTED and entry.promoted_at is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_rescheduling_an_event_tells_everyone_registered_or_waiting(
    krakow, official, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1, created_by=official)
    first, waiting, gone = UserFactory(), UserFactory(), UserFactory()
    event_register(user=first, event=event)
    event_register(user=waiting, event=event)
    mail.outbox.clear()
    new_start = event.starts_at + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        event_save(
            actor=official,
            event=event,
            fields={"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)},
        )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, waiting.email])
    assert gone.email not in {m.to[0] for m in mail.outbox}
    body = mail.outbox[0].body
    assert timezone.localtime(new_start).strftime("%H:%M") in body
    # a change that does not move the event in time or place tells nobody
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        event_save(actor=official, event=event, fields={"description": "Zabierz kapcie."})
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_room_in_a_closed_place_cannot_be_booked(krakow, resident):
    today = timezone.localdate()
    closed = RoomFactory(place=PlaceFactory(closed_on=today - timedelta(days=1)))
    start = (timezone.localtime() + timedelta(days=3)).replace(hour=17, minute=0, second=0)
    values = {
        "applicant_kind": "resident",
        "applicant_name": "",
        "purpose": "Spotkanie sąsiedzkie",
        "attendees": 5,
    }
    with pytest.raises(CommunityError):
        room_booking_request(
            user=resident,
            room=closed,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            **values,
        )
    # a place closing in two days: a booking for after its closing is refused
    closing = RoomFactory(place=PlaceFactory(closed_on=today + timedelta(days=2)))
    with pytest.raises(CommunityError) as caught:
        room_booking_request(
            user=resident,
            room=closing,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            **values,
        )
    assert caught.value.code == "place_closed"
