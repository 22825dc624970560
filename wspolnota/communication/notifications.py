"""One notification interface for every app: decide who and what here, the channel elsewhere.

An app calls ``notify(recipient=…, kind=…, subject_template=…, body_template=…, context=…)``.
The message is rendered in the recipient's own language and written to the communication
outbox inside the caller's transaction (so a rolled-back change never notifies anyone); the
delivery worker sends it after commit, with retries, and it appears in the delivery log.
``key`` makes a notification idempotent (the same key is sent once), ``channels`` adds SMS for
people with a confirmed mobile number. A person without an account, kept by the city (issue 17),
is told the way they chose when a clerk wrote them down — a letter, a voice call, an SMS or an
e-mail — by ``communication.services.reply_to_person``, from ``sender_unit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings

from wspolnota.communication.choices import Channel
from wspolnota.communication.rendering import render_template_email

if TYPE_CHECKING:
    from wspolnota.accounts.models import CityUnit, User


def notify(
    *,
    recipient: User,
    kind: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    key: str | None = None,
    channels: Sequence[str] = (Channel.EMAIL,),
    urgent: bool = False,
    sender_unit: CityUnit | None = None,
) -> None:
    """Tell one person about an event (``kind`` such as ``"budget.project_status"``)."""
    from wspolnota.communication.services import outbox_enqueue_direct, reply_to_person

    if not recipient.is_active or recipient.deleted_at:
        return
    full_context = {"recipient": recipient, "site_url": settings.SITE_URL, "kind": kind, **context}
    rendered = render_template_email(
        subject_template=subject_template,
        body_template=body_template,
        context=full_context,
        language=recipient.preferred_language,
    )
    if recipient.kept_by_city:
        reply_to_person(
            person=recipient,
            subject=rendered.subject,
            body=rendered.text,
            sender_unit=sender_unit,
            kind=kind,
            key=key,
        )
        return
    for channel in channels:
        if channel == Channel.EMAIL and recipient.email:
            to = recipient.email
            body = rendered.text
        elif channel == Channel.SMS and recipient.phone_confirmed:
            to = recipient.phone
            body = rendered.subject
        else:
            continue
        outbox_enqueue_direct(
            kind=kind,
            channel=channel,
            to=to,
            subject=rendered.subject,
            body=body,
            language=recipient.preferred_language,
            key=f"{key}:{channel}:{recipient.pk}" if key else None,
            user=recipient,
            urgent=urgent,
        )
