"""One notice to 100,000 synthetic subscribers, through the task worker, to the file backends.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wsp_fanout_bench .venv/bin/python benchmarks/fanout.py

Without DATABASE_URL it uses a fresh SQLite file (a PostgreSQL database is created if missing).
It migrates the database, loads Kraków's districts, creates the subscribers (60 % e-mail, 40 %
SMS, spread over the 18 districts), enqueues the fan-out task on the database queue and runs two
``db_worker`` processes until every outbox row is done. SMS go to the JSON-lines file backend,
e-mails to the e-mail file backend (one ``<key>.eml`` per message).

``queued_per_s``: outbox rows created per second by the fan-out task (its own run, from the task
result's start and finish; the rate from enqueue, worker start-up included, is printed too).
``end_to_end_s``: from enqueue until the last row is recorded sent. ``duplicates``: messages a
recipient got more than once in a channel (SMS log keys, e-mail To: lines). ``worker_cpu_s``: CPU
time of the worker processes (their start-up included), since the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _create_postgres_database(url: str) -> None:
    """Create the benchmark's database when it does not exist yet."""
    from urllib.parse import urlsplit

    import psycopg
    import psycopg.sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl().replace("postgresql://", "postgres://")
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            db.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))


def _process_cpu(pid: int | None) -> float:
    """CPU seconds used so far by a local process (the PostgreSQL backend), 0 when unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--letters", type=int, default=10_000, help="personalised letters rendered by the worker"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="wsp-fanout-"))
    env = {
        **os.environ,
        "WSPOLNOTA_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "wspolnota.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{work / 'bench.sqlite3'}",
        "TASKS_BACKEND": "database",
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(work / "sms.log"),
        "EMAIL_URL": f"file://{work / 'mail'}",
        "WSPOLNOTA_VAR_DIR": str(work),
        "COMMUNICATION_QUIET_START": "00:00",
        "COMMUNICATION_QUIET_END": "00:00",
        "COMMUNICATION_DELIVERY_PARALLEL": str(args.workers),
        "COMMUNICATION_BATCH_SIZE": "1000",
    }
    os.environ.update(env)
    python = sys.executable
    if env["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        _create_postgres_database(env["DATABASE_URL"])
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from wspolnota.communication.models import Notice, NoticeText, OutboxMessage, Subscription
    from wspolnota.communication.tasks import deliver_outbox, notice_fan_out
    from wspolnota.territory.models import District
    from wspolnota.territory.services import krakow_load
    from wspolnota.tests_support.factories import UserFactory

    if not District.objects.exists():
        krakow_load()
    district_ids = list(District.objects.values_list("id", flat=True))
    OutboxMessage.objects.all().delete()
    Notice.objects.all().delete()
    Subscription.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_tasks_database_dbtaskresult")

    started = time.monotonic()
    subs = []
    for n in range(args.recipients):
        if n % 5 < 3:
            subs.append(
                Subscription(
                    channel="email",
                    email=f"r{n}@bench.example.org",
                    status="active",
                    source="web",
                    language=("pl", "en", "uk")[n % 3],
                    manage_token=secrets.token_urlsafe(16) + str(n),
                )
            )
        else:
            subs.append(
                Subscription(
                    channel="sms",
                    phone=f"+48500{n:06d}",
                    status="active",
                    source="web",
                    language=("pl", "uk")[n % 2],
                    manage_token=secrets.token_urlsafe(16) + str(n),
                )
            )
    Subscription.objects.bulk_create(subs, batch_size=5000)
    ids = list(Subscription.objects.order_by("id").values_list("id", flat=True))
    through = Subscription.districts.through
    through.objects.bulk_create(
        [
            through(subscription_id=sid, district_id=district_ids[i % len(district_ids)])
            for i, sid in enumerate(ids)
        ],
        batch_size=5000,
    )
    author = UserFactory(email=f"bench-{secrets.token_hex(4)}@example.org")
    notice = Notice.objects.create(
        author=author,
        author_kind="official",
        author_label="Urząd Miasta Krakowa",
        valid_from=timezone.now(),
        status="published",
        published_at=timezone.now(),
        send_email=True,
        send_sms=True,
    )
    NoticeText.objects.create(
        notice=notice,
        language="pl",
        title="Ćwiczenia obrony cywilnej",
        body="W sobotę o 12:00 zawyją syreny. To tylko ćwiczenia.",
    )
    NoticeText.objects.create(
        notice=notice,
        language="uk",
        title="Навчання цивільної оборони",
        body="У суботу о 12:00 завиють сирени. Це лише навчання.",
    )
    print(f"setup: {args.recipients} subscribers in {time.monotonic() - started:.1f} s", flush=True)
    connection.close()

    # Workers run until the whole outbox is done (with --batch a worker that finds the queue
    # empty at start, before the fan-out has enqueued the delivery tasks, would just exit).
    workers = [
        subprocess.Popen(
            [
                python,
                "manage.py",
                "db_worker",
                "--interval",
                "0.1",
                "--no-startup-delay",
                "-v0",
                "--no-reload",
            ],
            cwd=ROOT,
            env=env,
        )
        for _ in range(args.workers)
    ]
    # Workers are long-running in production: wait until each has run a task (an empty delivery
    # run) before the clock starts, so that their start-up is not counted.
    startup = time.monotonic()
    warm: set[str] = set()
    warm_tasks = []
    while len(warm) < args.workers:
        if time.monotonic() - startup > 600:
            raise SystemExit("the workers did not start within 10 minutes")
        waiting = DBTaskResult.objects.filter(id__in=warm_tasks, finished_at__isnull=True)
        if waiting.count() < args.workers:  # keep a few queued until every worker has taken one
            warm_tasks.append(deliver_outbox.enqueue().id)
        time.sleep(0.5)
        for ids in DBTaskResult.objects.filter(
            id__in=warm_tasks, finished_at__isnull=False
        ).values_list("worker_ids", flat=True):
            warm.update(ids)
    while DBTaskResult.objects.filter(id__in=warm_tasks, finished_at__isnull=True).exists():
        time.sleep(0.2)
    print(f"workers ready after {time.monotonic() - startup:.1f} s", flush=True)

    t0 = timezone.now()
    begin = time.monotonic()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    fan_out_task = notice_fan_out.enqueue(notice_id=notice.pk)
    outbox = OutboxMessage.objects.filter(notice=notice)
    while True:
        time.sleep(0.2)
        fanned_out = DBTaskResult.objects.filter(id=fan_out_task.id, finished_at__isnull=False)
        if fanned_out.exists() and not outbox.filter(status__in=["queued", "sending"]).exists():
            break
        if all(worker.poll() is not None for worker in workers):
            raise SystemExit("the workers stopped before the outbox was done")
    end_to_end = time.monotonic() - begin
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    rows = OutboxMessage.objects.filter(notice=notice).count()
    task = DBTaskResult.objects.get(id=fan_out_task.id)
    # The fan-out task's own run (from its start, not counting the worker's start-up) …
    fan_out_s = max((task.finished_at - task.started_at).total_seconds(), 1e-6)
    # … and from the moment it was enqueued.
    fan_out_from_enqueue_s = max((task.finished_at - t0).total_seconds(), 1e-6)
    statuses = Counter(OutboxMessage.objects.filter(notice=notice).values_list("status", flat=True))

    import json

    sms_keys = Counter()
    with (work / "sms.log").open(encoding="utf-8") as handle:
        for line in handle:
            sms_keys[json.loads(line)["key"]] += 1
    mail_ids = Counter()
    for path in (work / "mail").glob("*.eml"):
        with path.open("rb") as handle:
            for raw in handle:
                if raw.startswith(b"To: "):
                    mail_ids[raw.strip()] += 1
                    break
    duplicates = sum(c - 1 for c in sms_keys.values() if c > 1) + sum(
        c - 1 for c in mail_ids.values() if c > 1
    )
    delivered = len(sms_keys) + len(mail_ids)

    # The fan-out once more, in this process, for a second notice to the same audience: its CPU
    # time (this process plus, on PostgreSQL, the server process that ran the INSERTs) does not
    # depend on what else the machine is doing.
    from wspolnota.communication.services import notice_fan_out as fan_out_now

    second = Notice.objects.create(
        author=author,
        author_kind="official",
        author_label="Urząd Miasta Krakowa",
        valid_from=timezone.now(),
        status="published",
        published_at=timezone.now(),
        send_email=True,
        send_sms=True,
    )
    for text in notice.texts.all():
        NoticeText.objects.create(
            notice=second, language=text.language, title=text.title, body=text.body
        )
    backend_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend_pid = cursor.fetchone()[0]
    cpu_before = time.process_time() + _process_cpu(backend_pid)
    wall_before = time.monotonic()
    second_rows = fan_out_now(notice=second)
    fan_out_wall = time.monotonic() - wall_before
    fan_out_cpu = time.process_time() + _process_cpu(backend_pid) - cpu_before
    print(
        f"fan-out in process: {second_rows} rows in {fan_out_wall:.2f} s wall "
        f"({second_rows / fan_out_wall:.0f} rows/s), {fan_out_cpu:.2f} s CPU incl. the database "
        f"server process ({second_rows / fan_out_cpu:.0f} rows per CPU second)",
        flush=True,
    )
    print(
        f"rows={rows} statuses={dict(statuses)} sms={len(sms_keys)} email={len(mail_ids)} "
        f"database={connection.vendor} workers={args.workers}",
        flush=True,
    )
    print(
        f"fan-out task: {fan_out_s:.2f} s ({rows / fan_out_s:.0f} rows/s); from enqueue: "
        f"{fan_out_from_enqueue_s:.2f} s ({rows / fan_out_from_enqueue_s:.0f} rows/s); "
        f"CPU of all worker processes: {worker_cpu:.1f} s (2 cores; the machine is shared)",
        flush=True,
    )
    letters = _letters(args.letters, env=env, python=python, author=author) if args.letters else ""
    print(
        f"RESULT recipients={args.recipients} queued_per_s={rows / fan_out_s:.0f} "
        f"end_to_end_s={end_to_end:.1f} duplicates={duplicates} delivered={delivered} "
        f"worker_cpu_s={worker_cpu:.1f} queued_per_cpu_s={second_rows / fan_out_cpu:.0f} "
        f"database={connection.vendor}{letters}"
    )


def _letters(count: int, *, env: dict[str, str], python: str, author: object) -> str:
    """``count`` personalised letters: asked for as on the page, rendered by one db_worker.

    ``letters_request_ms``: what the page waits for (recording the batch). ``letters_per_s``:
    letters rendered per second by the worker's task, from its start to its finish.
    """
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from wspolnota.accounts.models import CityUnit, RoleAssignment
    from wspolnota.communication.models import (
        LetterBatch,
        Notice,
        NoticeText,
        OutboxMessage,
        Subscription,
    )
    from wspolnota.communication.services import letter_batch_request
    from wspolnota.communication.services import notice_fan_out as fan_out_now

    unit, _created = CityUnit.objects.get_or_create(code="BENCH", defaults={"name": "Benchmark"})
    RoleAssignment.objects.get_or_create(user=author, role="official", city_unit=unit)
    Subscription.objects.bulk_create(
        [
            Subscription(
                channel="letter",
                postal_name=f"Mieszkaniec {n}",
                # Every letter to its own address: letters to one address are merged into one.
                postal_street=f"ul. Długa {n // 30 + 1}/{n % 30 + 1}",
                postal_code="31-147",
                postal_city="Kraków",
                status="active",
                source="counter",
                language=("pl", "uk")[n % 2],
                manage_token=secrets.token_urlsafe(16) + f"L{n}",
            )
            for n in range(count)
        ],
        batch_size=5000,
    )
    notice = Notice.objects.create(
        author=author,
        author_kind="official",
        author_label="Urząd Miasta Krakowa",
        city_unit=unit,
        valid_from=timezone.now(),
        status="published",
        published_at=timezone.now(),
        send_email=False,
        send_letter=True,
    )
    body = "\n\n".join(
        f"Akapit {n}: od poniedziałku trwa przebudowa sieci wodociągowej; autobusy linii 152 "
        "i 164 jeżdżą objazdem, a woda będzie wyłączana w godzinach 9–15."
        for n in range(1, 5)
    )
    for language, title in (("pl", "Przebudowa wodociągu"), ("uk", "Реконструкція водогону")):
        NoticeText.objects.create(notice=notice, language=language, title=title, body=body)
    fan_out_now(notice=notice)
    before = time.monotonic()
    batch = letter_batch_request(actor=author, notice=notice)  # type: ignore[arg-type]
    request_ms = (time.monotonic() - before) * 1000
    connection.close()
    worker = subprocess.Popen(
        [python, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "-v0"],
        cwd=ROOT,
        env=env,
    )
    try:
        while True:
            time.sleep(1)
            batch.refresh_from_db()
            if batch.status in (LetterBatch.Status.DONE, LetterBatch.Status.FAILED):
                break
            if worker.poll() is not None:
                raise SystemExit("the worker stopped before the letters were done")
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
    task = (
        DBTaskResult.objects.filter(task_path__endswith="letter_batch_render")
        .order_by("-enqueued_at")
        .first()
    )
    assert task is not None and task.started_at and task.finished_at
    render_s = max((task.finished_at - task.started_at).total_seconds(), 1e-6)
    sent = OutboxMessage.objects.filter(notice=notice, status="sent").count()
    print(
        f"letters: {count} in {render_s:.1f} s by one worker ({batch.pdf.name}, "
        f"{batch.pdf.size / 1e6:.1f} MB); the page waited {request_ms:.0f} ms; status "
        f"{batch.status}, sent {sent}",
        flush=True,
    )
    return (
        f" letters={count} letters_per_s={count / render_s:.1f} "
        f"letters_request_ms={request_ms:.0f} letters_sent={sent}"
    )


if __name__ == "__main__":
    main()
