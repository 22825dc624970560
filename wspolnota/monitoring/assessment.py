"""Assessment of an indicator against its 2030 target: on track, at risk or off track.

The rules, stated so that anyone can recompute them by hand:

* The series is the approved city-wide value of each year (the strategy's own 2016 and 2022
  values included). A straight line is fitted by least squares to the last ``window`` values
  (3 by default; ``MONITORING_TREND_WINDOW``). At least two values are needed.
* Trend targets ("Trend wzrostowy" / "Trend spadkowy"): the line's slope per year is divided by
  the mean of the values it was fitted to, giving a relative change per year. Moving the wanted
  way by at least 1% a year is *on track*; less than 1% either way is *at risk* (stagnation);
  moving the wrong way by 1% a year or more is *off track*.
* Numeric targets ("Ok. 70"): the line is extended to the target year. Reaching at least 95% of
  the target ("about" allows 5%) is *on track*, 85–95% is *at risk*, below 85% *off track*.
  For a target below the starting value the ratio is taken the other way round.
* Like with like: each value belongs to a series (its source and method, see
  ``models.Series``). Only values of one series are fitted: the series of the latest value when it
  has two values or more, otherwise the latest series that has; values of other series are named
  in the explanation and left out. A change of series is a break in the chart's line.
* Staleness: when the last value used is ``MONITORING_STALE_AFTER`` years old or more (3 by
  default: in 2026 a 2022 value is 4 years old), the assessment is marked as of low confidence and
  says how old the data are. It is also of low confidence when the latest value is of another
  series than the one assessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"
NO_DATA = "no_data"

TREND_THRESHOLD = 1.0  # percent of the mean value per year
NUMERIC_ON_TRACK = 0.95
NUMERIC_AT_RISK = 0.85


STALE_AFTER = 3  # years


@dataclass(frozen=True)
class Assessment:
    status: str
    explanation: str
    slope: float | None = None
    relative_slope: float | None = None
    projected: float | None = None
    projection_from: tuple[int, float] | None = None
    points_used: int = 0
    years: tuple[int, int] | None = None
    series: str = ""
    left_out: tuple[int, ...] = ()
    age: int | None = None
    stale: bool = False
    confidence: str = "normal"
    warnings: tuple[str, ...] = ()

    @property
    def confidence_label(self) -> str:
        return _("niska pewność") if self.confidence == "low" else ""

    @property
    def label(self) -> str:
        return {
            ON_TRACK: _("zgodnie z planem"),
            AT_RISK: _("zagrożony"),
            OFF_TRACK: _("poza kursem"),
            NO_DATA: _("za mało danych"),
        }[self.status]


def least_squares(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Slope and intercept of the least-squares line through (year, value) points."""
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _y in points)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return slope, mean_y - slope * mean_x


def _fmt(value: float, decimals: int = 1) -> str:
    from django.utils.formats import number_format

    return str(number_format(round(value, decimals), decimals, use_l10n=True))


def choose_series(keys_by_year: dict[int, str]) -> str:
    """The series to assess: the latest value's, if it has two values or more; otherwise the
    latest series that has; otherwise the latest value's."""
    if not keys_by_year:
        return ""
    years = sorted(keys_by_year)
    latest = keys_by_year[years[-1]]
    counts: dict[str, int] = {}
    for key in keys_by_year.values():
        counts[key] = counts.get(key, 0) + 1
    if counts[latest] >= 2:
        return latest
    for year in reversed(years):
        if counts[keys_by_year[year]] >= 2:
            return keys_by_year[year]
    return latest


def assess(
    *,
    series: list[tuple[int, Decimal]] | list[tuple[int, Decimal, str]],
    target_kind: str,
    target_value: Decimal | None,
    target_year: int,
    window: int = 3,
    decimals: int = 1,
    today_year: int | None = None,
    stale_after: int = STALE_AFTER,
) -> Assessment:
    """Judge a yearly series against its target by the rules in this module's docstring.

    Each item is ``(year, value)`` or ``(year, value, series key)``; only one series is judged.
    """
    by_year: dict[int, float] = {}
    keys: dict[int, str] = {}
    for item in series:
        by_year[item[0]] = float(item[1])
        keys[item[0]] = str(item[2]) if len(item) > 2 else ""  # type: ignore[misc]
    chosen = choose_series(keys)
    left_out = tuple(sorted(year for year, key in keys.items() if key != chosen))
    same = {year: value for year, value in by_year.items() if keys[year] == chosen}
    points = sorted(same.items())[-window:]
    warnings: list[str] = []
    if left_out:
        warnings.append(
            _(
                "Wartości z lat %(years)s pochodzą z innego źródła lub innej metody i nie są "
                "porównywane z ocenianą serią."
            )
            % {"years": ", ".join(str(y) for y in left_out)}
        )
    if len(points) < 2:
        return Assessment(
            NO_DATA,
            " ".join(
                [
                    _("Ocena wymaga co najmniej dwóch zatwierdzonych wartości z różnych lat."),
                    *warnings,
                ]
            ),
            points_used=len(points),
            series=chosen,
            left_out=left_out,
            warnings=tuple(warnings),
        )
    age = (today_year - points[-1][0]) if today_year is not None else None
    stale = age is not None and age >= stale_after
    low = stale or (bool(keys) and keys[max(keys)] != chosen)
    if stale:
        warnings.insert(
            0,
            _(
                "Ostatnia wartość pochodzi z %(year)s r. (sprzed %(age)s lat): ocena mówi o "
                "tamtym okresie, nie o dniu dzisiejszym, i ma niską pewność."
            )
            % {"age": age, "year": points[-1][0]},
        )
    extra = {
        "series": chosen,
        "left_out": left_out,
        "age": age,
        "stale": stale,
        "confidence": "low" if low else "normal",
        "warnings": tuple(warnings),
    }
    slope, intercept = least_squares(points)
    first_year, last_year = points[0][0], points[-1][0]
    years = (first_year, last_year)
    if target_kind in ("rising", "falling"):
        mean = sum(abs(y) for _x, y in points) / len(points)
        relative = (slope / mean * 100) if mean else 0.0
        wanted = relative if target_kind == "rising" else -relative
        if wanted >= TREND_THRESHOLD:
            status = ON_TRACK
        elif wanted > -TREND_THRESHOLD:
            status = AT_RISK
        else:
            status = OFF_TRACK
        direction = _("wzrostowy") if target_kind == "rising" else _("spadkowy")
        explanation = _(
            "Linia trendu z %(count)s ostatnich wartości (%(first)s–%(last)s) zmienia się o "
            "%(slope)s rocznie, czyli o %(relative)s%% średniej wartości na rok. Cel to trend "
            "%(direction)s: ruch we właściwą stronę o co najmniej %(threshold)s%% rocznie to "
            "„zgodnie z planem”, mniejsza zmiana to „zagrożony”, ruch w przeciwną stronę o co "
            "najmniej %(threshold)s%% rocznie to „poza kursem”."
        ) % {
            "count": len(points),
            "first": first_year,
            "last": last_year,
            "slope": _fmt(slope, max(decimals, 2)),
            "relative": _fmt(relative, 1),
            "direction": direction,
            "threshold": _fmt(TREND_THRESHOLD, 0),
        }
        return Assessment(
            status,
            explanation,
            slope=slope,
            relative_slope=relative,
            projected=intercept + slope * target_year,
            projection_from=points[-1],
            points_used=len(points),
            years=years,
            **extra,  # type: ignore[arg-type]
        )
    if target_value is None:
        return Assessment(NO_DATA, _("Wskaźnik nie ma liczbowej wartości docelowej."), **extra)  # type: ignore[arg-type]
    target = float(target_value)
    projected = intercept + slope * target_year
    start = points[0][1]
    if target >= start:
        ratio = projected / target if target else 0.0
    else:
        ratio = target / projected if projected > 0 else 0.0
    if ratio >= NUMERIC_ON_TRACK:
        status = ON_TRACK
    elif ratio >= NUMERIC_AT_RISK:
        status = AT_RISK
    else:
        status = OFF_TRACK
    explanation = _(
        "Linia trendu z %(count)s ostatnich wartości (%(first)s–%(last)s) zmienia się o "
        "%(slope)s rocznie; przedłużona do %(year)s r. daje %(projected)s wobec celu %(target)s, czyli "
        "%(ratio)s%% celu. Co najmniej 95%% celu to „zgodnie z planem”, 85–95%% to „zagrożony”, "
        "mniej niż 85%% to „poza kursem”."
    ) % {
        "count": len(points),
        "first": first_year,
        "last": last_year,
        "slope": _fmt(slope, max(decimals, 1)),
        "year": target_year,
        "projected": _fmt(projected, max(decimals, 1)),
        "target": _fmt(target, decimals),
        "ratio": _fmt(ratio * 100, 0),
    }
    return Assessment(
        status,
        explanation,
        slope=slope,
        projected=projected,
        projection_from=points[-1],
        points_used=len(points),
        years=years,
        **extra,  # type: ignore[arg-type]
    )
