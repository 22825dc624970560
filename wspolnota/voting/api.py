"""Read API of the vote: turnout (public while voting), and after publication the results and
the receipt codes. Per-project counts are never served before the results are published."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from wspolnota.voting import documents, selectors

API_PREFIX = "/voting"
router = Router()


class TurnoutRowOut(Schema):
    district_number: int | None
    district: str
    online: int
    paper: int
    total: int


class TurnoutOut(Schema):
    edition: int
    online: int
    paper: int
    total: int
    districts: list[TurnoutRowOut]


def _edition(year: int) -> Any:
    edition = selectors.edition_for_year(year)
    if edition is None or selectors.rules_for(edition) is None:
        raise HttpError(404, "Nie ma głosowania w tej edycji.")
    return edition


@router.get("/{year}/turnout", response=TurnoutOut)
def turnout(request: HttpRequest, year: int) -> dict[str, Any]:
    edition = _edition(year)
    data = selectors.turnout(edition=edition)
    return {
        "edition": edition.year,
        "online": data.online,
        "paper": data.paper,
        "total": data.total,
        "districts": [
            {
                "district_number": r.number,
                "district": r.name,
                "online": r.online,
                "paper": r.paper,
                "total": r.total,
            }
            for r in data.rows
        ],
    }


@router.get("/{year}/results")
def results(request: HttpRequest, year: int) -> dict[str, Any]:
    """Results per pool with each project's votes, points and explanation (after publication)."""
    edition = _edition(year)
    if not selectors.results_visible(edition, at=timezone.now()):
        raise HttpError(404, "Wyniki nie zostały jeszcze ogłoszone.")
    return documents.results_payload(edition=edition)


@router.get("/{year}/receipts")
def receipts(request: HttpRequest, year: int) -> dict[str, Any]:
    """The receipt codes of all counted ballots, published apart from the ballots."""
    edition = _edition(year)
    if not selectors.results_visible(edition, at=timezone.now()):
        raise HttpError(404, "Lista kodów zostanie opublikowana razem z wynikami.")
    return {
        "edition": edition.year,
        "codes": list(selectors.published_receipts(edition=edition).values_list("code", flat=True)),
    }
