"""The counter page in headless Chromium (issue 17): a clerk works it by keyboard alone, and
every page (search, results, the new-person form with its errors and duplicates, the person's
page) passes axe-core WCAG 2.1 A/AA in Polish, English and Ukrainian, also in large text."""

from __future__ import annotations

from typing import Any

import pytest

from wspolnota.accounts.models import User
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, log_in
from wspolnota.tests_support.scopes import counter_clerk_of, kept_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page: Any, failures: list[str], what: str) -> None:
    report = axe_violations(page)
    if report:
        failures.append(f"{what} at {page.url}\n{report}")


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_the_counter_by_keyboard_and_axe_clean(browser, live_server, krakow, language):
    clerk = counter_clerk_of(pref_large_text=True)
    existing = kept_person(full_name="Janina Żółkiewska")
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, clerk.email, PASSWORD, language)
    base = f"{live_server.url}/{language}/okienko/"
    failures: list[str] = []

    page.goto(base)
    _check(page, failures, "search")
    # Keyboard only: focus the surname field by Tab, type it and the phone, Enter. A surname
    # and one more detail identify the caller (docs/counter.md).
    field = page.locator("#id_surname")
    for _n in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "id_surname":
            break
    assert page.evaluate("document.activeElement.id") == "id_surname", "search not reachable"
    page.keyboard.type("zolkiewska")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_phone"
    page.keyboard.type("12 616 12 00")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert field.count() == 1 and "surname=zolkiewska" in page.url
    _check(page, failures, "results")
    link = page.locator(f"a[href$='/okienko/osoba/{existing.pk}/']")
    assert link.count() == 1, "the person was not found"
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/okienko/osoba/{existing.pk}/")
    _check(page, failures, "person")

    # A new person sent empty: errors shown and axe-clean.
    page.goto(f"{base}nowa-osoba/")
    _check(page, failures, "new person")
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()
    assert page.locator(".error-summary, .field-error, .errorlist").count()
    _check(page, failures, "new person with errors")
    # The same person typed again: the duplicate is suggested.
    page.fill("#id_full_name", "Żółkiewska Janina")
    page.fill("#id_address_street", "Długa 5 m. 3")
    page.fill("#id_address_postcode", "31147")
    page.fill("#id_address_city", "Kraków")
    page.check("input[name=reply_channel][value=letter]")
    page.check("input[name=channel][value=phone]")
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()
    assert page.locator(f"a[href$='/okienko/osoba/{existing.pk}/']").count() >= 1
    _check(page, failures, "duplicates suggested")
    assert User.objects.filter(kept_by_city=True).count() == 1
    context.close()
    assert not failures, "\n\n".join(failures)
