"""Who may run the vote, and when: every role × every phase × every action of voting and of
implementation tracking, as one table (issue 14: "any official of any department can set rules,
count, publish and resolve paper cards").

Each phase builds the same scene — an edition coordinated by the ``official`` persona's unit, a
voting point with its own coordinator, an implementation whose responsible unit is another's —
and compares the permission rules with the table. A mismatch names phase, role and action.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget.models import EditionPhase, Phase
from wspolnota.implementation import permissions as impl
from wspolnota.implementation.models import Implementation
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.voting import permissions as vote
from wspolnota.voting.models import VotingRules
from wspolnota.voting.tests.factories import make_point, make_voting_edition, on_ballot

ROLES = [
    "anonymous",
    "resident",
    "point_coordinator",
    "official",
    "official_other_unit",
    "official_responsible_unit",
    "district_councillor",
    "moderator",
    "auditor",
    "administrator",
]
BEFORE, OPEN, ENDED, BOX_CLOSED, PUBLISHED = (
    "before voting",
    "voting open",
    "voting ended",
    "box closed",
    "published",
)
PHASES = [BEFORE, OPEN, ENDED, BOX_CLOSED, PUBLISHED]
ALL = set(PHASES)
SIGNED_IN = set(ROLES) - {"anonymous"}
COORDINATORS = {"official", "administrator"}  # the coordinating unit's officials, administrators

EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    # voting
    "set the rules": (COORDINATORS, {BEFORE}),
    "add a voting point": (COORDINATORS, {BEFORE, OPEN, ENDED}),
    "extend the end of voting": (COORDINATORS, {OPEN}),
    "key a paper card": ({"point_coordinator"}, {OPEN, ENDED, BOX_CLOSED}),
    "close the point": ({"point_coordinator"}, {OPEN, ENDED, BOX_CLOSED}),
    "finish or adjudicate a card": (COORDINATORS, {OPEN, ENDED, BOX_CLOSED}),
    "close the ballot box": (COORDINATORS, {ENDED}),
    "count": (COORDINATORS, {BOX_CLOSED}),
    "publish the results": (COORDINATORS, {BOX_CLOSED}),
    "correct the results": (COORDINATORS, {PUBLISHED}),
    "see refusals and suspicious patterns": (COORDINATORS | {"auditor"}, ALL),
    "run the office page": (COORDINATORS, ALL),
    # implementation
    "open implementations": (COORDINATORS, ALL),
    "report on an implementation": (COORDINATORS | {"official_responsible_unit"}, ALL),
    "assign the responsible unit": (COORDINATORS, ALL),
    "follow an implementation": (SIGNED_IN, ALL),
}


def _actions(user, edition, point, implementation, at):
    return {
        "set the rules": vote.can_set_rules(user, edition, at=at),
        "add a voting point": vote.can_create_point(user, edition, at=at),
        "extend the end of voting": vote.can_extend_voting(user, edition, at=at),
        "key a paper card": vote.can_enter_paper(user, point, at=at),
        "close the point": vote.can_close_point(user, point, at=at),
        "finish or adjudicate a card": vote.can_work_as_commission(user, edition, at=at),
        "close the ballot box": vote.can_close_box(user, edition, at=at),
        "count": vote.can_count(user, edition, at=at),
        "publish the results": vote.can_publish_results(user, edition, at=at),
        "correct the results": vote.can_correct_results(user, edition, at=at),
        "see refusals and suspicious patterns": vote.can_view_refusals(user, edition),
        "run the office page": vote.can_manage_voting(user, edition),
        "open implementations": impl.can_open_implementations(user, edition),
        "report on an implementation": impl.can_manage_implementation(user, implementation),
        "assign the responsible unit": impl.can_assign_unit(user, implementation),
        "follow an implementation": impl.can_follow(user),
    }


def _scene(phase, official, krakow):
    edition = make_voting_edition(
        districts=krakow, phase=Phase.VOTING, fixed=phase != BEFORE, coordinator=official
    )
    now = timezone.now()
    windows = {
        BEFORE: (now + timedelta(days=1), now + timedelta(days=10)),
        OPEN: (now - timedelta(days=1), now + timedelta(days=10)),
    }
    start, end = windows.get(phase, (now - timedelta(days=10), now - timedelta(hours=1)))
    EditionPhase.objects.filter(edition=edition, kind=Phase.VOTING).update(
        starts_at=start, ends_at=end
    )
    rules = VotingRules.objects.get(edition=edition)
    if phase in (BOX_CLOSED, PUBLISHED):
        rules.box_closed_at = now
    if phase == PUBLISHED:
        rules.results_published_at = now
    rules.save()
    coordinator = UserFactory(district=krakow[1])
    point = make_point(edition, krakow[1], [coordinator])
    if phase == PUBLISHED:
        point.closed_at = now
        point.save()
    responsible = CityUnitFactory()
    project = on_ballot(edition, 1)[0]
    implementation = Implementation.objects.create(
        project=project,
        edition=edition,
        district=krakow[1],
        estimated_cost=project.cost,
        responsible_unit=responsible,
    )
    edition = type(edition).objects.prefetch_related("phases").get(pk=edition.pk)
    point = type(point).objects.select_related("edition").get(pk=point.pk)
    point.edition = edition
    implementation.edition = edition
    return edition, point, implementation, coordinator, responsible


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
def test_the_voting_and_implementation_permission_matrix(phase, request, krakow):
    official = request.getfixturevalue("official")
    edition, point, implementation, coordinator, responsible = _scene(phase, official, krakow)
    other_unit = UserFactory(district=krakow[3])
    RoleAssignmentFactory(user=other_unit, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    of_responsible = UserFactory(district=krakow[3])
    RoleAssignmentFactory(user=of_responsible, role=Role.OFFICIAL, city_unit=responsible)
    users = {
        "anonymous": None,
        "point_coordinator": coordinator,
        "official_other_unit": other_unit,
        "official_responsible_unit": of_responsible,
        **{
            name: request.getfixturevalue(name)
            for name in ROLES
            if name
            not in (
                "anonymous",
                "point_coordinator",
                "official_other_unit",
                "official_responsible_unit",
            )
        },
    }
    at = timezone.now()
    mismatches = []
    for role in ROLES:
        got = _actions(users[role], edition, point, implementation, at)
        for action, (roles, phases) in EXPECTED.items():
            expected = role in roles and phase in phases
            if got[action] != expected:
                mismatches.append(
                    f"{phase} / {role} / {action}: expected {expected}, got {got[action]}"
                )
    assert mismatches == [], "\n".join(mismatches)


@pytest.mark.django_db
def test_an_edition_without_a_coordinating_unit_is_run_by_administrators_only(
    krakow, official, administrator
):
    edition = make_voting_edition(districts=krakow)
    assert edition.coordinating_unit_id is None
    assert not vote.can_manage_voting(official, edition)
    assert vote.can_manage_voting(administrator, edition)
