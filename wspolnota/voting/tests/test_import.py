"""Importing any city's .pb files: clear refusals instead of silently lost votes or a file
landing in the wrong city."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from wspolnota.budget.models import Edition, Project
from wspolnota.territory.models import City
from wspolnota.tests_support.data import pabulib_dir
from wspolnota.voting.models import BallotChoice

pytestmark = pytest.mark.django_db

GRABOWKA = pabulib_dir() / "Poland_Czestochowa_2020_Grabowka.pb"


def _pb(tmp_path: Path, name: str, district: str, project: str) -> Path:
    path = tmp_path / name
    path.write_text(
        "META\nkey;value\ndescription;test\ncountry;Poland\nunit;Kraków\n"
        f"district;{district}\ninstance;2030\nnum_projects;2\nnum_votes;2\nbudget;500000\n"
        "vote_type;approval\nrule;greedy\ndate_begin;01.09.2030\ndate_end;14.09.2030\n"
        "max_length;2\n"
        "PROJECTS\nproject_id;cost;votes;name\n"
        f"{project};100000;2;Wspólny numer\n{name}-own;200000;1;Własny projekt\n"
        "VOTES\nvoter_id;vote\n"
        f"1;{project},{name}-own\n2;{project}\n",
        encoding="utf-8",
    )
    return path


def _import(path: Path, slug: str, **options: str) -> str:
    out = StringIO()
    call_command("budget_import_pb", str(path), edition=slug, stdout=out, **options)
    return out.getvalue()


def test_a_project_id_already_in_another_pool_is_refused_instead_of_dropping_its_votes(
    krakow, tmp_path
):
    _import(_pb(tmp_path, "a.pb", "Stare Miasto", "BO.7/30"), "krakow-2030")
    with pytest.raises(CommandError) as caught:
        _import(_pb(tmp_path, "b.pb", "Grzegórzki", "BO.7/30"), "krakow-2030")
    message = str(caught.value)
    assert "BO.7/30" in message and "Stare Miasto" in message
    # nothing of the second file was written
    assert not BallotChoice.objects.filter(pool__district__name="Grzegórzki").exists()
    assert Project.objects.filter(number="BO.7/30").count() == 1


def test_importing_before_any_city_is_loaded_says_to_load_one_first(db):
    with pytest.raises(CommandError) as caught:
        _import(GRABOWKA, "czestochowa-2020")
    assert "load_krakow" in str(caught.value) and "load_city" in str(caught.value)


def test_another_citys_file_goes_into_its_own_city_not_krakows(krakow):
    czestochowa = City.objects.create(name="Częstochowa", teryt="2464011", slug="czestochowa")
    _import(GRABOWKA, "czestochowa-2020")
    edition = Edition.objects.get(year=2020)
    assert edition.city == czestochowa
    assert not Edition.objects.filter(city__slug="krakow").exists()


def test_another_citys_file_is_refused_when_that_city_is_not_loaded(krakow):
    with pytest.raises(CommandError) as caught:
        _import(GRABOWKA, "czestochowa-2020")
    assert "Częstochowa" in str(caught.value) and "load_city" in str(caught.value)
    assert not Edition.objects.exists()
