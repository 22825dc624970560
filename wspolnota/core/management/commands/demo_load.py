"""Load the demo content of every app: each app with a ``demo`` module adds its part.

The demo creates log-ins for every role, an administrator included, all with a password printed
in the README. It therefore runs only with WSPOLNOTA_ENV=demo; tests call the apps' ``demo.load``
functions directly.
"""

from importlib import import_module
from types import ModuleType
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from wspolnota.core.selectors import audit_log_verify, checkpoint_file
from wspolnota.core.services import audit_checkpoint_write


def demo_modules() -> list[ModuleType]:
    """Each platform app's ``demo`` module, in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("wspolnota."):
            continue
        try:
            modules.append(import_module(f"{config.name}.demo"))
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.demo":
                continue
            raise
    return modules


class Command(BaseCommand):
    help = (
        "Load Kraków demo data (idempotent): districts, users of every role with a public "
        "password, and each app's sample content. Only with WSPOLNOTA_ENV=demo."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.ENV != "demo":
            raise CommandError(
                f"demo_load runs only with WSPOLNOTA_ENV=demo (this is {settings.ENV}): it creates "
                "an administrator and other accounts whose password is public. For a real "
                "platform create the first administrator with 'manage.py createadmin'."
            )
        for module in demo_modules():
            with transaction.atomic():
                lines = module.load()
            for line in lines or []:
                self.stdout.write(line)
        self._checkpoint()

    def _checkpoint(self) -> None:
        """Anchor the demo's audit log as a deployment's would be (docs/audit.md)."""
        if settings.AUDIT_CHECKPOINT_KEY_FILE is None:
            self.stdout.write("Audit log: no checkpoint (AUDIT_CHECKPOINT_KEY_FILE is not set)")
            return
        path = checkpoint_file()
        if path.exists() and not audit_log_verify().ok:
            # The demo database was made afresh beside an older demo's checkpoints: keep those
            # apart rather than fail (a real deployment never does this: audit_checkpoint refuses).
            kept = path.with_name(f"checkpoints-{timezone.now():%Y%m%d-%H%M%S}.jsonl")
            path.rename(kept)
            self.stdout.write(
                f"Audit log: an older demo's checkpoints do not match; kept in {kept}"
            )
        result = audit_checkpoint_write(first=True)
        if result.checkpoint is None:
            problems = "; ".join(str(p) for p in result.verification.problems)
            raise CommandError(f"the demo's audit log failed verification: {problems}")
        self.stdout.write(
            f"Audit log: checkpoint {result.checkpoint.seq} signs entry "
            f"#{result.checkpoint.entry_id} in {checkpoint_file()}"
        )
