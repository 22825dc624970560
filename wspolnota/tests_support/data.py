"""Where the tests find their data.

The repository ships a representative set in ``data/`` (see each folder's SOURCE.md): the Pabulib
files the demo loads and the tests need, the six Polis conversations, the DCAT-AP shapes. The
project's full working collection lives beside the repository (``$WSPOLNOTA_SHARED``, by default
``../shared``); tests that go through all of it ask for it with :func:`full_pabulib_dir` and are
skipped, saying why, on a clone that has nothing beside it. Only tests read that folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "data"

FULL_COLLECTION_MISSING = (
    "the project's full data collection is not beside this clone (set WSPOLNOTA_SHARED to the "
    "folder holding data/pabulib; the repository ships only the sample in data/)"
)


def pabulib_dir() -> Path:
    """The Pabulib files shipped in the repository (``data/pabulib``)."""
    return DATA_DIR / "pabulib"


def polis_dir() -> Path:
    """The Polis conversations shipped in the repository (``data/polis``), one folder each."""
    return DATA_DIR / "polis"


def polis_conversations() -> list[str]:
    """The names of the shipped Polis conversations, sorted."""
    folder = polis_dir()
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def polis_conversation(name: str) -> Path:
    """The folder of one shipped Polis conversation; the calling test is skipped if it is absent."""
    folder = polis_dir() / name
    if not (folder / "votes.csv").is_file():
        pytest.skip(f"the Polis conversation {name!r} is not in {polis_dir()}")
    return folder


def dcat_ap_shapes() -> list[Path]:
    """The DCAT-AP 3.0.1 SHACL shapes and range checks (``data/dcat-ap``)."""
    return [DATA_DIR / "dcat-ap" / "dcat-ap-SHACL.ttl", DATA_DIR / "dcat-ap" / "ranges.ttl"]


def shared_data_dir() -> Path | None:
    """``$WSPOLNOTA_SHARED/data`` (default ``<repo>/../shared/data``) when it is there, else None."""
    shared = Path(os.environ.get("WSPOLNOTA_SHARED", REPO_ROOT.parent / "shared")) / "data"
    return shared if shared.is_dir() else None


def full_pabulib_dir() -> Path | None:
    """The full Pabulib collection beside the repository, or None on a self-contained clone."""
    shared = shared_data_dir()
    if shared is None or not any((shared / "pabulib").glob("*.pb")):
        return None
    return shared / "pabulib"


def require_full_pabulib() -> Path:
    """The full Pabulib collection; the calling test is skipped, saying why, when it is absent."""
    folder = full_pabulib_dir()
    if folder is None:
        pytest.skip(FULL_COLLECTION_MISSING)
    return folder
