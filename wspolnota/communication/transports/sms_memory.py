from __future__ import annotations

import threading
import uuid

from wspolnota.communication.transports.base import SmsMessage

memory_outbox: list[SmsMessage] = []
_lock = threading.Lock()


class MemorySmsTransport:
    """Test backend: keeps sent messages in ``memory_outbox`` (cleared by a test fixture)."""

    def send(self, message: SmsMessage) -> str:
        with _lock:
            memory_outbox.append(message)
        return uuid.uuid4().hex
