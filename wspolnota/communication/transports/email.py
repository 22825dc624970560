from __future__ import annotations

import os
import re
import smtplib
import uuid
from email.generator import BytesGenerator
from io import BytesIO
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from wspolnota.communication.transports.base import (
    MaybeSentError,
    MergeSource,
    OutgoingMessage,
    PermanentSendError,
    TransientSendError,
)

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
_TO = "wspolnota-merge-recipient@merge.invalid"
_MESSAGE_ID = "__WSPOLNOTA_MESSAGE_ID__"


def _message_id(key: str) -> str:
    """``<key@domain>``: the same message always carries the same Message-ID."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "wspolnota"
    if not key:
        return make_msgid(domain=domain)
    return f"<{_UNSAFE.sub('.', key.replace(':', '.'))}@{domain}>"


def _as_bytes(email: EmailMultiAlternatives) -> bytes:
    # No header folding: placeholders and the values put in their place may differ in length.
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, maxheaderlen=0).flatten(email.message())
    return out.getvalue()


class EmailTransport:
    """E-mail through Django's configured backend (SMTP in production), HTML and text.

    SMTP has no idempotency: the delivery engine therefore hands e-mails over one at a time,
    marks each row before the hand-over and records it right after, and never resends one whose
    outcome a crash left unknown. The Message-ID is derived from the idempotency key, so a mail
    system that sees the same message twice can recognise it; the key is what ``send`` returns.

    With the file backend (``EMAIL_URL=file:///folder``, development and benchmarks) each
    message is one ``<key>.eml`` file in the folder, published with ``link()`` so it appears
    whole or not at all, and a key already there is not written again: the transport is then
    idempotent and takes whole batches, built by mail merge (the message is built once per
    notice and language and the recipient's address, Message-ID and unsubscribe link are
    filled in).
    """

    def __init__(self) -> None:
        self._connection: Any = None
        self.folder: Path | None = None
        if settings.EMAIL_BACKEND == FILE_BACKEND:
            self.folder = Path(settings.EMAIL_FILE_PATH)
        self.idempotent = self.folder is not None
        self.name = "email-file" if self.folder is not None else "email"
        self._templates: dict[tuple[Any, ...], bytes | None] = {}
        self._folder_ready = False
        self._data_started = False

    def _build(self, message: OutgoingMessage, *, to: str, message_id: str) -> Any:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
            headers={"Message-ID": message_id, **dict(message.headers)},
            connection=self._connection,
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        return email

    def send(self, message: OutgoingMessage) -> str:
        message_id = _message_id(message.key)
        if self.folder is not None:
            self._write(message.key, self._file_bytes(message, message_id))
            return message.key or message_id
        if self._connection is None:
            self._connection = get_connection(fail_silently=False)
        email = self._build(message, to=message.to, message_id=message_id)
        try:
            self._watch_data()
            email.send()
        except smtplib.SMTPResponseException as exc:
            # The server answered with a refusal: nothing was taken.
            self.close()
            if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPDataError):
                raise PermanentSendError(f"mail server refused: {exc.smtp_code}") from None
            raise TransientSendError(f"mail server: {exc.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as exc:
            in_data = self._data_started
            self.close()
            if in_data:
                # The connection broke after DATA: the server may have queued the message and we
                # cannot know. Retrying could deliver it twice, so the outbox records "unknown".
                raise MaybeSentError(f"mail server went away after DATA: {exc}") from None
            raise TransientSendError(f"mail server: {exc}") from None
        return message.key or message_id

    def _watch_data(self) -> None:
        """Note when the SMTP conversation reaches DATA (the point after which a broken
        connection leaves the message maybe delivered)."""
        self._data_started = False
        backend = self._connection
        if getattr(backend, "connection", None) is None and hasattr(backend, "open"):
            backend.open()
        smtp = getattr(backend, "connection", None)
        if smtp is None or getattr(smtp, "_wspolnota_watched", False):
            return
        original = smtp.data

        def data(msg: Any) -> Any:
            self._data_started = True
            return original(msg)

        smtp.data = data
        smtp._wspolnota_watched = True

    def send_many(self, messages: list[OutgoingMessage]) -> list[str | BaseException]:
        results: list[str | BaseException] = []
        for message in messages:
            try:
                results.append(self.send(message))
            except Exception as exc:
                results.append(exc)
        return results

    # --- The file backend -------------------------------------------------------------------

    def _template(self, message: OutgoingMessage, merge: MergeSource) -> bytes | None:
        """The message with placeholders, built once; None when merging would not be exact."""
        key = (message.subject, merge.text, merge.html, tuple(merge.headers.items()))
        if key in self._templates:
            return self._templates[key]
        shape = OutgoingMessage(
            key="",
            channel=message.channel,
            to=_TO,
            subject=message.subject,
            text=merge.text,
            html=merge.html,
            headers=merge.headers,
        )
        data = _as_bytes(self._build(shape, to=_TO, message_id=f"<{_MESSAGE_ID}>"))
        # Exact only when every placeholder survived the encoding as plain ASCII text.
        expected = sum(
            part.count(name)
            for name in merge.values
            for part in (merge.text, merge.html, *merge.headers.values())
        )
        found = sum(data.count(name.encode()) for name in merge.values)
        ok = found == expected and data.count(_TO.encode()) == 1
        self._templates[key] = data if ok and data.count(_MESSAGE_ID.encode()) == 1 else None
        return self._templates[key]

    def _file_bytes(self, message: OutgoingMessage, message_id: str) -> bytes:
        merge = message.merge
        template = self._template(message, merge) if merge is not None else None
        if template is None or merge is None or not message.to.isascii():
            return _as_bytes(self._build(message, to=message.to, message_id=message_id))
        data = template.replace(_TO.encode(), message.to.encode("ascii"), 1).replace(
            f"<{_MESSAGE_ID}>".encode(), message_id.encode("ascii"), 1
        )
        for name, value in merge.values.items():
            data = data.replace(name.encode(), value.encode("utf-8"))
        return data

    def _write(self, key: str, data: bytes) -> bool:
        """Publish ``<key>.eml`` whole, once; False when the key was already delivered."""
        assert self.folder is not None
        if not self._folder_ready:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._folder_ready = True
        final = self.folder / f"{_UNSAFE.sub('_', key) or uuid.uuid4().hex}.eml"
        if final.exists():
            return False
        partial = self.folder / f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        partial.write_bytes(data)
        try:
            os.link(partial, final)
        except FileExistsError:
            return False
        finally:
            partial.unlink()
        return True

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
