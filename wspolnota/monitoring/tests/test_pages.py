from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from decimal import Decimal

import pytest

from wspolnota.monitoring import services
from wspolnota.monitoring.models import ImplementationLink, Indicator, NodeKind, StrategyNode


@pytest.fixture
def social_series(strategy, official, second_official):
    indicator = Indicator.objects.get(code="pomoc-spoleczna")
    rows = services.measurements_import_csv(
        actor=official,
        upload=(
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\n"
            "pomoc-spoleczna,2024,,3.6,MOPS Kraków,2024-12-31\n"
            "pomoc-spoleczna,2024,1,4.2,MOPS Kraków,2024-12-31\n"
            "pomoc-spoleczna,2024,18,5.0,MOPS Kraków,2024-12-31\n"
        ),
    )
    services.batch_approve(actor=second_official, batch=rows[0].batch)
    return indicator


@pytest.mark.django_db
def test_the_dashboard_shows_every_indicator_with_its_assessment_and_the_tree(
    client, strategy, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get("/pl/strategia/")
    body = response.content.decode()
    assert response.status_code == 200
    for name in (
        "Liczba Centrów Aktywności Seniora",
        "Frekwencja w ramach głosowania na budżet obywatelski",
        "1 164",
        "Stan wyjściowy (2017)",  # turnout's baseline: "5% (2017)" under its own year
        "Ok. 70",
        "Trend spadkowy",
    ):
        assert name in body
    assert body.count('class="status status-') == 5
    assert (
        body.count('<svg class="chart"') == 5 and body.count("<details>") == 5
    )  # each chart with its table
    assert "zgodnie z planem" in body and "poza kursem" in body  # centres on track, NGOs off track
    assert body.count("Działanie kluczowe ") >= 17


@pytest.mark.django_db
def test_an_indicator_page_has_an_svg_chart_with_a_table_and_district_breakdown(
    client, social_series
):
    body = client.get("/pl/strategia/wskazniki/pomoc-spoleczna/").content.decode()
    assert '<svg class="chart"' in body and 'role="img"' in body
    assert "<caption" in body and "3,6%" in body and "4,4%" in body
    assert "Dzielnice w 2024 roku" in body and "XVIII Nowa Huta" in body
    # SVG coordinates never take the Polish decimal comma
    assert not re.search(r'(?:cx|cy|x|y|width)="\d+,\d', body)
    assert "zgodnie z planem" in body  # 4.4 → 3.9 → 3.6: falling, as wanted


@pytest.mark.django_db
def test_the_page_is_translated(client, strategy):
    body = client.get("/en/strategia/wskazniki/centra-aktywnosci-seniora/").content.decode()
    assert "Number of Senior Activity Centres" in body
    body = client.get("/uk/strategia/").content.decode()
    assert "громадський бюджет" in body


@pytest.mark.django_db
def test_unknown_indicators_and_nodes_are_404(client, strategy):
    assert client.get("/pl/strategia/wskazniki/nie-ma/").status_code == 404
    assert client.get("/pl/strategia/elementy/99999/").status_code == 404
    assert client.get("/pl/strategia/raport/1999/").status_code == 404


@pytest.mark.django_db
def test_an_official_links_what_was_done_to_a_platform_page(client_for, strategy):
    client = client_for("official")
    action = StrategyNode.objects.get(kind=NodeKind.ACTION, number=7)
    url = f"/pl/strategia/elementy/{action.pk}/"
    response = client.post(
        url,
        {
            "form": "link",
            "link-year": "2024",
            "link-title": "Strony dzielnic",
            "link-address": "/pl/dzielnice/3/",
        },
    )
    assert response.status_code == 302
    link = ImplementationLink.objects.get()
    assert (link.platform_path, link.kind) == ("/dzielnice/3/", "district")
    body = client.get(url.replace("/pl/", "/en/")).content.decode()
    assert 'href="/en/dzielnice/3/"' in body


@pytest.mark.django_db
def test_a_link_to_a_missing_page_is_refused_and_the_input_kept(client_for, strategy):
    client = client_for("official")
    action = StrategyNode.objects.get(kind=NodeKind.ACTION, number=2)
    response = client.post(
        f"/pl/strategia/elementy/{action.pk}/",
        {
            "form": "link",
            "link-year": "2024",
            "link-title": "Konsultacje Plant",
            "link-address": "/pl/nie-ma-takiej-strony/",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Na platformie nie ma strony" in body and 'value="Konsultacje Plant"' in body
    assert not ImplementationLink.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "resident", "ngo_member"])
def test_only_officials_manage_monitoring(client_for, strategy, persona):
    client = client_for(persona)
    for path in (
        "/pl/strategia/zarzadzanie/",
        "/pl/strategia/zarzadzanie/pomiar/",
        "/pl/strategia/zarzadzanie/badania/",
    ):
        assert client.get(path).status_code in (302, 403)
    action = StrategyNode.objects.get(kind=NodeKind.ACTION, number=2)
    response = client.post(
        f"/pl/strategia/elementy/{action.pk}/",
        {"form": "link", "link-year": "2024", "link-title": "x", "link-address": "/pl/"},
    )
    assert response.status_code in (302, 403) and not ImplementationLink.objects.exists()


@pytest.mark.django_db
def test_an_official_enters_a_value_and_another_approves_it_on_the_page(
    client_for, strategy, second_official
):
    client = client_for("official")
    indicator = Indicator.objects.get(code="zadowolenie-z-wplywu")
    response = client.post(
        "/pl/strategia/zarzadzanie/pomiar/",
        {
            "indicator": indicator.pk,
            "year": "2024",
            "value": "abc",
            "source": "Barometr Krakowski 2024",
            "reference_date": "2024-11-30",
        },
    )
    assert response.status_code == 400 and "Wpisz liczbę" in response.content.decode()
    assert 'value="Barometr Krakowski 2024"' in response.content.decode()
    response = client.post(
        "/pl/strategia/zarzadzanie/pomiar/",
        {
            "indicator": indicator.pk,
            "year": "2024",
            "value": "41,5",
            "source": "Barometr Krakowski 2024",
            "reference_date": "2024-11-30",
        },
    )
    assert response.status_code == 302
    measurement = indicator.measurements.get(year=2024)
    body = client.get("/pl/strategia/zarzadzanie/").content.decode()
    assert "Tę partię zatwierdza inna osoba" in body
    from django.test import Client

    other = Client()
    other.force_login(second_official)
    response = other.post(
        f"/pl/strategia/zarzadzanie/partie/{measurement.batch}/", {"decision": "approve"}
    )
    assert response.status_code == 302
    measurement.refresh_from_db()
    assert measurement.status == "approved"
    assert "41,5%" in other.get("/pl/strategia/wskazniki/zadowolenie-z-wplywu/").content.decode()


@pytest.mark.django_db
def test_a_bad_csv_upload_shows_the_line_in_the_form(client_for, strategy):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for("official")
    upload = SimpleUploadedFile(
        "w.csv",
        b"wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\npomoc-spoleczna,2024,,x,M,2024-12-31\n",
        content_type="text/csv",
    )
    response = client.post("/pl/strategia/zarzadzanie/import/", {"file": upload})
    assert response.status_code == 400
    assert "Wiersz 2, kolumna „wartosc”" in response.content.decode()


@pytest.mark.django_db
def test_the_annual_report_renders_as_a_page_and_as_a_pdf(client, social_series, official):
    action = StrategyNode.objects.get(kind=NodeKind.ACTION, number=11)
    services.link_add(
        actor=official,
        node=action,
        year=2024,
        title="Program przeciwdziałania wykluczeniu",
        external_url="https://www.bip.krakow.pl/",
    )
    body = client.get("/pl/strategia/raport/2024/").content.decode()
    assert "Program przeciwdziałania wykluczeniu" in body and body.count('<svg class="chart"') == 5
    response = client.get("/pl/strategia/raport/2024.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 10_000


@pytest.mark.django_db
def test_open_data_downloads_carry_the_approved_values(client, social_series):
    text = client.get("/pl/strategia/dane/wskazniki.csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    social = [r for r in rows if r["wskaznik"] == "pomoc-spoleczna"]
    assert [(r["rok"], r["dzielnica"], r["wartosc"]) for r in social] == [
        ("2016", "", "4.4"),
        ("2022", "", "3.9"),
        ("2024", "", "3.6"),
        ("2024", "1", "4.2"),
        ("2024", "18", "5"),
    ]
    data = json.loads(client.get("/pl/strategia/dane/wskazniki.json").content)
    assert len(data["indicators"]) == 5
    geo = json.loads(client.get("/pl/strategia/dane/dzielnice.geojson").content)
    first = geo["features"][0]["properties"]
    assert (
        len(geo["features"]) == 18
        and first["pomoc-spoleczna"] == 4.2
        and first["pomoc-spoleczna_rok"] == 2024
    )


@pytest.mark.django_db
def test_the_api_lists_each_indicator_with_its_strategy_values_and_measurements(
    client, social_series
):
    data = client.get("/api/monitoring/indicators").json()
    by_code = {item["code"]: item for item in data}
    turnout = by_code["frekwencja-budzet-obywatelski"]
    assert turnout["value_2016"] == {"text": "5% (2017)", "value": 5.0, "year": 2017}
    assert turnout["value_2022"]["value"] == 5.35 and turnout["target"]["kind"] == "rising"
    assert by_code["centra-aktywnosci-seniora"]["target"] == {
        "text": "Ok. 70",
        "kind": "numeric",
        "value": 70.0,
        "year": 2030,
    }
    assert [m["value"] for m in by_code["pomoc-spoleczna"]["measurements"]] == [
        4.4,
        3.9,
        3.6,
        4.2,
        5.0,
    ]
    assert client.get("/api/monitoring/indicators/nie-ma").status_code == 404


@pytest.mark.django_db
def test_the_dcat_catalogue_describes_the_datasets_for_harvesting(client, strategy):
    response = client.get("/api/monitoring/catalog")
    assert response["Content-Type"] == "application/ld+json"
    catalogue = response.json()
    assert (
        catalogue["@type"] == "dcat:Catalog"
        and catalogue["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    )
    datasets = {d["dct:identifier"]: d for d in catalogue["dcat:dataset"]}
    assert {
        "strategia-cel-v-wskazniki",
        "strategia-cel-v-dzielnice",
        "dzielnice",
        "miejsca-spolecznosci",
    } <= set(datasets)
    places = {
        d["dcat:downloadURL"]["@id"].split("/", 3)[3]
        for d in datasets["miejsca-spolecznosci"]["dcat:distribution"]
    }
    assert places == {"api/places", "api/places?kind=senior-centre"}
    indicators = datasets["strategia-cel-v-wskazniki"]
    formats = {d["dct:format"]["@id"].rsplit("/", 1)[1] for d in indicators["dcat:distribution"]}
    assert formats == {"CSV", "JSON"}
    assert {t["@language"] for t in indicators["dct:title"]} == {"pl", "en", "uk"}
    assert all(
        d["dcat:downloadURL"]["@id"].startswith("http") for d in indicators["dcat:distribution"]
    )
    assert client.get("/pl/strategia/dane/katalog.jsonld").json()["@type"] == "dcat:Catalog"


@pytest.mark.django_db
def test_a_platform_survey_is_weighted_and_proposed_with_its_interval(
    client_for, strategy, official, second_official
):
    from wspolnota.monitoring.demo import demo_population_csv, demo_survey_csv

    table = services.population_table_import(
        actor=official,
        title="Ludność",
        reference_date=date(2019, 12, 31),
        source="UMK",
        upload=demo_population_csv(),
    )
    survey = services.survey_import(
        actor=official,
        title="Badanie",
        year=2024,
        fieldwork_end=date(2024, 11, 30),
        source="Platforma",
        question="",
        upload=demo_survey_csv(respondents=300),
    )
    weighting = services.survey_weighting(survey=survey, table=table)
    assert weighting.method == "raking" and weighting.dropped_bands == ["0-17"]
    # the weighted margins equal the population's (adults only)
    for key, total in weighting.margins["sex"].items():
        assert weighting.weighted_margins["sex"][key] == pytest.approx(total)
    for key, total in weighting.margins["district"].items():
        assert weighting.weighted_margins["district"][key] == pytest.approx(total)
    client = client_for("official")
    body = client.get(f"/pl/strategia/zarzadzanie/badania/{survey.pk}/").content.decode()
    assert "Przedział ufności 95%" in body
    response = client.post(f"/pl/strategia/zarzadzanie/badania/{survey.pk}/", {"table": table.pk})
    assert response.status_code == 302
    measurement = Indicator.objects.get(code="zadowolenie-z-wplywu").measurements.get(year=2024)
    assert measurement.ci_low < measurement.value < measurement.ci_high
    assert measurement.value == Decimal(str(round(weighting.share.share * 100, 4)))
    assert measurement.details["weighting"] == "raking"


@pytest.mark.django_db
def test_the_catalogue_lists_each_public_budget_edition_with_its_downloads(client, krakow):
    from wspolnota.budget.models import Edition
    from wspolnota.budget.tests.factories import make_edition

    edition = make_edition(districts=krakow, year=2025)
    Edition.objects.filter(pk=edition.pk).update(is_published=True)
    catalogue = client.get("/api/monitoring/catalog").json()
    budget = next(
        d for d in catalogue["dcat:dataset"] if d["dct:identifier"] == "budzet-obywatelski-projekty"
    )
    urls = {d["dcat:downloadURL"]["@id"].split("/", 3)[3] for d in budget["dcat:distribution"]}
    assert "api/budget/editions/2025/projects" in urls and "api/budget/editions" in urls
    # the CSV/XLSX lists are for the coordinating unit (issue 15): not open data, not listed
    assert not any("eksport" in url for url in urls)
    assert all(client.get("/" + url).status_code == 200 for url in urls)


@pytest.mark.django_db
def test_the_catalogue_lists_published_consultation_reports(client, krakow):
    from django.utils import timezone

    from wspolnota.consultations.models import Consultation
    from wspolnota.consultations.tests.factories import ConsultationFactory

    published, unpublished = ConsultationFactory(), ConsultationFactory()
    Consultation.objects.filter(pk=published.pk).update(
        published_at=timezone.now(), report_published_at=timezone.now()
    )
    Consultation.objects.filter(pk=unpublished.pk).update(
        published_at=timezone.now(), report_published_at=None
    )
    catalogue = client.get("/api/monitoring/catalog").json()
    reports = next(
        d for d in catalogue["dcat:dataset"] if d["dct:identifier"] == "konsultacje-raporty"
    )
    paths = [d["dcat:downloadURL"]["@id"].split("/", 3)[3] for d in reports["dcat:distribution"]]
    assert paths == [f"pl/konsultacje/{published.pk}/raport.pdf"]
