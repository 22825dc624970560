"""In a real browser, with the keyboard only and no JavaScript: a resident votes online, and every
voting page (public, resident's, coordinator's, official's) passes axe in pl, en and uk."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget.tests.factories import pool_for
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.voting import services
from wspolnota.voting.models import Ballot, BallotReceipt
from wspolnota.voting.tests.factories import (
    cast_online,
    close_vote,
    confirmed,
    identity_of,
    krakow_selection,
    make_pesel,
    make_point,
    make_voting_edition,
    pesel_facts,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_votes_with_the_keyboard_alone_without_javascript(browser, live_server, krakow):
    edition = make_voting_edition(districts=krakow)
    voter = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    base = live_server.url
    log_in(page, base, voter.email, PASSWORD)
    page.goto(f"{base}/pl/glosowanie/{edition.year}/glosuj/")
    failures = []

    def check(where):
        # axe runs as JavaScript, which this context has switched off: the page exactly as the
        # voter sees it (forms with errors included) is checked in a second context that has it
        html = page.content()
        checker = browser.new_context()
        try:
            view = checker.new_page()
            view.goto(f"{base}/pl/")  # same origin, so the page's styles load as for the voter
            view.set_content(html)
            report = axe_violations(view)
        finally:
            checker.close()
        if report:
            failures.append(f"{where}\n{report}")

    check("identity")
    birth, sex = pesel_facts(make_pesel(1))
    page.focus("#id_district")
    page.keyboard.press("Tab")  # full name
    page.keyboard.type("Anna Nowak")
    page.keyboard.press("Tab")  # date of birth
    page.fill("#id_birth_date", birth.isoformat())  # a date field's own keys vary by locale
    page.select_option("#id_sex", sex)
    page.focus("#id_pesel")
    page.keyboard.type(make_pesel(1))
    page.focus("#id_residence_declared")
    page.keyboard.press("Space")
    page.select_option("#id_district", str(krakow[1].pk))  # a select is operable by keys too
    page.focus("form.form button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/glosuj/karta/" in page.url
    check("ballot")
    city = pool_for(edition, None).pk
    choices = krakow_selection(edition)[city]
    page.select_option(f"#id_pool_{city}_1", str(choices[0][0]))
    page.select_option(f"#id_pool_{city}_2", str(choices[0][0]))  # the same project twice
    page.focus("#ballot-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "więcej niż raz" in page.inner_text("main")
    check("ballot with errors")
    page.select_option(f"#id_pool_{city}_2", str(choices[1][0]))
    page.focus("#ballot-submit")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Sprawdź swój wybór" in page.inner_text("main")
    check("review")
    from wspolnota.communication.transports import memory_outbox

    sms = memory_outbox[-1].text.split(" to ")[-1]
    page.focus("#id_code")
    page.keyboard.type("".join(ch for ch in sms if ch.isdigit())[:6])
    page.focus("form.form button[type=submit]")  # the first form: cast
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check("receipt")
    code = page.inner_text(".receipt-code")
    services.envelopes_mix(edition_id=edition.pk, final=True)
    assert BallotReceipt.objects.get().code == code and Ballot.objects.count() == 1
    context.close()
    assert not failures, "\n\n".join(failures)


def test_every_voting_page_passes_axe_in_three_languages(browser, live_server, krakow):
    unit = CityUnitFactory(code="KBO", name="Kancelaria Budżetu Obywatelskiego")
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    coordinator = UserFactory(district=krakow[1], password=PASSWORD)
    resident = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    open_edition = make_voting_edition(districts=krakow, coordinator=official)
    second = UserFactory(district=krakow[1], password=PASSWORD)
    point = make_point(open_edition, krakow[1], [coordinator, second])
    identity = identity_of(open_edition, 3)
    card = services.paper_entry_add(
        actor=coordinator,
        point=point,
        number="K-1",
        identity=identity,
        district=krakow[1],
        document_kind="id_card",
        selection=krakow_selection(open_edition),
        at=timezone.now(),
    )
    other = krakow_selection(open_edition)
    first_pool = next(iter(other))
    other[first_pool] = list(reversed(other[first_pool]))
    services.paper_entry_add(
        actor=second,
        point=point,
        number="K-1",
        identity=identity,
        district=krakow[1],
        document_kind="id_card",
        selection=other,
        at=timezone.now(),
    )
    closed = make_voting_edition(
        districts=krakow, year=open_edition.year - 1, slug="krakow-closed", coordinator=official
    )
    for i in range(4):
        cast_online(
            closed,
            confirmed(UserFactory(district=krakow[1])),
            identity_of(closed, 10 + i),
            krakow[1],
        )
    closed = close_vote(closed)
    services.edition_count(actor=official, edition=closed, at=timezone.now())
    services.results_publish(actor=official, edition=closed, at=timezone.now())
    y, c = open_edition.year, closed.year
    public = [
        "/glosowanie/",
        f"/glosowanie/{y}/",
        f"/glosowanie/{y}/frekwencja/",
        f"/glosowanie/{y}/punkty/",
        f"/glosowanie/punkty/{point.pk}/",
        f"/glosowanie/{y}/wyniki/",
        f"/glosowanie/{y}/kody-potwierdzen/",
        f"/glosowanie/{c}/",
        f"/glosowanie/{c}/wyniki/",
        f"/glosowanie/{c}/wyniki/{pool_for(closed, None).pk}/",
        f"/glosowanie/{c}/wyniki/{pool_for(closed, 1).pk}/",
        f"/glosowanie/{c}/kody-potwierdzen/?kod=XXXX",
    ]
    staff = [
        f"/glosowanie/punkty/{point.pk}/",
        f"/glosowanie/{y}/karty-do-wyjasnienia/",
        f"/glosowanie/karty/{card.pk}/",
        f"/glosowanie/{y}/urzad/",
        f"/glosowanie/{c}/urzad/",
        f"/glosowanie/{y}/komisja/nieprawidlowosci/",
    ]
    point_staff = [
        f"/glosowanie/punkty/{point.pk}/karty/",
        f"/glosowanie/punkty/{point.pk}/zamkniecie/",
    ]
    voter = [f"/glosowanie/{y}/glosuj/", f"/glosowanie/{y}/glosuj/telefon/"]
    base = live_server.url
    failures = []
    for language in ("pl", "en", "uk"):
        anonymous = browser.new_context()
        failures += check_urls(anonymous.new_page(), [f"{base}/{language}{u}" for u in public])
        anonymous.close()
        for who, urls in ((official, staff), (resident, voter), (coordinator, point_staff)):
            context = browser.new_context()
            page = context.new_page()
            log_in(page, base, who.email, PASSWORD, language)
            failures += check_urls(page, [f"{base}/{language}{u}" for u in urls])
            context.close()
    assert not failures, "\n\n".join(failures)


def test_with_javascript_the_maps_draw_districts_and_points(browser, live_server, krakow):
    """Leaflet replaces the server-drawn SVG: the districts and every located point are drawn
    (Leaflet cannot draw styled shapes before the map has a view; this once left a blank map),
    and the district pages' maps draw too."""
    edition = make_voting_edition(districts=krakow)
    make_point(edition, krakow[1])
    context = browser.new_context()
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/pl/glosowanie/{edition.year}/punkty/")
    page.wait_for_selector("#points-map .leaflet-overlay-pane path", timeout=10_000)
    shapes = page.locator("#points-map .leaflet-overlay-pane path").count()
    assert shapes == len(krakow) + 1  # 18 districts and one point
    assert page.locator("#points-map svg.impl-map").count() == 0  # the fallback SVG was replaced
    page.goto(f"{base}/pl/dzielnice/")
    page.wait_for_selector(".leaflet-overlay-pane path", timeout=10_000)
    assert page.locator(".leaflet-overlay-pane path").count() == len(krakow)
    context.close()
