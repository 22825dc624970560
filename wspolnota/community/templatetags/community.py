from __future__ import annotations

from datetime import date

from django import template

from wspolnota.community import selectors
from wspolnota.community.models import Activity, VolunteerProfile

register = template.Library()


@register.filter
def volunteer_age(profile: VolunteerProfile | None, today: date) -> int | str:
    """The volunteer's age in whole years (organisers see the age, never the birth date)."""
    if profile is None:
        return "—"
    return profile.age_on(today)


@register.filter
def free_places(activity: Activity) -> int:
    """Places still free in an activity annotated by ``selectors.activities_with_counts``."""
    return selectors.free_places(activity)
