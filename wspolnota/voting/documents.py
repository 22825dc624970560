"""Printed documents of the vote (WeasyPrint): ballot cards, point protocols, results protocols;
and the results as open data."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wspolnota.budget.documents import render_pdf
from wspolnota.budget.models import Edition
from wspolnota.voting import selectors


def ballot_card_pdf(*, edition: Edition, rules: Any, district: Any, pools: Any) -> bytes:
    """A card with its receipt code printed twice: on the card (keyed at the point) and on the
    tear-off stub the voter keeps. The code is drawn when the card is printed and stored nowhere
    until the card is keyed."""
    from django.conf import settings

    from wspolnota.voting.models import new_receipt_code

    return render_pdf(
        "voting/pdf/ballot_card.html",
        {
            "edition": edition,
            "rules": rules,
            "district": district,
            "pools": pools,
            "places": range(1, rules.picks_per_pool + 1),
            "receipt": new_receipt_code(),
            "guardian_age": settings.VOTING_GUARDIAN_AGE,
            "city": edition.city,
        },
    )


# CountOptions keyword → votecount command-line flag, for options a city sets beyond the rule.
CLI_FLAGS = {
    "measure": "--measure",
    "threshold": "--threshold",
    "utility": "--utility",
    "completion": "--completion",
    "add1_start": "--add1-start",
    "add1_increment": "--add1-increment",
    "comparison": "--comparison",
    "eligibility_divisor": "--eligibility-divisor",
}


def recount_arguments(*, rules: Any, result: Any) -> list[str]:
    """The votecount arguments that redo a published count from its .pb file (after the file
    name): the tie policy and the seed revealed with the results, and the city's options."""
    args: list[str] = []
    for key, value in sorted(rules.counting_options.items()):
        if key in CLI_FLAGS:
            args += [CLI_FLAGS[key], str(value)]
        elif key == "add1_stop_when_exhaustive":
            args.append("--add1-stop-when-exhaustive" if value else "--add1-no-exhaustive-stop")
        elif key == "exact" and not value:
            args.append("--float")
    policy = result.options.get("tie_breaking")
    if policy:
        args += ["--tie-breaking", str(policy)]
    if rules.tie_seed is not None:
        args += ["--seed", str(rules.tie_seed)]
    return args


def recount_command(*, rules: Any, view: Any) -> str:
    name = f"{rules.slug}-{view.pool.pk}.pb"
    return " ".join(
        ["votecount", "count", name, *recount_arguments(rules=rules, result=view.result)]
    )


def published_pb(*, rules: Any, result: Any) -> str | None:
    """The open-data .pb of a published pool result: the counted ballots (checked against the
    count's input hash), with age band and sex where voters agreed, and the published votes,
    score and selection. None if the ballots no longer match what was counted."""
    from votecount import write_pb

    from wspolnota.voting import services

    pool = result.pool
    counted = services.pool_instance(pool, rules=rules)
    if services._input_sha256(counted) != result.input_sha256:
        return None
    text: str = write_pb(
        services.pool_instance(pool, rules=rules, with_voter_data=True, result=result)
    )
    return text


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
    rules = selectors.rules_for(edition)
    shown = selectors.published_count(edition=edition)
    return {
        "edition": edition.year,
        "name": edition.name,
        "version": shown.version if shown else None,
        "published_at": shown.published_at.isoformat() if shown and shown.published_at else None,
        "correction_reason": shown.reason if shown else "",
        "versions": [
            {
                "version": c.version,
                "published_at": c.published_at.isoformat() if c.published_at else None,
                "reason": c.reason,
            }
            for c in selectors.published_versions(edition=edition)
        ],
        "tie_seed": rules.tie_seed if rules else None,
        "tie_seed_nonce": rules.tie_seed_nonce if rules else "",
        "tie_seed_commitment": rules.tie_seed_commitment if rules else "",
        "receipts_sha256": shown.receipts_sha256 if shown else "",
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
                "recount": recount_arguments(rules=rules, result=v.result),
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
