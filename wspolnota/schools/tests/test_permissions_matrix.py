"""Who may do what in a school's budget: role × own/other school or unit × phase × action,
against one table (decided against the school and its education unit, never "is an
official")."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.schools import permissions, services
from wspolnota.schools.tests.factories import confirmed_school, edition_in, education_official
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "resident",
    "coordinator",
    "panel",
    "other_coordinator",
    "education_official",
    "other_official",
    "administrator",
)

# action -> phase it is asked in -> the roles allowed
TABLE = {
    ("decide_school", None): {"education_official", "administrator"},
    ("manage_school", None): {"coordinator", "administrator"},
    ("change_setup", "ideas"): {"coordinator", "administrator"},
    ("change_setup", "voting"): set(),
    ("key_idea", "ideas"): {"coordinator", "panel", "administrator"},
    ("key_idea", "checking"): set(),
    ("check_idea", "checking"): {"coordinator", "panel", "administrator"},
    ("check_idea", "voting"): set(),
    ("manage_codes", "voting"): {"coordinator", "administrator"},
    ("manage_codes", "results"): set(),
    ("publish", "voting"): set(),
    ("publish", "results"): {"coordinator", "administrator"},
    ("view_turnout", "voting"): {"coordinator", "panel", "administrator"},
}


@pytest.fixture
def world():
    school, coordinator, panel = confirmed_school()
    _other_school, other_coordinator, _ = confirmed_school("SP 2")
    pending = services.school_register(
        actor=UserFactory(), name="SP 3", kind="school", location="ul. Krótka 3"
    )
    other_official = UserFactory()
    RoleAssignmentFactory(user=other_official, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    admin = UserFactory()
    RoleAssignmentFactory(user=admin, role=Role.ADMINISTRATOR)
    from django.contrib.auth.models import AnonymousUser

    users = {
        "anonymous": AnonymousUser(),
        "resident": UserFactory(),
        "coordinator": coordinator,
        "panel": panel,
        "other_coordinator": other_coordinator,
        "education_official": education_official(),
        "other_official": other_official,
        "administrator": admin,
    }
    return school, pending, coordinator, users


def _ask(action, user, school, pending, edition):
    now = timezone.now()
    return {
        "decide_school": lambda: permissions.can_decide_school(user, pending),
        "manage_school": lambda: permissions.can_manage_school(user, school),
        "change_setup": lambda: permissions.can_change_edition_setup(user, edition, at=now),
        "key_idea": lambda: permissions.can_key_idea(user, edition, at=now),
        "check_idea": lambda: permissions.can_check_idea(user, edition, at=now),
        "manage_codes": lambda: permissions.can_manage_codes(user, edition, at=now),
        "publish": lambda: permissions.can_publish_results(user, edition, at=now),
        "view_turnout": lambda: permissions.can_view_turnout(user, edition),
    }[action]()


@pytest.mark.parametrize("action,phase", list(TABLE))
def test_permission_matrix(world, action, phase):
    school, pending, coordinator, users = world
    edition = edition_in(school, coordinator, phase or "ideas")
    got = {name for name in ROLES if _ask(action, users[name], school, pending, edition)}
    assert got == TABLE[(action, phase)]


def test_a_refused_or_pending_school_gives_its_coordinator_nothing(world):
    _school, pending, _coordinator, users = world
    registrant = pending.members.get().user
    assert not permissions.can_manage_school(registrant, pending)
    services.school_decide(
        actor=users["education_official"], school=pending, confirm=False, reason="Nie ma szkoły."
    )
    pending.refresh_from_db()
    assert not permissions.can_manage_school(registrant, pending)
