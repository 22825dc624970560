"""Events: registration with capacity, a waiting list that promotes people, iCal export."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from wspolnota.community.errors import CommunityError
from wspolnota.community.ical import events_to_ical
from wspolnota.community.models import EventRegistration, EventStatus, RegistrationStatus
from wspolnota.community.selectors import EventFilters, event_list, waitlist_position
from wspolnota.community.services import (
    event_cancel,
    event_register,
    event_registration_cancel,
    event_save,
)
from wspolnota.community.tests.factories import EventFactory, PlaceFactory
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory


def _status(event, user):
    return (
        EventRegistration.objects.exclude(status=RegistrationStatus.CANCELLED)
        .get(event=event, user=user)
        .status
    )


@pytest.mark.django_db
def test_people_get_places_until_the_event_is_full_then_join_the_waiting_list(krakow):
    event = EventFactory(capacity=2)
    a, b, c, d = (UserFactory() for _ in range(4))
    assert event_register(user=a, event=event).status == RegistrationStatus.CONFIRMED
    assert event_register(user=b, event=event).status == RegistrationStatus.CONFIRMED
    third = event_register(user=c, event=event)
    fourth = event_register(user=d, event=event)
    assert third.status == fourth.status == RegistrationStatus.WAITLISTED
    assert waitlist_position(registration=third) == 1
    assert waitlist_position(registration=fourth) == 2
    with pytest.raises(CommunityError) as caught:
        event_register(user=a, event=event)
    assert caught.value.code == "already_registered"


@pytest.mark.django_db
def test_a_freed_place_goes_to_the_first_person_waiting_who_is_told(
    krakow, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1)
    first, second, third = (UserFactory() for _ in range(3))
    event_register(user=first, event=event)
    event_register(user=second, event=event)
    event_register(user=third, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        event_registration_cancel(user=first, event=event)
    assert _status(event, second) == RegistrationStatus.CONFIRMED
    assert _status(event, third) == RegistrationStatus.WAITLISTED
    promoted = EventRegistration.objects.get(event=event, user=second)
    assert promoted.promoted_at is not None
    assert [m.to for m in mail.outbox] == [[second.email]]
    entry = AuditLogEntry.objects.get(action="community.registration_promoted")
    assert entry.actor is None and entry.object_id == str(promoted.pk)
    # leaving the waiting list promotes nobody
    event_registration_cancel(user=third, event=event)
    assert (
        EventRegistration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()
        == 1
    )
    # the person who left may sign up again, at the end of the queue
    again = event_register(user=first, event=event)
    assert again.status == RegistrationStatus.WAITLISTED


@pytest.mark.django_db
def test_more_places_promote_people_from_the_waiting_list_in_order(krakow, official):
    event = EventFactory(capacity=1, created_by=official)
    people = [UserFactory() for _ in range(4)]
    for person in people:
        event_register(user=person, event=event)
    event_save(actor=official, event=event, fields={"capacity": 3})
    assert [_status(event, p) for p in people] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    with pytest.raises(CommunityError) as caught:
        event_save(actor=official, event=event, fields={"capacity": 2})
    assert caught.value.field == "capacity"


@pytest.mark.django_db
def test_registration_closes_when_the_event_starts_or_is_cancelled(
    krakow, official, django_capture_on_commit_callbacks
):
    started = EventFactory(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(CommunityError):
        event_register(user=UserFactory(), event=started)
    free_entry = EventFactory(capacity=None)
    with pytest.raises(CommunityError):
        event_register(user=UserFactory(), event=free_entry)
    event = EventFactory(capacity=5, created_by=official)
    person = UserFactory()
    event_register(user=person, event=event)
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel(actor=official, event=event, reason="Awaria ogrzewania")
    assert event.__class__.objects.get(pk=event.pk).status == EventStatus.CANCELLED
    assert mail.outbox[-1].to == [person.email]
    assert "Awaria ogrzewania" in mail.outbox[-1].body
    with pytest.raises(CommunityError):
        event_register(user=UserFactory(), event=event)


@pytest.mark.django_db
def test_only_officials_ngo_members_and_place_managers_create_events(krakow, resident, ngo_member):
    place = PlaceFactory()
    fields = {
        "title": "Spotkanie",
        "description": "Opis",
        "organiser_kind": "ngo",
        "organiser_name": "Stowarzyszenie",
        "place": place,
        "starts_at": timezone.now() + timedelta(days=2),
        "ends_at": timezone.now() + timedelta(days=2, hours=1),
    }
    with pytest.raises(CommunityError):
        event_save(actor=resident, event=None, fields=fields)
    event = event_save(actor=ngo_member, event=None, fields=fields)
    assert event.district == place.district
    place.managers.add(resident)
    event_save(actor=resident, event=None, fields=fields)
    with pytest.raises(CommunityError) as caught:
        event_save(actor=ngo_member, event=None, fields={**fields, "place": None, "location": ""})
    assert caught.value.field == "place"
    with pytest.raises(CommunityError) as caught:
        event_save(actor=ngo_member, event=None, fields={**fields, "ends_at": fields["starts_at"]})
    assert caught.value.field == "ends_at"


@pytest.mark.django_db
def test_events_are_filtered_by_district_audience_price_accessibility_and_language(krakow):
    near = EventFactory(district=krakow[1], audience="seniors", price=0, sign_language=True)
    EventFactory(district=krakow[18], audience="families", price="15.00", language="uk")
    EventFactory(district=krakow[1], status=EventStatus.DRAFT)
    assert list(event_list(filters=EventFilters(district=krakow[1]))) == [near]
    assert list(event_list(filters=EventFilters(audience="seniors"))) == [near]
    assert list(event_list(filters=EventFilters(price="free"))) == [near]
    assert list(event_list(filters=EventFilters(accessibility=("sign_language",)))) == [near]
    assert [e.language for e in event_list(filters=EventFilters(language="uk"))] == ["uk"]


@pytest.mark.django_db
def test_events_export_to_icalendar(krakow):
    event = EventFactory(title="Piknik sąsiedzki")
    cancelled = EventFactory(status=EventStatus.CANCELLED)
    calendar = Calendar.from_ical(events_to_ical([event, cancelled], name="Wydarzenia"))
    entries = calendar.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in entries] == ["Piknik sąsiedzki", cancelled.title]
    assert entries[0].decoded("DTSTART") == event.starts_at.replace(microsecond=0)
    assert str(entries[1]["STATUS"]) == "CANCELLED"
    assert event.place.name in str(entries[0]["LOCATION"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_registrations_for_the_last_place_give_one_place_and_one_waiting_list_entry(krakow):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")
    event = EventFactory(capacity=3)
    for _ in range(2):
        event_register(user=UserFactory(), event=event)
    contenders = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def attempt(person) -> None:
        try:
            barrier.wait()
            event_register(user=person, event=event)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    statuses = sorted(
        EventRegistration.objects.filter(event=event, user__in=contenders).values_list(
            "status", flat=True
        )
    )
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
    assert (
        EventRegistration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).count()
        == 3
    )


@pytest.mark.django_db
def test_the_persons_data_download_includes_their_event_registrations(krakow, client):
    event = EventFactory(capacity=1, title="Potańcówka międzypokoleniowa")
    person = UserFactory()
    event_register(user=person, event=event)
    someone_else = UserFactory()
    event_register(user=someone_else, event=event)
    client.force_login(person)
    data = client.get("/pl/konto/profil/moje-dane.json").json()
    registrations = data["community"]["event_registrations"]
    assert [(r["event"], r["status"]) for r in registrations] == [
        ("Potańcówka międzypokoleniowa", RegistrationStatus.CONFIRMED)
    ]
    assert data["community"]["volunteer_profile"] is None
