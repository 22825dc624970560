"""The read API: editions with phases and pools, projects with location and status."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wspolnota.budget.models import ProjectStatus
from wspolnota.budget.tests.factories import ProjectFactory, pool_for

pytestmark = pytest.mark.django_db


def test_editions_list_their_phases(client, edition):
    data = client.get("/api/budget/editions").json()
    assert [e["year"] for e in data] == [edition.year]
    assert [p["kind"] for p in data[0]["phases"]][:2] == ["submission", "support"]


def test_an_edition_lists_its_pools_with_exact_amounts(client, edition):
    data = client.get(f"/api/budget/editions/{edition.year}").json()
    assert data["rules"]["supporters_required"] == 15
    citywide = next(p for p in data["pools"] if p["kind"] == "citywide")
    assert (
        Decimal(citywide["budget"]) == Decimal("10200000.00")
        and citywide["district_number"] is None
    )
    assert len(data["pools"]) == 19
    assert client.get("/api/budget/editions/1999").status_code == 404


def test_projects_are_paginated_filtered_and_drafts_hidden(client, edition):
    pool = pool_for(edition, 1)
    located = ProjectFactory(
        pool=pool, title="Łąka kwietna", latitude=Decimal("50.0614"), longitude=Decimal("19.9366")
    )
    ProjectFactory(
        pool=pool_for(edition, None), title="Rowery miejskie", status=ProjectStatus.ON_BALLOT
    )
    ProjectFactory(pool=pool, title="Szkic", status=ProjectStatus.DRAFT, number="", sequence=None)
    data = client.get(f"/api/budget/editions/{edition.year}/projects").json()
    assert data["count"] == 2
    found = client.get(f"/api/budget/editions/{edition.year}/projects?q=laka&pool=1").json()[
        "items"
    ]
    assert [p["title"] for p in found] == ["Łąka kwietna"]
    assert found[0]["latitude"] == "50.061400" and found[0]["district_number"] == 1
    assert found[0]["url"].endswith(f"/budzet-obywatelski/projekty/{located.pk}/")
    detail = client.get(f"/api/budget/projects/{located.pk}").json()
    assert detail["status"] == "submitted" and detail["cost_items"] == []


def test_a_draft_is_not_found_through_the_api(client, edition):
    draft = ProjectFactory(
        pool=pool_for(edition, 1), status=ProjectStatus.DRAFT, number="", sequence=None
    )
    assert client.get(f"/api/budget/projects/{draft.pk}").status_code == 404
