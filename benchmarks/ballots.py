"""Ballots per second through the real server on PostgreSQL, against a one-row-insert baseline.

What it does, all on 127.0.0.1 and bounded in time:

1. creates a throw-away PostgreSQL database ``wsp_bench_ballots_<pid>`` (dropped at the end),
   migrates it, loads Kraków's districts and an edition whose vote is open (Kraków's rules:
   3 citywide + 3 district projects ranked 3-2-1), and N residents, each with a signed-in
   session whose SMS confirmation and identity step are already done;
2. writes this benchmark's own settings and URLconf module into a temporary folder: the
   platform's URLs plus ``/bench/baseline/``, a trivial view that inserts one row (same
   middleware: session, CSRF, authentication) — it exists nowhere else;
3. starts gunicorn (gthread workers) on that module and database;
4. baseline: client threads POST the baseline view for a fixed time;
5. cast: the same threads POST the real cast (``/pl/glosowanie/<year>/glosuj/oddaj/``: ballot
   validation, the cast's own one-time SMS code checked and consumed, the roll mark and the
   sealed envelope inserted in one transaction), each voter once, while the background worker
   (``manage.py db_worker``) runs the mixer whenever ``VOTING_MIX_BATCH`` envelopes wait; the
   cast answers 303 See Other with the receipt code in a signed cookie (the receipt page, a
   GET, is not part of the cast and is not requested here). Each voter's code is issued during
   preparation (as the review page would send it by SMS);
6. runs the mixer once more (the close), then checks that every receipt returned is in the box
   once and that the box holds no receipt that was not answered (lost / doubled), and that
   roll marks equal ballots.

Run: ``.venv/bin/python benchmarks/ballots.py [--voters 3000 --threads 16 --workers 4]``
(needs PostgreSQL on 127.0.0.1:5432, user postgres). Last line:
``RESULT ballots_per_s=… baseline_per_s=… ratio=… p99_ms=… lost=… doubled=…``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PG = "postgres://postgres@127.0.0.1:5432"
PORT = 8765 + os.getpid() % 200

SETTINGS = """
from wspolnota.settings import *  # noqa: F403 - the platform's settings, unchanged
ROOT_URLCONF = "bench_ballots_urls"
# no collectstatic for a throw-away server: plain static storage (pages link the same files)
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
"""
URLS = """
from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from wspolnota.urls import urlpatterns as platform_urls
from wspolnota.urls import handler400, handler403, handler404, handler500  # noqa: F401


@require_POST
def baseline(request):
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_baseline (user_id) VALUES (%s)", [request.user.pk])
    return HttpResponse("ok")


urlpatterns = [path("bench/baseline/", baseline), *platform_urls]
"""


def _env(db: str, folder: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{db}",
        WSPOLNOTA_ENV="production",
        SECRET_KEY="bench-" + "s" * 60,
        PESEL_HASH_KEY="bench-pesel-key",
        ALLOWED_HOSTS="127.0.0.1",
        EMAIL_URL="console://",
        SMS_BACKEND="memory",
        ALLOW_UNDELIVERED_MESSAGES="1",  # production settings, but nothing is sent
        SITE_URL="https://bench.invalid",
        AUDIT_CHECKPOINT_PUBLIC_KEY="foPiLaGBaKkOqc5Kv9QMt41h/j6WHVBbsH38jKjfE+w=",
        RATELIMIT_ENABLE="0",
        DJANGO_SETTINGS_MODULE="bench_ballots_settings",
        PYTHONPATH=os.pathsep.join([folder, str(REPO)]),
    )
    env.pop("REDIS_URL", None)
    return env


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def prepare(voters: int) -> dict[str, Any]:
    """Runs inside this process with the benchmark's settings (the environment is set)."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from wspolnota.accounts.models import User
    from wspolnota.budget.tests.factories import pool_for
    from wspolnota.territory.models import District
    from wspolnota.territory.services import krakow_load
    from wspolnota.voting import services
    from wspolnota.voting.models import CastCode
    from wspolnota.voting.tests.factories import make_pesel, make_voting_edition, on_ballot

    call_command("migrate", verbosity=0)
    krakow_load()
    districts = {d.number: d for d in District.objects.all()}
    edition = make_voting_edition(districts=districts)
    rules = edition.voting_rules
    now = timezone.now()
    users = User.objects.bulk_create(
        User(
            email=f"voter{i}@bench.example",
            password="!",  # noqa: S106 - an unusable password: sessions are made directly
            district=districts[1],
            phone=f"+4860{i:07d}",
            phone_confirmed_at=now,
        )
        for i in range(voters)
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, user_id bigint)")
    from stdnum.pl import pesel as stdnum_pesel

    sessions = []
    codes = []
    for index, user in enumerate(users):
        pesel = make_pesel(index)
        identity = services.identity_for(
            rules=rules,
            full_name=f"Osoba {index}",
            pesel=pesel,
            birth_date=stdnum_pesel.get_birth_date(pesel),
            sex=stdnum_pesel.get_gender(pesel),
            at=now,
        )
        cast_code, code = services.cast_code_issue(
            user=user, edition=edition, identity=identity, at=now
        )
        CastCode.objects.filter(pk=cast_code.pk).update(expires_at=now + timedelta(hours=2))
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[f"voting:{edition.pk}"] = {
            "person": identity.person_key,
            "pesel": identity.pesel_key,
            "address": "",
            "age_band": "",
            "sex": "",
            "minor": False,
            "district": districts[1].pk,
        }
        store["voting:cast-code"] = cast_code.pk
        store.create()
        sessions.append(store.session_key)
        codes.append(code)
    city, local = pool_for(edition, None), pool_for(edition, 1)
    cp, lp = on_ballot(edition, None), on_ballot(edition, 1)
    ballots = []
    for i in range(voters):  # a few different valid ballots
        c = [cp[(i + k) % len(cp)].pk for k in range(3)]
        d = [lp[(i * 7 + k) % len(lp)].pk for k in range(3)]
        ballots.append(
            {f"pool_{city.pk}_{r + 1}": c[r] for r in range(3)}
            | {f"pool_{local.pk}_{r + 1}": d[r] for r in range(3)}
            | {"code": codes[i]}
        )
    return {"year": edition.year, "sessions": sessions, "ballots": ballots, "edition": edition.pk}


def _post(
    conn: http.client.HTTPConnection, path: str, session: str, data: dict[str, Any]
) -> tuple[int, str]:
    from urllib.parse import urlencode

    token = "b" * 32
    body = urlencode({"csrfmiddlewaretoken": token, **data})
    conn.request(
        "POST",
        path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={session}; csrftoken={token}",
            "Host": "127.0.0.1",
        },
    )
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    # the cast answers 303 and hands the receipt code to the voter's browser in a signed cookie
    return response.status, body + "\n" + "\n".join(response.headers.get_all("Set-Cookie") or [])


RECEIPT = re.compile(r"wsp_receipt=\"?\d+:([A-Z0-9-]{14}):")


def run_phase(
    jobs: queue.Queue[tuple[str, str, dict[str, Any]]], threads: int, seconds: float
) -> tuple[int, float, list[float], list[str], dict[int, int]]:
    """Workers take (path, session, data) jobs until the queue is empty or time is up."""
    latencies: list[float] = []
    receipts: list[str] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    started = time.monotonic()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        while time.monotonic() < deadline:
            try:
                path, session, data = jobs.get_nowait()
            except queue.Empty:
                break
            t0 = time.perf_counter()
            try:
                status, text = _post(conn, path, session, data)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                status, text = 599, ""
            elapsed = time.perf_counter() - t0
            match = RECEIPT.search(text)
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if match:
                    receipts.append(match.group(1))
        conn.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(latencies), time.monotonic() - started, latencies, receipts, statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--voters", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    parser.add_argument("--cast-seconds", type=float, default=60.0)
    parser.add_argument(
        "--no-worker", action="store_true", help="do not run the mixer in a background worker"
    )
    args = parser.parse_args()

    db = f"wsp_bench_ballots_{os.getpid()}"
    folder = tempfile.mkdtemp(prefix="bench_ballots_")
    Path(folder, "bench_ballots_settings.py").write_text(SETTINGS)
    Path(folder, "bench_ballots_urls.py").write_text(URLS)
    env = _env(db, folder)
    os.environ.update(env)
    sys.path[:0] = [folder, str(REPO)]
    _psql(f'CREATE DATABASE "{db}"')
    server = None
    worker = None
    try:
        t0 = time.monotonic()
        data = prepare(args.voters)
        print(f"prepared {args.voters} signed-in voters in {time.monotonic() - t0:.1f} s")
        server = subprocess.Popen(
            [
                str(REPO / ".venv/bin/gunicorn"),
                "wspolnota.wsgi:application",
                "--bind",
                f"127.0.0.1:{PORT}",
                "--workers",
                str(args.workers),
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=str(REPO),
            start_new_session=True,
        )
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        sessions = data["sessions"]
        cast_path = f"/pl/glosowanie/{data['year']}/glosuj/oddaj/"
        if not args.no_worker:
            worker = subprocess.Popen(
                [str(REPO / ".venv/bin/python"), "manage.py", "db_worker"],
                env=env,
                cwd=str(REPO),
                start_new_session=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        warm: queue.Queue[tuple[str, str, dict[str, Any]]] = queue.Queue()
        for i in range(200):
            warm.put(("/bench/baseline/", sessions[i % len(sessions)], {}))
        run_phase(warm, args.threads, 20)

        base_jobs: queue.Queue[tuple[str, str, dict[str, Any]]] = queue.Queue()
        for i in range(1_000_000 // 10):
            base_jobs.put(("/bench/baseline/", sessions[i % len(sessions)], {}))
        cpu0 = time.process_time()
        n_base, t_base, lat_base, _r, st_base = run_phase(
            base_jobs, args.threads, args.baseline_seconds
        )
        baseline_per_s = st_base.get(200, 0) / t_base
        print(
            f"baseline: {n_base} requests in {t_base:.1f} s, statuses {st_base}, "
            f"p50 {statistics.median(lat_base) * 1000:.1f} ms"
        )

        cast_jobs: queue.Queue[tuple[str, str, dict[str, Any]]] = queue.Queue()
        for session, ballot in zip(sessions, data["ballots"], strict=True):
            cast_jobs.put((cast_path, session, ballot))
        n_cast, t_cast, lat_cast, receipts, st_cast = run_phase(
            cast_jobs, args.threads, args.cast_seconds
        )
        cpu = time.process_time() - cpu0
        ballots_per_s = len(receipts) / t_cast
        lat_sorted = sorted(lat_cast)
        p99 = lat_sorted[max(0, int(len(lat_sorted) * 0.99) - 1)] * 1000 if lat_sorted else 0.0
        print(
            f"cast: {n_cast} requests in {t_cast:.1f} s, statuses {st_cast}, "
            f"p50 {statistics.median(lat_cast) * 1000:.1f} ms, p99 {p99:.1f} ms"
        )

        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
            worker = None
        from wspolnota.voting.models import Ballot, BallotReceipt, Envelope, VoterRollEntry
        from wspolnota.voting.services import envelopes_mix

        waiting = Envelope.objects.filter(edition_id=data["edition"]).count()
        t_mix = time.monotonic()
        envelopes_mix(edition_id=data["edition"], final=True)
        print(
            f"mixer: {Ballot.objects.filter(edition_id=data['edition']).count() - 0} ballots in "
            f"the box; {waiting} envelopes were waiting at the close, mixed in "
            f"{time.monotonic() - t_mix:.2f} s"
        )
        in_db = list(
            BallotReceipt.objects.filter(edition_id=data["edition"]).values_list("code", flat=True)
        )
        roll = VoterRollEntry.objects.filter(edition_id=data["edition"]).count()
        ballots_in_box = Ballot.objects.filter(edition_id=data["edition"]).count()
        answered = set(receipts)
        lost = len(answered - set(in_db)) + (len(receipts) - len(answered))
        doubled = (
            (len(in_db) - len(set(in_db)))
            + len(set(in_db) - answered)
            + abs(roll - len(in_db))
            + abs(ballots_in_box - len(in_db))
        )
        print(
            f"ballots in the database {len(in_db)}, roll marks {roll}, receipts answered {len(receipts)}"
        )
        print(f"client CPU time {cpu:.1f} s (the client shares the 2 cores with the server)")
        ratio = ballots_per_s / baseline_per_s if baseline_per_s else 0.0
        print(
            f"RESULT ballots_per_s={ballots_per_s:.0f} baseline_per_s={baseline_per_s:.0f} "
            f"ratio={ratio:.2f} p99_ms={p99:.0f} lost={lost} doubled={doubled}"
        )
    finally:
        for process in (server, worker):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=60)
        from django.db import connections

        connections.close_all()
        _psql(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
