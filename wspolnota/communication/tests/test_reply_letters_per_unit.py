"""Reply letters are printed per sending unit (issue 17): a clerk of one unit never lists nor
downloads the letters (names, addresses, answers) another unit sent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.accounts.roles import Role
from wspolnota.communication import permissions, services
from wspolnota.communication.models import LetterBatch
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.tests_support.scopes import counter_clerk_of, kept_person, official_of

pytestmark = pytest.mark.django_db


def _reply(unit, django_capture_on_commit_callbacks, subject="Odpowiedź"):
    person = kept_person(reply_channel="letter")
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_person(person=person, subject=subject, body="Treść.", sender_unit=unit)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_clerk_of_another_unit_cannot_list_or_download_a_units_reply_letters(
    django_capture_on_commit_callbacks,
):
    unit_a, unit_b = CityUnitFactory(), CityUnitFactory()
    _reply(unit_a, django_capture_on_commit_callbacks)
    batch = LetterBatch.objects.get()
    url = reverse("communication:reply_letters_pdf", kwargs={"batch_id": batch.pk})
    intruder = _client(counter_clerk_of(unit_b))
    listing = intruder.get(reverse("communication:reply_letters")).content.decode()
    assert url not in listing
    assert intruder.get(url).status_code == 404
    own = _client(counter_clerk_of(unit_a))
    assert url in own.get(reverse("communication:reply_letters")).content.decode()
    assert own.get(url).status_code == 200


def test_reply_letters_are_batched_per_sender_unit(django_capture_on_commit_callbacks):
    unit_a, unit_b = CityUnitFactory(), CityUnitFactory()
    person_a = kept_person(reply_channel="letter")
    person_b = kept_person(reply_channel="letter")
    person_none = kept_person(reply_channel="letter")
    services.reply_to_person(person=person_a, subject="A", body="a", sender_unit=unit_a)
    services.reply_to_person(person=person_b, subject="B", body="b", sender_unit=unit_b)
    services.reply_to_person(person=person_none, subject="N", body="n")
    batches = services.reply_letters_batches()
    assert sorted((b.city_unit_id or 0, b.letter_count) for b in batches) == sorted(
        [(unit_a.pk, 1), (unit_b.pk, 1), (0, 1)]
    )
    for batch in batches:
        assert {m.sender_unit_id for m in batch.messages.all()} == {batch.city_unit_id}


def test_who_may_print_a_reply_batch():
    unit_a, unit_b = CityUnitFactory(), CityUnitFactory()
    batch_a = LetterBatch.objects.create(notice=None, city_unit=unit_a)
    batch_none = LetterBatch.objects.create(notice=None, city_unit=None)
    administrator = UserFactory()
    RoleAssignmentFactory(user=administrator, role=Role.ADMINISTRATOR)
    matrix = {
        "official of A": (official_of(unit_a), True, False),
        "clerk of A": (counter_clerk_of(unit_a), True, False),
        "official of B": (official_of(unit_b), False, False),
        "clerk of B": (counter_clerk_of(unit_b), False, False),
        "administrator": (administrator, True, True),
        "resident": (UserFactory(), False, False),
        "kept person": (kept_person(), False, False),
    }
    for name, (user, on_a, on_none) in matrix.items():
        assert permissions.can_print_reply_batch(user, batch_a) is on_a, name
        assert permissions.can_print_reply_batch(user, batch_none) is on_none, name


def test_a_download_of_reply_letters_is_audit_logged(django_capture_on_commit_callbacks):
    unit = CityUnitFactory()
    _reply(unit, django_capture_on_commit_callbacks)
    batch = LetterBatch.objects.get()
    clerk = counter_clerk_of(unit)
    url = reverse("communication:reply_letters_pdf", kwargs={"batch_id": batch.pk})
    assert _client(clerk).get(url).status_code == 200
    entry = AuditLogEntry.objects.get(action="communication.reply_letters_downloaded")
    assert entry.actor_id == clerk.pk
    assert entry.object_id == str(batch.pk)
