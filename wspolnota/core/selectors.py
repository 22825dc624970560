"""Reads of the core app: the audit log and its chain check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from wspolnota.core.models import GENESIS_HASH, AuditLogEntry, AuditPersonalData


def audit_log_list(
    *,
    action: str = "",
    object_type: str = "",
    actor_query: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditLogEntry]:
    entries = AuditLogEntry.objects.select_related("actor", "personal").order_by("-id")
    if action:
        entries = entries.filter(action__icontains=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor_query:
        entries = entries.filter(
            Q(actor_label__icontains=actor_query) | Q(personal__actor_label__icontains=actor_query)
        )
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries


def audit_object_types() -> list[str]:
    return list(AuditLogEntry.objects.order_by().values_list("object_type", flat=True).distinct())


@dataclass(frozen=True)
class ChainReport:
    checked: int
    valid: bool
    first_bad_id: int | None = None
    problem: str = ""


def audit_chain_verify(*, batch_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first entry whose content or link was altered.

    The personal data kept beside an entry (``AuditPersonalData``) must match the digest the
    chain holds, unless it was erased, and an erasure is accepted only when a
    ``core.personal_data_erased`` entry of the chain names that entry (problem ``"personal"``).
    """
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    erased: set[int] = set()
    listed: set[int] = set()
    while True:
        batch = list(
            AuditLogEntry.objects.filter(id__gt=last_id)
            .select_related("personal")
            .order_by("id")[:batch_size]
        )
        if not batch:
            break
        for entry in batch:
            checked += 1
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, False, entry.pk, "link")
            if entry.compute_hash() != entry.entry_hash:
                return ChainReport(checked, False, entry.pk, "content")
            if entry.personal_digest:
                problem = _personal_problem(entry)
                if problem == "erased":
                    erased.add(entry.pk)
                elif problem:
                    return ChainReport(checked, False, entry.pk, "personal")
            if entry.action == "core.personal_data_erased" and isinstance(entry.after, dict):
                listed.update(int(i) for i in entry.after.get("entries", []) if str(i).isdigit())
            expected_prev = entry.entry_hash
            last_id = entry.pk
    unlisted = erased - listed
    if unlisted:
        return ChainReport(checked, False, min(unlisted), "personal")
    return ChainReport(checked, True)


def _personal_problem(entry: AuditLogEntry) -> str:
    try:
        personal = entry.personal
    except AuditPersonalData.DoesNotExist:
        return "missing"
    if personal.erased_at is not None:
        return "erased"
    return "" if personal.compute_digest() == entry.personal_digest else "altered"
