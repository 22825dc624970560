"""Reads of the voting app. Per-project counts are only ever read through ``pool_results``,
which returns nothing until the results are published after the vote closes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count as DbCount
from django.db.models import QuerySet

from wspolnota.budget.models import Edition, Phase, Pool, PoolKind, Project
from wspolnota.budget.selectors import site_editions
from wspolnota.territory.selectors import SvgMap, district_list, district_svg_map
from wspolnota.voting import permissions
from wspolnota.voting.models import (
    Ballot,
    BallotReceipt,
    CardStatus,
    Channel,
    Count,
    IdentityClaim,
    PaperCard,
    PoolResult,
    RefusedAttempt,
    VoterRollEntry,
    VotingExtension,
    VotingPoint,
    VotingRules,
)


def edition_for_year(year: int) -> Edition | None:
    """The site's city's published edition of that year (never another city's)."""
    return (
        site_editions()
        .filter(year=year, is_published=True)
        .select_related("city", "voting_rules")
        .prefetch_related("phases")
        .order_by("-id")
        .first()
    )


# Per process, for the few seconds a burst of casts lasts: the edition, its rules and phases.
EDITION_CACHE_SECONDS = 5.0
_edition_cache: dict[int, tuple[float, Edition | None]] = {}


def edition_for_casting(year: int) -> Edition | None:
    """``edition_for_year`` kept for a few seconds: the cast path reads it on every request, and
    rules are fixed and phases set long before the vote (a change shows within seconds)."""
    now = time.monotonic()
    cached = _edition_cache.get(year)
    if cached is not None and now - cached[0] < EDITION_CACHE_SECONDS:
        return cached[1]
    edition = edition_for_year(year)
    if edition is not None:
        list(edition.phases.all())
        rules_for(edition)
    _edition_cache[year] = (now, edition)
    return edition


def rules_for(edition: Edition) -> VotingRules | None:
    try:
        return edition.voting_rules
    except VotingRules.DoesNotExist:
        return None


def rules_by_slug(slug: str) -> VotingRules | None:
    return (
        VotingRules.objects.select_related("edition", "edition__city")
        .prefetch_related("edition__phases")
        .filter(slug=slug)
        .first()
    )


def editions_with_voting() -> QuerySet[Edition]:
    return (
        site_editions()
        .filter(is_published=True, voting_rules__isnull=False)
        .select_related("voting_rules")
        .prefetch_related("phases")
        .order_by("-year")
    )


@dataclass
class TurnoutRow:
    number: int | None
    name: str
    online: int = 0
    paper: int = 0

    @property
    def total(self) -> int:
        return self.online + self.paper


@dataclass
class Turnout:
    rows: list[TurnoutRow] = field(default_factory=list)

    @property
    def online(self) -> int:
        return sum(r.online for r in self.rows)

    @property
    def paper(self) -> int:
        return sum(r.paper for r in self.rows)

    @property
    def total(self) -> int:
        return self.online + self.paper


def turnout(*, edition: Edition) -> Turnout:
    """People on the roll by district and channel: public while the vote runs (no project counts).
    Once the roll is purged (retention), the ballots in the box give the same figures."""
    from wspolnota.territory.selectors import district_list

    rules = rules_for(edition)
    source = (
        Ballot.objects.filter(edition=edition)
        if rules is not None and rules.roll_purged_at is not None
        else VoterRollEntry.objects.filter(edition=edition)
    )
    counts = source.values("district__number", "channel").annotate(n=DbCount("id"))
    rows: dict[int | None, TurnoutRow] = {
        d.number: TurnoutRow(d.number, str(d.full_name)) for d in district_list(city=edition.city)
    }
    for item in counts:
        number = item["district__number"]
        row = rows.get(number)
        if row is None:
            row = rows[number] = TurnoutRow(number, "—")
        if item["channel"] == Channel.ONLINE:
            row.online += item["n"]
        else:
            row.paper += item["n"]
    ordered = sorted(rows.values(), key=lambda r: (r.number is None, r.number or 0))
    return Turnout(ordered)


def voting_points(*, edition: Edition) -> QuerySet[VotingPoint]:
    return (
        VotingPoint.objects.filter(edition=edition)
        .select_related("district")
        .order_by("district__number", "name")
    )


@dataclass(frozen=True)
class PointsMap:
    svg: SvgMap
    placed: list[tuple[VotingPoint, float, float]]
    unplaced: list[VotingPoint]


def voting_points_map(*, edition: Edition, points: list[VotingPoint]) -> PointsMap:
    """The city's districts drawn as SVG (for pages without JavaScript) with each voting point
    that has a location inside them; the others are listed apart (they are in the table)."""
    svg = district_svg_map(districts=list(district_list(city=edition.city)))
    placed: list[tuple[VotingPoint, float, float]] = []
    unplaced: list[VotingPoint] = []
    for point in points:
        where = None
        if point.latitude is not None and point.longitude is not None:
            where = svg.place(float(point.longitude), float(point.latitude))
        if where is None:
            unplaced.append(point)
        else:
            placed.append((point, *where))
    return PointsMap(svg, placed, unplaced)


def point_tally(*, point: VotingPoint) -> dict[str, int]:
    """Cards of a point by status (numbers of cards only, never votes)."""
    counts = {s: 0 for s in CardStatus.values}
    for row in PaperCard.objects.filter(point=point).values("status").annotate(n=DbCount("id")):
        counts[row["status"]] = row["n"]
    return counts


def mismatched_cards(*, edition: Edition) -> QuerySet[PaperCard]:
    return (
        PaperCard.objects.filter(edition=edition, status=CardStatus.MISMATCH)
        .select_related("point")
        .prefetch_related("entries__district", "entries__entered_by")
        .order_by("point__name", "number")
    )


def cards_to_finish(*, edition: Edition) -> QuerySet[PaperCard]:
    """Cards keyed once at points that have since closed: the commission keys them a second time."""
    return (
        PaperCard.objects.filter(
            edition=edition, status=CardStatus.AWAITING_SECOND, point__closed_at__isnull=False
        )
        .select_related("point")
        .order_by("point__name", "number")
    )


def voting_extensions(*, edition: Edition) -> QuerySet[VotingExtension]:
    return VotingExtension.objects.filter(edition=edition).order_by("new_end")


@dataclass
class Pattern:
    """One suspicious pattern for the commission: what, how many people, which accounts or
    points; never a ballot or anything derived from one."""

    kind: str
    people: int
    accounts: list[str]
    points: list[str] = field(default_factory=list)
    refused: int = 0


def suspicious_patterns(*, edition: Edition) -> list[Pattern]:
    """Accounts that claimed several identities, phones and addresses behind many people (on
    the roll or refused), and online voters under the guardian age without a declaration."""
    from django.conf import settings

    from wspolnota.accounts.models import User

    patterns: list[Pattern] = []
    claims: dict[int, set[str]] = {}
    for user_id, person in IdentityClaim.objects.filter(edition=edition).values_list(
        "user_id", "person_key"
    ):
        claims.setdefault(user_id, set()).add(person)
    refused_by_user: dict[int, int] = {}
    phones: dict[str, set[str]] = {}
    phone_users: dict[str, set[int]] = {}
    addresses: dict[str, set[str]] = {}
    address_users: dict[str, set[int]] = {}
    address_points: dict[str, set[int]] = {}
    for user_id, person, phone, address in RefusedAttempt.objects.filter(
        edition=edition
    ).values_list("user_id", "person_key", "phone_key", "address_key"):
        if user_id is not None:
            refused_by_user[user_id] = refused_by_user.get(user_id, 0) + 1
        if phone and person:
            phones.setdefault(phone, set()).add(person)
            if user_id is not None:
                phone_users.setdefault(phone, set()).add(user_id)
        if address and person:
            addresses.setdefault(address, set()).add(person)
            if user_id is not None:
                address_users.setdefault(address, set()).add(user_id)
    roll = VoterRollEntry.objects.filter(edition=edition).values_list(
        "user_id", "person_key", "phone_key", "address_key", "point_id"
    )
    for user_id, person, phone, address, point_id in roll:
        if phone:
            phones.setdefault(phone, set()).add(person)
            if user_id is not None:
                phone_users.setdefault(phone, set()).add(user_id)
        if address:
            addresses.setdefault(address, set()).add(person)
            if user_id is not None:
                address_users.setdefault(address, set()).add(user_id)
            if point_id is not None:
                address_points.setdefault(address, set()).add(point_id)
    for user_id, address in (
        IdentityClaim.objects.filter(edition=edition)
        .exclude(address_key="")
        .values_list("user_id", "address_key")
    ):
        address_users.setdefault(address, set()).add(user_id)
    users = {
        u.pk: u.email or f"#{u.pk}"
        for u in User.objects.filter(
            pk__in={*claims, *refused_by_user, *(i for s in phone_users.values() for i in s)}
            | {i for s in address_users.values() for i in s}
        )
    }
    points = {p.pk: p.name for p in VotingPoint.objects.filter(edition=edition)}
    for user_id, people in claims.items():
        if len(people) > 1:
            patterns.append(
                Pattern(
                    "account",
                    len(people),
                    [users.get(user_id, "—")],
                    refused=refused_by_user.get(user_id, 0),
                )
            )
    for phone, people in phones.items():
        if len(people) > settings.VOTING_BALLOTS_PER_PHONE:
            patterns.append(
                Pattern(
                    "phone",
                    len(people),
                    sorted(users.get(u, "—") for u in phone_users.get(phone, ())),
                )
            )
    for address, people in addresses.items():
        if len(people) >= settings.VOTING_SUSPICIOUS_PER_ADDRESS:
            patterns.append(
                Pattern(
                    "address",
                    len(people),
                    sorted(users.get(u, "—") for u in address_users.get(address, ())),
                    sorted(points.get(p, "—") for p in address_points.get(address, ())),
                )
            )
    minors = list(
        VoterRollEntry.objects.filter(
            edition=edition, channel=Channel.ONLINE, minor_without_guardian=True
        ).values_list("user__email", flat=True)
    )
    for email in minors:
        patterns.append(Pattern("minor", 1, [email or "—"]))
    order = {"account": 0, "phone": 1, "address": 2, "minor": 3}
    patterns.sort(key=lambda p: (order[p.kind], -p.people))
    return patterns


def refused_counts(*, edition: Edition) -> dict[str, int]:
    return dict(
        RefusedAttempt.objects.filter(edition=edition)
        .values_list("reason")
        .annotate(n=DbCount("id"))
        .values_list("reason", "n")
    )


@dataclass
class ProjectLine:
    code: str
    project: Project | None
    title: str
    cost: Decimal
    votes: int
    score: str
    selected: bool
    explanation: str
    order: int | None


@dataclass
class PoolResultView:
    pool: Pool
    result: PoolResult
    lines: list[ProjectLine]
    spent: Decimal

    @property
    def lots(self) -> Any:
        return self.result.lots.all()


def results_visible(edition: Edition, *, at: datetime) -> bool:
    return permissions.per_project_counts_visible(edition, rules_for(edition), at=at)


def published_versions(*, edition: Edition) -> QuerySet[Count]:
    """Every published version of the results, newest first (corrections keep the old ones)."""
    return (
        Count.objects.filter(edition=edition, version__isnull=False)
        .select_related("published_by")
        .order_by("-version")
    )


def published_count(*, edition: Edition, version: int | None = None) -> Count | None:
    versions = published_versions(edition=edition)
    if version is not None:
        return versions.filter(version=version).first()
    return versions.first()


def pool_results(
    *, edition: Edition, at: datetime, language: str = "pl", version: int | None = None
) -> list[PoolResultView]:
    """Per-project votes and explanations of a published version (the latest by default), only
    once the results are published."""
    if not results_visible(edition, at=at):
        return []
    count = published_count(edition=edition, version=version)
    if count is None:
        return []
    results = (
        PoolResult.objects.filter(count=count)
        .select_related("pool", "pool__district", "pool__edition")
        .prefetch_related("lots")
        .order_by("pool__kind", "pool__district__number")
    )
    projects = {p.number or f"P{p.pk}": p for p in Project.objects.filter(edition=edition)}
    views = []
    for result in results:
        order = {code: i for i, code in enumerate(result.selected, start=1)}
        explanations = result.outcome.get("explanations", {})
        lines = []
        for code, tally in result.tally.items():
            project = projects.get(code)
            explanation = explanations.get(code, {})
            text = explanation.get("pl" if language == "pl" else "en", "")
            lines.append(
                ProjectLine(
                    code=code,
                    project=project,
                    title=project.title if project else code,
                    cost=project.effective_cost if project else Decimal(0),
                    votes=int(tally["votes"]),
                    score=tally["score"],
                    selected=code in order,
                    explanation=text,
                    order=order.get(code),
                )
            )
        lines.sort(key=lambda line: (-Decimal_of(line.score), line.code))
        spent = sum((line.cost for line in lines if line.selected), Decimal(0))
        views.append(PoolResultView(result.pool, result, lines, spent))
    views.sort(
        key=lambda v: (
            v.pool.kind != PoolKind.CITYWIDE,
            v.pool.district.number if v.pool.district else 0,
        )
    )
    return views


def Decimal_of(text: str) -> Decimal:
    """A tally score may be an exact fraction "p/q"."""
    if "/" in text:
        num, den = text.split("/")
        return Decimal(num) / Decimal(den)
    return Decimal(text)


def published_receipts(*, edition: Edition) -> QuerySet[BallotReceipt]:
    """The receipt codes of the ballots in the box, public once the results are published."""
    rules = rules_for(edition)
    if rules is None or rules.results_published_at is None:
        return BallotReceipt.objects.none()
    return BallotReceipt.objects.filter(edition=edition).order_by("code")


def receipt_is_published(*, edition: Edition, code: str) -> bool:
    from wspolnota.voting.keys import normalise_receipt

    wanted = normalise_receipt(code)
    return bool(wanted) and published_receipts(edition=edition).filter(code=wanted).exists()


def pool_by_name(*, edition: Edition, name: str) -> Pool | None:
    """A pool by its label, its district's name or number, or "citywide"."""
    wanted = name.strip().casefold()
    for pool in Pool.objects.filter(edition=edition).select_related("district"):
        names = {str(pool.label).casefold(), str(pool.pk)}
        if pool.district is not None:
            names |= {pool.district.name.casefold(), str(pool.district.number)}
        else:
            names |= {"citywide", "ogolnomiejska", "ogólnomiejska"}
        if wanted in names:
            return pool
    return None


def voting_window(edition: Edition) -> tuple[datetime, datetime] | None:
    return edition.phase_window(Phase.VOTING)
