"""Answers go back the way the question came (issue 17): ``reply_to_person`` writes to a person
without an account by letter (printed in a batch by the worker, the address in the window of a
DL envelope), voice call, SMS or e-mail, as they chose; to an account holder by e-mail."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from wspolnota.accounts.services import _erase_everywhere
from wspolnota.communication import delivery, services
from wspolnota.communication.models import LetterBatch, OutboxMessage
from wspolnota.communication.transports import memory_calls
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import kept_person

pytestmark = pytest.mark.django_db

MM_PER_PT = 25.4 / 72
# DL window envelope, DIN 5008 form B: the window is 90 × 45 mm, 20 mm from the left edge of
# the sheet and 45 mm from its top.
WINDOW = {"left": 20.0 - 0.1, "right": 110.0, "top": 45.0, "bottom": 90.0}  # 0.1 mm: rounding


def _words(
    pdf: bytes, tmp_path: Path, page: int = 1
) -> list[tuple[str, float, float, float, float]]:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = []
    for x0, y0, x1, y1, word in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html,
    ):
        found.append(
            (word, *(float(v) * MM_PER_PT for v in (x0, y0, x1, y1)))  # type: ignore[arg-type]
        )
    return found


def _in_window(word: tuple[str, float, float, float, float]) -> bool:
    _text, x0, y0, x1, y1 = word
    return (
        x0 >= WINDOW["left"]
        and x1 <= WINDOW["right"]
        and y0 >= WINDOW["top"]
        and y1 <= WINDOW["bottom"]
    )


def test_a_letter_reply_is_printed_by_the_worker_with_the_address_in_the_window(
    tmp_path, django_capture_on_commit_callbacks
):
    unit = CityUnitFactory(name="Wydział Konsultacji Społecznych")
    person = kept_person(
        full_name="Janina Żółkiewska",
        address_street="ul. Długa 5/3",
        address_postcode="31-147",
        address_city="Kraków",
        reply_channel="letter",
    )
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.reply_to_person(
            person=person,
            subject="Odpowiedź na uwagę do konsultacji",
            body="Dziękujemy za uwagę o ścieżce rowerowej.\n\nUwzględniliśmy ją w raporcie.",
            sender_unit=unit,
            kind="consultations.remark_answer",
        )
    assert [r.channel for r in rows] == ["letter"]
    batch = LetterBatch.objects.get()
    assert batch.notice is None and batch.status == LetterBatch.Status.DONE
    assert batch.letter_count == 1
    row = OutboxMessage.objects.get()
    assert row.status == "sent" and row.gateway == "print" and row.letter_batch == batch
    pdf = batch.pdf.read()
    assert pdf.startswith(b"%PDF")
    words = _words(pdf, tmp_path)
    texts = " ".join(w[0] for w in words)
    assert "ścieżce" in texts and "Wydział" in texts
    for needed in ("Janina", "Żółkiewska", "Długa", "31-147", "Kraków"):
        placed = [w for w in words if w[0] == needed]
        assert placed, f"{needed} not on the first page"
        assert any(_in_window(w) for w in placed), f"{needed} outside the window: {placed}"
    # The subject and body are not in the window (nothing else shows through the envelope).
    assert not any(_in_window(w) for w in words if w[0] in ("Dziękujemy", "Odpowiedź"))


def test_a_voice_reply_is_spoken_to_the_landline(daytime, settings):
    person = kept_person(reply_channel="voice", landline_phone="+48126161200")
    rows = services.reply_to_person(
        person=person, subject="Odpowiedź", body="Zebranie jest w środę."
    )
    assert [(r.channel, r.to) for r in rows] == [("voice", "+48126161200")]
    delivery.deliver_pending()
    call = next(m for m in memory_calls if m.channel == "voice")
    assert call.to == "+48126161200" and Path(call.audio_path).stat().st_size > 0
    assert OutboxMessage.objects.get().status == "sent"


def test_sms_email_and_account_holders(daytime):
    sms = kept_person(reply_channel="sms", phone="+48600100200")
    mail = kept_person(reply_channel="email", email="janina@example.org", full_name="Anna Nowak")
    holder = UserFactory(email="holder@example.org")
    assert [
        (r.channel, r.to) for r in services.reply_to_person(person=sms, subject="S", body="B")
    ] == [("sms", "+48600100200")]
    assert OutboxMessage.objects.get(channel="sms").body == "S: B"
    assert [r.to for r in services.reply_to_person(person=mail, subject="S", body="B")] == [
        "janina@example.org"
    ]
    assert [
        (r.channel, r.to) for r in services.reply_to_person(person=holder, subject="S", body="B")
    ] == [("email", "holder@example.org")]


def test_a_reply_with_a_key_goes_once_and_an_erased_person_gets_none(daytime):
    person = kept_person(reply_channel="sms", phone="+48600100200")
    assert len(services.reply_to_person(person=person, subject="S", body="B", key="remark-7")) == 1
    assert services.reply_to_person(person=person, subject="S", body="B", key="remark-7") == []
    _erase_everywhere(person, now=timezone.now(), reason="test")
    person.refresh_from_db()
    assert services.reply_to_person(person=person, subject="S", body="B") == []
    # The queued message lost its address and text with the person.
    assert not OutboxMessage.objects.exclude(to="").exists()


def test_a_person_who_cannot_be_reached_gets_nothing_rather_than_a_wrong_channel():
    person = kept_person(reply_channel="sms", phone="")
    assert services.reply_to_person(person=person, subject="S", body="B") == []


def test_clerks_download_the_reply_letters_and_nobody_else(django_capture_on_commit_callbacks):
    from django.test import Client
    from django.urls import reverse

    from wspolnota.tests_support.scopes import counter_clerk_of

    person = kept_person(reply_channel="letter")
    unit = CityUnitFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.reply_to_person(
            person=person, subject="Odpowiedź", body="Treść.", sender_unit=unit
        )
    batch = LetterBatch.objects.get()
    clerk = Client()
    clerk.force_login(counter_clerk_of(unit))
    assert "Odpowiedź" not in clerk.get(reverse("communication:reply_letters")).content.decode()
    url = reverse("communication:reply_letters_pdf", kwargs={"batch_id": batch.pk})
    download = clerk.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    resident = Client()
    resident.force_login(UserFactory())
    assert resident.get(reverse("communication:reply_letters")).status_code == 403
    assert resident.get(url).status_code == 404
