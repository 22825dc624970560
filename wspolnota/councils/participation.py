"""Councils on the counter page (issue 17): a person's questions and motions, and where a clerk
may record a question for them (one that came on paper, by phone or at a counter)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wspolnota.councils import selectors


def taking_part(*, person: Any, at: datetime) -> list[dict[str, str]]:
    return [
        {
            "text": _("Pytanie do: %(body)s — „%(subject)s” (%(state)s)")
            % {
                "body": question.body.name,
                "subject": question.subject,
                "state": question.get_status_display(),
            },
            "url": reverse("councils:question_detail", args=[question.pk]),
        }
        for question in selectors.person_questions(person=person)
    ]


def actions(*, clerk: Any, person: Any, at: datetime) -> list[dict[str, str]]:
    on = timezone.localtime(at).date()
    return [
        {
            "text": _("Zapisz pytanie do: %(body)s") % {"body": body.name},
            "url": reverse("councils:question_for_person", args=[body.slug, person.pk]),
        }
        for body in selectors.bodies_to_record_for(clerk=clerk, on=on)
    ]
