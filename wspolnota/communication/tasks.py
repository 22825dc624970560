from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task


@task()
def send_email(*, to: str, subject: str, body: str, kind: str) -> None:
    """Send one plain-text e-mail (run by the worker; retried by re-enqueueing on failure)."""
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.extra_headers["X-Wspolnota-Kind"] = kind
    message.send()
