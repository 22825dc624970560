"""The support form in a real browser (issue 16): a neighbour supports a district project by
typing their address (found in the city's address points, no map needed), with JavaScript off
and on; a wrong district is said on the form; axe finds nothing on the form, fresh and sent back
with an error, in pl, en and uk; the identity mode's form too."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.budget.models import Phase, Support, SupportCheck
from wspolnota.budget.tests.factories import make_edition, pool_for, submitted_project
from wspolnota.conftest import PASSWORD
from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load
from wspolnota.tests_support.axe import axe_violations, log_in
from wspolnota.tests_support.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMIT = "#support-submit"
_PHONES = itertools.count(1)


def _project(krakow: Any) -> Any:
    address_points_load(city=krakow[1].city, path=KRAKOW_ADDRESS_SAMPLE)
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION)
    return submitted_project(author=UserFactory(district=krakow[1]), pool=pool_for(edition, 1))


def _neighbour(krakow: Any) -> Any:
    return UserFactory(
        district=krakow[1],
        password=PASSWORD,
        full_name="Anna Sąsiadka",
        phone=f"+48601{next(_PHONES):06d}",
        phone_confirmed_at=timezone.now(),
    )


def _send(page: Any) -> None:
    with page.expect_navigation():
        page.click(SUBMIT)


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_a_neighbour_supports_by_typing_the_address(browser, live_server, krakow, javascript):
    project = _project(krakow)
    neighbour = _neighbour(krakow)
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_server.url, neighbour.email, PASSWORD)
    page.goto(f"{live_server.url}/pl/budzet-obywatelski/projekty/{project.pk}/")
    # an address in Nowa Huta does not support Stare Miasto's project, whatever the map says
    page.fill("#id_address", "os. Zgody 2/14")
    _send(page)
    assert "Dzielnica XVIII" in page.inner_text("main")
    assert page.input_value("#id_address") == "os. Zgody 2/14"
    page.fill("#id_address", "ul. Floriańska 3 m. 5")
    _send(page)
    assert "Popierasz ten projekt" in page.inner_text("main")
    support = Support.objects.get(project=project)
    assert support.user == neighbour and support.district == krakow[1]
    context.close()


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_the_support_form_has_no_wcag_violations(browser, live_server, krakow, language, settings):
    project = _project(krakow)
    failures = []
    for mode in ("phone", "identity"):
        settings.BUDGET_SUPPORT_REQUIRES = mode
        neighbour = _neighbour(krakow)
        context = browser.new_context()
        page = context.new_page()
        log_in(page, live_server.url, neighbour.email, PASSWORD, language)
        page.goto(f"{live_server.url}/{language}/budzet-obywatelski/projekty/{project.pk}/")
        assert page.locator("#id_address").count() == 1
        report = axe_violations(page)
        if report:
            failures.append(f"{mode}: the form\n{report}")
        page.fill("#id_address", "ul. Zmyślona 77")  # not in the register, no map point
        _send(page)
        assert page.locator(".field-error, [role=alert]").count() >= 1
        report = axe_violations(page)
        if report:
            failures.append(f"{mode}: sent back with an error\n{report}")
        if mode == "identity":
            page.fill("#id_address", "ul. Rajska 1")
            page.fill("#id_birth_date", "1980-05-17")
            _send(page)
            made = Support.objects.get(project=project, user=neighbour)
            assert made.identity_check == SupportCheck.PENDING
            report = axe_violations(page)
            if report:
                failures.append(f"{mode}: waiting for the check\n{report}")
        context.close()
    assert not failures, "\n\n".join(failures)


def test_the_supporters_to_check_pass_axe_and_are_confirmed_by_keyboard(
    browser, live_server, krakow, settings
):
    """The verifying unit's list of supporters to check, in pl, en and uk; a confirmation by
    the keyboard and a rejection sent back without its reason."""
    from datetime import date

    from wspolnota.accounts.roles import Role
    from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory

    settings.BUDGET_SUPPORT_REQUIRES = "identity"
    unit = CityUnitFactory()
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    address_points_load(city=krakow[1].city, path=KRAKOW_ADDRESS_SAMPLE)
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=unit)
    project = submitted_project(author=UserFactory(district=krakow[1]), pool=pool_for(edition, 1))
    supports = [
        Support.objects.create(
            project=project,
            user=UserFactory(district=krakow[1]),
            address="ul. Rajska 1",
            district=krakow[1],
            verified_by="identity",
            identity_check=SupportCheck.PENDING,
            full_name=name,
            birth_date=date(1980, 5, 17),
        )
        for name in ("Ewa Zając", "Jan Kos")
    ]
    failures = []
    for language in ("pl", "en", "uk"):
        context = browser.new_context()
        page = context.new_page()
        log_in(page, live_server.url, official.email, PASSWORD, language)
        page.goto(
            f"{live_server.url}/{language}/budzet-obywatelski/projekty/{project.pk}/weryfikacja/"
        )
        assert "Ewa Zając" in page.inner_text("main")
        report = axe_violations(page)
        if report:
            failures.append(f"{language}: the list\n{report}")
        if language == "pl":
            reject = f"#check-note-{supports[1].pk}"
            page.focus(reject)
            with page.expect_navigation():
                page.keyboard.press("Enter")  # no reason: sent back, said on the row
            assert "powód" in page.inner_text("main")
            report = axe_violations(page)
            if report:
                failures.append(f"{language}: a rejection without its reason\n{report}")
            page.focus(f"form[action$='/poparcia/{supports[0].pk}/'] button")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            supports[0].refresh_from_db()
            assert supports[0].identity_check == SupportCheck.CONFIRMED
        context.close()
    assert not failures, "\n\n".join(failures)
