"""Bring opt-outs made at the SMS gateway (its blacklist) into the subscriptions, in the background.

Run it from cron or a systemd timer (e.g. hourly): it enqueues ``sms_blacklist_pull`` for the task
worker; ``--now`` runs it here and prints how many subscriptions were unsubscribed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wspolnota.communication.tasks import sms_blacklist_pull


class Command(BaseCommand):
    help = "Unsubscribe the numbers on the SMS gateway's blacklist (background task)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="run here instead of enqueueing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            count = sms_blacklist_pull.call()
            self.stdout.write(f"unsubscribed={count}")
            return
        result = sms_blacklist_pull.enqueue()
        self.stdout.write(f"enqueued {result.id}")
