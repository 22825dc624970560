from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "wspolnota.community"
    label = "community"
    verbose_name = _("Miejsca, wydarzenia i wolontariat")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = []
