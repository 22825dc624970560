"""Printed letter batches hold names, postal addresses and texts: they are personal data on disk.

- a batch's PDF is deleted ``RETENTION_LETTER_BATCHES_DAYS`` after rendering (the row stays and
  says why there is no file);
- erasing a person (account deletion, erasure at the counter) prints every held batch again
  without their letter, or deletes its file;
- a one-time code sent by letter does not stay in the outbox once it is printed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts import services as accounts_services
from wspolnota.communication import services
from wspolnota.communication.models import Channel, LetterBatch, OutboxMessage
from wspolnota.communication.tests.factories import NoticeFactory, SubscriptionFactory
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import counter_access, counter_clerk_of, kept_person

pytestmark = pytest.mark.django_db


def _text(batch: LetterBatch, tmp_path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    path = tmp_path / f"batch-{batch.pk}.pdf"
    with batch.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def _reply_batch(*people, sensitive: bool = False, unit=None) -> LetterBatch:
    for person in people:
        services.reply_to_person(
            person=person,
            sender_unit=unit,
            subject="Odpowiedź urzędu",
            body=f"Odpowiadamy na pytanie. Kod: TAJNY-{person.pk:04d}",
            **({"sensitive": True} if sensitive else {}),
        )
    (batch,) = services.reply_letters_batches()
    return services.letter_batch_render(batch_id=batch.pk)


def test_a_letter_batch_pdf_is_deleted_after_its_retention_period(tmp_path):
    person = kept_person(full_name="Halina Poczciwa")
    unit = CityUnitFactory()
    batch = _reply_batch(person, unit=unit)
    stored = Path(batch.pdf.path)
    assert stored.exists() and "Halina Poczciwa" in _text(batch, tmp_path)
    days = settings.RETENTION_DAYS["letter_batches"]
    # Still within the period: the post room may print it.
    assert accounts_services.personal_data_purge()["letter_batches"] == 0
    assert stored.exists()
    result = accounts_services.personal_data_purge(now=timezone.now() + timedelta(days=days + 1))
    assert result["letter_batches"] == 1
    batch.refresh_from_db()
    assert not stored.exists()
    assert not batch.pdf and batch.pdf_purged_reason == LetterBatch.PdfPurge.RETENTION
    assert batch.letter_count == 1 and batch.status == LetterBatch.Status.DONE  # the row stays
    # The page says the file went under the retention period instead of a broken link.
    client = Client()
    client.force_login(counter_clerk_of(unit))
    page = client.get(reverse("communication:reply_letters")).content.decode()
    assert "Plik usunięty po okresie przechowywania danych." in page
    assert reverse("communication:reply_letters_pdf", args=[batch.pk]) not in page


def test_erasing_a_person_at_the_counter_prints_their_batch_again_without_them(
    tmp_path, django_capture_on_commit_callbacks
):
    leaving = kept_person(full_name="Zofia Odchodząca", address_street="ul. Wąska 1/1")
    staying = kept_person(full_name="Adam Zostający", address_street="ul. Szeroka 2/2")
    batch = _reply_batch(leaving, staying)
    first = Path(batch.pdf.path)
    assert "Zofia Odchodząca" in _text(batch, tmp_path)
    clerk = counter_clerk_of()
    counter_access(clerk, leaving)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        accounts_services.person_erase(clerk=clerk, person=leaving, channel="counter")
    # the erasure does not wait for the printing: the file is gone at once ...
    batch.refresh_from_db()
    assert not batch.pdf and not first.exists()
    assert batch.pdf_purged_reason == LetterBatch.PdfPurge.ERASURE
    for callback in callbacks:  # ... and the worker prints it again without her letter
        callback()
    batch.refresh_from_db()
    assert batch.pdf_purged_reason == "" and batch.pdf_purged_at is None
    assert batch.pdf, "the letter to the other person is still to be printed"
    text = _text(batch, tmp_path)
    assert "Zofia Odchodząca" not in text and "Wąska" not in text
    assert "Adam Zostający" in text and "Szeroka" in text
    assert batch.letter_count == 1
    assert not first.exists() or Path(batch.pdf.path) == first


def test_a_person_erased_while_their_batch_is_rendered_is_not_left_in_its_file(
    tmp_path, monkeypatch
):
    from wspolnota.communication import printing

    leaving = kept_person(full_name="Zofia Odchodząca", address_street="ul. Wąska 1/1")
    staying = kept_person(full_name="Adam Zostający", address_street="ul. Szeroka 2/2")
    for person in (leaving, staying):
        services.reply_to_person(person=person, subject="Odpowiedź", body="Treść odpowiedzi.")
    (batch,) = services.reply_letters_batches()
    clerk = counter_clerk_of()
    counter_access(clerk, leaving)
    real = printing.letters_file

    def erased_meanwhile(**kwargs):
        monkeypatch.setattr(printing, "letters_file", real)  # the worker's first pass only
        accounts_services.person_erase(clerk=clerk, person=leaving, channel="counter")
        return real(**kwargs)

    monkeypatch.setattr(printing, "letters_file", erased_meanwhile)
    batch = services.letter_batch_render(batch_id=batch.pk)
    text = _text(batch, tmp_path)
    assert "Zofia Odchodząca" not in text and "Adam Zostający" in text
    assert OutboxMessage.objects.get(letter_batch=batch, to="").status == "cancelled"


def test_deleting_an_account_prints_the_notice_batch_again_without_its_letter(
    krakow, official, tmp_path, django_capture_on_commit_callbacks
):
    resident = UserFactory(full_name="Ewa Rezygnująca", password="correct-horse-battery")
    notice = NoticeFactory(author=official, send_letter=True)
    for name, street, user in (
        ("Ewa Rezygnująca", "ul. Lipowa 3/1", resident),
        ("Jan Czytelnik", "ul. Klonowa 4/2", None),
    ):
        SubscriptionFactory(
            user=user,
            channel=Channel.LETTER,
            email="",
            postal_name=name,
            postal_street=street,
            postal_code="31-147",
            postal_city="Kraków",
            districts=[krakow[1]],
        )
    services.notice_fan_out(notice=notice)
    batch = services.letter_batch_request(actor=official, notice=notice)
    batch = services.letter_batch_render(batch_id=batch.pk)
    assert "Ewa Rezygnująca" in _text(batch, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.user_delete(user=resident, password="correct-horse-battery")
    batch.refresh_from_db()
    text = _text(batch, tmp_path)
    assert "Ewa Rezygnująca" not in text and "Lipowa" not in text
    assert "Jan Czytelnik" in text


def test_a_batch_that_cannot_be_printed_again_loses_its_file_when_a_recipient_is_erased(
    tmp_path,
):
    """A reply whose text is gone (a one-time code, erased once printed) cannot be printed
    again: the batch's file is deleted rather than kept with the erased person in it."""
    leaving = kept_person(full_name="Zofia Odchodząca", address_street="ul. Wąska 1/1")
    other = kept_person(full_name="Adam Zostający", address_street="ul. Szeroka 2/2")
    batch = _reply_batch(leaving, other, sensitive=True)
    stored = Path(batch.pdf.path)
    clerk = counter_clerk_of()
    counter_access(clerk, leaving)
    accounts_services.person_erase(clerk=clerk, person=leaving, channel="counter")
    batch.refresh_from_db()
    assert not batch.pdf and not stored.exists()
    assert batch.pdf_purged_reason == LetterBatch.PdfPurge.ERASURE


def test_a_one_time_code_sent_by_letter_leaves_the_outbox_once_printed(
    krakow, tmp_path, django_capture_on_commit_callbacks
):
    person = kept_person(reply_channel="voice", full_name="Janina Kodowa")
    clerk = counter_clerk_of()
    counter_access(clerk, person)
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.person_conversion_start(
            clerk=clerk, person=person, email="janina@example.org", method="letter", channel="phone"
        )
    letter = OutboxMessage.objects.get(user=person, channel=Channel.LETTER)
    assert letter.sensitive and letter.letter_batch is not None
    assert letter.status == OutboxMessage.Status.SENT  # printed by the worker
    assert letter.body == "", "the code stays readable in the outbox"
    # The batch's file is the code's only copy, and it goes with the code's validity.
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", _text(letter.letter_batch, tmp_path))
    assert code
    days = accounts_services.CONVERSION_LINK_DAYS["letter"]
    later = timezone.now() + timedelta(days=days + 1)
    accounts_services.personal_data_purge(now=later)
    letter.letter_batch.refresh_from_db()
    assert not letter.letter_batch.pdf


def test_an_erasure_does_not_bring_back_a_batch_past_its_retention_period(
    tmp_path, django_capture_on_commit_callbacks
):
    """The worker prints a batch again after an erasure only while the batch may still be held:
    one rendered longer ago than ``RETENTION_LETTER_BATCHES_DAYS`` stays deleted."""
    leaving = kept_person(full_name="Zofia Odchodząca", address_street="ul. Wąska 1/1")
    staying = kept_person(full_name="Adam Zostający", address_street="ul. Szeroka 2/2")
    batch = _reply_batch(leaving, staying)
    days = settings.RETENTION_DAYS["letter_batches"]
    LetterBatch.objects.filter(pk=batch.pk).update(
        finished_at=timezone.now() - timedelta(days=days, hours=1)
    )
    clerk = counter_clerk_of()
    counter_access(clerk, leaving)
    with django_capture_on_commit_callbacks(execute=True):
        accounts_services.person_erase(clerk=clerk, person=leaving, channel="counter")
    batch.refresh_from_db()
    assert not batch.pdf and batch.pdf_purged_reason == LetterBatch.PdfPurge.RETENTION
