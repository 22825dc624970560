from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "wspolnota.communication"
    label = "communication"
    verbose_name = _("Komunikacja")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("communication:board", _("Ogłoszenia"))]
