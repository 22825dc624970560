"""Writes of the core app: appending to the audit log and signing its checkpoints."""

from __future__ import annotations

import fcntl
import json
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wspolnota.core import audit_anchor, selectors
from wspolnota.core.audit_anchor import CHAIN_BROKEN_ACTION, CHECKPOINT_ACTION, Checkpoint
from wspolnota.core.models import (
    GENESIS_HASH,
    PERSONAL_PLACEHOLDER,
    AuditLogEntry,
    AuditPersonalData,
    compute_personal_digest,
)
from wspolnota.core.personaldata import is_personal_key
from wspolnota.core.selectors import AuditVerification

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
    keep_actor: bool = False,
    old_actors: models.QuerySet[Any] | None = None,
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
    if old_actors is not None:
        scope |= models.Q(entry__actor__in=old_actors.values("pk")) & ~models.Q(actor_label="")
    subject_list = list(subjects)
    by_type: dict[str, list[str]] = {}
    for object_type, object_id in subject_list:
        by_type.setdefault(object_type, []).append(object_id)
    for object_type, ids in by_type.items():
        scope |= models.Q(entry__object_type=object_type, entry__object_id__in=ids)
    needle_list = [n for n in needles if n and len(n) >= 5]
    for needle in needle_list:
        scope |= models.Q(object_repr__icontains=needle)
        if not keep_actor:
            scope |= models.Q(actor_label__icontains=needle)
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
    old_ids = set(old_actors.values_list("pk", flat=True)) if old_actors is not None else set()
    erased: list[int] = []
    subject_set = {(t, str(i)) for t, i in subject_list}
    with transaction.atomic():
        for row in candidates:
            entry = row.entry
            about = (entry.object_type, entry.object_id) in subject_set
            if actor_user is not None and entry.actor_id == actor_user.pk:
                row.actor_label = ""
            if entry.actor_id in old_ids:
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
            if not keep_actor and any(n.lower() in row.actor_label.lower() for n in needle_list):
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


# --- Signed checkpoints of the chain (docs/audit.md) ------------------------------------------


@dataclass(frozen=True)
class CheckpointResult:
    """What ``audit_checkpoint_write`` did: the checkpoint, or the verification that refused it."""

    verification: AuditVerification
    checkpoint: Checkpoint | None


def _checkpoint_signing_key() -> Ed25519PrivateKey:
    key = audit_anchor.load_private_key(settings.AUDIT_CHECKPOINT_KEY_FILE)
    published = settings.AUDIT_CHECKPOINT_PUBLIC_KEY
    if published and audit_anchor.public_key_text(key.public_key()) != published:
        raise audit_anchor.AnchorKeyError(
            "AUDIT_CHECKPOINT_KEY_FILE holds another key than AUDIT_CHECKPOINT_PUBLIC_KEY: "
            "checkpoints signed with it could not be checked"
        )
    return key


def _auditor_addresses() -> list[tuple[str, str, User | None]]:
    """(address, language, account) of everyone who receives checkpoints and alarms."""
    from wspolnota.accounts.models import User
    from wspolnota.accounts.roles import Role

    found: dict[str, tuple[str, str, User | None]] = {}
    for address in settings.AUDIT_CHECKPOINT_EMAILS:
        found.setdefault(address.lower(), (address, settings.LANGUAGE_CODE, None))
    auditors = User.objects.filter(
        role_assignments__role=Role.AUDITOR, is_active=True, deleted_at__isnull=True
    ).distinct()
    for user in auditors:
        if user.email:
            found.setdefault(user.email.lower(), (user.email, user.preferred_language, user))
    return list(found.values())


def _mail_auditors(
    *, kind: str, key: str, subject: Promise, intro: Promise, text: Callable[[], str], **params: Any
) -> int:
    """Put one message for every auditor, in their language, into the outbox (sent after commit,
    with retries)."""
    from wspolnota.communication.choices import Channel
    from wspolnota.communication.services import outbox_enqueue_direct

    sent = 0
    for address, language, user in _auditor_addresses():
        with translation.override(language):
            message = outbox_enqueue_direct(
                kind=kind,
                channel=Channel.EMAIL,
                to=address,
                subject=str(subject) % params,
                body=f"{intro}\n\n{text()}\n",
                language=language,
                key=f"{key}:{address.lower()}",
                user=user,
                urgent=True,
            )
        sent += message is not None
    return sent


def audit_checkpoint_write(*, first: bool = False) -> CheckpointResult:
    """Verify the chain against the checkpoints so far, then sign its head and hand it out.

    A checkpoint is never signed over a chain that fails verification (that would bless the
    forgery): the break is written to the log and mailed to the auditors instead. The new
    checkpoint goes to the checkpoint file first (durably), then into the log as a record, then
    to the auditors by e-mail. ``first`` starts a new checkpoint file; without it a missing file
    is a break, since deleting it must not let the next checkpoint start history afresh.
    Runs under a file lock, so two runs never give two checkpoints the same number.
    """
    key = _checkpoint_signing_key()
    path = selectors.checkpoint_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return _checkpoint_write_locked(key, path, first=first)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _checkpoint_write_locked(
    key: Ed25519PrivateKey, path: Path, *, first: bool
) -> CheckpointResult:
    lines = audit_anchor.read_lines(path)
    starting = first and not lines
    verification = selectors.audit_log_verify(
        public_key=audit_anchor.public_key_text(key.public_key()),
        require_checkpoints=not starting,
    )
    if not verification.ok:
        with translation.override("en"):
            english = [str(p) for p in verification.problems]
        with transaction.atomic():
            audit_log_append(
                actor=None,
                action=CHAIN_BROKEN_ACTION,
                object_type="core.auditchain",
                after={"entries": verification.entries, "problems": english},
            )
            _mail_auditors(
                kind=CHAIN_BROKEN_ACTION,
                key=f"{CHAIN_BROKEN_ACTION}:{timezone.now().isoformat()}",
                subject=_("Dziennik zdarzeń: weryfikacja wykryła naruszenie"),
                intro=_(
                    "Codzienna weryfikacja dziennika zdarzeń wykryła naruszenie. Nowego punktu "
                    "kontrolnego nie podpisano. Stwierdzono:"
                ),
                text=lambda: "\n".join(f"- {p}" for p in verification.problems),
            )
        return CheckpointResult(verification, None)
    newest = verification.newest if lines else None
    checkpoint = audit_anchor.sign(
        key,
        seq=newest.seq + 1 if newest else 1,
        site=settings.SITE_URL,
        entry_id=verification.last_id,
        entry_hash=verification.last_hash,
        count=verification.entries,
        created_at=timezone.now().isoformat(),
        prev=audit_anchor.line_digest(lines[-1]) if lines else "",
    )
    audit_anchor.append_line(path, checkpoint.line)
    with transaction.atomic():
        audit_log_append(
            actor=None,
            action=CHECKPOINT_ACTION,
            object_type="core.auditcheckpoint",
            object_id=str(checkpoint.seq),
            after=checkpoint.as_dict(),
        )
        _mail_auditors(
            kind=CHECKPOINT_ACTION,
            key=f"{CHECKPOINT_ACTION}:{checkpoint.seq}:{checkpoint.key_id}",
            subject=_("Dziennik zdarzeń: punkt kontrolny nr %(seq)s"),
            seq=checkpoint.seq,
            intro=_(
                "Podpisany punkt kontrolny dziennika zdarzeń. Zachowaj ten wiersz bez zmian: "
                "polecenie audit_verify --checkpoints porówna z nim dziennik i wykaże każde "
                "usunięcie lub przepisanie wpisów sprzed niego."
            ),
            text=lambda: checkpoint.line,
        )
    return CheckpointResult(verification, checkpoint)
