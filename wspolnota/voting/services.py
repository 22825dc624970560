"""Writes of the voting app: rules, identity, casting a ballot (online and on paper), the paper
channel's double-key entry and protocols, counting with votecount and publishing the results.

One person, one vote: every channel inserts into ``VoterRollEntry`` and the ballot in ONE
transaction; the unique constraint on (edition, identity_hash) decides races, so a second attempt
fails at the database whatever the timing, and a failure in the middle leaves neither row.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as stdnum_pesel

from wspolnota.accounts.models import User
from wspolnota.budget.models import Edition, Phase, Pool, PoolKind, Project, ProjectStatus
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District
from wspolnota.voting import errors, permissions
from wspolnota.voting.errors import VotingError, VotingPermissionError
from wspolnota.voting.models import (
    AgeBand,
    Ballot,
    BallotChoice,
    BallotKind,
    BallotStatus,
    CardStatus,
    Channel,
    PaperCard,
    PaperEntry,
    PointProtocol,
    PoolResult,
    PublishedReceipt,
    RefusedAttempt,
    TieLot,
    VoterDistrict,
    VoterRollEntry,
    VotingPoint,
    VotingRules,
)

# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class Identity:
    """What the roll needs about a person: a keyed hash, and bands only if they agreed."""

    identity_hash: str
    age_band: str = ""
    sex: str = ""


def _keyed_hash(text: str) -> str:
    return hmac.new(settings.PESEL_HASH_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def normalise_name(name: str) -> str:
    """Lower case, no diacritics (ł → l), single spaces: "Łukasz  Żak" → "lukasz zak"."""
    text = name.replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace("-", " ").split())


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def age_band_for(age: int) -> str:
    for band, low in (
        (AgeBand.A75, 75),
        (AgeBand.A60, 60),
        (AgeBand.A45, 45),
        (AgeBand.A30, 30),
        (AgeBand.A18, 18),
    ):
        if age >= low:
            return str(band)
    return str(AgeBand.UNDER_18)


def identity_for(
    *,
    rules: VotingRules,
    full_name: str,
    pesel: str = "",
    birth_date: date | None = None,
    sex: str = "",
    consent_to_statistics: bool = False,
    at: datetime,
) -> Identity:
    """Check the identity data and turn it into the roll's keyed hash.

    A PESEL is validated with python-stdnum and hashed alone (it identifies the person); without
    one, the hash covers the normalised name, date of birth and sex. Nothing else is kept.
    """
    if not full_name.strip():
        raise VotingError(errors.NAME_REQUIRED, field="full_name")
    pesel = "".join(pesel.split())
    if pesel:
        try:
            pesel = stdnum_pesel.validate(pesel)
            birth_date = stdnum_pesel.get_birth_date(pesel)
            sex = stdnum_pesel.get_gender(pesel)
        except StdnumError:
            raise VotingError(errors.PESEL_INVALID, field="pesel") from None
        identity_hash = _keyed_hash(f"pesel:{pesel}")
    else:
        if birth_date is None or sex not in ("F", "M"):
            raise VotingError(errors.IDENTITY_REQUIRED, field="pesel")
        identity_hash = _keyed_hash(
            f"person:{normalise_name(full_name)}:{birth_date.isoformat()}:{sex}"
        )
    today = timezone.localtime(at).date()
    if birth_date > today:
        raise VotingError(errors.BIRTH_DATE_FUTURE, field="birth_date")
    age = age_on(birth_date, today)
    if rules.minimum_age and age < rules.minimum_age:
        raise VotingError(errors.TOO_YOUNG, field="birth_date", params={"age": rules.minimum_age})
    if not consent_to_statistics:
        return Identity(identity_hash)
    return Identity(identity_hash, age_band_for(age), sex)


def voter_district_choose(*, user: User, edition: Edition, district: District) -> VoterDistrict:
    """The district of residence is chosen once per edition; choosing again changes nothing."""
    existing = VoterDistrict.objects.filter(edition=edition, user=user).first()
    if existing is not None:
        if existing.district_id != district.pk:
            raise VotingError(
                errors.DISTRICT_FIXED,
                field="district",
                params={"district": existing.district.full_name},
            )
        return existing
    try:
        with transaction.atomic():
            return VoterDistrict.objects.create(edition=edition, user=user, district=district)
    except IntegrityError:
        return VoterDistrict.objects.get(edition=edition, user=user)


def refused_attempt_record(
    *, edition: Edition, channel: str, reason: str, point: VotingPoint | None = None
) -> None:
    RefusedAttempt.objects.create(edition=edition, channel=channel, reason=reason, point=point)


# --------------------------------------------------------------------------- ballot rules


@dataclass(frozen=True)
class ChoiceLine:
    pool_id: int
    project_id: int
    position: int
    points: int


# Per process: the projects on the ballot of an edition, for a few seconds (they do not change
# while the vote runs; a withdrawal shows after at most BALLOT_CACHE_SECONDS).
BALLOT_CACHE_SECONDS = 10.0
_ballot_cache: dict[int, tuple[float, dict[int, tuple[Pool, dict[int, Project]]]]] = {}


def ballot_pools(edition: Edition) -> dict[int, tuple[Pool, dict[int, Project]]]:
    """Pool id → (pool, {project id: project}) for the projects on the ballot."""
    now = time.monotonic()
    cached = _ballot_cache.get(edition.pk)
    if cached is not None and now - cached[0] < BALLOT_CACHE_SECONDS:
        return cached[1]
    pools: dict[int, tuple[Pool, dict[int, Project]]] = {}
    for pool in Pool.objects.filter(edition=edition).select_related("district"):
        pools[pool.pk] = (pool, {})
    for project in Project.objects.filter(edition=edition, status=ProjectStatus.ON_BALLOT).order_by(
        "pool", "sequence", "number", "id"
    ):
        if project.pool_id in pools:
            pools[project.pool_id][1][project.pk] = project
    _ballot_cache[edition.pk] = (now, pools)
    return pools


def ballot_cache_clear() -> None:
    """Forget the per-process caches of ballots and editions (after an import, in tests)."""
    from wspolnota.voting import selectors

    _ballot_cache.clear()
    selectors._edition_cache.clear()


def pools_for_voter(
    edition: Edition, district: District | None
) -> list[tuple[Pool, dict[int, Project]]]:
    """The pools a voter of ``district`` chooses in: the citywide one, then their district's."""
    out = []
    for pool, projects in ballot_pools(edition).values():
        if pool.kind == PoolKind.CITYWIDE or (
            district is not None and pool.district_id == district.pk
        ):
            out.append((pool, projects))
    out.sort(key=lambda item: 0 if item[0].kind == PoolKind.CITYWIDE else 1)
    return out


Selection = dict[int, list[tuple[int | None, int]]]
"""Per pool id, the entries in ballot order: (project id or None for an empty place, points)."""


def ballot_validate(
    *, rules: VotingRules, edition: Edition, district: District | None, selection: Selection
) -> list[ChoiceLine]:
    """Check a ballot against the edition's rules; every problem is reported at once."""
    problems: list[VotingError] = []
    lines: list[ChoiceLine] = []
    kind = rules.ballot_kind
    for pool, projects in pools_for_voter(edition, district):
        entries = selection.get(pool.pk, [])
        label = pool.label
        field = f"pool_{pool.pk}"
        seen: set[int] = set()
        chosen: list[tuple[int, int]] = []
        gap = False
        for project_id, points in entries:
            if project_id is None:
                if kind == BallotKind.KRAKOW:
                    gap = True
                continue
            project = projects.get(project_id)
            if project is None:
                problems.append(
                    VotingError(
                        errors.PROJECT_NOT_ON_BALLOT, field=field, params={"project": project_id}
                    )
                )
                continue
            if project_id in seen:
                problems.append(
                    VotingError(
                        errors.PROJECT_TWICE,
                        field=field,
                        params={"project": project.number or project.title},
                    )
                )
                continue
            if kind == BallotKind.KRAKOW and gap:
                problems.append(VotingError(errors.RANK_GAP, field=field, params={"pool": label}))
                gap = False
            seen.add(project_id)
            chosen.append((project_id, points))
        if kind == BallotKind.KRAKOW:
            limit = rules.picks_per_pool
            if len(chosen) > limit:
                problems.append(
                    VotingError(
                        errors.TOO_MANY, field=field, params={"pool": label, "count": limit}
                    )
                )
            elif rules.require_all_picks and len(chosen) != min(limit, len(projects)):
                problems.append(
                    VotingError(
                        errors.TOO_FEW,
                        field=field,
                        params={"pool": label, "count": min(limit, len(projects))},
                    )
                )
            chosen = [(pid, limit - rank) for rank, (pid, _p) in enumerate(chosen)]
        elif kind == BallotKind.APPROVAL:
            if len(chosen) > rules.approval_max:
                problems.append(
                    VotingError(
                        errors.TOO_MANY,
                        field=field,
                        params={"pool": label, "count": rules.approval_max},
                    )
                )
            chosen = [(pid, 1) for pid, _p in chosen]
        elif kind == BallotKind.CUMULATIVE:
            if any(p < 0 for _pid, p in chosen):
                problems.append(
                    VotingError(errors.POINTS_INVALID, field=field, params={"pool": label})
                )
            chosen = [(pid, p) for pid, p in chosen if p > 0]
            given = sum(p for _pid, p in chosen)
            if given > rules.cumulative_points:
                problems.append(
                    VotingError(
                        errors.POINTS_TOO_MANY,
                        field=field,
                        params={"pool": label, "given": given, "max": rules.cumulative_points},
                    )
                )
        elif kind == BallotKind.KNAPSACK:
            chosen = [(pid, 1) for pid, _p in chosen]
            total = sum((projects[pid].effective_cost for pid, _p in chosen), Decimal(0))
            if total > pool.budget:
                problems.append(
                    VotingError(
                        errors.OVER_BUDGET,
                        field=field,
                        params={
                            "pool": label,
                            "total": f"{total:.2f}",
                            "budget": f"{pool.budget:.2f}",
                        },
                    )
                )
        lines.extend(
            ChoiceLine(pool.pk, pid, position, points)
            for position, (pid, points) in enumerate(chosen, start=1)
        )
    if not problems and not lines:
        problems.append(VotingError(errors.EMPTY_BALLOT))
    if problems:
        raise VotingErrors(problems)
    return lines


class VotingErrors(VotingError):
    """Several problems at once; each keeps its own field."""

    def __init__(self, problems: list[VotingError]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, params=first.params)
        self.problems = problems


# --------------------------------------------------------------------------- casting


def _insert_ballot(
    *,
    edition: Edition,
    identity: Identity,
    district: District | None,
    channel: str,
    lines: list[ChoiceLine],
    user: User | None = None,
    point: VotingPoint | None = None,
) -> str:
    """Roll mark and ballot in one transaction; IntegrityError on the roll means already voted."""
    with transaction.atomic():
        VoterRollEntry.objects.create(
            edition=edition,
            identity_hash=identity.identity_hash,
            channel=channel,
            district=district,
            user=user,
            point=point,
        )
        ballot = Ballot(
            edition=edition,
            district=district,
            channel=channel,
            age_band=identity.age_band,
            sex=identity.sex,
        )
        ballot.save(force_insert=True)
        BallotChoice.objects.bulk_create(
            BallotChoice(
                ballot=ballot,
                pool_id=line.pool_id,
                project_id=line.project_id,
                position=line.position,
                points=line.points,
            )
            for line in lines
        )
    return ballot.receipt_code


def _already_on_roll(edition: Edition, identity_hash: str) -> bool:
    return VoterRollEntry.objects.filter(edition=edition, identity_hash=identity_hash).exists()


def ballot_cast_online(
    *,
    user: User,
    edition: Edition,
    rules: VotingRules,
    identity: Identity,
    district: District,
    selection: Selection,
    at: datetime,
) -> str:
    """Cast a signed-in resident's ballot and return its receipt code.

    The resident must have confirmed a mobile number by SMS; the vote must be open; the ballot
    must follow the rules. The roll mark and the ballot are written in one transaction.
    """
    if not permissions.voting_is_open(edition, at=at):
        raise _closed_error(edition)
    if not user.phone_confirmed:
        raise VotingError(errors.PHONE_REQUIRED, code="phone_required")
    lines = ballot_validate(rules=rules, edition=edition, district=district, selection=selection)
    for _attempt in range(3):
        try:
            return _insert_ballot(
                edition=edition,
                identity=identity,
                district=district,
                channel=Channel.ONLINE,
                lines=lines,
                user=user,
            )
        except IntegrityError:
            if _already_on_roll(edition, identity.identity_hash):
                refused_attempt_record(
                    edition=edition, channel=Channel.ONLINE, reason="already_voted"
                )
                raise VotingError(errors.ALREADY_VOTED, code="already_voted") from None
            # a receipt code collided (1 in 32^12): draw again
    raise VotingError(errors.ALREADY_VOTED, code="already_voted")  # pragma: no cover


def identity_check_online(*, edition: Edition, identity: Identity) -> None:
    """Refuse early (and record it) when the person is already on the roll."""
    if _already_on_roll(edition, identity.identity_hash):
        refused_attempt_record(edition=edition, channel=Channel.ONLINE, reason="already_voted")
        raise VotingError(errors.ALREADY_VOTED, code="already_voted")


def _closed_error(edition: Edition) -> VotingError:
    window = edition.phase_window(Phase.VOTING)
    if window is None:
        return VotingError(errors.NO_VOTING)
    return VotingError(
        errors.VOTING_CLOSED,
        code="closed",
        params={
            "start": timezone.localtime(window[0]).strftime("%d.%m.%Y %H:%M"),
            "end": timezone.localtime(window[1]).strftime("%d.%m.%Y %H:%M"),
        },
    )


# --------------------------------------------------------------------------- rules


def voting_rules_set(*, actor: User, edition: Edition, at: datetime, **values: Any) -> VotingRules:
    """Set the ballot kind and the counting rule and options. Only before voting opens."""
    if not permissions.can_manage_voting(actor, edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    if edition.phase_has_started(Phase.VOTING, at):
        raise VotingError(errors.RULES_TOO_LATE)
    rules = VotingRules.objects.filter(edition=edition).first()
    before = snapshot(rules) if rules else None
    if rules is None:
        slug = values.pop("slug", None) or f"{edition.city.slug}-{edition.year}"
        rules = VotingRules(edition=edition, slug=slug)
    elif rules.fixed_at is not None:
        raise VotingError(errors.RULES_FIXED)
    values.pop("slug", None)
    for key, value in values.items():
        setattr(rules, key, value)
    _check_counting(rules)
    rules.full_clean()
    rules.save()
    audit_log_append(
        actor=actor, action="voting.rules_set", obj=rules, before=before, after=snapshot(rules)
    )
    return rules


def _check_counting(rules: VotingRules) -> None:
    """The rule and options must be ones votecount accepts (checked on a tiny election)."""
    from votecount import RuleError, TiePolicy, count

    try:
        instance = _instance_for(rules, budget=Decimal(1), projects=[], ballots=[], vote_meta={})
        options = dict(rules.counting_options)
        if rules.tie_breaking:
            options["ties"] = TiePolicy.parse(rules.tie_breaking)
        count(instance, rule="from-file", **options)
    except (RuleError, ValueError, TypeError) as exc:
        raise VotingError(
            errors.COUNTING_RULE_UNKNOWN, field="counting_options", params={"detail": str(exc)}
        ) from None


def voting_rules_fix(*, actor: User, rules: VotingRules, at: datetime) -> VotingRules:
    """Fix the rules before voting opens: from now on they cannot change."""
    if not permissions.can_manage_voting(actor, rules.edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    if rules.fixed_at is not None:
        raise VotingError(errors.RULES_FIXED)
    if rules.edition.phase_has_started(Phase.VOTING, at):
        raise VotingError(errors.RULES_TOO_LATE)
    before = snapshot(rules)
    rules.fixed_at = at
    rules.save(update_fields=["fixed_at", "updated_at"])
    audit_log_append(
        actor=actor, action="voting.rules_fixed", obj=rules, before=before, after=snapshot(rules)
    )
    return rules


# --------------------------------------------------------------------------- paper channel


def _fingerprint(identity: str, district_id: int, document_kind: str, choices: str) -> str:
    text = f"{identity}|{district_id}|{document_kind}|{choices}"
    return hashlib.sha256(text.encode()).hexdigest()


def paper_entry_add(
    *,
    actor: User,
    point: VotingPoint,
    number: str,
    identity: Identity,
    district: District,
    document_kind: str,
    selection: Selection,
    at: datetime,
) -> PaperCard:
    """Key in one paper card. The second keying by another person must match the first; then the
    card counts (or is invalid if the person is already on the roll or it breaks the rules);
    a mismatch goes to review."""
    if not permissions.can_enter_paper(actor, point):
        raise VotingPermissionError(errors.NOT_COORDINATOR)
    if VotingPoint.objects.filter(pk=point.pk, closed_at__isnull=False).exists():
        raise VotingError(errors.POINT_CLOSED)
    # Cards are keyed from the opening of the vote until the results are published (points key
    # in their last cards after the close, before the count).
    window = point.edition.phase_window(Phase.VOTING)
    if window is None or at < window[0]:
        raise VotingError(errors.PAPER_NOT_STARTED)
    if VotingRules.objects.filter(
        edition_id=point.edition_id, results_published_at__isnull=False
    ).exists():
        raise VotingError(errors.PAPER_AFTER_RESULTS)
    number = number.strip().upper()
    if not number:
        raise VotingError(errors.CARD_NUMBER_REQUIRED, field="number")
    if not document_kind:
        raise VotingError(errors.DOCUMENT_REQUIRED, field="document_kind")
    raw_choices = [
        [pool_id, [[pid, pts] for pid, pts in entries]]
        for pool_id, entries in sorted(selection.items())
    ]
    fingerprint = _fingerprint(
        f"{identity.identity_hash}|{identity.age_band}|{identity.sex}",
        district.pk,
        document_kind,
        json.dumps(raw_choices),
    )
    edition = point.edition
    with transaction.atomic():
        card, _created = PaperCard.objects.select_for_update().get_or_create(
            edition=edition, number=number, defaults={"point": point}
        )
        if card.point_id != point.pk:
            raise VotingError(errors.CARD_OTHER_POINT, field="number", params={"number": number})
        if card.status != CardStatus.AWAITING_SECOND:
            raise VotingError(errors.CARD_DONE, field="number", params={"number": number})
        entries = list(card.entries.all())
        if any(e.entered_by_id == actor.pk for e in entries):
            raise VotingError(errors.CARD_SAME_PERSON, field="number")
        entry = PaperEntry.objects.create(
            card=card,
            entered_by=actor,
            identity_hash=identity.identity_hash,
            district=district,
            document_checked=True,
            document_kind=document_kind,
            choices={"selection": raw_choices, "age_band": identity.age_band, "sex": identity.sex},
            fingerprint=fingerprint,
        )
        audit_log_append(
            actor=actor,
            action="voting.paper_entry",
            obj=card,
            after={"card": card.number, "entry": len(entries) + 1, "point": point.pk},
        )
        if entries:
            if entries[0].fingerprint == fingerprint:
                _card_count(card=card, entry=entry, actor=actor)
            else:
                card.status = CardStatus.MISMATCH
                card.save(update_fields=["status", "updated_at"])
    return card


def _selection_of(entry: PaperEntry) -> Selection:
    return {
        int(pool): [(pid, pts) for pid, pts in items] for pool, items in entry.choices["selection"]
    }


def _card_count(*, card: PaperCard, entry: PaperEntry, actor: User) -> None:
    """Count a card whose keying is settled; then erase the choices from its entries."""
    edition = card.edition
    rules = VotingRules.objects.get(edition=edition)
    identity = Identity(
        entry.identity_hash, entry.choices.get("age_band", ""), entry.choices.get("sex", "")
    )
    try:
        lines = ballot_validate(
            rules=rules, edition=edition, district=entry.district, selection=_selection_of(entry)
        )
    except VotingError:
        card.status = CardStatus.INVALID_RULES
    else:
        try:
            with transaction.atomic():
                _insert_ballot(
                    edition=edition,
                    identity=identity,
                    district=entry.district,
                    channel=Channel.PAPER,
                    lines=lines,
                    point=card.point,
                )
            card.status = CardStatus.COUNTED
        except IntegrityError:
            card.status = CardStatus.INVALID_DUPLICATE
            refused_attempt_record(
                edition=edition, channel=Channel.PAPER, reason="already_voted", point=card.point
            )
    card.save(update_fields=["status", "updated_at"])
    PaperEntry.objects.filter(card=card).update(choices={}, fingerprint="")
    audit_log_append(
        actor=actor, action="voting.paper_card_settled", obj=card, after={"status": card.status}
    )


def paper_card_resolve(*, actor: User, card: PaperCard, choice: str, note: str = "") -> PaperCard:
    """Settle a mismatched card after looking at the paper: entry "1" or "2" is right, or the
    card is invalid."""
    if not permissions.can_review_paper(actor, card.edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    with transaction.atomic():
        card = (
            PaperCard.objects.select_for_update().select_related("edition", "point").get(pk=card.pk)
        )
        if card.status != CardStatus.MISMATCH:
            raise VotingError(errors.CARD_NOT_MISMATCH)
        entries = list(card.entries.select_related("district").order_by("created_at", "id"))
        card.resolved_by = actor
        card.note = note[:300]
        if choice in ("1", "2") and len(entries) >= int(choice):
            card.save(update_fields=["resolved_by", "note", "updated_at"])
            _card_count(card=card, entry=entries[int(choice) - 1], actor=actor)
        else:
            card.status = CardStatus.INVALID_RULES
            card.save(update_fields=["status", "resolved_by", "note", "updated_at"])
            PaperEntry.objects.filter(card=card).update(choices={}, fingerprint="")
            audit_log_append(actor=actor, action="voting.paper_card_invalid", obj=card, reason=note)
    return card


def point_close(
    *,
    actor: User,
    point: VotingPoint,
    cards_received: int,
    cards_unused: int,
    notes: str,
    at: datetime,
) -> PointProtocol:
    """Close a voting point with its protocol: the tallies come from the keyed cards."""
    if not permissions.can_enter_paper(actor, point):
        raise VotingPermissionError(errors.NOT_COORDINATOR)
    with transaction.atomic():
        point = VotingPoint.objects.select_for_update().get(pk=point.pk)
        if point.closed_at is not None:
            raise VotingError(errors.POINT_CLOSED)
        cards = list(PaperCard.objects.filter(point=point).values_list("status", flat=True))
        counted = sum(1 for s in cards if s == CardStatus.COUNTED)
        invalid = sum(
            1 for s in cards if s in (CardStatus.INVALID_DUPLICATE, CardStatus.INVALID_RULES)
        )
        pending = len(cards) - counted - invalid
        if cards_received < len(cards) + cards_unused:
            raise VotingError(errors.PROTOCOL_NUMBERS, field="cards_received")
        protocol = PointProtocol.objects.create(
            point=point,
            cards_received=cards_received,
            cards_unused=cards_unused,
            cards_counted=counted,
            cards_invalid=invalid,
            cards_pending=pending,
            notes=notes,
            closed_by=actor,
        )
        point.closed_at = at
        point.save(update_fields=["closed_at", "updated_at"])
        audit_log_append(
            actor=actor, action="voting.point_closed", obj=point, after=snapshot(protocol)
        )
    return protocol


def voting_point_create(*, actor: User, edition: Edition, **values: Any) -> VotingPoint:
    if not permissions.can_manage_voting(actor, edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    coordinators = values.pop("coordinators", [])
    point = VotingPoint(edition=edition, **values)
    point.full_clean()
    point.save()
    if coordinators:
        point.coordinators.set(coordinators)
    audit_log_append(actor=actor, action="voting.point_created", obj=point, after=snapshot(point))
    return point


# --------------------------------------------------------------------------- counting

VOTE_TYPE = {
    BallotKind.KRAKOW: "ordinal",
    BallotKind.APPROVAL: "approval",
    BallotKind.CUMULATIVE: "cumulative",
    BallotKind.KNAPSACK: "approval",
}


def _instance_for(
    rules: VotingRules,
    *,
    budget: Decimal,
    projects: list[Any],
    ballots: list[Any],
    vote_meta: dict[str, str],
) -> Any:
    from votecount import Instance

    meta: dict[str, str] = {}
    kind = rules.ballot_kind
    if kind == BallotKind.KRAKOW:
        meta["min_length"] = str(rules.picks_per_pool if rules.require_all_picks else 1)
        meta["max_length"] = str(rules.picks_per_pool)
    elif kind == BallotKind.APPROVAL:
        meta["max_length"] = str(rules.approval_max)
    elif kind == BallotKind.CUMULATIVE:
        meta["max_sum_points"] = str(rules.cumulative_points)
    elif kind == BallotKind.KNAPSACK:
        meta["max_sum_cost"] = format(budget, "f")
    meta.update({k: str(v) for k, v in rules.extra_meta.items()})
    meta.update(vote_meta)
    meta.setdefault("currency", "PLN")
    return Instance.build(
        budget=budget,
        projects=projects,
        ballots=ballots,
        vote_type=VOTE_TYPE[BallotKind(kind)],
        rule=rules.counting_rule,
        meta=meta,
    )


def project_code(project: Project) -> str:
    return project.number or f"P{project.pk}"


def pool_instance(pool: Pool, *, rules: VotingRules, with_voter_data: bool = False) -> Any:
    """The pool's election as a votecount Instance: projects on the ballot and valid ballots in a
    fixed order (by ballot UUID); voter ids are positions, never ballot ids or receipt codes."""
    from votecount import Ballot as VcBallot
    from votecount import Project as VcProject

    project_rows = list(
        Project.objects.filter(pool=pool, status=ProjectStatus.ON_BALLOT).order_by(
            "sequence", "number", "id"
        )
    )
    codes = {p.pk: project_code(p) for p in project_rows}
    vc_projects = [VcProject(codes[p.pk], p.effective_cost, p.title) for p in project_rows]
    rows = (
        BallotChoice.objects.filter(pool=pool, ballot__status=BallotStatus.VALID)
        .order_by("ballot_id", "position")
        .values_list("ballot_id", "project_id", "points", "ballot__age_band", "ballot__sex")
    )
    ballots: list[Any] = []
    current = None
    ids: list[str] = []
    pts: list[int] = []
    extra: dict[str, str] = {}
    cumulative = rules.ballot_kind == BallotKind.CUMULATIVE

    def flush() -> None:
        voter = str(len(ballots) + 1)
        ballots.append(VcBallot.of(voter, ids, pts if cumulative else None, **extra))

    # One plain fetch, not .iterator(): on PostgreSQL that opens a server-side cursor, whose
    # first-rows plan over freshly loaded (unanalysed) tables was 300x slower than this.
    for ballot_id, project_id, points, age_band, sex in rows:
        if ballot_id != current:
            if current is not None:
                flush()
            current = ballot_id
            ids, pts = [], []
            extra = {}
            if with_voter_data:
                extra = {"age": age_band, "sex": sex}
        if project_id in codes:
            ids.append(codes[project_id])
            pts.append(points)
    if current is not None:
        flush()
    vote_meta = {
        "description": str(pool.label),
        "unit": str(pool.edition.city),
        "instance": str(pool.edition.year),
    }
    if pool.district is not None:
        vote_meta["district"] = pool.district.name
    instance = _instance_for(
        rules, budget=pool.budget, projects=vc_projects, ballots=ballots, vote_meta=vote_meta
    )
    if with_voter_data:
        # Pabulib writes empty cells for voters who did not agree to publish their age and sex.
        instance.vote_columns = (
            "voter_id",
            "vote",
            *(("points",) if cumulative else ()),
            "age",
            "sex",
        )
    return instance


def _input_sha256(instance: Any) -> str:
    from votecount import write_pb

    return hashlib.sha256(write_pb(instance).encode()).hexdigest()


def pool_count(
    *,
    actor: User | None,
    pool: Pool,
    rules: VotingRules,
    at: datetime,
    witnesses: str = "",
    seed: int | None = None,
) -> PoolResult:
    """Count one pool with votecount under the fixed rule and options; store everything needed
    to redo the count: rule, options, package version, SHA-256 of the input, tie lots."""
    import votecount
    from votecount import TiePolicy, count

    if actor is not None and not permissions.can_manage_voting(actor, pool.edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    window = pool.edition.phase_window(Phase.VOTING)
    if window is not None and at < window[1]:
        raise VotingError(
            errors.NOT_CLOSED,
            params={"end": timezone.localtime(window[1]).strftime("%d.%m.%Y %H:%M")},
        )
    instance = pool_instance(pool, rules=rules)
    seed = seed if seed is not None else secrets.randbits(62)
    options: dict[str, Any] = dict(rules.counting_options)
    policy = TiePolicy.parse(rules.tie_breaking, seed=seed) if rules.tie_breaking else None
    if policy is None:
        default = count(instance, rule="from-file", **options).options.ties
        policy = TiePolicy(default.criteria if default else (), seed=seed)
    outcome = count(instance, rule="from-file", ties=policy, **options)
    lots = [t for t in outcome.ties if t.lot_drawn]
    if lots and not witnesses.strip():
        raise VotingError(errors.WITNESSES_REQUIRED, field="witnesses")
    tally: dict[str, dict[str, str]] = {
        pid: {"votes": "0", "score": "0"} for pid in instance.projects
    }
    points_of = instance.points_reader()
    votes: dict[str, int] = {pid: 0 for pid in instance.projects}
    score: dict[str, Any] = {pid: 0 for pid in instance.projects}
    for ballot in instance.ballots:
        for pid, pts in zip(ballot.projects, points_of(ballot), strict=True):
            votes[pid] += 1
            score[pid] += pts
    for pid in instance.projects:
        tally[pid] = {"votes": str(votes[pid]), "score": str(score[pid])}
    with transaction.atomic():
        PoolResult.objects.filter(pool=pool).delete()
        result = PoolResult.objects.create(
            pool=pool,
            rule=outcome.rule,
            options=outcome.options.to_json(),
            votecount_version=votecount.__version__,
            input_sha256=_input_sha256(instance),
            ballots_counted=len(instance.ballots),
            outcome=outcome.to_dict(),
            tally=tally,
            selected=list(outcome.selected),
            counted_by=actor,
        )
        for tie in lots:
            TieLot.objects.create(
                result=result,
                tied=list(tie.tied),
                order=list(tie.order),
                seed=tie.seed if tie.seed is not None else seed,
                witnesses=witnesses.strip(),
            )
        audit_log_append(
            actor=actor,
            action="voting.pool_counted",
            obj=result,
            after={"selected": list(outcome.selected), "input_sha256": result.input_sha256},
        )
    return result


def edition_count(
    *,
    actor: User | None,
    edition: Edition,
    at: datetime,
    witnesses: str = "",
    seed: int | None = None,
) -> list[PoolResult]:
    rules = VotingRules.objects.get(edition=edition)
    return [
        pool_count(actor=actor, pool=pool, rules=rules, at=at, witnesses=witnesses, seed=seed)
        for pool in Pool.objects.filter(edition=edition).select_related("district", "edition")
    ]


def results_publish(*, actor: User | None, edition: Edition, at: datetime) -> VotingRules:
    """Publish the results and the list of receipt codes; open implementation of the winners."""
    rules = VotingRules.objects.select_related("edition").get(edition=edition)
    if actor is not None and not permissions.can_manage_voting(actor, edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    if rules.results_published_at is not None:
        raise VotingError(errors.ALREADY_PUBLISHED)
    pools = list(Pool.objects.filter(edition=edition))
    results = {r.pool_id: r for r in PoolResult.objects.filter(pool__edition=edition)}
    if not pools or any(p.pk not in results for p in pools):
        raise VotingError(errors.NOT_COUNTED)
    with transaction.atomic():
        before = snapshot(rules)
        rules.results_published_at = at
        rules.save(update_fields=["results_published_at", "updated_at"])
        codes = sorted(
            Ballot.objects.filter(edition=edition, status=BallotStatus.VALID).values_list(
                "receipt_code", flat=True
            )
        )
        PublishedReceipt.objects.bulk_create(
            (PublishedReceipt(edition=edition, code=c) for c in codes), batch_size=5000
        )
        audit_log_append(
            actor=actor,
            action="voting.results_published",
            obj=rules,
            before=before,
            after=snapshot(rules),
        )
    selected_ids = _selected_project_ids(edition, results.values())
    _open_implementations(edition=edition, project_ids=selected_ids, actor=actor)
    return rules


def _selected_project_ids(edition: Edition, results: Any) -> list[int]:
    by_code = {project_code(p): p.pk for p in Project.objects.filter(edition=edition)}
    ids: list[int] = []
    for result in results:
        ids.extend(by_code[c] for c in result.selected if c in by_code)
    return ids


def _open_implementations(*, edition: Edition, project_ids: list[int], actor: User | None) -> None:
    """Hand the winners to implementation tracking (wspolnota.implementation)."""
    try:
        from wspolnota.implementation.services import implementations_open
    except ImportError:  # the implementation app is not installed in this deployment
        return
    implementations_open(edition=edition, project_ids=project_ids, actor=actor)
