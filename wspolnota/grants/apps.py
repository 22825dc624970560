from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "wspolnota.grants"
    label = "grants"
    verbose_name = _("Granty i inicjatywy lokalne")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("grants:index", _("Granty"))]
    # The strategy indicator "Liczba organizacji pozarządowych wnioskujących o wsparcie".
    indicator_providers = {
        "organizacje-wnioskujace": "wspolnota.grants.indicators.organisations_applying",
    }
