"""Channels share one shape: a message dataclass and a transport with ``send(message) -> id``.

The SMS gateway for production (SMSAPI) arrives with the communication issue; until then the
``file`` backend writes each SMS as a JSON line to ``SMS_FILE_PATH`` and ``memory`` keeps them
in a list for tests.
"""

from __future__ import annotations

from django.conf import settings

from wspolnota.communication.transports.base import SmsMessage, SmsTransport
from wspolnota.communication.transports.sms_file import FileSmsTransport
from wspolnota.communication.transports.sms_memory import MemorySmsTransport, memory_outbox

__all__ = [
    "FileSmsTransport",
    "MemorySmsTransport",
    "SmsMessage",
    "SmsTransport",
    "get_sms_transport",
    "memory_outbox",
]


def get_sms_transport() -> SmsTransport:
    backend = settings.SMS_BACKEND
    if backend == "file":
        return FileSmsTransport(path=settings.SMS_FILE_PATH, sender=settings.SMS_SENDER_NAME)
    return MemorySmsTransport()
