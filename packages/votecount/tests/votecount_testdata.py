"""Shared test helpers: where the Pabulib data lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def pabulib_dir() -> Path:
    """``$WSPOLNOTA_SHARED/data/pabulib``, by default ``<repo>/../shared/data/pabulib``."""
    shared = Path(os.environ.get("WSPOLNOTA_SHARED", REPO_ROOT.parent / "shared"))
    return shared / "data" / "pabulib"


def pabulib_files() -> list[Path]:
    folder = pabulib_dir()
    files = sorted(folder.glob("*.pb"))
    if not files:
        # Collected at import time: fail loudly instead of silently running nothing.
        raise pytest.UsageError(
            f"The Pabulib data folder {folder} is missing or empty. Set WSPOLNOTA_SHARED to the "
            "folder that holds data/pabulib (see packages/votecount/README.md)."
        )
    return files


def slow_enabled() -> bool:
    return os.environ.get("VOTECOUNT_SLOW", "") not in ("", "0")
