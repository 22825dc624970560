"""An official of the budget office sets up a new edition from nothing, through the pages only,
with JavaScript off and on; every set-up page passes axe in pl/en/uk."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget import services
from wspolnota.budget.models import Edition, Phase, PoolKind
from wspolnota.conftest import PASSWORD
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.voting.models import VotingPoint, VotingRules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _official(krakow: Any) -> tuple[Any, Any]:
    unit = CityUnitFactory(name="Kancelaria Budżetu Obywatelskiego")
    official = UserFactory(district=krakow[1], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    return official, unit


def _submit(page: Any, selector: str = "form.form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_an_official_sets_up_a_new_edition_from_nothing_through_the_pages(
    browser, live_server, krakow, javascript
):
    official, unit = _official(krakow)
    librarian = UserFactory(district=krakow[1], email="bibliotekarka@example.org")
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_server.url, official.email, PASSWORD, "pl")
    base = f"{live_server.url}/pl/budzet-obywatelski/"
    year = timezone.now().year + 5

    # 1. A new edition, from nothing (no edition to copy).
    page.goto(base + "urzad/nowa-edycja/")
    page.fill("#id_year", str(year))
    page.fill("#id_name", f"Budżet Obywatelski {year}")
    page.fill("#id_total_budget", "12 000 000")
    page.select_option("#id_coordinating_unit", str(unit.pk))
    _submit(page)
    assert f"/{year}/ustawienia/" in page.url
    edition = Edition.objects.get(year=year)
    assert edition.coordinating_unit == unit and not edition.is_published

    # 2. Its phases, each ten days, starting a month from now.
    page.goto(base + f"{year}/etapy/")
    start = timezone.localtime() + timedelta(days=30)
    for position, kind in enumerate(Phase.values):
        begins = start + timedelta(days=10 * position)
        page.fill(f"#id_{kind}__starts_at", begins.strftime("%Y-%m-%dT%H:%M"))
        page.fill(f"#id_{kind}__ends_at", (begins + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    _submit(page)
    assert edition.phases.count() == len(Phase.values)

    # 3. The citywide pool and District I's pool.
    page.goto(base + f"{year}/ustawienia/pule/")
    page.fill("#id_budget", "2 000 000")
    page.fill("#id_min_project_cost", "25 000")
    page.fill("#id_max_project_cost", "1 000 000")
    _submit(page)
    page.select_option("#id_district", str(krakow[1].pk))
    page.fill("#id_budget", "1 000 000")
    page.fill("#id_min_project_cost", "10 000")
    page.fill("#id_max_project_cost", "2 000 000")  # above the pool: refused, said on the field
    _submit(page)
    assert "nie może przekraczać kwoty puli" in page.content()
    page.fill("#id_max_project_cost", "500 000")
    _submit(page)
    kinds = sorted(edition.pools.values_list("kind", flat=True))
    assert kinds == [PoolKind.CITYWIDE, PoolKind.DISTRICT]

    # 4. The rules: supporters, the withdrawal deadline, published.
    page.goto(base + f"{year}/ustawienia/")
    page.fill("#id_supporters_required", "20")
    page.check("#id_is_published")
    _submit(page)
    edition.refresh_from_db()
    assert edition.supporters_required == 20 and edition.is_published

    # 5. The voting rules: Kraków's ballot, all six required, from 16, then fixed.
    page.goto(f"{live_server.url}/pl/glosowanie/{year}/ustawienia/zasady/")
    page.select_option("#id_ballot_kind", "krakow")
    page.check("#id_require_all_picks")
    page.fill("#id_minimum_age", "16")
    _submit(page, "button[name=save]")
    _submit(page, "button[name=fix]")
    rules = VotingRules.objects.get(edition=edition)
    assert rules.require_all_picks and rules.minimum_age == 16 and rules.fixed_at is not None

    # 6. Two voting points, one with a coordinator and a place on the map.
    page.goto(f"{live_server.url}/pl/glosowanie/{year}/ustawienia/punkty/")
    for name, district, extra in (
        ("Biblioteka Kraków — Rajska", krakow[1], {"#id_latitude": "50,0640"}),
        ("Urząd Dzielnicy XVIII", krakow[18], {}),
    ):
        page.fill("#id_name", name)
        page.fill("#id_address", "ul. Przykładowa 1, Kraków")
        page.select_option("#id_district", str(district.pk))
        page.fill("#id_hours", "pon.–pt. 10:00–18:00")
        page.check("#id_step_free")
        for selector, value in extra.items():
            page.fill(selector, value)
            page.fill("#id_longitude", "19,9300")
            page.fill("#id_coordinators", "bibliotekarka@example.org")
        _submit(page)
    points = list(VotingPoint.objects.filter(edition=edition).order_by("name"))
    assert [p.name for p in points] == ["Biblioteka Kraków — Rajska", "Urząd Dzielnicy XVIII"]
    assert list(points[0].coordinators.all()) == [librarian]

    # The public see it: the edition page and the voting points page.
    assert page.goto(base + f"{year}/").status == 200
    assert page.goto(f"{live_server.url}/pl/glosowanie/{year}/punkty/").status == 200
    assert "Biblioteka Kraków — Rajska" in page.content()
    context.close()


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_every_set_up_page_has_no_wcag_violations(browser, live_server, krakow, language):
    official, unit = _official(krakow)
    year = timezone.now().year + 6
    later = timezone.now() + timedelta(days=60)
    edition = services.edition_create(
        actor=None,
        city=krakow[1].city,
        year=year,
        name=f"BO {year}",
        total_budget=Decimal("3000000"),
        phases={Phase.SUBMISSION: (later, later + timedelta(days=10))},
        coordinating_unit=unit,
        is_published=False,
    )
    pool = services.pool_create(
        actor=None,
        edition=edition,
        district=None,
        budget=Decimal("2000000"),
        min_project_cost=Decimal("1000"),
        max_project_cost=Decimal("100000"),
    )
    point = VotingPoint.objects.create(
        edition=edition, name="Punkt", address="ul. Rajska 1", district=krakow[1], hours="9–17"
    )
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, official.email, PASSWORD, language)
    budget = f"{live_server.url}/{language}/budzet-obywatelski/"
    voting = f"{live_server.url}/{language}/glosowanie/{year}/"
    failures = check_urls(
        page,
        [
            budget + "urzad/nowa-edycja/",
            budget + f"{year}/ustawienia/",
            budget + f"{year}/ustawienia/pule/",
            budget + f"{year}/ustawienia/pule/{pool.pk}/",
            budget + f"{year}/ustawienia/weryfikacja/",
            voting + "ustawienia/zasady/",
            voting + "ustawienia/punkty/",
            voting + f"ustawienia/punkty/{point.pk}/",
        ],
    )
    # Forms sent back with errors.
    for url in (
        budget + "urzad/nowa-edycja/",
        budget + f"{year}/ustawienia/pule/",
        voting + "ustawienia/punkty/",
    ):
        page.goto(url)
        _submit(page)
        report = axe_violations(page)
        if report:
            failures.append(f"{url} with errors\n{report}")
    context.close()
    assert failures == [], "\n\n".join(failures)
