"""A worker killed half-way through a notice's delivery: every recipient still gets exactly one
message per channel. Real worker processes (``manage.py db_worker`` for the database queue, the
RQ worker on Redis) run against the test database; e-mail goes to a small SMTP server run by the
test, SMS and calls to the file spools.

The kill is deterministic: the SMTP server holds its reply to the Nth e-mail (the message is in
its mailbox, the worker waits for "250 OK") and the test kills the worker's whole process group
at that moment, the worst case for a channel without idempotency. The row of that e-mail must
end ``unknown`` (it went out, nobody may resend it), the rows the dead worker had claimed but not
handed over go back to the queue, and a fresh worker finishes the job.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from wspolnota.communication.choices import Channel
from wspolnota.communication.models import Notice, NoticeText, OutboxMessage
from wspolnota.communication.tests.factories import SubscriptionFactory, sms_subscription
from wspolnota.communication.tests.smtp_fake import SmtpSink
from wspolnota.tests_support.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL")
EMAILS, PHONES, CALLS = 40, 40, 6
HOLD_AT = 15  # the SMTP server holds its reply to this e-mail while the worker is killed
LEASE_SECONDS = 3


@pytest.fixture
def smtp_sink() -> Any:
    sink = SmtpSink(hold_at=HOLD_AT).start()
    yield sink
    sink.stop()


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(backend: str, tmp_path: Path, smtp_port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "WSPOLNOTA_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "wspolnota.settings",
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": backend,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SMS_BACKEND": "file",
        "SMS_FILE_PATH": str(tmp_path / "sms.log"),
        "VOICE_BACKEND": "file",
        "VOICE_FILE_PATH": str(tmp_path / "calls.log"),
        "VOICE_AUDIO_DIR": str(tmp_path / "audio"),
        "WSPOLNOTA_VAR_DIR": str(tmp_path),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "COMMUNICATION_QUIET_START": "00:00",  # no quiet hours, whenever the test runs
        "COMMUNICATION_QUIET_END": "00:00",
        "COMMUNICATION_LEASE_SECONDS": str(LEASE_SECONDS),
        "COMMUNICATION_BATCH_SIZE": "10",
        "COMMUNICATION_DELIVERY_PARALLEL": "2",
    }
    env.pop("REDIS_URL", None)
    if backend == "rq":
        assert REDIS_TEST_URL
        env["REDIS_URL"] = REDIS_TEST_URL
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=180,
        capture_output=True,
    )


def _worker_command(backend: str, *, until_empty: bool) -> list[str]:
    if backend == "database":
        command = ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
        return [*command, "--batch"] if until_empty else command
    command = ["rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    return [*command, "--burst"] if until_empty else command


def _start_worker(env: dict[str, str], backend: str, *, until_empty: bool) -> subprocess.Popen:
    # Its own process group, so that the kill also reaches the RQ worker's work-horse child.
    return subprocess.Popen(
        [sys.executable, "manage.py", *_worker_command(backend, until_empty=until_empty)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _descendants(pid: int) -> list[int]:
    """Child processes of ``pid``, recursively (the RQ work-horse runs in a session of its own)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found.extend(children)
        todo.extend(children)
    return found


def _kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and everything it started, as a power cut would."""
    if worker.poll() is None:
        for child in _descendants(worker.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)


def _empty_rq_queue() -> None:
    from redis import Redis
    from rq import Queue

    Queue("default", connection=Redis.from_url(REDIS_TEST_URL or "")).empty()


def _spool(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _statuses(notice: Notice) -> Counter[str]:
    return Counter(OutboxMessage.objects.filter(notice=notice).values_list("status", flat=True))


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_a_worker_killed_half_way_leaves_every_recipient_exactly_one_message_per_channel(
    backend, krakow, smtp_sink, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the database: proven on PostgreSQL, the production one")
    if backend == "rq" and not REDIS_TEST_URL:
        pytest.skip("set REDIS_TEST_URL=redis://127.0.0.1:6379/15 to run the RQ worker variant")
    if backend == "rq":
        _empty_rq_queue()
    district = krakow[1]
    emails = [SubscriptionFactory(districts=[district]) for _n in range(EMAILS)]
    phones = [sms_subscription(n, districts=[district]) for n in range(PHONES)]
    calls = [
        SubscriptionFactory(channel=Channel.VOICE, email="", phone=f"+4812300{n:04d}")
        for n in range(CALLS)
    ]
    notice = Notice.objects.create(
        author=UserFactory(),
        author_kind="official",
        author_label="Urząd Miasta Krakowa",
        valid_from=timezone.now(),
        status=Notice.Status.PUBLISHED,
        published_at=timezone.now(),
        send_email=True,
        send_sms=True,
        send_voice=True,
    )
    NoticeText.objects.create(
        notice=notice,
        language="pl",
        title="Ćwiczenia obrony cywilnej",
        body="W sobotę o 12:00 zawyją syreny. To tylko ćwiczenia.",
    )
    total = EMAILS + PHONES + CALLS
    env = _env(backend, tmp_path, smtp_sink.server_address[1])

    # First fan-out, and a worker that dies while the SMTP server holds the 15th e-mail.
    _manage(env, "communication_fanout", str(notice.pk))
    worker = _start_worker(env, backend, until_empty=False)
    try:
        assert smtp_sink.holding.wait(timeout=240), "the worker never reached the 15th e-mail"
        at_kill = _statuses(notice)
        _kill(worker)
    finally:
        _kill(worker)
        smtp_sink.release.set()
    assert sum(at_kill.values()) == total
    assert at_kill["sent"] < total and at_kill["sending"] >= 1, at_kill
    assert len(smtp_sink.messages) == HOLD_AT

    # The fan-out runs again (nothing new) and a fresh worker finishes once the lease is over.
    time.sleep(LEASE_SECONDS + 0.5)
    _manage(env, "communication_fanout", str(notice.pk))
    fresh = _start_worker(env, backend, until_empty=True)
    try:
        fresh.wait(timeout=300)
    finally:
        _kill(fresh)

    statuses = _statuses(notice)
    assert sum(statuses.values()) == total  # the second fan-out added no row
    # The e-mail in doubt went out once and is reported unknown; everything else is sent.
    assert statuses == Counter({"sent": total - 1, "unknown": 1}), statuses
    in_doubt = OutboxMessage.objects.get(notice=notice, status="unknown")
    assert in_doubt.channel == Channel.EMAIL and in_doubt.handed_over_at is not None

    mail_to = Counter(m["To"] for m in smtp_sink.received())
    assert mail_to == Counter({s.email: 1 for s in emails})
    assert in_doubt.to in mail_to
    sms_to = Counter(r["to"] for r in _spool(tmp_path / "sms.log"))
    assert sms_to == Counter({s.phone: 1 for s in phones})
    call_to = Counter(r["to"] for r in _spool(tmp_path / "calls.log"))
    assert call_to == Counter({s.phone: 1 for s in calls})
    assert all(Path(r["audio"]).exists() for r in _spool(tmp_path / "calls.log"))
