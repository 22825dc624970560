"""The election as data: projects, ballots and the instance that holds them.

An :class:`Instance` keeps everything a Pabulib file says (every META key, every column, in their
order), so that reading, writing and reading again gives the same instance. Money is
:class:`~decimal.Decimal`; nothing here is ever a float.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction

from votecount.errors import PbFormatError


class VoteType(StrEnum):
    """The ballot formats of the Pabulib format."""

    APPROVAL = "approval"
    ORDINAL = "ordinal"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"
    CHOOSE_1 = "choose-1"


#: META keys whose value is a number checked when the instance is built.
NUMERIC_META_KEYS = (
    "budget",
    "num_projects",
    "num_votes",
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
)

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def parse_decimal(text: str, *, what: str, line: int | None = None) -> Decimal:
    """Parse an exact decimal number (no floats, no NaN, no infinities, no thousands separators)."""
    value = text.strip()
    if not _NUMBER.fullmatch(value):
        raise PbFormatError(f"'{text}' is not a number", line=line, field=what)
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the regex already rules this out
        raise PbFormatError(f"'{text}' is not a number", line=line, field=what) from exc


def format_decimal(value: Decimal) -> str:
    """Write a decimal the way Pabulib files do: ``1000`` not ``1E+3``, ``12.50`` kept as is."""
    return format(value, "f")


@dataclass(frozen=True, slots=True)
class Project:
    """One project on the ballot.

    ``extra`` holds every other column of the PROJECTS section as text (``votes``, ``score``,
    ``selected``, ``category``, coordinates, …), keyed by column name; empty cells are left out.
    """

    id: str
    cost: Decimal
    name: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            raise PbFormatError("a project id must be a non-empty string", field="project_id")
        if not isinstance(self.cost, Decimal):
            # a caller passed an int or a str despite the annotation
            object.__setattr__(self, "cost", Decimal(self.cost))  # type: ignore[unreachable]
        if not self.cost.is_finite() or self.cost < 0:
            raise PbFormatError(
                f"project {self.id}: the cost must be a finite number >= 0", field="cost"
            )

    @property
    def declared_selected(self) -> int | None:
        """The ``selected`` column of the file (1 = chosen by the official count), if any."""
        raw = self.extra.get("selected", "").strip()
        return int(raw) if raw.lstrip("-").isdigit() else None


@dataclass(slots=True)
class Ballot:
    """One voter's ballot (treat it as read-only once built).

    ``projects`` is the order written on the ballot (the ranking for ordinal ballots). ``points``
    is given for cumulative and scoring ballots, in the same order. ``extra`` keeps the other
    columns of the VOTES section (age, sex, voting method, …) as text; votecount never uses them.
    """

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[Decimal, ...] | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        voter_id: str,
        projects: Iterable[str],
        points: Iterable[Decimal | int | str] | None = None,
        **extra: str,
    ) -> Ballot:
        """Convenience constructor: ``Ballot.of("v1", ["a", "b"], [2, 1])``."""
        ids = tuple(projects)
        pts = None if points is None else tuple(Decimal(p) for p in points)
        if pts is not None and len(pts) != len(ids):
            raise PbFormatError(
                f"voter {voter_id}: {len(ids)} projects but {len(pts)} points", field="points"
            )
        return cls(voter_id, ids, pts, dict(extra))


@dataclass(frozen=True, slots=True)
class Issue:
    """Something found while reading or checking a file. ``severity`` is 'error' or 'warning'."""

    severity: str
    message: str
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        prefix = f"{', '.join(where)}: " if where else ""
        return f"{self.severity}: {prefix}{self.message}"


@dataclass(eq=False)
class Instance:
    """A participatory-budgeting election: META, PROJECTS and VOTES.

    Build one in memory with :meth:`Instance.build`; read one from a .pb file with
    :func:`votecount.read_pb`. Two instances are equal when they hold the same META entries,
    projects, ballots and columns (reading diagnostics in ``issues`` are ignored).
    """

    meta: dict[str, str]
    projects: dict[str, Project]
    ballots: list[Ballot]
    project_columns: tuple[str, ...] = ("project_id", "cost", "name")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")
    issues: list[Issue] = field(default_factory=list)
    meta_lines: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in ("budget", "vote_type"):
            if key not in self.meta:
                raise PbFormatError("META must give this key", field=key, line=None)
        for key in NUMERIC_META_KEYS:
            if key in self.meta and self.meta[key].strip() != "":
                parse_decimal(self.meta[key], what=key, line=self.meta_lines.get(key))
        vote_type = self.meta["vote_type"].strip()
        try:
            VoteType(vote_type)
        except ValueError:
            raise PbFormatError(
                f"unknown vote type '{vote_type}' (expected one of "
                f"{', '.join(v.value for v in VoteType)})",
                field="vote_type",
                line=self.meta_lines.get("vote_type"),
            ) from None
        if self.budget < 0:
            raise PbFormatError("the budget must be >= 0", field="budget")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Instance):
            return NotImplemented
        return (
            self.meta == other.meta
            and list(self.meta) == list(other.meta)
            and self.projects == other.projects
            and list(self.projects) == list(other.projects)
            and self.ballots == other.ballots
            and self.project_columns == other.project_columns
            and self.vote_columns == other.vote_columns
        )

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ typed META accessors
    @property
    def budget(self) -> Decimal:
        return parse_decimal(self.meta["budget"], what="budget")

    @property
    def vote_type(self) -> VoteType:
        return VoteType(self.meta["vote_type"].strip())

    @property
    def rule(self) -> str | None:
        value = self.meta.get("rule", "").strip()
        return value or None

    def meta_number(self, key: str) -> Decimal | None:
        """A numeric META value, or ``None`` when the key is absent or empty."""
        raw = self.meta.get(key, "").strip()
        if not raw:
            return None
        return parse_decimal(raw, what=key, line=self.meta_lines.get(key))

    @property
    def num_voters(self) -> int:
        return len(self.ballots)

    # ------------------------------------------------------------------ ballots as numbers
    def max_length(self) -> int:
        value = self.meta_number("max_length")
        return int(value) if value is not None else len(self.projects)

    def ballot_points(self, ballot: Ballot) -> tuple[Fraction, ...]:
        """The points a ballot gives each of its projects, as exact fractions.

        Approval and choose-1 ballots give 1 point per project; ordinal ballots use the Borda
        scoring of the Pabulib format (the first of ``max_length`` places gets ``max_length``
        points, the next one point less: Kraków's 3-2-1); cumulative and scoring ballots give the
        points written in the file.
        """
        return self.points_reader()(ballot)

    def points_reader(self) -> Callable[[Ballot], tuple[Fraction, ...]]:
        """A fast function giving :meth:`ballot_points` (it caches what repeats across ballots)."""
        vote_type = self.vote_type
        if vote_type in (VoteType.CUMULATIVE, VoteType.SCORING):
            cache: dict[Decimal, Fraction] = {}

            def written(ballot: Ballot) -> tuple[Fraction, ...]:
                if ballot.points is None:
                    raise PbFormatError(
                        f"voter {ballot.voter_id}: {vote_type.value} ballots need points",
                        field="points",
                    )
                out = []
                for p in ballot.points:
                    f = cache.get(p)
                    if f is None:
                        f = cache[p] = Fraction(p)
                    out.append(f)
                return tuple(out)

            return written
        if vote_type == VoteType.ORDINAL:
            scoring = self.meta.get("scoring_fn", "").strip().lower()
            if scoring not in ("", "borda"):
                raise PbFormatError(
                    f"scoring function '{scoring}' is not supported (only Borda)",
                    field="scoring_fn",
                )
            top = self.max_length()
            by_length: dict[int, tuple[Fraction, ...]] = {}

            def borda(ballot: Ballot) -> tuple[Fraction, ...]:
                n = len(ballot.projects)
                pts = by_length.get(n)
                if pts is None:
                    pts = by_length[n] = tuple(Fraction(max(top - r, 0)) for r in range(n))
                return pts

            return borda
        ones: dict[int, tuple[Fraction, ...]] = {}

        def approval(ballot: Ballot) -> tuple[Fraction, ...]:
            n = len(ballot.projects)
            pts = ones.get(n)
            if pts is None:
                pts = ones[n] = (Fraction(1),) * n
            return pts

        return approval

    # ------------------------------------------------------------------ construction
    @classmethod
    def build(
        cls,
        *,
        budget: Decimal | int | str,
        projects: Iterable[Project],
        ballots: Iterable[Ballot],
        vote_type: VoteType | str = VoteType.APPROVAL,
        rule: str | None = None,
        meta: Mapping[str, str] | None = None,
    ) -> Instance:
        """Build an instance in memory (for example from the platform's own ballots).

        ``meta`` may add any other META keys (``min_length``, ``max_sum_points``, ``unit``, …).
        The number of projects and of votes are filled in.
        """
        project_list = list(projects)
        ballot_list = list(ballots)
        by_id: dict[str, Project] = {}
        for project in project_list:
            if project.id in by_id:
                raise PbFormatError(f"project id '{project.id}' is used twice", field="project_id")
            by_id[project.id] = project
        full_meta: dict[str, str] = {
            "num_projects": str(len(project_list)),
            "num_votes": str(len(ballot_list)),
            "budget": format_decimal(Decimal(budget)),
            "vote_type": VoteType(vote_type).value,
        }
        if rule is not None:
            full_meta["rule"] = rule
        for key, value in (meta or {}).items():
            if key in full_meta and key != "rule":
                raise PbFormatError("pass this as an argument, not in meta", field=key)
            full_meta[key] = str(value)
        project_columns = ["project_id", "cost", "name"]
        for project in project_list:
            for key in project.extra:
                if key not in project_columns:
                    project_columns.append(key)
        vote_columns = ["voter_id", "vote"]
        if any(b.points is not None for b in ballot_list):
            vote_columns.append("points")
        for ballot in ballot_list:
            for key in ballot.extra:
                if key not in vote_columns:
                    vote_columns.append(key)
        instance = cls(
            meta=full_meta,
            projects=by_id,
            ballots=ballot_list,
            project_columns=tuple(project_columns),
            vote_columns=tuple(vote_columns),
        )
        from votecount.validate import validate_ballots

        errors = [i for i in validate_ballots(instance) if i.severity == "error"]
        if errors:
            raise PbFormatError(errors[0].message, line=errors[0].line, field=errors[0].field)
        return instance
