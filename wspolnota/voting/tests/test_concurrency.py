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
    Envelope,
    PaperCard,
    RefusedAttempt,
    VoterRollEntry,
)
from wspolnota.voting.tests.factories import (
    confirmed,
    identity_of,
    krakow_selection,
    make_point,
    make_voting_edition,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")


def _identity(edition, index):
    return identity_of(edition, index)


def _codes(edition, pairs):
    """A one-time cast code for each (user, identity), issued before the race starts."""
    out = []
    for user, identity in pairs:
        cast_code, code = services.cast_code_issue(
            user=user, edition=edition, identity=identity, at=timezone.now()
        )
        out.append((cast_code.pk, code))
    return out


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
    codes = dict(zip(users, _codes(edition, [(u, identity) for u in users]), strict=True))

    def online(user):
        try:
            barrier.wait()
            cast_code_id, code = codes[user]
            services.ballot_cast_online(
                user=user,
                edition=edition,
                rules=edition.voting_rules,
                identity=identity,
                district=krakow[1],
                selection=selection,
                cast_code_id=cast_code_id,
                code=code,
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
    assert Envelope.objects.count() == 1
    assert VoterRollEntry.objects.count() == 1
    counted = outcomes.count("cast") + outcomes.count(CardStatus.COUNTED)
    assert counted == 1, Counter(outcomes)
    assert PaperCard.objects.filter(
        status=CardStatus.INVALID_DUPLICATE
    ).count() == 25 - outcomes.count(CardStatus.COUNTED)
    assert RefusedAttempt.objects.count() == 49


def test_one_account_racing_twenty_identities_at_once_casts_once(krakow):
    """The attack of issue 14 under real concurrency: one account, one phone, twenty
    checksum-valid PESELs sent at the same moment, each with a valid code of its own."""
    edition = make_voting_edition(districts=krakow)
    user = confirmed(UserFactory(district=krakow[1]))
    identities = [_identity(edition, 500 + i) for i in range(20)]
    # A new code voids the account's last one, so the pages never hand out twenty at once;
    # twenty valid rows are written directly to race the roll's constraint itself.
    from datetime import timedelta

    from wspolnota.voting.models import CastCode

    rows = []
    for index, identity in enumerate(identities):
        row = CastCode.objects.create(
            edition=edition,
            user=user,
            person_key=identity.person_key,
            phone=user.phone,
            code_hash="",
            expires_at=timezone.now() + timedelta(minutes=10),
        )
        code = f"{index:06d}"
        row.code_hash = services._cast_code_hash(row.pk, code)
        row.save(update_fields=["code_hash"])
        rows.append((row, code))
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def cast(index):
        try:
            barrier.wait()
            services.ballot_cast_online(
                user=user,
                edition=edition,
                rules=edition.voting_rules,
                identity=identities[index],
                district=krakow[1],
                selection=krakow_selection(edition),
                cast_code_id=rows[index][0].pk,
                code=rows[index][1],
                at=timezone.now(),
            )
            outcomes.append("cast")
        except VotingError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("cast") == 1, Counter(outcomes)
    assert VoterRollEntry.objects.count() == 1 and Envelope.objects.count() == 1


def test_a_thousand_different_voters_in_parallel_give_a_thousand_ballots(krakow):
    edition = make_voting_edition(districts=krakow)
    selection = krakow_selection(edition)
    users = [confirmed(UserFactory(district=krakow[1])) for _ in range(1000)]
    identities = [_identity(edition, i) for i in range(1000)]
    codes = _codes(edition, list(zip(users, identities, strict=True)))

    def cast(index):
        try:
            return services.ballot_cast_online(
                user=users[index],
                edition=edition,
                rules=edition.voting_rules,
                identity=identities[index],
                district=krakow[1],
                selection=selection,
                cast_code_id=codes[index][0],
                code=codes[index][1],
                at=timezone.now(),
            )
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        receipts = list(pool.map(cast, range(1000)))
    assert len(set(receipts)) == 1000
    assert VoterRollEntry.objects.count() == 1000
    services.envelopes_mix(edition_id=edition.pk, final=True)
    assert Envelope.objects.count() == 0
    assert Ballot.objects.count() == 1000
    assert BallotChoice.objects.count() == 6000


def test_a_failure_in_the_middle_of_a_cast_leaves_neither_envelope_nor_roll_mark(
    krakow, monkeypatch
):
    edition = make_voting_edition(districts=krakow)
    user = confirmed(UserFactory(district=krakow[1]))
    identity = _identity(edition, 7)
    [(cast_code_id, code)] = _codes(edition, [(user, identity)])
    reached = threading.Event()

    def broken(*args, **kwargs):
        reached.set()
        raise RuntimeError("the connection dropped")

    monkeypatch.setattr(Envelope.objects, "create", broken)
    errors: list[BaseException] = []

    def cast():
        try:
            services.ballot_cast_online(
                user=user,
                edition=edition,
                rules=edition.voting_rules,
                identity=identity,
                district=krakow[1],
                selection=krakow_selection(edition),
                cast_code_id=cast_code_id,
                code=code,
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
    assert not Envelope.objects.exists()
    assert not VoterRollEntry.objects.exists()
