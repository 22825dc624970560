"""Read the strategy text (Strategic Goal V of "Kraków 2030") into plain data, verbatim in Polish.

The shipped copy ``data/strategy-goal-v.txt`` (see ``data/SOURCE.md``) is the only source of the
tree and the indicators: titles, names and values are taken from it character for character. What
the text leaves to interpretation is written down here, next to the parser, so it can be read and
changed in one place: the operational goal each key action is filed under, the platform's code for
each indicator, and how each indicator's target reads as a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

STRATEGY_TEXT = Path(__file__).resolve().parent / "data" / "strategy-goal-v.txt"
STRATEGY_SOURCE = "Strategia Rozwoju Krakowa 2030, Cel Strategiczny V (stan na 2024-04-29)"

# The page lists the 17 key actions under the goal as a whole. The platform files each under the
# operational goal it serves most directly; an editorial choice, shown as such and changeable.
KEY_ACTION_GOALS: dict[int, str] = {
    **{number: "V.1" for number in (1, 2, 3, 4, 5, 6, 7)},
    **{number: "V.2" for number in (9, 10)},
    **{number: "V.3" for number in (8, 11, 12, 13, 14, 15, 16, 17)},
}


@dataclass(frozen=True)
class IndicatorSpec:
    """How the platform reads one row of the indicator table (matched by the start of its name)."""

    name_prefix: str
    code: str
    goal: str
    unit: str  # "count" or "percent"
    decimals: int


INDICATOR_SPECS = [
    IndicatorSpec(
        "Liczba Centrów Aktywności Seniora", "centra-aktywnosci-seniora", "V.3", "count", 0
    ),
    IndicatorSpec(
        "Frekwencja w ramach głosowania", "frekwencja-budzet-obywatelski", "V.1", "percent", 2
    ),
    IndicatorSpec("Liczba organizacji pozarządowych", "organizacje-wnioskujace", "V.2", "count", 0),
    IndicatorSpec("Zadowolenie mieszkańców", "zadowolenie-z-wplywu", "V.1", "percent", 1),
    IndicatorSpec("Skala interwencji", "pomoc-spoleczna", "V.3", "percent", 1),
]


class StrategyTextError(ValueError):
    """The strategy text does not have the expected shape (the message names the line)."""


@dataclass(frozen=True)
class GoalText:
    code: str
    title: str


@dataclass(frozen=True)
class KeyActionText:
    number: int
    title: str
    goal: str


@dataclass(frozen=True)
class FigureText:
    """A value as the strategy prints it ("5% (2017)", "1 164"), and read as a number."""

    text: str
    value: Decimal
    year: int | None


@dataclass(frozen=True)
class TargetText:
    text: str
    kind: str  # "numeric", "rising" or "falling"
    value: Decimal | None


@dataclass(frozen=True)
class IndicatorText:
    spec: IndicatorSpec
    name: str
    measures: str
    value_2016: FigureText
    value_2022: FigureText
    target_2030: TargetText
    footnote: str


@dataclass(frozen=True)
class StrategyText:
    published: date
    goal: GoalText
    operational_goals: list[GoalText]
    aim: str
    key_actions: list[KeyActionText]
    indicators: list[IndicatorText]


_FIGURE = re.compile(
    r"^(?P<number>\d[\d  ]*(?:,\d+)?)\s*(?P<percent>%)?\s*(?:\((?P<year>\d{4})\))?$"
)
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def parse_figure(text: str) -> FigureText:
    match = _FIGURE.match(text.strip())
    if not match:
        raise StrategyTextError(f"not a figure: {text!r}")
    number = match["number"].replace(" ", "").replace("\u00a0", "").replace(",", ".")
    year = int(match["year"]) if match["year"] else None
    return FigureText(text=text.strip(), value=Decimal(number), year=year)


def parse_target(text: str) -> TargetText:
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered.startswith("trend wzrostowy"):
        return TargetText(cleaned, "rising", None)
    if lowered.startswith("trend spadkowy"):
        return TargetText(cleaned, "falling", None)
    about = re.match(r"^(?:ok\.\s*)?(\d[\d  ]*(?:,\d+)?)\s*%?$", cleaned, re.IGNORECASE)
    if about:
        number = about[1].replace(" ", "").replace("\u00a0", "").replace(",", ".")
        return TargetText(cleaned, "numeric", Decimal(number))
    raise StrategyTextError(f"not a target: {text!r}")


def _spec_for(name: str) -> IndicatorSpec:
    for spec in INDICATOR_SPECS:
        if name.startswith(spec.name_prefix):
            return spec
    raise StrategyTextError(f"unknown indicator: {name!r}")


def parse_strategy(text: str) -> StrategyText:
    """Parse the page's text; every title, name and value is kept exactly as printed."""
    lines = text.splitlines()
    published: date | None = None
    goal: GoalText | None = None
    operational: list[GoalText] = []
    aim = ""
    actions: list[tuple[int, list[str]]] = []
    indicator_rows: list[tuple[int, list[str]]] = []
    footnotes: dict[str, str] = {}
    section = ""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", line) and published is None:
            published = date.fromisoformat(line)
            continue
        if line.startswith("CEL STRATEGICZNY"):
            code, _sep, title = line.removeprefix("CEL STRATEGICZNY").strip().partition("\t")
            goal = GoalText(code.strip(), title.strip())
            continue
        if line.startswith("CEL OPERACYJNY"):
            code, _sep, title = line.removeprefix("CEL OPERACYJNY").strip().partition("\t")
            operational.append(GoalText(code.strip(), title.strip()))
            continue
        if line in ("Do czego zmierzamy?", "Kluczowe działania", "Wskaźniki realizacji"):
            section = line
            continue
        if line in ("Narzędzia realizacji", "Monitoring realizacji"):
            section = ""
            continue
        if section == "Do czego zmierzamy?" and line.startswith("- "):
            aim = line[2:].strip()
        elif section == "Kluczowe działania":
            start = re.match(r"^(\d+)\.\s+(.*)$", line)
            if start:
                actions.append((int(start[1]), [start[2]]))
            elif actions:
                actions[-1][1].append(line)
            else:
                raise StrategyTextError(f"line {number}: text before the first key action")
        elif section == "Wskaźniki realizacji":
            if line.startswith("Wskaźnik\t"):
                continue
            note = re.match(r"^([¹²³])\s+(.*)$", line)
            if note:
                footnotes[note[1]] = _MARKDOWN_LINK.sub(r"\1", note[2]).strip()
                continue
            cells = [cell.strip() for cell in line.split("\t")]
            if len(cells) != 5:
                raise StrategyTextError(f"line {number}: an indicator row needs 5 columns")
            indicator_rows.append((number, cells))
    if published is None or goal is None or len(operational) != 3:
        raise StrategyTextError("the goal, its date or its three operational goals are missing")
    key_actions = []
    for position, (action_number, parts) in enumerate(actions, start=1):
        if action_number != position:
            raise StrategyTextError(f"key action {action_number} is out of order")
        key_actions.append(
            KeyActionText(action_number, " ".join(parts), KEY_ACTION_GOALS[action_number])
        )
    indicators = []
    for line_number, (name_cell, measures, v2016, v2022, target) in indicator_rows:
        marker = name_cell[-1] if name_cell and name_cell[-1] in "¹²³" else ""
        name = name_cell.rstrip("¹²³").strip()
        try:
            indicators.append(
                IndicatorText(
                    spec=_spec_for(name),
                    name=name,
                    measures=measures,
                    value_2016=parse_figure(v2016),
                    value_2022=parse_figure(v2022),
                    target_2030=parse_target(target),
                    footnote=footnotes.get(marker, ""),
                )
            )
        except StrategyTextError as exc:
            raise StrategyTextError(f"line {line_number}: {exc}") from None
    return StrategyText(published, goal, operational, aim, key_actions, indicators)


def load_strategy_text(path: Path = STRATEGY_TEXT) -> StrategyText:
    return parse_strategy(path.read_text(encoding="utf-8"))
