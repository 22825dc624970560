"""Every page of the participatory budget's part 1 through axe in pl/en/uk, and the map picker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.budget import services
from wspolnota.budget.models import Phase
from wspolnota.budget.tests.factories import (
    ProjectFactory,
    make_edition,
    pool_for,
    submitted_project,
)
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_for_map(page: Any) -> None:
    """The picker draws itself after fetching the districts; axe then sees the live map."""
    page.wait_for_selector(".location-picker .leaflet-container path", timeout=15000)


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_every_page_of_part_one_has_no_wcag_violations(browser, live_server, krakow, language):
    unit = CityUnitFactory()
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=unit)
    author = UserFactory(district=krakow[1], password=PASSWORD)
    pool = pool_for(edition, 1)
    first = submitted_project(author=author, pool=pool)
    second = submitted_project(author=author, pool=pool, title="Drugi podobny projekt")
    draft = services.project_draft_create(
        author=author,
        edition=edition,
        content=services.ProjectContent(pool=pool, title="Szkic bez opisu"),
    )
    for n in range(30):  # enough for page links and page sizes
        ProjectFactory(
            pool=pool_for(edition, 1 + n % 18), title=f"Projekt numer {n}", sequence=1000 + n
        )
    proposal = services.merge_propose(actor=official, source=second, target=first, reason="Podobne")
    later = first.support_deadline + timedelta(minutes=1)
    services.verification_start(actor=official, project=first, unit=unit, at=later)
    services.verification_decide(
        actor=official, project=first, positive=False, reasons="Poza terenem miasta.", at=later
    )
    base = f"{live_server.url}/{language}/budzet-obywatelski/"
    year = edition.year
    context = browser.new_context()
    page = context.new_page()

    # A visitor: the public pages, a filter with a bad value, page 2, a bigger page, the map.
    failures = check_urls(
        page,
        [
            base + p
            for p in (
                "",
                f"{year}/",
                f"{year}/projekty/",
                f"{year}/projekty/?page=2",
                f"{year}/projekty/?per_page=50&sort=title",
                f"{year}/projekty/?q=alejka&pool=1&cost_min=abc",
                f"{year}/projekty/mapa/",
                f"{year}/projekty/mapa/?pool=citywide",
                f"{year}/lista-do-glosowania/",
                f"projekty/{first.pk}/",
                f"projekty/{first.pk}/wersje/{first.version}/",
            )
        ],
    )

    # The author: their projects, a new one (with the map), a draft, withdrawing, the appeal,
    # the merge answer, and the forms sent back with errors.
    log_in(page, live_server.url, author.email, PASSWORD, language)
    failures += check_urls(
        page,
        [
            base + p
            for p in (
                "moje-projekty/",
                f"projekty/{second.pk}/wycofaj/",
                f"projekty/{first.pk}/odwolanie/",
                f"polaczenia/{proposal.pk}/",
            )
        ],
    )
    for path in (f"{year}/zglos-projekt/", f"projekty/{draft.pk}/edycja/"):
        page.goto(base + path)
        _wait_for_map(page)
        report = axe_violations(page)
        if report:
            failures.append(f"{path} (with the map)\n{report}")
    page.fill("#id_short_description", "x" * 251)
    with page.expect_navigation():
        page.click("form.project-form button[name=save]")
    _wait_for_map(page)
    for where in ("project form with errors",):
        report = axe_violations(page)
        if report:
            failures.append(f"{where}\n{report}")
    page.goto(base + f"projekty/{first.pk}/odwolanie/")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    report = axe_violations(page)
    if report:
        failures.append(f"appeal form with errors\n{report}")

    # The official: the office list, the phases, a verification screen, the final list.
    context.clear_cookies()
    log_in(page, live_server.url, official.email, PASSWORD, language)
    failures += check_urls(
        page,
        [
            base + p
            for p in (
                "urzad/",
                "urzad/?status=verified_negative",
                f"{year}/etapy/",
                f"projekty/{first.pk}/weryfikacja/",
                f"projekty/{second.pk}/weryfikacja/",
                f"{year}/lista-do-glosowania/",
                f"{year}/projekty/",
            )
        ],
    )
    context.close()
    assert failures == [], "\n\n".join(failures)


def test_the_map_picker_fills_the_fields_and_warns_outside_the_district(
    browser, live_server, krakow
):
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION)
    author = UserFactory(district=krakow[1], password=PASSWORD)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, author.email, PASSWORD)
    page.goto(f"{live_server.url}/pl/budzet-obywatelski/{edition.year}/zglos-projekt/")
    page.select_option("#id_pool", str(pool_for(edition, 1).pk))
    page.dispatch_event("#id_pool", "change")
    _wait_for_map(page)
    # The map fits district I; a click in its middle lands inside and fills both fields.
    map_box = page.locator(".location-picker .leaflet-container")
    box = map_box.bounding_box()
    assert box is not None
    map_box.click(position={"x": box["width"] / 2, "y": box["height"] / 2})  # scrolls to it
    latitude, longitude = page.input_value("#id_latitude"), page.input_value("#id_longitude")
    assert latitude.startswith("50.0") and longitude.startswith("19.9"), (latitude, longitude)
    assert "Wskazano miejsce" in page.inner_text("#location-picker-status")
    # Typing a point in Nowa Huta moves the marker and says at once that it is outside.
    page.fill("#id_latitude", "50,0720")
    page.fill("#id_longitude", "20,0380")
    page.dispatch_event("#id_longitude", "change")
    assert "poza granicami dzielnicy" in page.inner_text("#location-picker-status")
    context.close()


def test_without_javascript_the_picker_stays_hidden_and_the_fields_work(client_for, krakow):
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION)
    page = client_for("resident").get(f"/pl/budzet-obywatelski/{edition.year}/zglos-projekt/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<div class="location-picker" hidden' in html
    assert 'id="id_latitude"' in html and 'id="id_longitude"' in html
    assert 'id="pool-districts"' in html and "location_picker.js" in html
