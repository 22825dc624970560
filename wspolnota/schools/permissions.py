"""Who may do what in a school's budget. Pure functions; time is an explicit input (``at``).

* A school is confirmed (or refused) by the education unit it was registered with
  (``School.unit``, from ``SCHOOLS_EDUCATION_UNIT``): its officials and administrators; a school
  that names no unit is left to administrators.
* Everything inside a confirmed school belongs to its own team: its coordinators set editions
  up, print and void code sheets, count and publish; its panel (and coordinators) key and check
  ideas. A coordinator of another school, or an official of any unit, is nobody here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wspolnota.accounts.permissions import acts_for_unit, is_administrator
from wspolnota.schools.models import (
    MemberRole,
    School,
    SchoolEdition,
    SchoolStatus,
)


def _member_roles(user: Any, school: School) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cache: dict[int, set[str]] = user.__dict__.setdefault("_school_roles", {})
    if school.pk not in cache:
        cache[school.pk] = set(school.members.filter(user=user).values_list("role", flat=True))
    return cache[school.pk]


def can_register_school(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_decide_school(user: Any, school: School) -> bool:
    """The education unit the school was registered with (administrators everywhere)."""
    return acts_for_unit(user, school.unit_id)


def is_coordinator(user: Any, school: School) -> bool:
    if school.status != SchoolStatus.CONFIRMED:
        return False
    return is_administrator(user) or MemberRole.COORDINATOR in _member_roles(user, school)


def is_team_member(user: Any, school: School) -> bool:
    if school.status != SchoolStatus.CONFIRMED:
        return False
    return is_administrator(user) or bool(_member_roles(user, school))


def can_manage_school(user: Any, school: School) -> bool:
    """Add teachers to the team, set editions up."""
    return is_coordinator(user, school)


def can_view_school_office(user: Any, school: School) -> bool:
    return is_team_member(user, school) or can_decide_school(user, school)


def can_change_edition_setup(user: Any, edition: SchoolEdition, *, at: datetime) -> bool:
    return is_coordinator(user, edition.school) and at < edition.box.opens_at


def can_key_idea(user: Any, edition: SchoolEdition, *, at: datetime) -> bool:
    return is_team_member(user, edition.school) and edition.ideas_from <= at < edition.ideas_until


def can_check_idea(user: Any, edition: SchoolEdition, *, at: datetime) -> bool:
    """The panel checks from the first idea until the vote opens."""
    return is_team_member(user, edition.school) and edition.ideas_from <= at < edition.box.opens_at


def can_manage_codes(user: Any, edition: SchoolEdition, *, at: datetime) -> bool:
    """Print, void and reprint sheets until the vote ends."""
    return is_coordinator(user, edition.school) and at < edition.box.closes_at


def can_view_turnout(user: Any, edition: SchoolEdition) -> bool:
    return is_team_member(user, edition.school)


def can_publish_results(user: Any, edition: SchoolEdition, *, at: datetime) -> bool:
    return (
        is_coordinator(user, edition.school)
        and at >= edition.box.closes_at
        and edition.published_at is None
    )
