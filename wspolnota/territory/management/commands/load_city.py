from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wspolnota.core.errors import DomainError
from wspolnota.territory.services import city_load


class Command(BaseCommand):
    help = (
        "Load a city and its districts from a GeoJSON FeatureCollection and a CSV table "
        "(number,name,area_km2,population,population_date,population_source)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="City name, e.g. Kraków")
        parser.add_argument("--teryt", required=True, help="7-digit TERYT code of the city")
        parser.add_argument("--geojson", required=True, type=Path)
        parser.add_argument(
            "--attributes", required=True, type=Path, help="CSV with the district table"
        )
        parser.add_argument(
            "--number-property",
            default="cartodb_id",
            help="feature property with the district number",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = city_load(
                name=options["name"],
                teryt=options["teryt"],
                geojson_path=options["geojson"],
                attributes_path=options["attributes"],
                number_property=options["number_property"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(report.summary()))
