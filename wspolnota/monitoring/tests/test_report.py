"""The annual report the city adopts (issue 21): frozen on adoption as a tagged PDF/UA document
with its data, never regenerated; a correction is an explicit new version; a summary table,
methodology, district breakdown, adoption date and unit; key actions drawn from the platform's
records. Each test failed on the code before (the report was regenerated live on each request,
untagged, with none of these sections)."""

from __future__ import annotations

import io
import itertools
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from wspolnota.core.errors import PermissionDeniedError
from wspolnota.core.models import AuditLogEntry
from wspolnota.monitoring import services
from wspolnota.monitoring.errors import MonitoringError
from wspolnota.monitoring.models import Indicator, ReportEdition

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils reads the PDFs back (./wsp test installs it)",
)


@pytest.fixture(autouse=True)
def _march_2026(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 2, 12, tzinfo=UTC))


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


def _social_2025(official, second_official, value: str) -> None:
    social = Indicator.objects.get(code="pomoc-spoleczna")
    row = services.measurement_enter(
        actor=official,
        indicator=social,
        year=2025,
        value=Decimal(value),
        source="MOPS Kraków",
        reference_date=date(2025, 12, 31),
    )
    services.batch_approve(actor=second_official, batch=row.batch)


def _adopt(official, *, year=2025, note="") -> ReportEdition:
    draft = services.report_draft_open(actor=official, year=year)
    services.report_draft_update(
        actor=official,
        edition=draft,
        summary="Rok stabilnego wzrostu uczestnictwa.",
        commentary={
            "indicator:pomoc-spoleczna": "Spadek zgodny z celem.",
            "action:16": "Nowe centra.",
        },
        responsible_unit="Wydział Strategii i Rozwoju Miasta",
        adoption_reference="Zarządzenie nr 123/2026",
        version_note=note,
    )
    return services.report_adopt(actor=official, edition=draft, adopted_on=date(2026, 2, 27))


@pytest.mark.django_db
def test_the_adopted_report_does_not_change_when_a_value_is_corrected_later(
    strategy, official, second_official, client, tmp_path
):
    import hashlib

    _social_2025(official, second_official, "3.6")
    adopted = _adopt(official)
    body = adopted.body_html
    before = client.get("/pl/strategia/raport/2025.pdf").content
    assert hashlib.sha256(before).hexdigest() == adopted.pdf_sha256
    page = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "3,6%" in page and body in page  # the stored HTML, verbatim
    _social_2025(official, second_official, "3.2")  # a correction after adoption
    after = client.get("/pl/strategia/raport/2025.pdf").content
    assert after == before  # the stored document, not a regeneration
    assert "3,6%" in _text(after, tmp_path) and "3,2%" not in _text(after, tmp_path)
    page = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "3,6%" in page and "3,2%" not in page
    edition = ReportEdition.objects.get(year=2025)
    assert edition.body_html == body and body in page  # the HTML did not change either
    assert edition.version == 1 and edition.status == "adopted"
    values = {i["code"]: i["values"] for i in edition.snapshot["indicators"]}
    assert [v["value"] for v in values["pomoc-spoleczna"] if v["year"] == 2025] == ["3.6000"]


@pytest.mark.django_db
def test_a_correction_is_an_explicit_new_version_and_the_first_stays_published(
    strategy, official, second_official, client, tmp_path
):
    _social_2025(official, second_official, "3.6")
    first = _adopt(official)
    _social_2025(official, second_official, "3.2")
    draft = services.report_draft_open(actor=official, year=2025)
    assert draft.version == 2 and draft.summary == first.summary
    with pytest.raises(MonitoringError):  # a new version says what changed
        services.report_adopt(actor=official, edition=draft, adopted_on=date(2026, 3, 1))
    second = _adopt(official, note="Poprawiono odsetek pomocy społecznej za 2025 r.")
    assert second.version == 2
    first.refresh_from_db()
    assert first.status == "superseded" and second.status == "adopted"
    current = _text(client.get("/pl/strategia/raport/2025.pdf").content, tmp_path)
    assert "3,2%" in current and "Poprawiono odsetek" in current
    old = _text(client.get("/pl/strategia/raport/2025/wersja-1.pdf").content, tmp_path)
    assert "3,6%" in old
    with pytest.raises(MonitoringError):  # an adopted version is never edited
        services.report_draft_update(
            actor=official,
            edition=second,
            summary="x",
            commentary={},
            responsible_unit="x",
        )
    assert AuditLogEntry.objects.filter(action="monitoring.report_adopted").count() == 2


def _structure(document: Any) -> list[Any]:
    """Every element of the open PDF's structure tree, in reading order (pikepdf)."""
    import pikepdf

    found: list[Any] = []

    def walk(node: Any) -> None:
        kids = node.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found.append(kid)
                walk(kid)

    walk(document.Root.StructTreeRoot)
    return found


@pytest.mark.django_db
def test_the_adopted_pdf_is_tagged_with_headings_table_headers_and_chart_alternatives(
    strategy, official, second_official, client, tmp_path
):
    """Read back with pikepdf: the document's language, title and PDF/UA claim; its structure tree
    with headings that skip no level, tables with captions, every header cell with a /Scope and
    every data cell pointing at headers that exist, and each indicator's chart a Figure whose /Alt
    names it. Before, no header cell had a /Scope (WeasyPrint writes none)."""
    import pikepdf

    _social_2025(official, second_official, "3.6")
    _adopt(official)
    pdf = client.get("/pl/strategia/raport/2025.pdf").content
    document = pikepdf.open(io.BytesIO(pdf))
    title = "Raport z monitoringu Celu strategicznego V za 2025 rok – wersja 1"
    assert str(document.Root.Lang) == "pl"
    assert bool(document.Root.MarkInfo.Marked)
    assert bool(document.Root.ViewerPreferences.DisplayDocTitle)  # the title, not the file name
    assert str(document.docinfo.Title) == title
    metadata = document.open_metadata(set_pikepdf_as_editor=False)
    assert metadata["dc:title"] == title
    assert metadata["pdfuaid:part"] == "1"  # declared PDF/UA-1

    elements = _structure(document)
    kinds = [str(e.S) for e in elements]
    headings = [int(k[2]) for k in kinds if re.fullmatch(r"/H[1-6]", k)]
    assert headings[0] == 1 and headings.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(headings)), headings
    assert headings.count(3) >= 5  # one per indicator at least
    tables = [e for e in elements if e.S == "/Table"]
    assert len(tables) >= 6  # the summary and one per indicator
    captioned = 0
    for table in tables:
        children = [str(k.S) for k in _structure_children(table)]
        assert "/THead" in children  # a table continued on the next page repeats its headers
        captioned += "/Caption" in children
    assert captioned >= 6  # the summary and each indicator's values (a continuation has none)
    headers = [e for e in elements if e.S == "/TH"]
    assert headers
    ids = set()
    for th in headers:
        attributes = th.A if isinstance(th.A, pikepdf.Array) else [th.A]
        scope = [a.get("/Scope") for a in attributes if a.get("/O") == "/Table"]
        assert scope and scope[0] in ("/Row", "/Column"), th.get("/ID")
        ids.add(str(th.ID))
    scopes = {str(_scope(th)) for th in headers}
    assert scopes == {"/Row", "/Column"}
    cells = [e for e in elements if e.S == "/TD"]
    for td in cells:
        assert td.A.Headers and {str(h) for h in td.A.Headers} <= ids
    figures = [e for e in elements if e.S == "/Figure"]
    alternatives = sorted(str(f.get("/Alt", "")) for f in figures)
    expected = sorted(
        f"{i.name}: wartości w kolejnych latach" for i in Indicator.objects.order_by("pk")
    )
    assert alternatives == expected  # each chart, and nothing else, is a Figure with its text
    # the headings' words, as a screen reader gets them (poppler reads the tagged text)
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    tree = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, check=True
    ).stdout.decode()
    for text in ("Podsumowanie wskaźników", "Metodologia", "Dzielnice", "Działania kluczowe"):
        assert text in tree, text


def _structure_children(element: Any) -> list[Any]:
    import pikepdf

    kids = element.get("/K")
    return [
        k
        for k in (kids if isinstance(kids, pikepdf.Array) else [kids])
        if isinstance(k, pikepdf.Dictionary) and "/S" in k
    ]


def _scope(th: Any) -> Any:
    import pikepdf

    attributes = th.A if isinstance(th.A, pikepdf.Array) else [th.A]
    return next(a.Scope for a in attributes if a.get("/O") == pikepdf.Name.Table)


@pytest.mark.django_db
def test_the_report_has_a_summary_table_methodology_districts_date_and_unit(
    strategy, official, second_official, client, tmp_path
):
    social = Indicator.objects.get(code="pomoc-spoleczna")
    rows = services.measurements_import_csv(
        actor=official,
        upload=(
            "wskaznik,rok,dzielnica,wartosc,zrodlo,stan_na\n"
            "pomoc-spoleczna,2025,,3.6,MOPS Kraków,2025-12-31\n"
            "pomoc-spoleczna,2025,1,4.2,MOPS Kraków,2025-12-31\n"
            "pomoc-spoleczna,2025,18,5.1,MOPS Kraków,2025-12-31\n"
        ),
    )
    services.batch_approve(actor=second_official, batch=rows[0].batch)
    assert social.measurements.count() > 2
    _adopt(official)
    text = _text(client.get("/pl/strategia/raport/2025.pdf").content, tmp_path)
    for part in (
        "Podsumowanie wskaźników",
        "Metodologia",
        "Dzielnice",
        "Ostatnie wartości wskaźników w dzielnicach",
        "XVIII Nowa Huta",
        "5,1%",
        "27 lutego 2026",
        "Wydział Strategii i Rozwoju Miasta",
        "Zarządzenie nr 123/2026",
        "Rok stabilnego wzrostu uczestnictwa.",
        "Spadek zgodny z celem.",
        "Nowe centra.",
    ):
        assert part in re.sub(r"\s+", " ", text), part


@pytest.mark.django_db
def test_a_report_not_adopted_says_it_is_a_draft(strategy, client, tmp_path):
    text = _text(client.get("/pl/strategia/raport/2025.pdf").content, tmp_path)
    assert "Projekt raportu: nie został przyjęty" in text
    body = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "Projekt raportu: nie został przyjęty" in body


@pytest.mark.django_db
def test_key_actions_list_what_the_platform_recorded(strategy, krakow, client):
    """Budget projects, consultations, grant calls, centres and events of the year appear under
    their key actions, drawn from the platform's records. Before, the budget contributed only the
    edition's name (no project submitted, none completed), cancelled events counted as held, and
    the events, places and consultations for children, families and migrants were listed under
    no key action (1, 8, 11–14 and 17 stayed empty)."""
    from wspolnota.budget.tests.factories import ProjectFactory, make_edition, pool_for
    from wspolnota.community.models import Audience, PlaceKind
    from wspolnota.community.tests.factories import EventFactory, PlaceFactory
    from wspolnota.consultations.tests.factories import ConsultationFactory
    from wspolnota.grants.tests.factories import make_call
    from wspolnota.implementation.models import Implementation, ImplementationStatus

    edition = make_edition(districts=krakow, year=2025)
    for _ in range(2):
        ProjectFactory(pool=pool_for(edition, 1))
    earlier = make_edition(districts=krakow, year=2024)
    done = ProjectFactory(pool=pool_for(earlier, None))
    Implementation.objects.create(
        project=done,
        edition=earlier,
        status=ImplementationStatus.COMPLETED,
        progress=100,
        estimated_cost=done.cost,
        completed_on=date(2025, 10, 1),
    )
    ConsultationFactory(
        title="Konsultacje Parku Lotników",
        published_at=datetime(2025, 4, 1, 9, tzinfo=UTC),
        languages=["pl"],
    )
    ConsultationFactory(title="Konsultacje z 2026", published_at=datetime(2026, 1, 9, tzinfo=UTC))
    make_call(title="Mikrogranty na rok 2025", year=2025)
    centre = PlaceFactory(district=krakow[1], opened_on=date(2020, 3, 1))
    PlaceFactory(district=krakow[2], opened_on=date(2025, 3, 1))
    EventFactory(place=centre, starts_at=datetime(2025, 5, 5, 10, tzinfo=UTC))
    library = PlaceFactory(district=krakow[3], kind=PlaceKind.LIBRARY, opened_on=date(2010, 1, 1))
    PlaceFactory(district=krakow[4], kind=PlaceKind.YOUTH_CLUB, opened_on=date(2019, 1, 1))
    when = datetime(2025, 9, 6, 10, tzinfo=UTC)
    EventFactory(place=library, starts_at=when, audience=Audience.FAMILIES, programme="family")
    EventFactory(place=library, starts_at=when, audience=Audience.YOUTH, language="uk")
    EventFactory(place=library, starts_at=when, audience=Audience.CHILDREN, status="cancelled")
    ConsultationFactory(languages=["pl", "uk"], published_at=datetime(2025, 6, 1, tzinfo=UTC))
    body = client.get("/pl/strategia/raport/2025/").content.decode()
    for text in (
        "Budżet obywatelski 2025",
        "Projekty zgłoszone przez mieszkańców do budżetu obywatelskiego 2025: 2",
        "Projekty budżetu obywatelskiego zrealizowane w 2025 roku: 1",
        "Konsultacje Parku Lotników",
        "Mikrogranty na rok 2025",
        "Centra Aktywności Seniorów czynne na koniec roku: 2",
        "Wydarzenia w Centrach Aktywności Seniorów: 1",
        "Wydarzenia w miejscach aktywności lokalnej: 2",  # the cancelled one is not counted
        "Wydarzenia dla dzieci i młodzieży: 1",
        "Wydarzenia programów rodzinnych: 1",
        "Wydarzenia dla rodzin z dziećmi: 1",
        "Wydarzenia dla migrantów i migrantek lub w ich językach: 1",
        "Kluby młodzieżowe i ośrodki dzienne dla osób z niepełnosprawnościami czynne na "
        "koniec roku: 1",
        "Konsultacje prowadzone także po ukraińsku lub angielsku: 1",
        "z rejestrów platformy",
    ):
        assert text in body, text
    assert "Konsultacje z 2026" not in body  # another year's record


@pytest.mark.django_db
def test_only_the_strategy_office_drafts_and_adopts(strategy, krakow, client):
    from wspolnota.tests_support.factories import CityUnitFactory
    from wspolnota.tests_support.scopes import official_of

    other = official_of(CityUnitFactory(code="XYZ"), district=krakow[1])
    with pytest.raises(PermissionDeniedError):
        services.report_draft_open(actor=other, year=2025)
    client.force_login(other)
    assert client.get("/pl/strategia/zarzadzanie/raport/2025/").status_code == 403


@pytest.mark.django_db
def test_the_office_drafts_and_adopts_through_the_pages(strategy, official, client):
    client.force_login(official)
    url = "/pl/strategia/zarzadzanie/raport/2025/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "open"}).status_code == 302
    response = client.post(
        url,
        {
            "action": "save",
            "summary": "Podsumowanie roku.",
            "responsible_unit": "Wydział Strategii",
            "action:16": "Sieć centrów rośnie.",
        },
    )
    assert response.status_code == 302
    draft = ReportEdition.objects.get(year=2025)
    assert draft.commentary == {"action:16": "Sieć centrów rośnie."}
    response = client.post(url, {"action": "adopt", "adopted_on": "2026-03-01"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "adopted" and draft.pdf and len(draft.pdf_sha256) == 64
    assert client.post(url, {"action": "adopt", "adopted_on": "2026-03-01"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "notice"),
    [
        ("en", "published in Polish"),
        ("uk", "польською"),
    ],
)
def test_the_adopted_report_in_english_or_ukrainian_says_the_document_is_polish(
    strategy, official, second_official, client, language, notice
):
    """The adopted report is the city's legal document, frozen in Polish: a page in English or
    Ukrainian says so and marks the document's language (before, the Polish body appeared
    unannounced inside an English page, read aloud with English pronunciation)."""
    _social_2025(official, second_official, "3.6")
    adopted = _adopt(official)
    page = client.get(f"/{language}/strategia/raport/2025/").content.decode()
    assert f'<html lang="{language}"' in page
    assert notice in page
    assert f'<div lang="pl" class="report-document">{adopted.body_html}</div>' in page
    heading = re.search(r"<h1>(.*?)</h1>", page)
    assert heading and "Raport z monitoringu" not in heading.group(1)  # the page itself translated
    polish = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "published in Polish" not in polish and "opublikowany po polsku" not in polish
