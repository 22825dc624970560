"""Writes of the voting app: identity and the roll, casting a ballot (online and on paper), the
mixer that moves sealed envelopes into the ballot box, the paper channel's double keying and
the commission's work, closing the box, counting with votecount, publication and corrections.

One person, one vote: every channel inserts a ``VoterRollEntry`` whose unique keys (person,
PESEL, account, phone slot) decide races at the database, in the same transaction as a sealed
``Envelope``; so a second attempt fails whatever the timing, and a failure leaves neither row.
Ballots are written only by the mixer, in other transactions and shuffled order (docs/voting.md).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import pesel as stdnum_pesel

from wspolnota.accounts.models import User
from wspolnota.budget.models import (
    Edition,
    EditionPhase,
    Phase,
    Pool,
    PoolKind,
    Project,
    ProjectStatus,
)
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District
from wspolnota.voting import errors, keys, permissions
from wspolnota.voting.errors import VotingError, VotingPermissionError
from wspolnota.voting.models import (
    AgeBand,
    Ballot,
    BallotChoice,
    BallotKind,
    BallotReceipt,
    BallotStatus,
    CardStatus,
    CastCode,
    Channel,
    Count,
    EntryRole,
    Envelope,
    IdentityClaim,
    PaperCard,
    PaperEntry,
    PointProtocol,
    PoolResult,
    RefusedAttempt,
    TieLot,
    VoterDistrict,
    VoterRollEntry,
    VotingExtension,
    VotingPoint,
    VotingRules,
    new_receipt_code,
)

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- identity


@dataclass(frozen=True)
class Identity:
    """What the roll needs about a person: keyed hashes (person always, PESEL when given,
    address when given), bands only if they agreed, and whether a young voter lacks a
    guardian's declaration."""

    person_key: str
    pesel_key: str = ""
    address_key: str = ""
    age_band: str = ""
    sex: str = ""
    minor_without_guardian: bool = False


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
    birth_date: date | None,
    sex: str,
    pesel: str = "",
    address: str = "",
    guardian_declared: bool = False,
    consent_to_statistics: bool = False,
    at: datetime,
) -> Identity:
    """Check the identity data and turn it into the roll's keys (nothing else is kept).

    The person key (normalised name + date of birth + sex) is made always, so the same person
    collides with or without a PESEL, online or on paper; a PESEL (optional: courts ruled it may
    not be required) adds its own key, and its date of birth and sex must agree with those
    entered. Keys are HMACs salted per edition: they cannot be linked across editions.
    """
    if not full_name.strip():
        raise VotingError(errors.NAME_REQUIRED, field="full_name")
    if birth_date is None or sex not in ("F", "M"):
        raise VotingError(
            errors.IDENTITY_REQUIRED, field="birth_date" if birth_date is None else "sex"
        )
    salt = rules.identity_salt
    pesel = "".join(pesel.split())
    pesel_key = ""
    if pesel:
        try:
            pesel = stdnum_pesel.validate(pesel)
            pesel_birth = stdnum_pesel.get_birth_date(pesel)
            pesel_sex = stdnum_pesel.get_gender(pesel)
        except StdnumError:
            raise VotingError(errors.PESEL_INVALID, field="pesel") from None
        if pesel_birth != birth_date or pesel_sex != sex:
            raise VotingError(errors.PESEL_MISMATCH, field="pesel")
        pesel_key = keys.keyed(salt, "pesel", pesel)
    person_key = keys.keyed(
        salt, "person", f"{keys.normalise_name(full_name)}|{birth_date.isoformat()}|{sex}"
    )
    normal_address = keys.normalise_address(address)
    address_key = keys.keyed(salt, "address", normal_address) if normal_address else ""
    today = timezone.localtime(at).date()
    if birth_date > today:
        raise VotingError(errors.BIRTH_DATE_FUTURE, field="birth_date")
    age = age_on(birth_date, today)
    if rules.minimum_age and age < rules.minimum_age:
        raise VotingError(errors.TOO_YOUNG, field="birth_date", params={"age": rules.minimum_age})
    minor = age < settings.VOTING_GUARDIAN_AGE and not guardian_declared
    if not consent_to_statistics:
        return Identity(person_key, pesel_key, address_key, minor_without_guardian=minor)
    return Identity(person_key, pesel_key, address_key, age_band_for(age), sex, minor)


def phone_key_for(rules: VotingRules, phone: str) -> str:
    return keys.keyed(rules.identity_salt, "phone", phone) if phone else ""


def voter_district_choose(*, user: User, edition: Edition, district: District) -> VoterDistrict:
    """The district of residence may be changed until the person's ballot is cast (a wrong
    choice made in haste is not a reason to lose the district vote); from the cast on it is
    fixed. One ballot per person and account stays the roll's rule either way."""
    existing = VoterDistrict.objects.filter(edition=edition, user=user).first()
    if existing is not None:
        if existing.district_id != district.pk:
            if VoterRollEntry.objects.filter(edition=edition, user=user).exists():
                raise VotingError(
                    errors.DISTRICT_FIXED,
                    field="district",
                    params={"district": existing.district.full_name},
                )
            existing.district = district
            existing.save(update_fields=["district", "updated_at"])
        return existing
    try:
        with transaction.atomic():
            return VoterDistrict.objects.create(edition=edition, user=user, district=district)
    except IntegrityError:
        return VoterDistrict.objects.get(edition=edition, user=user)


def refused_attempt_record(
    *,
    edition: Edition,
    channel: str,
    reason: str,
    point: VotingPoint | None = None,
    user: User | None = None,
    identity: Identity | None = None,
    phone_key: str = "",
) -> None:
    """Record a refused attempt with the keys the commission's list groups by (no ballot)."""
    RefusedAttempt.objects.create(
        edition=edition,
        channel=channel,
        reason=reason,
        point=point,
        user=user,
        person_key=identity.person_key if identity else "",
        address_key=identity.address_key if identity else "",
        phone_key=phone_key,
    )


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


# --------------------------------------------------------------------------- casting online


def _roll_conflict(
    *, edition: Edition, identity: Identity, user: User | None, phone_key: str
) -> tuple[str, VotingError] | None:
    """Why the roll refuses this person (one query): already voted (person or PESEL key), the
    account already cast its online ballot, or the phone number confirmed all it may."""
    from django.db.models import Q

    match = Q(person_key=identity.person_key)
    if identity.pesel_key:
        match |= Q(pesel_key=identity.pesel_key)
    if user is not None:
        match |= Q(user=user)
    if phone_key:
        match |= Q(phone_key=phone_key)
    rows = list(
        VoterRollEntry.objects.filter(match, edition=edition).values_list(
            "person_key", "pesel_key", "user_id", "phone_key"
        )
    )
    if any(
        p == identity.person_key or (identity.pesel_key and k == identity.pesel_key)
        for p, k, _u, _f in rows
    ):
        return "already_voted", VotingError(errors.ALREADY_VOTED, code="already_voted")
    if user is not None and any(u == user.pk for _p, _k, u, _f in rows):
        return "account_used", VotingError(errors.ACCOUNT_USED, code="already_voted")
    limit = settings.VOTING_BALLOTS_PER_PHONE
    if phone_key and sum(1 for *_x, f in rows if f == phone_key) >= limit:
        return "phone_limit", VotingError(
            errors.PHONE_LIMIT, code="already_voted", params={"count": limit}
        )
    return None


def identity_check_online(
    *, edition: Edition, rules: VotingRules, identity: Identity, user: User, at: datetime
) -> None:
    """At the identity step: remember which person this account says it is (the commission
    reviews accounts that try many) and refuse early, recorded, when the roll already has the
    person, the account or the phone's ballots."""
    IdentityClaim.objects.bulk_create(
        [
            IdentityClaim(
                edition=edition,
                user=user,
                person_key=identity.person_key,
                address_key=identity.address_key,
                claimed_on=timezone.localtime(at).date(),
            )
        ],
        ignore_conflicts=True,
    )
    phone_key = phone_key_for(rules, user.phone if user.phone_confirmed else "")
    conflict = _roll_conflict(edition=edition, identity=identity, user=user, phone_key=phone_key)
    if conflict is not None:
        reason, error = conflict
        refused_attempt_record(
            edition=edition,
            channel=Channel.ONLINE,
            reason=reason,
            user=user,
            identity=identity,
            phone_key=phone_key,
        )
        raise error


def _cast_code_hash(cast_code_id: int, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"cast:{cast_code_id}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def cast_code_issue(
    *, user: User, edition: Edition, identity: Identity, at: datetime
) -> tuple[CastCode, str]:
    """A new one-time code for one cast (earlier codes of the account stop working); only its
    keyed hash is stored. Returns the row and the code for the caller to deliver."""
    if not user.phone_confirmed:
        raise VotingError(errors.PHONE_REQUIRED, code="phone_required")
    code = f"{secrets.randbelow(1_000_000):06d}"
    with transaction.atomic():
        CastCode.objects.filter(user=user, edition=edition).delete()
        cast_code = CastCode.objects.create(
            edition=edition,
            user=user,
            person_key=identity.person_key,
            phone=user.phone,
            code_hash="",
            expires_at=at + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
        cast_code.code_hash = _cast_code_hash(cast_code.pk, code)
        cast_code.save(update_fields=["code_hash"])
    return cast_code, code


def cast_code_send(*, user: User, edition: Edition, identity: Identity, at: datetime) -> CastCode:
    """Send the code that confirms this cast by SMS, through the platform's SMS transport,
    after the transaction commits. The SMS confirms the vote, not only the account."""
    from wspolnota.communication.services import outbox_enqueue_direct

    cast_code, code = cast_code_issue(user=user, edition=edition, identity=identity, at=at)
    text = str(errors.CAST_CODE_SMS) % {"year": edition.year, "code": code}
    # Through the outbox: recorded, retried, sent after commit, the text erased once sent.
    outbox_enqueue_direct(
        kind="voting.cast_code",
        channel="sms",
        to=cast_code.phone,
        subject="",
        body=text,
        language=user.preferred_language,
        key=f"voting.cast_code:{cast_code.pk}",
        user=user,
        urgent=True,
        sensitive=True,
    )
    return cast_code


class _CodeRefused(Exception):
    pass


def _cast_code_failed(*, cast_code_id: int | None, user: User, at: datetime) -> VotingError:
    """Count a wrong code against its row (committed) and say why the cast was refused."""
    with transaction.atomic():
        row = (
            CastCode.objects.select_for_update().filter(pk=cast_code_id, user=user).first()
            if cast_code_id is not None
            else None
        )
        if (
            row is None
            or row.expires_at <= at
            or row.attempts + 1 >= settings.SMS_CODE_MAX_ATTEMPTS
        ):
            if row is not None:
                row.attempts += 1
                row.save(update_fields=["attempts", "updated_at"])
            return VotingError(errors.CODE_EXPIRED, field="code", code="code_expired")
        row.attempts += 1
        row.save(update_fields=["attempts", "updated_at"])
    return VotingError(errors.CODE_WRONG, field="code", code="code_wrong")


def _envelope_content(
    *, district: District | None, channel: str, identity: Identity, receipt: str, lines: list[Any]
) -> dict[str, Any]:
    return {
        "d": district.pk if district is not None else None,
        "c": channel,
        "a": identity.age_band,
        "s": identity.sex,
        "r": receipt,
        "l": [[x.pool_id, x.project_id, x.position, x.points] for x in lines],
    }


def _free_phone_slot(edition: Edition, phone_key: str, limit: int) -> int | None:
    if not phone_key:
        return None
    if limit == 1:
        return 1
    used = set(
        VoterRollEntry.objects.filter(edition=edition, phone_key=phone_key).values_list(
            "phone_slot", flat=True
        )
    )
    return next((slot for slot in range(1, limit + 1) if slot not in used), None)


def ballot_cast_online(
    *,
    user: User,
    edition: Edition,
    rules: VotingRules,
    identity: Identity,
    district: District,
    selection: Selection,
    cast_code_id: int | None,
    code: str,
    at: datetime,
) -> str:
    """Cast a signed-in resident's ballot and return its receipt code.

    The vote must be open, the account's mobile number confirmed and the ballot valid; the
    one-time code sent for this cast is consumed in the same transaction as the roll mark and
    the sealed envelope are written. The roll's unique keys refuse a second ballot of the same
    person (with or without PESEL, any channel), of the same account, and beyond the phone
    number's allowance; each refusal is recorded for the commission.
    """
    if not permissions.voting_is_open(edition, at=at):
        raise _closed_error(edition)
    if not user.phone_confirmed:
        raise VotingError(errors.PHONE_REQUIRED, code="phone_required")
    lines = ballot_validate(rules=rules, edition=edition, district=district, selection=selection)
    code = "".join(code.split())
    if not code or cast_code_id is None:
        raise VotingError(errors.CODE_REQUIRED, field="code", code="code_required")
    expected = _cast_code_hash(cast_code_id, code)
    phone_key = phone_key_for(rules, user.phone)
    receipt = new_receipt_code()
    sealed = keys.seal(
        rules.envelope_salt,
        edition.pk,
        _envelope_content(
            district=district,
            channel=Channel.ONLINE,
            identity=identity,
            receipt=receipt,
            lines=lines,
        ),
    )
    limit = settings.VOTING_BALLOTS_PER_PHONE
    for _attempt in range(limit + 2):
        slot = _free_phone_slot(edition, phone_key, limit)
        try:
            if slot is None:
                raise IntegrityError("the phone's slots are taken")
            with transaction.atomic():
                used = CastCode.objects.filter(
                    pk=cast_code_id,
                    user=user,
                    edition=edition,
                    person_key=identity.person_key,
                    code_hash=expected,
                    expires_at__gt=at,
                    attempts__lt=settings.SMS_CODE_MAX_ATTEMPTS,
                ).delete()[0]
                if not used:
                    raise _CodeRefused
                VoterRollEntry.objects.create(
                    edition=edition,
                    person_key=identity.person_key,
                    pesel_key=identity.pesel_key,
                    address_key=identity.address_key,
                    channel=Channel.ONLINE,
                    district=district,
                    user=user,
                    phone_key=phone_key,
                    phone_slot=slot,
                    minor_without_guardian=identity.minor_without_guardian,
                    voted_on=timezone.localtime(at).date(),
                )
                Envelope.objects.create(edition=edition, sealed=sealed)
        except _CodeRefused:
            raise _cast_code_failed(cast_code_id=cast_code_id, user=user, at=at) from None
        except IntegrityError:
            conflict = _roll_conflict(
                edition=edition, identity=identity, user=user, phone_key=phone_key
            )
            if conflict is not None:
                reason, error = conflict
                refused_attempt_record(
                    edition=edition,
                    channel=Channel.ONLINE,
                    reason=reason,
                    user=user,
                    identity=identity,
                    phone_key=phone_key,
                )
                raise error from None
            continue  # another cast took the same phone slot at the same moment: try the next
        transaction.on_commit(partial(envelopes_mix_if_due, edition_id=edition.pk))
        return receipt
    raise VotingError(errors.ALREADY_VOTED, code="already_voted")  # pragma: no cover


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


# --------------------------------------------------------------------------- the mixer

# Per process: casts since this process last looked at the waiting envelopes, and when it last
# asked for a mix (once a second is plenty: the mixer itself decides from the database).
_casts_unchecked: dict[int, int] = {}
_mix_requested: dict[int, float] = {}


def envelopes_mix_if_due(*, edition_id: int) -> None:
    """After a cast commits: ask the background worker to mix when a batch is waiting. Each
    process looks at the database every tenth of a batch of its own casts, not at every cast
    (one round trip less per cast; the batch starts at most a few casts late)."""
    seen = _casts_unchecked.get(edition_id, 0) + 1
    if seen < max(1, settings.VOTING_MIX_BATCH // 10):
        _casts_unchecked[edition_id] = seen
        return
    _casts_unchecked[edition_id] = 0
    waiting = Envelope.objects.filter(edition_id=edition_id).count()
    if waiting < settings.VOTING_MIX_BATCH:
        return
    now = time.monotonic()
    if now - _mix_requested.get(edition_id, -10.0) < 1.0:
        return
    _mix_requested[edition_id] = now
    from wspolnota.voting.tasks import mix_envelopes

    mix_envelopes.enqueue(edition_id=edition_id)


def envelopes_mix(*, edition_id: int, final: bool = False, rng: random.Random | None = None) -> int:
    """Open the waiting envelopes of an edition and put their ballots in the box.

    Runs in its own transaction (never a cast's), when at least ``VOTING_MIX_BATCH`` envelopes
    wait, or for all of them when ``final`` (the close, the count). Ballots, their choices and
    the receipt codes are written in two independent random orders with random keys, then the
    envelopes are deleted (on SQLite with ``secure_delete``, so their pages are zeroed). The
    edition's rules row is locked, so two mixers never take the same envelopes.
    """
    import uuid

    rng = rng or random.SystemRandom()
    with transaction.atomic():
        rules = VotingRules.objects.select_for_update().get(edition_id=edition_id)
        waiting = list(Envelope.objects.filter(edition_id=edition_id).values_list("id", "sealed"))
        if not waiting or (not final and len(waiting) < settings.VOTING_MIX_BATCH):
            return 0
        try:
            contents = [keys.unseal(rules.envelope_salt, edition_id, s) for _id, s in waiting]
        except keys.SealGone:
            logger.error(
                "voting: %d envelopes of edition %s cannot be opened", len(waiting), edition_id
            )
            raise VotingError(errors.ENVELOPES_UNREADABLE) from None
        rng.shuffle(contents)
        ballots: list[Ballot] = []
        choices: list[BallotChoice] = []
        for content in contents:
            ballot = Ballot(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                edition_id=edition_id,
                district_id=content["d"],
                channel=content["c"],
                age_band=content["a"],
                sex=content["s"],
            )
            ballots.append(ballot)
            choices.extend(
                BallotChoice(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    ballot_id=ballot.id,
                    pool_id=pool_id,
                    project_id=project_id,
                    position=position,
                    points=points,
                )
                for pool_id, project_id, position, points in content["l"]
            )
        codes = [content["r"] for content in contents]
        rng.shuffle(codes)
        Ballot.objects.bulk_create(ballots, batch_size=2000)
        BallotChoice.objects.bulk_create(choices, batch_size=5000)
        BallotReceipt.objects.bulk_create(
            (
                BallotReceipt(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    edition_id=edition_id,
                    code=code,
                )
                for code in codes
            ),
            batch_size=5000,
            ignore_conflicts=True,
        )
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete = ON")
        ids = [envelope_id for envelope_id, _s in waiting]
        for start in range(0, len(ids), 1000):
            Envelope.objects.filter(pk__in=ids[start : start + 1000]).delete()
        audit_log_append(
            actor=None,
            action="voting.envelopes_mixed",
            object_type="budget.edition",
            object_id=str(edition_id),
            after={"ballots": len(ballots), "final": final},
        )
    return len(ballots)


# --------------------------------------------------------------------------- voting dates


def voting_extend(
    *, actor: User, edition: Edition, new_end: datetime, reason: str, at: datetime
) -> VotingExtension:
    """Extend the end of voting (an outage, say) while it is open, with a published reason.
    The end never moves earlier and never moves after it has passed (no reopening)."""
    if not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_COMMISSION)
    if not reason.strip():
        raise VotingError(errors.EXTEND_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        phase = EditionPhase.objects.select_for_update().get(edition=edition, kind=Phase.VOTING)
        if not (phase.starts_at <= at < phase.ends_at):
            raise VotingError(errors.EXTEND_NOT_OPEN)
        if new_end <= phase.ends_at:
            raise VotingError(
                errors.EXTEND_EARLIER,
                field="new_end",
                params={"end": timezone.localtime(phase.ends_at).strftime("%d.%m.%Y %H:%M")},
            )
        extension = VotingExtension.objects.create(
            edition=edition,
            previous_end=phase.ends_at,
            new_end=new_end,
            reason=reason.strip(),
            decided_by=actor,
        )
        before = snapshot(phase)
        phase.ends_at = new_end
        phase.save(update_fields=["ends_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="voting.end_extended",
            obj=phase,
            before=before,
            after=snapshot(phase),
            reason=reason.strip(),
        )
    ballot_cache_clear()
    return extension


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
    try:
        rules.full_clean()
    except ValidationError as exc:
        raise _validation_error(exc) from None
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


def _entry_content(
    *,
    identity: Identity,
    district: District,
    document_kind: str,
    selection: Selection,
    receipt: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a keying seals, and what its fingerprint covers (everything the typist keyed)."""
    raw_choices = [
        [pool_id, [[pid, pts] for pid, pts in entries]]
        for pool_id, entries in sorted(selection.items())
    ]
    sealed = {
        "selection": raw_choices,
        "a": identity.age_band,
        "s": identity.sex,
        "m": identity.minor_without_guardian,
        "r": receipt,
    }
    printed = {
        **sealed,
        "person": identity.person_key,
        "pesel": identity.pesel_key,
        "address": identity.address_key,
        "district": district.pk,
        "document": document_kind,
    }
    return sealed, printed


def _receipt_of(receipt_code: str) -> str:
    if not receipt_code.strip():
        return ""
    receipt = keys.normalise_receipt(receipt_code)
    if not receipt:
        raise VotingError(errors.RECEIPT_INVALID, field="receipt_code")
    return receipt


def _key_card(
    *,
    card: PaperCard,
    actor: User,
    role: str,
    rules: VotingRules,
    identity: Identity,
    district: District,
    document_kind: str,
    selection: Selection,
    receipt: str,
) -> PaperEntry:
    """Write one keying of a locked card: its keys, its sealed content, its fingerprint."""
    if not document_kind:
        raise VotingError(errors.DOCUMENT_REQUIRED, field="document_kind")
    if card.entries.filter(entered_by=actor).exists():
        raise VotingError(errors.CARD_SAME_PERSON, field="number")
    if receipt:
        receipt_key = keys.keyed(rules.identity_salt, "receipt", receipt)
        other = (
            PaperCard.objects.filter(edition_id=card.edition_id, receipt_key=receipt_key)
            .exclude(pk=card.pk)
            .first()
        )
        if other is not None:
            raise VotingError(
                errors.RECEIPT_USED,
                field="receipt_code",
                params={"code": receipt, "number": other.number},
            )
        if not card.receipt_key:
            card.receipt_key = receipt_key
            card.save(update_fields=["receipt_key", "updated_at"])
    sealed, printed = _entry_content(
        identity=identity,
        district=district,
        document_kind=document_kind,
        selection=selection,
        receipt=receipt,
    )
    entry = PaperEntry.objects.create(
        card=card,
        entered_by=actor,
        role=role,
        person_key=identity.person_key,
        pesel_key=identity.pesel_key,
        address_key=identity.address_key,
        district=district,
        document_checked=True,
        document_kind=document_kind,
        sealed=keys.seal(rules.envelope_salt, card.edition_id, sealed),
        fingerprint=keys.fingerprint(rules.envelope_salt, printed),
    )
    audit_log_append(
        actor=actor,
        action="voting.paper_entry",
        obj=card,
        after={"card": card.number, "role": role, "point": card.point_id},
    )
    return entry


def _settle_if_matching(*, card: PaperCard, entry: PaperEntry, actor: User) -> None:
    entries = list(card.entries.exclude(pk=entry.pk))
    if not entries:
        return
    if entries[0].fingerprint == entry.fingerprint:
        _card_count(card=card, entry=entry, actor=actor)
    else:
        card.status = CardStatus.MISMATCH
        card.save(update_fields=["status", "updated_at"])


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
    receipt_code: str = "",
) -> PaperCard:
    """Key in one paper card at an open point. The second keying by another coordinator must
    match the first; then the card counts (or is invalid if the person is already on the roll
    or it breaks the rules); a mismatch goes to the commission."""
    if not permissions.is_point_coordinator(actor, point):
        raise VotingPermissionError(errors.NOT_COORDINATOR)
    point = VotingPoint.objects.select_related("edition").get(pk=point.pk)
    if point.closed_at is not None:
        raise VotingError(errors.POINT_CLOSED)
    window = point.edition.phase_window(Phase.VOTING)
    if window is None or at < window[0]:
        raise VotingError(errors.PAPER_NOT_STARTED)
    rules = VotingRules.objects.get(edition_id=point.edition_id)
    if rules.results_published_at is not None:
        raise VotingError(errors.PAPER_AFTER_RESULTS)
    number = number.strip().upper()
    if not number:
        raise VotingError(errors.CARD_NUMBER_REQUIRED, field="number")
    if not document_kind:
        raise VotingError(errors.DOCUMENT_REQUIRED, field="document_kind")
    receipt = _receipt_of(receipt_code)
    with transaction.atomic():
        card, _created = PaperCard.objects.select_for_update().get_or_create(
            edition=point.edition, number=number, defaults={"point": point}
        )
        if card.point_id != point.pk:
            raise VotingError(errors.CARD_OTHER_POINT, field="number", params={"number": number})
        if card.status != CardStatus.AWAITING_SECOND:
            raise VotingError(errors.CARD_DONE, field="number", params={"number": number})
        entry = _key_card(
            card=card,
            actor=actor,
            role=EntryRole.TYPIST,
            rules=rules,
            identity=identity,
            district=district,
            document_kind=document_kind,
            selection=selection,
            receipt=receipt,
        )
        _settle_if_matching(card=card, entry=entry, actor=actor)
    return card


def _commission_card(actor: User, card: PaperCard, at: datetime) -> tuple[PaperCard, VotingRules]:
    if not permissions.can_work_as_commission(actor, card.edition, at=at):
        raise VotingPermissionError(errors.NOT_COMMISSION)
    card = PaperCard.objects.select_for_update().select_related("edition", "point").get(pk=card.pk)
    return card, VotingRules.objects.get(edition_id=card.edition_id)


def paper_card_finish(
    *,
    actor: User,
    card: PaperCard,
    identity: Identity,
    district: District,
    document_kind: str,
    selection: Selection,
    at: datetime,
    receipt_code: str = "",
) -> PaperCard:
    """The commission keys the second entry of a card left half-keyed at a point that has since
    closed (its coordinators can no longer): it then counts like any other card."""
    receipt = _receipt_of(receipt_code)
    with transaction.atomic():
        card, rules = _commission_card(actor, card, at)
        if card.status != CardStatus.AWAITING_SECOND or not card.entries.exists():
            raise VotingError(errors.CARD_NOT_PENDING)
        if card.point.closed_at is None:
            raise VotingError(errors.CARD_POINT_OPEN)
        entry = _key_card(
            card=card,
            actor=actor,
            role=EntryRole.COMMISSION,
            rules=rules,
            identity=identity,
            district=district,
            document_kind=document_kind,
            selection=selection,
            receipt=receipt,
        )
        _settle_if_matching(card=card, entry=entry, actor=actor)
    return card


def paper_card_adjudicate(
    *,
    actor: User,
    card: PaperCard,
    identity: Identity,
    district: District,
    document_kind: str,
    selection: Selection,
    at: datetime,
    receipt_code: str = "",
    note: str = "",
) -> PaperCard:
    """A card the two typists keyed differently: a commission member keys it a third time from
    the paper, and that entry decides (the card counts as keyed, or is invalid if it breaks the
    rules or the person already voted)."""
    receipt = _receipt_of(receipt_code)
    with transaction.atomic():
        card, rules = _commission_card(actor, card, at)
        if card.status != CardStatus.MISMATCH:
            raise VotingError(errors.CARD_NOT_MISMATCH)
        if receipt:
            card.receipt_key = ""
            card.save(update_fields=["receipt_key", "updated_at"])
        entry = _key_card(
            card=card,
            actor=actor,
            role=EntryRole.ADJUDICATION,
            rules=rules,
            identity=identity,
            district=district,
            document_kind=document_kind,
            selection=selection,
            receipt=receipt,
        )
        card.resolved_by = actor
        card.note = note[:300]
        card.save(update_fields=["resolved_by", "note", "updated_at"])
        _card_count(card=card, entry=entry, actor=actor)
    return card


def _card_count(*, card: PaperCard, entry: PaperEntry, actor: User) -> None:
    """Count a card whose keying is settled: roll mark and sealed envelope in one transaction
    (the mixer puts the ballot in the box later); then erase the entries' sealed content."""
    edition = card.edition
    rules = VotingRules.objects.get(edition=edition)
    content = keys.unseal(rules.envelope_salt, edition.pk, entry.sealed)
    identity = Identity(
        entry.person_key,
        entry.pesel_key,
        entry.address_key,
        content.get("a", ""),
        content.get("s", ""),
        bool(content.get("m")),
    )
    selection: Selection = {
        int(pool): [(pid, pts) for pid, pts in items] for pool, items in content["selection"]
    }
    try:
        lines = ballot_validate(
            rules=rules, edition=edition, district=entry.district, selection=selection
        )
    except VotingError:
        card.status = CardStatus.INVALID_RULES
    else:
        receipt = content.get("r") or new_receipt_code()
        sealed = keys.seal(
            rules.envelope_salt,
            edition.pk,
            _envelope_content(
                district=entry.district,
                channel=Channel.PAPER,
                identity=identity,
                receipt=receipt,
                lines=lines,
            ),
        )
        try:
            with transaction.atomic():
                VoterRollEntry.objects.create(
                    edition=edition,
                    person_key=identity.person_key,
                    pesel_key=identity.pesel_key,
                    address_key=identity.address_key,
                    channel=Channel.PAPER,
                    district=entry.district,
                    point=card.point,
                    minor_without_guardian=identity.minor_without_guardian,
                    voted_on=timezone.localdate(),
                )
                Envelope.objects.create(edition=edition, sealed=sealed)
            card.status = CardStatus.COUNTED
            edition_id = edition.pk
            transaction.on_commit(lambda: envelopes_mix_if_due(edition_id=edition_id))
        except IntegrityError:
            card.status = CardStatus.INVALID_DUPLICATE
            refused_attempt_record(
                edition=edition,
                channel=Channel.PAPER,
                reason="already_voted",
                point=card.point,
                identity=identity,
            )
    card.save(update_fields=["status", "updated_at"])
    PaperEntry.objects.filter(card=card).update(sealed="", fingerprint="")
    audit_log_append(
        actor=actor, action="voting.paper_card_settled", obj=card, after={"status": card.status}
    )


def paper_entry_view(*, entry: PaperEntry) -> dict[str, Any]:
    """What a keying says, opened for the commission's adjudication page (never stored open)."""
    if not entry.sealed:
        return {}
    rules = VotingRules.objects.get(edition_id=entry.card.edition_id)
    return keys.unseal(rules.envelope_salt, entry.card.edition_id, entry.sealed)


def paper_card_resolve(
    *, actor: User, card: PaperCard, choice: str, note: str = "", at: datetime | None = None
) -> PaperCard:
    """Settle a mismatched card after looking at the paper: entry "1" or "2" is right, or the
    card is invalid (illegible, no document). A third keying is ``paper_card_adjudicate``."""
    at = at or timezone.now()
    with transaction.atomic():
        card, _rules = _commission_card(actor, card, at)
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
            PaperEntry.objects.filter(card=card).update(sealed="", fingerprint="")
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
    """Close a voting point with its protocol: the tallies come from the keyed cards. Cards
    still half-keyed are listed as pending; the commission finishes them."""
    if not permissions.can_close_point(actor, point, at=at):
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


def voting_point_create(
    *, actor: User, edition: Edition, at: datetime | None = None, **values: Any
) -> VotingPoint:
    """A voting point, by the edition's coordinators, until the ballot box is closed."""
    at = at or timezone.now()
    if not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    if not permissions.can_create_point(actor, edition, at=at):
        raise VotingError(errors.POINTS_AFTER_CLOSE)
    coordinators = values.pop("coordinators", [])
    point = VotingPoint(edition=edition, **values)
    point.full_clean()
    point.save()
    if coordinators:
        point.coordinators.set(coordinators)
    audit_log_append(actor=actor, action="voting.point_created", obj=point, after=snapshot(point))
    return point


POINT_FIELDS = ("name", "address", "district", "hours", "step_free", "latitude", "longitude")


def _place_point(point: VotingPoint, edition: Edition) -> bool:
    """A point without a map position takes it from its address, when the city's address
    points hold that address (no geocoder on the internet); True when it did."""
    if point.latitude is None and point.longitude is None and point.address:
        from wspolnota.territory.selectors import address_locate

        located = address_locate(text=point.address, city=edition.city)
        if located is not None:
            point.latitude, point.longitude = located.latitude, located.longitude
            return True
    return False


def _check_point(point: VotingPoint, edition: Edition) -> None:
    """The point is in the edition's city, and its map position (if given, or found from its
    address) in its district."""
    if point.district.city_id != edition.city_id:
        raise VotingError(errors.POINT_DISTRICT_OTHER_CITY, field="district")
    from_address = _place_point(point, edition)
    if (point.latitude is None) != (point.longitude is None):
        raise VotingError(errors.POINT_LOCATION_PAIR, field="latitude")
    if point.latitude is not None and point.longitude is not None:
        from wspolnota.territory.selectors import district_for_point

        found = district_for_point(lat=float(point.latitude), lon=float(point.longitude))
        if found is None or found.pk != point.district_id:
            raise VotingError(
                errors.POINT_OUTSIDE_DISTRICT,
                field="address" if from_address else "latitude",
                params={"district": point.district.full_name},
            )


def voting_point_set_up(
    *, actor: User, edition: Edition, at: datetime | None = None, **values: Any
) -> VotingPoint:
    """A voting point from the set-up page: like ``voting_point_create``, with its map position
    checked against its district and every problem reported on its field."""
    at = at or timezone.now()
    if not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    candidate = VotingPoint(edition=edition, **{k: values[k] for k in POINT_FIELDS})
    _check_point(candidate, edition)
    values["latitude"], values["longitude"] = candidate.latitude, candidate.longitude
    try:
        return voting_point_create(actor=actor, edition=edition, at=at, **values)
    except ValidationError as exc:
        raise _validation_error(exc) from None


def voting_point_update(
    *, actor: User, point: VotingPoint, at: datetime | None = None, **values: Any
) -> VotingPoint:
    """Correct a point's name, address, hours, access, map position or coordinators, until the
    ballot box is closed. Once voting has begun its district stays: its cards are counted there."""
    at = at or timezone.now()
    edition = point.edition
    if not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_ALLOWED)
    if not permissions.can_create_point(actor, edition, at=at):
        raise VotingError(errors.POINTS_AFTER_CLOSE)
    point = VotingPoint.objects.select_related("district", "edition").get(pk=point.pk)
    before = {
        **snapshot(point),
        "coordinators": sorted(point.coordinators.values_list("pk", flat=True)),
    }
    coordinators = values.pop("coordinators", None)
    district = values.get("district", point.district)
    if district.pk != point.district_id and permissions.voting_has_started(edition, at=at):
        raise VotingError(errors.POINT_DISTRICT_LOCKED, field="district")
    for key, value in values.items():
        if key not in POINT_FIELDS:
            raise ValueError(f"not a field of a voting point: {key}")
        setattr(point, key, value)
    _check_point(point, edition)
    try:
        point.full_clean()
    except ValidationError as exc:
        raise _validation_error(exc) from None
    with transaction.atomic():
        point.save()
        if coordinators is not None:
            point.coordinators.set(coordinators)
        after = {
            **snapshot(point),
            "coordinators": sorted(point.coordinators.values_list("pk", flat=True)),
        }
        if after != before:
            audit_log_append(
                actor=actor, action="voting.point_changed", obj=point, before=before, after=after
            )
    return point


def _validation_error(exc: ValidationError) -> VotingError:
    """A model check (``full_clean``) as the app's error, on the first field it names."""
    for name, messages in exc.message_dict.items():
        return VotingError(messages[0], field=None if name == "__all__" else name)
    return VotingError(errors.NOT_ALLOWED)


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


def pool_instance(
    pool: Pool,
    *,
    rules: VotingRules,
    with_voter_data: bool = False,
    result: PoolResult | None = None,
) -> Any:
    """The pool's election as a votecount Instance: projects on the ballot and valid ballots in a
    fixed order (by ballot UUID); voter ids are positions, never ballot ids or receipt codes.

    With ``result`` (the published open data) the PROJECTS section also carries each project's
    ``votes``, ``score`` and ``selected`` from that count, and META the voting dates, so the file
    alone (with the published seed) lets anyone redo the count with votecount."""
    from votecount import Ballot as VcBallot
    from votecount import Project as VcProject

    project_rows = list(
        Project.objects.filter(pool=pool, status=ProjectStatus.ON_BALLOT).order_by(
            "sequence", "number", "id"
        )
    )
    codes = {p.pk: project_code(p) for p in project_rows}
    published: dict[str, dict[str, str]] = {}
    if result is not None:
        chosen = set(result.selected)
        for code in codes.values():
            tally = result.tally.get(code, {"votes": "0", "score": "0"})
            published[code] = {
                "votes": str(tally["votes"]),
                "score": str(tally["score"]),
                "selected": "1" if code in chosen else "0",
            }
    vc_projects = [
        VcProject(codes[p.pk], p.effective_cost, p.title, published.get(codes[p.pk], {}))
        for p in project_rows
    ]
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
    if result is not None:
        window = pool.edition.phase_window(Phase.VOTING)
        if window is not None:
            vote_meta["date_begin"] = timezone.localtime(window[0]).strftime("%d.%m.%Y")
            vote_meta["date_end"] = timezone.localtime(window[1]).strftime("%d.%m.%Y")
        vote_meta["language"] = "pl"
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


def receipts_digest(*, edition: Edition) -> tuple[str, int]:
    """SHA-256 of the sorted receipt codes in the box, and how many there are."""
    codes = sorted(BallotReceipt.objects.filter(edition=edition).values_list("code", flat=True))
    return hashlib.sha256("\n".join(codes).encode()).hexdigest(), len(codes)


def tie_seed_commitment(*, slug: str, nonce: str, seed: int) -> str:
    """The published commitment to the tie-lot seed: anyone recomputes it from the seed and the
    nonce revealed with the results (the nonce keeps the seed from being guessed earlier)."""
    return hashlib.sha256(f"wspolnota-tie-seed:{slug}:{nonce}:{seed}".encode()).hexdigest()


def _end_of_voting(edition: Edition) -> datetime | None:
    window = edition.phase_window(Phase.VOTING)
    return window[1] if window else None


def _fmt(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def ballot_box_close(
    *, actor: User | None, edition: Edition, at: datetime, seed: int | None = None
) -> VotingRules:
    """Close the ballot box after the end of voting: fix the tie-lot seed and publish its
    commitment (the seed itself is revealed with the results), then mix every online envelope
    still waiting. ``seed`` is for replays of past editions (commands); officials never pick it.
    """
    if actor is not None and not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_COMMISSION)
    end = _end_of_voting(edition)
    if end is None or at < end:
        raise VotingError(errors.NOT_ENDED, params={"end": _fmt(end) if end else "—"})
    with transaction.atomic():
        rules = VotingRules.objects.select_for_update().get(edition=edition)
        if rules.box_closed_at is not None:
            raise VotingError(errors.BOX_CLOSED)
        rules.tie_seed = seed if seed is not None else secrets.randbits(62)
        rules.tie_seed_nonce = secrets.token_hex(16)
        rules.tie_seed_commitment = tie_seed_commitment(
            slug=rules.slug, nonce=rules.tie_seed_nonce, seed=rules.tie_seed
        )
        rules.box_closed_at = at
        rules.save(
            update_fields=[
                "tie_seed",
                "tie_seed_nonce",
                "tie_seed_commitment",
                "box_closed_at",
                "updated_at",
            ]
        )
        audit_log_append(
            actor=actor,
            action="voting.box_closed",
            obj=rules,
            after={
                "box_closed_at": at.isoformat(),
                "tie_seed_commitment": rules.tie_seed_commitment,
            },
        )
    envelopes_mix(edition_id=edition.pk, final=True)
    return rules


def _count_refusal(edition: Edition, rules: VotingRules, at: datetime) -> VotingError | None:
    """Why the edition cannot be counted now (or None): before the end, before the box is
    closed, with a point still open or a paper card pending or disputed."""
    end = _end_of_voting(edition)
    if end is None or at < end:
        return VotingError(errors.NOT_CLOSED, params={"end": _fmt(end) if end else "—"})
    if rules.box_closed_at is None:
        return VotingError(errors.BOX_NOT_CLOSED)
    open_points = list(
        VotingPoint.objects.filter(edition=edition, closed_at__isnull=True).values_list(
            "name", flat=True
        )
    )
    if open_points:
        return VotingError(errors.POINTS_OPEN, params={"points": ", ".join(open_points)})
    pending = PaperCard.objects.filter(
        edition=edition, status__in=(CardStatus.AWAITING_SECOND, CardStatus.MISMATCH)
    ).count()
    if pending:
        return VotingError(errors.CARDS_PENDING, params={"count": pending})
    return None


def _pool_count(
    *, pool: Pool, rules: VotingRules, count_row: Count, witnesses: str, actor: User | None
) -> PoolResult:
    import votecount
    from votecount import TiePolicy, count

    instance = pool_instance(pool, rules=rules)
    seed = rules.tie_seed
    options: dict[str, Any] = dict(rules.counting_options)
    policy = TiePolicy.parse(rules.tie_breaking, seed=seed) if rules.tie_breaking else None
    if policy is None:
        default = count(instance, rule="from-file", **options).options.ties
        policy = TiePolicy(default.criteria if default else (), seed=seed)
    outcome = count(instance, rule="from-file", ties=policy, **options)
    lots = [t for t in outcome.ties if t.lot_drawn]
    if lots and not witnesses.strip():
        raise VotingError(errors.WITNESSES_REQUIRED, field="witnesses")
    points_of = instance.points_reader()
    votes: dict[str, int] = {pid: 0 for pid in instance.projects}
    score: dict[str, Any] = {pid: 0 for pid in instance.projects}
    for ballot in instance.ballots:
        for pid, pts in zip(ballot.projects, points_of(ballot), strict=True):
            votes[pid] += 1
            score[pid] += pts
    tally = {pid: {"votes": str(votes[pid]), "score": str(score[pid])} for pid in instance.projects}
    result = PoolResult.objects.create(
        count=count_row,
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
            seed=tie.seed if tie.seed is not None else (seed or 0),
            witnesses=witnesses.strip(),
        )
    return result


def _count_all(*, actor: User | None, edition: Edition, at: datetime, witnesses: str) -> Count:
    """Mix what is left, seal the box for good (erase the envelope salt) and count every pool
    under the fixed rule and the committed seed, as one new ``Count``."""
    envelopes_mix(edition_id=edition.pk, final=True)
    with transaction.atomic():
        rules = (
            VotingRules.objects.select_for_update().select_related("edition").get(edition=edition)
        )
        if rules.envelope_salt and not Envelope.objects.filter(edition=edition).exists():
            rules.envelope_salt = ""
            rules.save(update_fields=["envelope_salt", "updated_at"])
        number = (Count.objects.filter(edition=edition).aggregate(n=Max("number"))["n"] or 0) + 1
        digest, receipts = receipts_digest(edition=edition)
        count_row = Count.objects.create(
            edition=edition,
            number=number,
            counted_by=actor,
            witnesses=witnesses.strip(),
            receipts_sha256=digest,
            receipts_counted=receipts,
        )
        selected: dict[str, list[str]] = {}
        for pool in Pool.objects.filter(edition=edition).select_related("district", "edition"):
            result = _pool_count(
                pool=pool, rules=rules, count_row=count_row, witnesses=witnesses, actor=actor
            )
            selected[str(pool.label)] = list(result.selected)
        audit_log_append(
            actor=actor,
            action="voting.counted",
            obj=count_row,
            after={"number": number, "selected": selected, "receipts_sha256": digest},
        )
    return count_row


def edition_count(
    *, actor: User | None, edition: Edition, at: datetime, witnesses: str = ""
) -> Count:
    """Count every pool once the vote is closed (points closed, cards settled, box closed).
    Before publication a count may be repeated and gives the same result (same ballots, same
    committed seed); after publication only ``results_correct`` counts again."""
    if actor is not None and not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_COMMISSION)
    rules = VotingRules.objects.get(edition=edition)
    if rules.results_published_at is not None:
        raise VotingError(errors.ALREADY_PUBLISHED)
    refusal = _count_refusal(edition, rules, at)
    if refusal is not None:
        raise refusal
    return _count_all(actor=actor, edition=edition, at=at, witnesses=witnesses)


def latest_count(*, edition: Edition) -> Count | None:
    return Count.objects.filter(edition=edition).order_by("-number").first()


def _stale_pool(edition: Edition, rules: VotingRules, count_row: Count) -> str | None:
    """The label of a pool whose ballots differ from what ``count_row`` counted (or None)."""
    results = {r.pool_id: r for r in count_row.pool_results.all()}
    for pool in Pool.objects.filter(edition=edition).select_related("district", "edition"):
        result = results.get(pool.pk)
        if result is None or _input_sha256(pool_instance(pool, rules=rules)) != result.input_sha256:
            return str(pool.label)
    if receipts_digest(edition=edition)[0] != count_row.receipts_sha256:
        return "—"
    return None


def results_publish(*, actor: User | None, edition: Edition, at: datetime) -> Count:
    """Publish the latest count as version 1, with the receipt codes and the tie-lot seed, and
    open the winners' implementations in the same transaction (all or nothing). Refused when
    the ballots in the box are not exactly the ones that count read."""
    if actor is not None and not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_COMMISSION)
    with transaction.atomic():
        rules = (
            VotingRules.objects.select_for_update().select_related("edition").get(edition=edition)
        )
        if rules.results_published_at is not None:
            raise VotingError(errors.ALREADY_PUBLISHED)
        refusal = _count_refusal(edition, rules, at)
        if refusal is not None:
            raise refusal
        count_row = latest_count(edition=edition)
        if count_row is None:
            raise VotingError(errors.NOT_COUNTED)
        if Envelope.objects.filter(edition=edition).exists():
            raise VotingError(errors.COUNT_STALE, params={"pool": "—"})
        stale = _stale_pool(edition, rules, count_row)
        if stale is not None:
            raise VotingError(errors.COUNT_STALE, params={"pool": stale})
        before = snapshot(rules)
        rules.results_published_at = at
        rules.save(update_fields=["results_published_at", "updated_at"])
        count_row.version = 1
        count_row.published_at = at
        count_row.published_by = actor
        count_row.save(update_fields=["version", "published_at", "published_by", "updated_at"])
        audit_log_append(
            actor=actor,
            action="voting.results_published",
            obj=rules,
            before=before,
            after={**snapshot(rules), "count": count_row.number, "version": 1},
        )
        _open_implementations(
            edition=edition,
            project_ids=_selected_project_ids(edition, count_row.pool_results.all()),
            actor=actor,
        )
        _tell_project_followers(edition, count_row)
    return count_row


def results_correct(
    *, actor: User, edition: Edition, reason: str, at: datetime, witnesses: str = ""
) -> Count:
    """After publication nothing is recounted quietly: a correction counts again and publishes
    the result at once as the next version with its reason; earlier versions stay public."""
    if not permissions.coordinates_edition(actor, edition):
        raise VotingPermissionError(errors.NOT_COMMISSION)
    if not reason.strip():
        raise VotingError(errors.CORRECTION_REASON_REQUIRED, field="reason")
    rules = VotingRules.objects.get(edition=edition)
    if rules.results_published_at is None:
        raise VotingError(errors.NOT_PUBLISHED)
    with transaction.atomic():
        previous = (
            Count.objects.select_for_update()
            .filter(edition=edition, version__isnull=False)
            .order_by("-version")
            .first()
        )
        assert previous is not None and previous.version is not None
        count_row = _count_all(actor=actor, edition=edition, at=at, witnesses=witnesses)
        count_row.version = previous.version + 1
        count_row.published_at = at
        count_row.published_by = actor
        count_row.reason = reason.strip()
        count_row.save(
            update_fields=["version", "published_at", "published_by", "reason", "updated_at"]
        )
        audit_log_append(
            actor=actor,
            action="voting.results_corrected",
            obj=count_row,
            after={"version": count_row.version, "previous": previous.version},
            reason=reason.strip(),
        )
        _open_implementations(
            edition=edition,
            project_ids=_selected_project_ids(edition, count_row.pool_results.all()),
            actor=actor,
        )
        _tell_project_followers(edition, count_row)
    return count_row


def _selected_project_ids(edition: Edition, results: Any) -> list[int]:
    by_code = {project_code(p): p.pk for p in Project.objects.filter(edition=edition)}
    ids: list[int] = []
    for result in results:
        ids.extend(by_code[c] for c in result.selected if c in by_code)
    return ids


def _tell_project_followers(edition: Edition, count_row: Count) -> None:
    """Followers of the projects on the ballot hear whether each was selected (after commit)."""
    from wspolnota.budget.services import project_followers_tell

    results = list(count_row.pool_results.all())
    selected = set(_selected_project_ids(edition, results))
    counted = {
        p.pk
        for p in Project.objects.filter(edition=edition)
        if any(project_code(p) in result.tally for result in results)
    }
    event = f"vote:{count_row.version}"
    project_followers_tell(project_ids=sorted(selected), step="selected", event=event)
    project_followers_tell(project_ids=sorted(counted - selected), step="not_selected", event=event)


def _open_implementations(*, edition: Edition, project_ids: list[int], actor: User | None) -> None:
    """Hand the winners to implementation tracking, inside the caller's transaction: if it
    fails, the publication fails with it."""
    if not django_apps.is_installed("wspolnota.implementation"):
        return
    from wspolnota.implementation.services import implementations_open

    implementations_open(edition=edition, project_ids=project_ids, actor=actor)


# --------------------------------------------------------------------------- retention


def voting_personal_data_purge(*, now: datetime) -> dict[str, int]:
    """Apply the voter-roll retention period (``RETENTION_VOTER_ROLL_DAYS``, the one the privacy
    page names) to every edition whose results are published and whose vote ended that long
    ago: the roll, the paper keyings, the voters' district choices, refused attempts, identity
    claims and cast codes are deleted, and the edition's identity salt is erased so that no key
    left anywhere (a backup) can be recomputed. Ballots, receipts and results stay: they hold
    nobody. Turnout is then read from the ballots in the box. The supporters' names, dates of
    birth and addresses given for the edition's projects go too (their counts stay)."""
    from wspolnota.budget import services as budget_services

    days = settings.RETENTION_DAYS["voter_roll"]
    purged = {
        "editions": 0,
        "roll": 0,
        "paper_entries": 0,
        "districts": 0,
        "attempts": 0,
        "supporters": 0,
    }
    candidates = VotingRules.objects.filter(
        results_published_at__isnull=False, roll_purged_at__isnull=True
    ).select_related("edition")
    for rules in candidates:
        edition = rules.edition
        end = (
            EditionPhase.objects.filter(edition=edition, kind=Phase.VOTING)
            .values_list("ends_at", flat=True)
            .first()
        )
        if end is None or end + timedelta(days=days) > now:
            continue
        with transaction.atomic():
            purged["roll"] += VoterRollEntry.objects.filter(edition=edition).delete()[0]
            purged["paper_entries"] += PaperEntry.objects.filter(card__edition=edition).delete()[0]
            PaperCard.objects.filter(edition=edition).update(receipt_key="")
            purged["districts"] += VoterDistrict.objects.filter(edition=edition).delete()[0]
            purged["attempts"] += RefusedAttempt.objects.filter(edition=edition).delete()[0]
            purged["attempts"] += IdentityClaim.objects.filter(edition=edition).delete()[0]
            CastCode.objects.filter(edition=edition).delete()
            purged["supporters"] += budget_services.supporters_personal_data_purge(edition=edition)
            rules.identity_salt = ""
            rules.envelope_salt = ""
            rules.roll_purged_at = now
            rules.save(
                update_fields=["identity_salt", "envelope_salt", "roll_purged_at", "updated_at"]
            )
            audit_log_append(
                actor=None,
                action="voting.roll_purged",
                obj=rules,
                after={"retention_days": days, **purged},
            )
        purged["editions"] += 1
    return purged
