from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    name = "wspolnota.implementation"
    label = "implementation"
    verbose_name = _("Realizacja projektów budżetu obywatelskiego")
    nav_items: list[tuple[str, object]] = [("implementation:index", _("Realizacja projektów"))]
    # The project page's thread and the catalogue's stages (budget.thread).
    budget_project_thread = "wspolnota.implementation.thread.project_steps"
    budget_project_stages = "wspolnota.implementation.thread.edition_stages"
