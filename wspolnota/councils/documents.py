"""The code sheet of a school's Youth Council election: the schools app's card template and
PDF helper, filled with the election's school and title (issue 22)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from wspolnota.budget.documents import public_url, qr_data_uri, render_pdf
from wspolnota.councils.models import SchoolElectionVote
from wspolnota.schools.codes import IssuedSheet


def school_vote_sheet_pdf(*, vote: SchoolElectionVote, issued: IssuedSheet) -> bytes:
    with translation.override("pl"):
        url = public_url(reverse("councils:school_vote", args=[vote.pk]))
    return render_pdf(
        "schools/pdf/code_sheet.html",
        {
            # the card names the school and the vote's title, as for a school budget
            "edition": {"school": {"name": vote.school_name}, "title": vote.term.body.name},
            "sheet": issued.sheet,
            "codes": issued.codes,
            "url": url,
            "qr": qr_data_uri(url),
        },
    )
