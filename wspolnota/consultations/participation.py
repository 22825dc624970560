"""Consultations on the counter page (``core.participation``, issue 17): what a person takes
part in, and what a clerk may do for them here (a paper survey, a meeting, a remark)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from wspolnota.consultations import permissions, selectors
from wspolnota.core.participation import Action, Participation

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def taking_part(*, person: User, at: datetime) -> list[Participation]:
    """The person's remarks (with the answer once given), survey answers and meeting places."""
    app = _("Konsultacje")
    data = selectors.person_participation(person=person)
    found = [
        Participation(
            app=app,
            what=_("Uwaga do konsultacji „%(title)s”") % {"title": r.consultation.shown_title},
            when=r.received_on or r.created_at,
            status=r.get_disposition_display(),
            url=reverse("consultations:remarks", args=[r.consultation_id]),
            channel=r.get_channel_display(),
        )
        for r in data["remarks"]
    ]
    found += [
        Participation(
            app=app,
            what=_("Ankieta: %(title)s") % {"title": response.survey.title},
            when=response.created_at,
            url=reverse(
                "consultations:survey", args=[response.survey.consultation_id, response.survey_id]
            ),
            channel=response.get_channel_display(),
        )
        for response in data["responses"]
    ]
    found += [
        Participation(
            app=app,
            what=_("Spotkanie: %(title)s") % {"title": registration.meeting.title},
            when=registration.meeting.starts_at,
            status=_("odwołane") if registration.meeting.cancelled_at else "",
            url=reverse(
                "consultations:meeting",
                args=[registration.meeting.consultation_id, registration.meeting_id],
            ),
            channel=registration.get_channel_display(),
        )
        for registration in data["registrations"]
    ]
    return found


def actions(*, clerk: User, person: User, at: datetime) -> list[Action]:
    """A link to act for the person in each consultation the clerk may act in."""
    app = _("Konsultacje")
    return [
        Action(
            app=app,
            label=_("Konsultacje „%(title)s”: ankieta, spotkanie, uwaga")
            % {"title": consultation.shown_title},
            url=reverse("consultations:person_act", args=[consultation.pk, person.pk]),
        )
        for consultation in selectors.consultations_to_act_in(clerk=clerk, at=at)
        if permissions.can_act_for_person(clerk, consultation)
    ]
