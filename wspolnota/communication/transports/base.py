"""One shape for every channel: a message dataclass and a transport with ``send(message) -> id``.

Transports raise ``TransientSendError`` for failures worth retrying (network, gateway busy) and
``PermanentSendError`` for ones that are not (invalid number, rejected content). A transport is
``idempotent`` when handing it the same ``key`` twice delivers one message; the delivery engine
hands such transports whole batches (``send_many(messages) -> [id or exception]`` when they
have it) and retries them safely after a crash, and gives the others one message at a time,
never resending one whose hand-over a crash interrupted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol


class TransientSendError(Exception):
    """Try again later (with back-off)."""


class PermanentSendError(Exception):
    """Do not try again: the message cannot be delivered as it is."""


class MaybeSentError(TransientSendError):
    """The hand-over broke off after the message may have been taken (an SMTP connection that
    dropped after DATA, a gateway that did not answer). Never retried blindly: a transport
    without idempotency leaves the row ``unknown``; a gateway with a duplicate check is retried
    only while that check still covers the first attempt (``duplicate_window``)."""


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. +48600100200
    text: str
    key: str = ""  # idempotency key; the same key is delivered once
    urgent: bool = False
    idx: str = ""  # the key as the gateway accepts it (``sms_smsapi.gateway_idx``)


class SmsTransport(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Hand the message to the channel; return the channel's message id."""
        ...


@dataclass(frozen=True)
class MergeSource:
    """The shared form of a bulk message: ``text``/``html``/``headers`` with placeholders that
    ``values`` fill in. A transport may build the message once from it and fill in the
    placeholders per recipient (mail merge) instead of building every message from scratch."""

    text: str
    html: str
    headers: Mapping[str, str]
    values: Mapping[str, str]


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message for any channel, as the delivery engine hands it to a transport."""

    key: str
    channel: str
    to: str
    text: str
    subject: str = ""
    html: str = ""
    language: str = "pl"
    audio_path: str = ""
    urgent: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    merge: MergeSource | None = None
    idx: str = ""  # the key as a gateway with a duplicate check accepts it


class Transport(Protocol):
    name: str
    idempotent: bool

    def send(self, message: OutgoingMessage) -> str: ...

    def close(self) -> None: ...
