from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from wspolnota.implementation.models import ImplementationStatus
from wspolnota.implementation.services import implementation_change
from wspolnota.implementation.tests.factories import add_photo, opened

pytestmark = pytest.mark.django_db


def test_the_list_shows_implementations_and_filters_by_status(
    edition: Any, client: Any, administrator: Any
) -> None:
    planned = opened(edition, title="Ławki na Plantach")
    started = opened(edition, title="Siłownia pod chmurką")
    implementation_change(
        actor=administrator,
        implementation=started,
        status=ImplementationStatus.IN_PROGRESS,
        progress=40,
        actual_cost=None,
        responsible_unit=started.responsible_unit,
    )
    page = client.get(reverse("implementation:index"))
    assert page.status_code == 200
    assert planned.project.title in page.content.decode()
    filtered = client.get(reverse("implementation:index"), {"status": "in_progress"})
    body = filtered.content.decode()
    assert "Siłownia pod chmurką" in body and "Ławki na Plantach" not in body


def test_a_filter_value_that_does_not_exist_is_reported_not_a_crash(
    edition: Any, client: Any
) -> None:
    opened(edition)
    page = client.get(reverse("implementation:index"), {"status": "zzz", "edition": "abc"})
    assert page.status_code == 400
    assert "zzz" in page.content.decode()


def test_the_list_costs_the_same_queries_for_few_and_many(
    edition: Any, client: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        opened(edition)
    client.get(reverse("implementation:index"))
    for _ in range(20):
        opened(edition)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("implementation:index")).status_code == 200


def test_the_detail_page_shows_state_milestones_and_photos(
    edition: Any, client: Any, administrator: Any
) -> None:
    implementation = opened(edition)
    add_photo(implementation, administrator)
    page = client.get(reverse("implementation:detail", args=[implementation.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'alt="Nowe ławki przy alejce"' in body
    photo = implementation.photos.get()
    image = client.get(reverse("implementation:photo_file", args=[implementation.pk, photo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_an_unpublished_edition_is_not_shown(edition: Any, client: Any) -> None:
    implementation = opened(edition)
    edition.is_published = False
    edition.save(update_fields=["is_published"])
    assert client.get(reverse("implementation:detail", args=[implementation.pk])).status_code == 404
    assert (
        implementation.project.title
        not in client.get(reverse("implementation:index")).content.decode()
    )


def test_the_map_draws_located_projects_and_lists_the_rest_in_a_table(
    edition: Any, client: Any
) -> None:
    located = opened(edition, title="Skwer z ławkami")
    unlocated = opened(edition, district=None, title="Rowery miejskie")
    page = client.get(reverse("implementation:map"))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count("<circle") == 1
    assert located.project.title in body and unlocated.project.title in body


def test_the_csv_holds_one_row_per_implementation(edition: Any, client: Any) -> None:
    opened(edition)
    opened(edition)
    response = client.get(reverse("implementation:export_csv"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("id,edition_year,project_number")
    assert len(lines) == 3
