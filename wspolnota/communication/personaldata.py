"""Personal data held by the communication app (see ``core.personaldata``), and the retention
of sent messages."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.db.models.functions import Coalesce

from wspolnota.communication.models import LetterBatch, OutboxMessage
from wspolnota.core.personaldata import DELETE, PSEUDONYMISE, PersonalData, register

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def _messages_of(user: User) -> Q:
    q = Q(user=user) | Q(subscription__user=user)
    if user.email:
        q |= Q(to__iexact=user.email)
    if user.phone:
        q |= Q(to=user.phone)
    if user.landline_phone:
        q |= Q(to=user.landline_phone)
    return q


def _erase_messages(user: User, now: datetime) -> int:
    """Queued messages to the person are cancelled; every message to them loses its address
    and text (the row stays for the notice's delivery counts); every printed batch still held
    with a letter to them loses its file at once, and the worker prints it again without their
    letter once the erasure is committed (``services.letter_batch_reprint_without_erased``):
    printing thousands of letters again must not hold up, or time out, the erasure itself."""
    from functools import partial

    from django.db import transaction

    from wspolnota.communication.services import letter_batch_pdf_delete
    from wspolnota.communication.tasks import letter_batch_reprint

    rows = OutboxMessage.objects.filter(_messages_of(user))
    held = list(
        LetterBatch.objects.filter(
            pk__in=rows.filter(letter_batch__isnull=False).values("letter_batch")
        )
        .exclude(pdf="")
        .values_list("pk", flat=True)
    )
    rows.filter(status__in=[OutboxMessage.Status.QUEUED, OutboxMessage.Status.SENDING]).update(
        status=OutboxMessage.Status.CANCELLED, status_at=now
    )
    done = rows.update(to="", subject="", body="", user=None, error="")
    for batch in LetterBatch.objects.filter(pk__in=held):
        letter_batch_pdf_delete(batch=batch, reason=LetterBatch.PdfPurge.ERASURE, now=now)
        transaction.on_commit(partial(letter_batch_reprint.enqueue, batch_id=batch.pk))
    return done


def _export_messages(user: User) -> dict[str, list[dict[str, object]]]:
    return {
        "yours": [
            {
                "id": m.pk,
                "kind": m.kind,
                "channel": m.channel,
                "to": m.to,
                "subject": m.subject,
                "body": m.body,
                "status": m.status,
                "created_at": m.created_at.isoformat(),
                "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            }
            for m in OutboxMessage.objects.filter(_messages_of(user)).order_by("id")
        ]
    }


def messages_purge(*, now: datetime, days: int) -> int:
    """Retention (``RETENTION_MESSAGES_DAYS``): messages sent, failed or cancelled that long
    ago lose their address and text; the row stays for the notice's delivery counts."""
    done = [
        OutboxMessage.Status.SENT,
        OutboxMessage.Status.DELIVERED,
        OutboxMessage.Status.FAILED,
        OutboxMessage.Status.CANCELLED,
        OutboxMessage.Status.UNKNOWN,
    ]
    return (
        OutboxMessage.objects.filter(status__in=done, created_at__lt=now - timedelta(days=days))
        .exclude(to="", body="")
        .update(to="", subject="", body="", error="")
    )


def letter_batches_purge(*, now: datetime, days: int, sensitive_days: int) -> int:
    """Retention (``RETENTION_LETTER_BATCHES_DAYS`` after rendering): a printed batch's file
    (names, postal addresses, the letters' texts) is deleted from the storage; the row stays
    with its counts and its page says the file went under the retention period. A batch
    holding a one-time code (``OutboxMessage.sensitive``, its only copy once printed) goes
    after ``sensitive_days`` (the code's validity) if that comes first."""
    from wspolnota.communication.services import letter_batch_pdf_delete

    held = LetterBatch.objects.exclude(pdf="").annotate(
        rendered_at=Coalesce("finished_at", "created_at")
    )
    stale = held.filter(rendered_at__lt=now - timedelta(days=days))
    if sensitive_days < days:
        stale = stale | held.filter(
            rendered_at__lt=now - timedelta(days=sensitive_days),
            messages__sensitive=True,
        )
    done = 0
    for batch in LetterBatch.objects.filter(pk__in=stale.values("pk")):
        letter_batch_pdf_delete(batch=batch, reason=LetterBatch.PdfPurge.RETENTION, now=now)
        done += 1
    return done


register(
    PersonalData(
        "communication.Notice",
        official_fields=("author", "approved_by"),
        not_personal={"send_email": "a flag: whether the notice goes out by e-mail"},
    ),
    PersonalData(
        "communication.Subscription",
        user_fields=("user",),
        match_fields=(("email", "email"), ("phone", "phone")),
        personal_fields=(
            "email",
            "phone",
            "postal_name",
            "postal_street",
            "postal_code",
            "postal_city",
            "point_lat",
            "point_lon",
        ),
        official_fields=("registered_by",),
        erase=DELETE,
    ),
    PersonalData(
        "communication.OutboxMessage",
        user_fields=("user", "subscription__user"),
        personal_fields=("to", "subject", "body"),
        erase=PSEUDONYMISE,
        reason="the row (without address or text) stays for the notice's delivery counts",
        exporter=_export_messages,
        eraser=_erase_messages,
    ),
    PersonalData(
        "communication.LetterBatch",
        official_fields=("created_by",),
        files={
            "pdf": "the printed letters (names, postal addresses, texts) of many people: not "
            "in a person's download (their letters' addresses and texts are, from the outbox); "
            "erasing a recipient prints the batch again without them or deletes the file "
            "(letter_batch_reprint_without_erased); deleted RETENTION_LETTER_BATCHES_DAYS "
            "after rendering (letter_batches_purge)",
        },
    ),
    PersonalData("communication.PaidSendBudget", official_fields=("set_by",)),
)
