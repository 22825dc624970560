"""Transports: segments, voice, spool idempotency (SMSAPI: test_smsapi_gateway.py)."""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from wspolnota.communication.segments import count_segments, estimate_cost
from wspolnota.communication.transports import FileSmsTransport, SmsMessage
from wspolnota.communication.transports.spool import spool_read


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
