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
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    key = record.get("key") or ""
    with _state_lock, path.open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            keys = _scan(handle, str(path))
            if key and key in keys:
                return False
            handle.seek(0, 2)
            handle.write(line)
            handle.flush()
            offset, _keys = _seen[str(path)]
            if key:
                keys.add(key)
            _seen[str(path)] = (offset + len(line), keys)
            return True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def spool_read(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
