"""One notification interface for every app: decide who and what here, the channel elsewhere.

An app calls ``notify(recipient=…, kind=…, subject_template=…, body_template=…, context=…)``.
The message is rendered in the recipient's own language and handed to a background task after
the surrounding transaction commits, so a rolled-back change never notifies anyone. E-mail is the
channel for now; the communication issue adds SMS, voice and letters behind the same call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from wspolnota.communication.tasks import send_email

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def notify(
    *,
    recipient: User,
    kind: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
) -> None:
    """Tell one person about an event (``kind`` such as ``"budget.project_status"``)."""
    if not recipient.is_active or not recipient.email or recipient.deleted_at:
        return
    full_context = {"recipient": recipient, "site_url": settings.SITE_URL, "kind": kind, **context}
    with translation.override(recipient.preferred_language):
        subject = " ".join(render_to_string(subject_template, full_context).split())
        body = render_to_string(body_template, full_context)
    transaction.on_commit(
        lambda: send_email.enqueue(to=recipient.email, subject=subject, body=body, kind=kind)
    )
