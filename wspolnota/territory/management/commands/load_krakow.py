from typing import Any

from django.core.management.base import BaseCommand

from wspolnota.territory.services import krakow_load


class Command(BaseCommand):
    help = "Load Kraków (TERYT 1261011) and its 18 districts from the files shipped with the app."

    def handle(self, *args: Any, **options: Any) -> None:
        report = krakow_load()
        self.stdout.write(self.style.SUCCESS(report.summary()))
