"""What a person takes part in at community places, for the counter page
(``core.participation``): activities, events, volunteering, and the link to sign them up."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from wspolnota.accounts.permissions import can_act_for_residents
from wspolnota.community import selectors
from wspolnota.core.participation import Action, Participation

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def taking_part(*, person: User, at: datetime | None = None) -> list[Participation]:
    app = _("Zajęcia, wydarzenia i wolontariat")
    taking_part = selectors.participation_of(person=person)
    found = [
        Participation(
            app=app,
            what=_("Zajęcia: %(title)s (%(place)s)")
            % {"title": signup.activity.title, "place": signup.activity.place.name},
            when=signup.created_at,
            status=signup.get_status_display(),
            url=reverse("community:activity_detail", args=[signup.activity_id]),
            channel=signup.get_channel_display(),
        )
        for signup in taking_part.signups
    ]
    found += [
        Participation(
            app=app,
            what=_("Wydarzenie: %(title)s") % {"title": registration.event.title},
            when=registration.event.starts_at,
            status=registration.get_status_display(),
            url=reverse("community:event_detail", args=[registration.event_id]),
            channel=registration.get_channel_display(),
        )
        for registration in taking_part.registrations
    ]
    found += [
        Participation(
            app=app,
            what=_("Wolontariat: %(title)s") % {"title": application.offer.title},
            when=application.created_at,
            status=application.get_status_display(),
            url=reverse("community:offer_detail", args=[application.offer_id]),
            channel=application.get_channel_display(),
        )
        for application in taking_part.applications
    ]
    return found


def actions(*, clerk: User, person: User, at: datetime | None = None) -> list[Action]:
    """Links to act for the person, for a clerk who may act for residents."""
    if not can_act_for_residents(clerk):
        return []
    return [
        Action(
            app=_("Zajęcia, wydarzenia i wolontariat"),
            label=_("Zapisz na zajęcia lub wydarzenie, zgłoś jako wolontariusza"),
            url=reverse("community:counter", args=[person.pk]),
        )
    ]
