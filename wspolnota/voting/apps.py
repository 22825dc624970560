from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VotingConfig(AppConfig):
    name = "wspolnota.voting"
    label = "voting"
    verbose_name = _("Głosowanie w budżecie obywatelskim")
    nav_items: list[tuple[str, object]] = [("voting:index", _("Głosowanie"))]
    indicator_providers = {"frekwencja-budzet-obywatelski": "wspolnota.voting.indicators.turnout"}
    # The project page's thread and the catalogue's stages (budget.thread).
    budget_project_thread = "wspolnota.voting.thread.project_steps"
    budget_project_stages = "wspolnota.voting.thread.edition_stages"
