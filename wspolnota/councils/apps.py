from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    name = "wspolnota.councils"
    label = "councils"
    verbose_name = _("Rady dzielnic i ciała doradcze")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("councils:index", _("Rady i ciała doradcze"))]
