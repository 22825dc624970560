"""Background work: thin wrappers that load by id and call a service or the delivery engine.

The database worker (``manage.py db_worker``) runs them by default; with ``REDIS_URL`` set the
RQ backend does (``manage.py rqworker default --job-class django_tasks_rq.Job``). Tests run them
immediately.
"""

from __future__ import annotations

import os

from django.utils import timezone
from django_tasks import task

DELIVERY_PARALLEL = int(os.environ.get("COMMUNICATION_DELIVERY_PARALLEL", "2"))


@task()
def deliver_outbox() -> dict[str, int]:
    """Drain due outbox messages for up to 50 s; re-enqueue while work remains."""
    from wspolnota.communication import delivery

    stats = delivery.deliver_pending(time_budget=50.0)
    backend = deliver_outbox.get_backend()
    immediate = backend.__class__.__name__ == "ImmediateBackend"
    if not immediate:
        if delivery.pending_exists():
            deliver_outbox.enqueue()
        else:
            due = delivery.next_due(after=timezone.now())
            if due is not None and backend.supports_defer:
                deliver_outbox.using(run_after=due).enqueue()
    return {"sent": stats.sent, "retried": stats.retried, "failed": stats.failed}


@task()
def notice_fan_out(*, notice_id: int) -> int:
    """Create the notice's outbox rows (idempotent), then start the delivery workers."""
    from wspolnota.communication import delivery
    from wspolnota.communication.models import Notice
    from wspolnota.communication.services import notice_fan_out as fan_out

    notice = Notice.objects.prefetch_related("texts").get(pk=notice_id)
    count = fan_out(notice=notice)
    for _n in range(DELIVERY_PARALLEL):
        deliver_outbox.enqueue()
    due = delivery.next_due(after=timezone.now())
    if due is not None and deliver_outbox.get_backend().supports_defer:
        deliver_outbox.using(run_after=due).enqueue()
    return count


@task()
def notice_audio_render(*, notice_id: int) -> list[str]:
    """Speak the notice in each of its languages for the phone line."""
    from wspolnota.communication.models import Notice
    from wspolnota.communication.services import notice_audio_ensure

    notice = Notice.objects.prefetch_related("texts").get(pk=notice_id)
    return [
        notice_audio_ensure(notice=notice, language=text.language).path
        for text in notice.texts.all()
    ]


@task()
def sms_blacklist_update(*, phone: str, lift: bool = False) -> str:
    """Put the number on the gateway's blacklist, or take it off, as its subscriptions say.

    On when none of its SMS or voice subscriptions is active (and one existed), off when one is.
    A confirmation still waiting to go to the number goes first: the task then comes back later.
    """
    from datetime import timedelta

    from wspolnota.communication.choices import Channel
    from wspolnota.communication.models import OutboxMessage, Subscription
    from wspolnota.communication.transports import sms_smsapi

    subscriptions = Subscription.objects.filter(
        phone=phone, channel__in=[Channel.SMS, Channel.VOICE]
    )
    if not subscriptions.exists():
        return "unknown number"
    if lift or subscriptions.filter(status=Subscription.Status.ACTIVE).exists():
        sms_smsapi.blacklist_remove(phone)
        return "removed"
    waiting = OutboxMessage.objects.filter(
        to=phone, channel=Channel.SMS, status__in=["queued", "sending"], subscription__isnull=True
    ).exists()
    backend = sms_blacklist_update.get_backend()
    if waiting and backend.supports_defer:
        sms_blacklist_update.using(run_after=timezone.now() + timedelta(minutes=1)).enqueue(
            phone=phone
        )
        return "later"
    if not sms_smsapi.blacklist_contains(phone):
        sms_smsapi.blacklist_add(phone)
    return "added"


@task()
def sms_blacklist_pull() -> int:
    """Bring opt-outs made at the gateway into the subscriptions (``manage.py
    communication_blacklist_pull`` enqueues it; run that from cron, e.g. hourly)."""
    from wspolnota.communication.services import sms_blacklist_pull as pull

    return pull()


@task()
def letter_batch_render(*, batch_id: int) -> int:
    """Print a requested letter batch to a PDF (or a ZIP of PDFs) for download."""
    from wspolnota.communication.services import letter_batch_render as render

    return render(batch_id=batch_id).letter_count


@task()
def letter_batch_reprint(*, batch_id: int) -> bool:
    """Print a held batch again without the letters of people erased meanwhile (their file
    was deleted at the erasure)."""
    from django.utils import timezone

    from wspolnota.communication.services import letter_batch_reprint_without_erased

    return letter_batch_reprint_without_erased(batch_id=batch_id, now=timezone.now())


@task()
def reply_letters_print() -> int:
    """Gather the reply letters waiting to be printed into batches, one per sender unit, and
    render them (issue 17)."""
    from wspolnota.communication.services import letter_batch_render as render
    from wspolnota.communication.services import reply_letters_batches

    return sum(render(batch_id=batch.pk).letter_count for batch in reply_letters_batches())
