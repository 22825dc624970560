"""The public list of calls: filtered by kind, year and words, the finished ones paginated
(every call the city ever ran on one page does not scale); bad input is a 400, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.grants.models import CallStatus, ProgrammeKind
from wspolnota.grants.tests.factories import make_call, make_programme

pytestmark = pytest.mark.django_db


def _finished(programme, n, *, year=2025, prefix="Nabór"):
    now = timezone.now()
    return [
        make_call(
            programme,
            title=f"{prefix} {i:02d}",
            status=CallStatus.ARCHIVED,
            year=year,
            opens_at=now - timedelta(days=400 + i),
            closes_at=now - timedelta(days=300 + i),
        )
        for i in range(n)
    ]


def test_finished_calls_are_paginated(client):
    micro = make_programme(ProgrammeKind.MICRO_GRANT)
    _finished(micro, 30)
    first = client.get("/pl/granty/")
    assert first.status_code == 200
    body = first.content.decode()
    assert "Nabór 00" in body and "Nabór 29" not in body
    assert 'rel="next"' in body
    second = client.get("/pl/granty/?page=2").content.decode()
    assert "Nabór 29" in second and "Nabór 00" not in second


def test_calls_are_filtered_by_kind_year_and_words(client):
    _finished(make_programme(ProgrammeKind.MICRO_GRANT), 2, prefix="Mikro")
    _finished(make_programme(ProgrammeKind.OPEN_COMPETITION), 2, year=2024, prefix="Konkurs")
    make_call(make_programme(ProgrammeKind.SMALL_GRANT), title="Małe granty otwarte")
    body = client.get("/pl/granty/?rodzaj=open_competition").content.decode()
    assert "Konkurs 00" in body and "Mikro 00" not in body and "Małe granty otwarte" not in body
    body = client.get("/pl/granty/?rok=2025").content.decode()
    assert "Mikro 01" in body and "Konkurs 01" not in body
    body = client.get("/pl/granty/?q=konkurs+01").content.decode()
    assert "Konkurs 01" in body and "Konkurs 00" not in body and "Mikro 00" not in body


@pytest.mark.parametrize(
    "query", ["rodzaj=nope", "rok=dwa", "rok=99999999999999999999", "page=x", "page=0"]
)
def test_bad_filters_are_a_400_with_the_list_not_a_500(client, query):
    make_call(make_programme(ProgrammeKind.MICRO_GRANT), title="Nabór otwarty")
    response = client.get(f"/pl/granty/?{query}")
    assert response.status_code in (200, 400)
    if query.startswith(("rodzaj", "rok")):
        assert response.status_code == 400
    assert "Nabór otwarty" in response.content.decode()


def test_the_index_reads_the_limits_in_force_and_says_which_are_the_citys(client):
    """A new act's limit is a data change with an effective date: the public description of the
    kinds follows it without a release, and keeps the act's limits apart from the city's."""
    from decimal import Decimal

    from wspolnota.grants.models import LegalRule, RuleKey, RuleSource

    LegalRule.objects.create(
        key=RuleKey.SMALL_GRANT_MAX_AMOUNT,
        value=Decimal(15_000),
        source=RuleSource.STATUTE,
        legal_basis="art. 19a ust. 1 (nowelizacja)",
        effective_from=timezone.localdate() - timedelta(days=1),
    )
    body = client.get("/pl/granty/").content.decode()
    assert "15\xa0000" in body and "10\xa0000 zł" not in body
    small = body.rsplit("Małe granty", 1)[-1].split("</dd>", 1)[0]
    assert "15\xa0000" in small and "ustaw" in small and "zasad" in small.lower()
