"""A person kept by the city becomes an account holder and keeps their history (issue 17, gap).

The kept row itself becomes the account (same id: participation, consents, subscriptions stay
attached; no second user row), only after both
- the person proves they control the e-mail address (the link sent to it), and
- their identity is confirmed: by a clerk at the counter (document checked), or by a one-time
  code the platform sends by letter to the postal address on record.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.accounts import services
from wspolnota.accounts.errors import AccountsError
from wspolnota.accounts.models import AccountConversion, Consent, User
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory
from wspolnota.tests_support.scopes import counter_access, counter_clerk_of, kept_person

pytestmark = pytest.mark.django_db

PASSWORD = "Wiosna-na-Plantach-2026"


def _clerk_client(person: User) -> tuple[User, Client]:
    clerk = counter_clerk_of()
    counter_access(clerk, person)
    client = Client()
    client.force_login(clerk)
    return clerk, client


def _emails() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(channel="email", kind="accounts.conversion_link"))


def _link() -> str:
    """The link from the e-mail as delivered (the outbox row forgets a sensitive text once
    sent)."""
    from django.core import mail

    assert len(_emails()) == 1
    (sent,) = [m for m in mail.outbox if "konto-z-okienka" in m.body]
    found = re.search(r"https?://[^/\s]+(/\S*konto-z-okienka/\S+/)", sent.body)
    assert found, sent.body
    return found.group(1)


def test_at_the_counter_the_kept_record_becomes_the_account_and_keeps_its_history(
    krakow, django_capture_on_commit_callbacks
):
    person = kept_person()
    Consent.objects.create(person=person, purpose="notices", channel="counter")
    _clerk, client = _clerk_client(person)
    users_before = User.objects.count()
    url = reverse("counter:person_account", kwargs={"pk": person.pk})
    assert client.get(url).status_code == 200
    # The clerk must confirm they checked the identity document.
    refused = client.post(
        url, {"email": "janina@example.org", "method": "counter", "channel": "counter"}
    )
    assert refused.status_code == 400 and not _emails()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(
            url,
            {
                "email": "Janina@Example.org",
                "method": "counter",
                "identity_checked": "on",
                "channel": "counter",
            },
        )
    assert started.status_code == 302
    person.refresh_from_db()
    assert person.kept_by_city and person.email is None  # nothing changes before the link
    assert [m.to for m in _emails()] == ["janina@example.org"]
    link = _link()
    resident = Client()
    assert resident.get(link).status_code == 200
    weak = resident.post(link, {"password1": "abc", "password2": "abc"})
    assert weak.status_code == 400
    done = resident.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status_code == 302
    person.refresh_from_db()
    assert not person.kept_by_city and person.email == "janina@example.org"
    assert person.check_password(PASSWORD)
    assert User.objects.count() == users_before  # no second row
    assert Consent.objects.filter(person=person).count() == 1
    assert Client().login(email="janina@example.org", password=PASSWORD)
    # The link works once.
    assert Client().post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 404
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {"accounts.person_conversion_started", "accounts.person_converted"} <= actions


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "letters.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def test_by_phone_the_identity_is_proven_by_a_code_sent_by_letter(
    krakow, django_capture_on_commit_callbacks, tmp_path
):
    person = kept_person(reply_channel="voice")
    _clerk, client = _clerk_client(person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("counter:person_account", kwargs={"pk": person.pk}),
            {"email": "janina@example.org", "method": "letter", "channel": "phone"},
        )
    letter = OutboxMessage.objects.get(user=person, channel="letter")
    assert letter.channel == "letter" and "ul. Długa 5/3" in letter.to  # on record, not typed
    # Printed by the worker, the code is only in the batch's file (the row forgot it).
    assert letter.letter_batch is not None and letter.body == ""
    printed = _pdf_text(letter.letter_batch.pdf.read(), tmp_path)
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", printed)
    assert code, printed
    link = _link()
    resident = Client()
    for wrong in ("", "AAAA-AAAA"):
        response = resident.post(
            link, {"password1": PASSWORD, "password2": PASSWORD, "letter_code": wrong}
        )
        assert response.status_code == 400
    person.refresh_from_db()
    assert person.kept_by_city
    done = resident.post(
        link, {"password1": PASSWORD, "password2": PASSWORD, "letter_code": code.group(1)}
    )
    assert done.status_code == 302
    person.refresh_from_db()
    assert not person.kept_by_city and person.check_password(PASSWORD)


def test_an_address_that_has_an_account_or_an_account_holder_is_refused(krakow):
    holder = UserFactory(email="zajety@example.org")
    person = kept_person()
    clerk = counter_clerk_of()
    counter_access(clerk, person, holder)
    with pytest.raises(AccountsError):
        services.person_conversion_start(
            clerk=clerk,
            person=person,
            email="Zajety@example.org",
            method="counter",
            identity_checked=True,
            channel="counter",
        )
    with pytest.raises(AccountsError):
        services.person_conversion_start(
            clerk=clerk,
            person=holder,
            email="nowy@example.org",
            method="counter",
            identity_checked=True,
            channel="counter",
        )
    # Without identifying the person first, nothing starts.
    stranger = kept_person(full_name="Adam Nowak")
    with pytest.raises(AccountsError):
        services.person_conversion_start(
            clerk=clerk,
            person=stranger,
            email="adam@example.org",
            method="counter",
            identity_checked=True,
            channel="counter",
        )
    assert not AccountConversion.objects.exists()


def test_the_conversion_is_exported_and_erased_with_the_person(
    krakow, django_capture_on_commit_callbacks
):
    person = kept_person()
    clerk = counter_clerk_of()
    counter_access(clerk, person)
    with django_capture_on_commit_callbacks(execute=True):
        services.person_conversion_start(
            clerk=clerk,
            person=person,
            email="janina@example.org",
            method="counter",
            identity_checked=True,
            channel="counter",
        )
    exported = services.person_export(clerk=clerk, person=person, channel="counter")
    assert "janina@example.org" in str(exported)
    services.person_erase(clerk=clerk, person=person, channel="counter")
    assert not AccountConversion.objects.filter(person=person).exists()
