"""A resident's question that arrives on paper, by phone or at a counter (issue 17).

Attack test: such a question could not be recorded at all (only a signed-in author could ask);
now a clerk records it for the person, with its channel and the clerk, by the same rules, and
the council's answer goes back the way the person chose (a letter for someone without an
account).
"""

from __future__ import annotations

import pytest

from wspolnota.accounts.models import User
from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.onbehalf import Channel, OnBehalf
from wspolnota.councils import services
from wspolnota.councils.errors import CouncilsError
from wspolnota.councils.models import BodyKind, QuestionKind, ResidentQuestion
from wspolnota.councils.tests.factories import BodyFactory, council_with_members
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory


def kept_person(name: str = "Helena Kowalska") -> User:
    person = User(
        full_name=name,
        kept_by_city=True,
        address_street="ul. Długa 5 m. 3",
        address_postcode="31-147",
        address_city="Kraków",
        reply_channel="letter",
    )
    person.set_unusable_password()
    person.save()
    return person


def _ask(person, body, clerk, channel=Channel.POST):
    return services.question_ask(
        user=person,
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Oświetlenie parku",
        text="Kiedy w parku przy ul. Długiej pojawią się latarnie?",
        is_public=True,
        on_behalf=OnBehalf(clerk=clerk, channel=channel),
    )


@pytest.mark.django_db
def test_a_paper_question_is_recorded_for_a_person_and_the_answer_goes_back_by_letter(
    krakow, district_councillor, django_capture_on_commit_callbacks
):
    from wspolnota.communication.models import OutboxMessage

    body, _term, _members = council_with_members(krakow[1])
    writer = kept_person()
    question = _ask(writer, body, district_councillor)
    assert (question.author, question.channel, question.keyed_by) == (
        writer,
        Channel.POST,
        district_councillor,
    )
    assert AuditLogEntry.objects.filter(
        action="councils.question_recorded", object_id=str(question.pk)
    ).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.question_answer(
            actor=district_councillor,
            question=question,
            answer="Latarnie staną w parku do końca marca.",
        )
    letter = OutboxMessage.objects.get(user=writer)
    assert "Latarnie staną w parku do końca marca." in letter.body


@pytest.mark.django_db
def test_a_counter_clerk_of_the_unit_keeping_an_advisory_body_records_a_question(krakow):
    unit = CityUnitFactory()
    body = BodyFactory(kind=BodyKind.SENIORS_COUNCIL, city_unit=unit, slug="seniorzy")
    clerk = RoleAssignmentFactory(role=Role.COUNTER_CLERK, city_unit=unit).user
    question = _ask(kept_person(), body, clerk, Channel.COUNTER)
    assert (question.channel, question.keyed_by) == (Channel.COUNTER, clerk)


@pytest.mark.django_db
def test_a_clerk_of_another_unit_or_district_cannot_record_a_question(krakow, official):
    body, _term, _members = council_with_members(krakow[2])
    other_clerk = RoleAssignmentFactory(role=Role.COUNTER_CLERK, city_unit=CityUnitFactory()).user
    for clerk in (official, other_clerk):
        with pytest.raises(CouncilsError) as error:
            _ask(kept_person(), body, clerk)
        assert error.value.code == "permission_denied"
    assert not ResidentQuestion.objects.exists()


@pytest.mark.django_db
def test_a_clerk_cannot_record_a_question_in_their_own_name(krakow, district_councillor):
    body, _term, _members = council_with_members(krakow[1])
    with pytest.raises(CouncilsError) as error:
        _ask(district_councillor, body, district_councillor)
    assert error.value.field == "person"


@pytest.mark.django_db
def test_the_counter_page_lists_a_persons_questions_and_the_bodies_the_clerk_may_record_for(
    krakow, district_councillor
):
    from django.utils import timezone

    from wspolnota.councils import participation

    body, _term, _members = council_with_members(krakow[1])
    _other, _t, _m = council_with_members(krakow[2])
    writer = kept_person()
    _ask(writer, body, district_councillor)
    rows = participation.taking_part(person=writer, at=timezone.now())
    assert [row.url for row in rows] == [f"/pl/rady/pytania/{ResidentQuestion.objects.get().pk}/"]
    assert rows[0].channel == "listownie"
    links = participation.actions(clerk=district_councillor, person=writer, at=timezone.now())
    assert [link.url for link in links] == [f"/pl/rady/{body.slug}/pytania/w-imieniu/{writer.pk}/"]
