"""PDF documents (submission receipts, agreement data) rendered from templates by WeasyPrint."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render an HTML template to PDF bytes (fonts: DejaVu, installed by ./wsp)."""
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a moment

    html = render_to_string(template, context)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
