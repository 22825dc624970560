from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str:
    """An amount in złoty with grosze, grouped the way the reader's language writes numbers."""
    if value is None or value == "":
        return ""
    number = formats.number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return _("%(amount)s zł") % {"amount": number}


@register.filter
def percent_of(part: int | Decimal | None, whole: int | Decimal | None) -> int:
    """Whole percent of ``whole`` (for progress bars), at most 100."""
    if not part or not whole:
        return 0
    return min(100, int(Decimal(part) * 100 / Decimal(whole)))


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, 0) if mapping else 0


# The catalogue draws up to a hundred cards and a long district list on every request; Django's
# template engine spends a few microseconds on every variable, so these repeated parts are written
# here in one pass (every value escaped) and the page's template stays readable around them.


@register.simple_tag
def select_options(options: list[tuple[str, str, bool]]) -> SafeString:
    """``<option>`` elements from ``(value, label, selected)``."""
    return mark_safe(  # every value is escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>{escape(label)}</option>'
            for value, label, selected in options
        )
    )


@register.simple_tag
def project_cards(items: list[dict[str, Any]]) -> SafeString:
    """The catalogue's project cards: ``items`` hold a ``CatalogueRow``, its ``url`` and ``cost``."""
    html = []
    for item in items:
        row = item["row"]
        category = f" · {escape(row.category_label)}" if row.category_label else ""
        support = (
            " · " + escape(_("poparcia: %(n)s") % {"n": row.supporters_count})
            if row.status == "submitted"
            else ""
        )
        html.append(
            f'<li>\n<article class="project-card" aria-labelledby="project-{row.pk}-title">\n'
            f'<h2 id="project-{row.pk}-title" class="project-title">'
            f'<a href="{escape(item["url"])}">{escape(row.title)}</a></h2>\n'
            f'<p class="project-meta">{escape(row.number)} · {escape(row.pool_label)}{category}</p>\n'
            f"<p>{escape(row.short_description)}</p>\n"
            f'<p><span class="badge status status-{escape(row.status)}">{escape(row.status_label)}</span>'
            f' <span class="cost">{escape(item["cost"])}</span>{support}</p>\n'
            "</article>\n</li>\n"
        )
    return mark_safe("".join(html))  # every value is escaped
