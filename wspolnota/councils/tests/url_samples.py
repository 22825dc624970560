"""URL arguments for the every-URL sweep: a district council with one of everything."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from wspolnota.councils import school_votes, services
from wspolnota.councils.models import (
    BodyKind,
    MeetingDocument,
    QuestionKind,
    VoteChoice,
    VoteKind,
)
from wspolnota.councils.tests.factories import MeetingFactory, council_with_members


def url_samples(request: Any) -> dict[str, Any]:
    krakow = request.getfixturevalue("krakow")
    resident = request.getfixturevalue("resident")
    body, term, members = council_with_members(krakow[1])
    meeting = MeetingFactory(body=body, term=term)
    # a link, not a file: the sweep must not change MEDIA_ROOT, which other apps' samples use
    document = MeetingDocument.objects.create(
        meeting=meeting, title="Porządek obrad", url="https://www.bip.krakow.pl/"
    )
    resolution = services.resolution_draft_save(
        actor=None, body=body, resolution=None, subject="zieleni", text="§ 1. Sadzimy drzewa."
    )
    services.vote_record(
        actor=None,
        meeting=meeting,
        subject="Uchwała w sprawie zieleni",
        kind=VoteKind.ROLL_CALL,
        resolution=resolution,
        choices={m.pk: VoteChoice.FOR for m in members},
    )
    services.resolution_publish(
        actor=None, resolution=resolution, number="I/1/2026", adopted_on=timezone.localdate()
    )
    question = services.question_ask(
        user=resident,
        body=body,
        kind=QuestionKind.QUESTION,
        subject="Ławki",
        text="Kiedy?",
        is_public=True,
    )
    seniors = services.body_create(
        actor=None, kind=BodyKind.SENIORS_COUNCIL, name="Rada Seniorów", seats=25, min_member_age=60
    )
    opinion = services.opinion_save(
        actor=None,
        body=seniors,
        opinion=None,
        fields={
            "draft_title": "Program senioralny",
            "requested_on": date.today() - timedelta(days=1),
        },
    )
    youth = services.body_create(
        actor=None, kind=BodyKind.YOUTH_COUNCIL, name="Młodzieżowa Rada Krakowa", seats=40
    )
    youth_term = services.term_create(
        actor=None, body=youth, name="I kadencja", starts_on=date.today(), ends_on=None
    )
    school_vote = school_votes.school_vote_open(
        actor=None,
        term=youth_term,
        school_name="XII LO",
        candidates=["Anna Nowak", "Jan Kowalski"],
        seats=1,
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(hours=1),
    )
    return {
        "vote_id": school_vote.pk,
        "district_number": 1,
        "body_slug": body.slug,
        "term_id": term.pk,
        "meeting_id": meeting.pk,
        "document_id": document.pk,
        "resolution_id": resolution.pk,
        "question_id": question.pk,
        "opinion_id": opinion.pk,
        "membership_id": members[-1].pk,
    }
