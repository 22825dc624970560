"""The delivery engine: claim outbox rows, send each once, record what happened.

How "never twice" holds:

* Fan-out inserts one row per (notice, channel, subscription) with a unique idempotency key and
  ``ignore_conflicts``: a second fan-out adds nothing.
* A worker claims rows by stamping them ``sending`` with a fresh claim token and a lease, in one
  UPDATE guarded by ``status = 'queued'`` (plus ``FOR UPDATE SKIP LOCKED`` on PostgreSQL): two
  workers never hold the same row.
* A worker writes an outcome only for rows it still holds (``claimed_by`` = its token and
  ``status = 'sending'``), so a worker that outlived its lease cannot overwrite a newer claim.
* A worker that dies leaves its rows ``sending`` with an expired lease; the next worker (or
  ``communication_deliver``) puts them back in the queue. Idempotent transports (SMS gateways,
  the SMS, voice and e-mail file spools: each refuses a key it has already taken) are handed
  whole batches, and resending a batch a dead worker may have half-written is harmless. A
  transport that cannot refuse a repeat (SMTP) gets one message at a time: the row is first
  marked ``handed_over_at`` in its own synchronous commit (guarded by the claim), then sent,
  then recorded. A dead worker's row that carries the mark may have gone out: it becomes
  ``unknown`` and is reported, never resent; its rows without the mark were never attempted and
  go back to the queue. So each message is sent exactly once, except that a crash inside one
  SMTP hand-over leaves that single message "unknown" rather than risking a second copy.
* Quiet hours (21:00–8:00 by default, Europe/Warsaw) hold back SMS and voice unless urgent;
  failures are retried with exponential back-off; each gateway has a rate limit shared by all
  workers through the cache.
"""

from __future__ import annotations

import hashlib
import logging
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
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
    MaybeSentError,
    MergeSource,
    OutgoingMessage,
    PermanentSendError,
    TransientSendError,
    Transport,
    get_transport,
)
from wspolnota.communication.transports.sms_smsapi import gateway_idx

logger = logging.getLogger(__name__)
_URL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
_LINK_SLOT = "WSPOLNOTALINKSLOT"
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
        "smsapi-vms": config.voice_rate_per_second,
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
    """Rows left ``sending`` by a dead worker: requeue them, except those already handed over.

    A row marked ``handed_over_at`` was given to a transport that cannot refuse a repeat and may
    have gone out: it is marked ``unknown`` (shown in the delivery report), never resent. Every
    other row counts a crash; it may have been with a gateway when the worker died, so it is
    ``maybe_sent_at`` from then on (a gateway with a duplicate check absorbs the retry while the
    check lasts). A row that has used up its attempts is a poison row — it keeps killing the
    worker that takes it — and is moved aside as failed and reported to the notice's author.
    """
    now = now or timezone.now()
    config = get_config()
    stale = OutboxMessage.objects.filter(status=Status.SENDING, lease_until__lt=now)
    unknown = stale.filter(handed_over_at__isnull=False).update(
        status=Status.UNKNOWN,
        status_at=now,
        error="worker stopped while handing the message over; not resent (no idempotency)",
    )
    poisoned = list(
        stale.filter(handed_over_at__isnull=True, attempts__gte=config.max_attempts).values_list(
            "id", flat=True
        )
    )
    if poisoned:
        OutboxMessage.objects.filter(id__in=poisoned, status=Status.SENDING).update(
            status=Status.FAILED,
            status_at=now,
            lease_until=None,
            crashes=F("crashes") + 1,
            error=POISON_ERROR,
        )
        _report_poison(poisoned)
    requeued = stale.filter(handed_over_at__isnull=True).update(
        status=Status.QUEUED,
        lease_until=None,
        crashes=F("crashes") + 1,
        maybe_sent_at=Coalesce(F("maybe_sent_at"), F("lease_until")),
    )
    return requeued, unknown


POISON_ERROR = "moved aside: the worker died on this message every time it tried (poison row)"


def _report_poison(ids: list[int]) -> None:
    """Tell each notice's author how many of its messages were moved aside (once per notice)."""
    from wspolnota.communication.notifications import notify

    logger.error("outbox rows moved aside as poison: %s", ids)
    counts: dict[int, int] = {}
    for notice_id in OutboxMessage.objects.filter(id__in=ids, notice__isnull=False).values_list(
        "notice_id", flat=True
    ):
        counts[notice_id] = counts.get(notice_id, 0) + 1
    for notice in Notice.objects.filter(pk__in=counts).select_related("author"):
        notify(
            recipient=notice.author,
            kind="communication.poison_report",
            subject_template="communication/email/poison_subject.txt",
            body_template="communication/email/poison.txt",
            context={"notice": notice, "count": counts[notice.pk]},
            key=f"communication.poison:{notice.pk}:{min(ids)}",
        )


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
        # A row that was with a worker when it died is tried on its own, so that a message which
        # kills its worker takes no other message down with it.
        crashed = list(
            due.filter(crashes__gt=0).order_by("not_before", "id").values_list("id", flat=True)[:1]
        )
        ids = crashed or list(
            due.filter(crashes=0).order_by("not_before", "id").values_list("id", flat=True)[:limit]
        )
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
            "claimed_by",
            "subscription__status",
            "subscription__manage_token",
            "maybe_sent_at",
            "sensitive",
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
        self.unsubscribe: dict[str, str] = {}
        self.unsubscribe_headers = {
            "List-Unsubscribe": f"<{UNSUBSCRIBE_PLACEHOLDER}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    def notice(self, notice_id: int) -> Notice:
        if notice_id not in self.notices:
            self.notices[notice_id] = Notice.objects.prefetch_related("texts").get(pk=notice_id)
        return self.notices[notice_id]

    def render(self, notice_id: int, channel: str, language: str) -> Rendered:
        key = (notice_id, channel, language)
        if key not in self.rendered:
            self.rendered[key] = render_notice(self.notice(notice_id), channel, language)
        return self.rendered[key]

    def unsubscribe_url(self, token: str, language: str) -> str:
        """``rendering.unsubscribe_url``, with the URL reversed once per language."""
        if not _URL_SAFE_TOKEN.fullmatch(token):
            return unsubscribe_url(token, language)
        if language not in self.unsubscribe:
            self.unsubscribe[language] = unsubscribe_url(_LINK_SLOT, language)
        return self.unsubscribe[language].replace(_LINK_SLOT, token)

    def audio_path(self, notice_id: int, language: str) -> str:
        key = (notice_id, language)
        if key not in self.audio:
            from wspolnota.communication.services import notice_audio_ensure

            try:
                audio = notice_audio_ensure(notice=self.notice(notice_id), language=language)
            except Exception as exc:  # espeak-ng or sox failed: render again on the next try
                logger.warning("recording of notice %s (%s) failed: %s", notice_id, language, exc)
                raise TransientSendError(f"the recording could not be made: {exc}") from None
            self.audio[key] = audio.path
        return self.audio[key]


def _outgoing(row: dict[str, Any], cache_: _NoticeCache) -> OutgoingMessage:
    channel = row["channel"]
    idx = gateway_idx(row["id"], row["idempotency_key"]) if channel in QUIET_CHANNELS else ""
    if row["notice_id"] is None:
        return OutgoingMessage(
            key=row["idempotency_key"],
            channel=channel,
            to=row["to"],
            subject=row["subject"],
            text=row["body"],
            language=row["language"],
            audio_path=direct_audio_path(row) if channel == Channel.VOICE else "",
            urgent=row["urgent"],
            idx=idx,
        )
    rendered = cache_.render(row["notice_id"], channel, row["language"])
    headers: dict[str, str] = {}
    text, html = rendered.text, rendered.html
    token = row["subscription__manage_token"]
    merge = None
    if channel == Channel.EMAIL and token:
        link = cache_.unsubscribe_url(token, row["language"])
        text = text.replace(UNSUBSCRIBE_PLACEHOLDER, link)
        html = html.replace(UNSUBSCRIBE_PLACEHOLDER, link)
        headers = {
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        merge = MergeSource(
            text=rendered.text,
            html=rendered.html,
            headers=cache_.unsubscribe_headers,
            values={UNSUBSCRIBE_PLACEHOLDER: link},
        )
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
        merge=merge,
        idx=idx,
    )


_OUTCOME_FIELDS = (
    "status",
    "sent_at",
    "status_at",
    "gateway",
    "gateway_id",
    "segments",
    "error",
    "lease_until",
    "not_before",
    "handed_over_at",
    "maybe_sent_at",
)
SEND_CHUNK = 500


def _write(
    updates: list[_Outcome],
    *,
    token: str,
    hand_over: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Record outcomes of rows this worker still holds; optionally mark the next row handed over.

    Both happen in one commit. Outcomes alone commit asynchronously on PostgreSQL (a database
    crash could lose the last few, which only turns them back into "sending" rows for the
    reaper); a hand-over mark commits synchronously, because a lost mark could mean a resend.
    Returns False when the row to mark is no longer ours (the lease ran out and it was reaped).
    """
    marked = True
    if not updates and hand_over is None:
        return marked
    with transaction.atomic():
        if connection.vendor == "postgresql" and hand_over is None:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        mine = OutboxMessage.objects.filter(claimed_by=token, status=Status.SENDING)
        # Most of a batch shares one outcome and the gateway id is the key (the file spools):
        # one UPDATE per such group instead of a CASE per row.
        groups: dict[tuple[Any, ...], list[int]] = {}
        rest: list[_Outcome] = []
        for update in updates:
            if update.gateway_id == update.idempotency_key:
                common = tuple(getattr(update, f) for f in _OUTCOME_FIELDS if f != "gateway_id")
                groups.setdefault(common, []).append(update.id)
            else:
                rest.append(update)
        fields = [f for f in _OUTCOME_FIELDS if f != "gateway_id"]
        for common, ids in groups.items():
            mine.filter(id__in=ids).update(
                gateway_id=F("idempotency_key"), **dict(zip(fields, common, strict=True))
            )
        for update in rest:  # per-message gateway ids (SMSAPI): rate-limited, so few per second
            mine.filter(id=update.id).update(**{f: getattr(update, f) for f in _OUTCOME_FIELDS})
        if hand_over is not None:
            marked = mine.filter(id=hand_over).update(handed_over_at=now or timezone.now()) == 1
    updates.clear()
    return marked


class _Outcome:
    """What happened to one claimed row (a plain object: a model instance costs far more)."""

    __slots__ = ("id", "idempotency_key", *_OUTCOME_FIELDS)

    def __init__(self, row: dict[str, Any], gateway: str, now: datetime) -> None:
        self.id: int = row["id"]
        self.idempotency_key: str = row["idempotency_key"]
        self.status: str = Status.SENT
        self.gateway = gateway
        self.gateway_id = ""
        self.lease_until: datetime | None = None
        self.not_before: datetime = now
        self.status_at: datetime = now
        self.sent_at: datetime | None = None
        self.error = ""
        self.segments = 0
        self.handed_over_at: datetime | None = None  # an outcome is known: nothing in doubt
        self.maybe_sent_at: datetime | None = row.get("maybe_sent_at")


def _outcome(row: dict[str, Any], transport: Transport, now: datetime) -> _Outcome:
    return _Outcome(row, transport.name, now)


def _record_result(
    update: _Outcome,
    row: dict[str, Any],
    result: str | BaseException,
    *,
    text: str,
    config: Config,
    stats: DeliveryStats,
    window: timedelta | bool | None = None,
) -> None:
    """``window``: how long the transport's duplicate check covers a repeat (None: for ever;
    False: the transport has none, a message maybe sent is never retried)."""
    channel = row["channel"]
    if not isinstance(result, BaseException):
        update.gateway_id = result[:100]
        update.sent_at = update.status_at
        if channel == Channel.SMS:
            update.segments = count_segments(text).segments
        stats.sent += 1
        stats.by_channel[channel] = stats.by_channel.get(channel, 0) + 1
    elif isinstance(result, MaybeSentError) and window is False:
        # No duplicate check on the other side (SMTP): a retry could deliver a second copy.
        update.status = Status.UNKNOWN
        update.error = f"maybe sent, not resent: {result}"[:500]
        stats.failed += 1
        return
    elif isinstance(result, TransientSendError):
        if isinstance(result, MaybeSentError) and update.maybe_sent_at is None:
            update.maybe_sent_at = update.status_at
        if row["attempts"] >= config.max_attempts:
            update.status = Status.UNKNOWN if update.maybe_sent_at else Status.FAILED
            stats.failed += 1
        else:
            update.status = Status.QUEUED
            update.not_before = update.status_at + backoff(row["attempts"])
            stats.retried += 1
        update.error = str(result)[:500]
    else:
        if not isinstance(result, PermanentSendError):
            logger.error("outbox message %s failed", row["id"], exc_info=result)
        update.status = Status.FAILED
        update.error = str(result)[:500] or result.__class__.__name__
        stats.failed += 1


def _send_many(
    transport: Transport, messages: list[OutgoingMessage], rate: int
) -> list[str | BaseException]:
    """Hand a batch to an idempotent transport: in one go when it can and no rate limit applies."""
    send_many = getattr(transport, "send_many", None)
    if send_many is not None and rate <= 0:
        try:
            return list(send_many(messages))
        except Exception as exc:  # the whole batch failed the same way
            return [exc] * len(messages)
    results: list[str | BaseException] = []
    for message in messages:
        try:
            rate_limit_wait(transport.name, rate)
            results.append(transport.send(message))
        except Exception as exc:
            results.append(exc)
    return results


def _send_rows(
    rows: list[dict[str, Any]],
    *,
    transports: dict[str, Transport],
    cache_: _NoticeCache,
    config: Config,
    stats: DeliveryStats,
) -> None:
    """Send one claimed batch: idempotent channels in chunks, the others one hand-over at a time."""
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_channel.setdefault(row["channel"], []).append(row)
    for channel, channel_rows in by_channel.items():
        transport = transports.get(channel)
        if transport is None:
            transport = transports[channel] = get_transport(channel)
        rate = gateway_rate(transport.name, config)
        window: timedelta | bool | None = (
            getattr(transport, "duplicate_window", None) if transport.idempotent else False
        )
        token = channel_rows[0]["claimed_by"]
        updates: list[_Outcome] = []
        ready: list[tuple[_Outcome, dict[str, Any], OutgoingMessage]] = []
        now = timezone.now()
        for row in channel_rows:
            update = _outcome(row, transport, now)
            if row["subscription__status"] not in (None, Subscription.Status.ACTIVE):
                update.status = Status.CANCELLED
                update.error = "unsubscribed before sending"
                stats.cancelled += 1
            elif channel in QUIET_CHANNELS and not row["urgent"] and in_quiet_hours(now, config):
                update.status = Status.QUEUED
                update.not_before = quiet_hours_end(now, config)
            elif (
                isinstance(window, timedelta)
                and row["maybe_sent_at"] is not None
                and now - row["maybe_sent_at"] > window
            ):
                # An earlier attempt may have gone out and the gateway would no longer refuse a
                # repeat: the outbox decides, and it does not risk a second copy.
                update.status = Status.UNKNOWN
                update.error = (
                    "maybe sent earlier; the gateway's duplicate check has expired, not resent"
                )
                stats.failed += 1
            else:
                try:
                    ready.append((update, row, _outgoing(row, cache_)))
                    continue
                except Exception as exc:
                    _record_result(update, row, exc, text="", config=config, stats=stats)
            updates.append(update)
        if transport.idempotent:
            for start in range(0, len(ready), SEND_CHUNK):
                chunk = ready[start : start + SEND_CHUNK]
                results = _send_many(transport, [m for _u, _r, m in chunk], rate)
                sent_at = timezone.now()
                for (update, row, message), result in zip(chunk, results, strict=True):
                    update.status_at = update.not_before = sent_at
                    _record_result(
                        update,
                        row,
                        result,
                        text=message.text,
                        config=config,
                        stats=stats,
                        window=window,
                    )
                    updates.append(update)
                _write(updates, token=token)
            _write(updates, token=token)
            _erase_sensitive(channel_rows)
            continue
        for update, row, message in ready:
            # Outcomes so far and this row's hand-over mark, in one synchronous commit.
            if not _write(updates, token=token, hand_over=row["id"]):
                continue  # our lease ran out and the row was reaped: someone else has it
            try:
                rate_limit_wait(transport.name, rate)
                result: str | BaseException = transport.send(message)
            except Exception as exc:
                result = exc
            update.status_at = update.not_before = timezone.now()
            _record_result(
                update, row, result, text=message.text, config=config, stats=stats, window=window
            )
            updates.append(update)
        _write(updates, token=token)
        _erase_sensitive(channel_rows)


def direct_audio_file(key: str, language: str) -> Path:
    """Where the spoken text of a message outside a notice is recorded (one file per message)."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return get_config().audio_dir / "direct" / f"{digest}-{language}.wav"


def direct_audio_path(row: dict[str, Any]) -> str:
    """A voice message outside a notice (a reply to a person, a confirmation code): its text is
    spoken by espeak-ng once, into a file of its own."""
    from wspolnota.communication.transports.voice import synthesize

    path = direct_audio_file(row["idempotency_key"], row["language"])
    if not path.exists():
        try:
            synthesize(text=row["body"], language=row["language"], path=path)
        except Exception as exc:  # espeak-ng or sox failed: render again on the next try
            logger.warning("recording of message %s failed: %s", row["id"], exc)
            raise TransientSendError(f"the recording could not be made: {exc}") from None
    return str(path)


def _erase_sensitive(rows: list[dict[str, Any]]) -> None:
    """One-time codes and reset links do not stay in the outbox once they are out (or given up);
    nor does the recording of a spoken code."""
    ids = [row["id"] for row in rows if row.get("sensitive")]
    for row in rows:
        if (
            row.get("sensitive")
            and row.get("channel") == Channel.VOICE
            and row.get("idempotency_key")
        ):
            done = not OutboxMessage.objects.filter(
                id=row["id"], status__in=[Status.QUEUED, Status.SENDING]
            ).exists()
            if done:
                direct_audio_file(row["idempotency_key"], row.get("language") or "pl").unlink(
                    missing_ok=True
                )
    if ids:
        OutboxMessage.objects.filter(id__in=ids).exclude(
            status__in=[Status.QUEUED, Status.SENDING]
        ).update(body="")


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
