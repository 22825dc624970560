from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from wspolnota.core.errors import PermissionDeniedError
from wspolnota.core.models import AuditLogEntry
from wspolnota.monitoring import services
from wspolnota.monitoring.errors import MonitoringError
from wspolnota.monitoring.models import Indicator, Measurement, Status
from wspolnota.monitoring.providers import DistrictValue, ProviderResult


@pytest.fixture
def social(strategy):
    return Indicator.objects.get(code="pomoc-spoleczna")


def _enter(official, indicator, value="3.7", year=2024):
    return services.measurement_enter(
        actor=official,
        indicator=indicator,
        year=year,
        value=Decimal(value),
        source="MOPS Kraków – sprawozdanie 2024",
        reference_date=date(2024, 12, 31),
    )


@pytest.mark.django_db
def test_a_value_is_published_only_after_a_second_official_approves_it(
    social, official, second_official
):
    measurement = _enter(official, social)
    assert measurement.status == Status.PENDING and measurement.entered_by == official
    with pytest.raises(PermissionDeniedError):
        services.batch_approve(actor=official, batch=measurement.batch)
    services.batch_approve(actor=second_official, batch=measurement.batch)
    measurement.refresh_from_db()
    assert measurement.status == Status.APPROVED and measurement.decided_by == second_official
    assert AuditLogEntry.objects.filter(
        action="monitoring.measurement_approved", object_id=str(measurement.pk)
    ).exists()
    with pytest.raises(MonitoringError):
        services.batch_approve(actor=second_official, batch=measurement.batch)


@pytest.mark.django_db
def test_a_correction_supersedes_the_approved_value_and_the_history_stays(
    social, official, second_official
):
    first = _enter(official, social, "3.7")
    services.batch_approve(actor=second_official, batch=first.batch)
    correction = _enter(official, social, "3.8")
    services.batch_approve(actor=second_official, batch=correction.batch)
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    values = Measurement.objects.filter(indicator=social, year=2024).values_list("value", "status")
    assert sorted(values) == [
        (Decimal("3.7"), Status.SUPERSEDED),
        (Decimal("3.8"), Status.APPROVED),
    ]
    # the strategy's own 2022 value is unaffected
    assert Measurement.objects.get(
        indicator=social, year=2022, status=Status.APPROVED
    ).value == Decimal("3.9")


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_is_kept(social, official, second_official):
    measurement = _enter(official, social)
    with pytest.raises(MonitoringError):
        services.batch_reject(actor=second_official, batch=measurement.batch, reason=" ")
    services.batch_reject(
        actor=second_official,
        batch=measurement.batch,
        reason="Wartość z wersji roboczej sprawozdania",
    )
    measurement.refresh_from_db()
    assert measurement.status == Status.REJECTED and "roboczej" in measurement.decision_reason


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "year"), [("101", 2024), ("-1", 2024), ("3", 2009), ("3", 2999)])
def test_impossible_values_and_years_are_refused(social, official, value, year):
    with pytest.raises(MonitoringError):
        _enter(official, social, value, year)


@pytest.mark.django_db
def test_residents_cannot_enter_values(social, resident):
    with pytest.raises(PermissionDeniedError):
        _enter(resident, social)


CSV_OK = (
    "wskaznik;rok;dzielnica;wartosc;zrodlo;stan_na\n"
    "pomoc-spoleczna;2024;;3,7;MOPS Kraków;2024-12-31\n"
    "pomoc-spoleczna;2024;18;5,1;MOPS Kraków;2024-12-31\n"
    "zadowolenie-z-wplywu;2024;;41,5;Barometr Krakowski 2024;2024-11-30\n"
)


@pytest.mark.django_db
def test_a_csv_file_becomes_one_batch_waiting_for_approval(strategy, official, second_official):
    rows = services.measurements_import_csv(actor=official, upload=CSV_OK.encode("utf-8-sig"))
    assert len(rows) == 3 and len({r.batch for r in rows}) == 1
    assert rows[1].district.number == 18 and rows[1].value == Decimal("5.1")
    services.batch_approve(actor=second_official, batch=rows[0].batch)
    assert Measurement.objects.filter(status=Status.APPROVED, year=2024).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("wskaznik,rok,wartosc\nx,1,1\n", "Brakuje kolumn: dzielnica, zrodlo, stan_na"),
        (
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\npomoc-spoleczna,2024,,3.7,M,2024-12-31\npomoc-spoleczna,2023,,dużo,M,2023-12-31\n",
            "Wiersz 3, kolumna „wartosc”",
        ),
        (
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\npomoc-spoleczna,2024,19,3.7,M,2024-12-31\n",
            "Wiersz 2, kolumna „dzielnica”",
        ),
        (
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\nnieznany,2024,,3.7,M,2024-12-31\n",
            "Wiersz 2, kolumna „wskaznik”",
        ),
        (
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\npomoc-spoleczna,2024,,3.7,M,31.12.2024\n",
            "Wiersz 2, kolumna „stan_na”",
        ),
        (
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\npomoc-spoleczna,2024,,300,M,2024-12-31\n",
            "Wiersz 2, kolumna „wartosc”",
        ),
        ("wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\n", "nie zawiera żadnego wiersza"),
    ],
)
def test_a_malformed_csv_names_the_line_and_saves_nothing(strategy, official, content, expected):
    before = Measurement.objects.count()
    with pytest.raises(MonitoringError) as error:
        services.measurements_import_csv(actor=official, upload=content.encode())
    assert expected in str(error.value)
    assert Measurement.objects.count() == before


@pytest.mark.django_db
def test_a_file_that_is_not_utf8_is_refused_with_a_message(strategy, official):
    with pytest.raises(MonitoringError, match="UTF-8"):
        services.measurements_import_csv(
            actor=official, upload="wskaznik;rok\nżółć".encode("cp1250")
        )


def fake_turnout(*, year: int) -> ProviderResult | None:
    if year != 2024:
        return None
    return ProviderResult(
        value=Decimal("9.5"),
        source="Głosowanie w budżecie obywatelskim 2024",
        reference_date=date(2024, 6, 30),
        numerator=Decimal(950),
        denominator=Decimal(10000),
        by_district=[DistrictValue(1, Decimal("12.5"), Decimal(125), Decimal(1000))],
    )


@pytest.fixture
def turnout_provider(monkeypatch):
    from django.apps import apps

    config = apps.get_app_config("monitoring")
    monkeypatch.setattr(
        config,
        "indicator_providers",
        {
            "frekwencja-budzet-obywatelski": "wspolnota.monitoring.tests.test_measurements.fake_turnout",
            "organizacje-wnioskujace": "wspolnota.not_an_app.selectors.applicant_count",
        },
    )


@pytest.mark.django_db
def test_a_provider_computes_the_city_value_and_the_districts_in_one_batch(
    strategy, turnout_provider, official
):
    turnout = Indicator.objects.get(code="frekwencja-budzet-obywatelski")
    rows = services.measurement_compute(actor=official, indicator=turnout, year=2024)
    city, district = rows
    assert (city.value, city.numerator, city.denominator, city.method) == (
        Decimal("9.5"),
        950,
        10000,
        "computed",
    )
    assert district.district.number == 1 and district.batch == city.batch
    assert city.status == Status.PENDING
    with pytest.raises(MonitoringError, match="2023"):
        services.measurement_compute(actor=official, indicator=turnout, year=2023)


@pytest.mark.django_db
def test_a_missing_or_broken_provider_is_explained(strategy, turnout_provider, official):
    with pytest.raises(MonitoringError, match="niedostępne"):
        services.measurement_compute(
            actor=official,
            indicator=Indicator.objects.get(code="organizacje-wnioskujace"),
            year=2024,
        )
    with pytest.raises(MonitoringError, match="ręcznie"):
        services.measurement_compute(
            actor=official, indicator=Indicator.objects.get(code="pomoc-spoleczna"), year=2024
        )


@pytest.mark.django_db
def test_the_yearly_command_computes_once_and_leaves_approval_to_officials(
    strategy, turnout_provider
):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("monitoring_compute", year=2024, stdout=out)
    text = out.getvalue()
    assert "frekwencja-budzet-obywatelski: 2024 = 9.5" in text and "niedostępne" in text
    assert "pomoc-spoleczna: no provider" in text
    call_command("monitoring_compute", year=2024, stdout=io.StringIO())
    pending = Measurement.objects.filter(status=Status.PENDING, district__isnull=True)
    assert pending.count() == 1 and pending.get().entered_by is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officials_approving_the_same_batch_at_once_approve_it_once(
    krakow, official, second_official
):
    import threading

    from django.db import connection

    from wspolnota.accounts.models import CityUnit
    from wspolnota.monitoring.services import strategy_load
    from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

    from .conftest import STRATEGY_UNIT

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    strategy_load()
    # A third official of the strategy office: both may approve, so only the lock makes one wait
    # and then find the batch already decided (an official of another unit is refused earlier,
    # by the permission, and would not test the lock).
    third = UserFactory(district=krakow[3])
    RoleAssignmentFactory(
        user=third, role="official", city_unit=CityUnit.objects.get(code=STRATEGY_UNIT)
    )
    measurement = _enter(official, Indicator.objects.get(code="pomoc-spoleczna"))
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        barrier.wait()
        try:
            services.batch_approve(actor=actor, batch=measurement.batch)
            outcomes.append("ok")
        except MonitoringError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (second_official, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    assert AuditLogEntry.objects.filter(action="monitoring.measurement_approved").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            "dzielnica,plec,wiek_od,wiek_do,liczba\n1,K,60,,100\n1,X,60,,100\n",
            "Wiersz 3, kolumna „plec”",
        ),
        (
            "dzielnica,plec,wiek_od,wiek_do,liczba\n1,K,60,50,100\n",
            "Wiersz 2, kolumna „wiek_do”: górna granica",
        ),
        (
            "dzielnica,plec,wiek_od,wiek_do,liczba\n1,K,60,,100\n1,K,60,,120\n",
            "Wiersz 3, kolumna „wiek_od”",
        ),
    ],
)
def test_a_malformed_population_table_names_the_line(strategy, official, content, expected):
    from wspolnota.monitoring.models import PopulationTable

    with pytest.raises(MonitoringError) as error:
        services.population_table_import(
            actor=official, title="T", reference_date=date(2024, 1, 1), source="S", upload=content
        )
    assert expected in str(error.value) and not PopulationTable.objects.exists()


@pytest.mark.django_db
def test_a_malformed_survey_names_the_line(strategy, official):
    with pytest.raises(MonitoringError, match="Wiersz 3, kolumna „zadowolony”"):
        services.survey_import(
            actor=official,
            title="B",
            year=2024,
            fieldwork_end=date(2024, 11, 30),
            source="S",
            question="",
            upload="dzielnica,plec,wiek,zadowolony\n1,K,30,1\n1,M,40,może\n",
        )


@pytest.mark.django_db
def test_a_survey_with_people_outside_the_population_table_is_explained(strategy, official):
    table = services.population_table_import(
        actor=official,
        title="T",
        reference_date=date(2024, 1, 1),
        source="S",
        upload="dzielnica,plec,wiek_od,wiek_do,liczba\n1,K,18,,100\n1,M,18,,100\n",
    )
    survey = services.survey_import(
        actor=official,
        title="B",
        year=2024,
        fieldwork_end=date(2024, 11, 30),
        source="S",
        question="",
        upload="dzielnica,plec,wiek,zadowolony\n1,K,30,1\n2,M,40,0\n",
    )
    with pytest.raises(MonitoringError, match="II"):
        services.survey_weighting(survey=survey, table=table)


@pytest.mark.django_db
def test_a_survey_that_fills_every_cell_is_post_stratified(strategy, official):
    table = services.population_table_import(
        actor=official,
        title="T",
        reference_date=date(2024, 1, 1),
        source="S",
        upload="dzielnica,plec,wiek_od,wiek_do,liczba\n1,K,18,,300\n1,M,18,,100\n",
    )
    survey = services.survey_import(
        actor=official,
        title="B",
        year=2024,
        fieldwork_end=date(2024, 11, 30),
        source="S",
        question="",
        upload="dzielnica,plec,wiek,zadowolony\n1,K,30,1\n1,K,50,0\n1,M,40,1\n",
    )
    weighting = services.survey_weighting(survey=survey, table=table)
    # women weigh 150 each (one yes, one no), the man 100 (yes): (150 + 100) / 400
    assert weighting.method == "poststratification"
    assert weighting.share.share == pytest.approx(250 / 400)
    assert weighting.unweighted_share == pytest.approx(2 / 3)
