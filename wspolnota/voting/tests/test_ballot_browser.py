"""The ballot in a real browser (issue 16): axe finds nothing on the ballot (filtered, with picks)
and the review page in pl, en and uk; without JavaScript the pick buttons and the search work by
keyboard; with JavaScript the picks-left count follows the choice in its live region."""

from __future__ import annotations

import pytest

from wspolnota.budget.tests.factories import pool_for
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, log_in
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting.tests.factories import (
    confirmed,
    make_pesel,
    make_voting_edition,
    on_ballot,
    pesel_facts,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _identity_step(page, base, edition, district, index, language="pl"):
    birth, sex = pesel_facts(make_pesel(index))
    page.goto(f"{base}/{language}/glosowanie/{edition.year}/glosuj/")
    page.select_option("#id_district", str(district.pk))
    page.fill("#id_full_name", f"Anna Nowak {index}")
    page.fill("#id_birth_date", birth.isoformat())
    page.select_option("#id_sex", sex)
    page.fill("#id_pesel", make_pesel(index))
    page.check("#id_residence_declared")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "/glosuj/karta/" in page.url, page.inner_text("main")[:500]


def test_the_ballot_and_review_pass_axe_in_three_languages(browser, live_server, krakow):
    edition = make_voting_edition(districts=krakow)
    base = live_server.url
    city = pool_for(edition, None).pk
    failures = []
    for index, language in enumerate(("pl", "en", "uk"), start=1):
        voter = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
        context = browser.new_context()
        page = context.new_page()
        log_in(page, base, voter.email, PASSWORD, language)
        _identity_step(page, base, edition, krakow[1], 20 + index, language)
        report = axe_violations(page)
        if report:
            failures.append(f"{language} ballot\n{report}")
        with page.expect_navigation():
            page.click(f"#pool-{city} button[name=_pick]")
        page.fill(f"#q-{city}", "OM 3")
        with page.expect_navigation():
            page.click(f"#pool-{city} button[name=_filter]")
        assert page.locator(f"#pool-{city} .ballot-project").count() == 1
        report = axe_violations(page)
        if report:
            failures.append(f"{language} ballot filtered, one pick\n{report}")
        with page.expect_navigation():
            page.click("#ballot-submit")
        assert page.locator("table").count() >= 1
        report = axe_violations(page)
        if report:
            failures.append(f"{language} review\n{report}")
        context.close()
    assert not failures, "\n\n".join(failures)


def test_without_javascript_a_voter_picks_and_searches_by_keyboard(browser, live_server, krakow):
    edition = make_voting_edition(districts=krakow)
    voter = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    base = live_server.url
    city = pool_for(edition, None).pk
    projects = on_ballot(edition, None)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, base, voter.email, PASSWORD)
    _identity_step(page, base, edition, krakow[1], 31)
    page.focus(f"button[name=_pick][value='{city}:{projects[2].pk}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Pozostało wyborów: 2" in page.inner_text(f"#picks-left-{city}")
    page.focus(f"#q-{city}")
    page.keyboard.type("OM 4")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # Enter in the search box refreshes the list
    assert page.locator(f"#pool-{city} .ballot-project").count() == 1
    assert page.input_value(f"#id_pool_{city}_1") == str(projects[2].pk)  # the pick stayed
    page.focus(f"button[name=_pick][value='{city}:{projects[3].pk}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.input_value(f"#id_pool_{city}_2") == str(projects[3].pk)
    with page.expect_navigation():
        page.click("#ballot-submit")
    review = page.inner_text("main")
    assert "Sprawdź swój wybór" in review and "3 pkt" in review and "2 pkt" in review
    context.close()


def test_with_javascript_the_picks_left_follow_the_choice(browser, live_server, krakow):
    edition = make_voting_edition(districts=krakow)
    voter = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    base = live_server.url
    city = pool_for(edition, None).pk
    projects = on_ballot(edition, None)
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, voter.email, PASSWORD)
    _identity_step(page, base, edition, krakow[1], 41)
    status = page.locator(f"#picks-left-{city}")
    assert status.get_attribute("role") == "status"
    page.select_option(f"#id_pool_{city}_1", str(projects[0].pk))
    assert "Pozostało wyborów: 2" in status.inner_text()
    page.select_option(f"#id_pool_{city}_2", str(projects[1].pk))
    assert "Pozostało wyborów: 1" in status.inner_text()
    context.close()
