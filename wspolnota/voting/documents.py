"""Printed documents of the vote (WeasyPrint): ballot cards, point protocols, results protocols;
and the results as open data."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wspolnota.budget.documents import render_pdf
from wspolnota.budget.models import Edition
from wspolnota.voting import selectors


def ballot_card_pdf(*, edition: Edition, rules: Any, district: Any, pools: Any) -> bytes:
    return render_pdf(
        "voting/pdf/ballot_card.html",
        {
            "edition": edition,
            "rules": rules,
            "district": district,
            "pools": pools,
            "places": range(1, rules.picks_per_pool + 1),
        },
    )


def point_protocol_pdf(*, point: Any, protocol: Any) -> bytes:
    return render_pdf(
        "voting/pdf/point_protocol.html",
        {
            "point": point,
            "protocol": protocol,
            "edition": point.edition,
            "tally": selectors.point_tally(point=point),
        },
    )


def results_protocol_pdf(*, edition: Edition, view: Any) -> bytes:
    return render_pdf(
        "voting/pdf/results_protocol.html",
        {"edition": edition, "view": view, "rules": selectors.rules_for(edition)},
    )


def results_payload(*, edition: Edition) -> dict[str, Any]:
    """The published results as JSON-ready data (amounts as exact decimal strings)."""
    views = selectors.pool_results(edition=edition, at=timezone.now())
    return {
        "edition": edition.year,
        "name": edition.name,
        "pools": [
            {
                "id": v.pool.pk,
                "name": str(v.pool.label),
                "budget": format(v.pool.budget, "f"),
                "rule": v.result.rule,
                "options": v.result.options,
                "votecount_version": v.result.votecount_version,
                "input_sha256": v.result.input_sha256,
                "ballots": v.result.ballots_counted,
                "selected": v.result.selected,
                "ties": [
                    {
                        "tied": lot.tied,
                        "order": lot.order,
                        "seed": lot.seed,
                        "witnesses": lot.witnesses,
                    }
                    for lot in v.lots
                ],
                "projects": [
                    {
                        "id": line.code,
                        "title": line.title,
                        "cost": format(line.cost, "f"),
                        "votes": line.votes,
                        "score": line.score,
                        "selected": line.selected,
                        "order": line.order,
                        "explanation": line.explanation,
                    }
                    for line in v.lines
                ],
            }
            for v in views
        ],
    }
