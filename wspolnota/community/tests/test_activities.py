"""Recurring activities: management by the place's managers and officials, sign-ups with
capacity, a waiting list promoted automatically, participants, the person's data and the API."""

from __future__ import annotations

import threading
import time as clock
from datetime import date, time
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    Activity,
    ActivitySignup,
    Place,
    PlaceKind,
    RegistrationStatus,
)
from wspolnota.community.selectors import activity_waitlist_position
from wspolnota.community.services import (
    activity_end,
    activity_save,
    activity_sign_up,
    activity_signup_cancel,
)
from wspolnota.community.tests.factories import ActivityFactory, PlaceFactory
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory

FORM = {
    "title": "Joga na krześle",
    "description": "Łagodne ćwiczenia dla seniorów.",
    "weekday": "2",
    "starts_at": "10:00",
    "ends_at": "11:30",
    "capacity": "12",
    "audience": "seniors",
    "price": "0.00",
}


def _status(activity, user):
    return (
        ActivitySignup.objects.exclude(status=RegistrationStatus.CANCELLED)
        .get(activity=activity, user=user)
        .status
    )


@pytest.fixture
def managed_place(krakow, resident):
    """A CAS whose manager is the ``resident`` persona (managers need no city role)."""
    place = PlaceFactory(district=krakow[1])
    place.managers.add(resident)
    return place


# --- Management ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_places_manager_creates_edits_and_ends_an_activity_through_the_pages(
    managed_place, client_for, django_capture_on_commit_callbacks
):
    manager = client_for("resident")
    base = f"/pl/spolecznosc/miejsca/{managed_place.slug}/"
    assert "Dodaj zajęcia cykliczne" in manager.get(base).content.decode()
    assert manager.get(f"{base}zajecia/nowe/").status_code == 200
    response = manager.post(f"{base}zajecia/nowe/", FORM)
    activity = Activity.objects.get(place=managed_place)
    assert response.status_code == 302
    assert response["Location"] == f"/pl/spolecznosc/zajecia/{activity.pk}/"
    assert (activity.title, activity.weekday, activity.starts_at, activity.capacity) == (
        "Joga na krześle",
        2,
        time(10),
        12,
    )
    page = manager.get(base).content.decode()
    assert "Joga na krześle" in page and f"/pl/spolecznosc/zajecia/{activity.pk}/" in page

    edit = manager.post(
        f"/pl/spolecznosc/zajecia/{activity.pk}/edycja/", {**FORM, "capacity": "20"}
    )
    assert edit.status_code == 302
    activity.refresh_from_db()
    assert activity.capacity == 20

    participant = UserFactory()
    activity_sign_up(user=participant, activity=activity)
    with django_capture_on_commit_callbacks(execute=True):
        end = manager.post(
            f"/pl/spolecznosc/zajecia/{activity.pk}/zakonczenie/",
            {"reason": "Prowadząca przeszła na emeryturę."},
        )
    assert end.status_code == 302
    activity.refresh_from_db()
    assert activity.is_active is False
    assert _cancelled(activity, participant)
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert "emeryturę" in mail.outbox[0].body
    # an ended activity leaves the public list of the place but stays visible to its managers
    assert "Zakończone zajęcia" in manager.get(base).content.decode()
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="community.activity_")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "community.activity_created",
        "community.activity_updated",
        "community.activity_ended",
    ]


def _cancelled(activity, user) -> bool:
    return ActivitySignup.objects.get(activity=activity, user=user).status == "cancelled"


@pytest.mark.django_db
def test_an_officials_change_is_audit_logged_with_the_before_and_after(krakow, official):
    place = PlaceFactory(district=krakow[5])
    activity = ActivityFactory(place=place, capacity=8)
    activity_save(actor=official, place=place, activity=activity, fields={"capacity": 9})
    entry = AuditLogEntry.objects.get(action="community.activity_updated")
    assert entry.actor == official
    assert entry.before["capacity"] == 8 and entry.after["capacity"] == 9


@pytest.mark.django_db
def test_people_who_do_not_manage_the_place_cannot_manage_its_activities(
    managed_place, client_for, resident_other_district, ngo_member
):
    activity = ActivityFactory(place=managed_place)
    urls = [
        f"/pl/spolecznosc/miejsca/{managed_place.slug}/zajecia/nowe/",
        f"/pl/spolecznosc/zajecia/{activity.pk}/edycja/",
        f"/pl/spolecznosc/zajecia/{activity.pk}/zakonczenie/",
        f"/pl/spolecznosc/zajecia/{activity.pk}/uczestnicy/",
    ]
    for persona in ("resident_other_district", "ngo_member"):
        client = client_for(persona)
        for url in urls:
            assert client.get(url).status_code == 403, (persona, url)
            assert client.post(url, FORM).status_code == 403, (persona, url)
    anonymous = Client()
    for url in urls:
        assert anonymous.get(url).status_code == 302
    with pytest.raises(CommunityError):
        activity_save(actor=ngo_member, place=managed_place, activity=None, fields={})
    with pytest.raises(CommunityError):
        activity_end(actor=resident_other_district, activity=activity, reason="x")
    assert Activity.objects.get(pk=activity.pk).is_active


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("pl", "Koniec zajęć musi być później niż ich początek."),
        ("en", "The activity must end later than it starts."),
        ("uk", "Заняття мають закінчуватися пізніше, ніж починаються."),
    ],
)
def test_bad_input_gives_a_translated_error_and_keeps_what_was_typed(
    managed_place, client_for, language, message
):
    manager = client_for("resident")
    url = f"/{language}/spolecznosc/miejsca/{managed_place.slug}/zajecia/nowe/"
    response = manager.post(url, {**FORM, "starts_at": "12:00", "ends_at": "11:00"})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="Joga na krześle"' in page
    garbage = manager.post(url, {"capacity": "zero", "weekday": "9", "starts_at": "25:99"})
    assert garbage.status_code == 400
    assert 'value="zero"' in garbage.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_capacity_cannot_drop_below_the_people_who_already_have_a_place(managed_place, client_for):
    activity = ActivityFactory(place=managed_place, capacity=3)
    for _ in range(3):
        activity_sign_up(user=UserFactory(), activity=activity)
    response = client_for("resident").post(
        f"/pl/spolecznosc/zajecia/{activity.pk}/edycja/", {**FORM, "capacity": "2"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Na zajęcia zapisało się już 3 osób" in page
    assert 'value="2"' in page
    activity.refresh_from_db()
    assert activity.capacity == 3 and activity.title != "Joga na krześle"


# --- Sign-ups and the waiting list ---------------------------------------------------------------


@pytest.mark.django_db
def test_people_get_places_until_the_activity_is_full_then_join_the_waiting_list(krakow):
    activity = ActivityFactory(capacity=2)
    a, b, c, d = (UserFactory() for _ in range(4))
    assert activity_sign_up(user=a, activity=activity).status == RegistrationStatus.CONFIRMED
    assert activity_sign_up(user=b, activity=activity).status == RegistrationStatus.CONFIRMED
    third = activity_sign_up(user=c, activity=activity)
    fourth = activity_sign_up(user=d, activity=activity)
    assert third.status == fourth.status == RegistrationStatus.WAITLISTED
    assert activity_waitlist_position(signup=third) == 1
    assert activity_waitlist_position(signup=fourth) == 2
    with pytest.raises(CommunityError) as caught:
        activity_sign_up(user=a, activity=activity)
    assert caught.value.code == "already_signed_up"


@pytest.mark.django_db
def test_a_freed_place_goes_to_the_first_person_waiting_who_is_told(
    krakow, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(capacity=1, title="Szachy")
    first, second, third = (UserFactory() for _ in range(3))
    for person in (first, second, third):
        activity_sign_up(user=person, activity=activity)
    with django_capture_on_commit_callbacks(execute=True):
        activity_signup_cancel(user=first, activity=activity)
    assert _status(activity, second) == RegistrationStatus.CONFIRMED
    assert _status(activity, third) == RegistrationStatus.WAITLISTED
    promoted = ActivitySignup.objects.get(activity=activity, user=second)
    assert promoted.promoted_at is not None
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert "Szachy" in mail.outbox[0].subject
    assert f"/spolecznosc/zajecia/{activity.pk}/" in mail.outbox[0].body
    entry = AuditLogEntry.objects.get(action="community.activity_signup_promoted")
    assert entry.actor is None and entry.object_id == str(promoted.pk)
    # leaving the waiting list promotes nobody
    activity_signup_cancel(user=third, activity=activity)
    assert activity.signups.filter(status=RegistrationStatus.CONFIRMED).count() == 1
    # whoever left may sign up again, at the end of the queue
    assert activity_sign_up(user=first, activity=activity).status == RegistrationStatus.WAITLISTED
    with pytest.raises(CommunityError):
        activity_signup_cancel(user=third, activity=activity)


@pytest.mark.django_db
def test_a_larger_capacity_promotes_people_from_the_waiting_list(
    krakow, official, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(capacity=1)
    people = [UserFactory() for _ in range(4)]
    for person in people:
        activity_sign_up(user=person, activity=activity)
    with django_capture_on_commit_callbacks(execute=True):
        activity_save(
            actor=official, place=activity.place, activity=activity, fields={"capacity": 3}
        )
    assert [_status(activity, p) for p in people] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people[1].email, people[2].email])


@pytest.mark.django_db
def test_nobody_signs_up_for_an_ended_activity_or_one_in_a_closed_place(krakow, official):
    activity = ActivityFactory()
    activity_end(actor=official, activity=activity, reason="Koniec sezonu")
    with pytest.raises(CommunityError):
        activity_sign_up(user=UserFactory(), activity=activity)
    with pytest.raises(CommunityError):
        activity_end(actor=official, activity=activity, reason="Jeszcze raz")
    closed = ActivityFactory(
        place=PlaceFactory(closed_on=date(2020, 1, 1), opened_on=date(2015, 1, 1))
    )
    with pytest.raises(CommunityError):
        activity_sign_up(user=UserFactory(), activity=closed)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_for_the_last_place_give_one_place_and_one_waiting_list_entry(
    krakow, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")
    from wspolnota.community import permissions

    check = permissions.can_sign_up_for_activity

    def slow_check(*args, **kwargs):
        # Widen the window between reading the activity and counting its places, so that
        # without the row lock both people would be counted against the same free place.
        clock.sleep(0.2)
        return check(*args, **kwargs)

    monkeypatch.setattr(permissions, "can_sign_up_for_activity", slow_check)
    activity = ActivityFactory(capacity=3)
    for _ in range(2):
        activity_sign_up(user=UserFactory(), activity=activity)
    contenders = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def attempt(person) -> None:
        try:
            barrier.wait()
            activity_sign_up(user=person, activity=activity)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    for _ in range(3):  # a few rounds, so a lucky interleaving cannot hide a missing lock
        threads = [threading.Thread(target=attempt, args=(p,)) for p in contenders]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        statuses = sorted(
            ActivitySignup.objects.filter(activity=activity, user__in=contenders)
            .exclude(status=RegistrationStatus.CANCELLED)
            .values_list("status", flat=True)
        )
        assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
        assert activity.signups.filter(status=RegistrationStatus.CONFIRMED).count() == 3
        # both leave again (the confirmed one first), and the round starts over
        for person in sorted(
            contenders, key=lambda p: _status(activity, p) != RegistrationStatus.CONFIRMED
        ):
            activity_signup_cancel(user=person, activity=activity)
        clock.sleep(0.01)


# --- Pages for residents and organisers ---------------------------------------------------------


@pytest.mark.django_db
def test_a_resident_signs_up_through_the_pages_and_sees_it_in_my_activity(
    krakow, client_for, resident
):
    activity = ActivityFactory(
        place=PlaceFactory(district=krakow[1]), capacity=1, title="Warsztaty ceramiki"
    )
    url = f"/pl/spolecznosc/zajecia/{activity.pk}/"
    anonymous = Client()
    assert "Zaloguj się, aby się zapisać." in anonymous.get(url).content.decode()
    assert anonymous.post(f"{url}zapis/").status_code == 302
    assert not ActivitySignup.objects.exists()

    client = client_for("resident")
    assert "Wolne miejsca: 1" in client.get(url).content.decode()
    assert client.post(f"{url}zapis/").status_code == 302
    assert _status(activity, resident) == RegistrationStatus.CONFIRMED
    assert "Masz miejsce na tych zajęciach." in client.get(url).content.decode()
    mine = client.get("/pl/spolecznosc/moje/").content.decode()
    assert "Warsztaty ceramiki" in mine and "miejsce potwierdzone" in mine
    # a second click changes nothing and says why
    again = client.post(f"{url}zapis/", follow=True)
    assert "Jesteś już zapisany(-a) na te zajęcia." in again.content.decode()

    other = client_for("resident_other_district")
    other.post(f"{url}zapis/")
    assert "Jesteś na liście rezerwowej (miejsce 1)" in other.get(url).content.decode()

    assert client.post(f"{url}rezygnacja/").status_code == 302
    assert (
        "Nie jesteś zapisany(-a) na żadne zajęcia."
        in client.get("/pl/spolecznosc/moje/").content.decode()
    )


@pytest.mark.django_db
def test_officials_and_managers_see_the_participants_in_order(
    managed_place, client_for, resident, official
):
    activity = ActivityFactory(place=managed_place, capacity=1)
    first = UserFactory(full_name="Halina Kowal")
    second = UserFactory(full_name="Bogdan Nowak")
    activity_sign_up(user=first, activity=activity)
    activity_sign_up(user=second, activity=activity)
    for persona in ("official", "resident"):
        response = client_for(persona).get(f"/pl/spolecznosc/zajecia/{activity.pk}/uczestnicy/")
        assert response.status_code == 200
        rows = [(s.user, s.status) for s in response.context["signups"]]
        assert rows == [
            (first, RegistrationStatus.CONFIRMED),
            (second, RegistrationStatus.WAITLISTED),
        ]
        page = response.content.decode()
        assert "Halina Kowal" in page and "Bogdan Nowak" in page


@pytest.mark.django_db
def test_activities_of_an_unpublished_place_are_hidden_from_residents(krakow, client_for):
    activity = ActivityFactory(place=PlaceFactory(is_published=False))
    assert client_for("resident").get(f"/pl/spolecznosc/zajecia/{activity.pk}/").status_code == 404
    assert client_for("official").get(f"/pl/spolecznosc/zajecia/{activity.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_place_page_shows_free_places_with_a_bounded_number_of_queries(
    krakow, client, django_assert_max_num_queries
):
    place = PlaceFactory(district=krakow[1])
    full = ActivityFactory(place=place, capacity=1, title="Brydż")
    for _ in range(2):
        activity_sign_up(user=UserFactory(), activity=full)
    ActivityFactory(place=place, capacity=5, title="Kino seniora")
    with django_assert_max_num_queries(14) as few:
        response = client.get(f"/pl/spolecznosc/miejsca/{place.slug}/")
    assert response.status_code == 200
    assert [a.title for a in response.context["place"].activities.all()] == [
        "Brydż",
        "Kino seniora",
    ]
    assert "(1 osoba czeka)" in response.content.decode()
    ActivityFactory.create_batch(10, place=place)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/pl/spolecznosc/miejsca/{place.slug}/").status_code == 200


@pytest.mark.django_db
def test_the_persons_data_download_includes_their_activity_sign_ups(krakow, client):
    activity = ActivityFactory(title="Nordic walking", capacity=1)
    person = UserFactory()
    activity_sign_up(user=UserFactory(), activity=activity)
    activity_sign_up(user=person, activity=activity)
    client.force_login(person)
    data = client.get("/pl/konto/profil/moje-dane.json").json()
    signups = data["community"]["activity_signups"]
    assert [(s["activity"], s["status"], s["weekday"]) for s in signups] == [
        ("Nordic walking", RegistrationStatus.WAITLISTED, 1)
    ]
    assert signups[0]["starts_at"] == "10:00:00"


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_places_api_lists_running_activities_with_free_places(
    krakow, client, django_assert_max_num_queries
):
    place = PlaceFactory(district=krakow[1], kind=PlaceKind.SENIOR_CENTRE)
    library = PlaceFactory(district=krakow[2], kind=PlaceKind.LIBRARY)
    yoga = ActivityFactory(place=place, capacity=3, title="Joga", price=Decimal("5.00"))
    activity_sign_up(user=UserFactory(), activity=yoga)
    ended = ActivityFactory(place=place, title="Dawne zajęcia", is_active=False)
    ActivityFactory(place=library, title="Klub książki")
    with django_assert_max_num_queries(6) as few:
        response = client.get("/api/places?kind=senior-centre")
    assert response.status_code == 200
    [row] = response.json()
    assert row["slug"] == place.slug
    [activity] = row["activities"]
    assert activity["title"] == "Joga"
    assert (activity["capacity"], activity["places_taken"], activity["free_places"]) == (3, 1, 2)
    assert activity["weekday"] == 1 and activity["starts_at"] == "10:00:00"
    assert activity["price"] == "5.00"
    assert activity["url"] == f"/pl/spolecznosc/zajecia/{yoga.pk}/"
    assert ended.title not in response.content.decode()
    for extra in PlaceFactory.create_batch(5, kind=PlaceKind.SENIOR_CENTRE):
        ActivityFactory.create_batch(2, place=extra)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/places?kind=senior-centre").json()) == 6
    libraries = client.get("/api/places?kind=library").json()
    assert [p["activities"][0]["title"] for p in libraries] == ["Klub książki"]

    separate = client.get(f"/api/places/{place.slug}/activities")
    assert separate.status_code == 200
    assert [(a["title"], a["free_places"]) for a in separate.json()] == [("Joga", 2)]
    assert client.get("/api/places/no-such-place/activities").status_code == 404
    hidden = PlaceFactory(is_published=False)
    assert client.get(f"/api/places/{hidden.slug}/activities").status_code == 404


@pytest.mark.django_db
def test_no_activity_url_gives_a_server_error_for_any_persona_or_language(request, krakow):
    """The app's share of the every-URL sweep: GET in every language, POST empty and garbage."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    from wspolnota.community.tests.url_samples import url_samples
    from wspolnota.conftest import PERSONAS

    samples = url_samples(request)
    names = [
        ("activity_create", {"place_slug": samples["place_slug"]}),
        *(
            (name, {"activity_id": samples["activity_id"]})
            for name in (
                "activity_detail",
                "activity_edit",
                "activity_end",
                "activity_sign_up",
                "activity_leave",
                "activity_participants",
            )
        ),
    ]
    garbage = {"capacity": "-1", "weekday": "x", "starts_at": "99:99", "reason": "", "price": "€"}
    failures = []
    for persona in PERSONAS:
        user = None if persona == "anonymous" else request.getfixturevalue(persona)
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        for code, _label in settings.LANGUAGES:
            for name, kwargs in names:
                with translation.override(code):
                    url = reverse(f"community:{name}", kwargs=kwargs)
                calls = [("GET", None)]
                if code == "pl":
                    calls += [("POST", {}), ("POST", garbage)]
                for method, data in calls:
                    response = client.get(url) if method == "GET" else client.post(url, data or {})
                    if response.status_code >= 500:
                        failures.append(f"{method} {url} as {persona}: {response.status_code}")
    assert failures == []


@pytest.mark.django_db
def test_the_demo_gives_every_open_centre_activities_and_some_sign_ups_once(krakow):
    from wspolnota.accounts import demo as accounts_demo
    from wspolnota.community import demo

    accounts_demo.load()
    demo.load()
    counts = (Activity.objects.count(), ActivitySignup.objects.count())
    demo.load()  # idempotent
    assert (Activity.objects.count(), ActivitySignup.objects.count()) == counts
    centres = [
        p
        for p in Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE, is_published=True)
        if p.closed_on is None
    ]
    assert centres and all(3 <= p.activities.count() <= 4 for p in centres)
    statuses = set(ActivitySignup.objects.values_list("status", flat=True))
    assert statuses == {RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED}


@pytest.mark.django_db
def test_participants_and_my_activity_keep_a_bounded_number_of_queries(
    krakow, client_for, resident, official, django_assert_max_num_queries
):
    activity = ActivityFactory(place=PlaceFactory(district=krakow[1]), capacity=2)
    activity_sign_up(user=resident, activity=activity)
    participants = client_for("official")
    mine = client_for("resident")
    url = f"/pl/spolecznosc/zajecia/{activity.pk}/uczestnicy/"
    with django_assert_max_num_queries(30) as first:
        assert participants.get(url).status_code == 200
    with django_assert_max_num_queries(30) as my_first:
        assert mine.get("/pl/spolecznosc/moje/").status_code == 200
    for _ in range(6):
        activity_sign_up(user=UserFactory(), activity=activity)
    for other in ActivityFactory.create_batch(5, place=activity.place):
        activity_sign_up(user=resident, activity=other)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = participants.get(url)
    assert len(response.context["signups"]) == 7
    with django_assert_max_num_queries(len(my_first.captured_queries)):
        response = mine.get("/pl/spolecznosc/moje/")
    assert len(response.context["activity_signups"]) == 6
