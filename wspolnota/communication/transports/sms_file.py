from __future__ import annotations

import fcntl
import json
import uuid
from pathlib import Path

from django.utils import timezone

from wspolnota.communication.transports.base import SmsMessage


class FileSmsTransport:
    """Development backend: appends one JSON line per SMS, safe across processes (flock)."""

    def __init__(self, *, path: Path, sender: str) -> None:
        self.path = path
        self.sender = sender

    def send(self, message: SmsMessage) -> str:
        message_id = uuid.uuid4().hex
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "id": message_id,
                "at": timezone.now().isoformat(),
                "from": self.sender,
                "to": message.to,
                "text": message.text,
            },
            ensure_ascii=False,
        )
        with self.path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(line + "\n")
            fcntl.flock(handle, fcntl.LOCK_UN)
        return message_id
