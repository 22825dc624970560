"""Council pages: public reading, managers' forms, bounded queries, the district include."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from wspolnota.councils import services
from wspolnota.councils.models import Resolution, ResolutionStatus, VoteChoice, VoteKind
from wspolnota.councils.tests.factories import MeetingFactory, council_with_members


@pytest.fixture
def council(krakow):
    body, term, members = council_with_members(krakow[1], seats=5)
    meeting = MeetingFactory(body=body, term=term)
    return body, term, members, meeting


@pytest.mark.django_db
def test_the_index_lists_every_district_council_in_bounded_queries(
    krakow, client, django_assert_max_num_queries
):
    services.district_councils_create(actor=None, districts=list(krakow.values()))
    with django_assert_max_num_queries(6):
        response = client.get("/pl/rady/")
    assert response.status_code == 200
    assert response.content.decode().count("/pl/rady/rada-dzielnicy-") == 18


@pytest.mark.django_db
def test_the_body_page_shows_members_meetings_and_resolutions_in_bounded_queries(
    council, client, django_assert_max_num_queries
):
    body, term, members, _meeting = council
    for n in range(5):
        MeetingFactory(body=body, term=term, title=f"Sesja {n}")
    with django_assert_max_num_queries(16):
        response = client.get(f"/pl/rady/{body.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert all(m.person_name in html for m in members)
    with django_assert_max_num_queries(10):
        assert client.get(f"/pl/rady/{body.slug}/posiedzenia/").status_code == 200


@pytest.mark.django_db
def test_roll_call_votes_are_published_name_by_name_on_the_meeting_page(council, client):
    _body, _term, members, meeting = council
    choices = {m.pk: VoteChoice.FOR for m in members}
    choices[members[0].pk] = VoteChoice.AGAINST
    services.vote_record(
        actor=None,
        meeting=meeting,
        subject="Porządek obrad",
        kind=VoteKind.ROLL_CALL,
        choices=choices,
    )
    html = client.get(f"/pl/rady/posiedzenia/{meeting.pk}/").content.decode()
    assert "Wykaz imienny: Porządek obrad" in html
    assert members[0].person_name in html and "przeciw" in html


@pytest.mark.django_db
def test_a_councillor_drafts_and_publishes_a_resolution_through_the_pages(
    council, client_for, client
):
    body, _term, _members, meeting = council
    councillor = client_for("district_councillor")
    response = councillor.post(
        f"/pl/rady/{body.slug}/uchwaly/nowa/", {"subject": "", "text": "§ 1. Treść."}
    )
    assert response.status_code == 400 and "§ 1. Treść." in response.content.decode()
    response = councillor.post(
        f"/pl/rady/{body.slug}/uchwaly/nowa/", {"subject": "drzew", "text": "§ 1. Treść."}
    )
    resolution = Resolution.objects.get()
    assert response.status_code == 302
    assert client.get(f"/pl/rady/uchwaly/{resolution.pk}/").status_code == 404  # a draft
    response = councillor.post(
        f"/pl/rady/uchwaly/{resolution.pk}/publikacja/",
        {
            "number": "I/7/2026",
            "adopted_on": timezone.localdate().isoformat(),
            "meeting": meeting.pk,
        },
    )
    assert response.status_code == 302
    resolution.refresh_from_db()
    assert resolution.status == ResolutionStatus.PUBLISHED
    page = client.get(f"/pl/rady/uchwaly/{resolution.pk}/").content.decode()
    assert "I/7/2026" in page and "§ 1. Treść." in page
    assert (
        client_for("resident").get(f"/pl/rady/uchwaly/{resolution.pk}/publikacja/").status_code
        == 403
    )


@pytest.mark.django_db
def test_a_resident_asks_a_question_and_a_form_with_errors_keeps_the_text(council, client_for):
    body, *_ = council
    resident = client_for("resident")
    response = resident.post(
        f"/pl/rady/{body.slug}/pytania/",
        {"kind": "question", "subject": "", "text": "Kiedy remont chodnika?", "is_public": "on"},
    )
    assert response.status_code == 400
    assert "Kiedy remont chodnika?" in response.content.decode()
    response = resident.post(
        f"/pl/rady/{body.slug}/pytania/",
        {
            "kind": "question",
            "subject": "Chodnik",
            "text": "Kiedy remont chodnika?",
            "is_public": "on",
        },
        follow=True,
    )
    assert "Odpowiedź powinna przyjść do" in response.content.decode()


@pytest.mark.django_db
def test_the_district_page_include_renders_the_council(council, krakow):
    body, *_ = council
    MeetingFactory(body=body, title="Następna sesja", starts_at=timezone.now() + timedelta(days=3))
    html = Template("{% load councils %}{% district_council district %}").render(
        Context({"district": krakow[1]})
    )
    assert body.name in html and "Następna sesja" in html and "Radna 0" in html
    empty = Template("{% load councils %}{% district_council district 3 %}").render(
        Context({"district": krakow[9]})
    )
    assert "<h3" in empty and "nie ma jeszcze strony" in empty


@pytest.mark.django_db
def test_a_district_number_leads_to_its_council(council, client):
    body, *_ = council
    response = client.get("/pl/rady/dzielnica/1/")
    assert response.status_code == 302 and response["Location"].endswith(f"/rady/{body.slug}/")
    assert client.get("/pl/rady/dzielnica/17/").status_code == 404


@pytest.mark.django_db
def test_meeting_documents_are_served_as_files_or_links(council, client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    body, _term, _members, meeting = council
    document = services.meeting_document_add(
        actor=None,
        meeting=meeting,
        title="Porządek",
        upload=SimpleUploadedFile("porzadek.txt", b"1. Otwarcie."),
    )
    link = services.meeting_document_add(
        actor=None, meeting=meeting, title="BIP", url="https://www.bip.krakow.pl/"
    )
    response = client.get(f"/pl/rady/posiedzenia/{meeting.pk}/dokumenty/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"1. Otwarcie."
    redirect = client.get(f"/pl/rady/posiedzenia/{meeting.pk}/dokumenty/{link.pk}/")
    assert redirect.status_code == 302 and redirect["Location"] == "https://www.bip.krakow.pl/"
    other = MeetingFactory(body=body)
    assert (
        client.get(f"/pl/rady/posiedzenia/{other.pk}/dokumenty/{document.pk}/").status_code == 404
    )
