"""Reads of the core app: the audit log and its chain check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from wspolnota.core import audit_anchor
from wspolnota.core.audit_anchor import CHAIN_BROKEN_ACTION, CHECKPOINT_ACTION, Checkpoint
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


# --- Verification against the signed checkpoints (docs/audit.md) --------------------------------

# What a verification can find; the messages are Polish source text, translated for the page and
# printed in English by the commands.
PROBLEM_MESSAGES = {
    "link": _("Wpis nr %(entry_id)s nie wskazuje na wpis przed nim (usunięty lub wstawiony wpis)."),
    "content": _("Wpis nr %(entry_id)s zmieniono po zapisaniu (jego skrót się nie zgadza)."),
    "personal": _(
        "Dane osobowe wpisu nr %(entry_id)s nie zgadzają się z łańcuchem albo usunięto je bez "
        "odnotowania w dzienniku."
    ),
    "key": _("Nie można sprawdzić podpisów punktów kontrolnych: %(detail)s"),
    "no_checkpoints": _("Brak punktów kontrolnych w %(source)s: nie ma z czym porównać łańcucha."),
    "bad_line": _("%(source)s, wiersz %(line)s: to nie jest punkt kontrolny."),
    "bad_signature": _(
        "%(source)s, wiersz %(line)s: podpis punktu kontrolnego nie zgadza się z jego treścią "
        "(podrobiony lub zmieniony)."
    ),
    "other_key": _(
        "%(source)s, wiersz %(line)s: punkt kontrolny podpisano innym kluczem (%(detail)s)."
    ),
    "gap": _(
        "%(source)s, wiersz %(line)s: po punkcie kontrolnym nr %(expected_prev)s powinien być "
        "nr %(expected)s, a jest nr %(seq)s (usunięte lub przestawione wiersze)."
    ),
    "conflict": _("Dwa różne punkty kontrolne nr %(seq)s, oba poprawnie podpisane."),
    "order": _("Punkt kontrolny nr %(seq)s obejmuje mniej wpisów niż punkt kontrolny przed nim."),
    "entry_missing": _(
        "Punkt kontrolny nr %(seq)s: wpisu nr %(entry_id)s, podpisanego w nim, nie ma już w "
        "dzienniku."
    ),
    "entry_changed": _(
        "Punkt kontrolny nr %(seq)s: wpis nr %(entry_id)s ma inny skrót niż podpisany — dziennik "
        "do tego miejsca przepisano."
    ),
    "count_changed": _(
        "Punkt kontrolny nr %(seq)s: do wpisu nr %(entry_id)s podpisano %(count)s wpisów, a jest "
        "ich %(found)s — wpisy usunięto lub dodano."
    ),
    "truncated": _(
        "Punkt kontrolny nr %(seq)s podpisał %(count)s wpisów do wpisu nr %(entry_id)s, a dziennik "
        "kończy się na wpisie nr %(last_id)s i ma %(found)s wpisów: najnowsze wpisy usunięto."
    ),
}


@dataclass(frozen=True)
class Problem:
    kind: str
    params: dict[str, Any]

    @property
    def message(self) -> str:
        return str(PROBLEM_MESSAGES[self.kind]) % self.params

    def __str__(self) -> str:
        return self.message


@dataclass
class AuditVerification:
    """The result of checking the chain and every checkpoint against it."""

    ok: bool
    entries: int
    last_id: int
    last_hash: str
    checkpoints: int
    newest: Checkpoint | None
    problems: list[Problem]


def checkpoint_file() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / audit_anchor.FILE_NAME


def _read_checkpoints(
    path: Path, public_key: Ed25519PublicKey, *, primary: bool, problems: list[Problem]
) -> list[Checkpoint]:
    lines = audit_anchor.read_lines(path)
    source = str(path)
    if not lines:
        problems.append(Problem("no_checkpoints", {"source": source}))
        return []
    found: list[Checkpoint] = []
    before: Checkpoint | None = None
    for number, line in enumerate(lines, start=1):
        where = {"source": source, "line": number}
        try:
            checkpoint = audit_anchor.parse_and_check(line, public_key)
        except audit_anchor.BadCheckpoint as exc:
            kind = {"signature": "bad_signature", "key": "other_key"}.get(exc.kind, "bad_line")
            problems.append(Problem(kind, {**where, "detail": exc.detail}))
            before = None
            continue
        # The server's own file must run 1, 2, 3, … each line naming the digest of the one before;
        # a copy (the mails the auditors kept) may miss some, but what it has must link up.
        expected = before.seq + 1 if before else 1
        follows = checkpoint.seq == expected and checkpoint.prev == (
            audit_anchor.line_digest(before.line) if before else ""
        )
        if not follows and (primary or (before is not None and checkpoint.seq == expected)):
            problems.append(
                Problem(
                    "gap",
                    {
                        **where,
                        "seq": checkpoint.seq,
                        "expected": expected,
                        "expected_prev": expected - 1,
                    },
                )
            )
        found.append(checkpoint)
        before = checkpoint
    return found


def audit_log_verify(
    *,
    copies: Sequence[Path] = (),
    public_key: str | None = None,
    require_checkpoints: bool = True,
    batch_size: int = 2000,
) -> AuditVerification:
    """Check the chain, then every signed checkpoint against it.

    The chain alone catches an edit that was not re-hashed; the checkpoints catch the rest: an
    entry a checkpoint signed must still be there with the same hash and the same number of
    entries before it, so deleting the newest entries, deleting one in the middle, or rewriting
    one and re-hashing forward all show. ``copies`` are further checkpoint files (the copies
    mailed to the auditors), which also catch a checkpoint file cut short on the server.
    """
    problems: list[Problem] = []
    checkpoints: list[Checkpoint] = []
    try:
        key = audit_anchor.load_public_key(public_key or settings.AUDIT_CHECKPOINT_PUBLIC_KEY)
    except audit_anchor.AnchorKeyError as exc:
        problems.append(Problem("key", {"detail": str(exc)}))
    else:
        primary = checkpoint_file()
        sources = [(primary, True)] + [(Path(p), False) for p in copies]
        for path, is_primary in sources:
            found = _read_checkpoints(path, key, primary=is_primary, problems=problems)
            checkpoints.extend(found)
        if not require_checkpoints:
            problems = [p for p in problems if p.kind != "no_checkpoints"]

    by_seq: dict[int, Checkpoint] = {}
    for checkpoint in checkpoints:
        seen = by_seq.get(checkpoint.seq)
        if seen is None:
            by_seq[checkpoint.seq] = checkpoint
        elif seen.signed_part() != checkpoint.signed_part():
            problems.append(Problem("conflict", {"seq": checkpoint.seq}))
    ordered = [by_seq[seq] for seq in sorted(by_seq)]
    for earlier, later in pairwise(ordered):
        if later.count < earlier.count or later.entry_id < earlier.entry_id:
            problems.append(Problem("order", {"seq": later.seq}))

    # Each checkpoint against the entries as they are now: ids and stored hashes only (cheap);
    # the hashes themselves are recomputed by audit_chain_verify below.
    pending = sorted(ordered, key=lambda c: (c.entry_id, c.seq))
    pending = [c for c in pending if c.entry_id > 0]  # a checkpoint of the empty log
    at = 0
    count = 0
    last_id = 0
    last_hash = GENESIS_HASH
    while True:
        batch = list(
            AuditLogEntry.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", "entry_hash")[:batch_size]
        )
        if not batch:
            break
        for entry_id, entry_hash in batch:
            count += 1
            while at < len(pending) and pending[at].entry_id < entry_id:
                gone = pending[at]
                problems.append(
                    Problem("entry_missing", {"seq": gone.seq, "entry_id": gone.entry_id})
                )
                at += 1
            while at < len(pending) and pending[at].entry_id == entry_id:
                signed = pending[at]
                params = {"seq": signed.seq, "entry_id": signed.entry_id}
                if signed.entry_hash != entry_hash:
                    problems.append(Problem("entry_changed", params))
                elif signed.count != count:
                    problems.append(
                        Problem("count_changed", {**params, "count": signed.count, "found": count})
                    )
                at += 1
            last_id, last_hash = entry_id, entry_hash
    for signed in pending[at:]:
        problems.append(
            Problem(
                "truncated",
                {
                    "seq": signed.seq,
                    "entry_id": signed.entry_id,
                    "count": signed.count,
                    "last_id": last_id,
                    "found": count,
                },
            )
        )
    chain = audit_chain_verify(batch_size=batch_size)
    if not chain.valid:
        problems.insert(0, Problem(chain.problem, {"entry_id": chain.first_bad_id}))
    return AuditVerification(
        ok=not problems,
        entries=count,
        last_id=last_id,
        last_hash=last_hash,
        checkpoints=len(by_seq),
        newest=ordered[-1] if ordered else None,
        problems=problems,
    )


def audit_checkpoint_last() -> AuditLogEntry | None:
    """The record of the newest checkpoint or of the newest break found, for the auditor's page."""
    return (
        AuditLogEntry.objects.filter(action__in=[CHECKPOINT_ACTION, CHAIN_BROKEN_ACTION])
        .order_by("-id")
        .first()
    )
