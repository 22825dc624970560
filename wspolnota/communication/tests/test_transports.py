"""Transports: SMSAPI over HTTP (against a local fake), segments, voice, spool idempotency."""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.parse
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from wspolnota.communication.segments import count_segments, estimate_cost
from wspolnota.communication.transports import (
    FileSmsTransport,
    PermanentSendError,
    SmsapiTransport,
    SmsMessage,
    TransientSendError,
)
from wspolnota.communication.transports.sms_smsapi import SmsapiConfigError
from wspolnota.communication.transports.spool import spool_read


class FakeSmsapi(BaseHTTPRequestHandler):
    requests: list[dict] = []
    seen_idx: set[str] = set()
    answer: dict | None = None

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        fields = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        fields["_auth"] = self.headers["Authorization"]
        fields["_path"] = self.path
        FakeSmsapi.requests.append(fields)
        if FakeSmsapi.answer is not None:
            body = FakeSmsapi.answer
        elif fields.get("check_idx") == "1" and fields.get("idx") in FakeSmsapi.seen_idx:
            body = {"error": 53, "message": "Duplicated idx"}
        else:
            FakeSmsapi.seen_idx.add(fields.get("idx", ""))
            body = {
                "count": 1,
                "list": [
                    {
                        "id": f"msg-{len(FakeSmsapi.requests)}",
                        "points": 0.16,
                        "status": "QUEUE",
                        "parts": 1,
                    }
                ],
            }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        return


@pytest.fixture
def fake_smsapi(monkeypatch):
    FakeSmsapi.requests = []
    FakeSmsapi.seen_idx = set()
    FakeSmsapi.answer = None
    server = HTTPServer(("127.0.0.1", 0), FakeSmsapi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SMSAPI_TOKEN", "test-token")
    monkeypatch.setenv("SMSAPI_URL", f"http://127.0.0.1:{server.server_port}/")
    monkeypatch.setenv("SMSAPI_SENDER", "Krakow")
    yield FakeSmsapi
    server.shutdown()


def test_smsapi_sends_with_token_sender_and_idempotency_key(fake_smsapi):
    transport = SmsapiTransport(sender="Wspolnota")
    message_id = transport.send(SmsMessage(to="+48600100200", text="Zażółć", key="notice:1:sms:5"))
    assert message_id == "msg-1"
    sent = fake_smsapi.requests[0]
    assert sent["_path"] == "/sms.do" and sent["_auth"] == "Bearer test-token"
    assert sent["to"] == "48600100200" and sent["message"] == "Zażółć"
    assert sent["from"] == "Krakow" and sent["idx"] == "notice:1:sms:5" and sent["check_idx"] == "1"
    assert sent["format"] == "json" and sent["encoding"] == "utf-8"


def test_smsapi_treats_a_refused_duplicate_key_as_already_sent(fake_smsapi):
    transport = SmsapiTransport()
    transport.send(SmsMessage(to="+48600100200", text="A", key="k1"))
    assert transport.send(SmsMessage(to="+48600100200", text="A", key="k1")) == "idx:k1"


def test_smsapi_errors_are_permanent_or_worth_a_retry(fake_smsapi):
    transport = SmsapiTransport()
    fake_smsapi.answer = {"error": 13, "message": "No correct phone numbers"}
    with pytest.raises(PermanentSendError):
        transport.send(SmsMessage(to="+48600100200", text="A", key="k2"))
    fake_smsapi.answer = {"error": 103, "message": "Not enough points"}
    with pytest.raises(TransientSendError):
        transport.send(SmsMessage(to="+48600100200", text="A", key="k3"))


def test_smsapi_unreachable_is_transient(monkeypatch):
    monkeypatch.setenv("SMSAPI_TOKEN", "t")
    monkeypatch.setenv("SMSAPI_URL", "http://127.0.0.1:9/")
    with pytest.raises(TransientSendError):
        SmsapiTransport().send(SmsMessage(to="+48600100200", text="A"))


def test_smsapi_without_a_token_says_which_variable_is_missing(monkeypatch):
    monkeypatch.delenv("SMSAPI_TOKEN", raising=False)
    with pytest.raises(SmsapiConfigError, match="SMSAPI_TOKEN"):
        SmsapiTransport()


@pytest.mark.parametrize(
    ("text", "encoding", "segments"),
    [
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),
        ("€" * 81, "GSM-7", 2),
        ("ą" * 70, "UCS-2", 1),
        ("ą" * 71, "UCS-2", 2),
        ("Закриття" * 17, "UCS-2", 3),
        ("", "GSM-7", 0),
    ],
)
def test_sms_segments_follow_gsm7_and_ucs2_limits(text, encoding, segments):
    result = count_segments(text)
    assert (result.encoding, result.segments) == (encoding, segments)


def test_the_cost_estimate_is_exact_money():
    assert estimate_cost(segments=3, price_per_segment=Decimal("0.16")) == Decimal("0.48")


def test_the_file_backend_writes_each_key_once_even_from_a_new_process_state(tmp_path):
    from wspolnota.communication.transports import spool

    path = tmp_path / "sms.log"
    transport = FileSmsTransport(path=path, sender="W")
    transport.send(SmsMessage(to="+48600100200", text="A", key="k"))
    spool._seen.clear()  # as if another process, which has not read the file yet
    transport.send(SmsMessage(to="+48600100200", text="A", key="k"))
    transport.send(SmsMessage(to="+48600100200", text="B"))
    assert [r["text"] for r in spool_read(path)] == ["A", "B"]


def test_the_notice_is_spoken_to_a_wav_file_of_measured_length(tmp_path):
    from wspolnota.communication.transports.voice import synthesize

    for language, text in [
        ("pl", "Od poniedziałku ulica Długa będzie zamknięta."),
        ("uk", "З понеділка вулиця Довга буде закрита."),
        ("en", "From Monday Long Street will be closed."),
    ]:
        path = tmp_path / f"notice-{language}.wav"
        duration = synthesize(text=text, language=language, path=Path(path))
        assert path.read_bytes()[:4] == b"RIFF"
        assert Decimal("1.5") < duration < Decimal("10")
        # sox measures the samples themselves, apart from the header soxi reads.
        stat = subprocess.run(
            ["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True
        ).stderr
        length = next(line for line in stat.splitlines() if line.startswith("Length (seconds)"))
        assert abs(Decimal(length.split(":")[1].strip()) - duration) < Decimal("0.02")
        figures = dict(line.split(":", 1) for line in stat.splitlines() if ":" in line)
        assert Decimal(figures["Maximum amplitude"].strip()) > Decimal(
            "0.05"
        )  # speech, not silence
