"""Community pages in headless Chromium with axe-core: no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.community import services
from wspolnota.community.models import (
    Place,
    VolunteerAgreement,
    VolunteerApplication,
    VolunteerHours,
)
from wspolnota.community.tests.factories import (
    ActivityFactory,
    EventFactory,
    RoomFactory,
    VolunteerOfferFactory,
    VolunteerProfileFactory,
)
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "cas-krakow-przyklad.csv"


@pytest.fixture
def content(krakow):
    services.senior_centres_import(actor=None, content=SAMPLE.read_bytes())
    call_command("load_address_points", stdout=io.StringIO())  # "near me" from an address
    place = Place.objects.order_by("source_id").first()
    room = RoomFactory(place=place)
    event = EventFactory(place=place, district=place.district, capacity=1)
    official = UserFactory(district=krakow[1], password=PASSWORD)
    unit = CityUnitFactory()
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    # The official works in the unit that runs the place (permissions are scoped, issue 15).
    Place.objects.filter(pk=place.pk).update(city_unit=unit)
    place.refresh_from_db()
    offer = VolunteerOfferFactory(
        created_by=official, district=krakow[1], ends_on=timezone.localdate() + timedelta(days=60)
    )
    volunteer = VolunteerProfileFactory(user=UserFactory(password=PASSWORD)).user
    application = VolunteerApplication.objects.create(offer=offer, volunteer=volunteer)
    services.volunteer_application_decide(actor=official, application=application, accept=True)
    assert VolunteerAgreement.objects.filter(application=application).exists()
    VolunteerHours.objects.create(
        application=application,
        day=timezone.localdate(),
        hours=Decimal("2"),
        description="Zajęcia",
    )
    return {
        "place": place,
        "room": room,
        "event": event,
        "official": official,
        "offer": offer,
        "application": application,
    }


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_public_community_pages_have_no_wcag_violations(browser, live_server, content, language):
    page = browser.new_context().new_page()
    base = f"{live_server.url}/{language}/spolecznosc"
    failures = check_urls(
        page,
        [
            f"{base}/",
            f"{base}/miejsca/",
            f"{base}/miejsca/?near_district=18&access=step_free",
            f"{base}/miejsca/?address=os.+Centrum+A+1",
            f"{base}/miejsca/?lat=50.0587&lon=19.9304",
            f"{base}/miejsca/{content['place'].slug}/",
            f"{base}/sale/",
            f"{base}/sale/{content['room'].pk}/",
            f"{base}/wydarzenia/",
            f"{base}/wydarzenia/{content['event'].pk}/",
            f"{base}/wolontariat/",
            f"{base}/wolontariat/{content['offer'].pk}/",
        ],
    )
    page.context.close()
    assert failures == [], "\n\n".join(failures)


def test_officials_pages_and_a_form_with_errors_have_no_wcag_violations(
    browser, live_server, content
):
    page = browser.new_context().new_page()
    log_in(page, live_server.url, content["official"].email, PASSWORD)
    base = f"{live_server.url}/pl/spolecznosc"
    application = content["application"]
    failures = check_urls(
        page,
        [
            f"{base}/miejsca/nowe/",
            f"{base}/miejsca/import/",
            f"{base}/miejsca/{content['place'].slug}/sale/nowa/",
            f"{base}/rezerwacje/",
            f"{base}/wydarzenia/nowe/",
            f"{base}/wydarzenia/moje/",
            f"{base}/wydarzenia/{content['event'].pk}/uczestnicy/",
            f"{base}/wydarzenia/{content['event'].pk}/odwolanie/",
            f"{base}/wolontariat/nowa/",
            f"{base}/wolontariat/koordynacja/",
            f"{base}/wolontariat/{content['offer'].pk}/zgloszenia/",
            f"{base}/wolontariat/zgloszenia/{application.pk}/",
            f"{base}/wolontariat/zgloszenia/{application.pk}/porozumienie/",
            f"{base}/wolontariat/profil/",
            f"{base}/moje/",
        ],
    )
    page.goto(f"{base}/sale/{content['room'].pk}/")
    page.fill("#id_purpose", "Zebranie wspólnoty")
    page.fill("#id_attendees", "999")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#id_purpose") == "Zebranie wspólnoty"
    report = axe_violations(page)
    if report:
        failures.append(f"booking form with errors\n{report}")
    # the paper signing recorded with a date in the future (issue 21)
    page.goto(f"{base}/wolontariat/zgloszenia/{application.pk}/porozumienie/")
    page.fill("#id_paper-signed_on", (timezone.localdate() + timedelta(days=2)).isoformat())
    page.click("#sign-paper ~ form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    report = axe_violations(page)
    if report:
        failures.append(f"agreement paper form with errors\n{report}")
    page.context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_activity_pages_have_no_wcag_violations(browser, live_server, content, language):
    place = content["place"]
    activity = ActivityFactory(place=place, capacity=1, title="Gimnastyka dla seniorów")
    services.activity_sign_up(user=UserFactory(full_name="Halina Kowal"), activity=activity)
    resident = UserFactory(password=PASSWORD, preferred_language=language)
    services.activity_sign_up(user=resident, activity=activity)
    base = f"{live_server.url}/{language}/spolecznosc"
    page = browser.new_context().new_page()
    failures = check_urls(page, [f"{base}/zajecia/{activity.pk}/"])
    log_in(page, live_server.url, resident.email, PASSWORD, language)
    failures += check_urls(page, [f"{base}/zajecia/{activity.pk}/", f"{base}/moje/"])
    page.context.close()

    page = browser.new_context().new_page()
    log_in(page, live_server.url, content["official"].email, PASSWORD, language)
    failures += check_urls(
        page,
        [
            f"{base}/miejsca/{place.slug}/",
            f"{base}/miejsca/{place.slug}/zajecia/nowe/",
            f"{base}/zajecia/{activity.pk}/",
            f"{base}/zajecia/{activity.pk}/edycja/",
            f"{base}/zajecia/{activity.pk}/zakonczenie/",
            f"{base}/zajecia/{activity.pk}/uczestnicy/",
        ],
    )
    # a form with errors keeps what was typed and stays accessible
    page.goto(f"{base}/miejsca/{place.slug}/zajecia/nowe/")
    page.fill("#id_title", "Joga na krześle")
    page.fill("#id_starts_at", "12:00")
    page.fill("#id_ends_at", "11:00")
    page.fill("#id_capacity", "10")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#id_title") == "Joga na krześle"
    report = axe_violations(page)
    if report:
        failures.append(f"activity form with errors ({language})\n{report}")
    page.context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_the_counter_page_signs_a_caller_up_by_keyboard_with_no_wcag_violations(
    browser, live_server, content, language
):
    """A clerk of the place's unit signs a caller without an account up, keyboard only
    (issue 17); the page, and the volunteer form with errors, stay accessible."""
    from wspolnota.community.models import ActivitySignup
    from wspolnota.tests_support.scopes import counter_access, counter_clerk_of, kept_person

    place = content["place"]
    activity = ActivityFactory(place=place, capacity=5, title="Gimnastyka dla seniorów")
    VolunteerOfferFactory(place=place, ends_on=timezone.localdate() + timedelta(days=30))
    clerk = counter_clerk_of(place.city_unit, password=PASSWORD, preferred_language=language)
    person = kept_person()
    counter_access(clerk, person)
    base = f"{live_server.url}/{language}/spolecznosc"
    page = browser.new_context().new_page()
    log_in(page, live_server.url, clerk.email, PASSWORD, language)
    failures = check_urls(page, [f"{base}/okienko/{person.pk}/"])
    # keyboard alone: focus the activity's channel, choose "phone", Tab to its button, Enter
    page.focus(f"#channel-activity-{activity.pk}")
    page.select_option(f"#channel-activity-{activity.pk}", "phone")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ActivitySignup.objects.filter(user=person, channel="phone", keyed_by=clerk).exists()
    report = axe_violations(page)
    if report:
        failures.append(f"counter page after a sign-up ({language})\n{report}")
    # the volunteer form sent without the consent: errors shown accessibly
    with page.expect_navigation():
        page.locator("section.counter-offer form button[type=submit]").first.click()
    assert page.locator(".field-error").count() >= 1
    report = axe_violations(page)
    if report:
        failures.append(f"volunteer form with errors ({language})\n{report}")
    page.context.close()
    assert failures == [], "\n\n".join(failures)
