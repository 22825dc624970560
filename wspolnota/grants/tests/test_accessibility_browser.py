"""Grant and registry pages, as each kind of user sees them, checked by axe-core in headless
Chromium: no WCAG 2.1 A/AA violation, forms with errors included."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.grants.models import (
    Agreement,
    AgreementStatus,
    ApplicationStatus,
    Award,
    CallStatus,
    ProgrammeKind,
    Report,
    ReportKind,
    Tranche,
)
from wspolnota.grants.tests.factories import (
    make_application,
    make_call,
    make_member,
    make_programme,
    score,
)
from wspolnota.organisations.tests.factories import InformalGroupFactory, OrganisationFactory
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

LANGUAGES = ["pl", "en", "uk"]


def check_pages(page: Any, urls: list[str]) -> list[str]:
    """Like ``check_urls``, and each page must really be there (200) for the user: an error
    page that passes axe would prove nothing about the page meant."""
    failures = []
    for url in urls:
        response = page.goto(url)
        status = response.status if response else 0
        if status != 200:
            failures.append(f"{url}: HTTP {status}")
            continue
        report = axe_violations(page)
        if report:
            failures.append(f"{url}\n{report}")
    return failures


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scenario(krakow: dict[int, Any]) -> dict[str, Any]:
    official = UserFactory(district=krakow[1], password=PASSWORD)
    RoleAssignmentFactory(user=official, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    applicant = UserFactory(district=krakow[2], password=PASSWORD)
    assessor = UserFactory(password=PASSWORD)
    ngo = OrganisationFactory(created_by=applicant, name="Fundacja Zielony Kraków")
    ngo.districts.set([krakow[1], krakow[2]])
    group = InformalGroupFactory(created_by=applicant, name="Sąsiedzi z Mogilskiej")
    now = timezone.now()

    competition = make_call(
        make_programme(ProgrammeKind.OPEN_COMPETITION, created_by=official), created_by=official
    )
    member = make_member(competition, assessor)
    draft = make_application(competition, group, grant=9_000, title="Wersja robocza")
    assessed = make_application(
        competition,
        ngo,
        grant=20_000,
        status=ApplicationStatus.IN_ASSESSMENT,
        submitted_at=now,
        number="OK/2025/1/0001",
    )

    small = make_call(
        make_programme(ProgrammeKind.SMALL_GRANT, created_by=official), created_by=official
    )
    offer = make_application(
        small,
        OrganisationFactory(),
        grant=6_000,
        status=ApplicationStatus.IN_ASSESSMENT,
        submitted_at=now,
        number="MZ/2025/2/0001",
        remarks_from=now - timedelta(days=1),
        remarks_until=now + timedelta(days=6),
    )

    finished = make_call(
        make_programme(ProgrammeKind.MICRO_GRANT, created_by=official),
        created_by=official,
        status=CallStatus.RESULTS,
        closes_at=now - timedelta(days=1),
        results_published_at=now,
    )
    members = [make_member(finished), make_member(finished)]
    won = make_application(
        finished,
        ngo,
        grant=4_000,
        status=ApplicationStatus.AWARDED,
        submitted_at=now,
        number="MG/2025/3/0001",
    )
    for m in members:
        score(m, won, [9, 8, 9])
    Award.objects.create(application=won, call=finished, amount=Decimal(4_000), decided_by=official)
    agreement = Agreement.objects.create(
        application=won,
        number="MG/2025/3/0001/U",
        amount=Decimal(4_000),
        start_date=won.start_date,
        end_date=won.end_date,
        report_due_date=won.end_date + timedelta(days=30),
        city_signatory="Dyrektor Wydziału",
        applicant_signatories="Anna Prezeska",
        bank_account="PL61109010140000071219812874",
        status=AgreementStatus.SIGNED,
        signed_on=timezone.localdate(),
        created_by=official,
    )
    Tranche.objects.create(
        agreement=agreement, position=1, amount=Decimal(4_000), due_date=won.start_date
    )
    report = Report.objects.create(
        agreement=agreement,
        kind=ReportKind.FINAL,
        period_from=won.start_date,
        period_to=won.end_date,
        created_by=applicant,
    )
    from wspolnota.grants.models import ReportLine, ReportResult

    for line in won.budget_lines.all():
        ReportLine.objects.create(report=report, budget_line=line)
    for result in won.expected_results.all():
        ReportResult.objects.create(report=report, expected_result=result)
    return {
        "official": official,
        "applicant": applicant,
        "assessor": assessor,
        "member": member,
        "ngo": ngo,
        "group": group,
        "competition": competition,
        "draft": draft,
        "assessed": assessed,
        "offer": offer,
        "finished": finished,
        "won": won,
        "agreement": agreement,
        "report": report,
    }


def _page(
    browser: Any, live_server: Any, user: Any | None, language: str = "pl"
) -> tuple[Any, Any]:
    context = browser.new_context()
    page = context.new_page()
    if user is not None:
        log_in(page, live_server.url, user.email, PASSWORD, language)
    return context, page


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_grant_and_registry_pages(browser, live_server, krakow, language):
    s = scenario(krakow)
    base = f"{live_server.url}/{language}"
    context, page = _page(browser, live_server, None, language)
    failures = check_pages(
        page,
        [
            f"{base}/granty/",
            f"{base}/granty/?rodzaj=open_competition&rok=2026&q=nab%C3%B3r",
            f"{base}/granty/nabory/{s['competition'].pk}/",
            f"{base}/granty/nabory/{s['finished'].pk}/wyniki/",
            f"{base}/granty/uwagi/",
            f"{base}/granty/uwagi/{s['offer'].pk}/",
            f"{base}/organizacje/",
            f"{base}/organizacje/?kind=ngo&district={krakow[1].pk}",
            f"{base}/organizacje/{s['ngo'].pk}/",
        ],
    )
    context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_applicant_pages_and_forms_with_errors(browser, live_server, krakow, language):
    s = scenario(krakow)
    base = f"{live_server.url}/{language}"
    draft = s["draft"].pk
    context, page = _page(browser, live_server, s["applicant"], language)
    failures = check_pages(
        page,
        [
            f"{base}/granty/moje/",
            f"{base}/granty/nabory/{s['competition'].pk}/nowy-wniosek/",
            f"{base}/granty/wnioski/{draft}/",
            f"{base}/granty/wnioski/{draft}/opis/",
            f"{base}/granty/wnioski/{draft}/kosztorys/",
            f"{base}/granty/wnioski/{draft}/harmonogram/",
            f"{base}/granty/wnioski/{draft}/rezultaty/",
            f"{base}/granty/wnioski/{draft}/zalaczniki/",
            f"{base}/granty/wnioski/{s['won'].pk}/",
            f"{base}/granty/umowy/{s['agreement'].pk}/",
            f"{base}/granty/umowy/{s['agreement'].pk}/sprawozdanie/",
            f"{base}/granty/sprawozdania/{s['report'].pk}/",
            f"{base}/granty/uwagi/{s['offer'].pk}/",
            f"{base}/organizacje/moje/",
            f"{base}/organizacje/zarejestruj/",
            f"{base}/organizacje/zarejestruj/?rodzaj=ngo",
            f"{base}/organizacje/zarejestruj/?rodzaj=informal_group",
            f"{base}/organizacje/zarejestruj/?rodzaj=individual",
            f"{base}/organizacje/{s['group'].pk}/",
            f"{base}/organizacje/{s['group'].pk}/edycja/",
            f"{base}/organizacje/{s['group'].pk}/osoby/",
            f"{base}/organizacje/{s['group'].pk}/czlonkowie/",
            f"{base}/organizacje/{s['group'].pk}/dokumenty/",
        ],
    )
    # The budget table with a wrong number: the error summary and the marked cell are accessible.
    page.goto(f"{base}/granty/wnioski/{draft}/kosztorys/")
    page.fill("#id_budget-1-description", "Transport")
    page.fill("#id_budget-1-unit", "kurs")
    page.fill("#id_budget-1-quantity", "dwa")
    page.fill("#id_budget-1-unit_cost", "100")
    page.click("button[name=save]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() >= 1
    assert page.input_value("#id_budget-1-quantity") == "dwa"
    report = axe_violations(page)
    if report:
        failures.append(f"budget with errors\n{report}")
    # Registering an NGO with a wrong NIP keeps what was typed.
    page.goto(f"{base}/organizacje/zarejestruj/?rodzaj=ngo")
    page.fill("#id_name", "Fundacja Testowa")
    page.fill("#id_nip", "1234567890")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.input_value("#id_nip") == "1234567890"
    report = axe_violations(page)
    if report:
        failures.append(f"registration with errors\n{report}")
    context.close()
    assert failures == [], "\n\n".join(failures)


def test_official_and_commission_pages(browser, live_server, krakow):
    s = scenario(krakow)
    base = f"{live_server.url}/pl"
    competition = s["competition"]
    context, page = _page(browser, live_server, s["official"])
    failures = check_urls(
        page,
        [
            f"{base}/granty/urzad/",
            f"{base}/granty/urzad/programy/nowy/",
            f"{base}/granty/urzad/programy/nowy/?rodzaj=local_initiative",
            f"{base}/granty/urzad/programy/{competition.programme_id}/",
            f"{base}/granty/urzad/programy/{competition.programme_id}/nowy-nabor/",
            f"{base}/granty/urzad/nabory/{competition.pk}/",
            f"{base}/granty/urzad/nabory/{competition.pk}/komisja/",
            f"{base}/granty/urzad/nabory/{s['finished'].pk}/ranking/",
            f"{base}/granty/urzad/wnioski/{s['assessed'].pk}/",
            f"{base}/granty/urzad/wnioski/{s['offer'].pk}/",
            f"{base}/granty/urzad/wnioski/{s['won'].pk}/umowa/",
            f"{base}/granty/umowy/{s['agreement'].pk}/",
            f"{base}/organizacje/weryfikacja/",
            f"{base}/organizacje/{s['ngo'].pk}/weryfikacja/",
        ],
    )
    # An award above the request: the error is announced and the amount kept.
    page.goto(f"{base}/granty/urzad/wnioski/{s['assessed'].pk}/")
    page.fill("#id_amount", "999999")
    page.click("button[name=award]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    report = axe_violations(page)
    if report:
        failures.append(f"award with errors\n{report}")
    context.close()

    context, page = _page(browser, live_server, s["assessor"])
    failures += check_urls(
        page, [f"{base}/granty/ocena/", f"{base}/granty/ocena/{s['assessed'].pk}/"]
    )
    page.check("input[name=has_conflict][value=no]")
    page.click("button[name=declare]")
    page.wait_for_load_state()
    assert page.locator("button[name=submit]").count() == 1
    report = axe_violations(page)
    if report:
        failures.append(f"assessment sheet\n{report}")
    context.close()
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_counter_pages_key_in_a_paper_application_with_no_wcag_violations(
    browser, live_server, krakow, language
):
    """A counter clerk of the call's unit keys in a paper application for a person without an
    account (issue 17): the counter page, a refusal of a late receipt, the registration form for
    the person and the keyed draft's page stay accessible."""
    from wspolnota.grants.models import Application
    from wspolnota.tests_support.scopes import (
        counter_access,
        counter_clerk_of,
        kept_person,
        official_of,
    )

    unit = CityUnitFactory()
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT, created_by=official_of(unit)))
    clerk = counter_clerk_of(unit, password=PASSWORD, preferred_language=language)
    person = kept_person()
    counter_access(clerk, person)
    OrganisationFactory(created_by=person, name="Fundacja Pani Janiny")
    page = browser.new_context().new_page()
    log_in(page, live_server.url, clerk.email, PASSWORD, language)
    base = f"{live_server.url}/{language}"
    failures = check_pages(
        page,
        [
            f"{base}/granty/okienko/{person.pk}/",
            f"{base}/organizacje/zarejestruj/?osoba={person.pk}",
            f"{base}/organizacje/zarejestruj/?rodzaj=informal_group&osoba={person.pk}",
        ],
    )
    page.goto(f"{base}/granty/okienko/{person.pk}/")
    late = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page.fill(f"#call{call.pk}_received_at", late)
    page.fill(f"#call{call.pk}_title", "Podwórkowe lato")
    with page.expect_navigation():
        page.locator(f"#call{call.pk}_title").press("Enter")
    assert page.locator(".field-error").count() >= 1
    assert page.input_value(f"#call{call.pk}_title") == "Podwórkowe lato"
    report = axe_violations(page)
    if report:
        failures.append(f"paper application refused ({language})\n{report}")
    on_time = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill(f"#call{call.pk}_received_at", on_time)
    with page.expect_navigation():
        page.locator(f"#call{call.pk}_title").press("Enter")
    application = Application.objects.get()
    assert application.channel == "post" and application.keyed_by == clerk
    failures += check_pages(page, [f"{base}/granty/wnioski/{application.pk}/"])
    page.context.close()
    assert failures == [], "\n\n".join(failures)
