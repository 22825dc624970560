"""The outbox without loose ends.

Attacks: a row that kills its worker is reclaimed for ever; an SMTP connection that drops after
DATA is retried and may deliver twice; a password reset bypasses the outbox; recordings of one
notice rendered at the same time share a temporary file; a call whose recording failed is never
retried; a one-time code stays readable in the outbox.
"""

from __future__ import annotations

import subprocess
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.communication import delivery, services
from wspolnota.communication.choices import Channel, Scope
from wspolnota.communication.models import OutboxMessage
from wspolnota.communication.tests.factories import (
    NoticeFactory,
    SubscriptionFactory,
    sms_subscription,
)
from wspolnota.communication.tests.smtp_fake import SmtpSink
from wspolnota.communication.transports import memory_calls, memory_outbox


def _claim(worker: str, limit: int = 10) -> list[dict[str, Any]]:
    return delivery.claim(
        limit=limit,
        worker_id=worker,
        channels=list(delivery.SENDABLE_CHANNELS),
        now=timezone.now(),
        config=delivery.get_config(),
    )


def _worker_dies(rows: list[dict[str, Any]]) -> None:
    """The worker holding ``rows`` is killed: its lease runs out and the next run reaps it."""
    OutboxMessage.objects.filter(id__in=[r["id"] for r in rows]).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    delivery.reap_stale_leases()


def test_a_row_that_keeps_killing_its_worker_is_moved_aside_and_reported_to_the_author(
    krakow, daytime
):
    sms_subscription(1, districts=[krakow[1]])
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True, send_email=False
    )
    services.notice_fan_out(notice=notice)
    config = delivery.get_config()
    for _attempt in range(config.max_attempts):
        rows = _claim("doomed")
        assert len(rows) == 1
        _worker_dies(rows)
    row = OutboxMessage.objects.get(notice=notice)
    assert row.status == "failed" and "poison" in row.error
    assert row.id not in [r["id"] for r in _claim("next")]  # never claimed again
    report = OutboxMessage.objects.get(kind="communication.poison_report")
    assert report.to == notice.author.email and report.channel == "email"
    assert str(notice.pk) in report.subject


def test_a_row_that_was_with_a_dead_worker_is_retried_alone(krakow, daytime):
    for number in range(1, 4):
        sms_subscription(number, districts=[krakow[1]])
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True, send_email=False
    )
    services.notice_fan_out(notice=notice)
    first = _claim("w1", limit=1)
    _worker_dies(first)
    again = _claim("w2", limit=10)
    assert [r["id"] for r in again] == [first[0]["id"]]  # alone, not with the healthy rows
    assert len(_claim("w3", limit=10)) == 2


@pytest.fixture
def dropping_smtp(settings):
    server = SmtpSink(drop=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.server_address[1]
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def test_an_smtp_connection_dropping_after_data_is_not_retried_and_sends_once(
    krakow, daytime, dropping_smtp
):
    SubscriptionFactory(districts=[krakow[1]])
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]])
    services.notice_fan_out(notice=notice)
    delivery.deliver_pending()
    row = OutboxMessage.objects.get(notice=notice)
    assert row.status == "unknown" and "DATA" in row.error
    # Whatever runs next (a retry sweep, another worker) does not send it again.
    OutboxMessage.objects.filter(pk=row.pk).update(not_before=timezone.now())
    dropping_smtp.drop = False
    delivery.deliver_pending()
    assert len(dropping_smtp.messages) == 1


def test_an_smtp_refusal_before_data_is_retried(krakow, daytime, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # nothing listens: the message certainly did not go
    settings.EMAIL_TIMEOUT = 2
    SubscriptionFactory(districts=[krakow[1]])
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]])
    services.notice_fan_out(notice=notice)
    delivery.deliver_pending()
    assert OutboxMessage.objects.get(notice=notice).status == "queued"


def test_a_password_reset_goes_through_the_outbox(resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("accounts:password_reset"), {"email": resident.email})
    assert response.status_code == 302
    row = OutboxMessage.objects.get(kind="accounts.password_reset")
    assert row.to == resident.email and row.status == "sent"
    assert row.body == ""  # the link does not stay in the outbox once it has gone
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [resident.email]
    assert "http" in mail.outbox[0].body


def test_recordings_of_one_notice_rendered_at_the_same_time_all_succeed(tmp_path):
    from wspolnota.communication.transports.voice import synthesize

    path = tmp_path / "notice-1-pl.wav"
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def render() -> None:
        start.wait()
        try:
            synthesize(
                text="Od poniedziałku ulica Długa będzie zamknięta.", language="pl", path=path
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=render) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert path.read_bytes()[:4] == b"RIFF"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_call_whose_recording_failed_is_retried_and_then_made(krakow, daytime, monkeypatch):
    from wspolnota.communication.transports import voice

    subscription = sms_subscription(3, districts=[krakow[1]])
    subscription.channel = Channel.VOICE
    subscription.save()
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_voice=True, send_email=False
    )
    services.notice_fan_out(notice=notice)
    real = voice.synthesize
    failures = iter([True])

    def flaky(**kwargs: Any) -> Any:
        if next(failures, False):
            raise subprocess.CalledProcessError(1, "espeak-ng")
        return real(**kwargs)

    monkeypatch.setattr(voice, "synthesize", flaky)
    delivery.deliver_pending()
    row = OutboxMessage.objects.get(notice=notice)
    assert row.status == "queued" and memory_calls == []
    OutboxMessage.objects.filter(pk=row.pk).update(not_before=timezone.now())
    delivery.deliver_pending()
    row.refresh_from_db()
    assert row.status == "sent" and len(memory_calls) == 1


def test_a_phone_code_is_erased_from_the_outbox_once_sent(
    resident, django_capture_on_commit_callbacks
):
    from wspolnota.accounts.services import phone_verification_start

    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=resident, phone="+48600100777")
    row = OutboxMessage.objects.get(kind="accounts.phone_code")
    assert row.status == "sent" and row.body == ""
    assert memory_outbox[-1].to == "+48600100777"


def test_no_code_sends_mail_or_messages_around_the_outbox():
    """Every message leaves through the outbox: only its transports open a mail connection or
    build a message to hand over. A helper that sends directly (a task that builds an
    ``EmailMessage`` and calls ``send()``) is a way around the attempts, the poison limit and
    the record, waiting for a caller."""
    import re
    from pathlib import Path

    import wspolnota

    root = Path(wspolnota.__file__).parent
    allowed = {root / "communication" / "transports" / "email.py"}
    direct = re.compile(
        r"\b(EmailMessage|EmailMultiAlternatives)\(|(?<!def )\bsend_(mass_)?mail\(|"
        r"\bmail_(admins|managers)\(|\bget_connection\(|\bsmtplib\."
    )
    found = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.relative_to(root).parts or path in allowed:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if direct.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
