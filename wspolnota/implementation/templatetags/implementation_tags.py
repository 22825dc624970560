from __future__ import annotations

from django import template

from wspolnota.implementation import selectors
from wspolnota.implementation.models import Update

register = template.Library()


@register.filter
def update_lines(update: Update) -> list[str]:
    """The update's changes as sentences in the language being rendered (pages and e-mails)."""
    return selectors.update_lines(update)
