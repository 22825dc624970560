"""Time of ranking a call's applications by the commission's scores, on SQLite or PostgreSQL.

Builds a throw-away test database (SQLite in memory by default; with ``DATABASE_URL`` set to
PostgreSQL, a ``bench_grants_<pid>`` database on that server, dropped at the end) holding one
open-competition call with 2,000 applications in merit assessment, each scored by 5 commission
members against the call's 4 criteria (10,000 submitted assessments, 40,000 scores; points drawn
at random with a fixed seed), a few already awarded. Then it times
``wspolnota.grants.selectors.call_ranking`` — the query, the exact Decimal averages, the ordering
and the shared ranks — and checks the result against a plain-Python computation from the scores.

Run: ``.venv/bin/python benchmarks/grants_ranking.py`` (SQLite) or
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/wspolnota .venv/bin/python benchmarks/grants_ranking.py``.
Options: ``--applications 2000 --assessors 5 --runs 30``. The last line is
``RESULT ranking_ms=… p95_ms=… db=… applications=… assessments=…``; the target is ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("WSPOLNOTA_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wspolnota.test_settings")


def _populate(applications: int, assessors: int, seed: int):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from wspolnota.accounts.models import User
    from wspolnota.grants.models import (
        Application,
        ApplicationStatus,
        Assessment,
        Award,
        CommissionMember,
        ConflictDeclaration,
        ProgrammeKind,
        Score,
    )
    from wspolnota.grants.tests.factories import make_call, make_programme
    from wspolnota.organisations.models import Organisation, OrganisationKind, VerificationStatus

    rng = random.Random(seed)
    owner = User.objects.create_user(email="urzednik@bench.example.org", password=None)
    call = make_call(make_programme(ProgrammeKind.OPEN_COMPETITION, created_by=owner), pool=10**8)
    criteria = list(call.criteria.all())
    members = [
        CommissionMember.objects.create(
            call=call,
            user=User.objects.create_user(email=f"ekspert{i}@bench.example.org", password=None),
            added_by=owner,
        )
        for i in range(assessors)
    ]
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.INFORMAL_GROUP,
                name=f"Grupa sąsiedzka {i}",
                status=VerificationStatus.VERIFIED,
                created_by=owner,
            )
            for i in range(applications)
        ]
    )
    now = timezone.now()
    rows = Application.objects.bulk_create(
        [
            Application(
                call=call,
                applicant=organisation,
                created_by=owner,
                number=f"OK/{call.year}/{call.pk}/{i + 1:04d}",
                status=ApplicationStatus.IN_ASSESSMENT,
                title=f"Zadanie {i}",
                requested_amount=Decimal(rng.randrange(5_000, 80_000)),
                submitted_at=now - timedelta(minutes=applications - i),
            )
            for i, organisation in enumerate(organisations)
        ]
    )
    declarations, assessments = [], []
    points: dict[tuple[int, int], list[Decimal]] = {}
    for application in rows:
        for member in members:
            declarations.append(
                ConflictDeclaration(member=member, application=application, has_conflict=False)
            )
            values = [Decimal(rng.randrange(0, int(c.max_points) * 2 + 1)) / 2 for c in criteria]
            points[(application.pk, member.pk)] = values
            assessments.append(
                Assessment(
                    member=member,
                    application=application,
                    total=sum(values, Decimal(0)),
                    submitted_at=now,
                )
            )
    ConflictDeclaration.objects.bulk_create(declarations, batch_size=5_000)
    Assessment.objects.bulk_create(assessments, batch_size=5_000)
    scores = [
        Score(assessment=assessment, criterion=criterion, points=value)
        for assessment in assessments
        for criterion, value in zip(
            criteria, points[(assessment.application_id, assessment.member_id)], strict=True
        )
    ]
    Score.objects.bulk_create(scores, batch_size=10_000)
    for application in rows[:25]:
        Award.objects.create(
            application=application,
            call=call,
            amount=application.requested_amount,
            decided_by=owner,
        )
    return call, len(assessments), len(scores)


def _expected(call) -> list[tuple[int, Decimal]]:  # type: ignore[no-untyped-def]
    """The ranking computed independently, from the individual scores."""
    from collections import defaultdict

    from wspolnota.grants.models import Score

    totals: dict[int, list[Decimal]] = defaultdict(list)
    per_assessment: dict[int, Decimal] = defaultdict(Decimal)
    owner: dict[int, int] = {}
    for assessment_id, application_id, value in Score.objects.filter(
        assessment__application__call=call
    ).values_list("assessment_id", "assessment__application_id", "points"):
        per_assessment[assessment_id] += value
        owner[assessment_id] = application_id
    for assessment_id, total in per_assessment.items():
        totals[owner[assessment_id]].append(total)
    averages = {
        pk: (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for pk, values in totals.items()
    }
    return sorted(averages.items(), key=lambda item: (-item[1], item[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=2000)
    parser.add_argument("--assessors", type=int, default=5)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection

    from wspolnota.grants.selectors import call_ranking

    if connection.vendor != "sqlite":
        # A database of its own, so that a test run on the same server is never clobbered.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_grants_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        build = time.perf_counter()
        call, assessments, scores = _populate(args.applications, args.assessors, seed=7)
        build_s = time.perf_counter() - build
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

        rows = call_ranking(call)
        got = [(row.application.pk, row.score) for row in rows]
        expected = _expected(call)
        # Equal scores are listed by submission time, which follows the primary key here.
        if got != expected:
            raise SystemExit("the ranking differs from the plain-Python computation")
        ranks_ok = all(
            (a.rank == b.rank) == (a.score == b.score) for a, b in itertools.pairwise(rows)
        )
        if not ranks_ok or len(rows) != args.applications:
            raise SystemExit("ranks are not shared exactly by equal scores")

        for _ in range(3):  # warm up
            call_ranking(call)
        timings = []
        cpu = []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            call_ranking(call)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        tied = sum(1 for row in rows if row.tied)
        print(
            f"database: {connection.vendor}; applications: {len(rows)}; assessors: {args.assessors}; "
            f"assessments: {assessments}; scores: {scores}; data built in {build_s:.1f} s"
        )
        print(
            f"top: {rows[0].application.number} {rows[0].score} pts; applications sharing a rank: "
            f"{tied}; checked against an independent computation: ok"
        )
        print(
            f"ranking wall time over {args.runs} runs: min {timings[0]:.1f} ms, p50 {p50:.1f} ms, "
            f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms (load average {os.getloadavg()[0]:.1f})"
        )
        cpu_p50 = statistics.median(cpu)
        print(
            f"this process's CPU per ranking: p50 {cpu_p50:.1f} ms (wall minus CPU: waiting for "
            "the database server or for a busy machine)"
        )
        print(
            f"RESULT ranking_ms={p50:.1f} p95_ms={p95:.1f} cpu_ms={cpu_p50:.1f} db={connection.vendor} "
            f"applications={len(rows)} assessments={assessments}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
