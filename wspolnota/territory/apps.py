from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "wspolnota.territory"
    label = "territory"
    verbose_name = _("Terytorium")
    nav_items = [("territory:district_list", _("Dzielnice"))]
