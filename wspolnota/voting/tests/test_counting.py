"""Counting with votecount, and attacks on it (issue 14): a coordinator who moves the end of the
vote, counts mid-vote, recounts until the lot suits them, publishes a stale count or recounts
after publication; and anyone who redoes the count from the open data."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
import votecount
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from wspolnota.budget import services as budget_services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.models import Phase
from wspolnota.budget.tests.factories import move_to_phase, pool_for
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import documents, selectors, services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import (
    BallotReceipt,
    Count,
    PoolResult,
    TieLot,
    VotingExtension,
    VotingPoint,
)
from wspolnota.voting.tests.factories import (
    cast_online,
    close_vote,
    confirmed,
    identity_of,
    krakow_selection,
    make_point,
    make_voting_edition,
    on_ballot,
)

pytestmark = pytest.mark.django_db


def _cast(edition, krakow, index, selection=None):
    user = confirmed(UserFactory(district=krakow[1]))
    return cast_online(edition, user, identity_of(edition, index), krakow[1], selection)


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
    city_pool = pool_for(voting_edition, None)
    projects = on_ballot(voting_edition, None)
    receipts = [_cast(voting_edition, krakow, i) for i in range(5)]
    receipts += [
        _cast(voting_edition, krakow, i, {city_pool.pk: [(projects[3].pk, 0)]}) for i in (5, 6)
    ]
    services.envelopes_mix(edition_id=voting_edition.pk, final=True)  # even once mixed
    year = voting_edition.year
    point = make_point(voting_edition, krakow[1])
    assert selectors.pool_results(edition=voting_edition, at=timezone.now()) == []
    with pytest.raises(VotingError):
        services.edition_count(actor=official, edition=voting_edition, at=timezone.now())
    args = {
        "vote_year": year,
        "vote_pool": city_pool.pk,
        "vote_point": point.pk,
        "vote_card": 1,
        "vote_district": 1,
        "version": 1,
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


def test_the_end_of_voting_cannot_be_moved_earlier_or_reopened_once_voting_has_started(
    voting_edition, official
):
    """Before: a coordinator moved the end earlier, counted mid-vote, read the tally and
    reopened the vote by editing the phase."""
    start, end = voting_edition.phase_window(Phase.VOTING)
    for window in (
        (start, timezone.now() + timedelta(minutes=1)),
        (start, end + timedelta(days=1)),
    ):
        with pytest.raises(BudgetError) as exc:
            budget_services.edition_phases_update(
                actor=official, edition=voting_edition, phases={Phase.VOTING: window}
            )
        assert "przedłużyć" in str(exc.value)
    with pytest.raises(VotingError):  # shorter through the vote's own form
        services.voting_extend(
            actor=official,
            edition=voting_edition,
            new_end=end - timedelta(hours=1),
            reason="awaria",
            at=timezone.now(),
        )
    with pytest.raises(VotingError):  # no reason, no extension
        services.voting_extend(
            actor=official,
            edition=voting_edition,
            new_end=end + timedelta(hours=2),
            reason=" ",
            at=timezone.now(),
        )
    services.voting_extend(
        actor=official,
        edition=voting_edition,
        new_end=end + timedelta(hours=2),
        reason="Awaria serwera SMS 3.10 w godz. 18–20",
        at=timezone.now(),
    )
    page = Client().get(reverse("voting:edition", args=[voting_edition.year]))
    assert "Awaria serwera SMS" in page.content.decode()
    assert AuditLogEntry.objects.filter(action="voting.end_extended").exists()
    # after the end nothing reopens it
    with pytest.raises(VotingError):
        services.voting_extend(
            actor=official,
            edition=voting_edition,
            new_end=end + timedelta(days=5),
            reason="otwórzmy ponownie",
            at=end + timedelta(hours=3),
        )
    assert VotingExtension.objects.count() == 1


def test_nothing_is_counted_before_the_close_and_every_point_and_card_is_settled(
    voting_edition, krakow, official
):
    """Before: count and publication went ahead mid-vote, with open points and half-keyed or
    disputed cards."""
    _cast(voting_edition, krakow, 1)
    typists = [UserFactory(district=krakow[1]), UserFactory(district=krakow[1])]
    point = make_point(voting_edition, krakow[1], typists)
    services.paper_entry_add(
        actor=typists[0],
        point=point,
        number="K-1",
        identity=identity_of(voting_edition, 2),
        district=krakow[1],
        document_kind="id_card",
        selection=krakow_selection(voting_edition),
        at=timezone.now(),
    )
    with pytest.raises(VotingError) as early:
        services.ballot_box_close(actor=official, edition=voting_edition, at=timezone.now())
    assert "trwa" in str(early.value)
    edition = move_to_phase(voting_edition, Phase.RESULTS)
    with pytest.raises(VotingError) as not_closed:
        services.edition_count(actor=official, edition=edition, at=timezone.now())
    assert "zamknij urnę" in str(not_closed.value)
    services.ballot_box_close(actor=official, edition=edition, at=timezone.now())
    with pytest.raises(VotingError) as open_point:
        services.edition_count(actor=official, edition=edition, at=timezone.now())
    assert point.name in str(open_point.value)
    services.point_close(
        actor=typists[0], point=point, cards_received=5, cards_unused=4, notes="", at=timezone.now()
    )
    with pytest.raises(VotingError) as pending:
        services.edition_count(actor=official, edition=edition, at=timezone.now())
    assert "1 kart" in str(pending.value)
    with pytest.raises(VotingError):
        services.results_publish(actor=official, edition=edition, at=timezone.now())
    assert not Count.objects.exists()


def test_a_recount_gives_the_same_lot_from_the_seed_committed_at_the_close(krakow, official):
    """Before: every recount re-drew the tie lot from a new server-chosen seed (8 recounts gave
    2 different winners). Now the seed is fixed and committed when the box closes."""
    edition = make_voting_edition(districts=krakow, coordinator=official, tie_breaking="lot")
    city = pool_for(edition, None)
    projects = on_ballot(edition, None)
    projects[0].cost = projects[1].cost = Decimal("6000000")
    projects[0].save()
    projects[1].save()
    services.ballot_cache_clear()
    _cast(edition, krakow, 1, {city.pk: [(projects[0].pk, 0), (projects[1].pk, 0)]})
    _cast(edition, krakow, 2, {city.pk: [(projects[1].pk, 0), (projects[0].pk, 0)]})
    edition = move_to_phase(edition, Phase.RESULTS)
    rules = services.ballot_box_close(actor=official, edition=edition, at=timezone.now())
    assert (
        rules.tie_seed_commitment
        == hashlib.sha256(
            f"wspolnota-tie-seed:{rules.slug}:{rules.tie_seed_nonce}:{rules.tie_seed}".encode()
        ).hexdigest()
    )
    with pytest.raises(VotingError) as exc:
        services.edition_count(actor=official, edition=edition, at=timezone.now())
    assert "świadków" in str(exc.value)
    winners = set()
    for _recount in range(8):
        count = services.edition_count(
            actor=official, edition=edition, at=timezone.now(), witnesses="Anna Nowak, Jan Kowalski"
        )
        winners.add(tuple(count.pool_results.get(pool=city).selected))
    assert len(winners) == 1
    lot = TieLot.objects.filter(result__pool=city).first()
    assert lot is not None and lot.seed == rules.tie_seed and "Anna Nowak" in lot.witnesses


def test_a_stale_count_cannot_be_published(voting_edition, krakow, official):
    """Before: a paper card keyed after the count was left out of the published results while its
    receipt code was published as counted."""
    _cast(voting_edition, krakow, 1)
    typists = [UserFactory(district=krakow[1]), UserFactory(district=krakow[1])]
    point = make_point(voting_edition, krakow[1], typists)
    edition = move_to_phase(voting_edition, Phase.RESULTS)
    services.ballot_box_close(actor=official, edition=edition, at=timezone.now())
    VotingPoint.objects.filter(pk=point.pk).update(closed_at=timezone.now())
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    # a card arrives after the count (its point reopened by hand in the database)
    VotingPoint.objects.filter(pk=point.pk).update(closed_at=None)
    rules = edition.voting_rules
    rules.refresh_from_db()
    rules.envelope_salt = "restored-salt-for-the-attack"
    rules.save(update_fields=["envelope_salt"])
    for typist in typists:
        services.paper_entry_add(
            actor=typist,
            point=point,
            number="K-late",
            identity=identity_of(edition, 9),
            district=krakow[1],
            document_kind="id_card",
            selection=krakow_selection(edition),
            receipt_code="LATE-CARD-2345",
            at=timezone.now(),
        )
    VotingPoint.objects.filter(pk=point.pk).update(closed_at=timezone.now())
    services.envelopes_mix(edition_id=edition.pk, final=True)
    with pytest.raises(VotingError) as stale:
        services.results_publish(actor=official, edition=edition, at=timezone.now())
    assert "zmieniły się od ostatniego liczenia" in str(stale.value)
    assert selectors.published_receipts(edition=edition).count() == 0
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    services.results_publish(actor=official, edition=edition, at=timezone.now())
    edition = type(edition).objects.get(pk=edition.pk)
    assert selectors.receipt_is_published(edition=edition, code="LATE-CARD-2345")
    assert (
        Count.objects.get(version=1).pool_results.get(pool=pool_for(edition, 1)).ballots_counted
        == 2
    )


def test_after_publication_no_recount_only_a_correction_with_its_reason(
    voting_edition, krakow, official
):
    """Before: recount was possible after publication, silently replacing the results."""
    for i in range(3):
        _cast(voting_edition, krakow, i)
    edition = close_vote(voting_edition)
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    services.results_publish(actor=official, edition=edition, at=timezone.now())
    with pytest.raises(VotingError) as again:
        services.edition_count(actor=official, edition=edition, at=timezone.now())
    assert "korektę" in str(again.value)
    with pytest.raises(VotingError):
        services.results_publish(actor=official, edition=edition, at=timezone.now())
    with pytest.raises(VotingError):
        services.results_correct(actor=official, edition=edition, reason="", at=timezone.now())
    # the council corrects a pool's budget: the correction is published as version 2
    city = pool_for(edition, None)
    city.budget = Decimal("150000")
    city.save()
    corrected = services.results_correct(
        actor=official,
        edition=edition,
        reason="Uchwała: kwota puli ogólnomiejskiej wynosi 150 000 zł",
        at=timezone.now(),
    )
    assert corrected.version == 2
    assert [c.version for c in selectors.published_versions(edition=edition)] == [2, 1]
    client = Client()
    latest = client.get(reverse("voting:results", args=[edition.year])).content.decode()
    assert "Wersja 2" in latest and "kwota puli ogólnomiejskiej" in latest
    old = client.get(reverse("voting:results_version", args=[edition.year, 1]))
    assert old.status_code == 200 and "Wersja 1" in old.content.decode()
    assert AuditLogEntry.objects.filter(action="voting.results_corrected").exists()


def test_publishing_opens_results_receipts_seed_and_the_winners_implementation(
    voting_edition, krakow, official
):
    from wspolnota.implementation.models import Implementation

    receipts = [_cast(voting_edition, krakow, i) for i in range(3)]
    edition = close_vote(voting_edition)
    with pytest.raises(VotingError):
        services.results_publish(actor=official, edition=edition, at=timezone.now())
    services.edition_count(actor=official, edition=edition, at=timezone.now())
    services.results_publish(actor=official, edition=edition, at=timezone.now())
    assert sorted(BallotReceipt.objects.values_list("code", flat=True)) == sorted(receipts)
    top = on_ballot(edition, None)[0]
    assert Implementation.objects.filter(project=top).exists()
    client = Client()
    year = edition.year
    page = client.get(reverse("voting:pool_results", args=[year, pool_for(edition, None).pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "<table>" in body
    assert f"--seed {edition.voting_rules.tie_seed}" in body
    data = client.get(reverse("voting:results_json", args=[year])).json()
    assert data["pools"] and data["tie_seed"] == edition.voting_rules.tie_seed
    assert data["tie_seed_commitment"] == edition.voting_rules.tie_seed_commitment
    assert client.get(reverse("voting:results_csv", args=[year])).status_code == 200
    pdf = client.get(reverse("voting:pool_protocol_pdf", args=[year, pool_for(edition, None).pk]))
    assert pdf.content.startswith(b"%PDF")
    check = client.get(reverse("voting:receipts", args=[year]), {"kod": receipts[0].lower()})
    assert "głos został policzony" in check.content.decode()


def test_anyone_redoes_the_published_count_from_the_open_pb_and_seed_with_votecount(
    krakow, official, tmp_path
):
    """End to end: the published .pb (counted ballots, full META, votes/score/selected) and the
    published seed, through the ``votecount`` command, give exactly the published winners —
    a tie broken by lot included."""
    import json

    edition = make_voting_edition(districts=krakow, coordinator=official)
    city = pool_for(edition, None)
    projects = on_ballot(edition, None)
    for project in projects[:2]:
        project.cost = Decimal("6000000")
        project.save()
    services.ballot_cache_clear()
    _cast(edition, krakow, 1, {city.pk: [(projects[0].pk, 0), (projects[1].pk, 0)]})
    _cast(edition, krakow, 2, {city.pk: [(projects[1].pk, 0), (projects[0].pk, 0)]})
    district_only = {pool_for(edition, 1).pk: krakow_selection(edition)[pool_for(edition, 1).pk]}
    for index in range(3, 8):
        _cast(edition, krakow, index, district_only)
    edition = close_vote(edition)
    rules = edition.voting_rules
    rules.tie_breaking = "lot"
    rules.save(update_fields=["tie_breaking"])
    services.edition_count(actor=official, edition=edition, at=timezone.now(), witnesses="Komisja")
    services.results_publish(actor=official, edition=edition, at=timezone.now())
    client = Client()
    data = client.get(reverse("voting:results_json", args=[edition.year])).json()
    assert any(pool["ties"] for pool in data["pools"])
    checked = 0
    for pool in data["pools"]:
        if not pool["projects"]:
            continue  # a district with nothing on the ballot
        checked += 1
        text = client.get(
            reverse("voting:open_data_pb", args=[edition.year, pool["id"]])
        ).content.decode()
        assert "date_begin;" in text and "date_end;" in text and "votes;score;selected" in text
        path = tmp_path / f"pool-{pool['id']}.pb"
        path.write_text(text, encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "votecount", "count", str(path), *pool["recount"], "--json"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(run.stdout)["selected"] == pool["selected"], pool["name"]
        check = subprocess.run(
            [sys.executable, "-m", "votecount", "check", str(path)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stdout
    assert checked == 3
    assert votecount.__version__ in {p["votecount_version"] for p in data["pools"]}


def test_rules_are_fixed_before_voting_and_cannot_change_afterwards(krakow, official):
    edition = make_voting_edition(
        districts=krakow, phase=Phase.FINAL_LIST, fixed=False, coordinator=official
    )
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


def test_the_count_stores_rule_options_version_and_input_hash(voting_edition, krakow, official):
    for i in range(5):
        _cast(voting_edition, krakow, i)
    edition = close_vote(voting_edition)
    count = services.edition_count(actor=official, edition=edition, at=timezone.now())
    city = PoolResult.objects.get(count=count, pool=pool_for(edition, None))
    assert city.rule == "greedy" and city.votecount_version == votecount.__version__
    assert len(city.input_sha256) == 64 and city.ballots_counted == 5
    assert city.options["tie_breaking"].startswith("max-first-places")
    top = on_ballot(edition, None)[0]
    assert city.selected[0] == top.number
    assert city.tally[top.number] == {"votes": "5", "score": "15"}
    assert count.pool_results.count() == edition.pools.count()
    assert count.receipts_counted == 5
    assert documents.recount_arguments(rules=edition.voting_rules, result=city)[-2:] == [
        "--seed",
        "2025",
    ]


def test_a_publication_whose_implementations_cannot_open_publishes_nothing(
    voting_edition, krakow, official, monkeypatch
):
    """Before: the results were committed first and the implementations opened after, so a
    failure there left published results without implementations (a half-done state)."""
    from wspolnota.implementation import services as implementation_services
    from wspolnota.implementation.errors import ImplementationError
    from wspolnota.implementation.models import Implementation

    _cast(voting_edition, krakow, 1)
    edition = close_vote(voting_edition)
    services.edition_count(actor=official, edition=edition, at=timezone.now())

    def refuse(**kwargs):
        raise ImplementationError("the implementation register is unavailable")

    monkeypatch.setattr(implementation_services, "implementations_open", refuse)
    with pytest.raises(ImplementationError):
        services.results_publish(actor=official, edition=edition, at=timezone.now())
    edition.voting_rules.refresh_from_db()
    assert edition.voting_rules.results_published_at is None
    assert not Count.objects.filter(version__isnull=False).exists()
    assert not Implementation.objects.exists()
    assert not AuditLogEntry.objects.filter(action="voting.results_published").exists()
