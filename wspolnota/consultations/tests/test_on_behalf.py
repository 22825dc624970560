"""A clerk acts for a resident at a counter, on the phone or from a letter (issue 17).

Attack tests: an official keying in a second paper survey was refused "already filled in from
this account" (the answer was the clerk's, not the person's); nobody could register a caller for
a meeting; a remark sent by post never brought its author the city's answer; the meeting
reminder reached only account holders. The act on behalf obeys the same rules as online
(deadline, capacity, one per person) and records its channel and its clerk.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.accounts.roles import Role
from wspolnota.consultations import services
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import Registration, Remark, Response
from wspolnota.consultations.tests.factories import ConsultationFactory, MeetingFactory
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.onbehalf import Channel, OnBehalf
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory
from wspolnota.tests_support.scopes import counter_access


def now():
    return timezone.now()


def kept_person(name: str = "Helena Kowalska", **contact) -> User:
    """A person without an account, as a clerk records them (letters by default)."""
    person = User(
        full_name=name,
        kept_by_city=True,
        address_street=contact.pop("address_street", "ul. Długa 5 m. 3"),
        address_postcode=contact.pop("address_postcode", "31-147"),
        address_city=contact.pop("address_city", "Kraków"),
        reply_channel=contact.pop("reply_channel", "letter"),
        **contact,
    )
    person.set_unusable_password()
    person.save()
    return person


@pytest.fixture
def unit(official):
    return official.role_assignments.get().city_unit


@pytest.fixture
def clerk(unit):
    """A counter clerk of the unit that runs the consultation."""
    return RoleAssignmentFactory(role=Role.COUNTER_CLERK, city_unit=unit).user


@pytest.fixture
def consultation(unit, official):
    return ConsultationFactory(initiating_unit=unit, created_by=official)


@pytest.fixture
def survey(consultation, official):
    return services.survey_create(
        actor=official,
        consultation=consultation,
        title="Ankieta o placu",
        intro="",
        verified=True,
        questions="single | Co jest najważniejsze? | zieleń; ławki; plac zabaw",
    )


def paper(survey, option="ławki"):
    return {survey.questions.get().pk: option}


# --- Surveys -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_official_keys_in_paper_surveys_of_two_people_and_each_answer_is_theirs(
    survey, official
):
    first, second = kept_person("Helena Kowalska"), kept_person("Jan Nowak")
    for person in (first, second):
        services.survey_respond(
            respondent=person,
            survey=survey,
            answers=paper(survey),
            at=now(),
            on_behalf=OnBehalf(clerk=official, channel=Channel.POST),
        )
    rows = Response.objects.filter(survey=survey).order_by("pk")
    assert [r.respondent for r in rows] == [first, second]
    assert {(r.channel, r.keyed_by_id) for r in rows} == {(Channel.POST, official.pk)}
    assert AuditLogEntry.objects.filter(action="consultations.survey_keyed").count() == 2


@pytest.mark.django_db
def test_one_answer_per_person_whether_online_or_on_paper(survey, clerk, resident):
    services.survey_respond(respondent=resident, survey=survey, answers=paper(survey), at=now())
    with pytest.raises(ConsultationsError) as error:
        services.survey_respond(
            respondent=resident,
            survey=survey,
            answers=paper(survey, "zieleń"),
            at=now(),
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.COUNTER),
        )
    assert "Ta osoba już wypełniła" in str(error.value)
    assert Response.objects.filter(survey=survey).count() == 1


@pytest.mark.django_db
def test_a_paper_survey_keyed_after_the_consultation_ended_is_refused(survey, clerk):
    with pytest.raises(ConsultationsError) as error:
        services.survey_respond(
            respondent=kept_person(),
            survey=survey,
            answers=paper(survey),
            at=now() + timedelta(days=30),
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.POST),
        )
    assert "Konsultacje nie trwają" in str(error.value)
    assert not Response.objects.exists()


@pytest.mark.django_db
def test_a_clerk_of_another_unit_cannot_key_in_a_survey(survey):
    stranger = RoleAssignmentFactory(role=Role.COUNTER_CLERK, city_unit=CityUnitFactory()).user
    with pytest.raises(ConsultationsError) as error:
        services.survey_respond(
            respondent=kept_person(),
            survey=survey,
            answers=paper(survey),
            at=now(),
            on_behalf=OnBehalf(clerk=stranger, channel=Channel.COUNTER),
        )
    assert error.value.code == "permission_denied"


@pytest.mark.django_db
def test_a_clerk_cannot_answer_in_their_own_name_through_the_counter(survey, clerk):
    with pytest.raises(ConsultationsError) as error:
        services.survey_respond(
            respondent=clerk,
            survey=survey,
            answers=paper(survey),
            at=now(),
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.COUNTER),
        )
    assert error.value.field == "person"


# --- Meetings ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_registers_a_caller_for_a_meeting_by_the_same_rules(consultation, clerk):
    meeting = MeetingFactory(consultation=consultation, capacity=1)
    caller = kept_person()
    phone = OnBehalf(clerk=clerk, channel=Channel.PHONE)
    registration = services.meeting_register(
        user=caller, meeting=meeting, needs="pętla indukcyjna", at=now(), on_behalf=phone
    )
    assert (registration.channel, registration.keyed_by) == (Channel.PHONE, clerk)
    assert AuditLogEntry.objects.filter(action="consultations.registration_keyed").exists()
    with pytest.raises(ConsultationsError) as error:
        services.meeting_register(user=caller, meeting=meeting, at=now(), on_behalf=phone)
    assert "Ta osoba jest już zapisana" in str(error.value)
    with pytest.raises(ConsultationsError) as error:
        services.meeting_register(
            user=kept_person("Jan Nowak"), meeting=meeting, at=now(), on_behalf=phone
        )
    assert "Brak wolnych miejsc" in str(error.value)
    past = MeetingFactory(consultation=consultation, starts_at=now() - timedelta(hours=3))
    with pytest.raises(ConsultationsError):
        services.meeting_register(user=caller, meeting=past, at=now(), on_behalf=phone)
    assert Registration.objects.count() == 1


@pytest.mark.django_db
def test_the_meeting_reminder_reaches_a_caller_without_an_account(
    consultation, clerk, django_capture_on_commit_callbacks
):
    from wspolnota.communication.models import OutboxMessage

    meeting = MeetingFactory(consultation=consultation, starts_at=now() + timedelta(hours=20))
    caller = kept_person()
    services.meeting_register(
        user=caller,
        meeting=meeting,
        at=now(),
        on_behalf=OnBehalf(clerk=clerk, channel=Channel.PHONE),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_reminders_send(now=now()) == 1
    letters = OutboxMessage.objects.filter(user=caller)
    assert letters.count() == 1 and meeting.title in letters.get().body


@pytest.mark.django_db
def test_a_caller_who_chose_letters_is_reminded_days_ahead_so_the_letter_arrives_in_time(
    consultation, clerk, resident, settings, django_capture_on_commit_callbacks
):
    from wspolnota.communication.models import OutboxMessage

    settings.CONSULTATION_LETTER_REMINDER_DAYS = 7
    meeting = MeetingFactory(consultation=consultation, starts_at=now() + timedelta(days=6))
    caller = kept_person()
    phone = OnBehalf(clerk=clerk, channel=Channel.PHONE)
    services.meeting_register(user=caller, meeting=meeting, at=now(), on_behalf=phone)
    services.meeting_register(user=resident, meeting=meeting, at=now())
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_reminders_send(now=now()) == 1  # the letter, six days ahead
    assert OutboxMessage.objects.get(user=caller).channel == "letter"
    day_before = meeting.starts_at - timedelta(hours=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_reminders_send(now=day_before) == 1  # the e-mail, not again
    assert OutboxMessage.objects.filter(user=caller).count() == 1


# --- Remarks and the report ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_remark_by_post_is_keyed_for_a_person_and_a_date_from_2001_is_refused(
    consultation, clerk
):
    writer = kept_person()
    with pytest.raises(ConsultationsError) as error:
        services.remark_enter(
            actor=clerk,
            consultation=consultation,
            channel=Remark.Channel.POST,
            text="Proszę o ławki",
            received_on=date(2001, 1, 1),
            posted_on=date(2001, 1, 1),
            person=writer,
        )
    assert error.value.field == "received_on"
    remark = services.remark_enter(
        actor=clerk,
        consultation=consultation,
        channel=Remark.Channel.POST,
        text="Proszę o ławki",
        received_on=consultation.starts_on,
        person=writer,
    )
    assert (remark.author, remark.author_name, remark.entered_by) == (
        writer,
        "Helena Kowalska",
        clerk,
    )


@pytest.mark.django_db
def test_the_report_brings_a_letter_writer_without_an_account_the_answer_to_their_remark(
    official, clerk, unit, django_capture_on_commit_callbacks
):
    from wspolnota.communication.models import OutboxMessage

    today = timezone.localdate()
    ended = ConsultationFactory(
        initiating_unit=unit,
        created_by=official,
        information_from=today - timedelta(days=40),
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=2),
    )
    writer = kept_person()
    remark = services.remark_enter(
        actor=clerk,
        consultation=ended,
        channel=Remark.Channel.POST,
        text="Proszę o więcej ławek przy fontannie",
        received_on=ended.starts_on,
        person=writer,
    )
    services.remark_answer(
        actor=official,
        remark=remark,
        disposition=Remark.Disposition.ACCEPTED,
        reason="Ustawimy sześć nowych ławek przy fontannie wiosną.",
        at=now(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.report_publish(actor=official, consultation=ended, summary="Wnioski.", at=now())
    letter = OutboxMessage.objects.get(user=writer)
    assert "Proszę o więcej ławek przy fontannie" in letter.body
    assert "Ustawimy sześć nowych ławek" in letter.body


# --- The counter page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_counter_page_shows_what_a_person_takes_part_in_and_where_the_clerk_may_act(
    consultation, survey, clerk
):
    from wspolnota.consultations import participation

    person = kept_person()
    services.survey_respond(
        respondent=person,
        survey=survey,
        answers=paper(survey),
        at=now(),
        on_behalf=OnBehalf(clerk=clerk, channel=Channel.POST),
    )
    services.meeting_register(
        user=person,
        meeting=MeetingFactory(consultation=consultation, title="Spacer badawczy"),
        at=now(),
        on_behalf=OnBehalf(clerk=clerk, channel=Channel.PHONE),
    )
    rows = participation.taking_part(person=person, at=now())
    assert {row.what for row in rows} == {"Ankieta: Ankieta o placu", "Spotkanie: Spacer badawczy"}
    assert {row.channel for row in rows} == {"listownie", "przez telefon"}
    links = participation.actions(clerk=clerk, person=person, at=now())
    assert [link.url for link in links] == [
        f"/pl/konsultacje/{consultation.pk}/w-imieniu/{person.pk}/"
    ]
    stranger = RoleAssignmentFactory(role=Role.COUNTER_CLERK, city_unit=CityUnitFactory()).user
    assert participation.actions(clerk=stranger, person=person, at=now()) == []


# --- The clerk's pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_clerks_pages_key_a_paper_survey_and_refuse_everyone_else(
    client, consultation, survey, clerk, resident
):
    person = kept_person()
    url = f"/pl/konsultacje/{consultation.pk}/w-imieniu/{person.pk}/"
    assert client.get(url).status_code == 302  # to the log-in
    client.force_login(resident)
    assert client.get(url).status_code == 403
    client.force_login(clerk)
    assert client.get(url).status_code == 404  # not identified at the counter yet
    counter_access(clerk, person)
    assert client.get(url).status_code == 200
    assert client.get(f"/pl/konsultacje/{consultation.pk}/w-imieniu/{2**70}/").status_code == 404
    question = survey.questions.get()
    response = client.post(
        f"{url}ankiety/{survey.pk}/", {"channel": "post", f"q{question.pk}": "ławki"}
    )
    assert response.status_code == 302
    stored = Response.objects.get(survey=survey)
    assert (stored.respondent, stored.channel, stored.keyed_by) == (person, Channel.POST, clerk)
    again = client.post(
        f"{url}ankiety/{survey.pk}/", {"channel": "post", f"q{question.pk}": "zieleń"}
    )
    assert again.status_code == 400 and "Ta osoba już wypełniła" in again.content.decode()
    letter = client.post(
        url,
        {
            "action": "remark",
            "u-channel": "post",
            "u-received_on": "2001-01-01",
            "u-text": "List z 2001 roku",
        },
    )
    assert letter.status_code == 400 and not Remark.objects.exists()
