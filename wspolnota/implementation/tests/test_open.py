from __future__ import annotations

from typing import Any

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.budget.models import ProjectStatus
from wspolnota.core.models import AuditLogEntry
from wspolnota.implementation.errors import ImplementationError, ImplementationPermissionError
from wspolnota.implementation.models import Follow, Implementation, Update, UpdateKind
from wspolnota.implementation.services import implementations_open
from wspolnota.implementation.tests.factories import ballot_project, results_edition
from wspolnota.tests_support.factories import CityUnitFactory

pytestmark = pytest.mark.django_db


def test_it_opens_one_planned_implementation_per_winning_project(edition: Any) -> None:
    first = ballot_project(edition, district=1)
    second = ballot_project(edition, district=None)
    result = implementations_open(edition=edition, project_ids=[first.pk, second.pk], actor=None)
    assert [i.project_id for i in result] == [first.pk, second.pk]
    assert {i.status for i in result} == {"planned"}
    assert result[0].district is not None and result[0].district.number == 1
    assert result[1].district is None
    assert result[0].estimated_cost == first.cost
    assert Update.objects.filter(kind=UpdateKind.OPENED).count() == 2
    assert AuditLogEntry.objects.filter(action="implementation.open").count() == 2


def test_opening_again_changes_nothing(edition: Any) -> None:
    project = ballot_project(edition)
    first = implementations_open(edition=edition, project_ids=[project.pk], actor=None)
    again = implementations_open(edition=edition, project_ids=[project.pk, project.pk], actor=None)
    assert [i.pk for i in again] == [first[0].pk]
    assert Implementation.objects.count() == 1
    assert AuditLogEntry.objects.filter(action="implementation.open").count() == 1


def test_the_responsible_unit_is_the_unit_that_verified_the_project(edition: Any) -> None:
    unit = CityUnitFactory()
    project = ballot_project(edition, unit=unit)
    implementation = implementations_open(edition=edition, project_ids=[project.pk], actor=None)[0]
    assert implementation.responsible_unit == unit


def test_the_author_follows_the_implementation_from_the_start(edition: Any) -> None:
    project = ballot_project(edition)
    implementation = implementations_open(edition=edition, project_ids=[project.pk], actor=None)[0]
    assert Follow.objects.filter(implementation=implementation, user=project.author).exists()
    implementation.refresh_from_db()
    assert implementation.followers_count == 1


def test_a_project_that_was_not_on_the_ballot_is_refused_and_nothing_opens(edition: Any) -> None:
    good = ballot_project(edition)
    rejected = ballot_project(edition, status=ProjectStatus.VERIFIED_NEGATIVE)
    with pytest.raises(ImplementationError) as caught:
        implementations_open(edition=edition, project_ids=[good.pk, rejected.pk], actor=None)
    assert rejected.number in str(caught.value)
    assert Implementation.objects.count() == 0


def test_a_project_of_another_edition_is_refused(krakow: Any, edition: Any) -> None:
    other = results_edition(krakow, year=2019)
    project = ballot_project(other)
    with pytest.raises(ImplementationError):
        implementations_open(edition=edition, project_ids=[project.pk], actor=None)


def test_an_unknown_project_id_is_refused(edition: Any) -> None:
    with pytest.raises(ImplementationError):
        implementations_open(edition=edition, project_ids=[987654], actor=None)


def test_an_empty_list_opens_nothing(edition: Any) -> None:
    assert implementations_open(edition=edition, project_ids=[], actor=None) == []


def test_an_official_opens_by_hand_and_is_named_in_the_audit_log(
    edition: Any, official: Any
) -> None:
    project = ballot_project(edition)
    implementations_open(edition=edition, project_ids=[project.pk], actor=official)
    entry = AuditLogEntry.objects.get(action="implementation.open")
    assert entry.actor == official


@pytest.mark.parametrize("persona", ["resident", "moderator", "district_councillor", "auditor"])
def test_only_coordinators_open_implementations(
    edition: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    project = ballot_project(edition)
    with pytest.raises(ImplementationPermissionError):
        implementations_open(edition=edition, project_ids=[project.pk], actor=user)
    assert not Implementation.objects.exists()


def test_an_official_of_another_unit_may_not_open_when_the_edition_has_a_coordinator(
    krakow: Any, official: Any
) -> None:
    edition = results_edition(krakow, coordinating_unit=CityUnitFactory())
    project = ballot_project(edition)
    with pytest.raises(ImplementationPermissionError):
        implementations_open(edition=edition, project_ids=[project.pk], actor=official)
    assert official.role_assignments.filter(role=Role.OFFICIAL).exists()
