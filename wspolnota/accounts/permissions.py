"""Who may do what. Every function takes the user first and returns a bool; no side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wspolnota.accounts.roles import Role

if TYPE_CHECKING:
    from wspolnota.accounts.models import User
    from wspolnota.territory.models import District


def _roles(user: Any) -> list[tuple[str, int | None, int | None]]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = list(user.role_assignments.values_list("role", "district_id", "city_unit_id"))
        user._role_cache = cached
    return cached


def has_role(user: User | Any, role: Role, *, district: District | None = None) -> bool:
    """True when the user holds the role; with ``district``, only city-wide or that district."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    for held, district_id, _unit in _roles(user):
        if held != role:
            continue
        if district is None or district_id is None or district_id == district.pk:
            return True
    return False


def roles_of(user: User | Any) -> set[str]:
    return {held for held, _d, _u in _roles(user)}


def is_official(user: User | Any) -> bool:
    return has_role(user, Role.OFFICIAL) or has_role(user, Role.ADMINISTRATOR)


def can_view_audit_log(user: User | Any) -> bool:
    return has_role(user, Role.AUDITOR) or has_role(user, Role.ADMINISTRATOR)


def can_manage_roles(user: User | Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def can_act_for_district(user: User | Any, district: District) -> bool:
    """Officials act city-wide; a district councillor only for their own district."""
    return is_official(user) or has_role(user, Role.DISTRICT_COUNCILLOR, district=district)


def can_moderate(user: User | Any) -> bool:
    return has_role(user, Role.MODERATOR) or has_role(user, Role.ADMINISTRATOR)
