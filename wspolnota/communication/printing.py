"""Print: posters for district notice boards and letter batches for window envelopes (PDF).

Nothing is cut off. A letter flows onto as many A4 pages as its text needs: the first page of
each letter starts with the address where a DL or C5 window shows it (DIN 5008 B), the footer
(how to change the settings or stop the letters) follows the last paragraph. A poster carries
the whole notice — the easy-read text in addition to the full one, the dates, the place — with
the QR code and the tear-off strips on its first page, and its type is made smaller until it
fits one sheet of the size asked for.
"""

from __future__ import annotations

import base64
import io
import math
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wspolnota.communication.models import Notice, OutboxMessage
from wspolnota.communication.rendering import notice_text_for, notice_url

POSTER_SIZES = ("A4", "A3")
# The poster's type is shrunk in these steps until it fits one sheet (1.0: 18 pt body on A4).
POSTER_SCALES = (1.0, 0.85, 0.72, 0.62, 0.54, 0.47, 0.41)
# Letters per PDF file of a batch: one PDF up to this many, else a ZIP of such PDFs.
LETTERS_PER_PDF = 500
_REFERENCE = "__WSPOLNOTA_LETTER_REFERENCE__"


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=10, border=0, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _document(html: str) -> Any:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def _pdf(html: str) -> bytes:
    result: bytes = _document(html).write_pdf()
    return result


def _poster_html(
    *, notice: Notice, size: str, language: str, scale: float, url: str, qr: str
) -> str:
    factor = scale * (1.41 if size == "A3" else 1.0)

    def pt(base: float) -> str:
        return f"{base * factor:.1f}pt"

    def mm(base: float) -> str:
        return f"{base * (1.41 if size == 'A3' else 1.0):.1f}mm"

    with translation.override(language):
        return render_to_string(
            "communication/print/poster.html",
            {
                "notice": notice,
                "text": notice_text_for(notice, language),
                "url": url,
                "qr": qr,
                "size": size,
                "fonts": {
                    "head": pt(16),
                    "title": pt(40),
                    "body": pt(18),
                    "easy": pt(20),
                    "meta": pt(14),
                    "strip": pt(10) if scale >= 0.7 else f"{10 * 0.7:.1f}pt",
                },
                "qr_width": mm(45),
                "strip_height": mm(55),
                # eight strips across the sheet inside its 12 mm margins
                "strip_width": f"{((297 if size == 'A3' else 210) - 24) / 8:.2f}mm",
                "strips": range(8),
                "help_phone": settings.HELP_PHONE,
                "city": settings.CITY_NAME,
                "language": language,
            },
        )


def poster_pdf(*, notice: Notice, size: str = "A4", language: str | None = None) -> bytes:
    """A poster in large type: the whole notice, a QR code to it, tear-off strips with the phone.

    The type shrinks step by step until everything fits one sheet; a notice too long even for
    the smallest step continues on further sheets, the QR code and the strips staying on the
    first one.
    """
    language = language or notice.source_language
    size = size if size in POSTER_SIZES else "A4"
    url = notice_url(notice.pk, language)
    qr = _qr_data_uri(url)
    document = None
    start = 0
    while start < len(POSTER_SCALES):
        scale = POSTER_SCALES[start]
        document = _document(
            _poster_html(notice=notice, size=size, language=language, scale=scale, url=url, qr=qr)
        )
        pages = len(document.pages)
        if pages == 1:
            break
        # The area of the text shrinks with the square of the scale: skip the steps that
        # cannot be enough for so many pages.
        wanted = scale / math.sqrt(pages)
        start = max(
            start + 1,
            next((i for i, s in enumerate(POSTER_SCALES) if s <= wanted * 1.15), start + 1),
        )
    assert document is not None
    result: bytes = document.write_pdf()
    return result


def _letter_context(notice: Notice, messages: Sequence[OutboxMessage]) -> list[dict[str, Any]]:
    """The letters' HTML: the body rendered once per language, the reference filled in per letter."""
    bodies: dict[str, str] = {}
    date = timezone.localdate()
    letters: list[dict[str, Any]] = []
    for message in messages:
        body = bodies.get(message.language)
        if body is None:
            with translation.override(message.language):
                text = notice_text_for(notice, message.language)
                body = render_to_string(
                    "communication/print/letter_body.html",
                    {
                        "notice": notice,
                        "text": text,
                        "url": notice_url(notice.pk, message.language),
                        "help_phone": settings.HELP_PHONE,
                        "help_address": settings.HELP_ADDRESS,
                        "date": date,
                        "reference": _REFERENCE,
                    },
                )
            bodies[message.language] = body
        letters.append(
            {
                "address_lines": message.to.splitlines(),
                "language": message.language,
                "reference": message.idempotency_key,
                "html": mark_safe(body.replace(_REFERENCE, escape(message.idempotency_key))),
            }
        )
    return letters


def _reply_context(messages: Sequence[OutboxMessage]) -> list[dict[str, Any]]:
    """Replies to people without an account: each letter its own subject and text."""
    date = timezone.localdate()
    letters: list[dict[str, Any]] = []
    for message in messages:
        with translation.override(message.language):
            html = render_to_string(
                "communication/print/reply_body.html",
                {
                    "subject": message.subject,
                    "body": message.body,
                    "sender": message.sender_unit.name if message.sender_unit else "",
                    "help_phone": settings.HELP_PHONE,
                    "help_address": settings.HELP_ADDRESS,
                    "date": date,
                    "reference": message.idempotency_key,
                },
            )
        letters.append(
            {
                "address_lines": message.to.splitlines(),
                "language": message.language,
                "reference": message.idempotency_key,
                "html": html,
            }
        )
    return letters


def letters_pdf(*, notice: Notice | None, messages: Sequence[OutboxMessage]) -> bytes:
    """One letter per message, each starting on a new A4 page and running as long as it needs.

    Without a notice, the messages are replies to people (``services.reply_to_person``).
    """
    html = render_to_string(
        "communication/print/letters.html",
        {
            "letters": _letter_context(notice, messages)
            if notice is not None
            else _reply_context(messages),
            "sender": settings.HELP_ADDRESS,
            "city": settings.CITY_NAME,
        },
    )
    return _pdf(html)


def letters_file(
    *,
    notice: Notice | None,
    messages: Sequence[OutboxMessage],
    progress: Callable[[int], None] | None = None,
) -> tuple[bytes, str]:
    """The batch as one PDF, or as a ZIP of PDFs of ``LETTERS_PER_PDF`` letters each.

    ``progress`` is told how many letters are rendered after each part. Returns the bytes and
    the file extension ("pdf" or "zip").
    """
    size = max(1, LETTERS_PER_PDF)
    parts = [messages[start : start + size] for start in range(0, len(messages), size)]
    if len(parts) <= 1:
        pdf = letters_pdf(notice=notice, messages=messages)
        if progress is not None:
            progress(len(messages))
        return pdf, "pdf"
    buffer = io.BytesIO()
    done = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, part in enumerate(parts, start=1):
            first = done + 1
            done += len(part)
            archive.writestr(
                f"listy-{notice.pk if notice else 'odpowiedzi'}-{number:03d}-{first:05d}-{done:05d}.pdf",
                letters_pdf(notice=notice, messages=part),
            )
            if progress is not None:
                progress(done)
    return buffer.getvalue(), "zip"
