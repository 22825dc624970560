from __future__ import annotations

import uuid
from pathlib import Path

from django.utils import timezone

from wspolnota.communication.transports.base import SmsMessage
from wspolnota.communication.transports.spool import spool_append_many


class FileSmsTransport:
    """Development backend: one JSON line per SMS, safe across processes, each key written once."""

    name = "sms-file"
    idempotent = True

    def __init__(self, *, path: Path, sender: str) -> None:
        self.path = path
        self.sender = sender

    def send(self, message: SmsMessage) -> str:
        return self.send_many([message])[0]

    def send_many(self, messages: list[SmsMessage]) -> list[str]:
        """Write a batch under one lock and one write; keys already in the file are skipped."""
        at = timezone.now().isoformat()
        ids = [m.key or uuid.uuid4().hex for m in messages]
        spool_append_many(
            self.path,
            [
                {
                    "id": message_id,
                    "key": m.key,
                    "at": at,
                    "from": self.sender,
                    "to": m.to,
                    "text": m.text,
                }
                for message_id, m in zip(ids, messages, strict=True)
            ],
        )
        return ids
