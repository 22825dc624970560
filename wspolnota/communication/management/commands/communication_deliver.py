"""Drain the outbox now: requeue what dead workers left, send what is due.

Run it from cron or a systemd timer (e.g. every minute) as a safety net next to the task worker,
and at 8:00 when SMS held back by quiet hours become due.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wspolnota.communication import delivery


class Command(BaseCommand):
    help = "Send due messages from the communication outbox"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--time-budget", type=float, default=300.0)

    def handle(self, *args: Any, **options: Any) -> None:
        stats = delivery.deliver_pending(time_budget=options["time_budget"])
        self.stdout.write(
            f"sent={stats.sent} retried={stats.retried} failed={stats.failed} "
            f"cancelled={stats.cancelled}"
        )
