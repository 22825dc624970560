from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. +48600100200
    text: str


class SmsTransport(Protocol):
    def send(self, message: SmsMessage) -> str:
        """Hand the message to the channel; return the channel's message id."""
        ...
