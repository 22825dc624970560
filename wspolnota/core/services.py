"""Writes of the core app: appending to the audit log."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from wspolnota.core.models import GENESIS_HASH, AuditLogEntry

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
        actor_label = f"{actor.get_full_name() or actor.email} <{actor.email}>"
    else:
        actor_label = "system"
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
            object_repr=obj_repr,
            before=before,
            after=after,
            reason=reason,
            prev_hash=last.entry_hash if last else GENESIS_HASH,
        )
        entry.entry_hash = entry.compute_hash()
        entry.save(force_insert=True)
    return entry
