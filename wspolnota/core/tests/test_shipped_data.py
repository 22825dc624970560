"""The repository carries its own data, with its sources, and nothing outside the tests looks
beside the repository for more."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wspolnota.tests_support.data import (
    DATA_DIR,
    FULL_COLLECTION_MISSING,
    REPO_ROOT,
    dcat_ap_shapes,
    pabulib_dir,
    polis_conversations,
    shared_data_dir,
)

SHIPPED = sorted(p for p in DATA_DIR.rglob("*") if p.is_file() and p.name != "SOURCE.md")


def test_every_data_folder_names_its_source_and_licence():
    folders = sorted(p for p in DATA_DIR.iterdir() if p.is_dir())
    assert [f.name for f in folders] == ["dcat-ap", "pabulib", "polis"]
    for folder in folders:
        source = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert re.search(r"commit\s+`?[0-9a-f]{40}", source), folder.name
        assert "Licence" in source or "licence" in source, folder.name


def test_the_demo_files_and_the_test_sets_are_shipped():
    names = {p.name for p in pabulib_dir().glob("*.pb")}
    assert len({n for n in names if n.startswith("Poland_Krakow_2025_")}) == 18
    assert len({n for n in names if n.startswith("Poland_Krakow_2024_")}) == 18
    assert "Poland_Krakow_2024.pb" in names
    assert polis_conversations() == [
        "15-per-hour-seattle",
        "brexit-consensus",
        "london.youth.policing",
        "scoop-hivemind.biodiversity",
        "scoop-hivemind.freshwater",
        "scoop-hivemind.ubi",
    ]
    assert all(p.stat().st_size > 10_000 for p in dcat_ap_shapes())
    # the shipped sample stays small enough for every clone
    assert sum(p.stat().st_size for p in SHIPPED) < 20_000_000


def test_the_shipped_files_are_unchanged_copies_of_the_collection():
    shared = shared_data_dir()
    if shared is None:
        pytest.skip(FULL_COLLECTION_MISSING)
    for path in SHIPPED:
        original = shared / path.relative_to(DATA_DIR)
        assert original.read_bytes() == path.read_bytes(), path.relative_to(REPO_ROOT)


def _code_outside_tests() -> list[Path]:
    files = list((REPO_ROOT / "wspolnota").rglob("*.py")) + list(
        (REPO_ROOT / "benchmarks").glob("*.py")
    )
    files += [REPO_ROOT / "wsp", REPO_ROOT / "manage.py"]
    files += list((REPO_ROOT / "packages" / "votecount" / "src").rglob("*.py"))
    return [
        p
        for p in files
        if "tests" not in p.relative_to(REPO_ROOT).parts
        and "tests_support" not in p.parts
        and p.name != "conftest.py"
    ]


def test_no_code_outside_the_tests_reads_beside_the_repository():
    pattern = re.compile(r"WSPOLNOTA_SHARED|SHARED_DATA_DIR|\"shared\"|'shared'|\.\./shared")
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in _code_outside_tests()
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
