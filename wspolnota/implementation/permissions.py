"""Who may change an implementation. Pure functions: no writes, no clock.

The coordinating unit of the edition (Kraków: the participatory budget office) opens
implementations and names the responsible unit — its officials only, the same rule as the vote's
publication (``budget.permissions.coordinates_edition``), so a publication never commits results
it cannot hand over; officials of the responsible unit report on the
work; administrators may do everything. Anyone may read; signed-in residents may follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wspolnota.budget.permissions import coordinates_edition, is_administrator, official_unit_ids

if TYPE_CHECKING:
    from wspolnota.accounts.models import User
    from wspolnota.budget.models import Edition
    from wspolnota.implementation.models import Implementation


def signed_in(user: User | Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_open_implementations(user: User | Any, edition: Edition) -> bool:
    return signed_in(user) and coordinates_edition(user, edition)


def can_manage_implementation(user: User | Any, implementation: Implementation) -> bool:
    """Officials of the responsible unit, the edition's coordinators and administrators."""
    if not signed_in(user):
        return False
    if is_administrator(user):
        return True
    unit_id = implementation.responsible_unit_id
    if unit_id is not None and unit_id in official_unit_ids(user):
        return True
    return coordinates_edition(user, implementation.edition)


def can_assign_unit(user: User | Any, implementation: Implementation) -> bool:
    return signed_in(user) and coordinates_edition(user, implementation.edition)


def can_follow(user: User | Any) -> bool:
    return signed_in(user)
