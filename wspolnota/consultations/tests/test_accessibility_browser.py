"""Consultation pages in headless Chromium: no WCAG 2.1 A/AA violation (axe), with and without
errors, in Polish, English and Ukrainian."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.consultations import services
from wspolnota.consultations.tests.factories import (
    ConsultationFactory,
    MeetingFactory,
    RemarkFactory,
)
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def build(krakow):
    unit = CityUnitFactory(code="WPL", name="Wydział Planowania Przestrzennego")
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    residents = [UserFactory(district=krakow[1 + i % 18], password=PASSWORD) for i in range(12)]
    consultation = ConsultationFactory(
        initiating_unit=unit, created_by=official, title="Bulwary Wisły: zieleń i rowery"
    )
    services.document_add(
        actor=official,
        consultation=consultation,
        title="Koncepcja zagospodarowania",
        text="§ Ścieżka rowerowa wzdłuż rzeki.\n\n§ Nowe nasadzenia drzew.",
    )
    meeting = MeetingFactory(consultation=consultation)
    now = timezone.now()
    remark = RemarkFactory(consultation=consultation, author=residents[0], district=krakow[1])
    services.remark_answer(
        actor=official, remark=remark, disposition="partly", reason="Część drzew posadzimy.", at=now
    )
    survey = services.survey_create(
        actor=official,
        consultation=consultation,
        title="Jak korzystasz z bulwarów?",
        intro="Pięć krótkich pytań.",
        verified=False,
        questions=(
            "single | Jak często? | codziennie; co tydzień; rzadko\n"
            "multiple | Po co? | spacer; rower; sport\n"
            "scale | Czy czujesz się bezpiecznie?\n"
            "ranking | Co najpierw? | ławki; oświetlenie\n"
            "matrix | Oceń | dobrze; źle || zieleń; czystość\n"
            "text* | Inne uwagi"
        ),
    )
    statements = []
    for index, text in enumerate(["Więcej drzew", "Mniej aut", "Więcej ławek", "Oświetlenie nocą"]):
        statement = services.statement_submit(
            author=residents[index], consultation=consultation, text=text, at=now
        )
        services.statement_moderate(actor=official, statement=statement, accept=True)
        statements.append(statement)
    for p, person in enumerate(residents):
        for s, statement in enumerate(statements):
            services.statement_vote(
                user=person,
                statement=statement,
                choice=1 if s == 0 or s % 2 == p % 2 else -1,
                at=now,
            )
    # an advisory body's opinions on it are listed on its page (issue 21)
    from wspolnota.councils import services as councils
    from wspolnota.councils.models import BodyKind, OpinionPosition

    seniors = councils.body_create(
        actor=None, kind=BodyKind.SENIORS_COUNCIL, name="Rada Krakowskich Seniorów", seats=25
    )
    for title, adopt in (("Koncepcja bulwarów", True), ("Plan oświetlenia", False)):
        opinion = councils.opinion_save(
            actor=None,
            body=seniors,
            opinion=None,
            fields={
                "draft_title": title,
                "requested_on": timezone.localdate(),
                "consultation": consultation,
            },
        )
        if adopt:
            councils.opinion_adopt(
                actor=None,
                opinion=opinion,
                position=OpinionPosition.WITH_REMARKS,
                text="Więcej ławek z oparciami.",
                adopted_on=timezone.localdate(),
            )
    return official, consultation, meeting, survey


def closed_with_report(official, krakow):
    """A consultation that ended last month, every remark answered and its report published."""
    today = timezone.localdate()
    consultation = ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit,
        created_by=official,
        title="Plac Nowy: targ i zieleń",
        information_from=today - timedelta(days=60),
        starts_on=today - timedelta(days=50),
        ends_on=today - timedelta(days=20),
    )
    MeetingFactory(
        consultation=consultation,
        starts_at=timezone.now() - timedelta(days=40),
        minutes="Uczestnicy prosili o więcej cienia.",
    )
    remark = RemarkFactory(consultation=consultation, district=krakow[1], text="Więcej cienia")
    services.remark_answer(
        actor=official,
        remark=remark,
        disposition="accepted",
        reason="Posadzimy sześć lip.",
        at=timezone.now(),
    )
    services.report_publish(
        actor=official,
        consultation=consultation,
        summary="Posadzimy drzewa i zostawimy targ.",
        at=timezone.now(),
    )
    return consultation


def pages(consultation, meeting, survey, reported=None):
    c = consultation.pk
    extra = (
        [f"konsultacje/{reported.pk}/", f"konsultacje/{reported.pk}/raport/"] if reported else []
    )
    return [
        *extra,
        "konsultacje/",
        f"konsultacje/{c}/",
        f"konsultacje/{c}/uwagi/",
        f"konsultacje/{c}/spotkania/{meeting.pk}/",
        f"konsultacje/{c}/ankiety/{survey.pk}/",
        f"konsultacje/{c}/mapa-opinii/",
    ]


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_public_consultation_pages_have_no_wcag_violations(browser, live_server, krakow, language):
    official, consultation, meeting, survey = build(krakow)
    reported = closed_with_report(official, krakow)
    context = browser.new_context()
    page = context.new_page()
    urls = [
        f"{live_server.url}/{language}/{p}" for p in pages(consultation, meeting, survey, reported)
    ]
    failures = check_urls(page, urls)
    context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_official_pages_and_forms_with_errors_have_no_wcag_violations(
    browser, live_server, krakow, language
):
    official, consultation, meeting, survey = build(krakow)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, official.email, PASSWORD, language)
    base = f"{live_server.url}/{language}/konsultacje"
    c = consultation.pk
    failures = check_urls(
        page,
        [f"{live_server.url}/{language}/{p}" for p in pages(consultation, meeting, survey)]
        + [
            f"{base}/nowe/",
            f"{base}/{c}/zmien/",
            f"{base}/{c}/oglos/",
            f"{base}/{c}/dokumenty/nowy/",
            f"{base}/{c}/spotkania/nowe/",
            f"{base}/{c}/uwagi/zarzadzaj/",
            f"{base}/{c}/uwagi/{consultation.remarks.first().pk}/",
            f"{base}/{c}/ankiety/nowa/",
            f"{base}/{c}/mapa-opinii/import/",
            f"{base}/{c}/spotkania/{meeting.pk}/odwolaj/",
            f"{base}/{c}/raport/",
        ],
    )
    # a survey sent with nothing chosen: the error summary and the invalid fields
    page.goto(f"{base}/{c}/ankiety/{survey.pk}/")
    page.fill("textarea", "Proszę o toalety")
    page.click("main form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("textarea") == "Proszę o toalety"
    report = axe_violations(page)
    if report:
        failures.append(f"survey with errors\n{report}")
    # the survey results with their charts, shown to the official
    assert page.locator("svg.chart").count() >= 3
    context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_a_resident_votes_one_statement_after_another_without_reloading_the_page(
    browser, live_server, krakow, language
):
    _official, consultation, _meeting, _survey = build(krakow)
    newcomer = UserFactory(district=krakow[3], password=PASSWORD)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, newcomer.email, PASSWORD, language)
    page.goto(f"{live_server.url}/{language}/konsultacje/{consultation.pk}/mapa-opinii/")
    failures = []
    report = axe_violations(page)
    if report:
        failures.append(f"opinion map with the voting card\n{report}")
    assert page.locator("svg.opinion-map use").count() == 12  # every grouped resident drawn
    first = page.locator("#next-statement blockquote").inner_text()
    page.evaluate("window.__samePage = true")
    page.click("#vote-agree")
    page.wait_for_function(
        "t => document.querySelector('#next-statement blockquote')?.innerText !== t", arg=first
    )
    # the same page (no reload), the next statement, the button still focused, the vote announced
    assert page.evaluate("window.__samePage") is True
    assert page.evaluate("document.activeElement.id") == "vote-agree"
    assert page.locator("#vote-status").inner_text().strip() != ""
    report = axe_violations(page)
    if report:
        failures.append(f"after a vote\n{report}")
    for _ in range(3):
        shown = page.locator("#next-statement blockquote").inner_text()
        page.click("#vote-disagree")
        page.wait_for_function(
            "t => document.querySelector('#next-statement blockquote')?.innerText !== t",
            arg=shown,
        )
    assert page.locator("#next-statement blockquote").count() == 0
    assert page.evaluate("window.__samePage") is True
    context.close()
    assert failures == [], "\n\n".join(failures)
