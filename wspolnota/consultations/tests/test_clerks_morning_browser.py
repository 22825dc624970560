"""A clerk's morning at a counter (issue 17), in headless Chromium with the keyboard and clicks a
clerk would use: a caller without internet is recorded, answers a consultation's survey, is
registered for its meeting, subscribed to SMS notices for their district and signed up for a
senior centre's activity (the clerk also serves the social policy unit's centres); the letter they
sent to another consultation is entered, and when that consultation's report is published a
letter with the reasoned answer is produced in the background's letter batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.consultations import services
from wspolnota.consultations.models import Registration, Remark, Response
from wspolnota.consultations.tests.factories import ConsultationFactory, MeetingFactory
from wspolnota.core.onbehalf import Channel
from wspolnota.tests_support.axe import axe_violations, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, failures, what):
    report = axe_violations(page)
    if report:
        failures.append(f"{what} at {page.url}\n{report}")


def test_a_clerks_morning(browser, live_server, krakow):
    today = timezone.localdate()
    unit = CityUnitFactory(code="WPL", name="Wydział Planowania Przestrzennego")
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    clerk = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=clerk, role=Role.COUNTER_CLERK, city_unit=unit)
    park = ConsultationFactory(
        initiating_unit=unit, created_by=official, title="Park Zakrzówek: ścieżki i ławki"
    )
    meeting = MeetingFactory(consultation=park, title="Spacer po parku z projektantami")
    survey = services.survey_create(
        actor=official,
        consultation=park,
        title="Jak korzystasz z parku?",
        intro="",
        verified=True,
        questions="single | Jak często? | codziennie; co tydzień; rzadko",
    )
    from wspolnota.community.models import ActivitySignup
    from wspolnota.community.tests.factories import ActivityFactory, PlaceFactory

    social = CityUnitFactory(code="WPS", name="Wydział Polityki Społecznej i Zdrowia")
    RoleAssignmentFactory(user=clerk, role=Role.COUNTER_CLERK, city_unit=social)
    gym = ActivityFactory(
        place=PlaceFactory(city_unit=social, name="Centrum Aktywności Seniorów Podgórze"),
        title="Gimnastyka przy muzyce",
        capacity=12,
    )
    square = ConsultationFactory(
        initiating_unit=unit,
        created_by=official,
        title="Plac Nowy: targ i zieleń",
        information_from=today - timedelta(days=40),
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=2),
    )

    context = browser.new_context()
    page = context.new_page()
    failures: list[str] = []
    log_in(page, live_server.url, clerk.email, PASSWORD, "pl")
    base = f"{live_server.url}/pl"

    # 1. A caller without internet is recorded once, with how they want answers: by letter.
    page.goto(f"{base}/okienko/nowa-osoba/")
    page.fill("#id_full_name", "Helena Kowalska")
    page.fill("#id_address_street", "ul. Długa 5 m. 3")
    page.fill("#id_address_postcode", "31-147")
    page.fill("#id_address_city", "Kraków")
    page.fill("#id_mobile", "+48 601 234 567")
    page.select_option("#id_district", str(krakow[1].pk))
    page.check("input[name=reply_channel][value=letter]")
    page.check("input[name=channel][value=phone]")
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()
    person = User.objects.get(kept_by_city=True)
    assert page.url.endswith(f"/okienko/osoba/{person.pk}/")
    _check(page, failures, "the person's page")

    # 2. From the counter page to the consultation; the paper survey keyed in.
    with page.expect_navigation():
        page.click(f"a[href$='/konsultacje/{park.pk}/w-imieniu/{person.pk}/']")
    with page.expect_navigation():
        page.click(f"a[href$='/ankiety/{survey.pk}/']")
    page.select_option("#id_channel", "phone")
    page.check("input[type=radio][value=rzadko]")
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.press("Enter")
    response = Response.objects.get(survey=survey)
    assert (response.respondent, response.channel, response.keyed_by) == (
        person,
        Channel.PHONE,
        clerk,
    )

    # 3. Registered for the consultation's meeting.
    page.select_option("#id_r-channel", "phone")
    page.select_option("#id_r-meeting", str(meeting.pk))
    page.fill("#id_r-needs", "pętla indukcyjna")
    with page.expect_navigation():
        page.locator("#id_r-needs").press("Enter")
    registration = Registration.objects.get(meeting=meeting)
    assert (registration.user, registration.keyed_by) == (person, clerk)
    _check(page, failures, "acting in a consultation")

    # 4. SMS notices for their district, with the paper consent's number.
    page.goto(f"{base}/okienko/osoba/{person.pk}/")
    with page.expect_navigation():
        page.click(f"a[href$='?osoba={person.pk}']")
    page.check("input[name=channel][value=sms]")
    page.fill("#id_consent_document", "ZG/2026/0142")
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()
    from wspolnota.communication.models import Subscription

    sms = Subscription.objects.get(user=person, channel="sms")
    assert sms.status == Subscription.Status.ACTIVE

    # 4b. Signed up for the senior centre's Tuesday gymnastics, from the counter page.
    page.goto(f"{base}/okienko/osoba/{person.pk}/")
    with page.expect_navigation():
        page.click(f"a[href$='/spolecznosc/okienko/{person.pk}/']")
    _check(page, failures, "the community counter page")
    page.select_option(f"#channel-activity-{gym.pk}", "phone")
    with page.expect_navigation():
        page.locator(f"#channel-activity-{gym.pk} ~ button[type=submit]").click()
    signup = ActivitySignup.objects.get(activity=gym)
    assert (signup.user, signup.channel, signup.keyed_by) == (person, Channel.PHONE, clerk)
    assert signup.status == "confirmed"

    # 5. Their letter to the other consultation, post-marked on its last day, came in today.
    page.goto(f"{base}/okienko/osoba/{person.pk}/")
    with page.expect_navigation():
        page.click(f"a[href$='/konsultacje/{square.pk}/w-imieniu/{person.pk}/']")
    page.select_option("#id_u-channel", "post")
    page.fill("#id_u-received_on", today.isoformat())
    page.fill("#id_u-posted_on", square.ends_on.isoformat())
    page.fill("#id_u-text", "Proszę zostawić targ i posadzić drzewa od strony ul. Estery.")
    with page.expect_navigation():
        page.locator("input[name=action][value=remark] ~ button[type=submit]").click()
    remark = Remark.objects.get(consultation=square)
    assert (remark.author, remark.entered_by) == (person, clerk)
    _check(page, failures, "after the letter")
    context.close()

    # 6. The city answers and publishes the report: the answer goes out by letter, in a batch.
    from wspolnota.communication.models import LetterBatch, OutboxMessage

    services.remark_answer(
        actor=official,
        remark=remark,
        disposition=Remark.Disposition.ACCEPTED,
        reason="Targ zostaje, a od strony ul. Estery posadzimy sześć lip.",
        at=timezone.now(),
    )
    services.report_publish(
        actor=official, consultation=square, summary="Targ zostaje.", at=timezone.now()
    )
    letter = OutboxMessage.objects.get(user=person, channel="letter")
    assert "posadzimy sześć lip" in letter.body
    assert "Proszę zostawić targ" in letter.body
    batch = LetterBatch.objects.get(pk=letter.letter_batch_id)
    assert batch.letter_count == 1 and batch.pdf
    assert failures == [], "\n\n".join(failures)
