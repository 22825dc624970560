"""Who may see a person at the counter, and how (issue 17, the gap left open).

A clerk sees a person's page only after identifying the caller by their surname *and* one more
detail (phone, postcode or street, e-mail); the list is bounded; every search and every opening
of a person's page is audit-logged with the purpose and no personal data. People without
counter duties get 403.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts import permissions
from wspolnota.accounts.models import CounterAccess, User
from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import counter_clerk_of, kept_person, official_of, with_role

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _search(client: Client, **fields: str):  # type: ignore[no-untyped-def]
    return client.get(reverse("counter:home"), {"purpose": "act", **fields})


def _page(person: User) -> str:
    return reverse("counter:person", kwargs={"pk": person.pk})


def test_a_clerk_cannot_open_a_persons_page_by_its_number(krakow):
    """The attack: any clerk typed /okienko/osoba/<n>/ and read a stranger's address."""
    person = kept_person()
    clerk = counter_clerk_of()
    client = _client(clerk)
    for url in (
        _page(person),
        reverse("counter:person_edit", kwargs={"pk": person.pk}),
        reverse("communication:counter") + f"?osoba={person.pk}",
    ):
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "Długa" not in response.content.decode()
    assert client.post(reverse("counter:person_export", kwargs={"pk": person.pk})).status_code in (
        403,
        404,
    )


def test_a_fragment_of_a_name_lists_nobody(krakow):
    """The attack: "Żółk" listed every Żółkiewska in the city with her address and phone."""
    kept_person()
    kept_person(full_name="Anna Żółkiewska", address_street="ul. Krótka 1")
    client = _client(counter_clerk_of())
    for query in (
        {"q": "Żółk"},
        {"surname": "Żółk", "postcode": "31-147"},
        {"surname": "Żółkiewska"},
    ):
        response = _search(client, **query)
        assert "Długa" not in response.content.decode(), query
        assert "Krótka" not in response.content.decode(), query
    assert _search(client, surname="Żółkiewska").status_code == 400  # a second detail is needed
    assert not CounterAccess.objects.exists()


def test_a_surname_and_one_more_detail_identify_the_caller_and_open_their_page(krakow):
    person = kept_person()
    namesake = kept_person(
        full_name="Anna Żółkiewska",
        address_street="ul. Krótka 1",
        address_postcode="30-001",
        landline_phone="+48126000000",
    )
    clerk = counter_clerk_of()
    client = _client(clerk)
    for detail in (
        {"phone": "12 616 12 00"},
        {"postcode": "31147"},
        {"street": "Dluga 5/3"},
    ):
        found = _search(client, surname="zolkiewska", **detail).content.decode()
        assert _page(person) in found, detail
        assert _page(namesake) not in found, detail
    page = client.get(_page(person))
    assert page.status_code == 200 and "ul. Długa 5/3" in page.content.decode()
    # The namesake was never identified: her page stays closed.
    assert client.get(_page(namesake)).status_code == 403
    # Another clerk's search opens nothing for this one.
    other = _client(counter_clerk_of())
    assert other.get(_page(person)).status_code == 403


def test_every_search_and_opening_is_audit_logged_without_personal_data(krakow):
    person = kept_person()
    clerk = counter_clerk_of()
    client = _client(clerk)
    _search(client, surname="Żółkiewska", phone="12 616 12 00", purpose="letter")
    _search(client, surname="Nowak", phone="12 000 00 00", purpose="act")
    client.get(_page(person))
    searches = AuditLogEntry.objects.filter(action="accounts.counter_search", actor=clerk)
    assert searches.count() == 2
    first = searches.order_by("id").first()
    assert first is not None and first.after is not None
    assert first.after["purpose"] == "letter" and first.after["found"] == [person.pk]
    opened = AuditLogEntry.objects.get(action="accounts.counter_person_opened", actor=clerk)
    assert opened.object_id == str(person.pk) and opened.after == {"purpose": "letter"}
    for entry in AuditLogEntry.objects.filter(action__startswith="accounts.counter_"):
        line = json.dumps(
            [entry.before, entry.after, entry.reason, entry.object_repr, entry.actor_label],
            ensure_ascii=False,
        ).lower()
        for personal in ("żółkiewska", "zolkiewska", "nowak", "616", "długa", "31-147"):
            assert personal not in line, (entry.action, personal)


def test_the_list_is_bounded(krakow):
    for n in range(7):
        kept_person(full_name=f"Jan{n} Kowalski", address_street=f"ul. Długa {n}")
    client = _client(counter_clerk_of())
    response = _search(client, surname="Kowalski", postcode="31-147")
    body = response.content.decode()
    assert "/okienko/osoba/" not in body
    assert not CounterAccess.objects.exists()
    narrowed = _search(client, surname="Kowalski", postcode="31-147", street="Długa 3").content
    assert narrowed.decode().count("/okienko/osoba/") == 1


def test_the_access_ends_after_the_visit(krakow):
    person = kept_person()
    client = _client(counter_clerk_of())
    _search(client, surname="Żółkiewska", phone="126161200")
    assert client.get(_page(person)).status_code == 200
    CounterAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(_page(person)).status_code == 403


def test_a_clerk_who_records_a_person_may_open_their_page(krakow):
    clerk = counter_clerk_of()
    client = _client(clerk)
    response = client.post(
        reverse("counter:person_new"),
        {
            "full_name": "Adam Nowak",
            "address_street": "ul. Długa 7",
            "address_postcode": "31-147",
            "address_city": "Kraków",
            "landline_phone": "12 616 00 00",
            "mobile": "",
            "email": "",
            "reply_channel": "letter",
            "district": "",
            "channel": "counter",
        },
    )
    person = User.objects.get(kept_by_city=True)
    assert response.status_code == 302 and response.url == _page(person)
    assert client.get(_page(person)).status_code == 200


def test_counter_matrix_only_counter_duty_staff(krakow):
    """403 for everyone without counter duties, including an official of another kind of unit."""
    counter_unit = CityUnitFactory(counter_duties=True)
    allowed = [counter_clerk_of(), official_of(counter_unit), with_role(Role.ADMINISTRATOR)]
    refused = [
        UserFactory(),
        official_of(CityUnitFactory()),
        with_role(Role.MODERATOR),
        with_role(Role.AUDITOR),
    ]
    for user in allowed:
        assert _client(user).get(reverse("counter:home")).status_code == 200, user
    for user in refused:
        client = _client(user)
        assert client.get(reverse("counter:home")).status_code == 403, user
        assert _search(client, surname="Żółkiewska", phone="126161200").status_code == 403
    assert not CounterAccess.objects.exists()


@pytest.mark.django_db
def test_the_demo_has_a_counter_clerk_and_its_budget_official_is_not_one(krakow):
    """The demo's counter works for its clerk of the residents' service department; the budget
    office's official, whose unit runs no counter, is refused (issue 17's identify-first rule)."""
    from wspolnota.accounts import demo as accounts_demo

    accounts_demo.load()
    clerk = User.objects.get(email="okienko@demo.wspolnota.pl")
    official = User.objects.get(email="urzednik@demo.wspolnota.pl")
    assert permissions.can_use_counter(clerk)
    assert not permissions.can_use_counter(official)
