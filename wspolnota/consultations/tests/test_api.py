"""The read API: consultations with forms and dates, answered remarks, the report, the opinion map."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.consultations import services
from wspolnota.consultations.models import Document, Section, Statement
from wspolnota.consultations.tests.factories import (
    ConsultationFactory,
    MeetingFactory,
    RemarkFactory,
)
from wspolnota.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consultation(official):
    return ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit,
        created_by=official,
        title="Park Krakowski: nowa aranżacja",
    )


def test_the_list_shows_announced_consultations_with_forms_and_dates(
    client, consultation, django_assert_max_num_queries
):
    ConsultationFactory(title="Projekt w szufladzie", published_at=None)
    for _ in range(4):
        ConsultationFactory(starts_on=consultation.starts_on - timedelta(days=1))
    with django_assert_max_num_queries(4):
        data = client.get("/api/consultations").json()
    assert len(data) == 5 and "Projekt w szufladzie" not in {c["title"] for c in data}
    data = [c for c in data if c["id"] == consultation.pk]
    item = data[0]
    assert item["phase"] == "open" and item["duration_days"] == 26
    assert item["starts_on"] == consultation.starts_on.isoformat()
    assert item["information_from"] == consultation.information_from.isoformat()
    assert [f["code"] for f in item["forms"]] == ["document", "meeting", "survey", "opinion_map"]
    assert item["forms"][1]["label"] == "otwarte spotkanie"
    assert item["url"].endswith(f"/konsultacje/{consultation.pk}/")


def test_labels_follow_the_language_asked_for(client, consultation):
    data = client.get("/api/consultations", HTTP_ACCEPT_LANGUAGE="en").json()
    assert data[0]["forms"][1]["label"] != "otwarte spotkanie"


def test_the_detail_has_documents_meetings_and_the_override_reason(client, consultation):
    document = Document.objects.create(consultation=consultation, title="Koncepcja parku")
    Section.objects.create(document=document, number=1, text="Alejki zostają.")
    MeetingFactory(consultation=consultation, title="Spacer badawczy", capacity=25)
    data = client.get(f"/api/consultations/{consultation.pk}").json()
    assert data["legal_basis"].startswith("uchwała")
    assert data["documents"][0]["sections"] == [{"number": 1, "text": "Alejki zostają."}]
    assert data["meetings"][0]["title"] == "Spacer badawczy"
    assert data["meetings"][0]["capacity"] == 25 and data["meetings"][0]["registered"] == 0
    assert data["rules_override_reason"] == ""


def test_drafts_are_not_found_and_errors_are_json(client, client_for, official):
    draft = ConsultationFactory(
        published_at=None, initiating_unit=official.role_assignments.get().city_unit
    )
    response = client.get(f"/api/consultations/{draft.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/api/consultations/{draft.pk}/remarks").status_code == 404
    assert client.get("/api/consultations/999999/opinion-map").status_code == 404
    assert client_for("official").get(f"/api/consultations/{draft.pk}").status_code == 200


def test_remarks_carry_the_answer_and_its_reason_but_not_the_author(
    client, consultation, official, moderator
):
    author = UserFactory()
    answered = RemarkFactory(
        consultation=consultation, author=author, author_name="Zofia Tajna", text="Więcej ławek"
    )
    duplicate = RemarkFactory(consultation=consultation, text="Ławki, proszę")
    hidden = RemarkFactory(consultation=consultation, text="Obraźliwy wpis")
    services.remark_answer(
        actor=official,
        remark=answered,
        disposition="partly",
        reason="Dodamy 12 ławek, cień dadzą nowe drzewa.",
        at=timezone.now(),
    )
    services.remark_group_as_duplicate(actor=official, remark=duplicate, original=answered)
    services.remark_hide(actor=moderator, remark=hidden, reason="Wulgaryzmy", at=timezone.now())
    response = client.get(f"/api/consultations/{consultation.pk}/remarks")
    data = response.json()
    assert data["count"] == 2
    by_text = {r["text"]: r for r in data["items"]}
    assert set(by_text) == {"Więcej ławek", "Ławki, proszę"}
    assert by_text["Więcej ławek"]["disposition"] == "partly"
    assert by_text["Ławki, proszę"]["duplicate_of"] == answered.pk
    assert by_text["Ławki, proszę"]["reason"] == "Dodamy 12 ławek, cień dadzą nowe drzewa."
    body = response.content.decode()
    assert "Tajna" not in body and author.email not in body and "author" not in body


def test_the_report_is_served_only_once_published(client, consultation, official, resident):
    url = f"/api/consultations/{consultation.pk}/report"
    assert client.get(url).status_code == 404
    remark = services.remark_submit(
        author=resident, consultation=consultation, text="Ławki przy placu zabaw", at=timezone.now()
    )
    services.remark_answer(
        actor=official,
        remark=remark,
        disposition="accepted",
        reason="Będą ławki przy placu zabaw, od strony ulicy.",
        at=timezone.now(),
    )
    services.survey_create(
        actor=official,
        consultation=consultation,
        title="Ankieta o parku",
        intro="",
        verified=False,
        questions="single | Czy bywasz w parku? | codziennie; rzadko",
    )
    survey = consultation.surveys.get()
    question = survey.questions.get()
    services.survey_respond(
        survey=survey, respondent=resident, answers={question.pk: "rzadko"}, at=timezone.now()
    )
    services.report_publish(
        actor=official,
        consultation=consultation,
        summary="Dodamy ławki.",
        at=timezone.now() + timedelta(days=25),
    )
    data = client.get(url).json()
    assert data["summary"] == "Dodamy ławki." and data["remarks"] == 1
    assert data["by_disposition"] == [{"label": "uwzględniona", "count": 1}]
    assert data["survey_responses"] == 1
    rows = data["surveys"][0]["questions"][0]["rows"]
    assert rows == [
        {"label": "codziennie", "share": 0.0, "count": 0},
        {"label": "rzadko", "share": 1.0, "count": 1},
    ]
    assert data["pdf_url"].endswith(f"/konsultacje/{consultation.pk}/raport.pdf")
    assert data["consultation"]["phase"] == "reported"


def test_the_opinion_map_gives_groups_and_counts_without_identities(
    client, consultation, official, django_capture_on_commit_callbacks
):
    people = [UserFactory() for _ in range(16)]
    statements = []
    for index in range(8):
        statement = services.statement_submit(
            author=people[index],
            consultation=consultation,
            text=f"Stwierdzenie {index}",
            at=timezone.now(),
        )
        services.statement_moderate(actor=official, statement=statement, accept=True)
        statements.append(statement)
    services.statement_submit(
        author=people[0], consultation=consultation, text="Czeka na moderację", at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        for p, person in enumerate(people):
            for s, statement in enumerate(statements):
                choice = 1 if s == 0 or (s % 2 == p % 2) else -1
                services.statement_vote(
                    user=person, statement=statement, choice=choice, at=timezone.now()
                )
    response = client.get(f"/api/consultations/{consultation.pk}/opinion-map")
    data = response.json()
    assert [s["text"] for s in data["statements"]] == [f"Stwierdzenie {i}" for i in range(8)]
    assert data["statements"][0] == {
        "id": statements[0].pk,
        "text": "Stwierdzenie 0",
        "agrees": 16,
        "disagrees": 0,
        "passes": 0,
    }
    assert sorted(g["size"] for g in data["groups"]) == [8, 8]
    assert data["participants"] == 16
    assert data["consensus"][0] == statements[0].pk
    assert all(g["representative"] for g in data["groups"])
    assert Statement.objects.filter(status=Statement.Status.PENDING).count() == 1
    body = response.content.decode()
    assert "Czeka na moderację" not in body
    assert "positions" not in body and all(p.email not in body for p in people)


def test_an_opinion_map_not_yet_computed_is_empty(client, consultation):
    data = client.get(f"/api/consultations/{consultation.pk}/opinion-map").json()
    assert data == {
        "statements": [],
        "participants": 0,
        "groups": [],
        "consensus": [],
        "consensus_disagree": [],
        "firmness": None,
        "fingerprint": "",
        "computed_at": None,
    }
