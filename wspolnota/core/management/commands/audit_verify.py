from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from wspolnota.core.selectors import audit_log_verify, checkpoint_file


class Command(BaseCommand):
    help = (
        "Check the audit log: every entry's hash and link, and every signed checkpoint (that the "
        "entry it signed is still there with the same hash and the same number of entries up "
        "to it). Exits 1 on any break, deleting the newest entries included (docs/audit.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            metavar="FILE",
            help="also check these copies of checkpoints (e.g. the ones mailed to the auditors)",
        )
        parser.add_argument(
            "--public-key",
            default=None,
            help="the public key to check signatures with (default AUDIT_CHECKPOINT_PUBLIC_KEY)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_log_verify(
            copies=[Path(p) for p in options["checkpoints"]], public_key=options["public_key"]
        )
        newest = report.newest
        self.stdout.write(
            f"{report.entries} entries (newest #{report.last_id}); "
            f"{report.checkpoints} checkpoints from {checkpoint_file()}"
            + "".join(f", {p}" for p in options["checkpoints"])
            + (
                f"; newest checkpoint {newest.seq} of {newest.created_at} signs entry "
                f"#{newest.entry_id}"
                if newest
                else ""
            )
        )
        if report.ok:
            self.stdout.write("OK: the chain is whole and agrees with every checkpoint")
            return
        with translation.override("en"):
            for problem in report.problems:
                self.stderr.write(f"BROKEN: {problem}")
        raise CommandError(f"the audit log failed verification ({len(report.problems)} problems)")
