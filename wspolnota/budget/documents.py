"""Printed documents: the paper supporter list and the A4 project card (WeasyPrint, segno QR)."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse


def public_url(path: str) -> str:
    return settings.SITE_URL + path


def qr_data_uri(url: str) -> str:
    """A QR code for a printed page, as an SVG data URI (readable at 2 cm and more)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported late: it takes most of a second to load

    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html, base_url=settings.SITE_URL).write_pdf()
    return pdf


def project_url(project_id: int) -> str:
    return public_url(reverse("budget:project_detail", args=[project_id]))
