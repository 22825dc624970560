"""Demo data from Pabulib's Kraków files, and the reader's errors that name the line."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wspolnota.budget import demo
from wspolnota.budget.models import Edition, Project, ProjectStatus
from wspolnota.tests_support.data import pabulib_dir

PABULIB = pabulib_dir()


def test_the_reader_names_the_file_and_line_of_a_broken_row(tmp_path):
    path = tmp_path / "broken.pb"
    path.write_text(
        "META\nkey;value\nbudget;1000\nPROJECTS\nproject_id;cost;name\nA;100;Dobry\nB;sto;Zły\n",
        encoding="utf-8",
    )
    with pytest.raises(demo.PabulibError, match=r"broken.pb, line 7: cost 'sto' is not a number"):
        demo.read_pb(path)
    path.write_text("META\nkey;value\nPROJECTS\nproject_id;name\nA;x\n", encoding="utf-8")
    with pytest.raises(demo.PabulibError, match="line 4: missing columns cost"):
        demo.read_pb(path)


def test_the_reader_reads_a_krakow_district_file():
    meta, projects = demo.read_pb(PABULIB / "Poland_Krakow_2025_Bienczyce.pb")
    assert meta["district"] == "Bieńczyce" and Decimal(meta["budget"]) == Decimal("1698575.39")
    assert len(projects) == int(meta["num_projects"])
    assert projects[0].project_id == "BO.D16.5/25"


@pytest.mark.django_db
def test_the_demo_loads_the_2025_edition_once(krakow):
    lines = demo.load()
    edition = Edition.objects.get(year=2025)
    assert sum(p.budget for p in edition.pools.filter(kind="district")) == Decimal("40800000.00")
    assert edition.pools.get(kind="citywide").budget == Decimal("10200000.00")
    projects = Project.objects.filter(edition=edition)
    assert projects.count() > 600
    assert not projects.exclude(status=ProjectStatus.ON_BALLOT).exists()
    bienczyce = projects.get(number="BO.D16.5/25")
    assert bienczyce.title == "TRENING CZYNI Z NAS MISTRZA" and bienczyce.cost == Decimal(
        "676500.00"
    )
    assert (
        bienczyce.pool.district.name == "Bieńczyce"
        and bienczyce.location_district == bienczyce.pool.district
    )
    assert "Pabulib" in bienczyce.description
    assert any("Pabulib" in line for line in lines)
    current = Edition.objects.exclude(year=2025).get()
    assert (
        current.projects.filter(status=ProjectStatus.SUBMITTED).exists()
        or current.projects.count() == 0
    )
    again = demo.load()
    assert Project.objects.filter(edition=edition).count() == projects.count()
    assert "już wczytany" in again[0]


@pytest.mark.django_db
def test_the_demo_skips_projects_with_a_note_when_pabulib_is_absent(krakow, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    lines = demo.load()
    assert any("brak plików Pabulib" in line for line in lines)
    assert not Edition.objects.filter(year=2025).exists()
