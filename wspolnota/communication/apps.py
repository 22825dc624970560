from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationConfig(AppConfig):
    name = "wspolnota.communication"
    label = "communication"
    verbose_name = _("Komunikacja")
    # Main-menu entries: [(url name, label)], shown once the URL exists.
    nav_items: list[tuple[str, object]] = [("communication:board", _("Ogłoszenia"))]
    # Read at start-up (core.apps.run_configuration_checks): quiet hours, rates, the SMS gateway.
    configuration_checks = [
        "wspolnota.communication.conf.get_config",
        "wspolnota.communication.transports.get_sms_transport",
    ]
