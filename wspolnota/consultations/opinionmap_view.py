"""The opinion map for the page: an SVG picture, its legend, and the same content as text and tables.

Every number is said in plain words ("78% of group A agree, against 20% of the rest"); each
group has its own colour and its own marker shape, so the map does not rely on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from wspolnota.consultations.models import OpinionMap, Statement

# Colour-blind-safe palette (Okabe–Ito), each at least 3:1 against white.
GROUP_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00"]
GROUP_SHAPES = ["circle", "square", "triangle", "diamond", "cross"]
GROUP_LETTERS = "ABCDE"


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@dataclass
class Dot:
    x: float
    y: float
    group: int
    shape: str
    colour: str


@dataclass
class Distinct:
    """A statement that sets a group apart, in plain words."""

    text: str
    direction: str  # agree or disagree
    group_percent: int
    rest_percent: int
    seen: int


@dataclass
class GroupView:
    number: int
    letter: str
    colour: str
    shape: str
    size: int
    share: int
    distinct: list[Distinct] = field(default_factory=list)


@dataclass
class SharedView:
    text: str
    percents: list[tuple[str, int]]  # (group letter, % agreeing, or disagreeing)


@dataclass
class TableRow:
    text: str
    cells: list[tuple[int, int, int]]  # per group: % agree, % disagree, voters


@dataclass
class Picture:
    width: int
    height: int
    dots: list[Dot]
    groups: list[GroupView]
    consensus: list[SharedView]
    consensus_disagree: list[SharedView]
    table: list[TableRow]
    grouped: int
    step: int  # each mark stands for this many people (1: everyone is drawn)
    firmness: dict[str, Any]
    firmness_text: str
    computed_at: datetime | None
    fingerprint: str
    stale: bool


def firmness_sentence(firmness: dict[str, Any]) -> str:
    """How firm the split is, in words a resident reads without statistics."""
    verdict = firmness.get("verdict", "none")
    values = {"same": firmness.get("same", 0), "folds": firmness.get("folds", 0)}
    if verdict == "firm":
        return (
            _(
                "Podział jest wyraźny: gdy dziesięć razy pominęliśmy inną dziesiątą część uczestników i policzyliśmy mapę od nowa, te same grupy wróciły %(same)s razy na %(folds)s."
            )
            % values
        )
    if verdict == "moderate":
        return (
            _(
                "Podział jest umiarkowanie wyraźny: gdy dziesięć razy pominęliśmy inną dziesiątą część uczestników, te same grupy wróciły %(same)s razy na %(folds)s. Różnice między grupami traktuj ostrożnie."
            )
            % values
        )
    if verdict == "weak":
        return (
            _(
                "Podział jest słaby: gdy dziesięć razy pominęliśmy inną dziesiątą część uczestników, te same grupy wróciły tylko %(same)s razy na %(folds)s. Nie wyciągaj z tych grup daleko idących wniosków."
            )
            % values
        )
    return _("Uczestników jest jeszcze za mało, by ocenić, jak wyraźny jest podział na grupy.")


def _scale(values: list[float], size: int, margin: int) -> list[float]:
    low, high = min(values), max(values)
    span = max(high - low, 1e-9)
    return [round(margin + (v - low) / span * (size - 2 * margin), 1) for v in values]


def opinion_map_picture(
    stored: OpinionMap | None,
    statements: list[Statement],
    *,
    width: int = 480,
    height: int = 360,
) -> Picture | None:
    """What the page draws from the stored result; ``None`` while nobody is in a group."""
    if stored is None or not stored.result or not stored.result.get("n_groups"):
        return None
    result = stored.result
    groups: dict[str, int] = result.get("groups", {})
    positions: dict[str, list[float]] = result.get("positions", {})
    points = [(p, xy) for p, xy in sorted(positions.items()) if p in groups]
    n_groups = int(result["n_groups"])
    sizes = {int(g): int(n) for g, n in result.get("group_sizes", {}).items()}
    grouped = sum(sizes.values())
    dots: list[Dot] = []
    if points:
        xs = _scale([xy[0] for _p, xy in points], width, 16)
        ys = _scale([xy[1] for _p, xy in points], height, 16)
        dots = [
            Dot(
                x,
                y,
                groups[p],
                GROUP_SHAPES[groups[p] % len(GROUP_SHAPES)],
                GROUP_COLOURS[groups[p] % len(GROUP_COLOURS)],
            )
            for (p, _xy), x, y in zip(points, xs, ys, strict=True)
        ]
    by_id = {s.pk: s for s in statements}
    letters = [GROUP_LETTERS[g % len(GROUP_LETTERS)] for g in range(n_groups)]
    views = []
    for g in range(n_groups):
        distinct = []
        for item in result.get("representative", {}).get(str(g), []):
            statement = by_id.get(item["statement"])
            if statement is None:
                continue
            agree = item["direction"] == "agree"
            yes = item["agree"] if agree else item["disagree"]
            rest_yes = item["rest_agree"] if agree else item["rest_disagree"]
            distinct.append(
                Distinct(
                    text=statement.text,
                    direction=item["direction"],
                    group_percent=_percent(yes, item["seen"]),
                    rest_percent=_percent(rest_yes, item["rest_seen"]),
                    seen=item["seen"],
                )
            )
        views.append(
            GroupView(
                number=g,
                letter=letters[g],
                colour=GROUP_COLOURS[g % len(GROUP_COLOURS)],
                shape=GROUP_SHAPES[g % len(GROUP_SHAPES)],
                size=sizes.get(g, 0),
                share=_percent(sizes.get(g, 0), grouped),
                distinct=distinct,
            )
        )

    def shared(items: list[dict[str, Any]]) -> list[SharedView]:
        out = []
        for item in items:
            statement = by_id.get(item["statement"])
            if statement is not None:
                out.append(
                    SharedView(
                        statement.text,
                        [
                            (letters[g], _percent(c["yes"], c["seen"]))
                            for g, c in enumerate(item["groups"])
                        ],
                    )
                )
        return out

    table = []
    tallies: dict[str, list[list[int]]] = result.get("tallies", {}) or {}
    for statement in statements:
        per_group = tallies.get(str(statement.pk))
        if per_group:
            table.append(
                TableRow(
                    statement.text,
                    [(_percent(a, n), _percent(d, n), n) for a, d, n in per_group],
                )
            )
    firmness = result.get("firmness", {}) or {}
    return Picture(
        width=width,
        height=height,
        dots=dots,
        groups=views,
        consensus=shared(result.get("consensus", [])),
        consensus_disagree=shared(result.get("consensus_disagree", [])),
        table=table,
        grouped=grouped,
        step=int(result.get("positions_step", 1) or 1),
        firmness=firmness,
        firmness_text=firmness_sentence(firmness),
        computed_at=stored.computed_at,
        fingerprint=stored.fingerprint,
        stale=stored.stale,
    )
