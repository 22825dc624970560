"""On PostgreSQL: a code votes once under real concurrency. The rule is kept by the lock on
the code's row (``SELECT … FOR UPDATE``), not by a constraint: envelopes have no unique
column, so without the lock every racer would seal an envelope. Different codes racing at the
same time all go through (the lock is per code, not per box)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from wspolnota.schools import codes
from wspolnota.schools.errors import SchoolsError
from wspolnota.schools.models import BoxKind, CodeBallot, CodeEnvelope, VoteCode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")


def _box():
    now = timezone.now()
    box = codes.code_box_open(
        kind=BoxKind.SCHOOL_BUDGET,
        title="SP 1",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
    )
    return box, codes.code_group_add(box=box, label="5b")


def _race(box, attempts):
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(code, n):
        try:
            barrier.wait()
            codes.code_cast(box=box, code=code, content={"ideas": [n % 3 + 1]}, at=timezone.now())
            result = "cast"
        except SchoolsError as exc:
            result = str(exc.message)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(c, n)) for n, c in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return Counter(outcomes)


def test_twenty_simultaneous_casts_with_one_code_seal_one_envelope(settings):
    settings.SCHOOLS_MIX_BATCH = 1000
    box, group = _box()
    code = codes.code_sheet_issue(actor=None, group=group, size=1).codes[0]
    outcomes = _race(box, [code] * 20)
    assert outcomes["cast"] == 1, outcomes
    assert sum(outcomes.values()) == 20
    assert CodeEnvelope.objects.filter(box=box).count() == 1
    assert VoteCode.objects.get(box=box).used


def test_different_codes_racing_all_vote_and_each_code_still_once(settings):
    settings.SCHOOLS_MIX_BATCH = 1000
    box, group = _box()
    issued = codes.code_sheet_issue(actor=None, group=group, size=8).codes
    attempts = [c for c in issued for _ in range(3)]  # 8 codes, 3 racers each
    outcomes = _race(box, attempts)
    assert outcomes["cast"] == 8, outcomes
    assert CodeEnvelope.objects.filter(box=box).count() == 8
    codes.code_box_close(box=box, at=box.closes_at)
    assert CodeBallot.objects.filter(box=box).count() == 8


def test_a_cast_in_flight_at_the_close_is_mixed_not_stranded(settings):
    """The close waits for a cast that has spent its code but not yet committed, and then mixes
    its envelope (else it would stay sealed under an erased salt: a lost vote)."""
    from django.db import OperationalError, connections, transaction

    settings.SCHOOLS_MIX_BATCH = 1000
    box, group = _box()
    code = codes.code_sheet_issue(actor=None, group=group, size=1).codes[0]
    in_flight = threading.Event()
    finish = threading.Event()
    errors_seen: list[BaseException] = []

    def pupil():
        try:
            with transaction.atomic():
                codes.code_cast(box=box, code=code, content={"ideas": [1]}, at=timezone.now())
                in_flight.set()
                finish.wait(30)
        except BaseException as exc:  # reported to the test below
            errors_seen.append(exc)
            in_flight.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=pupil)
    thread.start()
    in_flight.wait(30)
    try:
        with pytest.raises(OperationalError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            codes.code_box_close(box=box, at=box.closes_at)
    finally:
        finish.set()
        thread.join()
    assert errors_seen == []
    codes.code_box_close(box=box, at=box.closes_at)
    assert CodeBallot.objects.filter(box=box).count() == 1
    assert not CodeEnvelope.objects.filter(box=box).exists()
