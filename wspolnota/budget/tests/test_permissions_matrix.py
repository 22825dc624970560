"""Who may do what, when: every role × every phase × every action, as one table per phase.

Each phase builds the same scene (an author's submitted project in District I, a negatively
verified one, an edition coordinated by the official's unit) and compares the permission rules
with the table below. A mismatch names the action, the role and what was expected.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget import permissions
from wspolnota.budget.models import Phase, Project, ProjectStatus
from wspolnota.budget.tests.factories import (
    make_edition,
    phase_windows,
    pool_for,
    submitted_project,
)
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

ROLES = [
    "anonymous",
    "author",
    "resident",
    "resident_other_district",
    "official",
    "official_other_unit",
    "district_councillor",
    "moderator",
    "auditor",
    "administrator",
]
PHASES = [Phase.SUBMISSION, Phase.VERIFICATION, Phase.APPEALS, Phase.FINAL_LIST, Phase.VOTING]
SIGNED_IN = set(ROLES) - {"anonymous"}
COORDINATORS = {"official", "administrator"}
OFFICIALS = {"official", "official_other_unit", "administrator"}
BEFORE_FINAL_LIST = {Phase.SUBMISSION, Phase.VERIFICATION, Phase.APPEALS}
CASES_OPEN = BEFORE_FINAL_LIST | {Phase.FINAL_LIST}  # until the list is published; never in voting
ALL = set(PHASES)

# action: (roles allowed, phases in which they are allowed)
EXPECTED: dict[str, tuple[set[str], set[str]]] = {
    "submit a project": (SIGNED_IN, {Phase.SUBMISSION}),
    "edit the submitted project": ({"author"}, {Phase.SUBMISSION}),
    # Residence is no longer read from the profile: it comes from the address the supporter
    # gives (services.project_support, test_supporters); here everyone has a confirmed phone.
    "support it online": (SIGNED_IN - {"author"}, {Phase.SUBMISSION}),
    "record a paper list": (COORDINATORS, CASES_OPEN),
    "verify it": (COORDINATORS, CASES_OPEN),
    "appeal a negative result": ({"author"}, CASES_OPEN),
    "publish the final list": (COORDINATORS, {Phase.FINAL_LIST}),
    "withdraw it": ({"author"}, BEFORE_FINAL_LIST),
    "export lists": (COORDINATORS, ALL),
    # The coordinating unit (and units asked for an opinion: test_unit_scope.py), not every
    # official of every department (issue 15).
    "see the verification file": (COORDINATORS | {"district_councillor"}, ALL),
}


def _actions(user, edition, project, negative, at):
    return {
        "submit a project": permissions.can_submit_project(user, edition, at=at),
        "edit the submitted project": permissions.can_edit_project(user, project, at=at),
        "support it online": permissions.can_support_project(user, project, at=at),
        "record a paper list": permissions.can_record_paper_support(user, project, at=at),
        "verify it": permissions.can_verify_project(user, project, at=at),
        "appeal a negative result": permissions.can_appeal_project(user, negative, at=at),
        "publish the final list": permissions.can_publish_final_list(user, edition, at=at),
        "withdraw it": permissions.can_withdraw_project(user, project, at=at),
        "export lists": permissions.can_export_projects(user, edition),
        "see the verification file": permissions.can_view_verification(user, project),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("phase", PHASES)
def test_the_permission_matrix(phase, request, krakow):
    official = request.getfixturevalue("official")
    edition = make_edition(
        districts=krakow, phase=phase, coordinating_unit=official.role_assignments.get().city_unit
    )
    submission_start = phase_windows(phase)[Phase.SUBMISSION][0]
    author = UserFactory(district=krakow[1])
    other_unit = UserFactory(district=krakow[3])
    RoleAssignmentFactory(user=other_unit, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    pool = pool_for(edition, 1)
    # Written as the services would have left them, at the start of the submission phase.
    project = (
        submitted_project(author=author, pool=pool, at=submission_start)
        if phase == Phase.SUBMISSION
        else None
    )
    if project is None:
        project = Project.objects.create(
            edition=edition,
            pool=pool,
            author=author,
            title="Projekt",
            number="BO.D1.1/26",
            sequence=1,
            status=ProjectStatus.SUBMITTED,
            submitted_at=submission_start,
            support_deadline=submission_start + timedelta(days=edition.support_days),
        )
    negative = Project.objects.create(
        edition=edition,
        pool=pool,
        author=author,
        title="Odrzucony",
        number="BO.D1.2/26",
        sequence=2,
        status=ProjectStatus.VERIFIED_NEGATIVE,
        verified_at=timezone.now() - timedelta(days=1),
    )
    project = Project.objects.select_related("edition", "pool__district").get(pk=project.pk)
    negative = Project.objects.select_related("edition", "pool__district").get(pk=negative.pk)
    users = {
        "anonymous": None,
        "author": author,
        "official_other_unit": other_unit,
        **{
            name: request.getfixturevalue(name)
            for name in ROLES
            if name not in ("anonymous", "author", "official_other_unit")
        },
    }
    for user in users.values():
        if user is not None:
            user.phone = f"+48502{user.pk:06d}"
            user.phone_confirmed_at = timezone.now()
    at = timezone.now()
    mismatches = []
    for role in ROLES:
        got = _actions(users[role], edition, project, negative, at)
        for action, (roles, phases) in EXPECTED.items():
            expected = role in roles and phase in phases
            if got[action] != expected:
                mismatches.append(
                    f"{phase} / {role} / {action}: expected {expected}, got {got[action]}"
                )
    assert mismatches == [], "\n".join(mismatches)
