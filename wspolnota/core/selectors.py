"""Reads of the core app: the audit log and its chain check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet

from wspolnota.core.models import GENESIS_HASH, AuditLogEntry


def audit_log_list(
    *,
    action: str = "",
    object_type: str = "",
    actor_query: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditLogEntry]:
    entries = AuditLogEntry.objects.select_related("actor").order_by("-id")
    if action:
        entries = entries.filter(action__icontains=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor_query:
        entries = entries.filter(Q(actor_label__icontains=actor_query))
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
    """Recompute every hash in order; report the first entry whose content or link was altered."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditLogEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            checked += 1
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, False, entry.pk, "link")
            if entry.compute_hash() != entry.entry_hash:
                return ChainReport(checked, False, entry.pk, "content")
            expected_prev = entry.entry_hash
            last_id = entry.pk
    return ChainReport(checked, True)
