"""Anonymous surveys keep no account and resist ballot stuffing; the report is readable and
complete: human labels, remarks hidden by moderation counted with their reasons, a real answer
to every remark."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.consultations import selectors, services
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import Response
from wspolnota.consultations.tests.factories import ConsultationFactory, RemarkFactory


@pytest.fixture
def consultation(official):
    return ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit,
        created_by=official,
        forms=["document", "meeting", "survey", "opinion_map"],
    )


@pytest.fixture
def anonymous_survey(consultation, official):
    return services.survey_create(
        actor=official,
        consultation=consultation,
        title="Jak dojeżdżasz do parku?",
        intro="",
        verified=False,
        questions="single | Czym dojeżdżasz? | pieszo; rowerem; tramwajem",
    )


def answer(survey, option="rowerem"):
    question = survey.questions.get()
    return {f"q{question.pk}": option}


@pytest.mark.django_db
def test_an_anonymous_survey_keeps_no_account_of_a_signed_in_respondent(
    client_for, anonymous_survey, consultation
):
    client = client_for("resident")
    response = client.post(
        f"/pl/konsultacje/{consultation.pk}/ankiety/{anonymous_survey.pk}/",
        answer(anonymous_survey),
    )
    assert response.status_code == 302
    stored = Response.objects.get(survey=anonymous_survey)
    assert stored.respondent_id is None and stored.district_id is None


@pytest.mark.django_db
def test_the_same_browser_cannot_stuff_an_anonymous_survey(client, anonymous_survey, consultation):
    url = f"/pl/konsultacje/{consultation.pk}/ankiety/{anonymous_survey.pk}/"
    for _ in range(5):
        client.post(url, answer(anonymous_survey))
    assert Response.objects.filter(survey=anonymous_survey).count() == 1
    page = client.get(url).content.decode()
    assert "jedną odpowiedź" in page


@pytest.mark.django_db
def test_the_report_names_the_forms_instead_of_their_codes(client_for, consultation):
    body = client_for("official").get(f"/pl/konsultacje/{consultation.pk}/raport/").content
    text = body.decode()
    assert "otwarte spotkanie" in text and "mapa opinii" in text
    assert "opinion_map" not in text


@pytest.mark.django_db
def test_the_report_counts_remarks_hidden_by_moderation_with_their_reasons(
    client_for, consultation, moderator
):
    for text in ("Wulgarny wpis", "Drugi wulgarny wpis"):
        services.remark_hide(
            actor=moderator,
            remark=RemarkFactory(consultation=consultation, text=text),
            reason="wulgaryzmy",
            at=timezone.now(),
        )
    RemarkFactory(consultation=consultation, text="Więcej ławek")
    data = selectors.report_data(consultation=consultation)
    assert data.hidden == [("wulgaryzmy", 2)]
    body = client_for("official").get(f"/pl/konsultacje/{consultation.pk}/raport/").content
    text = body.decode()
    assert "wulgaryzmy" in text and "Wulgarny wpis" not in text


@pytest.mark.django_db
def test_a_remark_cannot_be_answered_with_a_word(consultation, official):
    remark = RemarkFactory(consultation=consultation)
    for empty in ("ok.", "Nie.", "—", "uwzględniona"):
        with pytest.raises(ConsultationsError) as error:
            services.remark_answer(
                actor=official,
                remark=remark,
                disposition="rejected",
                reason=empty,
                at=timezone.now(),
            )
        assert error.value.field == "reason"
    after = timezone.now() + timedelta(days=30)
    with pytest.raises(ConsultationsError):
        services.report_publish(actor=official, consultation=consultation, summary="x", at=after)
