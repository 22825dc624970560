"""SMSAPI (smsapi.pl / smsapi.com): SMS and voice messages (VMS) through ``smsapi-client``.

The gateway's own maintained client library speaks the protocol (``sms.do``, ``vms.do``, the
blacklist); this module decides what to send and how to read the outcome.

Exactly once, as far as the gateway can promise it: every message carries ``idx`` with
``check_idx=1``, and SMSAPI then refuses a second message with an ``idx`` it has already
accepted, answering error 53 ("Nieunikalny parametr idx. Została już przyjęta wiadomość z
identyczną wartością parametru idx przy wykorzystaniu parametru &check_idx=1"). The refusal is
our proof that the first attempt went out, so error 53 counts as sent. The platform's keys
(``notice:12:sms:345``) contain ``:`` and may be long, so ``idx`` is not the key itself but
``gateway_idx(row, key)``: lower-case letters and digits only, at most 32 characters, made of
the outbox row and an HMAC of the key (so the delivery-report callback can find the row and
prove the ``idx`` was ours). The gateway's duplicate check reaches back only so far
(``SMSAPI_IDX_WINDOW_HOURS``, 24 by default); whether a message whose earlier attempt may have
gone out is tried again after that is decided by the outbox (``delivery.py``), never by chance.

Configuration (environment, read when the backend is created):

``SMSAPI_TOKEN``       OAuth token from the SMSAPI panel (required)
``SMSAPI_URL``         API address, default ``https://api.smsapi.pl/`` (``.com`` for SMSAPI.com)
``SMSAPI_SENDER``      the sender: a registered name, or the two-way number (``SMS_TWO_WAY=1``)
``SMSAPI_NOTIFY_URL``  delivery-report callback for SMS (otherwise the one set in the panel)
``SMSAPI_VMS_NOTIFY_URL``  delivery-report callback for voice messages
``SMSAPI_VMS_MODE``    ``file`` (default: upload the platform's espeak-ng recording) or ``tts``
                       (Polish text read by the gateway; other languages still use the file)
``SMSAPI_VMS_LECTOR``  the gateway's Polish voice for ``tts`` (optional)
``SMSAPI_TIMEOUT``     seconds, default 10
``SMSAPI_TEST``        ``1``: the gateway validates but does not send (no charge)
``SMSAPI_IDX_WINDOW_HOURS``  how far back the gateway's ``check_idx`` reaches (default 24)
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from smsapi.client import Client, SmsApiPlClient
from smsapi.exception import EndpointException, SendException, SmsApiException

from wspolnota.communication.transports.base import (
    MaybeSentError,
    OutgoingMessage,
    PermanentSendError,
    SmsMessage,
    TransientSendError,
)

# Errors about the message itself: retrying the same message cannot help.
PERMANENT_ERROR_CODES = frozenset({8, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 26, 31, 32})
DUPLICATE_IDX = 53
IDX_SAFETY_MARGIN = timedelta(hours=1)


class SmsapiConfigError(RuntimeError):
    pass


def _env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None or value == "":
        raise SmsapiConfigError(
            f"{name} is not set: the SMSAPI backend (SMS_BACKEND=smsapi) needs it, "
            "e.g. SMSAPI_TOKEN from the SMSAPI panel → API settings → OAuth tokens"
        )
    return value


def _tag(key: str) -> str:
    digest = hmac.new(
        f"wspolnota-smsapi-idx:{settings.SECRET_KEY}".encode(), key.encode(), hashlib.sha256
    ).hexdigest()
    return digest[:12]


def gateway_idx(row_id: int | None, key: str) -> str:
    """The gateway's ``idx`` for an outbox row: ``[0-9a-z]``, at most 32 characters.

    ``w`` + the row id in base 36 + ``x`` + 12 hex digits of an HMAC of the key. Deterministic,
    so a retry of the row carries the same ``idx`` and the gateway refuses a second copy.
    """
    if row_id is None:
        return "k" + _tag(key) + hashlib.sha256(key.encode()).hexdigest()[:19]
    return f"w{_base36(row_id)}x{_tag(key)}"


def parse_gateway_idx(idx: str) -> tuple[int, str] | None:
    """(row id, tag) of an ``idx`` made by ``gateway_idx``; None for anything else."""
    idx = idx.strip().lower()
    if not idx.startswith("w") or "x" not in idx or len(idx) > 32:
        return None
    number, _sep, tag = idx[1:].partition("x")
    if not number or not number.isalnum() or len(tag) != 12:
        return None
    try:
        return int(number, 36), tag
    except ValueError:
        return None


def idx_matches(idx: str, row_id: int, key: str) -> bool:
    parsed = parse_gateway_idx(idx)
    return parsed is not None and parsed[0] == row_id and hmac.compare_digest(parsed[1], _tag(key))


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if number == 0:
            return out


def _never_connected(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the gateway (nothing can have been sent)."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        inner = getattr(reason, "reason", reason)
        return type(inner).__name__ in {"NewConnectionError", "NameResolutionError"}
    return False


class _SmsapiBase:
    """What the SMS and voice transports share: the client, the idx rules, reading outcomes."""

    idempotent = True

    def __init__(self, *, sender: str = "") -> None:
        self.token = _env("SMSAPI_TOKEN")
        self.url = _env("SMSAPI_URL", "https://api.smsapi.pl/")
        if not self.url.endswith("/"):
            self.url += "/"
        if not self.url.startswith(("https://", "http://127.", "http://localhost")):
            raise SmsapiConfigError("SMSAPI_URL must be an https:// address")
        self.sender = os.environ.get("SMSAPI_SENDER") or sender
        try:
            self.timeout = float(os.environ.get("SMSAPI_TIMEOUT", "10"))
            hours = float(os.environ.get("SMSAPI_IDX_WINDOW_HOURS", "24"))
        except ValueError:
            raise SmsapiConfigError(
                "SMSAPI_TIMEOUT and SMSAPI_IDX_WINDOW_HOURS must be numbers"
            ) from None
        # A retry of a message that may have gone out is safe only well inside the window.
        self.duplicate_window = max(timedelta(hours=hours) - IDX_SAFETY_MARGIN, timedelta(0))
        self.test_mode = os.environ.get("SMSAPI_TEST", "") in ("1", "true", "yes")
        self.client: Client = SmsApiPlClient(access_token=self.token)
        self.client.domain = self.url

    def _common(self, idx: str, notify_url: str) -> dict[str, Any]:
        fields: dict[str, Any] = {"timeout": self.timeout}
        if self.sender:
            fields["from_" if self.name == "smsapi" else "from"] = self.sender
        if idx:
            fields["idx"] = idx
            fields["check_idx"] = 1
        if notify_url:
            fields["notify_url"] = notify_url
        if self.test_mode:
            fields["test"] = 1
        return fields

    name = "smsapi"

    def _call(self, send: Any, idx: str, /, **fields: Any) -> str:
        try:
            results = send(**fields)
        except SendException as exc:
            code = int(exc.code or 0)
            if code == DUPLICATE_IDX and idx:
                return f"idx:{idx}"  # accepted earlier: this is the proof it went out
            if code in PERMANENT_ERROR_CODES:
                raise PermanentSendError(f"SMSAPI error {code}: {exc.message}") from None
            raise TransientSendError(f"SMSAPI error {code}: {exc.message}") from None
        except EndpointException as exc:
            status = int(exc.code or 0)
            if status >= 500:
                # The gateway (or a proxy before it) failed while handling the request: the
                # message may have been accepted. Retried only while check_idx still covers it.
                raise MaybeSentError(f"SMSAPI HTTP {status}") from None
            raise TransientSendError(f"SMSAPI HTTP {status}: {str(exc.message)[:200]}") from None
        except requests.RequestException as exc:
            if _never_connected(exc):
                raise TransientSendError(f"SMSAPI unreachable: {exc.__class__.__name__}") from None
            raise MaybeSentError(
                f"SMSAPI did not answer ({exc.__class__.__name__}); the message may have gone out"
            ) from None
        except SmsApiException as exc:
            raise TransientSendError(f"SMSAPI: {exc.message}") from None
        items = list(results)
        if not items:
            raise MaybeSentError("SMSAPI answered without a message id")
        first = items[0]
        if getattr(first, "error", None):
            raise PermanentSendError(f"SMSAPI refused the number: {first.error}")
        return str(first.id or f"idx:{idx}")


class SmsapiTransport(_SmsapiBase):
    """SMS through ``client.sms.send``."""

    name = "smsapi"

    def __init__(self, *, sender: str = "") -> None:
        super().__init__(sender=sender)
        self.notify_url = os.environ.get("SMSAPI_NOTIFY_URL", "")

    def send(self, message: SmsMessage) -> str:
        idx = message.idx or (gateway_idx(None, message.key) if message.key else "")
        fields = self._common(idx, self.notify_url)
        return self._call(
            self.client.sms.send,
            idx,
            to=message.to.lstrip("+"),
            message=message.text,
            encoding="utf-8",
            **fields,
        )


class SmsapiVoiceTransport(_SmsapiBase):
    """Voice messages (VMS) through ``client.vms.send``: the gateway calls and plays the notice.

    ``SMSAPI_VMS_MODE=file`` (default) uploads the platform's own espeak-ng recording, in the
    subscriber's language; ``tts`` has the gateway read the Polish text itself (other languages
    still get the recording). Delivery reports come to ``SMSAPI_VMS_NOTIFY_URL``.
    """

    name = "smsapi-vms"

    def __init__(self, *, sender: str = "") -> None:
        super().__init__(sender=sender)
        self.notify_url = os.environ.get("SMSAPI_VMS_NOTIFY_URL", "")
        self.mode = os.environ.get("SMSAPI_VMS_MODE", "file")
        if self.mode not in ("file", "tts"):
            raise SmsapiConfigError(f"SMSAPI_VMS_MODE must be 'file' or 'tts', got {self.mode!r}")
        self.lector = os.environ.get("SMSAPI_VMS_LECTOR", "")

    def send(self, message: OutgoingMessage) -> str:  # type: ignore[override]
        idx = message.idx or (gateway_idx(None, message.key) if message.key else "")
        fields = self._common(idx, self.notify_url)
        if self.mode == "tts" and message.language == "pl" and message.text:
            fields["tts"] = message.text
            if self.lector:
                fields["tts_lector"] = self.lector
        else:
            if not message.audio_path or not os.path.isfile(message.audio_path):
                raise TransientSendError("the recording is not ready")
            fields["file"] = message.audio_path
        return self._call(self.client.vms.send, idx, to=message.to.lstrip("+"), **fields)

    def close(self) -> None:
        return None


def blacklist_add(phone: str) -> None:
    """Put a number on the gateway's blacklist (it then refuses every message to it)."""
    client = _SmsapiBase()
    try:
        client.client.blacklist.add_phone_number(phone_number=phone.lstrip("+"))
    except (SmsApiException, requests.RequestException) as exc:
        raise TransientSendError(f"SMSAPI blacklist: {exc}") from None


def blacklist_remove(phone: str) -> int:
    """Take a number off the gateway's blacklist; returns how many entries were removed."""
    client = _SmsapiBase()
    number = phone.lstrip("+")
    removed = 0
    try:
        for entry in client.client.blacklist.list_phone_numbers(q=number):
            if str(entry.phone_number) == number:
                client.client.blacklist.delete_phone_number(id=entry.id)
                removed += 1
    except (SmsApiException, requests.RequestException) as exc:
        raise TransientSendError(f"SMSAPI blacklist: {exc}") from None
    return removed


def blacklist_contains(phone: str) -> bool:
    number = phone.lstrip("+")
    client = _SmsapiBase()
    try:
        entries = list(client.client.blacklist.list_phone_numbers(q=number))
    except (SmsApiException, requests.RequestException) as exc:
        raise TransientSendError(f"SMSAPI blacklist: {exc}") from None
    return any(str(e.phone_number).lstrip("+") == number for e in entries)


@dataclass(frozen=True)
class BlacklistEntry:
    """One number on the gateway's blacklist, as the gateway lists it."""

    number: str  # digits, as listed: "48600100200", or "600100200" without the country code
    created_at: datetime | None
    expire_at: datetime | None


BLACKLIST_PAGE = 100
BLACKLIST_MAX_PAGES = 10_000


def blacklist_entries() -> list[BlacklistEntry]:
    """Every entry on the gateway's blacklist (``GET blacklist/phone_numbers``, page by page).

    Raises ``TransientSendError`` when the gateway cannot be read: then nothing is decided.
    """
    client = _SmsapiBase()
    entries: list[BlacklistEntry] = []
    try:
        for page_number in range(BLACKLIST_MAX_PAGES):
            page = client.client.blacklist.list_phone_numbers(
                offset=page_number * BLACKLIST_PAGE, limit=BLACKLIST_PAGE
            )
            listed = list(page)
            entries += [
                BlacklistEntry(
                    number="".join(c for c in str(e.phone_number or "") if c.isdigit()),
                    created_at=e.created_at or None,
                    expire_at=e.expire_at or None,
                )
                for e in listed
            ]
            total = page.size if isinstance(page.size, int) else None
            if len(listed) < BLACKLIST_PAGE or (total is not None and len(entries) >= total):
                break
    except (SmsApiException, requests.RequestException, ValueError) as exc:
        raise TransientSendError(f"SMSAPI blacklist: {exc}") from None
    return entries
