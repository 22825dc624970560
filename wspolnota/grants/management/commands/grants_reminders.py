from typing import Any

from django.core.management.base import BaseCommand

from wspolnota.grants.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Enqueue the daily reminders of grants' deadlines (final reports, returns of funds, "
        "tranches, call deadlines); the worker sends them through the communication outbox. "
        "Run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = send_reminders.enqueue()
        self.stdout.write(f"grants reminders enqueued: {result.id}")
