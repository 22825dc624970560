"""Explanations a resident can read: why each project won or lost, in English and Polish."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


@dataclass
class Explanation:
    """Why one project was or was not funded.

    ``reason`` is a stable code (see the README); ``data`` holds the numbers behind the sentence,
    exact numbers as strings (money with two decimals, fractions as ``"p/q"``).
    """

    project_id: str
    selected: bool
    reason: str
    en: str
    pl: str
    data: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "project_id": self.project_id,
            "selected": self.selected,
            "reason": self.reason,
            "en": self.en,
            "pl": self.pl,
            "data": self.data,
        }


def money_decimal(value: Fraction | Decimal | int) -> Decimal:
    """Round money to grosze/cents for display (exact values stay in ``data``)."""
    if isinstance(value, Decimal):
        dec = value
    else:
        frac = Fraction(value)
        dec = Decimal(frac.numerator) / Decimal(frac.denominator)
    return dec.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money_en(value: Fraction | Decimal | int, currency: str) -> str:
    dec = money_decimal(value)
    text = f"{dec:,.2f}"
    if text.endswith(".00"):
        text = text[:-3]
    return f"{text} {currency}".strip()


def money_pl(value: Fraction | Decimal | int, currency: str) -> str:
    dec = money_decimal(value)
    text = f"{dec:,.2f}".replace(",", "\u00a0").replace(".", ",")
    if text.endswith(",00"):
        text = text[:-3]
    unit = "zł" if currency == "PLN" else currency
    return f"{text} {unit}".strip()


def number_text(value: Fraction | int) -> str:
    frac = Fraction(value)
    if frac.denominator == 1:
        return str(frac.numerator)
    return f"{float(frac):.2f}"


def exact_text(value: Fraction | Decimal | int | float) -> str:
    """An exact, machine-readable rendering: ``"12"``, ``"12.5"`` or ``"25/3"``."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    frac = value if isinstance(value, Fraction) else Fraction(value)
    if frac.denominator == 1:
        return str(frac.numerator)
    # a terminating decimal is easier to read than p/q
    d = frac.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:
        dec = Decimal(frac.numerator) / Decimal(frac.denominator)
        return format(dec.normalize(), "f")
    return f"{frac.numerator}/{frac.denominator}"


def ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def plural_pl(n: int, one: str, few: str, many: str) -> str:
    """Polish plural: 1 głos, 2 głosy, 5 głosów."""
    if n == 1:
        return one
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return few
    return many
