"""The counter page (issue 17): a clerk finds a person (duplicates suggested), records one, sees
everything they take part in and acts for them; nobody else may."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.accounts.models import Consent, User
from wspolnota.accounts.roles import Role
from wspolnota.communication.choices import Channel
from wspolnota.communication.models import Subscription
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import (
    counter_access,
    counter_clerk_of,
    kept_person,
    with_role,
)

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


PERSON = {
    "full_name": "Janina Żółkiewska",
    "address_street": "ul. Długa 5/3",
    "address_postcode": "31-147",
    "address_city": "Kraków",
    "landline_phone": "12 616 12 00",
    "mobile": "",
    "email": "",
    "reply_channel": "letter",
    "district": "",
    "channel": "phone",
}


def test_a_clerks_morning_find_record_consent_and_subscribe(krakow):
    clerk = counter_clerk_of(CityUnitFactory())
    client = _client(clerk)
    home = client.get(
        reverse("counter:home"),
        {"purpose": "act", "surname": "Żółkiewska", "phone": "12 616 12 00"},
    )
    assert home.status_code == 200 and "Nikogo takiego" in home.content.decode()
    created = client.post(reverse("counter:person_new"), PERSON)
    assert created.status_code == 302
    person = User.objects.get(kept_by_city=True)
    assert person.kept_by == clerk and not person.has_usable_password()
    # The same caller again, spelled differently: the duplicate is suggested, nothing is saved.
    again = client.post(
        reverse("counter:person_new"),
        {**PERSON, "full_name": "zolkiewska janina", "landline_phone": "126161200"},
    )
    assert again.status_code == 200
    assert reverse("counter:person", kwargs={"pk": person.pk}) in again.content.decode()
    assert User.objects.filter(kept_by_city=True).count() == 1
    found = client.get(
        reverse("counter:home"),
        {"purpose": "act", "surname": "zolkiewska", "phone": "12 616 12 00"},
    ).content.decode()
    assert reverse("counter:person", kwargs={"pk": person.pk}) in found
    page_url = reverse("counter:person", kwargs={"pk": person.pk})
    client.post(
        reverse("counter:consent_record", kwargs={"pk": person.pk}),
        {"purpose": "notices", "channel": "phone"},
    )
    consent = Consent.objects.get(person=person)
    assert consent.taken_by == clerk and consent.channel == "phone"
    page = client.get(page_url).content.decode()
    subscribe_url = reverse("communication:counter") + f"?osoba={person.pk}"
    assert subscribe_url.replace("?", "?") in page.replace("&amp;", "&")
    form = client.get(subscribe_url).content.decode()
    assert "ul. Długa 5/3" in form
    response = client.post(
        subscribe_url,
        {
            "channel": Channel.LETTER,
            "postal_name": person.full_name,
            "postal_street": person.address_street,
            "postal_code": person.address_postcode,
            "postal_city": person.address_city,
            "language": "pl",
            "districts": [krakow[1].pk],
            "consent_document": "rozmowa telefoniczna 6.12",
        },
    )
    assert response.status_code == 302 and response.url == page_url
    subscription = Subscription.objects.get(user=person)
    assert subscription.registered_by == clerk
    page = client.get(page_url).content.decode()
    assert "ul. Długa 5/3" in page and "Ogłoszenia" in page


@pytest.mark.parametrize("who", ["resident", "moderator", "auditor"])
def test_the_counter_is_refused_to_everyone_else(krakow, who):
    actor = {
        "resident": lambda: UserFactory(),
        "moderator": lambda: with_role(Role.MODERATOR),
        "auditor": lambda: with_role(Role.AUDITOR),
    }[who]()
    person = kept_person()
    client = _client(actor)
    assert client.get(reverse("counter:home")).status_code == 403
    assert client.get(reverse("counter:person", kwargs={"pk": person.pk})).status_code == 403
    assert client.post(reverse("counter:person_new"), PERSON).status_code == 403
    assert client.get(reverse("communication:counter") + f"?osoba={person.pk}").status_code == 403
    assert not User.objects.filter(kept_by_city=True).exclude(pk=person.pk).exists()
    anonymous = Client().get(reverse("counter:home"))
    assert anonymous.status_code == 302


def test_malformed_and_unknown_people_are_not_500(krakow):
    client = _client(counter_clerk_of())
    assert client.get(reverse("counter:person", kwargs={"pk": 999999})).status_code == 404
    assert client.get(reverse("communication:counter") + "?osoba=abc").status_code == 400
    assert client.get(reverse("communication:counter") + "?osoba=999999").status_code == 404
    assert client.post(reverse("counter:person_new"), {"full_name": ""}).status_code == 400


def test_a_clerk_hands_over_and_erases_a_kept_persons_data(krakow):
    from wspolnota.core.models import AuditLogEntry

    clerk = counter_clerk_of()
    person = kept_person(full_name="Janina Żółkiewska")
    holder = UserFactory()
    counter_access(clerk, person, holder)
    client = _client(clerk)
    export = client.post(reverse("counter:person_export", kwargs={"pk": person.pk}))
    assert export.status_code == 200
    assert "ul. Długa 5/3" in export.content.decode()
    not_confirmed = client.post(reverse("counter:person_erase", kwargs={"pk": person.pk}))
    assert not_confirmed.status_code == 302
    person.refresh_from_db()
    assert person.deleted_at is None
    client.post(reverse("counter:person_erase", kwargs={"pk": person.pk}), {"confirm": "1"})
    person.refresh_from_db()
    assert person.deleted_at is not None and person.address_street == ""
    assert AuditLogEntry.objects.filter(action="accounts.person_erased", actor=clerk).exists()
    # An account holder is erased by themself, not at the counter.
    client.post(reverse("counter:person_erase", kwargs={"pk": holder.pk}), {"confirm": "1"})
    holder.refresh_from_db()
    assert holder.deleted_at is None
    resident = _client(UserFactory())
    other = kept_person(full_name="Adam Nowak")
    assert (
        resident.post(reverse("counter:person_export", kwargs={"pk": other.pk})).status_code == 403
    )


def test_a_clerk_changes_a_kept_persons_contact_and_not_an_account_holders(krakow):
    clerk = counter_clerk_of()
    person = kept_person()
    holder = UserFactory()
    counter_access(clerk, person, holder)
    client = _client(clerk)
    url = reverse("counter:person_edit", kwargs={"pk": person.pk})
    assert "ul. Długa 5/3" in client.get(url).content.decode()
    response = client.post(
        url, {**PERSON, "mobile": "600 100 200", "reply_channel": "sms", "channel": "phone"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "+48600100200" and person.reply_channel == "sms"
    bad = client.post(url, {**PERSON, "reply_channel": "email"})
    assert bad.status_code == 400
    assert client.get(reverse("counter:person_edit", kwargs={"pk": holder.pk})).status_code == 403
