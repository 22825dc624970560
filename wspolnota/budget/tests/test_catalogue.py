"""The public catalogue: filters, search without diacritics, the map, exports, printed cards."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from wspolnota.budget.documents import project_url
from wspolnota.budget.models import ProjectStatus
from wspolnota.budget.search import normalise, search_terms
from wspolnota.budget.selectors import CatalogueFilters, project_catalogue
from wspolnota.budget.tests.factories import ProjectFactory, pool_for
from wspolnota.tests_support.qr import qr_codes_in_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(edition):
    """Projects in three pools and several states, one of them a draft."""
    citywide, first, last = pool_for(edition, None), pool_for(edition, 1), pool_for(edition, 18)
    return {
        "trees": ProjectFactory(
            pool=first,
            title="Zielone podwórko: drzewa i łąka",
            category="environment",
            cost=Decimal("80000"),
            latitude=Decimal("50.0614"),
            longitude=Decimal("19.9366"),
        ),
        "gym": ProjectFactory(
            pool=first, title="Siłownia pod chmurką", category="sport", cost=Decimal("300000")
        ),
        "library": ProjectFactory(
            pool=citywide,
            title="Książki dla żłobków",
            category="culture",
            cost=Decimal("1500000"),
            status=ProjectStatus.ON_BALLOT,
        ),
        "huta": ProjectFactory(
            pool=last,
            title="Ławki w Nowej Hucie",
            category="infrastructure",
            cost=Decimal("45000"),
            verified_cost=Decimal("52000"),
            status=ProjectStatus.VERIFIED_POSITIVE,
        ),
        "draft": ProjectFactory(
            pool=first, title="Szkic żłobka", status=ProjectStatus.DRAFT, number="", sequence=None
        ),
    }


def _titles(edition, **filters):
    return {
        p.title for p in project_catalogue(edition=edition, filters=CatalogueFilters(**filters))
    }


def test_search_text_ignores_case_and_polish_letters():
    assert normalise("Książki dla ŻŁOBKÓW — łąka!") == "ksiazki dla zlobkow laka"
    assert search_terms("  Żłobków  KSIĄŻKI ") == ["zlobkow", "ksiazki"]


def test_filters_combine_and_drafts_never_show(edition, catalogue):
    assert _titles(edition) == {
        "Zielone podwórko: drzewa i łąka",
        "Siłownia pod chmurką",
        "Książki dla żłobków",
        "Ławki w Nowej Hucie",
    }
    assert _titles(edition, pool="citywide") == {"Książki dla żłobków"}
    assert _titles(edition, pool="1") == {"Zielone podwórko: drzewa i łąka", "Siłownia pod chmurką"}
    assert _titles(edition, category="sport") == {"Siłownia pod chmurką"}
    assert _titles(edition, status="on_ballot") == {"Książki dla żłobków"}
    # the verified cost counts when there is one: 52 000, not 45 000
    assert _titles(edition, cost_min=Decimal("50000"), cost_max=Decimal("100000")) == {
        "Zielone podwórko: drzewa i łąka",
        "Ławki w Nowej Hucie",
    }
    assert _titles(edition, query="zlobkow") == {"Książki dla żłobków"}
    assert _titles(edition, query="ŁĄKA drzewa") == {"Zielone podwórko: drzewa i łąka"}
    assert _titles(edition, query="silownia", pool="18") == set()


def test_the_catalogue_page_filters_by_query_string_and_reports_bad_input(
    client, edition, catalogue
):
    page = client.get(
        f"/pl/budzet-obywatelski/{edition.year}/projekty/?q=lawki&pool=18"
    ).content.decode()
    assert "Ławki w Nowej Hucie" in page and "Siłownia" not in page
    assert "52\xa0000,00 zł" in page
    bad = client.get(
        f"/pl/budzet-obywatelski/{edition.year}/projekty/?cost_min=sporo&category=nonsense"
    )
    assert bad.status_code == 400
    assert 'value="sporo"' in bad.content.decode() and "Wpisz liczbę" in bad.content.decode()


def test_the_catalogue_runs_the_same_number_of_queries_for_more_projects(
    client, edition, catalogue
):
    url = f"/pl/budzet-obywatelski/{edition.year}/projekty/?pool=1&sort=cost_desc&q=a"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(30):
        ProjectFactory(pool=pool_for(edition, 1), title="Kolejny projekt z literą a")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few) <= 8


def test_the_map_shows_located_projects_as_links(client, edition, catalogue):
    response = client.get(f"/pl/budzet-obywatelski/{edition.year}/projekty/mapa/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="project-point') == 1
    assert f'href="/pl/budzet-obywatelski/projekty/{catalogue["trees"].pk}/"' in page
    assert "Bez wskazanego miejsca: 3" in page
    # coordinates are written with a dot in every language
    assert "," not in page.split('<circle cx="')[1].split('"')[0]


def test_officials_export_the_filtered_list_to_csv_and_xlsx(client_for, edition, catalogue):
    official = client_for("official")
    response = official.get(f"/pl/budzet-obywatelski/{edition.year}/projekty/eksport.csv?pool=1")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Numer", "Tytuł", "Pula"]
    assert {r[1] for r in rows[1:]} == {"Zielone podwórko: drzewa i łąka", "Siłownia pod chmurką"}
    xlsx = official.get(f"/en/budzet-obywatelski/{edition.year}/projekty/eksport.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Number" and len(values) == 5
    assert (
        client_for("resident")
        .get(f"/pl/budzet-obywatelski/{edition.year}/projekty/eksport.csv")
        .status_code
        == 403
    )


def test_exports_never_run_a_formula_typed_by_an_author(client_for, edition):
    ProjectFactory(pool=pool_for(edition, 1), title='=HYPERLINK("http://zlo.example")')
    response = client_for("official").get(
        f"/pl/budzet-obywatelski/{edition.year}/projekty/eksport.csv"
    )
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")
    xlsx = client_for("official").get(
        f"/pl/budzet-obywatelski/{edition.year}/projekty/eksport.xlsx"
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=2).data_type == "s"


def test_the_a4_card_is_a_pdf_with_a_qr_code(client, edition, catalogue):
    response = client.get(f"/pl/budzet-obywatelski/projekty/{catalogue['library'].pk}/karta.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # the code opens the project's public page
    assert qr_codes_in_pdf(response.content) == [project_url(catalogue["library"].pk)]
    assert (
        client.get(f"/pl/budzet-obywatelski/projekty/{catalogue['draft'].pk}/karta.pdf").status_code
        == 404
    )


def test_edition_pages_show_pools_and_phases(client, edition, catalogue):
    page = client.get(f"/pl/budzet-obywatelski/{edition.year}/").content.decode()
    assert "Pula ogólnomiejska" in page and "Dzielnica XVIII Nowa Huta" in page
    assert 'aria-current="step"' in page
    index = client.get("/pl/budzet-obywatelski/").content.decode()
    assert edition.name in index
    assert client.get("/pl/budzet-obywatelski/1999/").status_code == 404


def test_the_office_list_is_for_officials_and_councillors(client_for, edition, catalogue):
    assert client_for("resident").get("/pl/budzet-obywatelski/urzad/").status_code == 403
    page = client_for("official").get("/pl/budzet-obywatelski/urzad/").content.decode()
    assert "Ławki w Nowej Hucie" in page and "Szkic żłobka" not in page
    councillor = (
        client_for("district_councillor").get("/pl/budzet-obywatelski/urzad/").content.decode()
    )
    assert "Siłownia pod chmurką" in councillor and "Ławki w Nowej Hucie" not in councillor
