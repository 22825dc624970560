from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.core.errors import DomainError
from wspolnota.territory.models import City
from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load


class Command(BaseCommand):
    help = (
        "Load a city's address points from a CSV with a header: street (ulica), number (numer), "
        "postcode (kod_pocztowy, optional), latitude (szerokosc) and longitude (dlugosc) in WGS84. "
        "Without a file, Kraków's small sample shipped with the app (approximate positions)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=KRAKOW_ADDRESS_SAMPLE)
        parser.add_argument("--teryt", default="1261011", help="7-digit TERYT code of the city")

    def handle(self, *args: Any, **options: Any) -> None:
        city = City.objects.filter(teryt=options["teryt"]).first()
        if city is None:
            raise CommandError(
                f"No city with TERYT {options['teryt']}: run load_krakow or load_city first."
            )
        try:
            report = address_points_load(city=city, path=options["path"])
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
