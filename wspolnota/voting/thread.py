"""The vote's part of a project's thread (see ``budget.thread``): whether it was selected, with
its points and rank, and a link to its pool's results — read only from a published count, never
before (``selectors.results_visible``), so nothing here can leak a number during the vote."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from wspolnota.budget.models import Edition, Phase, Project, ProjectStatus
from wspolnota.budget.thread import LaterStage, StepState, ThreadStep
from wspolnota.voting import selectors
from wspolnota.voting.models import PoolResult


def _published_results(edition: Edition, *, at: datetime, pool_id: int | None = None) -> list[Any]:
    if not selectors.results_visible(edition, at=at):
        return []
    count = selectors.published_count(edition=edition)
    if count is None:
        return []
    results = PoolResult.objects.filter(count=count).only("pool_id", "tally", "selected")
    if pool_id is not None:
        results = results.filter(pool_id=pool_id)
    return list(results)


def _ranking(result: Any) -> list[str]:
    """The pool's project codes by points, as the results page lists them."""
    return sorted(
        result.tally, key=lambda code: (-selectors.Decimal_of(result.tally[code]["score"]), code)
    )


def project_steps(project: Project, *, at: datetime) -> list[ThreadStep]:
    edition = project.edition
    if selectors.rules_for(edition) is None:
        return []
    results = _published_results(edition, at=at, pool_id=project.pool_id)
    if not results:
        if edition.phase_has_started(Phase.VOTING, at):
            return [ThreadStep("vote", gettext("Głosowanie"), state=StepState.CURRENT)]
        return []
    result = results[0]
    code = project.number or f"P{project.pk}"
    if code not in result.tally:
        return []
    ranking = _ranking(result)
    tally = result.tally[code]
    selected = code in result.selected
    details = [
        gettext("Głosy: %(votes)s, punkty: %(points)s, miejsce %(rank)s z %(total)s w puli.")
        % {
            "votes": tally["votes"],
            "points": tally["score"],
            "rank": ranking.index(code) + 1,
            "total": len(ranking),
        }
    ]
    return [
        ThreadStep(
            LaterStage.SELECTED if selected else LaterStage.NOT_SELECTED,
            str(LaterStage.SELECTED.label if selected else LaterStage.NOT_SELECTED.label),
            state=StepState.DONE if selected else StepState.FAILED,
            at=selectors.published_count(edition=edition).published_at,  # type: ignore[union-attr]
            details=details,
            link_url=reverse("voting:pool_results", args=[edition.year, project.pool_id]),
            link_label=gettext("Wyniki głosowania w tej puli"),
        )
    ]


def edition_stages(edition: Edition, *, at: datetime) -> dict[str, set[int]]:
    """Selected and not selected projects of a published count (empty before publication)."""
    if selectors.rules_for(edition) is None:
        return {}
    results = _published_results(edition, at=at)
    if not results:
        return {}
    by_code = {
        number or f"P{pk}": pk
        for pk, number in Project.objects.filter(
            edition=edition, status=ProjectStatus.ON_BALLOT
        ).values_list("pk", "number")
    }
    selected: set[int] = set()
    not_selected: set[int] = set()
    for result in results:
        chosen = set(result.selected)
        for code in result.tally:
            if code in by_code:
                (selected if code in chosen else not_selected).add(by_code[code])
    return {LaterStage.SELECTED: selected, LaterStage.NOT_SELECTED: not_selected}
