"""Writes of the core app: appending to the audit log."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from wspolnota.core.models import (
    GENESIS_HASH,
    PERSONAL_PLACEHOLDER,
    AuditLogEntry,
    AuditPersonalData,
    compute_personal_digest,
)
from wspolnota.core.personaldata import is_personal_key

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

# Arbitrary constant that names the PostgreSQL advisory lock serialising audit appends.
_AUDIT_LOCK_KEY = 7_281_530_001
SENSITIVE_FIELDS = frozenset({"password", "pesel_hash", "code_hash", "token_hash"})


def snapshot(obj: models.Model, *, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a model's concrete fields, for the before/after of an audit entry.

    Secrets (password hashes, PESEL hashes, one-time codes) are never copied into the log.
    """
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in SENSITIVE_FIELDS:
            continue
        value = field.value_from_object(obj)
        if isinstance(field, models.FileField):
            value = value.name or "" if value else ""  # the stored file's name, not the file
        data[field.attname if field.is_relation else field.name] = value
    plain: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return plain


def _object_label(
    obj: models.Model | None, object_type: str | None, object_id: str | None
) -> tuple[str, str, str]:
    if obj is not None:
        return obj._meta.label_lower, str(obj.pk), str(obj)[:300]
    return object_type or "system", object_id or "", object_type or ""


def audit_log_append(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditLogEntry:
    """Append one entry to the hash-chained audit log.

    Called by every service that lets an official change state. Appends are serialised (an
    advisory lock on PostgreSQL, the IMMEDIATE write lock on SQLite) so that the chain never
    forks; the unique constraint on ``prev_hash`` is the last line of defence.
    """
    obj_type, obj_id, obj_repr = _object_label(obj, object_type, object_id)
    if actor is not None:
        # The name and address go to the erasable side table; the chain keeps a pseudonym.
        personal_label = f"{actor.get_full_name() or actor.email} <{actor.email}>"[:200]
        actor_label = f"user:{actor.pk}"
    else:
        personal_label = ""
        actor_label = "system"
    values: dict[str, Any] = {}
    before = _set_apart(before, "before", values)
    after = _set_apart(after, "after", values)
    salt = secrets.token_hex(16)
    digest = compute_personal_digest(
        salt=salt, actor_label=personal_label, object_repr=obj_repr, values=values
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_AUDIT_LOCK_KEY])
        last = AuditLogEntry.objects.order_by("-id").only("entry_hash").first()
        entry = AuditLogEntry(
            created_at=timezone.now(),
            actor=actor,
            actor_label=actor_label[:200],
            action=action,
            object_type=obj_type,
            object_id=obj_id,
            object_repr="",
            before=before,
            after=after,
            reason=reason,
            prev_hash=last.entry_hash if last else GENESIS_HASH,
            personal_digest=digest,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
        AuditPersonalData.objects.create(
            entry=entry,
            actor_label=personal_label,
            object_repr=obj_repr,
            values=values,
            salt=salt,
        )
    return entry


def _set_apart(
    data: dict[str, Any] | None, side: str, values: dict[str, Any]
) -> dict[str, Any] | None:
    """Replace the personal values of a before/after picture by a placeholder, keeping them in
    ``values`` (for the side table). Keys are judged by name (``core.personaldata``)."""
    if not isinstance(data, dict):
        return data
    plain: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    for key, value in plain.items():
        if is_personal_key(str(key)) and value not in (None, "", [], {}):
            values[f"{side}.{key}"] = value
            plain[key] = PERSONAL_PLACEHOLDER
    return plain


def audit_personal_data_erase(
    *,
    actor_user: User | None = None,
    subjects: Iterable[tuple[str, str]] = (),
    needles: Iterable[str] = (),
    before: datetime | None = None,
    reason: str,
) -> list[int]:
    """Erase personal data kept beside audit entries, never touching the chain itself.

    ``actor_user``: the actor's name on the entries they made; ``subjects``: ``(object type,
    id)`` of the person's own rows, whose description and personal values go; ``needles``:
    the person's e-mail, phone or name wherever else they were written; ``before``: only
    entries older than that. One ``core.personal_data_erased`` entry lists what was erased, so
    the chain check accepts exactly these blanks. Returns the erased entries' ids.
    """
    rows = AuditPersonalData.objects.filter(erased_at__isnull=True).select_related("entry")
    if before is not None:
        rows = rows.filter(entry__created_at__lt=before)
    scope = models.Q(pk__in=[])
    if actor_user is not None:
        scope |= models.Q(entry__actor=actor_user)
    subject_list = list(subjects)
    by_type: dict[str, list[str]] = {}
    for object_type, object_id in subject_list:
        by_type.setdefault(object_type, []).append(object_id)
    for object_type, ids in by_type.items():
        scope |= models.Q(entry__object_type=object_type, entry__object_id__in=ids)
    needle_list = [n for n in needles if n and len(n) >= 5]
    for needle in needle_list:
        scope |= models.Q(actor_label__icontains=needle) | models.Q(object_repr__icontains=needle)
    candidates = list(rows.filter(scope))
    if needle_list:
        # Values are JSON: look for the needles in their text (small table slice, in Python).
        seen = {row.pk for row in candidates}
        for row in rows.exclude(values={}).exclude(pk__in=seen).iterator():
            text = json.dumps(row.values, ensure_ascii=False).lower()
            if any(needle.lower() in text for needle in needle_list):
                candidates.append(row)
    if not candidates:
        return []
    now = timezone.now()
    erased: list[int] = []
    subject_set = {(t, str(i)) for t, i in subject_list}
    with transaction.atomic():
        for row in candidates:
            entry = row.entry
            about = (entry.object_type, entry.object_id) in subject_set
            if actor_user is not None and entry.actor_id == actor_user.pk:
                row.actor_label = ""
            if about or any(n.lower() in row.object_repr.lower() for n in needle_list):
                row.object_repr = ""
            if about:
                row.values = {}
            else:
                row.values = {
                    path: value
                    for path, value in row.values.items()
                    if not any(
                        n.lower() in json.dumps(value, ensure_ascii=False).lower()
                        for n in needle_list
                    )
                }
            if any(n.lower() in row.actor_label.lower() for n in needle_list):
                row.actor_label = ""
            row.erased_at = now
            row.save(update_fields=["actor_label", "object_repr", "values", "erased_at"])
            erased.append(entry.pk)
        audit_log_append(
            actor=None,
            action="core.personal_data_erased",
            object_type="core.auditlogentry",
            object_id="",
            after={"entries": sorted(erased)},
            reason=reason,
        )
    return sorted(erased)
