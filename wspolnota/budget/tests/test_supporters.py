"""Supporters: 15 residents (of the district) within 10 days, online or on a paper list."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.models import Support
from wspolnota.budget.tests.factories import pool_for, submitted_project
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_district_residents_support_online_until_the_project_has_enough(edition, resident, krakow):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    for _ in range(14):
        services.project_support(user=UserFactory(district=krakow[1]), project=project)
    project.refresh_from_db()
    assert project.supporters_count == 14 and project.supporters_complete_at is None
    services.project_support(user=UserFactory(district=krakow[1]), project=project)
    project.refresh_from_db()
    assert project.supporters_count == 15 and project.supporters_complete_at is not None


def test_residents_of_another_district_cannot_support_a_district_project(
    edition, resident, resident_other_district
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError, match="mieszkańcy dzielnicy I Stare Miasto"):
        services.project_support(user=resident_other_district, project=project)
    citywide = submitted_project(
        author=resident, pool=pool_for(edition, None), latitude=None, longitude=None
    )
    services.project_support(user=resident_other_district, project=citywide)


def test_nobody_supports_twice_or_their_own_project(edition, resident, krakow):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError, match="Autor nie może"):
        services.project_support(user=resident, project=project)
    neighbour = UserFactory(district=krakow[1])
    services.project_support(user=neighbour, project=project)
    with pytest.raises(BudgetError, match="Już popierasz"):
        services.project_support(user=neighbour, project=project)
    assert Support.objects.count() == 1


def test_a_support_after_the_deadline_gets_a_clear_message(
    client_for, edition, resident, resident_other_district, krakow
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    late = project.support_deadline + timedelta(minutes=1)
    with pytest.raises(BudgetError, match="Termin zbierania poparcia minął"):
        services.project_support(user=UserFactory(district=krakow[1]), project=project, at=late)
    project.support_deadline = timezone.now() - timedelta(hours=1)
    project.save()
    neighbour = UserFactory(district=krakow[1])
    client = client_for("anonymous")
    client.force_login(neighbour)
    response = client.post(f"/pl/budzet-obywatelski/projekty/{project.pk}/poprzyj/")
    assert response.status_code == 400
    assert "Termin zbierania poparcia minął" in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_anonymous_supporters_are_sent_to_log_in(client_for, edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    response = client_for("anonymous").post(
        f"/pl/budzet-obywatelski/projekty/{project.pk}/poprzyj/"
    )
    assert response.status_code == 302 and "/konto/logowanie/" in response["Location"]


def test_an_official_records_a_paper_list_and_it_counts(client_for, edition, resident, official):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    services.paper_support_list_record(
        actor=official,
        project=project,
        received_on=timezone.localdate(),
        signatures_valid=16,
        signatures_rejected=2,
    )
    project.refresh_from_db()
    assert project.supporters_count == 16 and project.supporters_complete_at is not None
    entry = AuditLogEntry.objects.get(action="budget.paper_support_recorded")
    assert entry.actor == official and entry.after["supporters_count"] == 16
    with pytest.raises(BudgetError):
        services.paper_support_list_record(
            actor=resident, project=project, received_on=timezone.localdate(), signatures_valid=3
        )


def test_a_paper_list_received_after_the_deadline_is_refused(edition, resident, official):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    too_late = timezone.localdate(project.support_deadline) + timedelta(days=1)
    with pytest.raises(BudgetError, match="po terminie"):
        services.paper_support_list_record(
            actor=official,
            project=project,
            received_on=too_late,
            signatures_valid=15,
            at=project.support_deadline + timedelta(days=2),
        )
    with pytest.raises(BudgetError, match="w przyszłości"):
        services.paper_support_list_record(
            actor=official,
            project=project,
            received_on=date.today() + timedelta(days=3),
            signatures_valid=15,
        )


def test_the_paper_list_pdf_has_the_number_and_a_qr_code(client_for, edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    response = client_for("anonymous").get(
        f"/pl/budzet-obywatelski/projekty/{project.pk}/lista-poparcia.pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from wspolnota.budget import documents

    html = documents.render_to_string(
        "budget/pdf/support_list.html",
        {
            "project": project,
            "qr": documents.qr_data_uri("https://example.org"),
            "url": "u",
            "rows": range(1, 3),
        },
    )
    assert project.number in html and "data:image/svg+xml" in html


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_supports_by_one_person_count_once(krakow, resident):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from wspolnota.budget.tests.factories import make_edition

    edition = make_edition(districts=krakow)
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    neighbour = UserFactory(district=krakow[1])
    barrier = threading.Barrier(2)
    outcomes = []

    def support():
        barrier.wait()
        try:
            services.project_support(user=neighbour, project=project)
            outcomes.append("ok")
        except BudgetError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=support) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    project.refresh_from_db()
    assert sorted(outcomes) == ["ok", "refused"]
    assert project.supporters_count == 1 and Support.objects.filter(project=project).count() == 1
