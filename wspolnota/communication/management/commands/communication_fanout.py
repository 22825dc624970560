"""Fan a published notice out to its subscribers again (idempotent) and enqueue delivery."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wspolnota.communication.tasks import notice_fan_out


class Command(BaseCommand):
    help = "Create the outbox rows of a published notice (safe to repeat) and start delivery"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("notice_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        result = notice_fan_out.enqueue(notice_id=options["notice_id"])
        self.stdout.write(f"enqueued {result.id}")
