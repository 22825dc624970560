"""A council question keyed from paper counts its answer deadline from the day it arrived, not
the day a clerk keyed it (issue 17, gap): a letter that waited a week in the in-tray must not
buy the council a week.

The received date is checked like a consultation remark's: not in the future, not before the
council's term.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wspolnota.core.onbehalf import Channel, OnBehalf
from wspolnota.councils import services
from wspolnota.councils.errors import CouncilsError
from wspolnota.councils.models import QuestionKind
from wspolnota.councils.tests.factories import council_with_members
from wspolnota.tests_support.scopes import kept_person

pytestmark = pytest.mark.django_db


def _ask(person, body, clerk, **extra):  # type: ignore[no-untyped-def]
    return services.question_ask(
        user=person,
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Oświetlenie parku",
        text="Kiedy w parku pojawią się latarnie?",
        is_public=True,
        on_behalf=OnBehalf(clerk=clerk, channel=Channel.POST),
        **extra,
    )


def test_the_deadline_runs_from_the_day_the_letter_arrived(krakow, district_councillor):
    body, _term, _members = council_with_members(krakow[1])
    arrived = timezone.localdate() - timedelta(days=9)
    question = _ask(kept_person(), body, district_councillor, received_on=arrived)
    assert question.received_on == arrived
    assert question.answer_due_on == arrived + timedelta(days=body.answer_days)


@pytest.mark.parametrize(
    "received_on",
    [timezone.localdate() + timedelta(days=1), date(2024, 5, 31), date(2001, 1, 1)],
)
def test_a_received_date_in_the_future_or_before_the_term_is_refused(
    krakow, district_councillor, received_on
):
    body, term, _members = council_with_members(krakow[1])
    assert term.starts_on == date(2024, 6, 1)
    with pytest.raises(CouncilsError):
        _ask(kept_person(), body, district_councillor, received_on=received_on)


def test_an_online_question_is_received_the_day_it_is_asked(krakow, resident):
    body, _term, _members = council_with_members(krakow[1])
    resident.district = krakow[1]
    resident.save()
    question = services.question_ask(
        user=resident,
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Ławki",
        text="Czy w parku staną nowe ławki?",
        is_public=True,
    )
    assert question.received_on == timezone.localdate()
    assert question.answer_due_on == timezone.localdate() + timedelta(days=body.answer_days)
