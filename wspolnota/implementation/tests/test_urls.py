"""This app's part of the every-URL sweep, runnable on its own: every URL of the app as every
persona in every language, GET and POST with an empty and a garbage body: never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wspolnota.conftest import PERSONAS
from wspolnota.implementation import urls
from wspolnota.implementation.tests.url_samples import url_samples

pytestmark = pytest.mark.django_db
GARBAGE = {
    "status": "<script>",
    "progress": "1e999",
    "actual_cost": "-0,,1",
    "responsible_unit": "x",
    "merged_into": "-1",
    "completed_on": "2026-13-45",
    "planned_date": "wczoraj",
    "projects": ["a", "99999999"],
    "alt_text": "x" * 5000,
    "image": "not a file",
}


def _paths(samples: dict[str, Any], language: str) -> list[str]:
    with translation.override(language):
        return [
            reverse(
                f"implementation:{pattern.name}",
                kwargs={name: samples[name] for name in pattern.pattern.regex.groupindex},
            )
            for pattern in urls.urlpatterns
        ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_url_of_the_app_gives_a_server_error(
    persona: str, request: pytest.FixtureRequest
) -> None:
    samples = url_samples(request)
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = Client(raise_request_exception=False)
    failures = []
    for code, _label in settings.LANGUAGES:
        for path in _paths(samples, code):
            if user is not None:
                client.force_login(user)
            requests = [("get", None)]
            if code == "pl":
                requests += [("post", {}), ("post", GARBAGE)]
            for method, data in requests:
                response = (
                    getattr(client, method)(path, data) if data is not None else client.get(path)
                )
                if response.status_code >= 500:
                    failures.append(
                        f"{method.upper()} {path} {data!r:.30} as {persona}: {response.status_code}"
                    )
    assert failures == []


def test_every_argument_of_the_app_has_a_sample(request: pytest.FixtureRequest) -> None:
    samples = url_samples(request)
    names = {name for pattern in urls.urlpatterns for name in pattern.pattern.regex.groupindex}
    assert names <= set(samples)
