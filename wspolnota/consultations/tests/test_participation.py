"""Remarks with reasoned answers, meetings, surveys, the opinion map in the database, the report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from wspolnota.consultations import selectors, services
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import OpinionMapImport, Remark, Statement
from wspolnota.consultations.tests.factories import (
    ConsultationFactory,
    MeetingFactory,
    RemarkFactory,
)
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory


@pytest.fixture
def consultation(official):
    return ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit, created_by=official
    )


def now():
    return timezone.now()


@pytest.mark.django_db
def test_a_resident_remark_is_taken_only_while_the_consultation_is_open(consultation, resident):
    remark = services.remark_submit(
        author=resident, consultation=consultation, text="Więcej zieleni", at=now()
    )
    assert remark.channel == Remark.Channel.PLATFORM and remark.district == resident.district
    with pytest.raises(ConsultationsError):
        services.remark_submit(
            author=resident,
            consultation=consultation,
            text="Za późno",
            at=now() + timedelta(days=30),
        )


@pytest.mark.django_db
def test_a_remark_pinned_on_the_map_gets_the_district_of_the_point(
    consultation, resident_other_district, krakow
):
    remark = services.remark_submit(
        author=resident_other_district,
        consultation=consultation,
        text="Tu brakuje przejścia",
        latitude=Decimal("50.044500"),
        longitude=Decimal("19.950800"),
        at=now(),
    )
    assert remark.channel == Remark.Channel.MAP and remark.district == krakow[13]
    with pytest.raises(ConsultationsError) as error:
        services.remark_submit(
            author=resident_other_district,
            consultation=consultation,
            text="Warszawa",
            latitude=Decimal("52.2297"),
            longitude=Decimal("21.0122"),
            at=now(),
        )
    assert error.value.field == "latitude"


@pytest.mark.django_db
def test_officials_enter_remarks_from_other_channels_and_the_entry_is_audited(
    consultation, official
):
    remark = services.remark_enter(
        actor=official,
        consultation=consultation,
        channel=Remark.Channel.EPUAP,
        text="Pismo w sprawie parkingu",
        author_name="Stowarzyszenie Sąsiedzi",
        received_on=consultation.starts_on,
    )
    assert remark.entered_by == official and remark.channel == "epuap"
    assert AuditLogEntry.objects.filter(
        action="consultations.remark_entered", object_id=str(remark.pk)
    ).exists()


@pytest.mark.django_db
def test_every_answer_needs_a_reason_and_duplicates_share_the_original_answer(
    consultation, official
):
    first = RemarkFactory(consultation=consultation)
    second = RemarkFactory(consultation=consultation, text="To samo innymi słowami")
    with pytest.raises(ConsultationsError) as error:
        services.remark_answer(
            actor=official, remark=first, disposition="accepted", reason="", at=now()
        )
    assert error.value.field == "reason"
    services.remark_answer(
        actor=official,
        remark=first,
        disposition="partly",
        reason="Dodamy ławki, cień da nowe drzewa za dwa lata.",
        at=now(),
    )
    services.remark_group_as_duplicate(actor=official, remark=second, original=first)
    assert selectors.remarks_unanswered(consultation=consultation) == 0
    data = selectors.report_data(consultation=consultation)
    assert dict(data.by_disposition) == {"uwzględniona częściowo": 2}
    with pytest.raises(ConsultationsError):
        services.remark_group_as_duplicate(actor=official, remark=first, original=first)


@pytest.mark.django_db
def test_a_moderator_hides_abuse_with_a_reason_that_stays_in_the_audit_log(consultation, moderator):
    remark = RemarkFactory(consultation=consultation, text="obraźliwy wpis")
    with pytest.raises(ConsultationsError):
        services.remark_hide(actor=moderator, remark=remark, reason="", at=now())
    services.remark_hide(actor=moderator, remark=remark, reason="Wulgaryzmy", at=now())
    entry = AuditLogEntry.objects.get(action="consultations.remark_hidden")
    assert entry.reason == "Wulgaryzmy" and entry.before == {"text": "obraźliwy wpis"}
    assert list(selectors.remark_list(consultation=consultation)) == []


@pytest.mark.django_db
def test_residents_cannot_answer_or_hide_remarks(consultation, resident):
    remark = RemarkFactory(consultation=consultation)
    with pytest.raises(ConsultationsError):
        services.remark_answer(
            actor=resident, remark=remark, disposition="accepted", reason="ok!", at=now()
        )
    with pytest.raises(ConsultationsError):
        services.remark_hide(actor=resident, remark=remark, reason="nie lubię", at=now())


@pytest.mark.django_db
def test_meeting_registration_respects_capacity_and_reminds_once(
    consultation, resident, resident_other_district
):
    meeting = MeetingFactory(
        consultation=consultation, capacity=1, starts_at=now() + timedelta(hours=20)
    )
    services.meeting_register(user=resident, meeting=meeting, needs="tłumacz PJM", at=now())
    with pytest.raises(ConsultationsError):
        services.meeting_register(user=resident, meeting=meeting, at=now())
    with pytest.raises(ConsultationsError):
        services.meeting_register(user=resident_other_district, meeting=meeting, at=now())
    with django_capture_on_commit():
        assert services.meeting_reminders_send(now=now()) == 1
    assert services.meeting_reminders_send(now=now()) == 0
    assert len(mail.outbox) == 1 and meeting.title in mail.outbox[0].subject


def django_capture_on_commit():
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.mark.django_db
def test_survey_questions_are_written_one_per_line_and_errors_name_the_line(consultation, official):
    with pytest.raises(ConsultationsError) as error:
        services.survey_create(
            actor=official,
            consultation=consultation,
            title="Ankieta",
            intro="",
            verified=False,
            questions="single | Czy? | tak; nie\n\nsingle | Tylko jedna opcja | tak",
        )
    assert "3" in str(error.value) and error.value.field == "questions"


@pytest.mark.django_db
def test_survey_answers_of_every_kind_are_checked_and_counted(consultation, official, resident):
    survey = services.survey_create(
        actor=official,
        consultation=consultation,
        title="Plac",
        intro="",
        verified=True,
        questions=(
            "single | Czy plac jest potrzebny? | tak; nie\n"
            "multiple | Co na placu? | ławki; drzewa; fontanna\n"
            "scale | Jak oceniasz obecny stan?\n"
            "ranking | Kolejność prac | zieleń; oświetlenie\n"
            "matrix | Oceń | dobrze; źle || zieleń; ławki\n"
            "text* | Inne uwagi"
        ),
    )
    questions = list(survey.questions.all())
    answers = {
        questions[0].pk: "tak",
        questions[1].pk: ["ławki", "drzewa"],
        questions[2].pk: "4",
        questions[3].pk: ["oświetlenie", "zieleń"],
        questions[4].pk: {"zieleń": "dobrze", "ławki": "źle"},
    }
    services.survey_respond(respondent=resident, survey=survey, answers=answers, at=now())
    with pytest.raises(ConsultationsError):
        services.survey_respond(respondent=resident, survey=survey, answers=answers, at=now())
    with pytest.raises(ConsultationsError):
        services.survey_respond(respondent=None, survey=survey, answers=answers, at=now())
    bad = {**answers, questions[0].pk: "może"}
    with pytest.raises(ConsultationsError) as error:
        services.survey_respond(respondent=UserFactory(), survey=survey, answers=bad, at=now())
    assert error.value.field == f"q{questions[0].pk}"
    results = selectors.survey_results(survey=survey)
    assert results[0].rows[0] == ("tak", 1.0, 1)
    assert results[3].rows[0][0] == "oświetlenie"
    assert results[4].matrix == [("zieleń", [1, 0]), ("ławki", [0, 1])]


@pytest.mark.django_db
def test_statements_wait_for_moderation_and_votes_recompute_the_map(consultation, official):
    people = [UserFactory() for _ in range(16)]
    statements = []
    for index in range(8):
        statement = services.statement_submit(
            author=people[index], consultation=consultation, text=f"Stwierdzenie {index}", at=now()
        )
        with pytest.raises(ConsultationsError):
            services.statement_vote(user=people[0], statement=statement, choice=1, at=now())
        services.statement_moderate(actor=official, statement=statement, accept=True)
        statements.append(statement)
    with django_capture_on_commit():
        for p, person in enumerate(people):
            for s, statement in enumerate(statements):
                choice = 1 if s == 0 or (s % 2 == p % 2) else -1
                services.statement_vote(user=person, statement=statement, choice=choice, at=now())
    stored = selectors.opinion_map_get(consultation=consultation)
    assert stored is not None and stored.result["n_groups"] == 2
    assert stored.result["consensus"][0]["statement"] == statements[0].pk
    files = services.opinion_map_export(consultation=consultation)
    assert files["votes.csv"].count("\n") == 1 + 16 * 8
    assert "group-id" in files["participants-votes.csv"].splitlines()[0]
    assert AuditLogEntry.objects.filter(action="consultations.statement_moderated").count() == 8


@pytest.mark.django_db
def test_a_polis_export_is_checked_at_once_and_imported_in_the_background(
    consultation, official, django_capture_on_commit_callbacks
):
    comments = (
        "comment-id,author-id,moderated,comment-body,timestamp\n"
        "1,10,1,Więcej drzew,1000\n2,11,1,Mniej aut,1000\n3,11,-1,Wulgarny wpis,1000\n"
    )
    with pytest.raises(ConsultationsError) as error:
        services.opinion_map_import_request(
            actor=official,
            consultation=consultation,
            comments_csv=comments,
            votes_csv="timestamp,comment-id,voter-id,vote\n2000,1,10,1\n2001,1,11,tak\n",
            now=now(),
        )
    assert "votes.csv" in str(error.value) and "3" in str(error.value)
    assert not OpinionMapImport.objects.exists()
    votes = "timestamp,comment-id,voter-id,vote\n" + "".join(
        f"{2000 + i},{1 + i % 3},{10 + i // 3},{1 if i % 4 else -1}\n" for i in range(60)
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.opinion_map_import_request(
            actor=official,
            consultation=consultation,
            comments_csv=comments,
            votes_csv=votes,
            now=now(),
        )
    job.refresh_from_db()
    assert job.status == OpinionMapImport.Status.DONE and job.votes == 60
    assert consultation.statements.filter(status=Statement.Status.ACCEPTED).count() == 2
    assert consultation.statements.get(external_id="3").status == Statement.Status.REJECTED
    stored = selectors.opinion_map_get(consultation=consultation)
    assert stored.computed_at is not None and stored.votes_counted == 60
    with pytest.raises(ConsultationsError):
        services.opinion_map_import_request(
            actor=official,
            consultation=consultation,
            comments_csv=comments,
            votes_csv=votes,
            now=now(),
        )


@pytest.mark.django_db
def test_the_report_waits_for_the_end_and_for_every_answer_then_tells_participants(
    consultation, official, resident
):
    remark = services.remark_submit(
        author=resident, consultation=consultation, text="Ławki", at=now()
    )
    after = now() + timedelta(days=25)
    with pytest.raises(ConsultationsError):
        services.report_publish(actor=official, consultation=consultation, summary="x", at=now())
    with pytest.raises(ConsultationsError) as error:
        services.report_publish(actor=official, consultation=consultation, summary="x", at=after)
    assert "1" in str(error.value)
    services.remark_answer(
        actor=official,
        remark=remark,
        disposition="accepted",
        reason="Będą ławki przy każdym wejściu.",
        at=now(),
    )
    with django_capture_on_commit():
        services.report_publish(
            actor=official, consultation=consultation, summary="Dodamy 12 ławek.", at=after
        )
    assert selectors.consultation_phase(consultation, at=after) == "reported"
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert "Dodamy 12 ławek." in mail.outbox[0].body
