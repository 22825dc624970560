from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "wspolnota.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring strategii")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("monitoring:dashboard", _("Strategia 2030"))]
    # Indicator providers this app ships (see providers.py); any app may declare its own.
    indicator_providers: dict[str, str] = {}
    # Read at start-up (core.apps.run_configuration_checks), so a bad value stops the process.
    configuration_checks = [
        "wspolnota.monitoring.conf.turnout_population_source",
        "wspolnota.monitoring.conf.trend_window",
    ]
