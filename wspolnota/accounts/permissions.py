"""Who may do what. Every function takes the user first and returns a bool; no side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wspolnota.accounts.roles import Role

if TYPE_CHECKING:
    from datetime import datetime

    from wspolnota.accounts.models import CityUnit, User
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
    """A district councillor of that district, or an administrator.

    Officials are scoped to their unit, not to a district: an app that lets a unit act for a
    district (the unit that looks after district councils, say) asks ``acts_for_unit`` for that
    unit on top of this.
    """
    return is_administrator(user) or is_councillor_of(user, district.pk)


def can_moderate(user: User | Any) -> bool:
    return has_role(user, Role.MODERATOR) or has_role(user, Role.ADMINISTRATOR)


# --- Scope: a role counts only for its own unit or district ------------------------------------
#
# ``official`` is held for a city unit and ``district_councillor`` for a district. Permission
# functions ask these helpers about the *object's* unit or district, never just "is an official"
# (see README, "Roles"). Administrators act everywhere.


def is_administrator(user: User | Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def unit_ids(user: User | Any, role: Role = Role.OFFICIAL) -> frozenset[int]:
    """The city units for which the user holds ``role`` (for officials: where they work)."""
    return frozenset(unit for held, _d, unit in _roles(user) if held == role and unit is not None)


def district_ids(user: User | Any, role: Role = Role.DISTRICT_COUNCILLOR) -> frozenset[int]:
    """The districts for which the user holds ``role`` (for councillors: their district)."""
    return frozenset(d for held, d, _u in _roles(user) if held == role and d is not None)


def is_official_of(user: User | Any, unit_id: int | None) -> bool:
    """An official of that city unit (administrators are not included: see ``acts_for_unit``)."""
    return unit_id is not None and unit_id in unit_ids(user)


def acts_for_unit(user: User | Any, unit_id: int | None) -> bool:
    """An official of the unit, or an administrator. An object that names no unit belongs to
    no official: only administrators act for it."""
    return is_administrator(user) or is_official_of(user, unit_id)


def is_councillor_of(user: User | Any, district_id: int | None) -> bool:
    """A district councillor of that district (a councillor of another district is not)."""
    return district_id is not None and district_id in district_ids(user)


# --- Acting for a resident at a counter or on the phone (issue 17) ------------------------------


def can_use_counter(user: User | Any) -> bool:
    """The counter page: find a person, record one, act city-wide for them.

    A counter clerk (of any unit: the role *is* counter duty), an official of a unit that runs
    a counter or the phone line (``CityUnit.counter_duties``), or an administrator. An official
    of any other unit is not: finding people is not part of their job.
    """
    if user is None or getattr(user, "kept_by_city", False):
        return False
    if is_administrator(user):
        return True
    if unit_ids(user, Role.COUNTER_CLERK):
        return True
    units = unit_ids(user, Role.OFFICIAL)
    if not units:
        return False
    cached = getattr(user, "_counter_unit_cache", None)
    if cached is None:
        from wspolnota.accounts.models import CityUnit

        cached = CityUnit.objects.filter(pk__in=units, counter_duties=True).exists()
        user._counter_unit_cache = cached  # type: ignore[union-attr]
    return bool(cached)


def can_act_for_residents(user: User | Any, *, city_unit: CityUnit | int | None = None) -> bool:
    """May ``user`` act for a person (``core.onbehalf``)?

    - with ``city_unit`` (the unit the object belongs to: a consultation's, a place's, a
      notice's): an official or a counter clerk *of that unit*, or an administrator;
    - without (``None``: a city-wide act that belongs to no unit — finding or creating a
      person, recording their consent, their subscriptions to notices): whoever may use the
      counter (``can_use_counter``).

    Which *person* they may see is a second question: ``can_see_person``.
    A person kept by the city never acts for anyone.
    """
    if user is None or getattr(user, "kept_by_city", False):
        return False
    if city_unit is None:
        return can_use_counter(user)
    if is_administrator(user):
        return True
    units = unit_ids(user, Role.OFFICIAL) | unit_ids(user, Role.COUNTER_CLERK)
    unit_id = city_unit if isinstance(city_unit, int) else city_unit.pk
    return unit_id in units


def can_see_person(user: User | Any, person: User | Any, *, at: datetime | None = None) -> bool:
    """A person's details at the counter (their page, and every app's page for acting for them).

    Only for a clerk who identified this person a short while ago (a live
    ``CounterAccess``: the clerk's own search by surname and one more detail, or the clerk
    recorded them), so that a person's number typed into a URL shows nothing. A deleted person
    is shown to nobody. See docs/counter.md.
    """
    if getattr(person, "deleted_at", None) is not None or getattr(person, "pk", None) is None:
        return False
    if not can_use_counter(user):
        return False
    from django.utils import timezone

    from wspolnota.accounts.models import CounterAccess

    return CounterAccess.objects.filter(
        clerk_id=user.pk, person_id=person.pk, expires_at__gt=at or timezone.now()
    ).exists()
