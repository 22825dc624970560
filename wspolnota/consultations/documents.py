"""The printed sheet of class codes for a youth consultation's survey: the schools app's card
template (large print, cut-out cards, the address and its QR code) filled with the
consultation, the survey and the words of a survey instead of a vote (issue 22)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wspolnota.budget.documents import public_url, qr_data_uri, render_pdf
from wspolnota.consultations.models import Survey
from wspolnota.schools.codes import IssuedSheet


def survey_code_url(survey: Survey) -> str:
    with translation.override("pl"):
        return public_url(
            reverse("consultations:survey_by_code", args=[survey.consultation_id, survey.pk])
        )


def class_sheet_pdf(*, survey: Survey, issued: IssuedSheet) -> bytes:
    """Eight cards to an A4 page: the consultation, the survey, the class, the code, the
    survey's address and its QR code (the address only: the code is typed, never in a URL)."""
    url = survey_code_url(survey)
    return render_pdf(
        "schools/pdf/code_sheet.html",
        {
            "edition": {"school": {"name": survey.consultation.title}, "title": survey.title},
            "sheet": issued.sheet,
            "codes": issued.codes,
            "url": url,
            "qr": qr_data_uri(url),
            "how": _("Twój kod do ankiety. Działa tylko raz. Nikt nie dowie się, co odpowiesz."),
            "heading": _("Kody do ankiety"),
        },
    )
