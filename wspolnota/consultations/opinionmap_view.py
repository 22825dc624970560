"""The opinion map as an SVG picture plus the same content as text (groups and statements)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wspolnota.consultations.models import OpinionMap, Statement

# Colour-blind-safe palette (Okabe–Ito) with 3:1 contrast against white for the shapes.
GROUP_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00"]
GROUP_LETTERS = "ABCDE"


@dataclass
class Dot:
    x: float
    y: float
    group: int | None


@dataclass
class GroupView:
    number: int
    letter: str
    colour: str
    size: int
    representative: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Picture:
    width: int
    height: int
    dots: list[Dot]
    groups: list[GroupView]
    consensus: list[Statement]
    consensus_disagree: list[Statement]
    participants: int
    computed_at: Any


def opinion_map_picture(
    stored: OpinionMap | None, statements: list[Statement], *, width: int = 480, height: int = 360
) -> Picture | None:
    if stored is None or not stored.result:
        return None
    result = stored.result
    positions: dict[str, list[float]] = result.get("positions", {})
    groups: dict[str, int] = result.get("groups", {})
    points = [(p, xy) for p, xy in positions.items() if p in groups]
    if not points:
        return None
    xs = [xy[0] for _p, xy in points]
    ys = [xy[1] for _p, xy in points]
    span_x = max(max(xs) - min(xs), 1e-9)
    span_y = max(max(ys) - min(ys), 1e-9)
    margin = 16
    dots = [
        Dot(
            round(margin + (xy[0] - min(xs)) / span_x * (width - 2 * margin), 1),
            round(margin + (xy[1] - min(ys)) / span_y * (height - 2 * margin), 1),
            groups.get(p),
        )
        for p, xy in points
    ]
    by_id = {s.pk: s for s in statements}
    views = []
    for key, items in sorted(result.get("representative", {}).items(), key=lambda kv: int(kv[0])):
        number = int(key)
        views.append(
            GroupView(
                number=number,
                letter=GROUP_LETTERS[number % len(GROUP_LETTERS)],
                colour=GROUP_COLOURS[number % len(GROUP_COLOURS)],
                size=int(result.get("group_sizes", {}).get(key, 0)),
                representative=[
                    {**item, "text": by_id[item["statement"]].text}
                    for item in items
                    if item["statement"] in by_id
                ],
            )
        )
    return Picture(
        width=width,
        height=height,
        dots=dots,
        groups=views,
        consensus=[by_id[s] for s in result.get("consensus", []) if s in by_id],
        consensus_disagree=[by_id[s] for s in result.get("consensus_disagree", []) if s in by_id],
        participants=len(points),
        computed_at=stored.computed_at,
    )
