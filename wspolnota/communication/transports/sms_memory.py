from __future__ import annotations

import threading
import uuid

from wspolnota.communication.transports.base import SmsMessage

memory_outbox: list[SmsMessage] = []
_lock = threading.Lock()


class MemorySmsTransport:
    """Test backend: keeps sent messages in ``memory_outbox`` (cleared by a test fixture).

    A message whose key was already kept is not kept again, like the gateways' idempotency.
    """

    name = "sms-memory"
    idempotent = True

    def send(self, message: SmsMessage) -> str:
        with _lock:
            if message.key and any(m.key == message.key for m in memory_outbox):
                return message.key
            memory_outbox.append(message)
        return message.key or uuid.uuid4().hex
