"""Shared test helpers: where the Pabulib data lives.

The repository ships a sample of Pabulib files in ``<repo>/data/pabulib`` (see its SOURCE.md);
every test that needs a file runs on it. The project's full collection, when it is beside the
repository (``$WSPOLNOTA_SHARED/data/pabulib``, by default ``<repo>/../shared/data/pabulib``), adds
its other files to the tests that go through every file; without it those cases are skipped with
a reason.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]

FULL_COLLECTION_MISSING = (
    "the full Pabulib collection is not beside this clone (set WSPOLNOTA_SHARED to the folder "
    "holding data/pabulib); only the files shipped in data/pabulib were tested"
)


def pabulib_dir() -> Path:
    """The Pabulib files shipped in the repository: ``<repo>/data/pabulib``."""
    return REPO_ROOT / "data" / "pabulib"


def full_pabulib_dir() -> Path | None:
    """``$WSPOLNOTA_SHARED/data/pabulib`` (default ``<repo>/../shared/data/pabulib``) if present."""
    shared = Path(os.environ.get("WSPOLNOTA_SHARED", REPO_ROOT.parent / "shared"))
    folder = shared / "data" / "pabulib"
    return folder if any(folder.glob("*.pb")) else None


def pabulib_files() -> list[Path]:
    """The shipped files, sorted by name."""
    folder = pabulib_dir()
    files = sorted(folder.glob("*.pb"))
    if not files:
        # Collected at import time: fail loudly instead of silently running nothing.
        raise pytest.UsageError(
            f"The Pabulib data folder {folder} is missing or empty: it is part of the repository "
            "(see data/pabulib/SOURCE.md)."
        )
    return files


def all_pabulib_files() -> list[Path]:
    """The shipped files, then those only the full collection has (when it is present)."""
    shipped = pabulib_files()
    full = full_pabulib_dir()
    if full is None:
        return shipped
    names = {p.name for p in shipped}
    return shipped + sorted(p for p in full.glob("*.pb") if p.name not in names)


def find_pabulib_file(name: str) -> Path | None:
    """A file by name: the shipped copy, else the full collection's, else None."""
    shipped = pabulib_dir() / name
    if shipped.exists():
        return shipped
    full = full_pabulib_dir()
    return full / name if full is not None and (full / name).exists() else None


def every_file_params() -> list[Any]:
    """Parameters for a test over every file: each available file, and, when the full collection
    is absent, one case skipped with the reason (so the report says what was not run)."""
    params: list[Any] = [pytest.param(p, id=p.name) for p in all_pabulib_files()]
    if full_pabulib_dir() is None:
        params.append(
            pytest.param(
                None, id="full-collection", marks=pytest.mark.skip(reason=FULL_COLLECTION_MISSING)
            )
        )
    return params


def slow_enabled() -> bool:
    return os.environ.get("VOTECOUNT_SLOW", "") not in ("", "0")
