"""Charts drawn on the server as SVG geometry: no JavaScript, the same picture in the PDF.

The functions here only compute positions; templates (``monitoring/_line_chart.html`` and
``_bar_chart.html``) draw them, each followed by a table with the same numbers. Coordinates are
pre-formatted with a decimal point so that Polish number formatting never reaches the SVG.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field


def _c(value: float) -> str:
    return f"{value:.1f}"


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least ``top`` (steps of 1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = []
    value = 0.0
    while value < top + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


@dataclass(frozen=True)
class Tick:
    position: str
    label: str


@dataclass(frozen=True)
class ChartPoint:
    x: str
    y: str
    year: int
    label: str
    segment: int = 0  # 0, 1, 2…: which piece of the line (a new piece after a change of method)


@dataclass(frozen=True)
class ChartBreak:
    """A change of source or method between two values: the line is not drawn across it."""

    year: int
    x: str
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    plot_left: str
    plot_right: str
    plot_top: str
    plot_bottom: str
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    path: str
    points: list[ChartPoint]
    projection: tuple[str, str, str, str] | None
    target: ChartPoint | None
    breaks: list[ChartBreak] = field(default_factory=list)


def line_chart(
    *,
    series: list[tuple[int, float]],
    label: Callable[[float], str],
    tick_label: Callable[[float], str] | None = None,
    target: tuple[int, float] | None = None,
    projection: tuple[tuple[int, float], tuple[int, float]] | None = None,
    last_year: int | None = None,
    width: int = 640,
    height: int = 300,
    keys: list[str] | None = None,
    break_label: Callable[[int], str] | None = None,
    suffixes: list[str] | None = None,
) -> LineChart:
    """A yearly series as a line, with the projection (dashed) and the numeric target (a mark).

    ``keys`` (one per value) name the series each value belongs to; where the key changes the
    line is broken (a new piece starts, drawn differently) and a break mark is placed.
    ``suffixes`` (one per value) follow a value's label, e.g. the mark of a demo value."""
    left, right, top, bottom = 64.0, width - 24.0, 16.0, height - 40.0
    years = [year for year, _value in series]
    extra_years = [y for y in (last_year, target[0] if target else None) if y is not None]
    if projection:
        extra_years.append(projection[1][0])
    first = min(years + extra_years) if (years or extra_years) else 2016
    last = max(years + extra_years) if (years or extra_years) else 2030
    if last == first:
        last = first + 1
    values = [value for _year, value in series]
    if target:
        values.append(target[1])
    if projection:
        values.append(max(projection[1][1], 0.0))
    ticks = nice_ticks(max(values) * 1.05 if values else 1.0)
    y_max = ticks[-1] or 1.0

    def x_of(year: float) -> float:
        return left + (year - first) / (last - first) * (right - left)

    def y_of(value: float) -> float:
        return bottom - max(value, 0.0) / y_max * (bottom - top)

    span = last - first
    step = 1 if span <= 8 else 2 if span <= 16 else 5
    x_ticks = [Tick(_c(x_of(year)), str(year)) for year in range(first, last + 1, step)]
    if x_ticks and x_ticks[-1].label != str(last):
        x_ticks.append(Tick(_c(x_of(last)), str(last)))
    y_ticks = [Tick(_c(y_of(value)), (tick_label or label)(value)) for value in ticks]
    keys = keys if keys is not None and len(keys) == len(series) else [""] * len(series)
    suffixes = suffixes if suffixes is not None and len(suffixes) == len(series) else None
    points = []
    breaks = []
    segment = 0
    for index, (year, value) in enumerate(series):
        if index and keys[index] != keys[index - 1]:
            segment += 1
            previous = series[index - 1][0]
            breaks.append(
                ChartBreak(
                    year,
                    _c(x_of((previous + year) / 2)),
                    break_label(year) if break_label else str(year),
                )
            )
        text = label(value) + (f" {suffixes[index]}" if suffixes and suffixes[index] else "")
        points.append(ChartPoint(_c(x_of(year)), _c(y_of(value)), year, text, segment))
    path = " ".join(
        f"{'M' if index == 0 or point.segment != points[index - 1].segment else 'L'}"
        f"{point.x},{point.y}"
        for index, point in enumerate(points)
    )
    projection_line = None
    if projection:
        (x0, y0), (x1, y1) = projection
        projection_line = (_c(x_of(x0)), _c(y_of(y0)), _c(x_of(x1)), _c(y_of(y1)))
    target_point = (
        ChartPoint(_c(x_of(target[0])), _c(y_of(target[1])), target[0], label(target[1]))
        if target
        else None
    )
    return LineChart(
        width,
        height,
        _c(left),
        _c(right),
        _c(top),
        _c(bottom),
        x_ticks,
        y_ticks,
        path,
        points,
        projection_line,
        target_point,
        breaks,
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    y: str
    text_y: str
    width: str
    value_x: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_left: str
    bar_height: str
    bars: list[Bar]


def bar_chart(
    *, rows: list[tuple[str, float]], label: Callable[[float], str], width: int = 640
) -> BarChart:
    """Horizontal bars, one per row (a district), longest = the largest value."""
    row_height, gap, label_width = 22.0, 6.0, 230.0
    value_room = 70.0
    top_value = max((value for _name, value in rows), default=0.0) or 1.0
    span = width - label_width - value_room
    bars = []
    for index, (name, value) in enumerate(rows):
        y = 4 + index * (row_height + gap)
        bar_width = max(value, 0.0) / top_value * span
        bars.append(
            Bar(
                label=name,
                value_label=label(value),
                y=_c(y),
                text_y=_c(y + row_height * 0.72),
                width=_c(bar_width),
                value_x=_c(label_width + bar_width + 6),
            )
        )
    height = int(8 + len(rows) * (row_height + gap))
    return BarChart(width, height, _c(label_width), _c(row_height), bars)
