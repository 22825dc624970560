from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "wspolnota.organisations"
    label = "organisations"
    verbose_name = _("Organizacje i grupy")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("organisations:registry", _("Organizacje"))]
