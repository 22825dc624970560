"""In a real browser: every page of implementation tracking in Polish, English and Ukrainian
through axe (WCAG 2.1 A/AA), a form with errors, and following without JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.implementation.models import ImplementationStatus
from wspolnota.implementation.services import implementation_change, milestone_add
from wspolnota.implementation.tests.factories import (
    add_photo,
    ballot_project,
    opened,
    results_edition,
)
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ["pl", "en", "uk"]
PREFIX = "budzet-obywatelski/realizacja"


def _world(krakow: Any) -> dict[str, Any]:
    unit = CityUnitFactory(code="ZZM", name="Zarząd Zieleni Miejskiej")
    official = UserFactory(district=krakow[2], password=PASSWORD, full_name="Piotr Urzędniczy")
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    resident = UserFactory(district=krakow[1], password=PASSWORD)
    edition = results_edition(krakow)
    implementation = opened(edition, unit=unit, title="Zielony skwer przy Basztowej")
    opened(edition, district=None, title="Rowery dla seniorów")
    ballot_project(edition, title="Czeka na otwarcie")
    milestone = milestone_add(
        actor=official,
        implementation=implementation,
        description="Dokumentacja projektowa",
        planned_date=date(2026, 3, 31),
    )
    implementation_change(
        actor=official,
        implementation=implementation,
        status=ImplementationStatus.IN_PROGRESS,
        progress=40,
        actual_cost="120 000",
        responsible_unit=unit,
        note="Trwają prace ziemne.",
    )
    photo = add_photo(implementation, official)
    return {
        "official": official,
        "resident": resident,
        "edition": edition,
        "implementation": implementation,
        "milestone": milestone,
        "photo": photo,
    }


def test_every_page_passes_axe_in_every_language(
    browser: Any, live_server: Any, krakow: Any
) -> None:
    world = _world(krakow)
    base = live_server.url
    pk = world["implementation"].pk
    year = world["edition"].year
    failures: list[str] = []

    anonymous = browser.new_context().new_page()
    for language in LANGUAGES:
        failures += check_urls(
            anonymous,
            [
                f"{base}/{language}/{PREFIX}/",
                f"{base}/{language}/{PREFIX}/?status=in_progress&district=1",
                f"{base}/{language}/{PREFIX}/?status=nonsense",
                f"{base}/{language}/{PREFIX}/mapa/",
                f"{base}/{language}/{PREFIX}/{pk}/",
            ],
        )

    resident = browser.new_context().new_page()
    log_in(resident, base, world["resident"].email, PASSWORD)
    resident.goto(f"{base}/pl/{PREFIX}/{pk}/")
    resident.click("text=Obserwuj realizację")
    resident.wait_for_load_state()
    for language in LANGUAGES:
        failures += check_urls(
            resident,
            [f"{base}/{language}/{PREFIX}/{pk}/", f"{base}/{language}/{PREFIX}/obserwowane/"],
        )

    official = browser.new_context().new_page()
    log_in(official, base, world["official"].email, PASSWORD)
    for language in LANGUAGES:
        failures += check_urls(
            official,
            [
                f"{base}/{language}/{PREFIX}/{pk}/",
                f"{base}/{language}/{PREFIX}/{pk}/zmien/",
                f"{base}/{language}/{PREFIX}/{pk}/etapy/dodaj/",
                f"{base}/{language}/{PREFIX}/{pk}/etapy/{world['milestone'].pk}/",
                f"{base}/{language}/{PREFIX}/{pk}/zdjecia/dodaj/",
                f"{base}/{language}/{PREFIX}/otworz/",
                f"{base}/{language}/{PREFIX}/otworz/{year}/",
            ],
        )
        # A form with errors: progress above 100 and a negative cost, kept as typed.
        official.goto(f"{base}/{language}/{PREFIX}/{pk}/zmien/")
        official.fill("#id_progress", "150")
        official.fill("#id_actual_cost", "-10")
        with official.expect_navigation():
            official.click("main form button[type=submit]")
        assert official.input_value("#id_progress") == "150"
        report = axe_violations(official)
        if report:
            failures.append(f"{language} change form with errors\n{report}")
        # The photo form refuses a file that is not an image and keeps the alt text.
        official.goto(f"{base}/{language}/{PREFIX}/{pk}/zdjecia/dodaj/")
        official.set_input_files(
            "#id_image",
            files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
        )
        official.fill("#id_alt_text", "Skwer z ławkami")
        with official.expect_navigation():
            official.click("main form button[type=submit]")
        assert official.input_value("#id_alt_text") == "Skwer z ławkami"
        report = axe_violations(official)
        if report:
            failures.append(f"{language} photo form with errors\n{report}")
    assert failures == [], "\n\n".join(failures)


def test_the_map_and_following_work_without_javascript(
    browser: Any, live_server: Any, krakow: Any
) -> None:
    world = _world(krakow)
    base = live_server.url
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/pl/{PREFIX}/mapa/")
    assert page.locator("svg.impl-map circle").count() == 1
    assert "Rowery dla seniorów" in page.inner_text("main table")
    log_in(page, base, world["resident"].email, PASSWORD)
    page.goto(f"{base}/pl/{PREFIX}/{world['implementation'].pk}/")
    page.click("text=Obserwuj realizację")
    page.wait_for_load_state()
    assert "Przestań obserwować" in page.inner_text("main")
    page.click("text=Przestań obserwować")
    page.wait_for_load_state()
    assert "Obserwuj realizację" in page.inner_text("main")
    context.close()
