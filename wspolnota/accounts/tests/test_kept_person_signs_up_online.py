"""A person the city keeps a record for (served at the counter or on the phone, no account)
signs up online with the e-mail address they gave the clerk.

Before: the sign-up said "an account with this address already exists — log in or reset the
password", yet there was no password to reset (a kept record has none, and a reset is only sent
to accounts with one): the person was stuck, and the only way out was a second, unrelated
record under another address. Now the sign-up starts the same conversion a clerk starts by
phone: a link to the address (they control it) and a one-time code by letter to the postal
address on record (they live there); the kept row itself becomes the account. No second row,
no account for whoever merely knows the address, and no stream of letters to a person's home.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.accounts.models import AccountConversion, User
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.scopes import kept_person

pytestmark = pytest.mark.django_db

PASSWORD = "Wiosna-na-Plantach-2026"


def _post(client: Client, email: str):
    return client.post(
        reverse("accounts:signup"),
        {
            "email": email,
            "full_name": "Janina Żółkiewska",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "preferred_language": "pl",
            "accept_terms": "on",
        },
    )


def test_a_kept_person_signing_up_gets_the_link_and_a_letter_not_a_dead_end(
    krakow, django_capture_on_commit_callbacks
):
    person = kept_person(email="janina@example.org")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, " Janina@Example.org ")
    page = response.content.decode()
    assert response.status_code == 200, page[:3000]
    assert "janina@example.org" in page  # where the link went
    assert "listem" in page  # and that a code comes by post
    assert "odzyskaj hasło" not in page  # not the dead end
    # no second row, nobody logged in, nothing changed on the record yet
    assert User.objects.filter(email="janina@example.org").count() == 1
    assert "_auth_user_id" not in client.session
    person.refresh_from_db()
    assert person.kept_by_city and not person.has_usable_password()
    conversion = AccountConversion.objects.get(person=person)
    assert conversion.method == "letter" and conversion.started_by is None
    assert OutboxMessage.objects.filter(user=person, channel="letter").count() == 1
    assert OutboxMessage.objects.filter(kind="accounts.conversion_link").count() == 1
    entry = AuditLogEntry.objects.get(action="accounts.person_conversion_requested_online")
    assert entry.object_id == str(person.pk) and "janina" not in str(entry.after)


def test_the_link_and_the_code_from_the_letter_turn_the_same_row_into_the_account(
    krakow, django_capture_on_commit_callbacks, tmp_path
):
    from wspolnota.accounts.tests.test_kept_person_conversion import _link, _pdf_text

    person = kept_person(email="janina@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), "janina@example.org")
    letter = OutboxMessage.objects.get(user=person, channel="letter")
    printed = _pdf_text(letter.letter_batch.pdf.read(), tmp_path)
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", printed)
    assert code, printed
    resident = Client()
    done = resident.post(
        _link(), {"password1": PASSWORD, "password2": PASSWORD, "letter_code": code.group(1)}
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert not person.kept_by_city and person.check_password(PASSWORD)
    assert User.objects.filter(email="janina@example.org").count() == 1


def test_signing_up_again_sends_no_second_letter_to_the_persons_home(
    krakow, django_capture_on_commit_callbacks
):
    """Anyone who knows the address could otherwise send letter after letter to the person."""
    person = kept_person(email="janina@example.org")
    for _attempt in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = _post(Client(), "janina@example.org")
        assert response.status_code == 200
    assert AccountConversion.objects.filter(person=person).count() == 1
    assert OutboxMessage.objects.filter(user=person, channel="letter").count() == 1


def test_without_a_postal_address_on_record_the_person_is_asked_to_come_to_the_counter(krakow):
    person = kept_person(
        email="janina@example.org", address_street="", address_postcode="", address_city=""
    )
    response = _post(Client(), "janina@example.org")
    page = response.content.decode()
    assert response.status_code == 200
    assert "okienk" in page  # come to the counter with an identity document
    assert not AccountConversion.objects.filter(person=person).exists()
    assert User.objects.filter(email="janina@example.org").count() == 1


@pytest.mark.parametrize("language", ["en", "uk"])
def test_the_answer_is_in_the_language_of_the_page(krakow, language):
    from django.utils import translation

    kept_person(email="janina@example.org")
    with translation.override(language):
        url = reverse("accounts:signup")
    response = Client().post(
        url,
        {
            "email": "janina@example.org",
            "full_name": "Janina",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "preferred_language": language,
            "accept_terms": "on",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "listem" not in page and "janina@example.org" in page
