"""Who may do what with a consultation: role × scope (own or another unit) × action.

A consultation belongs to its initiating unit. Only that unit's officials (and administrators)
plan, announce, answer and report; an official of another department may not create one in the
unit's name, move one to another unit, or touch another unit's consultation. Moderators hide
remarks and statements anywhere but do not run consultations.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.consultations import services
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import Consultation
from wspolnota.consultations.tests.factories import (
    ConsultationFactory,
    MeetingFactory,
    RemarkFactory,
)
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import official_of, with_role

NOW = timezone.now()


def _create(actor, consultation):
    today = timezone.localdate()
    return services.consultation_create(
        actor=actor,
        title="Nowe konsultacje",
        summary="Jak urządzić skwer?",
        initiating_unit=consultation.initiating_unit,
        legal_basis="uchwała CXI/2904/18",
        information_from=today,
        starts_on=today + timedelta(days=7),
        ends_on=today + timedelta(days=30),
        forms=["document", "meeting", "survey"],
        languages=["pl"],
    )


def _edit(actor, consultation):
    services.consultation_update(actor=actor, consultation=consultation, contact="tel. 12 000")


def _publish(actor, consultation):
    MeetingFactory(consultation=consultation)
    services.consultation_publish(
        actor=actor, consultation=consultation, at=NOW, override_reason="Pilna sprawa miasta."
    )


def _meeting(actor, consultation):
    services.meeting_add(
        actor=actor,
        consultation=consultation,
        kind="meeting",
        mode="in_person",
        title="Spotkanie",
        starts_at=NOW + timedelta(days=10),
        ends_at=NOW + timedelta(days=10, hours=2),
        place="Dom Kultury",
        capacity=30,
    )


def _answer(actor, consultation):
    remark = RemarkFactory(consultation=consultation)
    services.remark_answer(
        actor=actor,
        remark=remark,
        disposition="accepted",
        reason="Uwzględniamy: dodamy ławki przy alejce w projekcie.",
        at=NOW,
    )


def _hide(actor, consultation):
    remark = RemarkFactory(consultation=consultation)
    services.remark_hide(actor=actor, remark=remark, reason="Wulgaryzmy", at=NOW)


ACTIONS = {
    "create": _create,
    "edit": _edit,
    "publish": _publish,
    "add_meeting": _meeting,
    "answer_remark": _answer,
    "hide_remark": _hide,
}

# persona → actions allowed on a consultation of the unit "A"
ALLOWED = {
    "official_of_unit": {
        "create",
        "edit",
        "publish",
        "add_meeting",
        "answer_remark",
        "hide_remark",
    },
    "official_of_other_unit": set(),
    "administrator": {"create", "edit", "publish", "add_meeting", "answer_remark", "hide_remark"},
    "moderator": {"hide_remark"},
    "district_councillor": set(),
    "ngo_member": set(),
    "resident": set(),
}


def _persona(name, unit, krakow):
    if name == "official_of_unit":
        return official_of(unit)
    if name == "official_of_other_unit":
        return official_of(CityUnitFactory())
    if name == "district_councillor":
        from wspolnota.tests_support.scopes import councillor_of

        return councillor_of(krakow[1])
    if name == "resident":
        return UserFactory(district=krakow[1])
    return with_role(Role(name))


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_permission_matrix(krakow, persona, action):
    unit = CityUnitFactory()
    consultation = ConsultationFactory(initiating_unit=unit, published_at=None)
    actor = _persona(persona, unit, krakow)
    if action in ALLOWED[persona]:
        ACTIONS[action](actor, consultation)
    else:
        with pytest.raises(ConsultationsError):
            ACTIONS[action](actor, consultation)


@pytest.mark.django_db
def test_an_official_cannot_create_a_consultation_in_another_departments_name(krakow):
    victim = CityUnitFactory(name="Wydział Kształtowania Środowiska")
    attacker = official_of(CityUnitFactory(name="Wydział Sportu"))
    with pytest.raises(ConsultationsError):
        _create(attacker, ConsultationFactory.build(initiating_unit=victim))
    assert not Consultation.objects.filter(title="Nowe konsultacje").exists()


@pytest.mark.django_db
def test_the_form_refuses_another_departments_name_without_a_server_error(krakow, client):
    victim = CityUnitFactory()
    attacker = official_of(CityUnitFactory())
    client.force_login(attacker)
    today = timezone.localdate()
    form = client.get("/pl/konsultacje/nowe/").content.decode()
    assert f'<option value="{victim.pk}"' not in form
    response = client.post(
        "/pl/konsultacje/nowe/",
        {
            "title": "W cudzym imieniu",
            "summary": "?",
            "initiating_unit": victim.pk,
            "legal_basis": "uchwała CXI/2904/18",
            "citywide": "on",
            "languages": ["pl"],
            "forms": ["document", "meeting", "survey"],
            "information_from": today.isoformat(),
            "starts_on": (today + timedelta(days=7)).isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert not Consultation.objects.filter(title="W cudzym imieniu").exists()


@pytest.mark.django_db
def test_an_official_cannot_hand_their_consultation_over_to_another_unit(krakow):
    unit = CityUnitFactory()
    consultation = ConsultationFactory(initiating_unit=unit, published_at=None)
    with pytest.raises(ConsultationsError):
        services.consultation_update(
            actor=official_of(unit), consultation=consultation, initiating_unit=CityUnitFactory()
        )
    consultation.refresh_from_db()
    assert consultation.initiating_unit == unit


# --- Acting for a person (issue 17): who may key in a paper survey, register a caller, enter a
# remark for a person. The consultation's unit: its officials and counter clerks, administrators.


def _kept_person():
    from wspolnota.accounts.models import User

    person = User(full_name="Helena Kowalska", kept_by_city=True, reply_channel="letter")
    person.set_unusable_password()
    person.save()
    return person


def _key_survey(actor, consultation):
    from wspolnota.core.onbehalf import Channel, OnBehalf

    official = official_of(consultation.initiating_unit)
    survey = services.survey_create(
        actor=official,
        consultation=consultation,
        title="Ankieta",
        intro="",
        verified=True,
        questions="single | Czy? | tak; nie",
    )
    services.survey_respond(
        respondent=_kept_person(),
        survey=survey,
        answers={survey.questions.get().pk: "tak"},
        at=NOW,
        on_behalf=OnBehalf(clerk=actor, channel=Channel.POST),
    )


def _register_caller(actor, consultation):
    from wspolnota.core.onbehalf import Channel, OnBehalf

    services.meeting_register(
        user=_kept_person(),
        meeting=MeetingFactory(consultation=consultation),
        at=NOW,
        on_behalf=OnBehalf(clerk=actor, channel=Channel.PHONE),
    )


def _remark_for_person(actor, consultation):
    services.remark_enter(
        actor=actor,
        consultation=consultation,
        channel="post",
        text="List",
        received_on=consultation.starts_on,
        person=_kept_person(),
    )


ACTIONS_FOR_PERSON = {
    "key_survey": _key_survey,
    "register_caller": _register_caller,
    "remark_for_person": _remark_for_person,
}
EVERY_ACT = set(ACTIONS_FOR_PERSON)
ALLOWED_FOR_PERSON = {
    "counter_clerk_of_unit": EVERY_ACT,
    "counter_clerk_of_other_unit": set(),
    "official_of_unit": EVERY_ACT,
    "official_of_other_unit": set(),
    "administrator": EVERY_ACT,
    "moderator": set(),
    "district_councillor": set(),
    "resident": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS_FOR_PERSON))
@pytest.mark.parametrize("persona", sorted(ALLOWED_FOR_PERSON))
def test_acting_for_a_person_permission_matrix(krakow, persona, action):
    from wspolnota.tests_support.factories import RoleAssignmentFactory

    unit = CityUnitFactory()
    consultation = ConsultationFactory(initiating_unit=unit)  # announced and open
    if persona.startswith("counter_clerk"):
        scope = unit if persona == "counter_clerk_of_unit" else CityUnitFactory()
        actor = RoleAssignmentFactory(role=Role.COUNTER_CLERK, city_unit=scope).user
    else:
        actor = _persona(persona, unit, krakow)
    if action in ALLOWED_FOR_PERSON[persona]:
        ACTIONS_FOR_PERSON[action](actor, consultation)
    else:
        with pytest.raises(ConsultationsError):
            ACTIONS_FOR_PERSON[action](actor, consultation)
