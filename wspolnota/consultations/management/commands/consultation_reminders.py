from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from wspolnota.consultations.services import meeting_reminders_send


class Command(BaseCommand):
    help = "Send reminders for consultation meetings that start within 24 hours (run hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = meeting_reminders_send(now=timezone.now())
        self.stdout.write(f"reminders sent: {sent}")
