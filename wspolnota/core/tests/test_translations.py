"""The English and Ukrainian catalogues are complete and up to date with the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

APPS_DIR = Path(__file__).resolve().parents[2]
ROOT = APPS_DIR.parent
CATALOGS = sorted(APPS_DIR.glob("*/locale/*/LC_MESSAGES/django.po"))
TRANSLATED = [p for p in CATALOGS if p.parts[-3] in ("en", "uk")]


def test_every_app_with_text_has_english_and_ukrainian_catalogues():
    apps_with_catalogues = {p.parts[-5] for p in TRANSLATED}
    for language in ("en", "uk"):
        for app in apps_with_catalogues:
            assert (APPS_DIR / app / "locale" / language / "LC_MESSAGES" / "django.po").exists()


@pytest.mark.parametrize("path", TRANSLATED, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_catalogue_has_no_untranslated_or_fuzzy_entries(path):
    catalogue = polib.pofile(str(path))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{path}: untranslated {untranslated[:5]}"
    assert fuzzy == [], f"{path}: fuzzy {fuzzy[:5]}"
    assert "fuzzy" not in (catalogue.metadata_is_fuzzy or []), f"{path}: the header is marked fuzzy"


@pytest.mark.parametrize("path", TRANSLATED, ids=lambda p: f"{p.parts[-5]}-{p.parts[-3]}")
def test_translations_keep_every_placeholder(path):
    import re

    placeholder = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")
    for entry in polib.pofile(str(path)).translated_entries():
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        targets = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        expected = sorted(set(placeholder.findall(sources[-1])))
        for target in targets:
            assert sorted(set(placeholder.findall(target))) == expected, f"{path}: {entry.msgid!r}"


def test_catalogues_contain_every_message_of_the_code(tmp_path):
    """makemessages on a copy of each app must find no message the catalogue lacks."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: ./wsp test installs it")
    missing: dict[str, list[str]] = {}
    for app_dir in sorted({p.parents[3] for p in TRANSLATED}):
        copy = tmp_path / app_dir.name
        shutil.copytree(app_dir, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        subprocess.run(
            # django-admin, not "python -m django": the app's selectors.py would shadow the stdlib.
            [
                str(Path(sys.executable).parent / "django-admin"),
                "makemessages",
                "-l",
                "en",
                "--no-obsolete",
                "-v0",
                "--settings=wspolnota.test_settings",
                f"--pythonpath={ROOT}",
            ],
            cwd=copy,
            check=True,
            capture_output=True,
        )
        fresh = {e.msgid for e in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
        shipped = {e.msgid for e in polib.pofile(str(app_dir / "locale/en/LC_MESSAGES/django.po"))}
        if fresh - shipped:
            missing[app_dir.name] = sorted(fresh - shipped)[:5]
    assert missing == {}, "run makemessages and translate the new messages"
