"""The read API of grants: programmes, announced calls, published results and awards."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.grants.models import ApplicationStatus, Award, CallStatus, ProgrammeKind
from wspolnota.grants.tests.factories import (
    make_application,
    make_call,
    make_member,
    make_programme,
    score,
)
from wspolnota.organisations.tests.factories import IndividualFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _decided(call, applicant, *, grant, points, award=None, number):
    application = make_application(
        call,
        applicant,
        grant=grant,
        status=ApplicationStatus.AWARDED if award else ApplicationStatus.NOT_AWARDED,
        submitted_at=timezone.now() - timedelta(days=3),
        number=number,
    )
    for member in call.commission.all():
        score(member, application, points)
    if award:
        Award.objects.create(
            application=application, call=call, amount=Decimal(award), decided_by=call.created_by
        )
    return application


@pytest.fixture
def published(krakow):
    """A micro-grant call with published results: an NGO won, an individual won, one lost."""
    call = make_call(
        make_programme(ProgrammeKind.MICRO_GRANT, name="Mikrogranty"),
        pool=10_000,
        status=CallStatus.RESULTS,
        closes_at=timezone.now() - timedelta(days=2),
        results_published_at=timezone.now(),
        title="Nabór wiosenny",
    )
    make_member(call)
    make_member(call)
    ngo = OrganisationFactory(name="Fundacja Zielony Kraków")
    youth = IndividualFactory(
        name="Jan Młody", person__birth_date=timezone.localdate().replace(year=2008)
    )
    _decided(call, ngo, grant=4_000, points=[9, 9, 9], award=3_500, number="MG/1")
    _decided(call, youth, grant=2_000, points=[8, 8, 8], award=2_000, number="MG/2")
    _decided(
        call, OrganisationFactory(name="Przegrani"), grant=3_000, points=[2, 2, 2], number="MG/3"
    )
    return call


def test_programmes_show_their_limits_and_rubric(client):
    make_programme(ProgrammeKind.SMALL_GRANT, name="Małe granty")
    make_programme(ProgrammeKind.OPEN_COMPETITION, name="Stary program", is_active=False)
    data = client.get("/api/grants/programmes").json()
    assert [p["name"] for p in data] == ["Małe granty"]
    small = data[0]
    assert small["kind"] == "small_grant" and small["max_amount"] == "10000.00"
    assert small["yearly_cap_per_applicant"] == "20000.00" and small["remarks_days"] == 7
    assert small["min_lead_days"] == 30 and small["max_duration_days"] == 90
    assert [c["max_points"] for c in small["criteria"]] == ["10.00", "10.00"]
    english = client.get("/api/grants/programmes", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english[0]["kind_label"] != small["kind_label"]


def test_calls_list_announced_ones_with_their_pools_and_hide_drafts(client, published):
    open_call = make_call(make_programme(ProgrammeKind.LOCAL_INITIATIVE), pool=50_000)
    draft = make_call(status=CallStatus.DRAFT, title="Projekt")
    data = client.get("/api/grants/calls").json()
    ids = [c["id"] for c in data]
    assert set(ids) == {published.pk, open_call.pk} and draft.pk not in ids
    results = next(c for c in data if c["id"] == published.pk)
    assert results["awarded_amount"] == "5500.00" and results["remaining_amount"] == "4500.00"
    assert results["accepting_applications"] is False and results["status"] == "results"
    assert results["url"].endswith(f"/granty/nabory/{published.pk}/")
    accepting = client.get("/api/grants/calls", {"accepting": "true"}).json()
    assert [c["id"] for c in accepting] == [open_call.pk]
    assert accepting[0]["closes_at"] is None  # a rolling call: until the money runs out
    kind = client.get("/api/grants/calls", {"kind": "micro_grant"}).json()
    assert [c["id"] for c in kind] == [published.pk]
    detail = client.get(f"/api/grants/calls/{open_call.pk}").json()
    assert [c["max_points"] for c in detail["criteria"]] == ["45.00", "45.00", "10.00"]
    assert client.get(f"/api/grants/calls/{draft.pk}").status_code == 404
    assert client.get("/api/grants/calls/999999").status_code == 404


def test_results_rank_the_decided_applications_and_never_name_individuals(client, published):
    data = client.get(f"/api/grants/calls/{published.pk}/results").json()
    assert data["published"] is True and data["awarded_amount"] == "5500.00"
    rows = data["results"]
    assert [(r["rank"], r["number"], r["score"]) for r in rows] == [
        (1, "MG/1", "27.00"),
        (2, "MG/2", "24.00"),
        (3, "MG/3", "6.00"),
    ]
    assert rows[0]["applicant"] == "Fundacja Zielony Kraków"
    assert rows[0]["awarded_amount"] == "3500.00" and rows[0]["requested_amount"] == "4000.00"
    assert rows[1]["applicant"] is None and rows[1]["applicant_kind"] == "individual"
    assert "Jan Młody" not in str(data)
    assert rows[2]["awarded_amount"] is None and rows[2]["status"] == "not_awarded"


def test_results_stay_empty_until_published(client, krakow):
    call = make_call(status=CallStatus.CLOSED)
    make_member(call)
    make_member(call)
    application = make_application(
        call, OrganisationFactory(), status=ApplicationStatus.IN_ASSESSMENT, number="MG/9"
    )
    data = client.get(f"/api/grants/calls/{call.pk}/results").json()
    assert data["published"] is False and data["results"] == []
    assert application.title not in str(data)


def test_awards_list_who_got_how_much_for_what(client, published, django_assert_max_num_queries):
    unpublished = make_call(status=CallStatus.CLOSED)
    hidden = make_application(unpublished, OrganisationFactory(), status="awarded", number="MG/8")
    Award.objects.create(
        application=hidden, call=unpublished, amount=Decimal(100), decided_by=unpublished.created_by
    )
    with django_assert_max_num_queries(3):
        data = client.get("/api/grants/awards").json()
    assert data["count"] == 2
    first, second = data["items"]
    assert first["organisation"]["name"] == "Fundacja Zielony Kraków"
    assert first["amount"] == "3500.00" and first["title"] == "Podwórkowe lato"
    assert first["call"]["programme_kind"] == "micro_grant"
    assert second["organisation"] == {"id": None, "kind": "individual", "name": None}
    year = published.year
    assert client.get("/api/grants/awards", {"year": year - 1}).json()["count"] == 0
    assert client.get("/api/grants/awards", {"call": published.pk}).json()["count"] == 2
    assert client.get("/api/grants/awards", {"year": "dwa"}).status_code == 422


def test_the_openapi_schema_lists_the_grants_and_registry_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in (
        "/api/grants/programmes",
        "/api/grants/calls",
        "/api/grants/calls/{call_id}",
        "/api/grants/calls/{call_id}/results",
        "/api/grants/awards",
        "/api/organisations",
        "/api/organisations/{organisation_id}",
    ):
        assert "get" in paths[path], path


@pytest.mark.parametrize(
    "url",
    [
        "/api/grants/calls/99999999999999999999",
        "/api/grants/calls/0/results",
        "/api/grants/calls/abc",
        "/api/grants/awards?call=99999999999999999999",
        "/api/grants/awards?kind=%00",
        "/api/grants/calls?year=99999&kind=x",
        "/api/grants/calls?accepting=maybe",
        "/api/organisations/99999999999999999999",
        "/api/organisations?q=%00&district=1",
        "/api/organisations?district=99999999999",
        "/api/organisations?area=" + "x" * 300,
    ],
)
def test_garbage_ids_and_filters_get_a_clear_4xx(client, url):
    response = client.get(url)
    assert response.status_code in (400, 404, 422), response.content[:300]
    assert response.json()["detail"]
