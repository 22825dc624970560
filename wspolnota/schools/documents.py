"""Printed documents of the school vote: a sheet of cut-out code cards (WeasyPrint, segno QR,
as the budget's printed cards and the posters)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation

from wspolnota.budget.documents import public_url, qr_data_uri, render_pdf
from wspolnota.schools.codes import IssuedSheet
from wspolnota.schools.models import SchoolEdition


def vote_url(edition: SchoolEdition) -> str:
    with translation.override("pl"):
        return public_url(reverse("schools:vote", args=[edition.pk]))


def code_sheet_pdf(*, edition: SchoolEdition, issued: IssuedSheet) -> bytes:
    """Eight cards to an A4 page, large print: the school, the class, the code, the vote's
    address and its QR code (the address only: the code is typed, so it never travels in a
    URL)."""
    url = vote_url(edition)
    return render_pdf(
        "schools/pdf/code_sheet.html",
        {
            "edition": edition,
            "sheet": issued.sheet,
            "codes": issued.codes,
            "url": url,
            "qr": qr_data_uri(url),
        },
    )


def poster_pdf(*, edition: SchoolEdition, ideas: list[Any]) -> bytes:
    """An A4 poster for the school's corridor: the vote's dates, the ideas on the ballot and
    the vote's address with its QR code, in large print."""
    url = vote_url(edition)
    return render_pdf(
        "schools/pdf/poster.html",
        {"edition": edition, "ideas": ideas, "url": url, "qr": qr_data_uri(url)},
    )
