"""Who may run which council: role × scope (own or another district or unit) × action.

A district council is run by the councillors of its own district (and its chair, vice-chair or
secretary, and administrators) — never by every official, nor by a councillor of another
district. An advisory body that belongs to a city unit (a dialogue commission, a seniors'
council kept by a department) is run by that unit's officials. Moderators hide questions
anywhere; nobody else hides questions to a council they do not run.
"""

from __future__ import annotations

from datetime import date

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.councils import services
from wspolnota.councils.errors import CouncilsError
from wspolnota.councils.models import BodyKind, QuestionKind
from wspolnota.councils.tests.factories import (
    BodyFactory,
    MeetingFactory,
    TermFactory,
    council_with_members,
)
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import councillor_of, official_of, with_role


def _draft(actor, body):
    return services.resolution_draft_save(
        actor=actor, body=body, resolution=None, subject="nazwy skweru", text="§ 1."
    )


def _meeting(actor, body):
    return services.meeting_save(
        actor=actor,
        body=body,
        meeting=None,
        fields={
            "title": "Sesja",
            "starts_at": MeetingFactory.build().starts_at,
            "location": "Sala",
            "agenda": "1. Otwarcie.",
        },
    )


def _term(actor, body):
    return services.term_create(
        actor=actor, body=body, name="X kadencja", starts_on=date(2030, 1, 1), ends_on=None
    )


def _answer(actor, body):
    asker = UserFactory()
    question = services.question_ask(
        user=asker,
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Ławki",
        text="Kiedy nowe ławki?",
        is_public=True,
    )
    return services.question_answer(actor=actor, question=question, answer="W maju.")


def _hide(actor, body):
    question = services.question_ask(
        user=UserFactory(),
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Spam",
        text="Spam spam",
        is_public=True,
    )
    return services.question_hide(actor=actor, question=question, reason="spam")


def _record(actor, body):
    """A question that came on paper, recorded by ``actor`` for a person (issue 17)."""
    from wspolnota.accounts.models import User
    from wspolnota.core.onbehalf import Channel, OnBehalf

    person = User(full_name="Helena Kowalska", kept_by_city=True, reply_channel="letter")
    person.set_unusable_password()
    person.save()
    return services.question_ask(
        user=person,
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Latarnie",
        text="Kiedy latarnie w parku?",
        is_public=True,
        on_behalf=OnBehalf(clerk=actor, channel=Channel.POST),
    )


COUNCIL_ACTIONS = {
    "draft_resolution": _draft,
    "plan_meeting": _meeting,
    "open_term": _term,
    "answer_question": _answer,
    "hide_question": _hide,
    "record_question": _record,
}

# persona → actions allowed on the council of District I
COUNCIL_ALLOWED = {
    "councillor_of_district": {
        "draft_resolution",
        "plan_meeting",
        "open_term",
        "answer_question",
        "record_question",
    },
    "councillor_of_other_district": set(),
    "official": set(),
    "counter_clerk": set(),
    "administrator": set(COUNCIL_ACTIONS),
    "moderator": {"hide_question"},
    "ngo_member": set(),
    "resident": set(),
}


def _persona(name, krakow, unit=None):
    if name == "councillor_of_district":
        return councillor_of(krakow[1])
    if name == "councillor_of_other_district":
        return councillor_of(krakow[2])
    if name == "official":
        return official_of(CityUnitFactory())
    if name == "official_of_unit":
        return official_of(unit)
    if name.startswith("counter_clerk"):
        from wspolnota.tests_support.factories import RoleAssignmentFactory

        scope = unit if name == "counter_clerk_of_unit" else CityUnitFactory()
        return RoleAssignmentFactory(role=Role.COUNTER_CLERK, city_unit=scope).user
    if name == "resident":
        return UserFactory(district=krakow[1])
    return with_role(Role(name))


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(COUNCIL_ACTIONS))
@pytest.mark.parametrize("persona", sorted(COUNCIL_ALLOWED))
def test_district_council_matrix(krakow, persona, action):
    body, _term, _members = council_with_members(krakow[1])
    actor = _persona(persona, krakow)
    if action in COUNCIL_ALLOWED[persona]:
        COUNCIL_ACTIONS[action](actor, body)
    else:
        with pytest.raises(CouncilsError):
            COUNCIL_ACTIONS[action](actor, body)


UNIT_ACTIONS = {
    "plan_meeting": _meeting,
    "open_term": _term,
    "answer_question": _answer,
    "hide_question": _hide,
    "record_question": _record,
}

# persona → actions allowed on an advisory body kept by the unit "A"
UNIT_ALLOWED = {
    "official_of_unit": set(UNIT_ACTIONS),
    "official": set(),
    "counter_clerk_of_unit": {"record_question"},
    "counter_clerk": set(),
    "councillor_of_district": set(),
    "administrator": set(UNIT_ACTIONS),
    "moderator": {"hide_question"},
    "resident": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(UNIT_ACTIONS))
@pytest.mark.parametrize("persona", sorted(UNIT_ALLOWED))
def test_advisory_body_of_a_unit_matrix(krakow, persona, action):
    unit = CityUnitFactory()
    body = BodyFactory(kind=BodyKind.SENIORS_COUNCIL, seats=25, city_unit=unit, district=None)
    TermFactory(body=body)
    actor = _persona(persona, krakow, unit)
    if action in UNIT_ALLOWED[persona]:
        UNIT_ACTIONS[action](actor, body)
    else:
        with pytest.raises(CouncilsError):
            UNIT_ACTIONS[action](actor, body)


@pytest.mark.django_db
def test_an_official_of_any_department_cannot_run_every_district_council(krakow):
    attacker = official_of(CityUnitFactory(name="Wydział Sportu"))
    for number in (1, 7, 18):
        body, _term, _members = council_with_members(krakow[number])
        with pytest.raises(CouncilsError):
            _draft(attacker, body)
    with pytest.raises(CouncilsError):
        services.body_create(
            actor=attacker,
            kind=BodyKind.DISTRICT_COUNCIL,
            name="Rada podstawiona",
            seats=15,
            district=krakow[3],
        )


@pytest.mark.django_db
def test_a_councillor_cannot_rewrite_another_councils_draft_through_their_own(krakow):
    other, _t, _m = council_with_members(krakow[2])
    draft = _draft(councillor_of(krakow[2]), other)
    own, _t, _m = council_with_members(krakow[1])
    with pytest.raises(CouncilsError):
        services.resolution_draft_save(
            actor=councillor_of(krakow[1]), body=own, resolution=draft, subject="x", text="y"
        )
    draft.refresh_from_db()
    assert draft.subject == "nazwy skweru" and draft.body == other


@pytest.mark.django_db
def test_an_official_creates_advisory_bodies_only_for_their_own_unit(krakow):
    unit = CityUnitFactory()
    own = services.body_create(
        actor=official_of(unit),
        kind=BodyKind.DIALOGUE_COMMISSION,
        name="Komisja Dialogu Obywatelskiego ds. Sportu",
        seats=10,
        city_unit=unit,
    )
    assert own.city_unit == unit
    with pytest.raises(CouncilsError):
        services.body_create(
            actor=official_of(CityUnitFactory()),
            kind=BodyKind.DIALOGUE_COMMISSION,
            name="Komisja w cudzym imieniu",
            seats=10,
            city_unit=CityUnitFactory(),
        )
