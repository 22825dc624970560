import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.core.audit_anchor import generate_private_key_pem


class Command(BaseCommand):
    help = (
        "Create the key that signs the audit log's checkpoints: writes the private key to PATH "
        "(readable only by its owner; keep it off the database server and its backups) and "
        "prints the public key for AUDIT_CHECKPOINT_PUBLIC_KEY and for the auditors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="where to write the private key (must not exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        pem, public = generate_private_key_pem()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists: a key is never overwritten") from None
        except OSError as exc:
            raise CommandError(f"{path} cannot be written: {exc.strerror}") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        self.stdout.write(f"private key written to {path}")
        self.stdout.write(f"AUDIT_CHECKPOINT_KEY_FILE={path}")
        self.stdout.write(f"AUDIT_CHECKPOINT_PUBLIC_KEY={public}")
