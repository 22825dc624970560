"""Strategy pages in headless Chromium with axe-core: no WCAG 2.1 A/AA violation."""

from __future__ import annotations

from datetime import date

import pytest

from wspolnota.accounts.models import CityUnit
from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.monitoring import services
from wspolnota.monitoring.demo import demo_population_csv, demo_survey_csv
from wspolnota.monitoring.models import NodeKind, StrategyNode
from wspolnota.monitoring.tests.conftest import STRATEGY_UNIT
from wspolnota.tests_support.axe import axe_violations, check_urls, log_in
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _official(krakow, number):
    """An official of the strategy office (``MONITORING_STRATEGY_UNIT``), who keeps monitoring."""
    user = UserFactory(district=krakow[number], password=PASSWORD)
    unit = CityUnit.objects.filter(code=STRATEGY_UNIT).first() or CityUnitFactory(
        code=STRATEGY_UNIT
    )
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    return user


@pytest.fixture
def monitoring_data(krakow):
    services.strategy_load()
    entering, approving = _official(krakow, 1), _official(krakow, 2)
    rows = services.measurements_import_csv(
        actor=entering,
        upload=(
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\n"
            "pomoc-spoleczna,2024,,3.6,MOPS Kraków,2024-12-31\n"
            "pomoc-spoleczna,2024,1,4.2,MOPS Kraków,2024-12-31\n"
            "centra-aktywnosci-seniora,2024,,55,Rejestr miejsc,2024-12-31\n"
            "centra-aktywnosci-seniora,2024,1,4,Rejestr miejsc,2024-12-31\n"
            "centra-aktywnosci-seniora,2024,18,6,Rejestr miejsc,2024-12-31\n"
        ),
    )
    services.batch_approve(actor=approving, batch=rows[0].batch)
    table = services.population_table_import(
        actor=entering,
        title="Ludność",
        reference_date=date(2019, 12, 31),
        source="UMK",
        upload=demo_population_csv(),
    )
    survey = services.survey_import(
        actor=entering,
        title="Badanie",
        year=2024,
        fieldwork_end=date(2024, 11, 30),
        source="Platforma",
        question="",
        upload=demo_survey_csv(respondents=200),
    )
    services.survey_measurement_propose(
        actor=entering,
        survey=survey,
        table=table,
        indicator=rows[0].indicator.__class__.objects.get(code="zadowolenie-z-wplywu"),
    )
    action = StrategyNode.objects.get(kind=NodeKind.ACTION, number=7)
    services.link_add(
        actor=entering, node=action, year=2024, title="Strony dzielnic", address="/pl/dzielnice/"
    )
    return {"approving": approving, "action": action, "survey": survey}


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_public_strategy_pages_have_no_wcag_violations(
    browser, live_server, monitoring_data, language
):
    page = browser.new_page()
    base = f"{live_server.url}/{language}/strategia/"
    action = monitoring_data["action"]
    failures = check_urls(
        page,
        [
            base,
            f"{base}wskazniki/centra-aktywnosci-seniora/",
            f"{base}wskazniki/pomoc-spoleczna/",
            f"{base}wskazniki/frekwencja-budzet-obywatelski/",
            f"{base}elementy/{action.pk}/",
            f"{base}elementy/{action.parent_id}/",
            f"{base}raport/2024/",
            f"{base}dane/",
        ],
    )
    page.close()
    assert failures == [], "\n\n".join(failures)


def test_officials_pages_and_a_form_with_errors_have_no_wcag_violations(
    browser, live_server, monitoring_data
):
    page = browser.new_page()
    log_in(page, live_server.url, monitoring_data["approving"].email, PASSWORD)
    base = f"{live_server.url}/pl/strategia/"
    failures = check_urls(
        page,
        [
            f"{base}zarzadzanie/",
            f"{base}zarzadzanie/pomiar/",
            f"{base}zarzadzanie/import/",
            f"{base}zarzadzanie/ludnosc/",
            f"{base}zarzadzanie/badania/",
            f"{base}zarzadzanie/badania/{monitoring_data['survey'].pk}/",
            f"{base}elementy/{monitoring_data['action'].pk}/",
        ],
    )
    page.goto(f"{base}zarzadzanie/pomiar/")
    page.fill("#id_value", "dużo")
    page.fill("#id_source", "Barometr Krakowski")
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    assert page.input_value("#id_source") == "Barometr Krakowski"
    report = axe_violations(page)
    if report:
        failures.append(f"measurement form with errors\n{report}")
    page.close()
    assert failures == [], "\n\n".join(failures)
