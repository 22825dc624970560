"""A JSON-lines spool file shared by processes, that writes each key at most once.

The file is the hand-over point to another system (the SMS log in development, the call list of
the city's phone line). Writers take an exclusive ``flock``, read whatever other processes
appended since their last look, and skip a key already present, so a retried or re-claimed
message is never written twice, even when the first writer died right after writing.
"""

from __future__ import annotations

import fcntl
import json
import threading
from pathlib import Path
from typing import Any

_state_lock = threading.Lock()
# path -> (bytes already scanned, keys seen in them)
_seen: dict[str, tuple[int, set[str]]] = {}


def _scan(handle: Any, path: str) -> set[str]:
    offset, keys = _seen.get(path, (0, set()))
    size = handle.seek(0, 2)
    if size < offset:  # the file was rotated or truncated: start again
        offset, keys = 0, set()
    handle.seek(offset)
    data = handle.read()
    complete = data.rfind(b"\n") + 1
    for raw in data[:complete].splitlines():
        try:
            key = json.loads(raw).get("key")
        except ValueError:
            continue
        if key:
            keys.add(key)
    _seen[path] = (offset + complete, keys)
    return keys


def spool_append(path: Path, record: dict[str, Any]) -> bool:
    """Append ``record`` unless its ``key`` was written before; True when written."""
    return spool_append_many(path, [record])[0]


def spool_append_many(path: Path, records: list[dict[str, Any]]) -> list[bool]:
    """Append the records whose ``key`` was not written before, under one lock and one write.

    Returns, per record, whether it was written (False: the key was already in the file, or
    appeared earlier in this batch).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    written: list[bool] = []
    lines: list[bytes] = []
    with _state_lock, path.open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            keys = _scan(handle, str(path))
            for record in records:
                key = record.get("key") or ""
                if key and key in keys:
                    written.append(False)
                    continue
                if key:
                    keys.add(key)
                lines.append((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
                written.append(True)
            data = b"".join(lines)
            if data:
                handle.seek(0, 2)
                handle.write(data)
                handle.flush()
            offset, _keys = _seen[str(path)]
            _seen[str(path)] = (offset + len(data), keys)
            return written
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def spool_read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
