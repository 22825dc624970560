"""A local stand-in for the SMSAPI gateway, speaking its documented requests and answers.

``POST /sms.do`` and ``POST /vms.do`` (form fields, ``format=json``; a voice message may carry its
recording as a multipart ``file``) answer ``{"count": 1, "list": [{"id", "points", "number",
"date_sent", "submitted_number", "status": "QUEUE", "error": null, "idx"}]}``; an error is
``{"error": <code>, "message": "…"}`` with HTTP 200, among them 53 for an ``idx`` already accepted
with ``check_idx=1``. ``idx`` holds letters and digits only, at most 255 of them. The blacklist is
``/blacklist/phone_numbers`` (GET lists ``{"size", "collection"}`` a page at a time by
``offset`` and ``limit``, each entry ``{"id", "phone_number", "expire_at", "created_at"}`` with
ISO 8601 dates, a Polish number possibly without its country code; POST adds, DELETE ``/{id}``
removes). The server runs in a thread of the test; a test can make it answer with an error, an
HTTP status, or hold the answer until the client has given up (a timeout).
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
import uuid
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

IDX_RULE = re.compile(r"^[0-9A-Za-z]{1,255}$")


class Gateway:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.accepted_idx: set[str] = set()
        self.sent: list[dict[str, Any]] = []
        self.blacklist: dict[str, str] = {}
        # created_at / expire_at of each blacklist entry, ISO 8601 as the gateway writes them
        self.blacklist_dates: dict[str, tuple[str | None, str | None]] = {}
        self.answer: dict[str, Any] | None = None
        self.http_status: int | None = None
        self.hold: threading.Event | None = None  # set: answer; unset: hang until released
        self.accept_while_holding = True
        self.lock = threading.Lock()

    def blacklist_add(
        self, number: str, *, created_at: str | None = None, expire_at: str | None = None
    ) -> str:
        """An entry made at the gateway, not by the platform (its panel, its own STOP)."""
        entry_id = uuid.uuid4().hex[:24]
        with self.lock:
            self.blacklist[entry_id] = number
            self.blacklist_dates[entry_id] = (created_at or _now_iso(), expire_at)
        return entry_id

    def release(self) -> None:
        if self.hold is not None:
            self.hold.set()


class _Handler(BaseHTTPRequestHandler):
    gateway: Gateway

    def _fields(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        kind = self.headers.get("Content-Type", "")
        if kind.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {kind}\r\n\r\n".encode() + raw
            )
            fields: dict[str, Any] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                fields[name] = payload if part.get_filename() else payload.decode()
            return fields
        return dict(urllib.parse.parse_qsl(raw.decode()))

    def _reply(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        gw = self.gateway
        fields = self._fields()
        fields["_path"] = self.path.split("?")[0]
        fields["_auth"] = self.headers.get("Authorization", "")
        with gw.lock:
            gw.requests.append(fields)
        if fields["_path"] == "/blacklist/phone_numbers":
            entry_id = uuid.uuid4().hex[:24]
            with gw.lock:
                gw.blacklist[entry_id] = fields.get("phone_number", "")
                gw.blacklist_dates[entry_id] = (_now_iso(), fields.get("expire_at"))
            self._reply({"id": entry_id, "phone_number": fields.get("phone_number")}, 201)
            return
        hold = gw.hold
        if hold is not None and not hold.is_set():
            # The gateway takes the message, but its answer never reaches the client in time.
            if gw.accept_while_holding:
                self._accept(fields)
            hold.wait(10)
            return
        if gw.http_status is not None:
            self._reply({"message": "Internal error"}, gw.http_status)
            return
        if gw.answer is not None:
            self._reply(gw.answer)
            return
        idx = fields.get("idx", "")
        if idx and not IDX_RULE.match(idx):
            self._reply({"error": 13, "message": "Invalid idx"})
            return
        with gw.lock:
            duplicate = bool(idx) and fields.get("check_idx") == "1" and idx in gw.accepted_idx
        if duplicate:
            self._reply({"error": 53, "message": "Not unique idx"})
            return
        self._reply(self._accept(fields))

    def _accept(self, fields: dict[str, Any]) -> dict[str, Any]:
        gw = self.gateway
        number = str(fields.get("to", ""))
        with gw.lock:
            if fields.get("idx"):
                gw.accepted_idx.add(fields["idx"])
            gw.sent.append(fields)
            message_id = f"{len(gw.sent):024d}"
        return {
            "count": 1,
            "list": [
                {
                    "id": message_id,
                    "points": 0.16,
                    "number": number,
                    "date_sent": 1733500000,
                    "submitted_number": number,
                    "status": "QUEUE",
                    "error": None,
                    "idx": fields.get("idx"),
                }
            ],
        }

    def do_GET(self) -> None:
        gw = self.gateway
        path, _sep, query = self.path.partition("?")
        params = dict(urllib.parse.parse_qsl(query))
        with gw.lock:
            gw.requests.append({"_path": path, "_method": "GET", **params})
            entries = [
                {
                    "id": k,
                    "phone_number": v,
                    "created_at": gw.blacklist_dates.get(k, (None, None))[0],
                    "expire_at": gw.blacklist_dates.get(k, (None, None))[1],
                }
                for k, v in gw.blacklist.items()
                if not params.get("q") or params["q"] in v
            ]
        if gw.http_status is not None:
            self._reply({"message": "Internal error"}, gw.http_status)
            return
        # The list is paged: ``offset`` and ``limit`` (the gateway's default page is 100);
        # ``size`` is the number of all matching entries.
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        self._reply({"size": len(entries), "collection": entries[offset : offset + limit]})

    def do_DELETE(self) -> None:
        gw = self.gateway
        entry_id = self.path.rsplit("/", 1)[-1]
        with gw.lock:
            gw.requests.append({"_path": self.path, "_method": "DELETE"})
            gw.blacklist.pop(entry_id, None)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def start(monkeypatch: Any) -> tuple[Gateway, ThreadingHTTPServer]:
    gateway = Gateway()
    handler = type("Handler", (_Handler,), {"gateway": gateway})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SMSAPI_TOKEN", "test-token")
    monkeypatch.setenv("SMSAPI_URL", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setenv("SMSAPI_SENDER", "Krakow")
    monkeypatch.setenv("SMSAPI_TIMEOUT", "0.5")
    return gateway, server
