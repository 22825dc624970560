from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from wspolnota.communication.transports.base import OutgoingMessage, TransientSendError


class EmailTransport:
    """E-mail through Django's configured backend (SMTP in production), HTML and text.

    SMTP has no idempotency: the delivery engine therefore records each e-mail as sent right
    after the server accepts it, and never resends one whose outcome a crash left unknown.
    The Message-ID is derived from the idempotency key, so a mail system that sees the same
    message twice can recognise it.
    """

    name = "email"
    idempotent = False

    def __init__(self) -> None:
        self._connection: Any = None

    def send(self, message: OutgoingMessage) -> str:
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "wspolnota"
        message_id = make_msgid(idstring=message.key.replace(":", "."), domain=domain)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message_id, **dict(message.headers)},
            connection=self._connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except OSError as exc:
            self.close()
            raise TransientSendError(f"mail server: {exc}") from None
        return message_id

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
