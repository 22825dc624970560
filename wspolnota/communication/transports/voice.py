"""Voice: the notice read by espeak-ng, and calls handed to the city's phone line.

``synthesize`` turns text into a WAV file (espeak-ng voices ``pl``, ``uk``, ``en``) and measures
its length with sox. The ``file`` backend writes one JSON line per call to ``VOICE_FILE_PATH``,
the hand-over point that the phone system (e.g. an Asterisk dialler) reads; each key is written
once. The ``memory`` backend keeps calls in a list for tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import uuid
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from wspolnota.communication.transports.base import OutgoingMessage, PermanentSendError
from wspolnota.communication.transports.spool import spool_append_many

ESPEAK_VOICES = {"pl": "pl", "en": "en-gb", "uk": "uk"}


class VoiceToolMissing(RuntimeError):
    pass


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        raise VoiceToolMissing(f"{name} is not installed (Debian package {package})")
    return path


def synthesize(*, text: str, language: str, path: Path, words_per_minute: int = 150) -> Decimal:
    """Speak ``text`` to a WAV file at ``path``; return its duration in seconds (sox)."""
    espeak = _tool("espeak-ng", "espeak-ng")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Each render writes its own temporary file in the same folder and renames it into place
    # (atomic): renders of the same notice at the same time never share or half-read a file.
    handle, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".partial.wav", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    try:
        subprocess.run(
            [
                espeak,
                "-v",
                ESPEAK_VOICES.get(language, "pl"),
                "-s",
                str(words_per_minute),
                "-w",
                str(partial),
                "--stdin",
            ],
            input=text.encode("utf-8"),
            check=True,
            capture_output=True,
            timeout=120,
        )
        duration = audio_duration(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return duration


def audio_duration(path: Path) -> Decimal:
    soxi = _tool("soxi", "sox")
    result = subprocess.run(
        [soxi, "-D", str(path)], check=True, capture_output=True, text=True, timeout=30
    )
    return Decimal(result.stdout.strip()).quantize(Decimal("0.01"))


memory_calls: list[OutgoingMessage] = []
_lock = threading.Lock()


class MemoryVoiceTransport:
    name = "voice-memory"
    idempotent = True

    def send(self, message: OutgoingMessage) -> str:
        if not message.audio_path:
            raise PermanentSendError("no recording for this notice and language")
        with _lock:
            if not any(m.key == message.key for m in memory_calls):
                memory_calls.append(message)
        return message.key or uuid.uuid4().hex

    def close(self) -> None:
        return None


class FileVoiceTransport:
    name = "voice-file"
    idempotent = True

    def __init__(self, *, path: Path) -> None:
        self.path = path

    def send(self, message: OutgoingMessage) -> str:
        result = self.send_many([message])[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def send_many(self, messages: list[OutgoingMessage]) -> list[str | BaseException]:
        """Write a batch of calls under one lock; keys already in the call list are skipped."""
        at = timezone.now().isoformat()
        results: list[str | BaseException] = []
        records = []
        for message in messages:
            if not message.audio_path:
                results.append(PermanentSendError("no recording for this notice and language"))
                continue
            results.append(message.key)
            records.append(
                {
                    "key": message.key,
                    "at": at,
                    "to": message.to,
                    "audio": message.audio_path,
                    "language": message.language,
                    "text": message.text,
                }
            )
        spool_append_many(self.path, records)
        return results

    def close(self) -> None:
        return None
