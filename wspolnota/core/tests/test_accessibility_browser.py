"""Every page, in every language, checked by axe-core in headless Chromium: no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PUBLIC_PAGES = [
    "",
    "dzielnice/",
    "dzielnice/1/",
    "dzielnice/18/",
    "deklaracja-dostepnosci/",
    "pomoc/",
    "prywatnosc/",
    "konto/rejestracja/",
    "konto/logowanie/",
    "konto/haslo/reset/",
    "konto/haslo/reset/wyslano/",
    "no-such-page/",
]
SIGNED_IN_PAGES = [
    "konto/profil/",
    "konto/profil/telefon/",
    "konto/profil/haslo/",
    "konto/profil/usun-konto/",
    "konto/role/",
    "dziennik-zdarzen/",
]
axe = Axe()


def _check(page, url: str, failures: list[str]) -> None:
    page.goto(url)
    assert page.locator("main#main").count() == 1, url
    result = axe.run(page, options=AXE_OPTIONS)
    if result.violations_count:
        failures.append(f"{url}\n{result.generate_report()}")


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_public_pages_have_no_wcag_violations(browser, live_server, krakow, language):
    context = browser.new_context(bypass_csp=False, java_script_enabled=True)
    page = context.new_page()
    failures: list[str] = []
    for path in PUBLIC_PAGES:
        _check(page, f"{live_server.url}/{language}/{path}", failures)
    # a form with errors: the error summary and invalid fields must be accessible too
    page.goto(f"{live_server.url}/{language}/konto/rejestracja/")
    page.fill("#id_email", "not-an-email")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#id_email") == "not-an-email"
    result = axe.run(page, options=AXE_OPTIONS)
    if result.violations_count:
        failures.append(f"sign-up with errors\n{result.generate_report()}")
    context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_signed_in_pages_have_no_wcag_violations(browser, live_server, krakow, language):
    admin = UserFactory(district=krakow[1], password=PASSWORD)
    RoleAssignmentFactory(user=admin, role=Role.ADMINISTRATOR)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/{language}/konto/logowanie/")
    page.fill("#id_username", admin.email)
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    failures: list[str] = []
    for path in SIGNED_IN_PAGES:
        _check(page, f"{live_server.url}/{language}/{path}", failures)
    context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("mode", ["large_text", "high_contrast"])
def test_display_modes_keep_wcag_contrast(browser, live_server, krakow, mode):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/pl/")
    page.check(f"input[name={mode}]")
    page.click(".display-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("class").strip() in ("large-text", "high-contrast")
    failures: list[str] = []
    for path in ("", "dzielnice/", "konto/rejestracja/"):
        _check(page, f"{live_server.url}/pl/{path}", failures)
    context.close()
    assert failures == [], "\n\n".join(failures)


def test_the_map_is_enhanced_by_leaflet_when_javascript_runs(browser, live_server, krakow):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/pl/dzielnice/")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive", timeout=10_000)
    assert page.locator(".leaflet-container path.leaflet-interactive").count() == 18
    context.close()
