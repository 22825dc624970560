from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "wspolnota.consultations"
    label = "consultations"
    verbose_name = _("Konsultacje społeczne")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("consultations:list", _("Konsultacje"))]
