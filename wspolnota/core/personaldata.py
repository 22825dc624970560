"""The registry of personal data: every app declares what it holds about a person.

Each app lists its models in a ``personaldata.py`` module (imported by ``CoreConfig.ready``):

    register(
        PersonalData(
            "budget.Support",
            user_fields=("user",),
            erase=DELETE,
        ),
        ...
    )

A declaration names the paths from a row to the person (``user_fields``: foreign keys, also
through other models, ``"application__created_by"``), the columns found by the person's own
e-mail or phone (``match_fields``), the columns holding personal data that must go when the
person goes (``personal_fields``), the foreign keys that name an official acting in their role
(``official_fields``: kept, they are public acts; the account row they point to is stripped of
the name), and what erasure does with the person's rows: ``DELETE``, ``PSEUDONYMISE`` (the row
stays for the public record, its personal columns are blanked and the author shows as "deleted
account") or ``KEEP`` (the law requires it; ``reason`` says which). An app may give its own
``exporter`` or ``eraser`` for what the generic ones cannot do.

``accounts.services.user_export_data`` and ``user_delete`` walk the registry, so the download
holds everything and the erasure reaches everywhere; ``core/tests/test_personal_data_registry``
walks every model and fails when a model with a path to a person is not declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

DELETE = "delete"
PSEUDONYMISE = "pseudonymise"
KEEP = "keep"

# Column names that hold personal data: e-mail, phone, PESEL, address, birth date, a person's
# name (``full_name``, ``author_name``, ``contact_name``…), signatures, contact details.
_PERSONAL_NAME = re.compile(
    r"(^|_)(e_?mail|phone|mobile|pesel|address|birth|surname|signator(y|ies)|contact)(_|$)"
    r"|_name$|^name_"
)
# ``*_name`` columns that never hold a person's name.
NOT_A_PERSON = frozenset({"original_name", "school_name"})
# Columns that are secrets or keyed hashes: never exported, never copied to the audit log.
_SECRET = re.compile(r"(hash|_key$|salt|token|password|secret)")


def is_personal_key(name: str) -> bool:
    """Whether a column or snapshot key by this name holds personal data."""
    name = name.lower()
    if name in NOT_A_PERSON:
        return False
    return bool(_PERSONAL_NAME.search(name))


def is_personal_field(model_field: models.Field[Any, Any]) -> bool:
    return isinstance(model_field, models.EmailField) or is_personal_key(model_field.name)


def is_secret_key(name: str) -> bool:
    return bool(_SECRET.search(name.lower()))


@dataclass(frozen=True)
class PersonalData:
    model: str
    user_fields: tuple[str, ...] = ()
    match_fields: tuple[tuple[str, str], ...] = ()
    personal_fields: tuple[str, ...] = ()
    official_fields: tuple[str, ...] = ()
    erase: str = DELETE
    reason: str = ""
    exporter: Callable[[User], Any] | None = None
    eraser: Callable[[User, datetime], int] | None = None
    # Columns the coverage test would flag that hold no personal data, with the reason.
    not_personal: dict[str, str] = field(default_factory=dict)
    # File fields (``FileField``/``ImageField``) holding personal data, each with how the file
    # is exported, erased and kept. A file nobody reads about a person goes in ``not_personal``.
    # The generic erasure deletes a declared file from the storage with its row (``DELETE``)
    # or, when it is also a ``personal_fields`` column, when the row is pseudonymised.
    files: dict[str, str] = field(default_factory=dict)
    # Rows found some other way (e.g. by name within the person's own records).
    extra_q: Callable[[User], Q | None] | None = None
    # The row stands for a person (a participant, a member): rows pointing at it are personal.
    person: bool = False

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def declared_fields(self) -> set[str]:
        names = {path.split("__")[0] for path in self.user_fields}
        names |= {column for column, _attribute in self.match_fields}
        names |= set(self.personal_fields) | {p.split("__")[0] for p in self.official_fields}
        return names | set(self.not_personal) | set(self.files)

    def subject_q(self, user: User) -> Q | None:
        q = Q()
        found = False
        for path in self.user_fields:
            q |= Q(**{path: user})
            found = True
        for column, attribute in self.match_fields:
            value = getattr(user, attribute, "")
            if value:
                q |= Q(**{column: value})
                found = True
        if self.extra_q is not None:
            extra = self.extra_q(user)
            if extra is not None:
                q |= extra
                found = True
        return q if found else None

    def rows(self, user: User) -> models.QuerySet[Any]:
        manager = self.model_class()._default_manager
        q = self.subject_q(user)
        if q is None:
            return manager.none()
        return manager.filter(q).distinct()

    def official_rows(self, user: User) -> models.QuerySet[Any]:
        manager = self.model_class()._default_manager
        q = Q()
        for path in self.official_fields:
            q |= Q(**{path: user})
        if not self.official_fields:
            return manager.none()
        return manager.filter(q).distinct()

    def export(self, user: User) -> Any:
        if self.exporter is not None:
            return self.exporter(user)
        data: dict[str, Any] = {"yours": [row_to_data(row) for row in self.rows(user)]}
        if self.official_fields:
            data["as_official"] = [
                {"id": row.pk, "what": str(row)[:200]} for row in self.official_rows(user)
            ]
        return data if data.get("as_official") or data["yours"] else []

    def run_erase(self, user: User, now: datetime) -> int:
        if self.eraser is not None:
            return self.eraser(user, now)
        rows = self.rows(user)
        if self.erase == DELETE:
            stored = self._stored_files(rows, set(self.files))
            count = int(rows.delete()[0])
            _delete_files(stored)
            return count
        if self.erase == PSEUDONYMISE:
            blanks = {name: _blank(self.model_class(), name) for name in self.personal_fields}
            if not blanks:
                return 0
            _delete_files(self._stored_files(rows, set(self.files) & set(self.personal_fields)))
            return int(
                self.model_class()
                ._default_manager.filter(pk__in=rows.values("pk"))
                .update(**blanks)
            )
        return 0

    def _stored_files(self, rows: models.QuerySet[Any], names: set[str]) -> list[tuple[Any, str]]:
        """``(storage, name)`` of every file the rows hold in the named file fields."""
        found: list[tuple[Any, str]] = []
        model = self.model_class()
        for name in sorted(names):
            model_field = model._meta.get_field(name)
            if not isinstance(model_field, models.FileField):
                continue
            for stored in rows.exclude(**{name: ""}).values_list(name, flat=True):
                if stored:
                    found.append((model_field.storage, stored))
        return found


def _delete_files(stored: list[tuple[Any, str]]) -> None:
    for storage, name in stored:
        storage.delete(name)


def _blank(model: type[models.Model], name: str) -> Any:
    model_field = model._meta.get_field(name)
    if model_field.null:
        return None
    if isinstance(model_field, models.DateField | models.DateTimeField):
        return None
    return ""


def row_to_data(row: models.Model) -> dict[str, Any]:
    """A JSON-safe picture of a row for the person's download (secrets and keys left out)."""
    import json

    data: dict[str, Any] = {}
    for model_field in row._meta.concrete_fields:
        if is_secret_key(model_field.name):
            continue
        value = model_field.value_from_object(row)
        if isinstance(model_field, models.FileField):
            value = value.name if value else ""
        data[model_field.attname if model_field.is_relation else model_field.name] = value
    plain: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str))
    return plain


_REGISTRY: dict[str, PersonalData] = {}


def register(*declarations: PersonalData) -> None:
    for declaration in declarations:
        _REGISTRY[declaration.model.lower()] = declaration


def registry() -> dict[str, PersonalData]:
    return dict(_REGISTRY)


def declaration_for(model: type[models.Model]) -> PersonalData | None:
    return _REGISTRY.get(model._meta.label_lower)


def load_app_modules() -> None:
    """Import every installed app's ``personaldata`` module (from ``CoreConfig.ready``)."""
    from importlib import import_module
    from importlib.util import find_spec

    for config in apps.get_app_configs():
        name = f"{config.name}.personaldata"
        if config.name.startswith("wspolnota.") and find_spec(name) is not None:
            import_module(name)


def export_all(user: User) -> dict[str, Any]:
    """Every app's data about the person, ``{app label: {model name: data}}``."""
    sections: dict[str, dict[str, Any]] = {}
    for key, declaration in sorted(_REGISTRY.items()):
        data = declaration.export(user)
        if data in ([], {}, None):
            continue
        app_label, _sep, _model_name = key.partition(".")
        sections.setdefault(app_label, {})[declaration.model.split(".")[1]] = data
    return sections


def erase_all(user: User, *, now: datetime, order: Iterable[str] = ()) -> dict[str, int]:
    """Run every declaration's erasure for the person; returns rows touched per model."""
    done: dict[str, int] = {}
    first = [key.lower() for key in order]
    keys = first + [key for key in sorted(_REGISTRY) if key not in first]
    for key in keys:
        declaration = _REGISTRY.get(key)
        if declaration is None or (declaration.erase == KEEP and declaration.eraser is None):
            continue
        done[declaration.model] = declaration.run_erase(user, now)
    return done


def audit_subjects(user: User) -> set[tuple[str, str]]:
    """``(object type, id)`` of every row that is the person's, to erase their audit data."""
    subjects = {("accounts.user", str(user.pk))}
    for key, declaration in _REGISTRY.items():
        if declaration.erase == KEEP:
            continue
        for pk in declaration.rows(user).values_list("pk", flat=True):
            subjects.add((key, str(pk)))
    return subjects
