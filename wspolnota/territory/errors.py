from django.utils.translation import gettext_lazy as _

from wspolnota.core.errors import DomainError


class TerritoryError(DomainError):
    default_code = "territory_error"


OUTSIDE_CITY = _("Ten punkt leży poza granicami miasta %(city)s.")
