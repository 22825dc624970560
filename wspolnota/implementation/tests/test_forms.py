"""The official's pages: bad input gives a clear message and keeps what was typed; who may see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from wspolnota.budget.models import ProjectStatus
from wspolnota.implementation.models import Implementation
from wspolnota.implementation.tests.factories import (
    ballot_project,
    image_upload,
    opened,
    results_edition,
)
from wspolnota.tests_support.factories import CityUnitFactory

pytestmark = pytest.mark.django_db


def form_data(implementation: Implementation, **values: Any) -> dict[str, Any]:
    data = {
        "status": implementation.status,
        "progress": str(implementation.progress),
        "actual_cost": "",
        "responsible_unit": implementation.responsible_unit_id or "",
        "cancel_reason": "",
        "merged_into": "",
        "completed_on": "",
        "note": "",
    }
    data.update(values)
    return data


def test_progress_above_100_is_explained_and_the_typed_values_stay(
    edition: Any, client_for: Any
) -> None:
    implementation = opened(edition)
    client = client_for("official")
    response = client.post(
        reverse("implementation:change", args=[implementation.pk]),
        form_data(implementation, progress="150", note="Prace idą szybko"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "od 0 do 100" in body
    assert 'value="150"' in body
    assert "Prace idą szybko" in body
    assert Implementation.objects.get(pk=implementation.pk).progress == 0


def test_a_negative_cost_is_explained_and_kept(edition: Any, client_for: Any) -> None:
    implementation = opened(edition)
    response = client_for("official").post(
        reverse("implementation:change", args=[implementation.pk]),
        form_data(implementation, actual_cost="-500"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "nie może być ujemny" in body
    assert 'value="-500"' in body


def test_the_error_reads_in_the_language_of_the_page(edition: Any, client_for: Any) -> None:
    implementation = opened(edition)
    response = client_for("official").post(
        f"/en/budzet-obywatelski/realizacja/{implementation.pk}/zmien/",
        form_data(implementation, progress="101"),
    )
    assert response.status_code == 400
    assert "0 to 100" in response.content.decode()


def test_a_valid_change_redirects_to_the_page_with_the_new_state(
    edition: Any, client_for: Any
) -> None:
    implementation = opened(edition)
    client = client_for("official")
    response = client.post(
        reverse("implementation:change", args=[implementation.pk]),
        form_data(implementation, status="design", progress="20", actual_cost="1 000,00"),
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "projektowanie" in page and "20%" in page


def test_a_file_that_is_not_an_image_is_refused_and_the_alt_text_stays(
    edition: Any, client_for: Any
) -> None:
    implementation = opened(edition)
    response = client_for("official").post(
        reverse("implementation:photo_add", args=[implementation.pk]),
        {
            "image": SimpleUploadedFile(
                "plan.pdf", b"%PDF-1.4 dokument", content_type="application/pdf"
            ),
            "alt_text": "Nowe ławki w parku",
            "caption": "Maj 2026",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "nie jest zdjęciem" in body
    assert 'value="Nowe ławki w parku"' in body and 'value="Maj 2026"' in body
    assert not implementation.photos.exists()


def test_a_photo_without_alt_text_is_refused_on_the_page(edition: Any, client_for: Any) -> None:
    implementation = opened(edition)
    response = client_for("official").post(
        reverse("implementation:photo_add", args=[implementation.pk]),
        {"image": image_upload(), "alt_text": ""},
    )
    assert response.status_code == 400
    assert "tekst alternatywny" in response.content.decode()


def test_a_milestone_with_a_bad_date_keeps_the_description(edition: Any, client_for: Any) -> None:
    implementation = opened(edition)
    response = client_for("official").post(
        reverse("implementation:milestone_add", args=[implementation.pk]),
        {"description": "Odbiór robót", "planned_date": "31.02.2026"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Odbiór robót"' in body


def test_an_official_opens_implementations_by_hand(edition: Any, client_for: Any) -> None:
    winner = ballot_project(edition)
    ballot_project(edition, status=ProjectStatus.WITHDRAWN)
    client = client_for("official")
    page = client.get(reverse("implementation:open_edition", args=[edition.year]))
    assert page.status_code == 200 and winner.title in page.content.decode()
    empty = client.post(reverse("implementation:open_edition", args=[edition.year]), {})
    assert empty.status_code == 400 and "co najmniej jeden" in empty.content.decode()
    done = client.post(
        reverse("implementation:open_edition", args=[edition.year]), {"projects": [winner.pk]}
    )
    assert done.status_code == 302
    assert Implementation.objects.filter(project=winner).exists()


def test_follow_and_unfollow_through_the_page(edition: Any, client_for: Any, resident: Any) -> None:
    implementation = opened(edition)
    client = client_for("resident")
    url = reverse("implementation:detail", args=[implementation.pk])
    client.post(reverse("implementation:follow", args=[implementation.pk]))
    assert "Przestań obserwować" in client.get(url).content.decode()
    assert implementation.follows.filter(user=resident).exists()
    followed = client.get(reverse("implementation:followed")).content.decode()
    assert implementation.project.title in followed
    client.post(reverse("implementation:unfollow", args=[implementation.pk]))
    assert not implementation.follows.filter(user=resident).exists()


def test_an_anonymous_visitor_is_asked_to_sign_in_to_follow(edition: Any, client: Any) -> None:
    implementation = opened(edition)
    response = client.post(reverse("implementation:follow", args=[implementation.pk]))
    assert response.status_code == 302 and "/konto/" in response["Location"]
    assert not implementation.follows.exclude(user=implementation.project.author).exists()


MANAGE_PAGES = ["change", "milestone_add", "photo_add"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("official", 200),
        ("administrator", 200),
        ("resident", 403),
        ("moderator", 403),
        ("district_councillor", 403),
        ("auditor", 403),
        ("ngo_member", 403),
    ],
)
def test_who_sees_the_official_pages(
    edition: Any, client_for: Any, persona: str, expected: int
) -> None:
    implementation = opened(edition)
    client = client_for(persona)
    for name in MANAGE_PAGES:
        assert (
            client.get(reverse(f"implementation:{name}", args=[implementation.pk])).status_code
            == expected
        )
    opening = client.get(reverse("implementation:open_edition", args=[edition.year]))
    assert opening.status_code == expected


def test_an_official_of_another_unit_gets_403_where_a_coordinator_is_set(
    krakow: Any, client_for: Any
) -> None:
    edition = results_edition(krakow, coordinating_unit=CityUnitFactory())
    implementation = opened(edition, unit=CityUnitFactory())
    client = client_for("official")
    assert client.get(reverse("implementation:change", args=[implementation.pk])).status_code == 403
    post = client.post(
        reverse("implementation:change", args=[implementation.pk]), {"progress": "5"}
    )
    assert post.status_code == 403
    assert Implementation.objects.get(pk=implementation.pk).progress == 0


def test_an_anonymous_visitor_is_sent_to_log_in_from_official_pages(
    edition: Any, client: Any
) -> None:
    implementation = opened(edition)
    response = client.get(reverse("implementation:change", args=[implementation.pk]))
    assert response.status_code == 302
