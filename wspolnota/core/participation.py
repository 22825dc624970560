"""What a person takes part in, for the counter page (issue 17).

Each app may have a ``participation.py`` module with

    def rows(person: User) -> list[Participation]           # what the person takes part in
    def actions(person: User, clerk: User) -> list[Action]  # optional: links to act for them

Modules are found by name in every installed ``wspolnota.*`` app, like ``personaldata.py``;
nothing else needs registering. Rows say what, when, in what state, and link to the object.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Participation:
    app: str  # a translated section label, e.g. "Konsultacje"
    what: str  # e.g. "Ankieta: Park Zakrzówek"
    when: date | datetime | None = None
    status: str = ""
    url: str = ""
    channel: str = ""  # core.onbehalf.Channel label of how it came, when known


@dataclass(frozen=True)
class Action:
    app: str
    label: str  # e.g. "Zapisz na spotkanie konsultacyjne"
    url: str


def _modules() -> list[ModuleType]:
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.participation"
        if config.name.startswith("wspolnota.") and find_spec(name) is not None:
            found.append(import_module(name))
    return found


def participation_of(person: User) -> list[Participation]:
    """Every app's rows for the person, newest first within each app."""
    rows: list[Participation] = []
    for module in _modules():
        provider: Any = getattr(module, "rows", None)
        if provider is not None:
            rows.extend(provider(person))
    return rows


def actions_for(person: User, clerk: User) -> list[Action]:
    """Every app's links to act for the person, as far as the clerk may."""
    found: list[Action] = []
    for module in _modules():
        provider: Any = getattr(module, "actions", None)
        if provider is not None:
            found.extend(provider(person, clerk))
    return found
