from wspolnota.territory.models import City
from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load, krakow_load


def load() -> list[str]:
    report = krakow_load()
    city = City.objects.get(teryt="1261011")
    return [report.summary(), address_points_load(city=city, path=KRAKOW_ADDRESS_SAMPLE).summary()]
