"""The person's consents, for the counter page (``core.participation``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from wspolnota.core.onbehalf import Channel
from wspolnota.core.participation import Participation

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def taking_part(*, person: User, at: datetime) -> list[Participation]:
    return [
        Participation(
            app=_("Zgody"),
            what=consent.get_purpose_display(),
            when=consent.given_at,
            status=_("wycofana") if consent.withdrawn_at else _("udzielona"),
            channel=str(Channel(consent.channel).label),
        )
        for consent in person.consents.all()
    ]
