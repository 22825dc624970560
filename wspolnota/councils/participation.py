"""Councils on the counter page (``core.participation``, issue 17): a person's questions and
motions, and where a clerk may record a question for them (one that came on paper, by phone or
at a counter)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wspolnota.core.participation import Action, Participation
from wspolnota.councils import selectors

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def taking_part(*, person: User, at: datetime) -> list[Participation]:
    return [
        Participation(
            app=_("Rady i ciała doradcze"),
            what=_("Pytanie do: %(body)s — „%(subject)s”")
            % {"body": question.body.name, "subject": question.subject},
            when=question.created_at,
            status=question.get_status_display(),
            url=reverse("councils:question_detail", args=[question.pk]),
            channel=question.get_channel_display(),
        )
        for question in selectors.person_questions(person=person)
    ]


def actions(*, clerk: User, person: User, at: datetime) -> list[Action]:
    return [
        Action(
            app=_("Rady i ciała doradcze"),
            label=_("Zapisz pytanie do: %(body)s") % {"body": body.name},
            url=reverse("councils:question_for_person", args=[body.slug, person.pk]),
        )
        for body in selectors.bodies_to_record_for(clerk=clerk, on=timezone.localdate(at))
    ]
