"""Counting with votecount, the stored result, tie lots, publication and what stays secret."""

from __future__ import annotations

import sys
import types
from decimal import Decimal

import pytest
import votecount
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from wspolnota.budget.models import Phase
from wspolnota.budget.tests.factories import move_to_phase, pool_for
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import selectors, services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import PoolResult, PublishedReceipt, TieLot
from wspolnota.voting.tests.factories import (
    confirmed,
    krakow_selection,
    make_pesel,
    make_voting_edition,
    on_ballot,
)

pytestmark = pytest.mark.django_db


def _cast(edition, krakow, index, selection=None):
    user = confirmed(UserFactory(district=krakow[1]))
    identity = services.identity_for(
        rules=edition.voting_rules, full_name="X Y", pesel=make_pesel(index), at=timezone.now()
    )
    return services.ballot_cast_online(
        user=user,
        edition=edition,
        rules=edition.voting_rules,
        identity=identity,
        district=krakow[1],
        selection=selection or krakow_selection(edition),
        at=timezone.now(),
    )


def _voting_urls(args: dict) -> list[str]:
    """Every URL of the voting app, filled in with ``args``."""
    from wspolnota.voting.urls import urlpatterns

    urls = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        keys = pattern.pattern.converters.keys()
        urls.append(reverse(f"voting:{pattern.name}", kwargs={k: args[k] for k in keys}))
    return urls


def test_per_project_counts_are_not_visible_anywhere_until_the_vote_closes(
    voting_edition, krakow, client_for, official
):
    """No page or API route shows a per-project number while the vote runs: 5 of 7 ballots give
    the first citywide project 3 points (5 votes, 15 points); neither number appears, nor any
    receipt code."""
    from wspolnota.voting.tests.factories import make_point

    city_pool = pool_for(voting_edition, None)
    projects = on_ballot(voting_edition, None)
    receipts = [_cast(voting_edition, krakow, i) for i in range(5)]
    receipts += [
        _cast(voting_edition, krakow, i, {city_pool.pk: [(projects[3].pk, 0)]}) for i in (5, 6)
    ]
    year = voting_edition.year
    point = make_point(voting_edition, krakow[1])
    assert selectors.pool_results(edition=voting_edition, at=timezone.now()) == []
    with pytest.raises(VotingError):
        services.pool_count(
            actor=official, pool=city_pool, rules=voting_edition.voting_rules, at=timezone.now()
        )
    args = {
        "vote_year": year,
        "vote_pool": city_pool.pk,
        "vote_point": point.pk,
        "vote_card": 1,
        "vote_district": 1,
    }
    urls = _voting_urls(args) + [
        f"/api/voting/{year}/{r}" for r in ("turnout", "results", "receipts")
    ]
    for persona in ("anonymous", "resident", "official", "auditor", "administrator"):
        client = client_for(persona)
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404, 405), (url, response.status_code)
            kind = response.get("Content-Type", "")
            text = kind.startswith(("text/", "application/json"))
            body = response.content.decode(errors="ignore") if text else ""
            for code in receipts:
                assert code not in body, url
            for marker in (">5<", ">15<", '"votes": 5', '"score": "15"', "BO.OM.1/25;"):
                assert marker not in body, (persona, url, marker)
        assert client.get(f"/api/voting/{year}/results").status_code == 404
        assert client.get(f"/api/voting/{year}/turnout").json()["total"] == 7


def test_after_the_close_the_count_is_stored_with_rule_options_version_and_input_hash(
    voting_edition, krakow, official
):
    for i in range(5):
        _cast(voting_edition, krakow, i)
    edition = move_to_phase(voting_edition, Phase.RESULTS)
    results = services.edition_count(actor=official, edition=edition, at=timezone.now())
    city = PoolResult.objects.get(pool=pool_for(edition, None))
    assert city.rule == "greedy" and city.votecount_version == votecount.__version__
    assert len(city.input_sha256) == 64 and city.ballots_counted == 5
    assert city.options["tie_breaking"].startswith("max-first-places")
    top = on_ballot(edition, None)[0]
    assert city.selected[0] == top.number
    assert city.tally[top.number] == {"votes": "5", "score": "15"}
    assert len(results) == edition.pools.count()
    # the same input gives the same hash when counted again
    again = services.pool_count(
        actor=official, pool=city.pool, rules=edition.voting_rules, at=timezone.now()
    )
    assert again.input_sha256 == city.input_sha256


def test_publishing_opens_results_receipt_codes_and_implementation_of_the_winners(
    voting_edition, krakow, official, monkeypatch
):
    receipts = [_cast(voting_edition, krakow, i) for i in range(3)]
    edition = move_to_phase(voting_edition, Phase.RESULTS)
    with pytest.raises(VotingError):
        services.results_publish(actor=official, edition=edition, at=timezone.now())
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    calls = []
    fake = types.ModuleType("wspolnota.implementation.services")
    fake.implementations_open = lambda **kwargs: calls.append(kwargs)
    monkeypatch.setitem(sys.modules, "wspolnota.implementation.services", fake)
    services.results_publish(actor=official, edition=edition, at=timezone.now())
    assert sorted(PublishedReceipt.objects.values_list("code", flat=True)) == sorted(receipts)
    assert calls and calls[0]["edition"] == edition and calls[0]["actor"] == official
    winners = set(calls[0]["project_ids"])
    assert on_ballot(edition, None)[0].pk in winners
    client = Client()
    year = edition.year
    page = client.get(reverse("voting:pool_results", args=[year, pool_for(edition, None).pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "<table>" in body
    assert client.get(reverse("voting:results_json", args=[year])).json()["pools"]
    assert client.get(reverse("voting:results_csv", args=[year])).status_code == 200
    pdf = client.get(reverse("voting:pool_protocol_pdf", args=[year, pool_for(edition, None).pk]))
    assert pdf.content.startswith(b"%PDF")
    check = client.get(reverse("voting:receipts", args=[year]), {"kod": receipts[0]})
    assert "głos został policzony" in check.content.decode()
    pb = client.get(
        reverse("voting:open_data_pb", args=[year, pool_for(edition, None).pk])
    ).content.decode()
    assert "voter_id;vote;age;sex" in pb
    for code in receipts:
        assert code not in pb


def test_a_tie_decided_by_lot_needs_witnesses_and_records_the_seed(krakow, official):
    edition = make_voting_edition(districts=krakow)
    city = pool_for(edition, None)
    projects = on_ballot(edition, None)
    # two projects with the same cost and the same votes and first places; only one fits
    projects[0].cost = Decimal("6000000")
    projects[1].cost = Decimal("6000000")
    projects[0].save()
    projects[1].save()
    services.ballot_cache_clear()
    _cast(edition, krakow, 1, {city.pk: [(projects[0].pk, 0), (projects[1].pk, 0)]})
    _cast(edition, krakow, 2, {city.pk: [(projects[1].pk, 0), (projects[0].pk, 0)]})
    edition = move_to_phase(edition, Phase.RESULTS)
    with pytest.raises(VotingError) as exc:
        services.pool_count(
            actor=official, pool=city, rules=edition.voting_rules, at=timezone.now()
        )
    assert "świadków" in str(exc.value)
    result = services.pool_count(
        actor=official,
        pool=city,
        rules=edition.voting_rules,
        at=timezone.now(),
        witnesses="Anna Nowak, Jan Kowalski",
        seed=12345,
    )
    lot = TieLot.objects.get(result=result)
    assert lot.seed == 12345 and "Anna Nowak" in lot.witnesses
    assert set(lot.tied) == {projects[0].number, projects[1].number}
    redo = services.pool_count(
        actor=official,
        pool=city,
        rules=edition.voting_rules,
        at=timezone.now(),
        witnesses="Anna Nowak, Jan Kowalski",
        seed=12345,
    )
    assert redo.selected == result.selected


def test_rules_are_fixed_before_voting_and_cannot_change_afterwards(krakow, official):
    edition = make_voting_edition(districts=krakow, phase=Phase.FINAL_LIST, fixed=False)
    rules = services.voting_rules_set(
        actor=official,
        edition=edition,
        at=timezone.now(),
        counting_rule="equalshares/add1",
        ballot_kind="approval",
        approval_max=3,
    )
    with pytest.raises(VotingError):
        services.voting_rules_set(
            actor=official,
            edition=edition,
            at=timezone.now(),
            counting_options={"completion": "nonsense"},
        )
    services.voting_rules_fix(actor=official, rules=rules, at=timezone.now())
    with pytest.raises(VotingError):
        services.voting_rules_set(
            actor=official, edition=edition, at=timezone.now(), approval_max=4
        )
    voting = move_to_phase(edition, Phase.VOTING)
    with pytest.raises(VotingError):
        services.voting_rules_set(actor=official, edition=voting, at=timezone.now(), approval_max=4)
