"""Pabulib .pb files in and out: replay a past edition of any city as if its ballots had been
cast here, and export a pool's anonymised ballots."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wspolnota.budget import services as budget_services
from wspolnota.budget.models import Edition, Phase, Pool, PoolKind, Project, ProjectStatus
from wspolnota.territory.models import City, District
from wspolnota.territory.selectors import default_city
from wspolnota.voting import errors, services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import (
    Ballot,
    BallotChoice,
    BallotKind,
    BallotReceipt,
    Channel,
    VoterRollEntry,
    VotingRules,
    new_receipt_code,
)

# META keys that describe how to count (kept on the rules); the rest describe the file.
COUNTING_META = (
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
    "default_score",
    "min_project_score_threshold",
    "scoring_fn",
    "currency",
)
KIND_FOR_VOTE_TYPE = {
    "ordinal": BallotKind.KRAKOW,
    "approval": BallotKind.APPROVAL,
    "choose-1": BallotKind.APPROVAL,
    "cumulative": BallotKind.CUMULATIVE,
    "scoring": BallotKind.CUMULATIVE,
}


def _plain(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text)
    return re.sub(
        r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)).lower()
    )


def _district_for(city: City, name: str) -> District | None:
    wanted = _plain(name)
    if not wanted:
        return None
    for district in District.objects.filter(city=city):
        if _plain(district.name) == wanted:
            return district
    return None


def _date(text: str) -> datetime | None:
    try:
        day = datetime.strptime(text.strip(), "%d.%m.%Y")
    except ValueError:
        return None
    return timezone.make_aware(day)


def _age_band(raw: str) -> str:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 3:
        return ""
    return services.age_band_for(int(raw))


def _sex(raw: str) -> str:
    raw = raw.strip().upper()
    return raw if raw in ("F", "M") else ""


@dataclass
class ImportReport:
    edition: Edition
    pool: Pool
    projects: int
    ballots: int


def _edition_for(slug: str, instance: Any, city: City) -> tuple[Edition, VotingRules]:
    rules = VotingRules.objects.select_related("edition").filter(slug=slug).first()
    if rules is not None:
        return rules.edition, rules
    year_text = instance.meta.get("instance", "").strip()
    digits = re.findall(r"(?:19|20)\d\d", year_text) or re.findall(r"(?:19|20)\d\d", slug)
    year = int(digits[0]) if digits else timezone.now().year
    edition = Edition.objects.filter(city=city, year=year).first()
    if edition is None:
        end = _date(instance.meta.get("date_end", "")) or timezone.make_aware(datetime(year, 9, 30))
        start = _date(instance.meta.get("date_begin", "")) or end - timedelta(days=14)
        end = end + timedelta(days=1)
        edition = budget_services.edition_create(
            actor=None,
            city=city,
            year=year,
            name=f"Budżet obywatelski {city.name} {year}",
            total_budget=Decimal(0),
            phases={
                Phase.VOTING: (start, end),
                Phase.RESULTS: (end, end + timedelta(days=30)),
            },
        )
    vote_type = instance.vote_type.value
    kind = KIND_FOR_VOTE_TYPE[vote_type]
    rules = VotingRules(
        edition=edition,
        slug=slug,
        ballot_kind=kind,
        counting_rule=instance.rule or "greedy",
        extra_meta={k: instance.meta[k] for k in COUNTING_META if instance.meta.get(k, "").strip()},
        fixed_at=timezone.now(),
    )
    max_length = instance.meta_number("max_length")
    if kind == BallotKind.KRAKOW and max_length is not None:
        rules.picks_per_pool = int(max_length)
        min_length = instance.meta_number("min_length")
        rules.require_all_picks = min_length is not None and min_length == max_length
    elif kind == BallotKind.APPROVAL:
        rules.approval_max = int(max_length) if max_length is not None else len(instance.projects)
        if vote_type == "choose-1":
            rules.approval_max = 1
    elif kind == BallotKind.CUMULATIVE:
        total = instance.meta_number("max_sum_points")
        rules.cumulative_points = int(total) if total is not None else 0
    rules.save()
    return edition, rules


def _city_for(instance: Any, wanted: str | None) -> City:
    """The city to import into: the one named (by name, slug or TERYT), else the one the file's
    META ``unit`` names, else the platform's city. Never another city's."""
    cities = list(City.objects.order_by("id"))
    if not cities:
        raise VotingError(errors.NO_CITY)
    name = (wanted or "").strip() or instance.meta.get("unit", "").strip()
    if not name:
        return default_city() or cities[0]
    for city in cities:
        if name in (city.slug, city.teryt) or _plain(city.name) == _plain(name):
            return city
    raise VotingError(errors.CITY_NOT_LOADED, params={"city": name})


def pb_import(*, path: str | Path, slug: str, city: str | None = None) -> ImportReport:
    """Create the pool, its projects (on the ballot) and its ballots (as if cast) from a .pb file.

    The edition is found by ``slug`` or created (with the file's rule and options fixed on it).
    Voters get a roll mark keyed by the file's voter id, so turnout reads the same as for a
    live vote; a pool that already has ballots is refused.
    """
    from votecount import read_pb

    instance = read_pb(str(path))
    target_city = _city_for(instance, city)
    with transaction.atomic():
        edition, _rules = _edition_for(slug, instance, target_city)
        if edition.city_id != target_city.pk:
            raise VotingError(
                errors.IMPORT_EDITION_OTHER_CITY,
                params={"slug": slug, "edition_city": edition.city.name, "city": target_city.name},
            )
        district = _district_for(
            target_city, instance.meta.get("district", "") or instance.meta.get("subunit", "")
        )
        costs = [p.cost for p in instance.projects.values()] or [Decimal(0)]
        budget = instance.budget
        if district is not None:
            pool = Pool.objects.filter(edition=edition, district=district).first()
        else:
            pool = Pool.objects.filter(edition=edition, kind=PoolKind.CITYWIDE).first()
        if pool is None:
            pool = Pool.objects.create(
                edition=edition,
                kind=PoolKind.DISTRICT if district else PoolKind.CITYWIDE,
                district=district,
                budget=budget,
                min_project_cost=min(costs),
                max_project_cost=max(costs),
            )
            edition.total_budget += budget
            edition.save(update_fields=["total_budget", "updated_at"])
        elif BallotChoice.objects.filter(pool=pool).exists():
            raise VotingError(errors.POOL_HAS_BALLOTS, params={"pool": pool.label})
        existing = {
            p.number: p for p in Project.objects.filter(edition=edition).select_related("pool")
        }
        to_create = []
        for sequence, (pid, project) in enumerate(instance.projects.items(), start=1):
            if pid in existing:
                if existing[pid].pool_id != pool.pk:
                    # its choices would find no project in this pool and be silently dropped
                    raise VotingError(
                        errors.PROJECT_IN_OTHER_POOL,
                        params={
                            "project": pid,
                            "other": existing[pid].pool.label,
                            "pool": pool.label,
                        },
                    )
                continue
            to_create.append(
                Project(
                    edition=edition,
                    pool=pool,
                    number=pid,
                    sequence=sequence,
                    title=(project.name or pid)[:200],
                    cost=project.cost,
                    status=ProjectStatus.ON_BALLOT,
                    search_text=_plain(project.name),
                )
            )
        Project.objects.bulk_create(to_create, batch_size=500)
        ids = {p.number: p.pk for p in Project.objects.filter(edition=edition, pool=pool)}
        count = ballots_insert(
            edition=edition, pool=pool, district=district, instance=instance, ids=ids, slug=slug
        )
    services.ballot_cache_clear()
    return ImportReport(edition, pool, len(to_create), count)


def ballots_insert(
    *,
    edition: Edition,
    pool: Pool,
    district: District | None,
    instance: Any,
    ids: dict[str, int],
    slug: str,
    limit: int | None = None,
) -> int:
    """Insert a file's ballots as if cast (``ids`` maps file project ids to project keys; choices
    of unknown projects are left out). Voters get a roll mark keyed by the file's voter id."""
    channel_of = {"paper": Channel.PAPER, "internet": Channel.ONLINE, "online": Channel.ONLINE}
    ballots: list[Ballot] = []
    choices: list[BallotChoice] = []
    roll: list[VoterRollEntry] = []
    codes: set[str] = set()
    points_of = instance.points_reader()
    window = edition.phase_window(Phase.VOTING)
    voted_on = timezone.localtime(window[1] if window else timezone.now()).date()
    for vc_ballot in instance.ballots[:limit]:
        extra = vc_ballot.extra
        channel = channel_of.get(extra.get("voting_method", "").strip().lower(), Channel.ONLINE)
        code = new_receipt_code()
        while code in codes:
            code = new_receipt_code()
        codes.add(code)
        ballot = Ballot(
            id=uuid.uuid4(),
            edition=edition,
            district=district,
            channel=channel,
            age_band=_age_band(extra.get("age", "")),
            sex=_sex(extra.get("sex", "")),
        )
        ballots.append(ballot)
        position = 0
        for pid, pts in zip(vc_ballot.projects, points_of(vc_ballot), strict=True):
            if pid not in ids:
                continue
            position += 1
            choices.append(
                BallotChoice(
                    id=uuid.uuid4(),
                    ballot_id=ballot.id,
                    pool=pool,
                    project_id=ids[pid],
                    position=position,
                    points=int(pts),
                )
            )
        roll.append(
            VoterRollEntry(
                edition=edition,
                person_key=hmac.new(
                    settings.PESEL_HASH_KEY.encode(),
                    f"import:{slug}:{vc_ballot.voter_id}".encode(),
                    hashlib.sha256,
                ).hexdigest(),
                channel=channel,
                district=district,
                voted_on=voted_on,
            )
        )
    # The physical insert order must not follow the file's voter order, and receipts are in an
    # order of their own: sort each by a random UUID.
    ballots.sort(key=lambda b: b.id)
    receipts = sorted((BallotReceipt(edition=edition, code=c) for c in codes), key=lambda r: r.id)
    Ballot.objects.bulk_create(ballots, batch_size=2000)
    BallotChoice.objects.bulk_create(choices, batch_size=5000)
    BallotReceipt.objects.bulk_create(receipts, batch_size=5000, ignore_conflicts=True)
    VoterRollEntry.objects.bulk_create(roll, batch_size=2000, ignore_conflicts=True)
    _analyse(Ballot, BallotChoice, VoterRollEntry)
    return len(ballots)


def _analyse(*models: Any) -> None:
    """Refresh PostgreSQL's statistics after a bulk load, so the count's queries get good plans
    at once instead of after autovacuum gets round to it (ANALYZE may run inside a transaction)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
