"""Every school page as several personas, GET and POST, empty and garbage input: no 5xx, and
the pages a pupil or a visitor may not use answer 403/404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from wspolnota.schools.tests.url_samples import url_samples
from wspolnota.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db

NAMES = {
    "index": [],
    "guide": [],
    "school_register": [],
    "pending": [],
    "school_decide": ["school_id"],
    "school_detail": ["school_id"],
    "school_team": ["school_id"],
    "edition_create": ["school_id"],
    "edition_detail": ["edition_id"],
    "edition_setup": ["edition_id"],
    "idea_create": ["edition_id"],
    "idea_check": ["edition_id", "idea_id"],
    "codes": ["edition_id"],
    "sheet_void": ["edition_id", "sheet_id"],
    "vote": ["edition_id"],
    "results": ["edition_id"],
    "results_pb": ["edition_id"],
    "poster": ["edition_id"],
}


def test_no_school_page_gives_a_server_error(request, krakow):
    samples = url_samples(request)
    from wspolnota.schools.models import School

    coordinator = School.objects.get(pk=samples["school_id"]).members.first().user
    personas = {"anonymous": None, "resident": UserFactory(), "coordinator": coordinator}
    failures = []
    client = Client(raise_request_exception=False)
    for persona, user in personas.items():
        for language in ("pl", "uk"):
            for name, args in NAMES.items():
                with translation.override(language):
                    url = reverse(f"schools:{name}", args=[samples[a] for a in args])
                for method, data in (
                    ("get", {}),
                    ("get", {"template": "nope", "start": "x"}),
                    ("post", {}),
                    ("post", {"code": "\u0000", "ideas": ["x", "99999999999999999999"]}),
                    ("post", {"label": "x" * 500, "size": "-1", "decision": "zz"}),
                ):
                    if user is None:
                        client.logout()
                    else:
                        client.force_login(user)
                    response = getattr(client, method)(url, data)
                    if response.status_code >= 500:
                        failures.append(
                            f"{method} {url} {data} as {persona}: {response.status_code}"
                        )
    assert failures == []


def test_team_pages_refuse_a_resident_and_a_visitor(request, krakow):
    samples = url_samples(request)
    client = Client()
    for name in ("codes", "edition_setup", "idea_create"):
        url = reverse(f"schools:{name}", args=[samples["edition_id"]])
        assert client.get(url).status_code in (302, 403)
        client.force_login(UserFactory())
        assert client.get(url).status_code == 403
        assert client.post(url, {"label": "5b", "size": "3"}).status_code == 403
        client.logout()
