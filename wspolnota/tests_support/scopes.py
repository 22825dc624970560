"""People whose role is scoped to a given city unit or district, for the permission matrix tests.

Every app's matrix asks the same question — does the role count for *this* object's unit or
district, and not for another one? — so the personas are built the same way everywhere.
"""

from __future__ import annotations

from typing import Any

from wspolnota.accounts.models import CityUnit, User
from wspolnota.accounts.roles import Role
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory


def official_of(unit: CityUnit | None = None, **user: Any) -> User:
    """An official of ``unit`` (a new unit when none is given)."""
    person = UserFactory(**user)
    RoleAssignmentFactory(user=person, role=Role.OFFICIAL, city_unit=unit or CityUnitFactory())
    return person


def councillor_of(district: Any, **user: Any) -> User:
    """A district councillor of ``district``, living there."""
    person = UserFactory(district=district, **user)
    RoleAssignmentFactory(user=person, role=Role.DISTRICT_COUNCILLOR, district=district)
    return person


def with_role(role: Role, **user: Any) -> User:
    """A holder of a city-wide role (moderator, NGO member, auditor, administrator)."""
    person = UserFactory(**user)
    RoleAssignmentFactory(user=person, role=role)
    return person


def unit_of(official: User) -> CityUnit:
    """The one unit an official made by ``official_of`` (or the conftest persona) works in."""
    return official.role_assignments.get(role=Role.OFFICIAL).city_unit  # type: ignore[return-value]


def counter_clerk_of(unit: CityUnit | None = None, **user: Any) -> User:
    """A counter / phone-line clerk of ``unit`` (a new unit when none is given), issue 17."""
    person = UserFactory(**user)
    RoleAssignmentFactory(user=person, role=Role.COUNTER_CLERK, city_unit=unit or CityUnitFactory())
    return person


def kept_person(**fields: Any) -> User:
    """A person without an account, kept by the city (made directly, no clerk, no audit)."""
    defaults: dict[str, Any] = {
        "full_name": "Janina Żółkiewska",
        "address_street": "ul. Długa 5/3",
        "address_postcode": "31-147",
        "address_city": "Kraków",
        "landline_phone": "+48126161200",
        "reply_channel": "letter",
    }
    defaults.update(fields)
    person = User(kept_by_city=True, **defaults)
    person.set_unusable_password()
    person.save()
    return person


def counter_access(clerk: User, *people: User, purpose: str = "act") -> None:
    """``clerk`` has just identified ``people`` at the counter (as ``services.counter_search``
    would), so the pages that show a person to a clerk open for them."""
    from datetime import timedelta

    from django.utils import timezone

    from wspolnota.accounts.models import CounterAccess

    for person in people:
        CounterAccess.objects.create(
            clerk=clerk,
            person=person,
            purpose=purpose,
            expires_at=timezone.now() + timedelta(hours=1),
        )
