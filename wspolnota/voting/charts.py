"""Server-drawn SVG charts (no JavaScript); each page shows the same numbers in a table too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR_HEIGHT = 22
LABEL_WIDTH = 130
WIDTH = 640


def bar_chart(rows: list[tuple[str, Any, bool]], *, title: str) -> SafeString:
    """Horizontal bars, one per row (label, value, highlighted). Funded projects are drawn dark
    with a pattern-free solid fill and marked "✓" so the difference is not by colour alone."""
    values = [Decimal(str(v)) for _label, v, _hl in rows]
    top = max(values, default=Decimal(0)) or Decimal(1)
    height = BAR_HEIGHT * len(rows) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
    ]
    span = WIDTH - LABEL_WIDTH - 90
    for index, ((label, _value, highlighted), value) in enumerate(zip(rows, values, strict=True)):
        y = 5 + index * BAR_HEIGHT
        width = int(span * value / top) if top else 0
        fill = "#0b4f8a" if highlighted else "#8fa9c4"
        mark = " ✓" if highlighted else ""
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="#111">{escape(label)}{mark}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{max(width, 1)}" height="{BAR_HEIGHT - 6}" '
            f'fill="{fill}"/>'
            f'<text x="{LABEL_WIDTH + max(width, 1) + 4}" y="{y + 15}" font-size="12" '
            f'fill="#111">{escape(_format(value))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _format(value: Decimal) -> str:
    if value == value.to_integral_value():
        return f"{int(value):,}".replace(",", "\u00a0")
    return f"{value:,.2f}".replace(",", "\u00a0")


def spending_chart(view: Any) -> SafeString:
    """The pool's money: funded projects in the order chosen, and what was left."""
    rows: list[tuple[str, Any, bool]] = [
        (line.code, line.cost, True)
        for line in sorted(
            (line for line in view.lines if line.selected), key=lambda line: line.order or 0
        )
    ]
    rows.append((_("niewydane"), max(view.pool.budget - view.spent, Decimal(0)), False))
    return bar_chart(rows, title=_("Wydatki z puli (zł)"))
