"""Tie-breaking by an explicit, ordered policy, with every tie recorded.

A policy is a sequence of criteria applied in order until one project is left, for example
``("min-cost", "max-votes", "lot")`` (the equalshares.net recommendation). ``lot`` draws at
random from a generator seeded with a recorded seed, so anyone can redo the draw. A policy that
does not end in ``lot`` (or ``id-order``) raises :class:`TieError` when a decisive tie is left.

Each draw uses its own generator derived from the seed and the tied project ids, so the result of
a draw does not depend on how many other ties came before it.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from votecount.errors import TieError


class Criterion(StrEnum):
    MIN_COST = "min-cost"
    MAX_COST = "max-cost"
    MAX_VOTES = "max-votes"
    MAX_SCORE = "max-score"
    MAX_FIRST_PLACES = "max-first-places"
    ID_ORDER = "id-order"
    LOT = "lot"


CRITERION_TEXT = {
    Criterion.MIN_COST: ("the lowest cost", "najniższy koszt"),
    Criterion.MAX_COST: ("the highest cost", "najwyższy koszt"),
    Criterion.MAX_VOTES: ("the most votes", "najwięcej głosów"),
    Criterion.MAX_SCORE: ("the most points", "najwięcej punktów"),
    Criterion.MAX_FIRST_PLACES: (
        "the most first places (top-points votes)",
        "najwięcej pierwszych miejsc (głosów za najwyższą liczbę punktów)",
    ),
    Criterion.ID_ORDER: ("the first project id in alphabetical order", "pierwszy numer projektu"),
    Criterion.LOT: ("a lot drawn with the recorded seed", "losowanie z zapisanym ziarnem"),
}

DEFAULT_POLICY: tuple[Criterion, ...] = (Criterion.MIN_COST, Criterion.MAX_VOTES, Criterion.LOT)


@dataclass(frozen=True)
class TiePolicy:
    """An ordered list of criteria and the seed used by ``lot``.

    ``TiePolicy(())`` means "error on every decisive tie".
    """

    criteria: tuple[Criterion, ...] = DEFAULT_POLICY
    seed: int | None = None

    @classmethod
    def parse(cls, text: str, seed: int | None = None) -> TiePolicy:
        """Parse ``"min-cost,max-votes,lot"``; ``"error"`` gives the empty policy."""
        text = text.strip()
        if text in ("", "error"):
            return cls((), seed)
        criteria = []
        for part in text.split(","):
            name = part.strip()
            try:
                criteria.append(Criterion(name))
            except ValueError:
                known = ", ".join(c.value for c in Criterion)
                raise ValueError(
                    f"unknown tie-breaking criterion '{name}' (known: {known})"
                ) from None
        return cls(tuple(criteria), seed)

    def describe(self) -> str:
        return ",".join(c.value for c in self.criteria) if self.criteria else "error"


@dataclass
class TieRecord:
    """One tie met during the count and how it was resolved."""

    context: str
    tied: tuple[str, ...]
    order: tuple[str, ...]
    steps: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    lot_drawn: bool = False
    seed: int | None = None
    decisive: bool = True

    def to_json(self) -> dict[str, object]:
        return {
            "context": self.context,
            "tied": list(self.tied),
            "order": list(self.order),
            "steps": [{"criterion": c, "remaining": list(r)} for c, r in self.steps],
            "lot_drawn": self.lot_drawn,
            "seed": self.seed,
            "decisive": self.decisive,
        }


@dataclass
class ProjectStats:
    """What the criteria look at: cost, votes, score and first places of each project."""

    cost: Mapping[str, Fraction]
    votes: Mapping[str, int]
    score: Mapping[str, Fraction]
    first_places: Mapping[str, int]


class TieBreaker:
    """Applies a :class:`TiePolicy` and keeps the :class:`TieRecord` list of a count."""

    def __init__(self, policy: TiePolicy, stats: ProjectStats) -> None:
        self.policy = policy
        self.stats = stats
        self.records: list[TieRecord] = []
        self._seed: int | None = policy.seed

    @property
    def seed(self) -> int:
        """The seed of the lot; chosen at random (and recorded) the first time it is needed."""
        if self._seed is None:
            self._seed = secrets.randbits(63)
        return self._seed

    def _key(self, criterion: Criterion) -> Callable[[str], object]:
        stats = self.stats
        if criterion == Criterion.MIN_COST:
            return lambda p: stats.cost[p]
        if criterion == Criterion.MAX_COST:
            return lambda p: -stats.cost[p]
        if criterion == Criterion.MAX_VOTES:
            return lambda p: -stats.votes[p]
        if criterion == Criterion.MAX_SCORE:
            return lambda p: -stats.score[p]
        if criterion == Criterion.MAX_FIRST_PLACES:
            return lambda p: -stats.first_places[p]
        return lambda p: p

    def order(
        self, tied: Iterable[str], *, context: str, decisive: bool = True, record: bool = True
    ) -> list[str]:
        """Order tied projects from first to last by the policy, recording the tie.

        Raises :class:`TieError` if the policy cannot separate them and the tie is decisive.
        """
        candidates = sorted(set(tied))
        if len(candidates) < 2:
            return candidates
        steps: list[tuple[str, tuple[str, ...]]] = []
        lot = False
        groups: list[list[str]] = [candidates]
        for criterion in self.policy.criteria:
            if all(len(g) == 1 for g in groups):
                break
            new_groups: list[list[str]] = []
            for group in groups:
                if len(group) == 1:
                    new_groups.append(group)
                    continue
                if criterion == Criterion.LOT:
                    lot = True
                    new_groups.extend([p] for p in self._draw(group, context))
                    continue
                key = self._key(criterion)
                buckets: dict[object, list[str]] = {}
                for p in sorted(group, key=key):  # type: ignore[arg-type]
                    buckets.setdefault(key(p), []).append(p)
                new_groups.extend(buckets.values())
            groups = new_groups
            steps.append((criterion.value, tuple(groups[0])))
        unresolved = any(len(g) > 1 for g in groups)
        flat = tuple(p for g in groups for p in g)
        if unresolved and decisive:
            left = next(g for g in groups if len(g) > 1)
            raise TieError(
                f"{context}: projects {', '.join(left)} are exactly tied and the tie-breaking "
                f"policy '{self.policy.describe()}' cannot separate them",
                projects=tuple(left),
            )
        if record:
            self.records.append(
                TieRecord(
                    context=context,
                    tied=tuple(candidates),
                    order=flat,
                    steps=steps,
                    lot_drawn=lot,
                    seed=self.seed if lot else None,
                    decisive=decisive,
                )
            )
        return list(flat)

    def _draw(self, group: Sequence[str], context: str) -> list[str]:
        digest = hashlib.sha256(f"{self.seed}|{'|'.join(sorted(group))}".encode()).digest()
        rng = random.Random(int.from_bytes(digest[:8], "big"))
        drawn = sorted(group)
        rng.shuffle(drawn)
        return drawn
