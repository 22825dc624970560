"""A clerk acting for a caller in a consultation, in headless Chromium: keys in a paper survey,
registers the caller for a meeting, enters their letter — with the keyboard only, no WCAG 2.1
A/AA violation (axe) with and without errors, in Polish, English and Ukrainian (issue 17)."""

from __future__ import annotations

import pytest

from wspolnota.accounts.models import User
from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.consultations import services
from wspolnota.consultations.models import Registration, Remark, Response
from wspolnota.consultations.tests.factories import ConsultationFactory, MeetingFactory
from wspolnota.core.onbehalf import Channel
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.tests_support.scopes import counter_access

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def build(krakow):
    unit = CityUnitFactory(code="WPL", name="Wydział Planowania Przestrzennego")
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    clerk = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=clerk, role=Role.COUNTER_CLERK, city_unit=unit)
    consultation = ConsultationFactory(
        initiating_unit=unit, created_by=official, title="Bulwary Wisły: zieleń i rowery"
    )
    meeting = MeetingFactory(consultation=consultation, title="Spotkanie w Domu Kultury")
    survey = services.survey_create(
        actor=official,
        consultation=consultation,
        title="Jak korzystasz z bulwarów?",
        intro="",
        verified=True,
        questions="single | Jak często? | codziennie; co tydzień; rzadko\ntext* | Inne uwagi",
    )
    person = User(
        full_name="Helena Kowalska",
        kept_by_city=True,
        address_street="ul. Długa 5 m. 3",
        address_postcode="31-147",
        address_city="Kraków",
        reply_channel="letter",
    )
    person.set_unusable_password()
    person.save()
    # the clerk found the caller at the counter first (issue 17: identify before acting)
    counter_access(clerk, person)
    return clerk, consultation, meeting, survey, person


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_a_clerk_acts_for_a_caller_with_the_keyboard_on_pages_without_violations(
    browser, live_server, krakow, language
):
    clerk, consultation, meeting, survey, person = build(krakow)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, clerk.email, PASSWORD, language)
    base = f"{live_server.url}/{language}/konsultacje/{consultation.pk}/w-imieniu/{person.pk}/"
    failures = check_urls(page, [base, f"{base}ankiety/{survey.pk}/"])

    # the remark form sent empty: the error summary and the invalid fields, no violation
    page.goto(base)
    with page.expect_navigation():
        page.locator("input[name=action][value=remark] ~ button[type=submit]").press("Enter")
    assert page.locator(".error-summary").count() == 1
    report = axe_violations(page)
    if report:
        failures.append(f"remark form with errors\n{report}")

    # the paper survey, keyed in with the keyboard alone
    page.goto(f"{base}ankiety/{survey.pk}/")
    page.locator("#id_channel").focus()
    page.select_option("#id_channel", "post")
    page.locator("input[type=radio][value=rzadko]").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Więcej ławek w cieniu")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    response = Response.objects.get(survey=survey)
    assert (response.respondent_id, response.channel, response.keyed_by_id) == (
        person.pk,
        Channel.POST,
        clerk.pk,
    )

    # the caller is registered for the meeting, by phone
    page.goto(base)
    page.select_option("#id_r-channel", "phone")
    page.select_option("#id_r-meeting", str(meeting.pk))
    page.fill("#id_r-needs", "pętla indukcyjna")
    with page.expect_navigation():
        page.locator("#id_r-needs").press("Enter")
    registration = Registration.objects.get(meeting=meeting)
    assert (registration.user_id, registration.channel) == (person.pk, Channel.PHONE)
    report = axe_violations(page)
    if report:
        failures.append(f"after registering\n{report}")

    # their letter, with the date it came
    page.select_option("#id_u-channel", "post")
    page.fill("#id_u-received_on", consultation.starts_on.isoformat())
    page.fill("#id_u-text", "Proszę o ścieżkę rowerową oddzieloną od pieszych.")
    page.locator("#id_u-text").focus()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    remark = Remark.objects.get(consultation=consultation)
    assert (remark.author_id, remark.entered_by_id) == (person.pk, clerk.pk)
    context.close()
    assert failures == [], "\n\n".join(failures)
