"""Attacks on ballot secrecy by someone with full access to the database (issue 14).

Many voters cast distinct ballots, each in its own committed transaction, while the mixer runs
as it does in production (a batch whenever ``VOTING_MIX_BATCH`` envelopes wait, the rest at the
close). Then every join a database superuser would try — a shared transaction id (``xmin``),
physical order (``ctid`` on PostgreSQL, ``rowid`` on SQLite), key order, the choices' physical
order, the receipt codes' order — is scored against the truth (each voter's ballot is unique).

What counts as chance: the mixer's batches are visible in the database (a batch's ballots share
the mixer's transaction and are written together), so an attacker learns which batch a ballot
came from — among the ≥ N voters whose roll marks fall between two mixer runs (docs/voting.md).
Within a batch, pairing by any order is a random permutation: its correct pairs are about
Poisson(1) per batch. So the total over k batches is about Poisson(k), and the test fails when
an attack gets more than the one-in-a-million tail of that (before the fix: every pair).
Seeds are fixed, so the run is the same every time.
"""

from __future__ import annotations

import itertools
import logging
import math
import random

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import keys, services
from wspolnota.voting.models import (
    Ballot,
    BallotChoice,
    BallotReceipt,
    Envelope,
    VoterRollEntry,
    VotingRules,
)
from wspolnota.voting.tests.factories import (
    cast_online,
    confirmed,
    identity_of,
    make_voting_edition,
    on_ballot,
)

pytestmark = pytest.mark.django_db(transaction=True)

VOTERS = 200
BATCH = 50


def _choices(projects: list) -> list[list[tuple[int, int]]]:
    """Every valid Kraków choice in a pool of four: 1 to 3 distinct projects in rank order."""
    out = []
    for length in (1, 2, 3):
        for combo in itertools.permutations(projects, length):
            out.append([(p.pk, 0) for p in combo])
    return out


def _poisson_tail_bound(mean: float, probability: float = 1e-6) -> int:
    """The smallest t with P(X >= t) < probability for X ~ Poisson(mean)."""
    cumulative, t = 0.0, 0
    while True:
        cumulative += math.exp(-mean) * mean**t / math.factorial(t)
        t += 1
        if 1 - cumulative < probability:
            return t


@pytest.fixture
def cast_and_mixed(krakow, settings, monkeypatch):
    """VOTERS distinct ballots cast one by one (each its own transaction), the mixer run after
    each commit as the worker would, with a fixed seed; returns the truth."""
    settings.VOTING_MIX_BATCH = BATCH
    rng = random.Random(14)
    mixed: list[int] = []

    def mixer_after_commit(*, edition_id: int) -> None:
        mixed.append(services.envelopes_mix(edition_id=edition_id, rng=rng))

    monkeypatch.setattr(services, "envelopes_mix_if_due", mixer_after_commit)
    edition = make_voting_edition(districts=krakow)
    city, local = _choices(on_ballot(edition, None)), _choices(on_ballot(edition, 1))
    city_pool = on_ballot(edition, None)[0].pool_id
    local_pool = on_ballot(edition, 1)[0].pool_id
    truth_user: dict[int, int] = {}
    truth_ballot: dict[tuple, int] = {}
    receipts: dict[str, int] = {}
    for voter in range(VOTERS):
        selection = {city_pool: city[voter % 40], local_pool: local[voter // 40]}
        user = confirmed(UserFactory(district=krakow[1]))
        receipt = cast_online(
            edition, user, identity_of(edition, 1000 + voter), krakow[1], selection
        )
        truth_user[user.pk] = voter
        signature = tuple(
            sorted(
                (pool, pid, position)
                for pool, entries in sorted(selection.items())
                for position, (pid, _p) in enumerate(entries, start=1)
            )
        )
        truth_ballot[signature] = voter
        receipts[receipt] = voter
    waiting = Envelope.objects.count()
    services.envelopes_mix(edition_id=edition.pk, final=True, rng=rng)
    batches = sum(1 for n in mixed if n) + (1 if waiting else 0)
    signatures: dict[str, list] = {}
    for ballot_id, pool, pid, position in BallotChoice.objects.values_list(
        "ballot_id", "pool_id", "project_id", "position"
    ):
        signatures.setdefault(str(ballot_id), []).append((pool, pid, position))
    ballot_voter = {b: truth_ballot[tuple(sorted(s))] for b, s in signatures.items()}
    return {
        "edition": edition,
        "user_voter": truth_user,
        "ballot_voter": ballot_voter,
        "receipt_voter": receipts,
        "batches": batches,
    }


def _rank_pairs(left: list, right: list) -> list[tuple]:
    return list(zip(left, right, strict=False))


def _score(pairs, left_truth, right_truth) -> int:
    return sum(1 for a, b in pairs if left_truth[a] == right_truth[b])


TABLES = {
    "roll": VoterRollEntry._meta.db_table,
    "ballot": Ballot._meta.db_table,
    "choice": BallotChoice._meta.db_table,
    "receipt": BallotReceipt._meta.db_table,
}


def _rows(template: str, params: list, **names: str) -> list[tuple]:
    """Run an attacker's query; ``{roll}``-style names are the tables, ``{order}`` a column."""
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    values = {**TABLES, "order": physical, **names}
    with connection.cursor() as cursor:
        cursor.execute(template.format(**values), params)
        return list(cursor.fetchall())


def _first_appearance(ids: list) -> list:
    seen: dict = {}
    for value in ids:
        seen.setdefault(str(value).replace("-", ""), None)
    return list(seen)


def test_no_join_a_database_superuser_can_try_does_better_than_chance(cast_and_mixed):
    """Before: on PostgreSQL ``roll.xmin = ballot.xmin`` joined every voter to their ballot; on
    SQLite the insertion order (``rowid``) recovered 30 of 30 voter→choice pairs."""
    data = cast_and_mixed
    edition = data["edition"]
    user_voter = data["user_voter"]
    ballot_voter = {k.replace("-", ""): v for k, v in data["ballot_voter"].items()}
    receipt_voter = data["receipt_voter"]
    assert len(ballot_voter) == VOTERS and Envelope.objects.count() == 0
    assert data["batches"] >= VOTERS // BATCH
    bound = _poisson_tail_bound(data["batches"])
    e = [edition.pk]
    scores: dict[str, int] = {}

    def rank_join(name: str, roll_sql: str, ballot_ids: list) -> None:
        roll_users = [r[0] for r in _rows(roll_sql, e)]
        pairs = _rank_pairs(roll_users, [str(b).replace("-", "") for b in ballot_ids])
        scores[name] = _score(pairs, user_voter, ballot_voter)

    by_id = "SELECT user_id FROM {roll} WHERE edition_id = %s ORDER BY id"
    rank_join(
        "key order",
        by_id,
        [r[0] for r in _rows("SELECT id FROM {ballot} WHERE edition_id = %s ORDER BY id", e)],
    )
    if connection.vendor == "postgresql":
        order = "ctid"
        roll_xmin = {r[0] for r in _rows("SELECT xmin::text FROM {roll} WHERE edition_id = %s", e)}
        ballot_xmin = {
            r[0] for r in _rows("SELECT xmin::text FROM {ballot} WHERE edition_id = %s", e)
        }
        assert not roll_xmin & ballot_xmin, "a roll mark shares a transaction with a ballot"
        rank_join(
            "xmin order",
            "SELECT user_id FROM {roll} WHERE edition_id = %s ORDER BY xmin::text::bigint, ctid",
            [
                r[0]
                for r in _rows(
                    "SELECT id FROM {ballot} WHERE edition_id = %s "
                    "ORDER BY xmin::text::bigint, ctid",
                    e,
                )
            ],
        )
    else:
        order = "rowid"
    physical = "SELECT user_id FROM {roll} WHERE edition_id = %s ORDER BY {order}"
    rank_join(
        f"{order} order",
        physical,
        [r[0] for r in _rows("SELECT id FROM {ballot} WHERE edition_id = %s ORDER BY {order}", e)],
    )
    rank_join(
        f"choices' {order} order",
        physical,
        _first_appearance(
            [r[0] for r in _rows("SELECT ballot_id FROM {choice} ORDER BY {order}", [])]
        ),
    )
    # the public receipt codes: their order says nothing of the ballots' nor of the roll's
    receipts = [
        r[0] for r in _rows("SELECT code FROM {receipt} WHERE edition_id = %s ORDER BY {order}", e)
    ]
    ballots_physical = [
        str(r[0]).replace("-", "")
        for r in _rows("SELECT id FROM {ballot} WHERE edition_id = %s ORDER BY {order}", e)
    ]
    scores["receipt→ballot order"] = _score(
        _rank_pairs(receipts, ballots_physical), receipt_voter, ballot_voter
    )
    roll_physical = [r[0] for r in _rows(physical, e)]
    scores["receipt→roll order"] = _score(
        _rank_pairs(receipts, roll_physical), receipt_voter, user_voter
    )
    over = {name: score for name, score in scores.items() if score >= bound}
    assert not over, f"joins above chance (bound {bound} over {data['batches']} batches): {scores}"


def test_nothing_outside_the_tables_links_a_voter_to_a_ballot(krakow, caplog, settings):
    """No log line, audit entry or session keeps a receipt code or a ballot's content."""
    settings.VOTING_MIX_BATCH = 3
    edition = make_voting_edition(districts=krakow)
    caplog.set_level(logging.DEBUG)
    receipts = []
    for voter in range(4):
        user = confirmed(UserFactory(district=krakow[1]))
        receipts.append(cast_online(edition, user, identity_of(edition, 2000 + voter), krakow[1]))
    services.envelopes_mix(edition_id=edition.pk, final=True)
    assert Ballot.objects.count() == 4
    ballot_ids = {str(b) for b in Ballot.objects.values_list("id", flat=True)}
    logged = caplog.text
    audit = " ".join(
        f"{e.action} {e.object_id} {e.before} {e.after} {e.reason}"
        for e in AuditLogEntry.objects.all()
    )
    sessions = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    for haystack in (logged, audit, sessions):
        for code in receipts:
            assert code not in haystack
        for ballot_id in ballot_ids:
            assert ballot_id not in haystack


def test_a_copy_of_the_database_taken_mid_vote_cannot_open_the_waiting_envelopes(krakow, settings):
    """A backup taken while envelopes wait holds only sealed text (no project, no receipt):
    the key is not in the database; once the box is counted its salt is erased, so no copy can
    ever be opened, even with the server's PESEL_HASH_KEY."""
    settings.VOTING_MIX_BATCH = 50
    edition = make_voting_edition(districts=krakow)
    user = confirmed(UserFactory(district=krakow[1]))
    receipt = cast_online(edition, user, identity_of(edition, 3000), krakow[1])
    envelope = Envelope.objects.get()
    project_ids = {str(p.pk) for p in on_ballot(edition, None)}
    assert receipt not in envelope.sealed
    assert not any(
        f'"{pid}"' in envelope.sealed or f",{pid}," in envelope.sealed for pid in project_ids
    )
    rules = VotingRules.objects.get(edition=edition)
    with pytest.raises(keys.SealGone):
        keys.unseal("a-guessed-salt", edition.pk, envelope.sealed)
    settings.PESEL_HASH_KEY = "the-database-copy-lacks-this-key"
    with pytest.raises(keys.SealGone):
        keys.unseal(rules.envelope_salt, edition.pk, envelope.sealed)
