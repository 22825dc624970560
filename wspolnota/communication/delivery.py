"""The delivery engine: claim outbox rows, send each once, record what happened.

How "never twice" holds:

* Fan-out inserts one row per (notice, channel, subscription) with a unique idempotency key and
  ``ignore_conflicts``: a second fan-out adds nothing.
* A worker claims rows by stamping them ``sending`` with a fresh claim token and a lease, in one
  UPDATE guarded by ``status = 'queued'`` (plus ``FOR UPDATE SKIP LOCKED`` on PostgreSQL): two
  workers never hold the same row.
* A worker that dies leaves its rows ``sending`` with an expired lease. For idempotent transports
  (SMS gateways and spools, voice spool: the transport itself refuses a key it has seen) the row
  goes back to the queue and is sent again, harmlessly. For e-mail, where SMTP offers no such
  guarantee, each message is recorded as sent the moment the server accepts it, and a row whose
  outcome a crash left unknown is marked ``unknown`` and reported, never resent.
* Quiet hours (21:00–8:00 by default, Europe/Warsaw) hold back SMS and voice unless urgent;
  failures are retried with exponential back-off; each gateway has a rate limit shared by all
  workers through the cache.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from wspolnota.communication.choices import QUIET_CHANNELS, Channel
from wspolnota.communication.conf import Config, get_config
from wspolnota.communication.models import Notice, OutboxMessage, Subscription
from wspolnota.communication.rendering import (
    UNSUBSCRIBE_PLACEHOLDER,
    Rendered,
    render_notice,
    unsubscribe_url,
)
from wspolnota.communication.segments import count_segments
from wspolnota.communication.transports import (
    OutgoingMessage,
    PermanentSendError,
    TransientSendError,
    Transport,
    get_transport,
)

logger = logging.getLogger(__name__)
SENDABLE_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.VOICE)
Status = OutboxMessage.Status


# --- Quiet hours ---------------------------------------------------------------------------------


def in_quiet_hours(at: datetime, config: Config | None = None) -> bool:
    config = config or get_config()
    local = timezone.localtime(at).time()
    start, end = config.quiet_start, config.quiet_end
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def quiet_hours_end(at: datetime, config: Config | None = None) -> datetime:
    """The first moment at or after ``at`` outside quiet hours."""
    config = config or get_config()
    if not in_quiet_hours(at, config):
        return at
    local = timezone.localtime(at)
    candidate = local.replace(
        hour=config.quiet_end.hour, minute=config.quiet_end.minute, second=0, microsecond=0
    )
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def first_send_time(*, channel: str, urgent: bool, at: datetime) -> datetime:
    if channel in QUIET_CHANNELS and not urgent:
        return quiet_hours_end(at)
    return at


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at an hour, with jitter so retries do not march in step."""
    base = min(30 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * (0.8 + 0.4 * random.random()))  # noqa: S311


# --- Rate limits ---------------------------------------------------------------------------------


def gateway_rate(name: str, config: Config) -> int:
    return {
        "smsapi": config.sms_rate_per_second,
        "voice-file": config.voice_rate_per_second,
        "email": config.email_rate_per_second,
    }.get(name, 0)


def rate_limit_wait(name: str, rate: int) -> None:
    """Block until the gateway may take one more message this second (0 = no limit)."""
    if rate <= 0:
        return
    while True:
        second = int(time.time())
        key = f"communication:rate:{name}:{second}"
        cache.add(key, 0, timeout=5)
        try:
            used = cache.incr(key)
        except ValueError:
            continue
        if used <= rate:
            return
        time.sleep(max(0.0, second + 1 - time.time()))


# --- Claiming ------------------------------------------------------------------------------------


def reap_stale_leases(*, now: datetime | None = None) -> tuple[int, int]:
    """Rows left ``sending`` by a dead worker: requeue idempotent channels, flag e-mail unknown."""
    now = now or timezone.now()
    stale = OutboxMessage.objects.filter(status=Status.SENDING, lease_until__lt=now)
    unknown = stale.filter(channel=Channel.EMAIL).update(
        status=Status.UNKNOWN,
        status_at=now,
        error="worker stopped while sending; not resent (e-mail has no idempotency)",
    )
    requeued = stale.exclude(channel=Channel.EMAIL).update(status=Status.QUEUED, lease_until=None)
    return requeued, unknown


def claim(
    *, limit: int, worker_id: str, channels: list[str], now: datetime, config: Config
) -> list[dict[str, Any]]:
    """Take up to ``limit`` due rows for this worker; nobody else can take them until the lease ends."""
    token = f"{worker_id}:{uuid.uuid4().hex[:12]}"[:64]
    due = OutboxMessage.objects.filter(
        status=Status.QUEUED, not_before__lte=now, channel__in=channels
    )
    if in_quiet_hours(now, config):
        due = due.filter(Q(urgent=True) | ~Q(channel__in=list(QUIET_CHANNELS)))
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.order_by("not_before", "id").values_list("id", flat=True)[:limit])
        if not ids:
            return []
        OutboxMessage.objects.filter(id__in=ids, status=Status.QUEUED).update(
            status=Status.SENDING,
            claimed_by=token,
            lease_until=now + timedelta(seconds=config.lease_seconds),
            attempts=F("attempts") + 1,
        )
    return list(
        OutboxMessage.objects.filter(claimed_by=token, status=Status.SENDING)
        .order_by("id")
        .values(
            "id",
            "idempotency_key",
            "notice_id",
            "channel",
            "to",
            "language",
            "urgent",
            "subject",
            "body",
            "attempts",
            "subscription__status",
            "subscription__manage_token",
        )
    )


# --- Sending -------------------------------------------------------------------------------------


@dataclass
class DeliveryStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    by_channel: dict[str, int] = field(default_factory=dict)

    def add(self, other: DeliveryStats) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.cancelled += other.cancelled
        for key, value in other.by_channel.items():
            self.by_channel[key] = self.by_channel.get(key, 0) + value


class _NoticeCache:
    """Notices rendered once per (notice, channel, language) for the whole batch loop."""

    def __init__(self) -> None:
        self.notices: dict[int, Notice] = {}
        self.rendered: dict[tuple[int, str, str], Rendered] = {}
        self.audio: dict[tuple[int, str], str] = {}

    def notice(self, notice_id: int) -> Notice:
        if notice_id not in self.notices:
            self.notices[notice_id] = Notice.objects.prefetch_related("texts").get(pk=notice_id)
        return self.notices[notice_id]

    def render(self, notice_id: int, channel: str, language: str) -> Rendered:
        key = (notice_id, channel, language)
        if key not in self.rendered:
            self.rendered[key] = render_notice(self.notice(notice_id), channel, language)
        return self.rendered[key]

    def audio_path(self, notice_id: int, language: str) -> str:
        key = (notice_id, language)
        if key not in self.audio:
            from wspolnota.communication.services import notice_audio_ensure

            audio = notice_audio_ensure(notice=self.notice(notice_id), language=language)
            self.audio[key] = audio.path
        return self.audio[key]


def _outgoing(row: dict[str, Any], cache_: _NoticeCache) -> OutgoingMessage:
    channel = row["channel"]
    if row["notice_id"] is None:
        return OutgoingMessage(
            key=row["idempotency_key"],
            channel=channel,
            to=row["to"],
            subject=row["subject"],
            text=row["body"],
            language=row["language"],
            urgent=row["urgent"],
        )
    rendered = cache_.render(row["notice_id"], channel, row["language"])
    headers: dict[str, str] = {}
    text, html = rendered.text, rendered.html
    token = row["subscription__manage_token"]
    if channel == Channel.EMAIL and token:
        link = unsubscribe_url(token, row["language"])
        text = text.replace(UNSUBSCRIBE_PLACEHOLDER, link)
        html = html.replace(UNSUBSCRIBE_PLACEHOLDER, link)
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    audio = ""
    if channel == Channel.VOICE:
        audio = cache_.audio_path(row["notice_id"], row["language"])
    return OutgoingMessage(
        key=row["idempotency_key"],
        channel=channel,
        to=row["to"],
        subject=rendered.subject,
        text=text,
        html=html,
        language=row["language"],
        audio_path=audio,
        urgent=row["urgent"],
        headers=headers,
    )


def _flush(updates: list[OutboxMessage]) -> None:
    if not updates:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A worker crash cannot lose these commits; a database crash could lose the last
            # few, which only turns them back into "sending" rows for the reaper.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        OutboxMessage.objects.bulk_update(
            updates,
            fields=[
                "status",
                "sent_at",
                "status_at",
                "gateway",
                "gateway_id",
                "segments",
                "error",
                "lease_until",
                "not_before",
            ],
            batch_size=500,
        )
    updates.clear()


def _send_rows(
    rows: list[dict[str, Any]],
    *,
    transports: dict[str, Transport],
    cache_: _NoticeCache,
    config: Config,
    stats: DeliveryStats,
) -> None:
    updates: list[OutboxMessage] = []
    for row in rows:
        channel = row["channel"]
        transport = transports.get(channel)
        if transport is None:
            transport = transports[channel] = get_transport(channel)
        now = timezone.now()
        update = OutboxMessage(id=row["id"], status=Status.SENT, gateway=transport.name)
        update.lease_until = None
        update.not_before = now
        update.status_at = now
        update.error = ""
        if row["subscription__status"] not in (None, Subscription.Status.ACTIVE):
            update.status = Status.CANCELLED
            update.error = "unsubscribed before sending"
            stats.cancelled += 1
        elif channel in QUIET_CHANNELS and not row["urgent"] and in_quiet_hours(now, config):
            update.status = Status.QUEUED
            update.not_before = quiet_hours_end(now, config)
        else:
            try:
                message = _outgoing(row, cache_)
                rate_limit_wait(transport.name, gateway_rate(transport.name, config))
                update.gateway_id = transport.send(message)[:100]
                update.sent_at = timezone.now()
                if channel == Channel.SMS:
                    update.segments = count_segments(message.text).segments
                stats.sent += 1
                stats.by_channel[channel] = stats.by_channel.get(channel, 0) + 1
            except TransientSendError as exc:
                if row["attempts"] >= config.max_attempts:
                    update.status = Status.FAILED
                    stats.failed += 1
                else:
                    update.status = Status.QUEUED
                    update.not_before = now + backoff(row["attempts"])
                    stats.retried += 1
                update.error = str(exc)[:500]
            except (PermanentSendError, Exception) as exc:
                if not isinstance(exc, PermanentSendError):
                    logger.exception("outbox message %s failed", row["id"])
                update.status = Status.FAILED
                update.error = str(exc)[:500] or exc.__class__.__name__
                stats.failed += 1
        updates.append(update)
        if not transport.idempotent or len(updates) >= 200:
            _flush(updates)
    _flush(updates)


def deliver_pending(
    *,
    channels: list[str] | None = None,
    time_budget: float = 50.0,
    worker_id: str | None = None,
    max_batches: int | None = None,
) -> DeliveryStats:
    """Send due messages until none is left or the time budget is spent."""
    config = get_config()
    worker_id = worker_id or uuid.uuid4().hex[:16]
    wanted = [c for c in (channels or SENDABLE_CHANNELS) if c in SENDABLE_CHANNELS]
    stats = DeliveryStats()
    transports: dict[str, Transport] = {}
    cache_ = _NoticeCache()
    deadline = time.monotonic() + time_budget
    reap_stale_leases()
    batches = 0
    try:
        while time.monotonic() < deadline:
            rows = claim(
                limit=config.batch_size,
                worker_id=worker_id,
                channels=wanted,
                now=timezone.now(),
                config=config,
            )
            if not rows:
                break
            _send_rows(rows, transports=transports, cache_=cache_, config=config, stats=stats)
            batches += 1
            if max_batches is not None and batches >= max_batches:
                break
    finally:
        for transport in transports.values():
            transport.close()
    return stats


def pending_exists(*, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return OutboxMessage.objects.filter(
        status=Status.QUEUED, not_before__lte=now, channel__in=SENDABLE_CHANNELS
    ).exists()


def next_due(*, after: datetime) -> datetime | None:
    row = (
        OutboxMessage.objects.filter(
            status=Status.QUEUED, not_before__gt=after, channel__in=SENDABLE_CHANNELS
        )
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
    return row
