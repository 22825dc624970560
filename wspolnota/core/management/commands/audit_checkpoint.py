from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from wspolnota.core.audit_anchor import AnchorKeyError
from wspolnota.core.services import audit_checkpoint_write


class Command(BaseCommand):
    help = (
        "Verify the audit log against its checkpoints, then sign its newest entry into a new "
        "checkpoint: appended to AUDIT_CHECKPOINT_DIR/checkpoints.jsonl and mailed to the "
        "auditors. Refuses, and alerts the auditors, if the log fails verification. Run daily "
        "(docs/audit.md); --first once, when the deployment starts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--first",
            action="store_true",
            help="start the checkpoint file if there is none (only the first time)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = audit_checkpoint_write(first=options["first"])
        except AnchorKeyError as exc:
            raise CommandError(str(exc)) from None
        with translation.override("en"):
            if result.checkpoint is None:
                for problem in result.verification.problems:
                    self.stderr.write(f"BROKEN: {problem}")
                raise CommandError(
                    "the audit log failed verification: no checkpoint was signed; the auditors "
                    "were alerted"
                )
            checkpoint = result.checkpoint
            self.stdout.write(
                f"checkpoint {checkpoint.seq}: entry #{checkpoint.entry_id}, "
                f"{checkpoint.count} entries, hash {checkpoint.entry_hash[:16]}…"
            )
