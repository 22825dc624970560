from __future__ import annotations

from typing import Any

import pytest

from wspolnota.implementation.models import ImplementationStatus
from wspolnota.implementation.services import implementation_change
from wspolnota.implementation.tests.factories import opened

pytestmark = pytest.mark.django_db


def test_the_list_gives_implementations_with_exact_money(
    edition: Any, client: Any, official: Any
) -> None:
    implementation = opened(edition)
    opened(edition, district=None)
    implementation_change(
        actor=official,
        implementation=implementation,
        status=ImplementationStatus.IN_PROGRESS,
        progress=30,
        actual_cost="99 999,99",
        responsible_unit=implementation.responsible_unit,
    )
    data = client.get("/api/implementations", {"status": "in_progress"}).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert item["actual_cost"] == "99999.99"
    assert item["progress"] == 30
    assert item["district_number"] == 1
    citywide = client.get("/api/implementations", {"district": "citywide"}).json()
    assert citywide["count"] == 1 and citywide["items"][0]["district_number"] is None


def test_unknown_filter_values_give_an_empty_list_not_an_error(edition: Any, client: Any) -> None:
    opened(edition)
    for params in ({"status": "zzz"}, {"district": "99"}, {"edition": 1900}, {"unit": 123456}):
        response = client.get("/api/implementations", params)
        assert response.status_code == 200 and response.json()["count"] == 0


def test_the_detail_has_milestones_and_the_log_in_the_requested_language(
    edition: Any, client: Any, official: Any
) -> None:
    implementation = opened(edition)
    implementation_change(
        actor=official,
        implementation=implementation,
        status=ImplementationStatus.DESIGN,
        progress=5,
        actual_cost=None,
        responsible_unit=implementation.responsible_unit,
    )
    data = client.get(f"/api/implementations/{implementation.pk}", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["status"] == "design"
    assert data["milestones"] == []
    lines = [line for update in data["updates"] for line in update["lines"]]
    assert "Status: planned → design." in lines


def test_an_unpublished_edition_is_not_in_the_api(edition: Any, client: Any) -> None:
    implementation = opened(edition)
    edition.is_published = False
    edition.save(update_fields=["is_published"])
    assert client.get(f"/api/implementations/{implementation.pk}").status_code == 404
    assert client.get("/api/implementations").json()["count"] == 0
