"""SMSAPI (smsapi.pl) gateway over its HTTP REST API, with the standard library only.

The official client ``smsapi-client`` is not a dependency of the project, so this backend speaks
the documented REST API directly: ``POST {SMSAPI_URL}sms.do`` with a bearer token, form fields
``to``, ``message``, ``from``, ``format=json``, ``encoding=utf-8`` and, for idempotency,
``idx`` (our key) with ``check_idx=1`` so that the gateway refuses a second message with the same
key. Configuration comes from environment variables, read when the backend is created:

``SMSAPI_TOKEN``       OAuth token from the SMSAPI panel (required)
``SMSAPI_URL``         API address, default ``https://api.smsapi.pl/`` (``.com`` for SMSAPI.com)
``SMSAPI_SENDER``      registered sender name (default: ``SMS_SENDER_NAME``)
``SMSAPI_NOTIFY_URL``  delivery-report callback address (default: none; reports then come from
                       the callback URL set in the SMSAPI panel)
``SMSAPI_TIMEOUT``     seconds, default 10
``SMSAPI_TEST``        ``1``: the gateway validates but does not send (no charge)
``SMSAPI_DUPLICATE_IDX_CODES``  error codes that mean "this idx was already accepted"
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from wspolnota.communication.transports.base import (
    PermanentSendError,
    SmsMessage,
    TransientSendError,
)

# Errors about the message itself: retrying the same message cannot help.
PERMANENT_ERROR_CODES = frozenset({8, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 26})


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


class SmsapiTransport:
    name = "smsapi"
    idempotent = True

    def __init__(self, *, sender: str = "") -> None:
        self.token = _env("SMSAPI_TOKEN")
        self.url = _env("SMSAPI_URL", "https://api.smsapi.pl/")
        if not self.url.endswith("/"):
            self.url += "/"
        if not self.url.startswith(("https://", "http://127.", "http://localhost")):
            raise SmsapiConfigError("SMSAPI_URL must be an https:// address")
        self.sender = os.environ.get("SMSAPI_SENDER") or sender
        self.notify_url = os.environ.get("SMSAPI_NOTIFY_URL", "")
        try:
            self.timeout = float(os.environ.get("SMSAPI_TIMEOUT", "10"))
        except ValueError:
            raise SmsapiConfigError("SMSAPI_TIMEOUT must be a number of seconds") from None
        self.test_mode = os.environ.get("SMSAPI_TEST", "") in ("1", "true", "yes")
        codes = os.environ.get("SMSAPI_DUPLICATE_IDX_CODES", "53")
        try:
            self.duplicate_codes = {int(c) for c in codes.split(",") if c.strip()}
        except ValueError:
            raise SmsapiConfigError("SMSAPI_DUPLICATE_IDX_CODES must be numbers, e.g. 53") from None

    def _post(self, path: str, fields: dict[str, str]) -> dict[str, Any]:
        body = urllib.parse.urlencode(fields).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            self.url + path,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "User-Agent": "wspolnota-smsapi/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            if exc.code >= 500 or exc.code == 429:
                raise TransientSendError(f"SMSAPI HTTP {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise TransientSendError(f"SMSAPI unreachable: {exc}") from None
        try:
            data: dict[str, Any] = json.loads(raw.decode("utf-8"))
        except ValueError:
            raise TransientSendError("SMSAPI answered with something that is not JSON") from None
        return data

    def send(self, message: SmsMessage) -> str:
        fields = {
            "to": message.to.lstrip("+"),
            "message": message.text,
            "format": "json",
            "encoding": "utf-8",
        }
        if self.sender:
            fields["from"] = self.sender
        if message.key:
            fields["idx"] = message.key
            fields["check_idx"] = "1"
        if self.notify_url:
            fields["notify_url"] = self.notify_url
        if self.test_mode:
            fields["test"] = "1"
        data = self._post("sms.do", fields)
        if "error" in data:
            code = int(data.get("error") or 0)
            text = str(data.get("message", ""))
            if code in self.duplicate_codes and message.key:
                return f"idx:{message.key}"
            if code in PERMANENT_ERROR_CODES:
                raise PermanentSendError(f"SMSAPI error {code}: {text}")
            raise TransientSendError(f"SMSAPI error {code}: {text}")
        items = data.get("list") or []
        if not items:
            raise TransientSendError("SMSAPI accepted nothing")
        return str(items[0].get("id", ""))
