from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def tr(value: str) -> str:
    """Translate text stored in Polish when the catalogue knows it (the strategy's own wording)."""
    return gettext(value) if value else ""
