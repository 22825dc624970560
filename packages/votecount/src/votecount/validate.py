"""Ballot constraints of the Pabulib format and consistency checks of declared counts."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction

from votecount.model import Instance, Issue, VoteType


def validate_ballots(instance: Instance, ballot_lines: list[int] | None = None) -> Iterator[Issue]:
    """Yield an error for every ballot that breaks the election's constraints.

    Checked: projects that do not exist; a project twice in one ballot (reported by the reader,
    which keeps it once); ``min_length``/``max_length``; ``min_sum_cost``/``max_sum_cost`` for
    approval; ``min_points``/``max_points`` per project and ``min_sum_points``/
    ``max_sum_points`` for cumulative and scoring ballots; exactly one project for choose-1.
    """
    vote_type = instance.vote_type
    min_length = instance.meta_number("min_length")
    max_length = instance.meta_number("max_length")
    if vote_type == VoteType.CHOOSE_1:
        min_length = Decimal(1) if min_length is None else min_length
        max_length = Decimal(1)
    min_sum_cost = instance.meta_number("min_sum_cost")
    max_sum_cost = instance.meta_number("max_sum_cost")
    min_points = instance.meta_number("min_points")
    max_points = instance.meta_number("max_points")
    min_sum_points = instance.meta_number("min_sum_points")
    max_sum_points = instance.meta_number("max_sum_points")
    has_points = vote_type in (VoteType.CUMULATIVE, VoteType.SCORING)
    if vote_type == VoteType.CUMULATIVE and min_points is None:
        min_points = Decimal(0)
    # a length is a whole number: compare it with whole numbers (faster than with Decimals)
    length_low = math.ceil(min_length) if min_length is not None else 0
    length_high = math.floor(max_length) if max_length is not None else 0
    projects = instance.projects
    for index, ballot in enumerate(instance.ballots):
        line = ballot_lines[index] if ballot_lines is not None else None
        for pid in ballot.projects:
            if pid not in projects:
                yield Issue(
                    "error", f"voter {ballot.voter_id}: unknown project '{pid}'", line, "vote"
                )
        length = len(ballot.projects)
        if min_length is not None and length < length_low:
            yield Issue(
                "error",
                f"voter {ballot.voter_id}: {length} projects, fewer than min_length {min_length}",
                line,
                "vote",
            )
        if max_length is not None and length > length_high:
            yield Issue(
                "error",
                f"voter {ballot.voter_id}: {length} projects, more than max_length {max_length}",
                line,
                "vote",
            )
        if vote_type == VoteType.APPROVAL and (
            min_sum_cost is not None or max_sum_cost is not None
        ):
            total = sum((projects[p].cost for p in ballot.projects if p in projects), Decimal(0))
            if min_sum_cost is not None and total < min_sum_cost:
                yield Issue(
                    "error",
                    f"voter {ballot.voter_id}: cost {total} below min_sum_cost",
                    line,
                    "vote",
                )
            if max_sum_cost is not None and total > max_sum_cost:
                yield Issue(
                    "error",
                    f"voter {ballot.voter_id}: cost {total} above max_sum_cost",
                    line,
                    "vote",
                )
        if has_points:
            if ballot.points is None:
                yield Issue(
                    "error",
                    f"voter {ballot.voter_id}: {vote_type.value} ballots need points",
                    line,
                    "points",
                )
                continue
            for pid, pts in zip(ballot.projects, ballot.points, strict=True):
                if min_points is not None and pts < min_points:
                    yield Issue(
                        "error",
                        f"voter {ballot.voter_id}: {pts} points for {pid}, below min_points {min_points}",
                        line,
                        "points",
                    )
                if max_points is not None and pts > max_points:
                    yield Issue(
                        "error",
                        f"voter {ballot.voter_id}: {pts} points for {pid}, above max_points {max_points}",
                        line,
                        "points",
                    )
            total_points = sum(ballot.points, Decimal(0))
            if min_sum_points is not None and total_points < min_sum_points:
                yield Issue(
                    "error",
                    f"voter {ballot.voter_id}: {total_points} points in all, below min_sum_points {min_sum_points}",
                    line,
                    "points",
                )
            if max_sum_points is not None and total_points > max_sum_points:
                yield Issue(
                    "error",
                    f"voter {ballot.voter_id}: {total_points} points in all, above max_sum_points {max_sum_points}",
                    line,
                    "points",
                )
        elif ballot.points is not None and vote_type != VoteType.ORDINAL:
            # Points on approval / choose-1 ballots carry no meaning; they are kept but unused.
            continue


def check_declared_counts(instance: Instance) -> Iterator[Issue]:
    """Warn where a project's ``votes`` or ``score`` column differs from the ballots."""
    votes: Counter[str] = Counter()
    score: dict[str, Fraction] = {}
    for ballot in instance.ballots:
        points = instance.ballot_points(ballot)
        for pid, pts in zip(ballot.projects, points, strict=True):
            votes[pid] += 1
            score[pid] = score.get(pid, Fraction(0)) + pts
    for pid, project in instance.projects.items():
        for column, computed in (
            ("votes", Fraction(votes[pid])),
            ("score", score.get(pid, Fraction(0))),
        ):
            raw = project.extra.get(column, "").strip()
            if not raw:
                continue
            try:
                declared = Fraction(Decimal(raw))
            except ArithmeticError:
                yield Issue(
                    "warning", f"project {pid}: {column} '{raw}' is not a number", None, column
                )
                continue
            if declared != computed:
                yield Issue(
                    "warning",
                    f"project {pid}: the file declares {column} {raw}, the ballots give "
                    f"{_fmt(computed)}",
                    None,
                    column,
                )


def _fmt(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))
