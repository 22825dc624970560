"""What a person files with the grants office, for the counter page (``core.participation``):
the applicants they represent, their applications and remarks, and the links to key in what
they bring on paper (issue 17)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from wspolnota.accounts.permissions import can_act_for_residents
from wspolnota.core.participation import Action, Participation
from wspolnota.grants import selectors
from wspolnota.grants.models import Remark
from wspolnota.organisations.selectors import organisations_acting_for

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def taking_part(*, person: User, at: datetime | None = None) -> list[Participation]:
    app = _("Dotacje i inicjatywy")
    found = [
        Participation(
            app=app,
            what=_("Wnioskodawca: %(name)s") % {"name": organisation.name},
            when=organisation.created_at,
            status=organisation.get_status_display(),
            url=reverse("organisations:detail", args=[organisation.pk]),
            channel=organisation.get_channel_display(),
        )
        for organisation in organisations_acting_for(user=person)
    ]
    found += [
        Participation(
            app=app,
            what=_("Wniosek: %(title)s (%(call)s)")
            % {"title": application.title, "call": application.call.title},
            when=application.submitted_at or application.received_at or application.created_at,
            status=application.get_status_display(),
            url=reverse("grants:counter", args=[person.pk]),
            channel=application.get_channel_display(),
        )
        for application in selectors.applications_of_person(person=person)
    ]
    found += [
        Participation(
            app=app,
            what=_("Uwaga do oferty: %(title)s") % {"title": remark.application.title},
            when=remark.received_at or remark.created_at,
            url=reverse("grants:remarks_detail", args=[remark.application_id]),
            channel=remark.get_channel_display(),
        )
        for remark in Remark.objects.filter(author=person)
        .select_related("application")
        .order_by("-created_at")[:20]
    ]
    return found


def actions(*, clerk: User, person: User, at: datetime | None = None) -> list[Action]:
    """Links to act for the person, for a clerk who may act for residents."""
    if not can_act_for_residents(clerk):
        return []
    app = _("Dotacje i inicjatywy")
    return [
        Action(
            app=app,
            label=_("Wprowadź wniosek papierowy lub uwagę do oferty"),
            url=reverse("grants:counter", args=[person.pk]),
        ),
        Action(
            app=app,
            label=_("Zarejestruj wnioskodawcę w imieniu osoby"),
            url=reverse("organisations:register") + f"?osoba={person.pk}",
        ),
    ]
