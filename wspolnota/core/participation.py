"""What a person takes part in, for the counter page (issue 17).

Each app may have a ``participation.py`` module with

    def taking_part(*, person: User, at: datetime) -> list[Participation | dict]
    def actions(*, clerk: User, person: User, at: datetime) -> list[Action | dict]

(both optional). A dict has ``text`` and ``url`` and may have ``status``, ``when``, ``channel``.
Modules are found by name in every installed ``wspolnota.*`` app, like ``personaldata.py``;
nothing else needs registering. The section a row is shown under is the app's name.
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
from django.utils import timezone

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


def _modules() -> list[tuple[str, ModuleType]]:
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.participation"
        if config.name.startswith("wspolnota.") and find_spec(name) is not None:
            found.append((str(config.verbose_name), import_module(name)))
    return found


def _row(app: str, item: Participation | dict[str, Any]) -> Participation:
    if isinstance(item, Participation):
        return item
    return Participation(
        app=str(item.get("app", app)),
        what=str(item.get("text", "")),
        when=item.get("when"),
        status=str(item.get("status", "")),
        url=str(item.get("url", "")),
        channel=str(item.get("channel", "")),
    )


def _action(app: str, item: Action | dict[str, Any]) -> Action:
    if isinstance(item, Action):
        return item
    return Action(app=str(item.get("app", app)), label=str(item["text"]), url=str(item["url"]))


def participation_of(person: User, *, at: datetime | None = None) -> list[Participation]:
    """Every app's rows for the person."""
    at = at or timezone.now()
    rows: list[Participation] = []
    for app, module in _modules():
        provider: Any = getattr(module, "taking_part", None)
        if provider is not None:
            rows.extend(_row(app, item) for item in provider(person=person, at=at))
    return rows


def actions_for(person: User, clerk: User, *, at: datetime | None = None) -> list[Action]:
    """Every app's links to act for the person, as far as the clerk may."""
    at = at or timezone.now()
    found: list[Action] = []
    for app, module in _modules():
        provider: Any = getattr(module, "actions", None)
        if provider is not None:
            found.extend(_action(app, item) for item in provider(clerk=clerk, person=person, at=at))
    return found
