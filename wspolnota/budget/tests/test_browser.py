"""In a real browser: a project's whole way to the ballot, and every page of it checked by axe."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget import services
from wspolnota.budget.models import Phase, Project, ProjectStatus
from wspolnota.budget.tests.factories import (
    make_edition,
    move_to_phase,
    pool_for,
    support,
)
from wspolnota.conftest import PASSWORD
from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Journey:
    """One browser tab for one person; every page it lands on goes through axe."""

    def __init__(self, browser: Any, base: str, email: str | None = None) -> None:
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.base = base
        self.failures: list[str] = []
        if email:
            log_in(self.page, base, email, PASSWORD)

    def open(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status < 500, path
        self.check(path)

    def submit(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)
        self.check(f"after {selector} on {self.page.url}")

    def check(self, where: str) -> None:
        report = axe_violations(self.page)
        if report:
            self.failures.append(f"{where}\n{report}")

    def text(self) -> str:
        return self.page.inner_text("main")


def test_a_project_goes_from_submission_through_an_appeal_to_the_final_list(
    browser, live_server, krakow
):
    unit = CityUnitFactory(code="KBO", name="Kancelaria Budżetu Obywatelskiego")
    official = UserFactory(district=krakow[2], password=PASSWORD, full_name="Piotr Urzędniczy")
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    author = UserFactory(district=krakow[1], password=PASSWORD)
    neighbour = UserFactory(
        district=krakow[1],
        password=PASSWORD,
        phone="+48600123456",
        phone_confirmed_at=timezone.now(),
    )
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=unit)
    base = live_server.url
    year = edition.year

    # 1. The author writes the project; a too-long short description is refused and kept.
    me = Journey(browser, base, author.email)
    me.open(f"/pl/budzet-obywatelski/{year}/zglos-projekt/")
    page = me.page
    page.select_option("#id_pool", str(pool_for(edition, 1).pk))
    page.fill("#id_title", "Zielona alejka na Plantach")
    page.fill("#id_short_description", "x" * 251)
    page.fill("#id_description", "Ławki, kosze i dziesięć drzew wzdłuż alejki.")
    page.select_option("#id_category", "environment")
    page.fill("#id_address", "Planty, alejka przy ul. Basztowej")
    page.fill("#id_latitude", "50,0614")
    page.fill("#id_longitude", "19,9366")
    page.fill("#id_cost-0-name", "Ławki (10 szt.)")
    page.fill("#id_cost-0-amount", "40 000")
    page.fill("#id_cost-1-name", "Nasadzenia drzew")
    page.fill("#id_cost-1-amount", "60000,00")
    page.check("#id_data_protection")
    me.submit("button[name=save]")
    assert page.locator(".error-summary").count() == 1
    assert "najwyżej 250 znaków (teraz: 251)" in me.text()
    assert page.input_value("#id_short_description") == "x" * 251
    assert page.input_value("#id_cost-1-amount") == "60000,00"
    page.fill(
        "#id_short_description",
        "Nowe ławki, kosze i nasadzenia drzew wzdłuż alejki na Plantach dla mieszkańców i gości.",
    )
    me.submit("button[name=save]")
    assert "Szkic projektu został zapisany" in me.text()
    me.submit("button[name=submit]")
    project = Project.objects.get()
    assert project.status == ProjectStatus.SUBMITTED
    assert "zgłoszony, zbiera poparcie" in me.text()

    # 2. Supporters: thirteen online already, one neighbour in the browser, one paper signature.
    for _ in range(13):
        support(user=UserFactory(district=krakow[1]), project=project)
    them = Journey(browser, base, neighbour.email)
    them.open(f"/pl/budzet-obywatelski/projekty/{project.pk}/")  # the address form passes axe
    # the neighbour types the address: the city's address points place it in District I
    address_points_load(city=krakow[1].city, path=KRAKOW_ADDRESS_SAMPLE)
    them.page.fill("#id_address", "ul. Floriańska 3")
    them.submit("#support-submit")
    assert "Popierasz ten projekt" in them.text()
    office = Journey(browser, base, official.email)
    office.open(f"/pl/budzet-obywatelski/projekty/{project.pk}/weryfikacja/")
    opage = office.page
    opage.fill("#id_paper-signatures_valid", "1")
    office.submit("#form-paper button")
    project.refresh_from_db()
    assert project.supporters_count == 15 and project.supporters_complete_at is not None

    # 3. Verification: formal check, then a correction the author answers.
    office.submit("#form-start button")
    formal = project.reviews.get()
    for key in (
        "complete",
        "short_description",
        "supporters",
        "location",
        "cost_limits",
        "data_protection",
    ):
        opage.check(f"#id_review-{formal.pk}-check_{key}")
    opage.check(f"#id_review-{formal.pk}-result_0")
    office.submit(f"#form-review-{formal.pk} button")
    opage.fill("#id_correction-message", "Podaj numer działki ewidencyjnej.")
    opage.fill("#id_correction-days", "5")
    office.submit("#form-correction button")
    me.open(f"/pl/budzet-obywatelski/projekty/{project.pk}/edycja/")
    assert "Podaj numer działki ewidencyjnej." in me.text()
    page.fill("#id_address", "Planty, działka 12/3, obręb 1 Śródmieście")
    me.submit("button[name=save]")
    project.refresh_from_db()
    assert project.status == ProjectStatus.IN_VERIFICATION

    # 4. The merit review fails; the outcome is negative with public reasons.
    office.open(f"/pl/budzet-obywatelski/projekty/{project.pk}/weryfikacja/")
    opage.select_option("#id_assign-unit", str(unit.pk))
    office.submit("#form-assign button")
    merit = project.reviews.get(stage="merit")
    opage.check(f"#id_review-{merit.pk}-result_1")
    opage.fill(f"#id_review-{merit.pk}-notes", "Teren w zarządzie Skarbu Państwa.")
    office.submit(f"#form-review-{merit.pk} button")
    opage.check("#id_decision-outcome_1")
    opage.fill("#id_decision-reasons", "Teren nie należy do miasta.")
    office.submit("#form-decision button")
    project.refresh_from_db()
    assert project.status == ProjectStatus.VERIFIED_NEGATIVE

    # 5. The author appeals; the Council recommends, the Mayor reinstates the project.
    me.open(f"/pl/budzet-obywatelski/projekty/{project.pk}/")
    assert "Teren nie należy do miasta." in me.text()
    me.open(f"/pl/budzet-obywatelski/projekty/{project.pk}/odwolanie/")
    page.fill("#id_justification", "Działka 12/3 jest miejska: księga wieczysta KR1P/00012345/6.")
    me.submit("form.form button[type=submit]")
    office.open(f"/pl/budzet-obywatelski/projekty/{project.pk}/weryfikacja/")
    opage.fill("#id_recommend-meeting_on", timezone.localdate().isoformat())
    opage.check("#id_recommend-recommendation_0")
    opage.fill("#id_recommend-reasons", "Księga wieczysta potwierdza własność miasta.")
    office.submit("#form-recommend button")
    opage.check("#id_appeal_decision-decision_0")
    opage.fill("#id_appeal_decision-reasons", "Teren jest miejski; projekt wraca do głosowania.")
    office.submit("#form-appeal_decision button")
    project.refresh_from_db()
    assert project.status == ProjectStatus.VERIFIED_POSITIVE

    # 6. When the final-list phase comes, the office publishes the list; the project is on it.
    move_to_phase(edition, Phase.FINAL_LIST)
    office.open(f"/pl/budzet-obywatelski/{year}/lista-do-glosowania/")
    opage.check("#id_confirm")
    office.submit("form.form button[type=submit]")
    project.refresh_from_db()
    assert project.status == ProjectStatus.ON_BALLOT
    visitor = Journey(browser, base)
    visitor.open(f"/pl/budzet-obywatelski/{year}/lista-do-glosowania/")
    assert "Zielona alejka na Plantach" in visitor.text()

    # The rest of the author's and the office's pages, as they look now.
    for path in (
        "/pl/budzet-obywatelski/moje-projekty/",
        f"/pl/budzet-obywatelski/projekty/{project.pk}/",
        f"/pl/budzet-obywatelski/projekty/{project.pk}/wersje/{project.version}/",
    ):
        me.open(path)
    for path in ("/pl/budzet-obywatelski/urzad/", f"/pl/budzet-obywatelski/{year}/etapy/"):
        office.open(path)
    failures = me.failures + them.failures + office.failures + visitor.failures
    for journey in (me, them, office, visitor):
        journey.context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_the_public_pages_have_no_wcag_violations(browser, live_server, krakow, language):
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION)
    author = UserFactory(district=krakow[1], password=PASSWORD)
    pool = pool_for(edition, 1)
    from wspolnota.budget.tests.factories import content

    project = services.project_submit(
        actor=author,
        project=services.project_draft_create(
            author=author, edition=edition, content=content(pool)
        ),
    )
    context = browser.new_context()
    page = context.new_page()
    paths = [
        "",
        f"{edition.year}/",
        f"{edition.year}/projekty/",
        f"{edition.year}/projekty/?q=alejka&pool=1&cost_min=abc",
        f"{edition.year}/projekty/mapa/",
        f"{edition.year}/lista-do-glosowania/",
        f"projekty/{project.pk}/",
        f"projekty/{project.pk}/wersje/{project.version}/",
    ]
    failures = check_urls(
        page, [f"{live_server.url}/{language}/budzet-obywatelski/{p}" for p in paths]
    )
    log_in(page, live_server.url, author.email, PASSWORD, language)
    failures += check_urls(
        page,
        [
            f"{live_server.url}/{language}/budzet-obywatelski/{p}"
            for p in (
                f"projekty/{project.pk}/edycja/",
                f"projekty/{project.pk}/wycofaj/",
                "moje-projekty/",
                f"{edition.year}/zglos-projekt/",
            )
        ],
    )
    context.close()
    assert failures == [], "\n\n".join(failures)


def test_the_merge_and_appeal_pages_have_no_wcag_violations(browser, live_server, krakow):
    unit = CityUnitFactory()
    official = UserFactory(district=krakow[2], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=unit)
    edition = make_edition(districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=unit)
    author = UserFactory(district=krakow[1], password=PASSWORD)
    from wspolnota.budget.tests.factories import submitted_project

    pool = pool_for(edition, 1)
    first = submitted_project(author=author, pool=pool)
    second = submitted_project(author=author, pool=pool, title="Drugi")
    proposal = services.merge_propose(actor=official, source=second, target=first, reason="Podobne")
    later = first.support_deadline + timedelta(minutes=1)
    services.verification_start(actor=official, project=first, unit=unit, at=later)
    services.verification_decide(
        actor=official, project=first, positive=False, reasons="Poza terenem miasta.", at=later
    )
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, author.email, PASSWORD)
    failures = check_urls(
        page,
        [
            f"{live_server.url}/pl/budzet-obywatelski/polaczenia/{proposal.pk}/",
            f"{live_server.url}/pl/budzet-obywatelski/projekty/{first.pk}/odwolanie/",
        ],
    )
    page.goto(f"{live_server.url}/pl/budzet-obywatelski/projekty/{first.pk}/odwolanie/")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    report = axe_violations(page)
    if report:
        failures.append(f"appeal form with errors\n{report}")
    context.close()
    assert failures == [], "\n\n".join(failures)
