from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetConfig(AppConfig):
    name = "wspolnota.budget"
    label = "budget"
    verbose_name = _("Budżet obywatelski")
    nav_items: list[tuple[str, object]] = [("budget:index", _("Budżet obywatelski"))]
