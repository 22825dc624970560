from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolsConfig(AppConfig):
    name = "wspolnota.schools"
    label = "schools"
    verbose_name = _("Szkolny budżet obywatelski")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("schools:index", _("Budżet w szkole"))]
