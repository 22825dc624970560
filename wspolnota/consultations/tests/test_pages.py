"""Pages work without JavaScript, keep what the user typed on errors, and list in few queries."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.consultations import services
from wspolnota.consultations.models import Consultation, Remark, StatementVote
from wspolnota.consultations.tests.factories import (
    ConsultationFactory,
    MeetingFactory,
    RemarkFactory,
)


@pytest.fixture
def consultation(official):
    return ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit,
        created_by=official,
        title="Park Krakowski: nowa aranżacja",
    )


@pytest.mark.django_db
def test_the_list_shows_announced_consultations_only_in_few_queries(
    client, consultation, django_assert_max_num_queries
):
    ConsultationFactory(title="Projekt w szufladzie", published_at=None)
    for _ in range(5):
        ConsultationFactory()
    with django_assert_max_num_queries(6):
        body = client.get("/pl/konsultacje/").content.decode()
    assert "Park Krakowski" in body and "Projekt w szufladzie" not in body


@pytest.mark.django_db
def test_an_official_plans_a_consultation_through_the_form(client_for, official):
    client = client_for("official")
    unit = official.role_assignments.get().city_unit
    today = timezone.localdate()
    data = {
        "title": "Rondo Mogilskie",
        "summary": "Jak zmienić rondo?",
        "initiating_unit": unit.pk,
        "legal_basis": "uchwała CXI/2904/18",
        "citywide": "on",
        "languages": ["pl", "uk"],
        "forms": ["document", "meeting"],
        "information_from": today.isoformat(),
        "starts_on": (today + timedelta(days=7)).isoformat(),
        "ends_on": (today - timedelta(days=1)).isoformat(),
    }
    response = client.post("/pl/konsultacje/nowe/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "error-summary" in body and 'value="Rondo Mogilskie"' in body
    data["ends_on"] = (today + timedelta(days=27)).isoformat()
    response = client.post("/pl/konsultacje/nowe/", data)
    consultation = Consultation.objects.get(title="Rondo Mogilskie")
    assert response.status_code == 302 and consultation.published_at is None
    detail = client.get(f"/pl/konsultacje/{consultation.pk}/").content.decode()
    assert "Potrzebne są co najmniej 3 formy" in detail
    response = client.post(f"/pl/konsultacje/{consultation.pk}/oglos/", {"override_reason": ""})
    assert response.status_code == 400 and "uzasadnieniem" in response.content.decode()


@pytest.mark.django_db
def test_a_resident_sends_a_remark_and_sees_errors_without_losing_the_text(
    client_for, consultation
):
    client = client_for("resident")
    url = f"/pl/konsultacje/{consultation.pk}/uwagi/"
    response = client.post(url, {"text": "Więcej drzew przy alejce", "latitude": "50.06"})
    assert response.status_code == 400
    assert "Więcej drzew przy alejce" in response.content.decode()
    assert client.post(url, {"text": "Więcej drzew przy alejce"}).status_code == 302
    assert Remark.objects.get().text == "Więcej drzew przy alejce"


@pytest.mark.django_db
def test_an_official_answers_a_remark_from_the_management_page(client_for, consultation):
    remark = RemarkFactory(consultation=consultation)
    client = client_for("official")
    assert client.get(f"/pl/konsultacje/{consultation.pk}/uwagi/zarzadzaj/").status_code == 200
    url = f"/pl/konsultacje/{consultation.pk}/uwagi/{remark.pk}/"
    assert client.post(url, {"disposition": "rejected", "reason": ""}).status_code == 400
    assert (
        client.post(
            url,
            {"disposition": "rejected", "reason": "To teren prywatny, miasto nim nie zarządza."},
        ).status_code
        == 302
    )
    remark.refresh_from_db()
    assert remark.disposition == "rejected"
    twin = RemarkFactory(consultation=consultation, text="To samo")
    twin_url = f"/pl/konsultacje/{consultation.pk}/uwagi/{twin.pk}/"
    missing = client.post(twin_url, {"action": "duplicate", "original": 99999})
    assert missing.status_code == 400 and "Nie ma takiej uwagi" in missing.content.decode()
    assert client.post(twin_url, {"action": "duplicate", "original": remark.pk}).status_code == 302
    twin.refresh_from_db()
    assert twin.duplicate_of == remark
    assert (
        client_for("resident").post(url, {"disposition": "accepted", "reason": "x"}).status_code
        == 403
    )


@pytest.mark.django_db
def test_voting_on_the_opinion_map_works_with_plain_forms(
    client_for, consultation, official, resident
):
    statement = services.statement_submit(
        author=official, consultation=consultation, text="Więcej ławek", at=timezone.now()
    )
    services.statement_moderate(actor=official, statement=statement, accept=True)
    second = services.statement_submit(
        author=official, consultation=consultation, text="Mniej samochodów", at=timezone.now()
    )
    services.statement_moderate(actor=official, statement=second, accept=True)
    client = client_for("resident")
    url = f"/uk/konsultacje/{consultation.pk}/mapa-opinii/"
    first_card = client.get(url).content.decode()
    assert f'name="statement" value="{statement.pk}"' in first_card
    response = client.post(url, {"statement": statement.pk, "choice": "-1"})
    # back to the next statement's card, not to the top of the page
    assert response.status_code == 302 and response["Location"].endswith("#next-statement")
    assert StatementVote.objects.get(participant__user=resident).choice == -1
    body = client.get(url).content.decode()
    card = body[
        body.index('id="next-statement"') : body.index(
            "</section>", body.index('id="next-statement"')
        )
    ]
    assert "Mniej samochodów" in card and "Więcej ławek" not in card
    # a vote changed from the list of all statements returns to that statement
    changed = client.post(url, {"statement": statement.pk, "choice": "1", "back": "list"})
    assert changed["Location"].endswith(f"#st-{statement.pk}")
    assert StatementVote.objects.get(participant__user=resident).choice == 1


@pytest.mark.django_db
def test_with_htmx_a_vote_swaps_in_the_next_statement(client_for, consultation, official):
    statements = []
    for text in ("Więcej ławek", "Mniej samochodów"):
        statement = services.statement_submit(
            author=official, consultation=consultation, text=text, at=timezone.now()
        )
        services.statement_moderate(actor=official, statement=statement, accept=True)
        statements.append(statement)
    client = client_for("resident")
    url = f"/pl/konsultacje/{consultation.pk}/mapa-opinii/"
    response = client.post(
        url, {"statement": statements[0].pk, "choice": "1"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert 'id="next-statement"' in body and "Mniej samochodów" in body
    assert 'hx-swap-oob="true"' in body and "Zapisano: zgadzam się." in body
    last = client.post(
        url, {"statement": statements[1].pk, "choice": "0"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "Zagłosowano nad wszystkimi stwierdzeniami" in last


@pytest.mark.django_db
def test_registering_for_a_full_meeting_says_so(client_for, consultation):
    meeting = MeetingFactory(consultation=consultation, capacity=0)
    response = client_for("resident").post(
        f"/pl/konsultacje/{consultation.pk}/spotkania/{meeting.pk}/", {"needs": "pętla indukcyjna"}
    )
    assert response.status_code == 400 and "Brak wolnych miejsc" in response.content.decode()


@pytest.mark.django_db
def test_drafts_and_unpublished_reports_are_hidden_from_residents(client_for, consultation):
    draft = ConsultationFactory(published_at=None)
    assert client_for("resident").get(f"/pl/konsultacje/{draft.pk}/").status_code == 404
    assert (
        client_for("resident").get(f"/pl/konsultacje/{consultation.pk}/raport/").status_code == 404
    )
    assert (
        client_for("official").get(f"/pl/konsultacje/{consultation.pk}/raport/").status_code == 200
    )


@pytest.mark.django_db
def test_the_report_pdf_contains_every_remark_with_its_answer(
    client_for, consultation, official, tmp_path
):
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: apt-get install poppler-utils")
    remark = RemarkFactory(consultation=consultation, text="Prosimy o fontannę z wodą pitną")
    services.remark_answer(
        actor=official,
        remark=remark,
        disposition="accepted",
        reason="Poidełko stanie przy wejściu od ul. Mazowieckiej.",
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
    response = client_for("official").get(f"/pl/konsultacje/{consultation.pk}/raport.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "raport.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    squashed = " ".join(text.split())
    for expected in (
        "Park Krakowski: nowa aranżacja",
        "Prosimy o fontannę z wodą pitną",
        "uwzględniona",
        "Poidełko stanie przy wejściu od ul. Mazowieckiej.",
        "Ankieta o parku",
        "Uwagi według kanału",
    ):
        assert expected in squashed, expected
    subprocess.run(
        ["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert list(tmp_path.glob("page*.png"))


@pytest.mark.django_db
def test_a_vote_on_a_statement_that_is_not_a_number_is_a_bad_request(client_for, consultation):
    url = f"/pl/konsultacje/{consultation.pk}/mapa-opinii/"
    for bad in ("²", "٣", "1e3", "99999999999999999999"):
        response = client_for("resident").post(url, {"statement": bad, "choice": "1"})
        assert response.status_code == 400, bad


@pytest.mark.django_db
def test_a_consultation_speaks_english_and_ukrainian_where_its_texts_are_given(
    client, consultation
):
    consultation.title_uk = "Парк Краківський: нове облаштування"
    consultation.summary_uk = "Як змінити парк?"
    consultation.save()
    ukrainian = client.get(f"/uk/konsultacje/{consultation.pk}/").content.decode()
    assert "<h1>Парк Краківський: нове облаштування</h1>" in ukrainian
    english = client.get(f"/en/konsultacje/{consultation.pk}/").content.decode()
    assert '<h1 lang="pl">Park Krakowski: nowa aranżacja</h1>' in english
    listing = client.get("/uk/konsultacje/").content.decode()
    assert "Парк Краківський" in listing
    api = client.get(f"/api/consultations/{consultation.pk}").json()
    assert api["translations"] == {
        "uk": {"title": "Парк Краківський: нове облаштування", "summary": "Як змінити парк?"}
    }
