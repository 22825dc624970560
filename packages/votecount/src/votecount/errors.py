"""The one error family of votecount.

Every error a resident, an official or an auditor can meet carries a message in plain words;
format errors also name the line and the field, so a broken file can be fixed by hand.
"""

from __future__ import annotations


class VotecountError(Exception):
    """Base class of every error raised on purpose by votecount."""


class PbFormatError(VotecountError):
    """A .pb file (or an in-memory election) breaks the Pabulib format.

    ``line`` is 1-based (``None`` when the problem is not tied to one line) and ``field`` names the
    META key or the column at fault.
    """

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        self.message = message
        self.line = line
        self.field = field
        where = []
        if line is not None:
            where.append(f"line {line}")
        if field is not None:
            where.append(f"field '{field}'")
        prefix = f"{', '.join(where)}: " if where else ""
        super().__init__(f"{prefix}{message}")


class TieError(VotecountError):
    """Projects were exactly tied and the tie-breaking policy could not separate them."""

    def __init__(self, message: str, *, projects: tuple[str, ...]) -> None:
        self.projects = projects
        super().__init__(message)


class RuleError(VotecountError):
    """A rule was asked for with options that do not fit the election (for example MES on a
    file whose rule is unknown, or point utilities on approval ballots)."""
