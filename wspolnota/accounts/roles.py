from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles beyond the resident that every signed-up user is.

    ``official`` is scoped to a city unit, ``district_councillor`` to a district; the others are
    city-wide. ``ngo_member`` links to an organisation once the registry exists (issue 7).
    """

    OFFICIAL = "official", _("urzędnik")
    MODERATOR = "moderator", _("moderator")
    DISTRICT_COUNCILLOR = "district_councillor", _("radny dzielnicy")
    NGO_MEMBER = "ngo_member", _("członek organizacji pozarządowej")
    AUDITOR = "auditor", _("audytor")
    ADMINISTRATOR = "administrator", _("administrator")
    # Works at a counter or on the city phone line of a city unit: finds or creates a person and
    # acts for them (issue 17). Scoped to the unit like an official.
    COUNTER_CLERK = "counter_clerk", _("pracownik okienka / infolinii")


# Roles whose holders act for the city: each of their state changes goes to the audit log.
OFFICIAL_ROLES = frozenset(
    {
        Role.OFFICIAL,
        Role.MODERATOR,
        Role.ADMINISTRATOR,
        Role.DISTRICT_COUNCILLOR,
        Role.COUNTER_CLERK,
    }
)
