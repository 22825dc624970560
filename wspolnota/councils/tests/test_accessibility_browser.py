"""Council pages in headless Chromium with axe-core: no WCAG 2.1 A/AA violation."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.councils import services
from wspolnota.councils.models import BodyKind, QuestionKind, VoteChoice, VoteKind
from wspolnota.councils.tests.factories import MeetingFactory, council_with_members
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def council(krakow):
    body, term, members = council_with_members(krakow[1], seats=5)
    meeting = MeetingFactory(
        body=body, term=term, minutes="Protokół.", recording_url="https://example.org/r"
    )
    draft = services.resolution_draft_save(
        actor=None, body=body, resolution=None, subject="zieleni", text="§ 1. Drzewa."
    )
    services.vote_record(
        actor=None,
        meeting=meeting,
        subject="Uchwała w sprawie zieleni",
        kind=VoteKind.ROLL_CALL,
        resolution=draft,
        choices={m.pk: VoteChoice.FOR for m in members},
    )
    resolution = services.resolution_publish(
        actor=None, resolution=draft, number="I/1/2026", adopted_on=timezone.localdate()
    )
    resident = UserFactory(password=PASSWORD)
    question = services.question_ask(
        user=resident,
        body=body,
        kind=QuestionKind.MOTION,
        subject="Ławki",
        text="Prośba.",
        is_public=True,
    )
    youth = services.body_create(
        actor=None, kind=BodyKind.YOUTH_COUNCIL, name="Młodzieżowa Rada", seats=30
    )
    youth_term = services.term_create(
        actor=None,
        body=youth,
        name="2025–2027",
        starts_on=date(2025, 10, 1),
        ends_on=date(2027, 9, 30),
    )
    services.school_election_record(
        actor=None,
        term=youth_term,
        school_name="I LO",
        held_on=date(2025, 9, 20),
        eligible_voters=500,
        votes_cast=300,
    )
    opinion = services.opinion_save(
        actor=None,
        body=youth,
        opinion=None,
        fields={"draft_title": "Program dla młodzieży", "requested_on": date(2026, 1, 5)},
    )
    official = UserFactory(password=PASSWORD)
    # Runs every body on these pages: an official of some department no longer does (issue 15).
    RoleAssignmentFactory(user=official, role=Role.ADMINISTRATOR)
    return {
        "body": body,
        "term": term,
        "meeting": meeting,
        "resolution": resolution,
        "question": question,
        "youth": youth,
        "youth_term": youth_term,
        "opinion": opinion,
        "official": official,
        "members": members,
    }


@pytest.mark.parametrize("language", ["pl", "en"])
def test_public_council_pages_have_no_wcag_violations(browser, live_server, council, language):
    page = browser.new_context().new_page()
    base = f"{live_server.url}/{language}/rady"
    body = council["body"]
    failures = check_urls(
        page,
        [
            f"{base}/",
            f"{base}/{body.slug}/",
            f"{base}/{body.slug}/kadencje/{council['term'].pk}/",
            f"{base}/{body.slug}/posiedzenia/",
            f"{base}/posiedzenia/{council['meeting'].pk}/",
            f"{base}/{body.slug}/uchwaly/",
            f"{base}/uchwaly/{council['resolution'].pk}/",
            f"{base}/{body.slug}/pytania/",
            f"{base}/pytania/{council['question'].pk}/",
            f"{base}/{council['youth'].slug}/",
            f"{base}/{council['youth'].slug}/kadencje/{council['youth_term'].pk}/",
            f"{base}/opinie/{council['opinion'].pk}/",
        ],
    )
    page.context.close()
    assert failures == [], "\n\n".join(failures)


def test_management_pages_and_a_form_with_errors_have_no_wcag_violations(
    browser, live_server, council
):
    page = browser.new_context().new_page()
    log_in(page, live_server.url, council["official"].email, PASSWORD)
    base = f"{live_server.url}/pl/rady"
    body = council["body"]
    term = council["term"]
    failures = check_urls(
        page,
        [
            f"{base}/{body.slug}/posiedzenia/nowe/",
            f"{base}/posiedzenia/{council['meeting'].pk}/glosowanie/",
            f"{base}/posiedzenia/{council['meeting'].pk}/dokumenty/nowy/",
            f"{base}/{body.slug}/uchwaly/nowa/",
            f"{base}/uchwaly/{council['resolution'].pk}/zmiana-stanu/",
            f"{base}/pytania/{council['question'].pk}/",
            f"{base}/{body.slug}/kadencje/nowa/",
            f"{base}/{body.slug}/kadencje/{term.pk}/czlonkowie/nowy/",
            f"{base}/{body.slug}/kadencje/{term.pk}/komisje/nowa/",
            f"{base}/mandaty/{council['members'][0].pk}/wygasniecie/",
            f"{base}/{council['youth'].slug}/kadencje/{council['youth_term'].pk}/wybory-szkolne/nowe/",
            f"{base}/{council['youth'].slug}/opinie/nowa/",
            f"{base}/opinie/{council['opinion'].pk}/przyjecie/",
        ],
    )
    page.goto(f"{base}/{body.slug}/uchwaly/nowa/")
    page.fill("#id_text", "§ 1. Treść bez tematu.")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#id_text") == "§ 1. Treść bez tematu."
    report = axe_violations(page)
    if report:
        failures.append(f"resolution form with errors\n{report}")
    page.context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_school_election_by_codes_pages_have_no_wcag_violations(
    browser, live_server, council, language
):
    from datetime import timedelta

    from wspolnota.councils import school_votes
    from wspolnota.schools.models import CodeBox

    now = timezone.now()
    args = {
        "actor": None,
        "term": council["youth_term"],
        "candidates": ["Anna Nowak", "Jan Kowalski"],
        "seats": 1,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(hours=1),
    }
    running = school_votes.school_vote_open(school_name="XII LO", **args)
    counted = school_votes.school_vote_open(school_name="V LO", **args)
    school_votes.school_vote_sheet_issue(actor=None, vote=counted, label="1a", size=2)
    CodeBox.objects.filter(pk=counted.box_id).update(closes_at=now - timedelta(minutes=1))
    counted.refresh_from_db()
    school_votes.school_vote_close(actor=None, vote=counted, at=now)
    page = browser.new_context().new_page()
    base = f"{live_server.url}/{language}/rady"
    failures = check_urls(
        page,
        [
            f"{base}/glosowanie-szkolne/{running.pk}/",
            f"{base}/glosowanie-szkolne/{counted.pk}/",
        ],
    )
    page.goto(f"{base}/glosowanie-szkolne/{running.pk}/")
    page.fill("#id_code", "ABCD-2345")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    report = axe_violations(page)
    if report:
        failures.append(f"school vote with errors\n{report}")
    log_in(page, live_server.url, council["official"].email, PASSWORD, language)
    youth, term = council["youth"], council["youth_term"]
    failures += check_urls(
        page,
        [
            f"{base}/{youth.slug}/kadencje/{term.pk}/glosowanie-szkolne/nowe/",
            f"{base}/glosowanie-szkolne/{running.pk}/kody/",
            f"{base}/glosowanie-szkolne/{counted.pk}/kody/",
        ],
    )
    page.context.close()
    assert failures == [], "\n\n".join(failures)
