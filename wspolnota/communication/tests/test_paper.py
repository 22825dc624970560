"""Paper that keeps every word: real PDFs rendered by WeasyPrint and read back with pdftotext.

A letter flows onto as many pages as its text needs (the address in the envelope window on the
first page, the unsubscribe footer after the last paragraph); a poster carries the whole notice,
the easy-read text in addition to it, with the QR code and the tear-off strips on its first page,
and fits one sheet of A4 or A3. Letter batches are built by the background worker, not by the
page that asks for them.
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from wspolnota.communication import printing, services
from wspolnota.communication.choices import Channel
from wspolnota.communication.models import LetterBatch, OutboxMessage
from wspolnota.communication.rendering import notice_url
from wspolnota.communication.tests.factories import NoticeFactory, SubscriptionFactory
from wspolnota.tests_support.qr import qr_codes_in_pdf

PARAGRAPHS = [
    f"Akapit {n:02d}: mieszkańcy ulicy Długiej otrzymają informację numer {n} "
    "o przebudowie sieci wodociągowej, objazdach autobusów linii 152 i 164 oraz godzinach, "
    "w których woda będzie wyłączona. Prosimy o zrobienie zapasów wody pitnej i o cierpliwość; "
    "ekipy pracują także w weekendy, aby skrócić utrudnienia do minimum."
    for n in range(1, 13)
]


def _pdftotext(
    pdf: bytes, tmp_path: Path, *, first: int | None = None, last: int | None = None
) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    command = ["pdftotext"]
    if first is not None:
        command += ["-f", str(first)]
    if last is not None:
        command += ["-l", str(last)]
    text = subprocess.run(
        [*command, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def _pages(pdf: bytes, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)  # type: ignore[union-attr]
    return pages, size


_HOUSE_NUMBERS = itertools.count(7)


def _letter_subscriber(name: str, district: object) -> object:
    # Each at an address of their own: letters to one household are merged into one (issue 17).
    return SubscriptionFactory(
        channel=Channel.LETTER,
        email="",
        postal_name=name,
        postal_street=f"ul. Długa {next(_HOUSE_NUMBERS)}/3",
        postal_code="31-147",
        postal_city="Kraków",
        districts=[district],
    )


def test_a_twelve_paragraph_letter_keeps_every_paragraph_and_the_footer(krakow, tmp_path):
    notice = NoticeFactory(
        send_letter=True,
        text={"title": "Przebudowa wodociągu", "body": "\n\n".join(PARAGRAPHS)},
    )
    for name in ("Anna Nowak", "Jan Kowalski"):
        _letter_subscriber(name, krakow[1])
    services.notice_fan_out(notice=notice)
    messages = list(OutboxMessage.objects.filter(notice=notice).order_by("to"))
    pdf = printing.letters_pdf(notice=notice, messages=messages)
    pages, size = _pages(pdf, tmp_path)
    text = _pdftotext(pdf, tmp_path)
    for n in range(1, 13):
        assert text.count(f"Akapit {n:02d}:") == 2, f"paragraph {n} lost"
    assert text.count("zrezygnować") == 2  # the unsubscribe footer of each letter
    assert pages >= 4 and "(A4)" in size  # more than one page per letter
    first_page = _pdftotext(pdf, tmp_path, first=1, last=1)
    assert "Anna Nowak" in first_page and "Akapit 01:" in first_page
    address = re.search(r"Anna Nowak ul\. Długa \d+/3 31-147 Kraków", first_page)
    assert address is not None, "the address block is not on page 1"
    assert "Jan Kowalski" not in first_page
    # Each letter starts on a page of its own, its address on that page, its footer at its end.
    starts = [
        page
        for page in range(1, pages + 1)
        if "Jan Kowalski" in _pdftotext(pdf, tmp_path, first=page, last=page)
    ]
    assert len(starts) == 1
    second_start = starts[0]
    assert second_start > 2
    end_of_first = _pdftotext(pdf, tmp_path, first=second_start - 1, last=second_start - 1)
    assert "Akapit 12:" in end_of_first and "zrezygnować" in end_of_first
    last = _pdftotext(pdf, tmp_path, first=pages, last=pages)
    assert "zrezygnować" in last


def _poster_notice(**extra: object) -> object:
    now = timezone.now()
    return NoticeFactory(
        event_start=now + timedelta(days=3),
        event_end=now + timedelta(days=3, hours=4),
        event_location="plac Nowy 1",
        valid_until=now + timedelta(days=10),
        text={
            "title": "Festyn sąsiedzki na Kazimierzu",
            "body": "Autobusy linii 128 i 184 pojadą objazdem przez ulicę Starowiślną.",
            "easy_read": "W sobotę jest festyn. Przyjdź na plac Nowy.",
        },
        **extra,
    )


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_a_poster_with_an_easy_read_version_keeps_every_fact(krakow, tmp_path, size):
    notice = _poster_notice()
    pdf = printing.poster_pdf(notice=notice, size=size, language="pl")
    pages, page_size = _pages(pdf, tmp_path)
    assert pages == 1
    assert f"({size})" in page_size
    text = _pdftotext(pdf, tmp_path)
    assert "Festyn sąsiedzki na Kazimierzu" in text
    assert "Autobusy linii 128 i 184" in text  # the full text, not only the easy-read one
    assert "W sobotę jest festyn" in text  # and the easy-read text in addition
    assert "plac Nowy 1" in text
    assert "Zeskanuj" in text and settings.HELP_PHONE.replace(" ", "") in text.replace(" ", "")
    with translation.override("pl"):
        when = date_format(timezone.localtime(notice.event_start), "j E Y, H:i")
        until = date_format(timezone.localtime(notice.valid_until), "j E Y")
    assert when in text and until in text  # the dates are facts too
    first = _pdftotext(pdf, tmp_path, first=1, last=1)
    assert "Zeskanuj" in first and notice_url(notice.pk, "pl") in first.replace(" ", "")
    assert first.count(f"Ogłoszenie nr {notice.pk}") == 8  # the tear-off strips
    assert qr_codes_in_pdf(pdf, page=1) == [notice_url(notice.pk, "pl")]  # what a phone opens


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_a_long_poster_fits_its_sheet_with_the_qr_code_and_strips_on_page_one(
    krakow, tmp_path, size
):
    notice = NoticeFactory(
        text={
            "title": "Przebudowa wodociągu na Kazimierzu",
            "body": "\n\n".join(PARAGRAPHS),
            "easy_read": "Nie będzie wody. Zrób zapas wody.",
        }
    )
    pdf = printing.poster_pdf(notice=notice, size=size, language="pl")
    pages, _size = _pages(pdf, tmp_path)
    first = _pdftotext(pdf, tmp_path, first=1, last=1)
    assert "Zeskanuj" in first  # the caption under the QR code
    assert qr_codes_in_pdf(pdf, page=1) == [notice_url(notice.pk, "pl")]  # and the code itself
    assert first.count(f"Ogłoszenie nr {notice.pk}") == 8  # the eight tear-off strips
    assert pages == 1
    text = _pdftotext(pdf, tmp_path)
    for n in range(1, 13):
        assert f"Akapit {n:02d}:" in text
    assert "Nie będzie wody" in text


def test_a_letter_batch_is_built_by_the_worker_not_by_the_page(
    client_for, official, krakow, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    notice = NoticeFactory(
        author=official,
        send_letter=True,
        text={"title": "Przebudowa wodociągu", "body": "\n\n".join(PARAGRAPHS[:3])},
    )
    for n in range(3):
        _letter_subscriber(f"Mieszkaniec {n}", krakow[1])
    services.notice_fan_out(notice=notice)
    rendered_in_request = []
    real = printing.letters_pdf
    monkeypatch.setattr(
        printing, "letters_pdf", lambda **kw: rendered_in_request.append(1) or real(**kw)
    )
    client = client_for("official")
    url = reverse("communication:notice_letters", kwargs={"notice_id": notice.pk})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url)
    assert response.status_code == 302
    assert rendered_in_request == []  # the page did not wait for the letters
    batch = LetterBatch.objects.get()
    assert batch.status == LetterBatch.Status.QUEUED and batch.letter_count == 3
    page = client.get(url).content.decode()
    assert "0 z 3" in page
    for callback in callbacks:  # the worker runs the enqueued task
        callback()
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.DONE and batch.rendered_count == 3
    assert OutboxMessage.objects.filter(notice=notice, status="sent", gateway="print").count() == 3
    download = client.get(
        reverse(
            "communication:letter_batch_pdf", kwargs={"notice_id": notice.pk, "batch_id": batch.pk}
        )
    )
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    text = _pdftotext(content, tmp_path)
    assert all(f"Mieszkaniec {n}" in text for n in range(3))
    # Asking again finds nothing left to print.
    assert client.post(url).status_code == 400


def test_a_large_batch_downloads_as_one_zip_of_pdfs(krakow, official, tmp_path, monkeypatch):
    monkeypatch.setattr(printing, "LETTERS_PER_PDF", 2)
    notice = NoticeFactory(author=official, send_letter=True)
    for n in range(5):
        _letter_subscriber(f"Osoba {n}", krakow[1])
    services.notice_fan_out(notice=notice)
    batch = services.letter_batch_request(actor=official, notice=notice)
    from wspolnota.communication.tasks import letter_batch_render

    letter_batch_render.call(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == LetterBatch.Status.DONE and batch.pdf.name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(batch.pdf.read())) as archive:
        names = sorted(archive.namelist())
        assert len(names) == 3
        text = " ".join(_pdftotext(archive.read(name), tmp_path) for name in names)
    assert all(f"Osoba {n}" in text for n in range(5))
