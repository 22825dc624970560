"""Every page, in every language, checked by axe-core in headless Chromium: no WCAG 2.1 A/AA violation."""

from __future__ import annotations

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_public_pages_have_no_wcag_violations(browser, live_server, krakow, language):
    context = browser.new_context(bypass_csp=False, java_script_enabled=True)
    page = context.new_page()
    failures = check_urls(page, [f"{live_server.url}/{language}/{path}" for path in PUBLIC_PAGES])
    # a form with errors: the error summary and invalid fields must be accessible too
    page.goto(f"{live_server.url}/{language}/konto/rejestracja/")
    page.fill("#id_email", "not-an-email")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#id_email") == "not-an-email"
    report = axe_violations(page)
    if report:
        failures.append(f"sign-up with errors\n{report}")
    # signing up with the address of a record kept at the counter: the page that explains the
    # link and the letter (accounts.services.person_conversion_request_online)
    from wspolnota.tests_support.scopes import kept_person

    kept_person(email=f"kept-{language}@example.org")
    page.goto(f"{live_server.url}/{language}/konto/rejestracja/")
    page.fill("#id_email", f"kept-{language}@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_accept_terms")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert f"kept-{language}@example.org" in page.content()
    report = axe_violations(page)
    if report:
        failures.append(f"sign-up with a kept record's address\n{report}")
    context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "uk"])
def test_signed_in_pages_have_no_wcag_violations(browser, live_server, krakow, language):
    admin = UserFactory(district=krakow[1], password=PASSWORD)
    RoleAssignmentFactory(user=admin, role=Role.ADMINISTRATOR)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, admin.email, PASSWORD, language)
    failures = check_urls(
        page, [f"{live_server.url}/{language}/{path}" for path in SIGNED_IN_PAGES]
    )
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
    failures = check_urls(
        page, [f"{live_server.url}/pl/{path}" for path in ("", "dzielnice/", "konto/rejestracja/")]
    )
    context.close()
    assert failures == [], "\n\n".join(failures)


def test_the_map_is_enhanced_by_leaflet_when_javascript_runs(browser, live_server, krakow):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/pl/dzielnice/")
    page.wait_for_selector(".leaflet-container path.leaflet-interactive", timeout=10_000)
    assert page.locator(".leaflet-container path.leaflet-interactive").count() == 18
    context.close()
