"""On PostgreSQL: two pupils typing the same class code at the same moment give one answer. The
rule is kept by the lock on the code's row (``schools.codes``: ``SELECT … FOR UPDATE``); the
test holds both answers open after their checks, so without the lock both would be written —
and its twin below proves it by taking the lock away."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from wspolnota.consultations import class_codes, services
from wspolnota.consultations.tests.factories import ConsultationFactory
from wspolnota.core.errors import DomainError
from wspolnota.schools import codes
from wspolnota.schools.models import CodeBallot, CodeEnvelope, VoteCode
from wspolnota.tests_support.factories import CityUnitFactory
from wspolnota.tests_support.scopes import official_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")


def _at_once(*calls: Callable[[], Any], hold: tuple[Any, str]) -> list[str]:
    """Each call in its own thread (its own connection), released together; ``hold`` makes that
    function wait, once it has returned, until every thread got past it too (at most five
    seconds: a thread held back by a lock never arrives, and the others go on)."""
    start = threading.Barrier(len(calls))
    meet = threading.Barrier(len(calls))
    outcomes: list[str] = []
    module, name = hold
    original = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=5)
        return result

    def run(call: Callable[[], Any]) -> None:
        start.wait()
        try:
            call()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(str(exc.message))
        finally:
            connection.close()

    with mock.patch.object(module, name, slow):
        threads = [threading.Thread(target=run, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return sorted(outcomes)


def test_two_simultaneous_answers_with_one_code_give_one_answer(settings):
    settings.SCHOOLS_MIX_BATCH = 1000
    unit = CityUnitFactory()
    official = official_of(unit)
    consultation = ConsultationFactory(initiating_unit=unit, created_by=official)
    survey = services.survey_create(
        actor=official,
        consultation=consultation,
        title="Boisko",
        intro="",
        verified=False,
        questions="single | Co najważniejsze? | zieleń; boisko",
    )
    class_codes.class_codes_open(actor=official, survey=survey, at=timezone.now())
    issued = class_codes.class_sheet_issue(
        actor=official, survey=survey, label="5b", size=1, at=timezone.now()
    )
    question = survey.questions.get()

    def answer(option: str) -> Callable[[], None]:
        return lambda: class_codes.answer_with_code(
            survey=survey,
            code=issued.codes[0],
            answers={question.pk: option},
            at=timezone.now() + timedelta(seconds=1),
        )

    # both pass the code's checks, then wait for each other before spending it
    outcomes = _at_once(answer("zieleń"), answer("boisko"), hold=(codes, "_refusal_for"))
    assert outcomes.count("ok") == 1, outcomes
    assert len(outcomes) == 2
    assert CodeEnvelope.objects.count() + CodeBallot.objects.count() == 1
    assert VoteCode.objects.get().used


def test_without_the_row_lock_one_code_answers_twice(settings, monkeypatch):
    """The race above must fail when its guard is taken away."""
    from django.db.models import QuerySet

    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    with pytest.raises(AssertionError):
        test_two_simultaneous_answers_with_one_code_give_one_answer(settings)
