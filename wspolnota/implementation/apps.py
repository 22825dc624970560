from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    name = "wspolnota.implementation"
    label = "implementation"
    verbose_name = _("Realizacja projektów budżetu obywatelskiego")
    nav_items: list[tuple[str, object]] = [("implementation:index", _("Realizacja projektów"))]
