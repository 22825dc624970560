from wspolnota.territory.services import krakow_load


def load() -> list[str]:
    return [krakow_load().summary()]
