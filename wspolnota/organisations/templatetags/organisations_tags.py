from __future__ import annotations

from datetime import date

from django import template
from django.utils import timezone

from wspolnota.organisations.rules import age_on

register = template.Library()


@register.filter
def age(birth_date: date | None) -> int | str:
    """Full years of age today, for officials checking eligibility."""
    if birth_date is None:
        return ""
    return age_on(birth_date, timezone.localdate())
