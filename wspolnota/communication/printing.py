"""Print: posters for district notice boards and letter batches for window envelopes (PDF)."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from wspolnota.communication.models import Notice, OutboxMessage
from wspolnota.communication.rendering import notice_text_for, notice_url

POSTER_SIZES = ("A4", "A3")


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=10, border=0, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    result: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return result


def poster_pdf(*, notice: Notice, size: str = "A4", language: str | None = None) -> bytes:
    """A poster in large type with a QR code to the notice and tear-off strips with the phone."""
    language = language or notice.source_language
    size = size if size in POSTER_SIZES else "A4"
    url = notice_url(notice.pk, language)
    with translation.override(language):
        html = render_to_string(
            "communication/print/poster.html",
            {
                "notice": notice,
                "text": notice_text_for(notice, language),
                "url": url,
                "qr": _qr_data_uri(url),
                "size": size,
                "scale": 1.41 if size == "A3" else 1.0,
                "strips": range(8),
                "help_phone": settings.HELP_PHONE,
                "city": settings.CITY_NAME,
                "language": language,
            },
        )
    return _pdf(html)


def letters_pdf(*, notice: Notice, messages: list[OutboxMessage]) -> bytes:
    """One A4 letter per message, the address where a DL/C5 window envelope shows it."""
    letters: list[dict[str, Any]] = []
    for message in messages:
        with translation.override(message.language):
            letters.append(
                {
                    "address_lines": message.to.splitlines(),
                    "text": notice_text_for(notice, message.language),
                    "language": message.language,
                    "url": notice_url(notice.pk, message.language),
                    "html": render_to_string(
                        "communication/print/letter_body.html",
                        {
                            "notice": notice,
                            "text": notice_text_for(notice, message.language),
                            "url": notice_url(notice.pk, message.language),
                            "help_phone": settings.HELP_PHONE,
                            "help_address": settings.HELP_ADDRESS,
                            "date": timezone.localdate(),
                            "reference": message.idempotency_key,
                        },
                    ),
                }
            )
    html = render_to_string(
        "communication/print/letters.html",
        {"letters": letters, "sender": settings.HELP_ADDRESS, "city": settings.CITY_NAME},
    )
    return _pdf(html)
