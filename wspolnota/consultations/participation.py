"""Consultations on the counter page (issue 17): what a person takes part in, and what a clerk
may do for them here (answer a survey from paper, register for a meeting, enter a remark)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from wspolnota.consultations import permissions, selectors


def taking_part(*, person: Any, at: datetime) -> list[dict[str, str]]:
    """The person's remarks (with the answer once given), survey answers and meeting places."""
    data = selectors.person_participation(person=person)
    rows: list[dict[str, str]] = []
    for remark in data["remarks"]:
        rows.append(
            {
                "text": _("Uwaga do konsultacji „%(title)s” (%(state)s)")
                % {
                    "title": remark.consultation.shown_title,
                    "state": remark.get_disposition_display(),
                },
                "url": reverse("consultations:remarks", args=[remark.consultation_id]),
            }
        )
    for response in data["responses"]:
        rows.append(
            {
                "text": _("Ankieta „%(title)s” wypełniona %(when)s")
                % {
                    "title": response.survey.title,
                    "when": response.created_at.strftime("%d.%m.%Y"),
                },
                "url": reverse(
                    "consultations:survey",
                    args=[response.survey.consultation_id, response.survey_id],
                ),
            }
        )
    for registration in data["registrations"]:
        meeting = registration.meeting
        rows.append(
            {
                "text": _("Zapis na spotkanie „%(title)s”, %(when)s")
                % {
                    "title": meeting.title,
                    "when": meeting.starts_at.strftime("%d.%m.%Y %H:%M"),
                },
                "url": reverse("consultations:meeting", args=[meeting.consultation_id, meeting.pk]),
            }
        )
    return rows


def actions(*, clerk: Any, person: Any, at: datetime) -> list[dict[str, str]]:
    """Links to act for the person in each consultation the clerk may act in."""
    return [
        {
            "text": _("Konsultacje „%(title)s”: ankieta, spotkanie, uwaga")
            % {"title": consultation.shown_title},
            "url": reverse("consultations:person_act", args=[consultation.pk, person.pk]),
        }
        for consultation in selectors.consultations_to_act_in(clerk=clerk, at=at)
        if permissions.can_act_for_person(clerk, consultation)
    ]
