from __future__ import annotations

import uuid
from pathlib import Path

from django.utils import timezone

from wspolnota.communication.transports.base import SmsMessage
from wspolnota.communication.transports.spool import spool_append


class FileSmsTransport:
    """Development backend: one JSON line per SMS, safe across processes, each key written once."""

    name = "sms-file"
    idempotent = True

    def __init__(self, *, path: Path, sender: str) -> None:
        self.path = path
        self.sender = sender

    def send(self, message: SmsMessage) -> str:
        message_id = message.key or uuid.uuid4().hex
        spool_append(
            self.path,
            {
                "id": message_id,
                "key": message.key,
                "at": timezone.now().isoformat(),
                "from": self.sender,
                "to": message.to,
                "text": message.text,
            },
        )
        return message_id
