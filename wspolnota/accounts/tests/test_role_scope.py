"""Roles are scoped: an official counts for their city unit, a councillor for their district."""

from __future__ import annotations

import pytest

from wspolnota.accounts import permissions
from wspolnota.accounts.roles import Role
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import councillor_of, official_of, unit_of, with_role


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "own_unit", "other_unit", "own_district", "other_district"),
    [
        ("official", True, False, False, False),
        ("councillor", False, False, True, False),
        ("administrator", True, True, True, True),
        ("moderator", False, False, False, False),
        ("ngo_member", False, False, False, False),
        ("resident", False, False, False, False),
    ],
)
def test_a_role_counts_only_for_its_own_unit_or_district(
    krakow, persona, own_unit, other_unit, own_district, other_district
):
    unit, other = CityUnitFactory(), CityUnitFactory()
    people = {
        "official": lambda: official_of(unit),
        "councillor": lambda: councillor_of(krakow[1]),
        "administrator": lambda: with_role(Role.ADMINISTRATOR),
        "moderator": lambda: with_role(Role.MODERATOR),
        "ngo_member": lambda: with_role(Role.NGO_MEMBER),
        "resident": lambda: UserFactory(district=krakow[1]),
    }
    user = people[persona]()
    assert permissions.acts_for_unit(user, unit.pk) is own_unit
    assert permissions.acts_for_unit(user, other.pk) is other_unit
    assert permissions.can_act_for_district(user, krakow[1]) is own_district
    assert permissions.can_act_for_district(user, krakow[2]) is other_district


@pytest.mark.django_db
def test_an_object_naming_no_unit_belongs_to_administrators_only(krakow):
    assert not permissions.acts_for_unit(official_of(), None)
    assert permissions.acts_for_unit(with_role(Role.ADMINISTRATOR), None)


@pytest.mark.django_db
def test_an_official_of_two_units_acts_for_both_and_no_third(krakow):
    person = official_of()
    second = CityUnitFactory()
    from wspolnota.tests_support.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=person, role=Role.OFFICIAL, city_unit=second)
    first = person.role_assignments.exclude(city_unit=second).get().city_unit
    assert permissions.unit_ids(person) == {first.pk, second.pk}
    assert not permissions.acts_for_unit(person, CityUnitFactory().pk)


@pytest.mark.django_db
def test_an_official_is_not_a_councillor_of_any_district(krakow):
    person = official_of()
    assert unit_of(person) is not None
    assert not any(permissions.can_act_for_district(person, d) for d in krakow.values())
