"""Channels share one shape: a message dataclass and a transport with ``send(message) -> id``.

SMS: ``SMS_BACKEND`` picks ``smsapi`` (the SMSAPI gateway, configured by ``SMSAPI_*`` variables),
``file`` (one JSON line per SMS in ``SMS_FILE_PATH``) or ``memory`` (a list, for tests). Voice:
``VOICE_BACKEND`` picks ``smsapi`` (the gateway's voice messages, VMS), ``file`` or ``memory``. E-mail goes through Django's mail backend
(``EMAIL_URL``). Letters are not sent one by one: they are printed in batches (``printing.py``).
"""

from __future__ import annotations

from django.conf import settings

from wspolnota.communication.choices import Channel
from wspolnota.communication.conf import get_config
from wspolnota.communication.transports.base import (
    MaybeSentError,
    MergeSource,
    OutgoingMessage,
    PermanentSendError,
    SmsMessage,
    SmsTransport,
    TransientSendError,
    Transport,
)
from wspolnota.communication.transports.email import EmailTransport
from wspolnota.communication.transports.sms_file import FileSmsTransport
from wspolnota.communication.transports.sms_memory import MemorySmsTransport, memory_outbox
from wspolnota.communication.transports.sms_smsapi import SmsapiTransport, SmsapiVoiceTransport
from wspolnota.communication.transports.voice import (
    FileVoiceTransport,
    MemoryVoiceTransport,
    memory_calls,
)

__all__ = [
    "EmailTransport",
    "FileSmsTransport",
    "MaybeSentError",
    "MemorySmsTransport",
    "MergeSource",
    "OutgoingMessage",
    "PermanentSendError",
    "SmsMessage",
    "SmsTransport",
    "SmsapiTransport",
    "SmsapiVoiceTransport",
    "TransientSendError",
    "Transport",
    "get_sms_transport",
    "get_transport",
    "memory_calls",
    "memory_outbox",
]


def get_sms_transport() -> SmsTransport:
    backend = settings.SMS_BACKEND
    if backend == "file":
        return FileSmsTransport(path=settings.SMS_FILE_PATH, sender=settings.SMS_SENDER_NAME)
    if backend == "smsapi":
        return SmsapiTransport(sender=settings.SMS_SENDER_NAME)
    return MemorySmsTransport()


class SmsChannelTransport:
    """The SMS backends behind the one transport interface of the delivery engine."""

    def __init__(self, backend: SmsTransport) -> None:
        self.backend = backend
        self.name = str(getattr(backend, "name", "sms"))
        self.idempotent = bool(getattr(backend, "idempotent", False))
        # How long the gateway's duplicate check covers a message (None: for ever, e.g. spools).
        self.duplicate_window = getattr(backend, "duplicate_window", None)

    def send(self, message: OutgoingMessage) -> str:
        return self.backend.send(self._sms(message))

    def send_many(self, messages: list[OutgoingMessage]) -> list[str | BaseException]:
        send_many = getattr(self.backend, "send_many", None)
        if send_many is None:
            results: list[str | BaseException] = []
            for message in messages:
                try:
                    results.append(self.backend.send(self._sms(message)))
                except Exception as exc:
                    results.append(exc)
            return results
        return list(send_many([self._sms(m) for m in messages]))

    @staticmethod
    def _sms(message: OutgoingMessage) -> SmsMessage:
        return SmsMessage(
            to=message.to,
            text=message.text,
            key=message.key,
            urgent=message.urgent,
            idx=message.idx,
        )

    def close(self) -> None:
        return None


def get_transport(channel: str) -> Transport:
    if channel == Channel.EMAIL:
        return EmailTransport()
    if channel == Channel.SMS:
        return SmsChannelTransport(get_sms_transport())
    if channel == Channel.VOICE:
        config = get_config()
        if config.voice_backend == "smsapi":
            return SmsapiVoiceTransport(sender=settings.SMS_SENDER_NAME)
        if config.voice_backend == "file":
            return FileVoiceTransport(path=config.voice_file_path)
        return MemoryVoiceTransport()
    raise ValueError(f"channel {channel!r} is delivered in printed batches, not by a transport")
