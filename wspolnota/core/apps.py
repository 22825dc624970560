from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wspolnota.core"
    label = "core"
    verbose_name = _("Rdzeń platformy")

    def ready(self) -> None:
        from wspolnota.core import lookups

        lookups.register()
        run_configuration_checks()
        from wspolnota.core.personaldata import load_app_modules

        load_app_modules()  # every app's personaldata.py declares what it holds about a person


def run_configuration_checks() -> None:
    """Read every app's own settings once when the process starts, so a bad value stops it.

    An app lists callables in ``configuration_checks`` on its AppConfig (dotted paths, like
    ``nav_items``); each reads and parses its settings and raises an error naming the variable.
    Settings of the project itself are checked as ``wspolnota/settings.py`` is read.
    """
    for config in apps.get_app_configs():
        for path in getattr(config, "configuration_checks", ()):
            module_path, _sep, name = path.rpartition(".")
            getattr(import_module(module_path), name)()
