"""A school's election to the Youth Council by single-use class codes (issue 22).

The codes are the schools app's (``schools.codes``: one box per election, a group per class,
sheets printed once); this module adds the election: the candidates, the seats, the count and
the record it leaves (``SchoolElection`` and the winners' ``Membership``).

The count is plurality: each ballot names up to ``seats`` candidates, the ``seats`` with the
most votes win. Ties are broken by a lot drawn at the close and published with the result: a
random order of all candidates, the earlier one wins a tie.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.councils import errors, permissions, services
from wspolnota.councils.errors import CouncilsError
from wspolnota.councils.models import BodyKind, SchoolElectionVote, Term
from wspolnota.schools import codes
from wspolnota.schools.models import BoxKind, CodeSheet, VoteCode

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

MAX_CANDIDATES = 40


def _require(actor: User | None, term: Term) -> None:
    if actor is not None and not permissions.can_run_school_vote(actor, term.body):
        raise services._deny()


def _audit(actor: User | None, action: str, obj: Any, before: dict[str, Any] | None) -> None:
    audit_log_append(
        actor=actor, action=f"councils.{action}", obj=obj, before=before, after=snapshot(obj)
    )


def school_vote_open(
    *,
    actor: User | None,
    term: Term,
    school_name: str,
    candidates: list[str],
    seats: int,
    opens_at: datetime,
    closes_at: datetime,
) -> SchoolElectionVote:
    _require(actor, term)
    if term.body.kind != BodyKind.YOUTH_COUNCIL:
        raise CouncilsError(errors.SCHOOL_ELECTION_WRONG_BODY)
    names = [" ".join(str(c).split()) for c in candidates]
    names = [n[:150] for n in names if n]
    if not names or len(names) > MAX_CANDIDATES:
        raise CouncilsError(errors.SCHOOL_VOTE_CANDIDATES, field="candidates")
    if len({n.casefold() for n in names}) != len(names):
        raise CouncilsError(errors.SCHOOL_VOTE_DUPLICATE, field="candidates")
    if not 1 <= seats <= len(names):
        raise CouncilsError(errors.SCHOOL_VOTE_SEATS, field="seats")
    if closes_at <= opens_at:
        raise CouncilsError(errors.SCHOOL_VOTE_WINDOW, field="closes_at")
    school_name = " ".join(school_name.split())
    with transaction.atomic():
        box = codes.code_box_open(
            kind=BoxKind.YOUTH_COUNCIL,
            title=f"{term.body.name}: {school_name}"[:200],
            opens_at=opens_at,
            closes_at=closes_at,
        )
        vote = SchoolElectionVote(
            term=term, school_name=school_name, box=box, candidates=names, seats=seats
        )
        services._clean(vote)
        vote.save()
        _audit(actor, "school_vote_opened", vote, None)
    return vote


def school_vote_sheet_issue(
    *, actor: User | None, vote: SchoolElectionVote, label: str, size: int
) -> codes.IssuedSheet:
    """A sheet of codes for a class (the codes exist only in the answer: print them)."""
    _require(actor, vote.term)
    if vote.box.closed:
        raise CouncilsError(errors.SCHOOL_VOTE_CLOSED)
    with transaction.atomic():
        group = codes.code_group_add(box=vote.box, label=label)
        return codes.code_sheet_issue(actor=actor, group=group, size=size)


def _sheet_of(actor: User | None, vote: SchoolElectionVote, sheet: CodeSheet) -> None:
    _require(actor, vote.term)
    if sheet.group.box_id != vote.box_id:
        raise services._deny()  # another election's sheet is nobody's business here
    if vote.box.closed:
        raise CouncilsError(errors.SCHOOL_VOTE_CLOSED)


def school_vote_sheet_void(
    *, actor: User | None, vote: SchoolElectionVote, sheet: CodeSheet, reason: str, at: datetime
) -> None:
    """A lost or stolen sheet: its unused codes are refused at the vote from now on (the void
    is audit-logged by ``codes.code_sheet_void``)."""
    _sheet_of(actor, vote, sheet)
    codes.code_sheet_void(actor=actor, sheet=sheet, reason=reason, at=at)


def school_vote_sheet_reprint(
    *, actor: User | None, vote: SchoolElectionVote, sheet: CodeSheet, reason: str, at: datetime
) -> codes.IssuedSheet:
    """Void a lost sheet and issue its replacement: new codes, as many as were still unused on
    it (the codes exist only in the answer: print them)."""
    _sheet_of(actor, vote, sheet)
    return codes.code_sheet_reprint(actor=actor, sheet=sheet, reason=reason, at=at)


def school_vote_cast(
    *, vote: SchoolElectionVote, code: str, picks: list[int], at: datetime
) -> None:
    """A pupil's ballot: up to ``seats`` distinct candidates (their positions on the list). The
    ballot holds the candidates' names only, never the code."""
    chosen = sorted(set(picks))
    if (
        not chosen
        or len(chosen) != len(picks)
        or len(chosen) > vote.seats
        or any(not 0 <= p < len(vote.candidates) for p in chosen)
    ):
        raise CouncilsError(errors.SCHOOL_VOTE_PICKS, field="picks", params={"seats": vote.seats})
    codes.code_cast(
        box=vote.box, code=code, content={"c": [vote.candidates[p] for p in chosen]}, at=at
    )


@dataclass(frozen=True)
class Standing:
    name: str
    votes: int
    lot: int  # position in the drawn lot (1 = first)
    elected: bool


def standings(vote: SchoolElectionVote) -> list[Standing]:
    return [Standing(**row) for row in vote.tally]


def _count(
    candidates: list[str], ballots: list[dict[str, Any]], seats: int, lot: list[str]
) -> list[dict[str, Any]]:
    votes = dict.fromkeys(candidates, 0)
    for ballot in ballots:
        for name in ballot.get("c", []):
            if name in votes:
                votes[name] += 1
    place = {name: i + 1 for i, name in enumerate(lot)}
    order = sorted(candidates, key=lambda n: (-votes[n], place[n]))
    return [
        {"name": n, "votes": votes[n], "lot": place[n], "elected": i < seats}
        for i, n in enumerate(order)
    ]


def school_vote_close(
    *,
    actor: User | None,
    vote: SchoolElectionVote,
    at: datetime,
    rng: random.Random | None = None,
) -> SchoolElectionVote:
    """After the end: close the box, count, draw the lot, record the ``SchoolElection`` (codes
    valid as the eligible, codes used as the votes cast) and the winners' seats. All or
    nothing."""
    _require(actor, vote.term)
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        locked = SchoolElectionVote.objects.select_for_update().get(pk=vote.pk)
        if locked.election_id is not None:
            raise CouncilsError(errors.SCHOOL_VOTE_CLOSED)
        before = snapshot(locked)
        codes.code_box_close(box=locked.box, at=at)
        ballots = codes.code_ballots(box=locked.box)
        lot = list(locked.candidates)
        rng.shuffle(lot)
        tally = _count(locked.candidates, ballots, locked.seats, lot)
        valid = VoteCode.objects.filter(box=locked.box).filter(
            Q(sheet__voided_at__isnull=True) | Q(used=True)
        )
        election = services.school_election_record(
            actor=actor,
            term=locked.term,
            school_name=locked.school_name,
            held_on=timezone.localdate(locked.box.closes_at),
            eligible_voters=valid.count(),
            votes_cast=valid.filter(used=True).count(),
            seats=locked.seats,
        )
        for row in tally:
            if row["elected"]:
                services.membership_add(
                    actor=actor,
                    term=locked.term,
                    person_name=row["name"],
                    school_election=election,
                    starts_on=max(locked.term.starts_on, election.held_on),
                )
        locked.lot = lot
        locked.tally = tally
        locked.election = election
        locked.save(update_fields=["lot", "tally", "election", "updated_at"])
        _audit(actor, "school_vote_closed", locked, before)
    vote.refresh_from_db()
    return vote
