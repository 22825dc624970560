"""The annual monitoring report as a PDF (WeasyPrint), with the same SVG charts as the pages."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from wspolnota.monitoring import selectors


def _no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """The report embeds everything it shows; it never fetches anything from the network."""
    raise ValueError(f"external resource refused: {url}")


def report_pdf_bytes(*, year: int, request: HttpRequest | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "monitoring/report_pdf.html",
        {
            "report": selectors.annual_report(year=year),
            "generated": timezone.localtime(),
            "site_url": settings.SITE_URL,
        },
        request=request,
    )
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    return pdf
