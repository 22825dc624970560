from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats
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
