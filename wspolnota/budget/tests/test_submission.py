"""Submission: drafts, versions, numbers and the rules an author meets, in services and pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError, BudgetErrors
from wspolnota.budget.models import Phase, Project, ProjectStatus
from wspolnota.budget.tests.factories import content, move_to_phase, pool_for, submitted_project
from wspolnota.core.models import AuditLogEntry

pytestmark = pytest.mark.django_db


def _form_data(pool, **overrides):
    data = {
        "pool": str(pool.pk),
        "title": "Zielona alejka na Plantach",
        "short_description": "Nowe ławki, kosze i nasadzenia drzew wzdłuż alejki w parku osiedlowym dla mieszkańców.",
        "description": "Ławki i drzewa.",
        "category": "environment",
        "address": "Planty",
        "latitude": "50,0614",
        "longitude": "19.9366",
        "data_protection": "on",
        "cost-TOTAL_FORMS": "3",
        "cost-INITIAL_FORMS": "0",
        "cost-0-name": "Ławki",
        "cost-0-amount": "40 000,00",
        "cost-1-name": "Drzewa",
        "cost-1-amount": "60000",
        "cost-2-name": "",
        "cost-2-amount": "",
        "save": "1",
    }
    data.update(overrides)
    return data


def test_a_resident_saves_a_draft_that_only_they_can_see(client_for, edition, resident):
    pool = pool_for(edition, 1)
    response = client_for("resident").post(
        f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/", _form_data(pool)
    )
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.status == ProjectStatus.DRAFT and project.number == ""
    assert project.cost == Decimal("100000.00")
    assert project.location_district.number == 1
    assert [i.name for i in project.cost_items.all()] == ["Ławki", "Drzewa"]
    assert (
        client_for("resident_other_district")
        .get(f"/pl/budzet-obywatelski/projekty/{project.pk}/")
        .status_code
        == 404
    )
    assert (
        client_for("anonymous").get(f"/pl/budzet-obywatelski/projekty/{project.pk}/").status_code
        == 404
    )
    assert (
        client_for("resident").get(f"/pl/budzet-obywatelski/projekty/{project.pk}/").status_code
        == 200
    )


def test_submitting_gives_the_krakow_number_and_a_public_version(edition, resident):
    pool = pool_for(edition, 1)
    first = submitted_project(author=resident, pool=pool)
    second = submitted_project(author=resident, pool=pool, title="Drugi")
    citywide = submitted_project(
        author=resident, pool=pool_for(edition, None), latitude=None, longitude=None
    )
    yy = f"{edition.year % 100:02d}"
    assert (first.number, second.number, citywide.number) == (
        f"BO.D1.1/{yy}",
        f"BO.D1.2/{yy}",
        f"BO.OM.1/{yy}",
    )
    assert first.status == ProjectStatus.SUBMITTED
    assert first.support_deadline - first.submitted_at == timedelta(days=10)
    versions = list(first.versions.order_by("number"))
    assert [v.is_draft for v in versions] == [True, False]
    assert AuditLogEntry.objects.filter(
        action="budget.project_submitted", object_id=str(first.pk)
    ).exists()


def test_every_change_keeps_a_version_and_the_public_sees_only_submitted_ones(
    client_for, edition, resident
):
    pool = pool_for(edition, 1)
    project = submitted_project(author=resident, pool=pool)
    services.project_update(
        actor=resident, project=project, content=content(pool, title="Nowy tytuł")
    )
    project.refresh_from_db()
    assert project.version == 3
    page = (
        client_for("anonymous")
        .get(f"/pl/budzet-obywatelski/projekty/{project.pk}/")
        .content.decode()
    )
    assert "Wersja 3" in page and "Wersja 2" in page and "Wersja 1" not in page
    diff = client_for("anonymous").get(f"/pl/budzet-obywatelski/projekty/{project.pk}/wersje/3/")
    assert diff.status_code == 200 and "Nowy tytuł" in diff.content.decode()
    assert (
        client_for("anonymous")
        .get(f"/pl/budzet-obywatelski/projekty/{project.pk}/wersje/1/")
        .status_code
        == 404
    )


def test_a_251_character_short_description_is_refused_and_kept(client_for, edition, resident):
    pool = pool_for(edition, 1)
    text = "a" * 251
    response = client_for("resident").post(
        f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/",
        _form_data(pool, short_description=text),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Krótki opis może mieć najwyżej 250 znaków (teraz: 251)." in page
    assert (
        text in page
        and 'value="Zielona alejka na Plantach"' in page
        and 'value="40 000,00"' in page
    )
    assert 'class="error-summary"' in page
    assert not Project.objects.exists()


def test_errors_are_translated(client_for, edition, resident):
    pool = pool_for(edition, 1)
    response = client_for("resident").post(
        f"/uk/budzet-obywatelski/{edition.year}/zglos-projekt/",
        _form_data(pool, short_description="a" * 251),
    )
    assert response.status_code == 400
    assert "250" in response.content.decode() and "Krótki opis" not in response.content.decode()


def test_a_cost_over_the_pool_limit_is_refused_with_the_limit_named(client_for, edition, resident):
    pool = pool_for(edition, 1)
    response = client_for("resident").post(
        f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/",
        _form_data(pool, **{"cost-0-amount": "1 200 000"}),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "przekracza limit puli" in page and "1\xa0000\xa0000,00" in page
    assert 'value="1 200 000"' in page


def test_a_location_outside_the_district_is_refused(client_for, edition, resident):
    pool = pool_for(edition, 1)
    # Nowa Huta (district XVIII), while the pool is Stare Miasto's
    response = client_for("resident").post(
        f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/",
        _form_data(pool, latitude="50.0720", longitude="20.0380"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "leży w dzielnicy XVIII Nowa Huta" in page and 'value="50.0720"' in page
    with pytest.raises(BudgetErrors) as caught:
        services.project_draft_create(
            author=resident,
            edition=edition,
            content=content(pool, latitude=Decimal("52.23"), longitude=Decimal("21.01")),
        )
    assert caught.value.problems[0].field == "latitude" and "poza granicami" in str(caught.value)


def test_submission_needs_everything_and_names_each_missing_part(edition, resident):
    pool = pool_for(edition, 1)
    draft = services.project_draft_create(
        author=resident,
        edition=edition,
        content=services.ProjectContent(pool=pool, title="Tylko tytuł"),
    )
    with pytest.raises(BudgetErrors) as caught:
        services.project_submit(actor=resident, project=draft)
    fields = {p.field for p in caught.value.problems}
    assert {
        "short_description",
        "description",
        "category",
        "address",
        "cost",
        "data_protection",
    } <= fields


def test_a_minor_submits_with_a_guardians_consent(edition, resident):
    pool = pool_for(edition, 1)
    with pytest.raises(BudgetErrors) as caught:
        submitted_project(author=resident, pool=pool, author_is_minor=True)
    assert caught.value.problems[0].field == "guardian_name"
    project = submitted_project(
        author=resident,
        pool=pool,
        author_is_minor=True,
        guardian_name="Jan Opiekun",
        guardian_consent=True,
    )
    assert project.guardian_name == "Jan Opiekun"


def test_no_submission_or_edit_after_the_deadline(client_for, edition, resident):
    pool = pool_for(edition, 1)
    project = submitted_project(author=resident, pool=pool)
    edition = move_to_phase(edition, Phase.VERIFICATION)
    with pytest.raises(BudgetError, match="Termin zgłaszania projektów minął"):
        services.project_draft_create(author=resident, edition=edition, content=content(pool))
    project.refresh_from_db()
    with pytest.raises(BudgetError):
        services.project_update(
            actor=resident, project=project, content=content(pool, title="Za późno")
        )
    closed = client_for("resident").get(f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/")
    assert (
        closed.status_code == 403 and "Termin zgłaszania projektów minął" in closed.content.decode()
    )


def test_the_pool_cannot_change_after_submission(edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetErrors) as caught:
        services.project_update(
            actor=resident,
            project=project,
            content=content(pool_for(edition, None), latitude=None, longitude=None),
        )
    assert caught.value.problems[-1].field == "pool"


def test_someone_else_cannot_edit(edition, resident, resident_other_district):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError):
        services.project_update(
            actor=resident_other_district, project=project, content=content(pool_for(edition, 1))
        )


def test_the_edit_page_adds_cost_rows_without_javascript(client_for, edition, resident):
    pool = pool_for(edition, 1)
    client = client_for("resident")
    response = client.post(
        f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/",
        _form_data(pool, add_row="1", save=None) | {"save": ""},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="cost-3-name"' in page and 'value="Ławki"' in page
    assert not Project.objects.exists()


def test_an_author_submits_from_the_edit_page_and_deletes_a_draft(client_for, edition, resident):
    pool = pool_for(edition, 1)
    client = client_for("resident")
    client.post(f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/", _form_data(pool))
    project = Project.objects.get()
    data = _form_data(pool) | {"cost-INITIAL_FORMS": "2", "submit": "1"}
    response = client.post(f"/pl/budzet-obywatelski/projekty/{project.pk}/edycja/", data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    client.post(
        f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/",
        _form_data(pool, title="Szkic do kosza"),
    )
    draft = Project.objects.get(status=ProjectStatus.DRAFT)
    assert client.post(f"/pl/budzet-obywatelski/projekty/{draft.pk}/usun-szkic/").status_code == 302
    assert not Project.objects.filter(pk=draft.pk).exists()


def test_authors_withdraw_until_the_set_date(client_for, edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    client = client_for("resident")
    assert client.get(f"/pl/budzet-obywatelski/projekty/{project.pk}/wycofaj/").status_code == 200
    refused = client.post(f"/pl/budzet-obywatelski/projekty/{project.pk}/wycofaj/", {"reason": "x"})
    assert refused.status_code == 400
    late = timezone.now() + timedelta(days=365)
    with pytest.raises(BudgetError, match="można było wycofać"):
        services.project_withdraw(actor=resident, project=project, at=late)
    ok = client.post(
        f"/pl/budzet-obywatelski/projekty/{project.pk}/wycofaj/",
        {"reason": "Zmiana planów", "confirm": "on"},
    )
    assert ok.status_code == 302
    project.refresh_from_db()
    assert (
        project.status == ProjectStatus.WITHDRAWN and project.withdrawal_reason == "Zmiana planów"
    )
