"""On PostgreSQL, the production database: one person, one vote holds under real concurrency,
and a failure in the middle of a cast leaves nothing behind."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import (
    Ballot,
    BallotChoice,
    CardStatus,
    PaperCard,
    RefusedAttempt,
    VoterRollEntry,
)
from wspolnota.voting.tests.factories import (
    confirmed,
    krakow_selection,
    make_pesel,
    make_point,
    make_voting_edition,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")


def _identity(edition, index):
    return services.identity_for(
        rules=edition.voting_rules,
        full_name="Jan Kowalski",
        pesel=make_pesel(index),
        at=timezone.now(),
    )


def test_fifty_simultaneous_attempts_by_one_person_online_and_on_paper_count_once(krakow):
    edition = make_voting_edition(districts=krakow)
    selection = krakow_selection(edition)
    identity = _identity(edition, 1)
    users = [confirmed(UserFactory(district=krakow[1])) for _ in range(25)]
    first, second = UserFactory(), UserFactory()
    point = make_point(edition, krakow[1], [first, second])
    for n in range(25):  # the first keying of 25 cards of the same person
        services.paper_entry_add(
            actor=first,
            point=point,
            number=f"K-{n}",
            identity=identity,
            district=krakow[1],
            document_kind="id_card",
            selection=selection,
            at=timezone.now(),
        )
    barrier = threading.Barrier(50)
    outcomes: list[str] = []

    def online(user):
        try:
            barrier.wait()
            services.ballot_cast_online(
                user=user,
                edition=edition,
                rules=edition.voting_rules,
                identity=identity,
                district=krakow[1],
                selection=selection,
                at=timezone.now(),
            )
            outcomes.append("cast")
        except VotingError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    def paper(n):
        try:
            barrier.wait()
            card = services.paper_entry_add(
                actor=second,
                point=point,
                number=f"K-{n}",
                identity=identity,
                district=krakow[1],
                document_kind="id_card",
                selection=selection,
                at=timezone.now(),
            )
            outcomes.append(card.status)
        except VotingError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=online, args=(u,)) for u in users]
    threads += [threading.Thread(target=paper, args=(n,)) for n in range(25)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 50
    assert Ballot.objects.count() == 1
    assert VoterRollEntry.objects.count() == 1
    counted = outcomes.count("cast") + outcomes.count(CardStatus.COUNTED)
    assert counted == 1, Counter(outcomes)
    assert PaperCard.objects.filter(
        status=CardStatus.INVALID_DUPLICATE
    ).count() == 25 - outcomes.count(CardStatus.COUNTED)
    assert RefusedAttempt.objects.count() == 49


def test_a_thousand_different_voters_in_parallel_give_a_thousand_ballots(krakow):
    edition = make_voting_edition(districts=krakow)
    selection = krakow_selection(edition)
    user = confirmed(UserFactory(district=krakow[1]))
    identities = [_identity(edition, i) for i in range(1000)]

    def cast(identity):
        try:
            return services.ballot_cast_online(
                user=user,
                edition=edition,
                rules=edition.voting_rules,
                identity=identity,
                district=krakow[1],
                selection=selection,
                at=timezone.now(),
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        receipts = list(pool.map(cast, identities))
    assert len(set(receipts)) == 1000
    assert Ballot.objects.count() == 1000
    assert VoterRollEntry.objects.count() == 1000
    assert BallotChoice.objects.count() == 6000


def test_a_failure_in_the_middle_of_a_cast_leaves_neither_ballot_nor_roll_mark(krakow, monkeypatch):
    edition = make_voting_edition(districts=krakow)
    user = confirmed(UserFactory(district=krakow[1]))
    reached = threading.Event()

    def broken(*args, **kwargs):
        reached.set()
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(BallotChoice.objects, "bulk_create", broken)
    errors: list[BaseException] = []

    def cast():
        try:
            services.ballot_cast_online(
                user=user,
                edition=edition,
                rules=edition.voting_rules,
                identity=_identity(edition, 7),
                district=krakow[1],
                selection=krakow_selection(edition),
                at=timezone.now(),
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=cast)
    thread.start()
    thread.join()
    assert reached.is_set() and isinstance(errors[0], RuntimeError)
    assert not Ballot.objects.exists()
    assert not VoterRollEntry.objects.exists()
