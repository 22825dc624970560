"""Time of the daily audit-log job: verify the chain against its checkpoints, then sign a new one.

Builds a throw-away test database (SQLite in memory by default; with ``DATABASE_URL`` set to
PostgreSQL, a ``bench_audit_<pid>`` database on that server, dropped at the end), appends
``--entries`` audit entries through ``audit_log_append`` (each with a before/after snapshot the
size of a typical official's change), writes ``--checkpoints`` checkpoints spread over them, then
times ``audit_log_verify`` (what ``manage.py audit_verify`` and the auditor's page run) and
``audit_checkpoint_write`` (the daily job, which verifies first).

Run: ``.venv/bin/python benchmarks/audit_verify.py [--entries 20000 --checkpoints 10]``. The last
line is ``RESULT entries=… verify_s=… per_10k_s=… checkpoint_s=… db=…``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("WSPOLNOTA_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wspolnota.test_settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--checkpoints", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from wspolnota.core import audit_anchor
    from wspolnota.core.selectors import audit_log_verify
    from wspolnota.core.services import audit_checkpoint_write, audit_log_append

    if connection.vendor != "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_audit_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    folder = tempfile.TemporaryDirectory()
    try:
        key_file = Path(folder.name) / "audit.pem"
        pem, public = audit_anchor.generate_private_key_pem()
        key_file.write_bytes(pem)
        settings.AUDIT_CHECKPOINT_KEY_FILE = key_file
        settings.AUDIT_CHECKPOINT_PUBLIC_KEY = public
        settings.AUDIT_CHECKPOINT_DIR = Path(folder.name) / "checkpoints"
        settings.AUDIT_CHECKPOINT_EMAILS = []

        every = max(1, args.entries // args.checkpoints)
        started = time.perf_counter()
        for i in range(args.entries):
            audit_log_append(
                actor=None,
                action="budget.project_status_changed",
                object_type="budget.project",
                object_id=str(i),
                before={"status": "submitted", "title": f"Projekt {i}", "cost": "125000.00"},
                after={"status": "verified", "title": f"Projekt {i}", "cost": "125000.00"},
                reason="Zgodny z regulaminem.",
            )
            if (i + 1) % every == 0:
                result = audit_checkpoint_write(first=True)
                assert result.checkpoint is not None, result.verification.problems
        filled = time.perf_counter() - started
        print(f"appended {args.entries} entries with checkpoints in {filled:.1f} s")

        started = time.perf_counter()
        report = audit_log_verify()
        verify_s = time.perf_counter() - started
        assert report.ok, report.problems
        print(f"verified {report.entries} entries and {report.checkpoints} checkpoints")

        started = time.perf_counter()
        result = audit_checkpoint_write()
        checkpoint_s = time.perf_counter() - started
        assert result.checkpoint is not None
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        folder.cleanup()
    per_10k = verify_s / report.entries * 10_000
    print(
        f"RESULT entries={report.entries} checkpoints={report.checkpoints} "
        f"verify_s={verify_s:.2f} per_10k_s={per_10k:.2f} checkpoint_s={checkpoint_s:.2f} "
        f"db={connection.vendor}"
    )


if __name__ == "__main__":
    main()
