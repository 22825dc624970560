"""Every set-up page × every role: only the coordinating unit (and administrators) set up its
edition. A GET shows the page (200) or refuses (403; anonymous visitors go to log in, 302); a
POST by anyone else changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.accounts.roles import Role
from wspolnota.budget.models import Phase
from wspolnota.budget.tests.factories import make_edition, pool_for
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.voting.tests.factories import make_point

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",
    "official_of_the_unit",
    "official_other_unit",
    "district_councillor",
    "moderator",
    "ngo_member",
    "auditor",
    "administrator",
]
SETS_UP = {"official_of_the_unit", "administrator"}
# Opening a new edition: any unit's official (for their own unit) and administrators.
OPENS = {"official_of_the_unit", "official_other_unit", "administrator"}


def _people(krakow: Any, request: Any) -> tuple[dict[str, Any], Any]:
    unit = CityUnitFactory()
    people: dict[str, Any] = {"anonymous": None}
    for role in ROLES[1:]:
        if role == "official_of_the_unit":
            user = UserFactory(district=krakow[1])
            RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
        elif role == "official_other_unit":
            user = UserFactory(district=krakow[1])
            RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
        else:
            user = request.getfixturevalue(role)
        people[role] = user
    return people, unit


def _pages(edition: Any, point: Any) -> dict[str, str]:
    year = edition.year
    return {
        "edition settings": reverse("budget:edition_setup", args=[year]),
        "pools": reverse("budget:setup_pools", args=[year]),
        "one pool": reverse("budget:setup_pool", args=[year, pool_for(edition, 1).pk]),
        "verification assignment": reverse("budget:setup_verification", args=[year]),
        "voting rules": reverse("voting:setup_rules", args=[year]),
        "voting points": reverse("voting:setup_points", args=[year]),
        "one voting point": reverse("voting:setup_point", args=[year, point.pk]),
    }


@pytest.mark.parametrize("phase", [Phase.SUBMISSION, Phase.VERIFICATION, Phase.VOTING])
def test_only_the_coordinating_unit_sets_up_its_edition(phase, krakow, request):
    people, unit = _people(krakow, request)
    edition = make_edition(districts=krakow, phase=phase, coordinating_unit=unit)
    point = make_point(edition, krakow[1])
    mismatches = []
    for role, user in people.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for page, url in {
            **_pages(edition, point),
            "new edition": reverse("budget:edition_new"),
        }.items():
            allowed = role in (OPENS if page == "new edition" else SETS_UP)
            expected = 200 if allowed else (302 if user is None else 403)
            got = client.get(url).status_code
            if got != expected:
                mismatches.append(f"GET {page} as {role} in {phase}: {got}, expected {expected}")
            if not allowed:
                before = AuditLogEntry.objects.count()
                posted = client.post(url, {"name": "x", "budget": "1", "save": "1", "fix": "1"})
                if posted.status_code not in (302, 403) or AuditLogEntry.objects.count() != before:
                    mismatches.append(f"POST {page} as {role} in {phase}: {posted.status_code}")
    assert mismatches == []
