"""The online ballot as a person uses it (issue 16): for each pool the projects with cost, a
one-line summary and a link to the full card, search and filter by category, and the picks left.

Everything works without JavaScript: searching, filtering, picking and removing are buttons of
the ballot's own form, so the picks travel in the POST body with every step and are never put in
a URL, a log line, the session or the database before the cast (ballot secrecy, docs/voting.md).
Search terms and categories may also come from the query string of a plain GET.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext

from wspolnota.budget.models import Category, Pool, Project
from wspolnota.budget.search import normalise, search_terms
from wspolnota.voting.models import BallotKind, VotingRules

SUMMARY_CHARS = 160


@dataclass
class BallotRow:
    project: Project
    cost: Decimal
    summary: str
    category_label: str
    place: int | None = None  # Kraków: the place it holds (1 = most points)
    points: int | None = None  # Kraków: points of that place; cumulative: points given
    checked: bool = False  # approval, cart


@dataclass
class PoolView:
    pool: Pool
    rows: list[BallotRow]
    total: int
    query: str
    category: str
    categories: list[tuple[str, str]]
    chosen: int
    maximum: int
    left: int
    spent: Decimal
    money_left: Decimal
    hidden_spent: Decimal
    hidden: list[tuple[str, str]] = field(default_factory=list)
    notice: str = ""
    fields: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _summary(project: Project) -> str:
    text = " ".join((project.short_description or "").split())
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[: SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"


def filters_from(
    source: Any, pools: list[tuple[Pool, dict[int, Project]]]
) -> dict[int, tuple[str, str]]:
    """Per pool, the search text and category asked for (``q_<pool>``, ``category_<pool>``)."""
    out = {}
    categories = set(Category.values)
    for pool, _projects in pools:
        query = str(source.get(f"q_{pool.pk}", ""))[:200].strip()
        category = str(source.get(f"category_{pool.pk}", ""))
        out[pool.pk] = (query, category if category in categories else "")
    return out


def _matches(project: Project, terms: list[str], category: str) -> bool:
    if category and project.category != category:
        return False
    if not terms:
        return True
    text = project.search_text or normalise(
        f"{project.number} {project.title} {project.short_description}"
    )
    return all(term in text or term in normalise(project.number) for term in terms)


def _ranked(data: QueryDict, rules: VotingRules, pool: Pool) -> list[str]:
    return [data.get(f"pool_{pool.pk}_{rank}", "") for rank in range(1, rules.picks_per_pool + 1)]


def pick(
    data: QueryDict,
    *,
    rules: VotingRules,
    pools: list[tuple[Pool, dict[int, Project]]],
    value: str,
    remove: bool = False,
) -> str:
    """Add (or remove) a project, given as ``"<pool id>:<project id>"``, to the picks in ``data``
    (a mutable copy of the POST); Kraków: the first free place, later places move up on removal.
    Returns a notice for the person ("" when done)."""
    pool_id, _sep, project_id = value.partition(":")
    found = next(
        (
            p
            for p, projects in pools
            if str(p.pk) == pool_id and project_id.isdigit() and int(project_id) in projects
        ),
        None,
    )
    if found is None:
        return ""
    kind = rules.ballot_kind
    if kind == BallotKind.KRAKOW:
        places = [v for v in _ranked(data, rules, found) if v]
        if remove:
            places = [v for v in places if v != project_id]
        elif project_id not in places:
            if len(places) >= rules.picks_per_pool:
                return gettext(
                    "W tej puli wybrano już najwięcej projektów (%(n)d). Usuń jeden, aby wybrać"
                    " inny."
                ) % {"n": rules.picks_per_pool}
            places.append(project_id)
        for rank in range(1, rules.picks_per_pool + 1):
            data[f"pool_{found.pk}_{rank}"] = places[rank - 1] if rank <= len(places) else ""
    elif kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        name = f"pool_{found.pk}"
        checked = [v for v in data.getlist(name) if v]
        if remove:
            checked = [v for v in checked if v != project_id]
        elif project_id not in checked:
            checked.append(project_id)
        data.setlist(name, checked)
    return ""


def _maximum(rules: VotingRules) -> int:
    kind = rules.ballot_kind
    if kind == BallotKind.KRAKOW:
        return rules.picks_per_pool
    if kind == BallotKind.APPROVAL:
        return rules.approval_max
    if kind == BallotKind.CUMULATIVE:
        return rules.cumulative_points
    return 0


def pool_views(
    *,
    rules: VotingRules,
    pools: list[tuple[Pool, dict[int, Project]]],
    data: Any,
    filters: dict[int, tuple[str, str]],
) -> list[PoolView]:
    """Each pool's visible projects with their state, the picks hidden by a filter (kept as
    hidden fields) and the count of picks left."""
    kind = rules.ballot_kind
    labels = dict(Category.choices)
    views = []
    for pool, projects in pools:
        query, category = filters.get(pool.pk, ("", ""))
        terms = search_terms(query)
        places: dict[str, int] = {}
        checked: set[str] = set()
        given: dict[str, int] = {}
        if kind == BallotKind.KRAKOW:
            for rank, value in enumerate(_ranked(data, rules, pool), start=1):
                if value and value not in places:
                    places[value] = rank
        elif kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
            checked = {v for v in (data.getlist(f"pool_{pool.pk}") if data else []) if v}
        else:
            for pk in projects:
                raw = str(data.get(f"pool_{pool.pk}_p{pk}", "") if data else "")
                if raw.isdigit() and int(raw) > 0:
                    given[str(pk)] = int(raw)
        rows: list[BallotRow] = []
        hidden: list[tuple[str, str]] = []
        spent = Decimal(0)
        hidden_spent = Decimal(0)
        for pk, project in projects.items():
            key = str(pk)
            if key in checked:
                spent += project.effective_cost
            if not _matches(project, terms, category):
                if key in checked:
                    hidden.append((f"pool_{pool.pk}", key))
                    hidden_spent += project.effective_cost
                if key in given:
                    hidden.append((f"pool_{pool.pk}_p{pk}", str(given[key])))
                continue
            place = places.get(key)
            rows.append(
                BallotRow(
                    project=project,
                    cost=project.effective_cost,
                    summary=_summary(project),
                    category_label=str(labels.get(project.category, "")),
                    place=place,
                    points=rules.picks_per_pool - place + 1
                    if place is not None
                    else given.get(key),
                    checked=key in checked,
                )
            )
        present = sorted({p.category for p in projects.values() if p.category})
        if kind == BallotKind.KRAKOW:
            chosen = len(places)
        elif kind == BallotKind.CUMULATIVE:
            chosen = sum(given.values())
        else:
            chosen = len(checked)
        maximum = _maximum(rules)
        views.append(
            PoolView(
                pool=pool,
                rows=rows,
                total=len(projects),
                query=query,
                category=category,
                categories=[(value, str(labels[value])) for value in present],
                chosen=chosen,
                maximum=maximum,
                left=max(maximum - chosen, 0),
                spent=spent,
                money_left=max(pool.budget - spent, Decimal(0)),
                hidden_spent=hidden_spent,
                hidden=hidden,
            )
        )
    return views
