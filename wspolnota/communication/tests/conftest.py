from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from wspolnota.communication.transports import memory_calls


@pytest.fixture(autouse=True)
def _clean_calls() -> Iterator[None]:
    memory_calls.clear()
    yield
    memory_calls.clear()


@pytest.fixture
def daytime(monkeypatch: Any) -> None:
    """Pin the clock-dependent quiet hours off, so tests do not depend on when they run."""
    from wspolnota.communication import delivery

    monkeypatch.setattr(delivery, "in_quiet_hours", lambda at, config=None: False)
