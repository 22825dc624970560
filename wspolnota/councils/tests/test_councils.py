"""District councils and advisory bodies: seats, votes, resolutions, questions, opinions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wspolnota.core.models import AuditLogEntry
from wspolnota.councils import services
from wspolnota.councils.errors import CouncilsError
from wspolnota.councils.models import (
    Body,
    BodyKind,
    MeetingStatus,
    MemberRole,
    OpinionPosition,
    OpinionStatus,
    QuestionKind,
    QuestionStatus,
    ResolutionStatus,
    VoteChoice,
    VoteKind,
)
from wspolnota.councils.selectors import (
    district_council_panel,
    question_list,
    resolution_list,
)
from wspolnota.councils.tests.factories import (
    BodyFactory,
    MeetingFactory,
    TermFactory,
    council_with_members,
)


@pytest.mark.django_db
def test_every_district_gets_one_council_sized_by_its_population(krakow):
    created = services.district_councils_create(actor=None, districts=list(krakow.values()))
    assert len(created) == 18
    assert services.district_councils_create(actor=None, districts=list(krakow.values())) == []
    seats = {b.district.number: b.seats for b in Body.objects.select_related("district")}
    assert seats[4] == 21 and seats[1] == 15  # 71,752 and 30,609 residents
    assert AuditLogEntry.objects.filter(action="councils.body_created").count() == 18


@pytest.mark.django_db
def test_a_resolution_is_public_only_once_published_with_its_number_and_date(
    krakow, district_councillor, resident, resident_other_district
):
    body, _term, _members = council_with_members(krakow[1])
    draft = services.resolution_draft_save(
        actor=district_councillor, body=body, resolution=None, subject="nazwy skweru", text="§ 1."
    )
    assert draft.status == ResolutionStatus.DRAFT
    assert list(resolution_list(body=body, viewer=resident)) == []
    assert list(resolution_list(body=body, viewer=district_councillor)) == [draft]
    with pytest.raises(CouncilsError):  # a resident may not publish
        services.resolution_publish(
            actor=resident, resolution=draft, number="I/1/2026", adopted_on=timezone.localdate()
        )
    with pytest.raises(CouncilsError) as caught:
        services.resolution_publish(
            actor=district_councillor, resolution=draft, number=" ", adopted_on=timezone.localdate()
        )
    assert caught.value.field == "number"
    with pytest.raises(CouncilsError) as caught:
        services.resolution_publish(
            actor=district_councillor,
            resolution=draft,
            number="I/1/2026",
            adopted_on=timezone.localdate() + timedelta(days=1),
        )
    assert caught.value.field == "adopted_on"
    published = services.resolution_publish(
        actor=district_councillor, resolution=draft, number="I/1/2026", adopted_on=date(2026, 1, 15)
    )
    assert (
        published.status == ResolutionStatus.PUBLISHED
        and published.published_by == district_councillor
    )
    assert list(resolution_list(body=body, viewer=resident_other_district)) == [published]
    entry = AuditLogEntry.objects.get(action="councils.resolution_published")
    assert entry.before["status"] == "draft" and entry.after["number"] == "I/1/2026"
    with pytest.raises(CouncilsError):  # published resolutions are not edited
        services.resolution_draft_save(
            actor=district_councillor, body=body, resolution=published, subject="x", text="y"
        )
    second = services.resolution_draft_save(
        actor=district_councillor, body=body, resolution=None, subject="ławek", text="§ 1."
    )
    with pytest.raises(CouncilsError) as caught:
        services.resolution_publish(
            actor=district_councillor,
            resolution=second,
            number="I/1/2026",
            adopted_on=date(2026, 1, 15),
        )
    assert caught.value.field == "number"


@pytest.mark.django_db
def test_a_councillor_of_another_district_cannot_run_this_council(
    krakow, district_councillor, official
):
    body, _term, _members = council_with_members(krakow[2])
    with pytest.raises(CouncilsError):
        services.resolution_draft_save(
            actor=district_councillor, body=body, resolution=None, subject="x", text="y"
        )
    with pytest.raises(CouncilsError):  # nor an official of any department (issue 15)
        services.resolution_draft_save(
            actor=official, body=body, resolution=None, subject="x", text="y"
        )


@pytest.mark.django_db
def test_a_resolution_voted_down_cannot_be_published(krakow, district_councillor):
    body, term, members = council_with_members(krakow[1], seats=5)
    meeting = MeetingFactory(body=body, term=term)
    draft = services.resolution_draft_save(
        actor=district_councillor, body=body, resolution=None, subject="parkingu", text="§ 1."
    )
    choices = {m.pk: VoteChoice.AGAINST for m in members[:3]}
    choices.update({m.pk: VoteChoice.FOR for m in members[3:]})
    vote = services.vote_record(
        actor=district_councillor,
        meeting=meeting,
        subject="Uchwała w sprawie parkingu",
        kind=VoteKind.ROLL_CALL,
        resolution=draft,
        choices=choices,
    )
    assert (vote.votes_for, vote.votes_against, vote.passed) == (2, 3, False)
    with pytest.raises(CouncilsError):
        services.resolution_publish(
            actor=district_councillor,
            resolution=draft,
            number="I/2/2026",
            adopted_on=timezone.localdate(),
        )
    not_adopted = services.resolution_not_adopted(
        actor=district_councillor, resolution=draft, on=timezone.localdate()
    )
    assert not_adopted.status == ResolutionStatus.NOT_ADOPTED


@pytest.mark.django_db
def test_a_roll_call_vote_needs_every_seated_member_and_a_quorum_to_pass(
    krakow, district_councillor
):
    body, term, members = council_with_members(krakow[1], seats=5)
    meeting = MeetingFactory(body=body, term=term)
    with pytest.raises(CouncilsError):  # one member missing
        services.vote_record(
            actor=district_councillor,
            meeting=meeting,
            subject="Porządek obrad",
            kind=VoteKind.ROLL_CALL,
            choices={m.pk: VoteChoice.FOR for m in members[:4]},
        )
    no_quorum = {m.pk: VoteChoice.ABSENT for m in members}
    no_quorum[members[0].pk] = VoteChoice.FOR
    no_quorum[members[1].pk] = VoteChoice.FOR
    vote = services.vote_record(
        actor=district_councillor,
        meeting=meeting,
        subject="Porządek obrad",
        kind=VoteKind.ROLL_CALL,
        choices=no_quorum,
    )
    assert vote.present == 2 and vote.passed is False  # quorum of 5 seats is 3
    assert vote.records.count() == 5
    secret = services.vote_record(
        actor=district_councillor,
        meeting=meeting,
        subject="Wybór wiceprzewodniczącego",
        kind=VoteKind.SECRET,
        counts=services.VoteCounts(votes_for=4, votes_against=1, abstentions=0),
    )
    assert secret.passed and secret.records.count() == 0  # a secret ballot keeps no names
    with pytest.raises(CouncilsError):
        services.vote_record(
            actor=district_councillor,
            meeting=meeting,
            subject="Za dużo głosów",
            kind=VoteKind.OPEN,
            counts=services.VoteCounts(votes_for=6, votes_against=0, abstentions=0),
        )
    planned = MeetingFactory(
        body=body, starts_at=timezone.now() + timedelta(days=3), status=MeetingStatus.PLANNED
    )
    with pytest.raises(CouncilsError):
        services.vote_record(
            actor=district_councillor,
            meeting=planned,
            subject="Przed sesją",
            kind=VoteKind.OPEN,
            counts=services.VoteCounts(votes_for=3, votes_against=0, abstentions=0),
        )


@pytest.mark.django_db
def test_seats_terms_and_the_age_and_school_rules_of_advisory_bodies(krakow, administrator):
    district_body, term, _members = council_with_members(krakow[3], seats=2)
    with pytest.raises(CouncilsError):  # both seats taken
        services.membership_add(actor=administrator, term=term, person_name="Trzecia osoba")
    with pytest.raises(CouncilsError) as caught:
        services.term_create(
            actor=administrator,
            body=district_body,
            name="nakładająca się",
            starts_on=date(2025, 1, 1),
            ends_on=None,
        )
    assert caught.value.field == "starts_on"
    seniors = BodyFactory(kind=BodyKind.SENIORS_COUNCIL, seats=25, min_member_age=60)
    seniors_term = TermFactory(body=seniors, starts_on=date(2024, 3, 1))
    with pytest.raises(CouncilsError) as caught:
        services.membership_add(actor=administrator, term=seniors_term, person_name="Bez daty")
    assert caught.value.field == "birth_date"
    with pytest.raises(CouncilsError) as caught:
        services.membership_add(
            actor=administrator,
            term=seniors_term,
            person_name="Za młoda",
            birth_date=date(1964, 3, 2),
        )
    assert "60" in str(caught.value)
    services.membership_add(
        actor=administrator, term=seniors_term, person_name="Senior", birth_date=date(1964, 3, 1)
    )
    youth = BodyFactory(kind=BodyKind.YOUTH_COUNCIL, seats=30)
    youth_term = TermFactory(body=youth)
    with pytest.raises(CouncilsError):
        services.membership_add(actor=administrator, term=youth_term, person_name="Bez szkoły")
    with pytest.raises(CouncilsError) as caught:
        services.school_election_record(
            actor=administrator,
            term=youth_term,
            school_name="I LO",
            held_on=date(2024, 9, 1),
            eligible_voters=100,
            votes_cast=120,
        )
    assert caught.value.field == "votes_cast"
    election = services.school_election_record(
        actor=administrator,
        term=youth_term,
        school_name="I LO",
        held_on=date(2024, 9, 1),
        eligible_voters=400,
        votes_cast=250,
    )
    assert round(election.turnout_percent, 1) == 62.5
    services.membership_add(
        actor=administrator, term=youth_term, person_name="Uczennica", school_election=election
    )
    with pytest.raises(CouncilsError):  # the school had one seat
        services.membership_add(
            actor=administrator,
            term=youth_term,
            person_name="Drugi uczeń",
            school_election=election,
        )
    commission = BodyFactory(kind=BodyKind.DIALOGUE_COMMISSION, seats=10)
    with pytest.raises(CouncilsError) as caught:
        services.membership_add(
            actor=administrator, term=TermFactory(body=commission), person_name="Bez NGO"
        )
    assert caught.value.field == "organisation_name"


@pytest.mark.django_db
def test_an_ended_seat_frees_it_and_shows_why(krakow, administrator):
    _body, term, members = council_with_members(krakow[4], seats=2)
    services.membership_end(
        actor=administrator, membership=members[0], ends_on=date(2025, 1, 31), reason="rezygnacja"
    )
    newcomer = services.membership_add(
        actor=administrator,
        term=term,
        person_name="Następczyni",
        starts_on=date(2025, 2, 1),
        role=MemberRole.MEMBER,
    )
    assert newcomer.starts_on == date(2025, 2, 1)
    assert AuditLogEntry.objects.filter(
        action="councils.membership_ended", reason="rezygnacja"
    ).exists()


@pytest.mark.django_db
def test_residents_questions_have_a_deadline_and_the_answer_reaches_the_author(
    krakow,
    resident,
    resident_other_district,
    district_councillor,
    django_capture_on_commit_callbacks,
):
    body, _term, _members = council_with_members(krakow[1])
    asked = timezone.now() - timedelta(days=40)
    late = services.question_ask(
        user=resident,
        body=body,
        kind=QuestionKind.MOTION,
        subject="Ławki",
        text="Proszę o ławki.",
        is_public=True,
        at=asked,
    )
    private = services.question_ask(
        user=resident,
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Moja sprawa",
        text="Prywatne.",
        is_public=False,
    )
    assert late.answer_due_on == timezone.localtime(asked).date() + timedelta(days=30)
    assert late.is_overdue_on(timezone.localdate())
    assert list(question_list(body=body, viewer=resident_other_district)) == [late]
    assert set(question_list(body=body, viewer=resident)) == {late, private}
    with pytest.raises(CouncilsError):
        services.question_answer(actor=resident_other_district, question=late, answer="Nie.")
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.question_answer(
            actor=district_councillor, question=late, answer="Ławki staną w maju."
        )
    assert answered.status == QuestionStatus.ANSWERED and not answered.is_overdue_on(
        timezone.localdate()
    )
    assert mail.outbox[-1].to == [resident.email] and "Ławki staną w maju." in mail.outbox[-1].body
    assert AuditLogEntry.objects.filter(action="councils.question_answered").exists()
    with pytest.raises(CouncilsError):
        services.question_answer(actor=district_councillor, question=answered, answer="Jeszcze raz")


@pytest.mark.django_db
def test_advisory_bodies_adopt_opinions_on_city_drafts_linked_to_consultations(
    krakow, administrator
):
    seniors = BodyFactory(kind=BodyKind.SENIORS_COUNCIL, seats=25, min_member_age=60)
    opinion = services.opinion_save(
        actor=administrator,
        body=seniors,
        opinion=None,
        fields={
            "draft_title": "Program senioralny",
            "requested_on": date(2026, 1, 5),
            "consultation_url": "https://www.bip.krakow.pl/konsultacje/program-senioralny",
        },
    )
    with pytest.raises(CouncilsError) as caught:
        services.opinion_adopt(
            actor=administrator,
            opinion=opinion,
            position=OpinionPosition.NEGATIVE,
            text=" ",
            adopted_on=date(2026, 1, 20),
        )
    assert caught.value.field == "text"
    adopted = services.opinion_adopt(
        actor=administrator,
        opinion=opinion,
        position=OpinionPosition.NEGATIVE,
        text="Program pomija dzielnice peryferyjne.",
        adopted_on=date(2026, 1, 20),
    )
    assert adopted.status == OpinionStatus.ADOPTED
    with pytest.raises(CouncilsError):
        services.opinion_adopt(
            actor=administrator,
            opinion=adopted,
            position=OpinionPosition.POSITIVE,
            text="x",
            adopted_on=date(2026, 1, 21),
        )
    district_body, _t, _m = council_with_members(krakow[5])
    with pytest.raises(CouncilsError):
        services.opinion_save(
            actor=administrator,
            body=district_body,
            opinion=None,
            fields={"draft_title": "x", "requested_on": date(2026, 1, 5)},
        )


@pytest.mark.django_db
def test_documents_are_files_of_allowed_types_or_links(
    krakow, district_councillor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    body, term, _members = council_with_members(krakow[1])
    meeting = MeetingFactory(body=body, term=term)
    with pytest.raises(CouncilsError) as caught:
        services.meeting_document_add(
            actor=district_councillor,
            meeting=meeting,
            title="Skrypt",
            upload=SimpleUploadedFile("skrypt.exe", b"MZ"),
        )
    assert caught.value.field == "upload"
    document = services.meeting_document_add(
        actor=district_councillor,
        meeting=meeting,
        title="Porządek",
        upload=SimpleUploadedFile("porzadek.pdf", b"%PDF-1.4 test"),
    )
    assert document.file.read() == b"%PDF-1.4 test"
    link = services.meeting_document_add(
        actor=district_councillor, meeting=meeting, title="BIP", url="https://www.bip.krakow.pl/"
    )
    assert link.url


@pytest.mark.django_db
def test_minutes_are_published_only_after_the_meeting(krakow, district_councillor):
    body, _term, _members = council_with_members(krakow[1])
    fields = {
        "title": "Sesja",
        "starts_at": timezone.now() + timedelta(days=2),
        "location": "Sala",
        "agenda": "1.",
        "minutes": "Protokół z góry",
    }
    with pytest.raises(CouncilsError) as caught:
        services.meeting_save(actor=district_councillor, body=body, meeting=None, fields=fields)
    assert caught.value.field == "minutes"
    held = services.meeting_save(
        actor=district_councillor,
        body=body,
        meeting=None,
        fields={
            **fields,
            "starts_at": timezone.now() - timedelta(days=1),
            "status": MeetingStatus.HELD,
        },
    )
    assert held.minutes_published_at is not None and held.term is not None


@pytest.mark.django_db
def test_the_district_panel_shows_the_council_members_and_next_session(krakow):
    assert district_council_panel(district=krakow[7]) is None
    body, term, members = council_with_members(krakow[7], seats=3)
    upcoming = MeetingFactory(
        body=body, starts_at=timezone.now() + timedelta(days=5), status=MeetingStatus.PLANNED
    )
    panel = district_council_panel(district=krakow[7])
    assert panel.body == body and panel.term == term
    assert {m.person_name for m in panel.members} == {m.person_name for m in members}
    assert panel.next_meeting == upcoming
