"""Verification and appeals belong to the edition's coordinating unit and the units asked for
an opinion: an official of any other department neither acts on nor reads them (issue 15)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.budget import permissions, selectors, services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.models import Phase, Project, ProjectStatus, Review, ReviewStage
from wspolnota.budget.tests.factories import make_edition, phase_windows, pool_for
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import councillor_of, official_of


def _scene(krakow, *, coordinating_unit):
    edition = make_edition(
        districts=krakow, phase=Phase.VERIFICATION, coordinating_unit=coordinating_unit
    )
    start = phase_windows(Phase.VERIFICATION)[Phase.SUBMISSION][0]
    project = Project.objects.create(
        edition=edition,
        pool=pool_for(edition, 1),
        author=UserFactory(district=krakow[1]),
        title="Ławki na Plantach",
        number="BO.D1.1/26",
        sequence=1,
        status=ProjectStatus.SUBMITTED,
        submitted_at=start,
        support_deadline=start + timedelta(days=edition.support_days),
    )
    return edition, Project.objects.select_related("edition", "pool__district").get(pk=project.pk)


@pytest.mark.django_db
def test_an_edition_without_a_coordinating_unit_is_not_verified_by_any_official(krakow):
    _edition, project = _scene(krakow, coordinating_unit=None)
    stranger = official_of(CityUnitFactory())
    assert not permissions.can_verify_project(stranger, project, at=timezone.now())
    with pytest.raises(BudgetError):
        services.verification_start(actor=stranger, project=project, unit=CityUnitFactory())


@pytest.mark.django_db
def test_an_official_of_another_department_does_not_read_the_verification_file(krakow):
    coordinating = CityUnitFactory()
    edition, project = _scene(krakow, coordinating_unit=coordinating)
    stranger = official_of(CityUnitFactory())
    assert not permissions.can_view_verification(stranger, project)
    assert list(selectors.office_projects(viewer=stranger, edition=edition)) == []
    assert permissions.can_view_verification(official_of(coordinating), project)
    assert permissions.can_view_verification(councillor_of(krakow[1]), project)
    assert not permissions.can_view_verification(councillor_of(krakow[2]), project)


@pytest.mark.django_db
def test_a_unit_asked_for_its_opinion_reads_that_projects_file(krakow):
    edition, project = _scene(krakow, coordinating_unit=CityUnitFactory())
    greenery = CityUnitFactory(name="Zarząd Zieleni Miejskiej")
    Review.objects.create(project=project, stage=ReviewStage.MERIT, city_unit=greenery)
    reviewer = official_of(greenery)
    assert permissions.can_view_verification(reviewer, project)
    assert [p.pk for p in selectors.office_projects(viewer=reviewer, edition=edition)] == [
        project.pk
    ]
    assert not permissions.can_verify_project(reviewer, project, at=timezone.now())


@pytest.mark.django_db
def test_the_authors_draft_versions_are_not_open_to_every_official(krakow):
    _edition, project = _scene(krakow, coordinating_unit=CityUnitFactory())
    stranger = official_of(CityUnitFactory())
    project.versions.create(number=1, is_draft=True, created_by=project.author, title="Szkic")
    assert not selectors.project_versions(project=project, viewer=stranger).exists()


@pytest.mark.django_db
def test_an_official_of_another_department_cannot_export_the_editions_lists(client, krakow):
    coordinating = CityUnitFactory()
    edition, project = _scene(krakow, coordinating_unit=coordinating)
    stranger = official_of(CityUnitFactory())
    client.force_login(stranger)
    response = client.get(f"/pl/budzet-obywatelski/{edition.year}/projekty/eksport.csv")
    assert response.status_code == 403
    assert not permissions.can_export_projects(stranger, edition)
    assert permissions.can_export_projects(official_of(coordinating), edition)
    reviewing = CityUnitFactory()
    Project.objects.filter(pk=project.pk).update(verification_unit=reviewing)
    assert permissions.can_export_projects(official_of(reviewing), edition)
    client.force_login(official_of(coordinating))
    assert (
        client.get(f"/pl/budzet-obywatelski/{edition.year}/projekty/eksport.csv").status_code == 200
    )


@pytest.mark.django_db
def test_an_unpublished_edition_is_seen_by_its_coordinators_not_every_official(krakow):
    coordinating = CityUnitFactory()
    edition, _project = _scene(krakow, coordinating_unit=coordinating)
    edition.is_published = False
    edition.save(update_fields=["is_published"])
    assert not permissions.can_view_edition(official_of(CityUnitFactory()), edition)
    assert permissions.can_view_edition(official_of(coordinating), edition)
    assert not permissions.can_view_edition(UserFactory(), edition)
