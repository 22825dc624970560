"""The annual report the city adopts (issue 21): frozen on adoption as a tagged PDF/UA document
with its data, never regenerated; a correction is an explicit new version; a summary table,
methodology, district breakdown, adoption date and unit; key actions drawn from the platform's
records. Each test failed on the code before (the report was regenerated live on each request,
untagged, with none of these sections)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zlib
from datetime import UTC, date, datetime
from decimal import Decimal

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
    _social_2025(official, second_official, "3.6")
    _adopt(official)
    before = client.get("/pl/strategia/raport/2025.pdf").content
    page = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "3,6%" in page
    _social_2025(official, second_official, "3.2")  # a correction after adoption
    after = client.get("/pl/strategia/raport/2025.pdf").content
    assert after == before  # the stored document, not a regeneration
    assert "3,6%" in _text(after, tmp_path) and "3,2%" not in _text(after, tmp_path)
    page = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "3,6%" in page and "3,2%" not in page
    edition = ReportEdition.objects.get(year=2025)
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


def _pdf_strings(pdf: bytes) -> str:
    """Every text string in the PDF's (compressed) objects, UTF-16 ones decoded."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    raw = b"\n".join(chunks)
    text = raw.decode("latin-1")
    for hexa in re.findall(r"/Alt\s*<feff([0-9a-f]+)>", text, re.I):
        text += "\n" + bytes.fromhex(hexa).decode("utf-16-be", "replace")
    return text


@pytest.mark.django_db
def test_the_adopted_pdf_is_tagged_with_headings_table_headers_and_chart_alternatives(
    strategy, official, second_official, client, tmp_path
):
    _social_2025(official, second_official, "3.6")
    _adopt(official)
    pdf = client.get("/pl/strategia/raport/2025.pdf").content
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert re.search(r"Tagged:\s+yes", info)
    assert "Raport z monitoringu Celu strategicznego V za 2025 rok" in info  # the title
    tree = subprocess.run(
        ["pdfinfo", "-struct-text", str(path)], capture_output=True, check=True
    ).stdout.decode()
    for tag in ("H1", "H2", "H3", "Table", "TH", "TD", "Caption", "Figure", "L", "LI"):
        assert re.search(rf"^\s*{tag}\b", tree, re.M), tag
    assert "Podsumowanie wskaźników" in tree
    strings = _pdf_strings(pdf)
    assert "/Lang (pl)" in strings
    assert "pdfuaid" in strings  # declared PDF/UA-1 in its XMP metadata
    # each chart's alternative text (its SVG title) is on its Figure (/Alt)
    assert (
        "Skala interwencji w ramach zadań pomocy społecznej w Gminie Miejskiej Kraków: wartości w kolejnych latach"
        in strings
    )


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
    from wspolnota.community.tests.factories import PlaceFactory

    PlaceFactory(district=krakow[1], opened_on=date(2020, 3, 1))
    PlaceFactory(district=krakow[2], opened_on=date(2025, 3, 1))
    body = client.get("/pl/strategia/raport/2025/").content.decode()
    assert "Centra Aktywności Seniorów czynne na koniec roku: 2" in body
    assert "z rejestrów platformy" in body


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
