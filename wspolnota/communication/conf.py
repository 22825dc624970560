"""Settings of the communication app, read from Django settings or the environment.

The project settings own ``SMS_BACKEND``, ``SMS_FILE_PATH`` and ``SMS_SENDER_NAME``; the values
below belong to this app alone and default to what a city needs on day one. Each can be set as
a Django setting of the same name or as an environment variable; a malformed value stops the
process with a message naming the variable.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings


class CommunicationConfigError(RuntimeError):
    pass


def _raw(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = _raw(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise CommunicationConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise CommunicationConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _decimal(name: str, default: str) -> Decimal:
    raw = _raw(name, default)
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise CommunicationConfigError(f"{name} must be a decimal amount, got {raw!r}") from None


def _time(name: str, default: str) -> time:
    raw = _raw(name, default)
    try:
        hours, minutes = raw.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise CommunicationConfigError(f"{name} must look like 21:00, got {raw!r}") from None


@dataclass(frozen=True)
class Config:
    quiet_start: time
    quiet_end: time
    lease_seconds: int
    max_attempts: int
    batch_size: int
    sms_price_per_segment: Decimal
    voice_price_per_call: Decimal
    letter_price: Decimal
    sms_rate_per_second: int
    voice_rate_per_second: int
    email_rate_per_second: int
    voice_backend: str
    voice_file_path: Path
    audio_dir: Path
    confirm_ttl_seconds: int
    sms_two_way: bool


def get_config() -> Config:
    var_dir = Path(getattr(settings, "VAR_DIR", settings.BASE_DIR / "var"))
    voice_backend = _raw("VOICE_BACKEND", "memory" if settings.IS_TEST else "file")
    if voice_backend not in ("smsapi", "file", "memory"):
        raise CommunicationConfigError(
            f"VOICE_BACKEND must be 'smsapi', 'file' or 'memory', got {voice_backend!r}"
        )
    return Config(
        quiet_start=_time("COMMUNICATION_QUIET_START", "21:00"),
        quiet_end=_time("COMMUNICATION_QUIET_END", "08:00"),
        lease_seconds=_int("COMMUNICATION_LEASE_SECONDS", 300, minimum=1),
        max_attempts=_int("COMMUNICATION_MAX_ATTEMPTS", 6, minimum=1),
        batch_size=_int("COMMUNICATION_BATCH_SIZE", 500, minimum=1),
        sms_price_per_segment=_decimal("SMS_PRICE_PER_SEGMENT", "0.16"),
        voice_price_per_call=_decimal("VOICE_PRICE_PER_CALL", "0.30"),
        letter_price=_decimal("LETTER_PRICE", "3.50"),
        sms_rate_per_second=_int("SMS_RATE_PER_SECOND", 50, minimum=0),
        voice_rate_per_second=_int("VOICE_RATE_PER_SECOND", 5, minimum=0),
        email_rate_per_second=_int("EMAIL_RATE_PER_SECOND", 0, minimum=0),
        voice_backend=voice_backend,
        voice_file_path=Path(_raw("VOICE_FILE_PATH", str(var_dir / "voice-calls.log"))),
        audio_dir=Path(_raw("VOICE_AUDIO_DIR", str(Path(settings.MEDIA_ROOT) / "voice"))),
        confirm_ttl_seconds=_int("SUBSCRIPTION_CONFIRM_TTL_SECONDS", 2 * 24 * 3600, minimum=60),
        # The SMS sender is the gateway's two-way number and replies come to our inbound
        # callback: only then does an SMS say "reply STOP".
        sms_two_way=_raw("SMS_TWO_WAY", "0").strip().lower() in ("1", "true", "yes"),
    )
