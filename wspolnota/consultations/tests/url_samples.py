"""URL arguments for the every-URL sweep: one open consultation with something of every kind."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wspolnota.consultations import services
from wspolnota.consultations.models import Statement
from wspolnota.consultations.tests.factories import (
    ConsultationFactory,
    MeetingFactory,
    RemarkFactory,
)


def url_samples(request: Any) -> dict[str, Any]:
    krakow = request.getfixturevalue("krakow")
    official = request.getfixturevalue("official")
    resident = request.getfixturevalue("resident")
    unit = official.role_assignments.get().city_unit
    consultation = ConsultationFactory(initiating_unit=unit, created_by=official)
    services.document_add(
        actor=official, consultation=consultation, title="Projekt", text="Pierwszy.\n\nDrugi."
    )
    meeting = MeetingFactory(consultation=consultation)
    remark = RemarkFactory(consultation=consultation, author=resident, district=krakow[1])
    survey = services.survey_create(
        actor=official,
        consultation=consultation,
        title="Ankieta",
        intro="",
        verified=False,
        questions="single | Czy? | tak; nie\nmatrix | Oceń | dobrze; źle || zieleń; ławki\n"
        "ranking | Kolejność | a; b\nscale | Ile?\ntext* | Uwagi",
    )
    now = timezone.now()
    statement = services.statement_submit(
        author=resident, consultation=consultation, text="Więcej drzew", at=now
    )
    services.statement_moderate(actor=official, statement=statement, accept=True)
    services.statement_vote(user=resident, statement=statement, choice=1, at=now)
    Statement.objects.create(consultation=consultation, text="Czeka", status="pending")
    return {
        "consultation_pk": consultation.pk,
        "consultation_id": consultation.pk,  # the JSON API's detail route
        "meeting_pk": meeting.pk,
        "remark_pk": remark.pk,
        "survey_pk": survey.pk,
        "statement_pk": statement.pk,
        "export_name": "participants-votes",
        "person_pk": resident.pk,
    }
