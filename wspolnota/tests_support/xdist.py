"""Keeping parallel test workers (pytest-xdist) out of each other's way.

``./wsp test`` runs the suite in several worker processes. Each worker already gets its own
database (pytest-django adds the worker's name to the test database's: ``test_wspolnota_gw0``),
its own Chromium (a session fixture, with Playwright's fresh profile folder), its own live-server
port (the OS picks a free one) and its own ``tmp_path``. What is left are the shared services the
tests reach by address: Redis. Worker ``gwK`` uses Redis database ``N + K`` where
``REDIS_TEST_URL`` names database ``N`` (CI gives 14, so two workers use 14 and 15), because the
tests empty their database and RQ's queue names are fixed.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # Redis's default number of databases


def worker_index() -> int:
    """0 for the first xdist worker (``gw0``) and for a run without xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


def per_worker_redis_url(url: str, index: int) -> str:
    """``redis://host:port/N`` → the same server, database ``N + index``."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + index
    if database >= REDIS_DATABASES:
        raise ValueError(
            f"REDIS_TEST_URL names database {base}; worker {index} would need database {database}, "
            f"but Redis has {REDIS_DATABASES} (0-{REDIS_DATABASES - 1}). Give a lower database "
            "number or fewer workers (-n)."
        )
    return urlunsplit(parts._replace(path=f"/{database}"))
