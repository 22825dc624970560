from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "wspolnota.community"
    label = "community"
    verbose_name = _("Miejsca, wydarzenia i wolontariat")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("community:index", _("Miejsca i wydarzenia"))]
    # The strategy indicator "Liczba Centrów Aktywności Seniora", for the monitoring app.
    indicator_providers = {
        "centra-aktywnosci-seniora": "wspolnota.community.indicators.senior_centres",
    }
    # The person's registrations, bookings and volunteering, for their GDPR data export.
    personal_data_exporters = {"community": "wspolnota.community.personal_data.export"}
