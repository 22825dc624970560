"""One browser journey from nothing to a winner's page (issue 16), JavaScript off and on.

The budget office creates an edition, its phases, pools, rules, voting rules and two voting
points (one placed on the map from its address, both coordinated by the office) through its
pages; a resident submits a project and a neighbour supports it through the pages; the office
assigns the verification in bulk, fills both reviews' checklists, asks for the merit review and
announces the outcome on each project's verification page, publishes the final list on its page,
closes both points with their protocols, closes the ballot box, counts and publishes on the
voting office page; a resident votes in the browser (identity, ballot, review, SMS code, receipt);
the winner's page says "selected" and links to its implementation, and the catalogue's "selected"
filter finds it. With JavaScript on, axe checks every official page visited (pl) and the set-up
pages in en and uk too. Through services stay only what is not an official's page: the second
project and the extra supporters and online voters (residents' pages other tests drive), and the
calendar, which moves with ``move_to_phase`` (what weeks do)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget.models import (
    FORMAL_CHECKLIST,
    MERIT_CHECKLIST,
    Edition,
    Phase,
    Project,
    ProjectStatus,
    ReviewStage,
)
from wspolnota.budget.tests.factories import move_to_phase, pool_for, submitted_project, support
from wspolnota.conftest import PASSWORD
from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.voting import services
from wspolnota.voting.models import VotingPoint
from wspolnota.voting.tests.factories import (
    cast_online,
    confirmed,
    identity_of,
    make_pesel,
    pesel_facts,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page: Any, selector: str = "form.form button[type=submit]") -> None:
    with page.expect_navigation():
        page.click(selector)


class _Axe:
    """Collects axe reports of the pages it is shown (only with JavaScript on: axe is a script)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.failures: list[str] = []

    def __call__(self, page: Any) -> None:
        if self.enabled:
            report = axe_violations(page)
            if report:
                self.failures.append(f"{page.url}\n{report}")


def _set_up(
    page: Any, live: str, year: int, unit: Any, krakow: Any, official: Any, axe: _Axe
) -> Edition:
    """The office's pages, from nothing: edition, phases, pools, rules, vote, two points."""
    budget = f"{live}/pl/budzet-obywatelski/"
    page.goto(budget + "urzad/nowa-edycja/")
    axe(page)
    page.fill("#id_year", str(year))
    page.fill("#id_name", f"Budżet Obywatelski {year}")
    page.fill("#id_total_budget", "3 000 000")
    page.select_option("#id_coordinating_unit", str(unit.pk))
    _submit(page)
    page.goto(budget + f"{year}/etapy/")
    axe(page)
    start = timezone.localtime() + timedelta(days=1)
    for position, kind in enumerate(Phase.values):
        begins = start + timedelta(days=10 * position)
        page.fill(f"#id_{kind}__starts_at", begins.strftime("%Y-%m-%dT%H:%M"))
        page.fill(f"#id_{kind}__ends_at", (begins + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"))
    _submit(page)
    page.goto(budget + f"{year}/ustawienia/pule/")
    axe(page)
    # District I's pool fits one project of 100 000 zł, not two: one wins, one does not.
    for district, amount in ((None, "2 000 000"), (krakow[1], "150 000")):
        if district is not None:
            page.select_option("#id_district", str(district.pk))
        page.fill("#id_budget", amount)
        page.fill("#id_min_project_cost", "1 000")
        page.fill("#id_max_project_cost", "150 000")
        _submit(page)
    page.goto(budget + f"{year}/ustawienia/")
    axe(page)
    page.fill("#id_supporters_required", "2")
    page.check("#id_is_published")
    _submit(page)
    page.goto(f"{live}/pl/glosowanie/{year}/ustawienia/zasady/")
    axe(page)
    page.select_option("#id_ballot_kind", "krakow")
    _submit(page, "button[name=save]")
    _submit(page, "button[name=fix]")
    page.goto(f"{live}/pl/glosowanie/{year}/ustawienia/punkty/")
    axe(page)
    for name, address, district in (
        ("Biblioteka Kraków — Rajska", "ul. Rajska 1, Kraków", krakow[1]),
        ("Centrum Kultury Nowej Huty", "os. Centrum A 1, Kraków", krakow[18]),
    ):
        page.fill("#id_name", name)
        page.fill("#id_address", address)  # no coordinates: the address points place it
        page.select_option("#id_district", str(district.pk))
        page.fill("#id_hours", "pon.–pt. 10:00–18:00")
        page.check("#id_step_free")
        page.fill("#id_coordinators", official.email)  # the office closes both points itself
        _submit(page)
    axe(page)
    edition = Edition.objects.get(year=year)
    assert edition.is_published and edition.pools.count() == 2
    points = list(VotingPoint.objects.filter(edition=edition).order_by("name"))
    assert len(points) == 2
    assert (points[0].latitude, points[0].longitude) == (Decimal("50.064000"), Decimal("19.930600"))
    assert points[1].latitude is not None
    assert all(list(p.coordinators.all()) == [official] for p in points)
    if axe.enabled:  # the same set-up pages in English and Ukrainian
        pool = edition.pools.order_by("pk").first()
        for language in ("en", "uk"):
            budget_l = f"{live}/{language}/budzet-obywatelski/"
            voting_l = f"{live}/{language}/glosowanie/{year}/"
            axe.failures += check_urls(
                page,
                [
                    budget_l + "urzad/nowa-edycja/",
                    budget_l + f"{year}/etapy/",
                    budget_l + f"{year}/ustawienia/",
                    budget_l + f"{year}/ustawienia/pule/",
                    budget_l + f"{year}/ustawienia/pule/{pool.pk}/",
                    budget_l + f"{year}/ustawienia/weryfikacja/",
                    voting_l + "ustawienia/zasady/",
                    voting_l + "ustawienia/punkty/",
                    voting_l + f"ustawienia/punkty/{points[0].pk}/",
                ],
            )
    return edition


def _submit_project(page: Any, live: str, year: int, pool: Any) -> Project:
    page.goto(f"{live}/pl/budzet-obywatelski/{year}/zglos-projekt/")
    page.select_option("#id_pool", str(pool.pk))
    page.fill("#id_title", "Zielona alejka przy Rajskiej")
    page.fill(
        "#id_short_description",
        "Nowe ławki, kosze i nasadzenia drzew wzdłuż alejki przy bibliotece dla mieszkańców.",
    )
    page.fill("#id_description", "Ławki, kosze i dziesięć drzew wzdłuż alejki.")
    page.select_option("#id_category", "environment")
    page.fill("#id_address", "ul. Rajska 1")  # placed on the map from its address
    page.fill("#id_cost-0-name", "Ławki i drzewa")
    page.fill("#id_cost-0-amount", "100 000")
    page.check("#id_data_protection")
    _submit(page, "button[name=save]")
    _submit(page, "button[name=submit]")
    project = Project.objects.get(title="Zielona alejka przy Rajskiej")
    assert project.status == ProjectStatus.SUBMITTED and project.latitude == Decimal("50.064000")
    return project


def _review(page: Any, review: Any, checklist: Any, axe: _Axe) -> None:
    """Tick every item of a review's checklist, mark it positive and save it, on the page."""
    form = f"#form-review-{review.pk}"
    for key, _label in checklist:
        page.check(f"#id_review-{review.pk}-check_{key}")
    page.check(f"{form} input[name='review-{review.pk}-result'][value=passed]")
    page.fill(f"#id_review-{review.pk}-notes", "Wszystkie warunki spełnione.")
    _submit(page, f"{form} button[type=submit]")
    assert "Zapisano." in page.inner_text("main"), page.inner_text("main")[:800]
    axe(page)


def _verify(page: Any, live: str, unit: Any, project: Project, axe: _Axe) -> None:
    """The verifying official's page: the formal checklist, the merit review asked of the unit
    and its checklist, then the public outcome."""
    page.goto(f"{live}/pl/budzet-obywatelski/projekty/{project.pk}/weryfikacja/")
    axe(page)
    _review(page, project.reviews.get(stage=ReviewStage.FORMAL), FORMAL_CHECKLIST, axe)
    page.select_option("#id_assign-unit", str(unit.pk))
    _submit(page, "#form-assign button[type=submit]")
    assert "Zapisano." in page.inner_text("main"), page.inner_text("main")[:800]
    _review(page, project.reviews.get(stage=ReviewStage.MERIT), MERIT_CHECKLIST, axe)
    page.check("#form-decision input[name='decision-outcome'][value=positive]")
    page.fill("#id_decision-reasons", "Spełnia wymogi.")
    _submit(page, "#form-decision button[type=submit]")
    axe(page)
    project.refresh_from_db()
    assert project.status == ProjectStatus.VERIFIED_POSITIVE, page.inner_text("main")[:800]


def _vote_in_the_browser(page: Any, live: str, year: int, district: Any, project: Project) -> None:
    from wspolnota.communication.transports import memory_outbox

    birth, sex = pesel_facts(make_pesel(77))
    page.goto(f"{live}/pl/glosowanie/{year}/glosuj/")
    page.select_option("#id_district", str(district.pk))
    page.fill("#id_full_name", "Anna Nowak")
    page.fill("#id_birth_date", birth.isoformat())
    page.select_option("#id_sex", sex)
    page.fill("#id_pesel", make_pesel(77))
    page.check("#id_residence_declared")
    _submit(page)
    assert "/glosuj/karta/" in page.url, page.inner_text("main")[:500]
    _submit(page, f"button[name=_pick][value='{project.pool_id}:{project.pk}']")
    _submit(page, "#ballot-submit")
    assert "Sprawdź swój wybór" in page.inner_text("main")
    code = "".join(ch for ch in memory_outbox[-1].text.split(" to ")[-1] if ch.isdigit())[:6]
    page.fill("#id_code", code)
    _submit(page, "form.form button[type=submit]:not([name])")
    assert "/glosuj/potwierdzenie/" in page.url, page.inner_text("main")[:500]


@pytest.mark.parametrize("javascript", [False, True], ids=["js-off", "js-on"])
def test_an_edition_from_set_up_to_the_winners_page_in_the_browser(
    browser, live_server, krakow, javascript
):
    address_points_load(city=krakow[1].city, path=KRAKOW_ADDRESS_SAMPLE)
    unit = CityUnitFactory(name="Kancelaria Budżetu Obywatelskiego")
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    author = UserFactory(district=krakow[1], password=PASSWORD)
    neighbour = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    voter = confirmed(UserFactory(district=krakow[1], password=PASSWORD))
    live = live_server.url
    year = timezone.now().year + 9

    def tab(user: Any) -> tuple[Any, Any]:
        context = browser.new_context(java_script_enabled=javascript)
        page = context.new_page()
        log_in(page, live, user.email, PASSWORD)
        return context, page

    axe = _Axe(enabled=javascript)
    office_context, office = tab(official)
    edition = _set_up(office, live, year, unit, krakow, official, axe)

    # Submission opens: a resident submits, a neighbour supports by typing the address.
    edition = move_to_phase(edition, Phase.SUBMISSION)
    author_context, page = tab(author)
    local = pool_for(edition, 1)
    winner = _submit_project(page, live, year, local)
    author_context.close()
    other = submitted_project(author=author, pool=local, title="Ławki przy szkole")
    neighbour_context, page = tab(neighbour)
    page.goto(f"{live}/pl/budzet-obywatelski/projekty/{winner.pk}/")
    page.fill("#id_address", "ul. Floriańska 3")
    _submit(page, "#support-submit")
    assert "Popierasz ten projekt" in page.inner_text("main")
    neighbour_context.close()
    for project in (winner, other):
        for _ in range(2 if project == other else 1):
            support(user=UserFactory(district=krakow[1]), project=project)

    # Verification: the office assigns both projects in bulk on its page, then reviews and
    # decides on each project's verification page.
    edition = move_to_phase(edition, Phase.VERIFICATION)
    office.goto(f"{live}/pl/budzet-obywatelski/{year}/ustawienia/weryfikacja/")
    axe(office)
    for project in (winner, other):
        office.check(f"input[name=projects][value='{project.pk}']")
    office.select_option("#id_unit", str(unit.pk))
    _submit(office)
    for project in (winner, other):
        project.refresh_from_db()
        assert project.status == ProjectStatus.IN_VERIFICATION
        _verify(office, live, unit, project, axe)

    # The final list, announced on its page.
    edition = move_to_phase(edition, Phase.FINAL_LIST)
    office.goto(f"{live}/pl/budzet-obywatelski/{year}/lista-do-glosowania/")
    axe(office)
    office.check("#id_confirm")
    _submit(office)
    assert "Lista do głosowania została ogłoszona: 2" in office.inner_text("main")
    axe(office)

    # The vote: one resident in the browser, two more online; then counted and published.
    edition = move_to_phase(edition, Phase.VOTING)
    services.ballot_cache_clear()
    voter_context, page = tab(voter)
    _vote_in_the_browser(page, live, year, krakow[1], winner)
    voter_context.close()
    edition = (
        Edition.objects.select_related("voting_rules").prefetch_related("phases").get(pk=edition.pk)
    )
    for index in range(2):
        cast_online(
            edition,
            confirmed(UserFactory(district=krakow[1])),
            identity_of(edition, 80 + index),
            krakow[1],
            {local.pk: [(winner.pk, 0), (other.pk, 0)]},
        )

    # After the vote: the office closes both points with their protocols, then on the voting
    # office page closes the ballot box, counts and publishes.
    edition = move_to_phase(edition, Phase.RESULTS)
    services.ballot_cache_clear()
    for point in VotingPoint.objects.filter(edition=edition).order_by("name"):
        office.goto(f"{live}/pl/glosowanie/punkty/{point.pk}/zamkniecie/")
        axe(office)
        office.fill("#id_cards_received", "100")
        office.fill("#id_cards_unused", "100")
        _submit(office)
        assert "Punkt został zamknięty" in office.inner_text("main"), office.url
        axe(office)
    assert not VotingPoint.objects.filter(edition=edition, closed_at__isnull=True).exists()
    office.goto(f"{live}/pl/glosowanie/{year}/urzad/")
    axe(office)
    _submit(office, "button[name=close_box]")
    assert "Urna zamknięta" in office.inner_text("main"), office.inner_text("main")[:800]
    axe(office)
    office.fill("#id_witnesses", "Jan Kowalski, Maria Wiśniewska")
    _submit(office, "button[name=count]")
    assert "Głosy policzone we wszystkich pulach." in office.inner_text("main")
    axe(office)
    _submit(office, "button[name=publish]")
    assert f"/glosowanie/{year}/wyniki/" in office.url and "Wyniki ogłoszone." in office.inner_text(
        "main"
    )
    axe(office)

    # Anyone: the winner's page says selected and links to the building; the filter finds it.
    from wspolnota.implementation.models import Implementation

    implementation = Implementation.objects.get(project=winner)
    visitor = browser.new_context(java_script_enabled=javascript)
    page = visitor.new_page()
    page.goto(f"{live}/pl/budzet-obywatelski/projekty/{winner.pk}/")
    thread = page.locator(".project-thread")
    assert "wybrany w głosowaniu" in thread.inner_text()
    link = thread.locator(f"a[href='{reverse('implementation:detail', args=[implementation.pk])}']")
    assert link.count() >= 1
    with page.expect_navigation():
        link.first.click()
    assert page.url.endswith(reverse("implementation:detail", args=[implementation.pk]))
    page.goto(f"{live}/pl/budzet-obywatelski/{year}/projekty/?status=selected")
    catalogue = page.inner_text("main")
    assert "Zielona alejka przy Rajskiej" in catalogue and "Ławki przy szkole" not in catalogue
    visitor.close()
    office_context.close()
    assert axe.failures == [], "\n\n".join(axe.failures)
