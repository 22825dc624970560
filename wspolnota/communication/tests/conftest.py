from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as time_of_day
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from wspolnota.communication.transports import memory_calls

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture(autouse=True)
def _clean_calls() -> Iterator[None]:
    memory_calls.clear()
    yield
    memory_calls.clear()


@pytest.fixture
def daytime(request: Any, monkeypatch: Any) -> None:
    """Pin the clock-dependent quiet hours off, so tests do not depend on when they run.

    Quiet hours are decided twice: when a message is queued (an ordinary SMS queued in the evening
    is due at 8:00) and when the worker claims it. So this fixture must be in place before any
    message is queued: a fixture that queues messages requests ``daytime`` itself. One set up too
    late made tests pass by day and fail every evening; it now fails at once, at any hour.
    """
    from wspolnota.communication import delivery

    monkeypatch.setattr(delivery, "in_quiet_hours", lambda at, config=None: False)
    names = set(request.fixturenames)
    uses_db = request.node.get_closest_marker("django_db") is not None
    for database in ("transactional_db", "db"):
        if not uses_db and database in names:
            request.getfixturevalue(database)
            uses_db = True
    if uses_db:
        from wspolnota.communication.models import OutboxMessage

        if OutboxMessage.objects.exists():
            pytest.fail(
                "the 'daytime' fixture was set up after messages were queued (their send time "
                "already obeyed the real quiet hours): request it before the fixture that queues "
                "them"
            )


class Clock:
    """The platform's clock, started at a given moment and ticking from there; ``advance`` jumps."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self._at = start.astimezone(UTC)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._at + timedelta(seconds=time.monotonic() - self._origin)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


@pytest.fixture
def warsaw_clock(request: Any, monkeypatch: Any) -> Clock:
    """The platform's clock set to ``request.param`` ("HH:MM", Warsaw time, on a December day).

    Parametrise indirectly and list it first, so that it is in place before anything is queued.
    Every time read of the communication app goes through ``django.utils.timezone.now``.
    """
    hour, minute = (int(part) for part in request.param.split(":"))
    clock = Clock(datetime.combine(date(2026, 12, 7), time_of_day(hour, minute), tzinfo=WARSAW))
    monkeypatch.setattr(timezone, "now", clock.now)
    return clock
