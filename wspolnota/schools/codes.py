"""Single-use codes: a ballot box for people without accounts (issue 22).

The one interface every code vote uses — the school budget, youth consultations, the Youth
Council's school elections (``BoxKind``):

* ``code_box_open(kind=, title=, opens_at=, closes_at=)`` creates a box;
* ``code_group_add(box=, label=)`` adds a class (only its label: "5b");
* ``code_sheet_issue(actor=, group=, size=)`` returns the sheet and its codes **once**: only
  their keyed hashes are stored, so the codes exist only on the printed sheet;
* ``code_sheet_void(actor=, sheet=, reason=)`` refuses a lost sheet's unused codes from then on;
  ``code_sheet_reprint`` voids it and issues a new sheet for the codes not yet used;
* ``code_cast(box=, code=, content=, at=)`` takes a JSON-safe ``content`` the caller has already
  validated, checks the code (same box, not used, sheet not voided, box open), marks it used and
  writes a *sealed envelope* in one transaction; the code row is locked (``SELECT … FOR UPDATE``)
  so two simultaneous casts with one code give one envelope;
* ``code_envelopes_mix(box_id=, final=)`` opens waiting envelopes and writes the ballots in a
  random order with random keys (``CodeBallot``), then deletes the envelopes; ``code_box_close``
  mixes the rest and erases the envelope salt;
* ``code_ballots(box=)`` gives the contents to count; ``code_turnout(box=)`` the codes used per
  class.

A ballot cannot be tied to its code: the code row holds no time and the envelope no code; the
ballots are written by the mixer in its own transaction, in a random order (the design of the
city's vote, ``docs/voting.md``; the seal is ``voting.keys``).
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.schools import errors
from wspolnota.schools.errors import SchoolsError
from wspolnota.schools.models import (
    CodeBallot,
    CodeBox,
    CodeEnvelope,
    CodeGroup,
    CodeSheet,
    VoteCode,
)
from wspolnota.voting import keys

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

# No 0/O, 1/I/L: a child copies the code from a card.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
SHEET_MAX = 60


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(text: str) -> str:
    """``abcd 2345`` → ``ABCD-2345``; empty when it cannot be a code (the alphabet has no O, 0,
    I, L or 1, which children confuse)."""
    raw = "".join(c for c in str(text).upper() if c.isalnum())
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return ""
    return f"{raw[:4]}-{raw[4:]}"


def code_hash(box: CodeBox, code: str) -> str:
    return keys.keyed(box.code_salt, "class-code", code)


def code_box_open(*, kind: str, title: str, opens_at: datetime, closes_at: datetime) -> CodeBox:
    box = CodeBox(kind=kind, title=title, opens_at=opens_at, closes_at=closes_at)
    box.full_clean()
    box.save()
    return box


def code_group_add(*, box: CodeBox, label: str) -> CodeGroup:
    label = " ".join(str(label).split())
    if not label or len(label) > 40:
        raise SchoolsError(errors.GROUP_LABEL, field="label")
    group, _created = CodeGroup.objects.get_or_create(box=box, label=label)
    return group


@dataclass(frozen=True)
class IssuedSheet:
    sheet: CodeSheet
    codes: list[str]


def code_sheet_issue(*, actor: User | None, group: CodeGroup, size: int) -> IssuedSheet:
    """A new sheet of ``size`` codes for the class. The codes are returned here and nowhere
    else: print them now (a lost printout is voided and reprinted, never re-read)."""
    if not 1 <= size <= SHEET_MAX:
        raise SchoolsError(errors.SHEET_SIZE, field="size", params={"max": SHEET_MAX})
    box = group.box
    for _attempt in range(5):
        try:
            with transaction.atomic():
                number = (
                    CodeSheet.objects.filter(group=group)
                    .order_by("-number")
                    .values_list("number", flat=True)
                    .first()
                    or 0
                ) + 1
                sheet = CodeSheet.objects.create(
                    group=group, number=number, size=size, issued_by=actor
                )
                codes = sorted({new_code() for _ in range(size * 2)})[:size]
                random.SystemRandom().shuffle(codes)
                VoteCode.objects.bulk_create(
                    [VoteCode(box=box, sheet=sheet, code_hash=code_hash(box, c)) for c in codes]
                )
                audit_log_append(
                    actor=actor,
                    action="schools.code_sheet_issued",
                    obj=sheet,
                    after={"group": group.label, "number": number, "size": size},
                )
        except IntegrityError:
            continue  # a code drawn twice in one box, or two sheets numbered at once: draw again
        return IssuedSheet(sheet=sheet, codes=codes)
    raise SchoolsError(errors.SHEET_SIZE, params={"max": SHEET_MAX})


def code_sheet_void(*, actor: User | None, sheet: CodeSheet, reason: str, at: datetime) -> None:
    """A lost or stolen sheet: its unused codes are refused from now on (its used ones stay in
    the box: nobody can tell which ballots they were)."""
    reason = str(reason).strip()
    if not reason:
        raise SchoolsError(errors.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = CodeSheet.objects.select_for_update().get(pk=sheet.pk)
        if locked.voided_at is not None:
            raise SchoolsError(errors.SHEET_ALREADY_VOID)
        before = snapshot(locked)
        locked.voided_at = at
        locked.voided_by = actor
        locked.void_reason = reason[:300]
        locked.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
        audit_log_append(
            actor=actor,
            action="schools.code_sheet_voided",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
    sheet.refresh_from_db()


def code_sheet_reprint(
    *, actor: User | None, sheet: CodeSheet, reason: str, at: datetime
) -> IssuedSheet:
    """Void a lost sheet and print a new one with as many codes as were still unused on it."""
    with transaction.atomic():
        code_sheet_void(actor=actor, sheet=sheet, reason=reason, at=at)
        unused = VoteCode.objects.filter(sheet=sheet, used=False).count()
        return code_sheet_issue(actor=actor, group=sheet.group, size=max(unused, 1))


def code_check(*, box: CodeBox, code: str, at: datetime) -> None:
    """Whether the code could vote now (for the page that asks for it first); casts still
    check again under the lock."""
    _refusal_for(box, _row(box, code), at)


def _row(box: CodeBox, code: str, *, lock: bool = False) -> VoteCode | None:
    normal = normalise_code(code)
    if not normal:
        raise SchoolsError(errors.CODE_MALFORMED, field="code")
    rows = VoteCode.objects.filter(box=box, code_hash=code_hash(box, normal))
    if lock:
        rows = rows.select_for_update()
    return rows.select_related("sheet").first()


def _refusal_for(box: CodeBox, row: VoteCode | None, at: datetime) -> None:
    if box.closed or at >= box.closes_at:
        raise SchoolsError(errors.BOX_CLOSED)
    if at < box.opens_at:
        raise SchoolsError(errors.BOX_NOT_OPEN)
    if row is None:
        raise SchoolsError(errors.CODE_UNKNOWN, field="code")
    if row.sheet.voided_at is not None:
        raise SchoolsError(errors.CODE_VOIDED, field="code")
    if row.used:
        raise SchoolsError(errors.CODE_USED, field="code")


def code_cast(*, box: CodeBox, code: str, content: dict[str, Any], at: datetime) -> None:
    """Spend the code and seal the choices, both or neither. ``content`` must already be valid
    for the box (the caller's own ballot rules).

    The code's row is locked first and the box read after it: ``code_box_close`` locks every
    code row of the box before its last mix, so a cast in flight at the close either commits
    its envelope before that mix or finds the box closed."""
    with transaction.atomic():
        row = _row(box, code, lock=True)
        current = CodeBox.objects.get(pk=box.pk)
        _refusal_for(current, row, at)
        assert row is not None
        VoteCode.objects.filter(pk=row.pk).update(used=True)
        CodeEnvelope.objects.create(
            box=current, sealed=keys.seal(current.envelope_salt, current.pk, content)
        )
        transaction.on_commit(lambda: _mix_if_due(box.pk))


def _mix_if_due(box_id: int) -> None:
    from wspolnota.schools.tasks import mix_code_envelopes

    if CodeEnvelope.objects.filter(box_id=box_id).count() >= settings.SCHOOLS_MIX_BATCH:
        mix_code_envelopes.enqueue(box_id=box_id)


def code_envelopes_mix(
    *, box_id: int, final: bool = False, rng: random.Random | None = None
) -> int:
    """Open waiting envelopes and write their ballots in a random order with random keys, in
    the mixer's own transaction. Runs only for a full batch unless ``final``."""
    rng = rng or random.SystemRandom()
    with transaction.atomic():
        box = CodeBox.objects.select_for_update().get(pk=box_id)
        waiting = list(CodeEnvelope.objects.select_for_update().filter(box=box))
        if not waiting or (not final and len(waiting) < settings.SCHOOLS_MIX_BATCH):
            return 0
        contents = [keys.unseal(box.envelope_salt, box.pk, e.sealed) for e in waiting]
        rng.shuffle(contents)
        CodeBallot.objects.bulk_create([CodeBallot(box=box, content=c) for c in contents])
        CodeEnvelope.objects.filter(pk__in=[e.pk for e in waiting]).delete()
    return len(contents)


def code_box_close(*, box: CodeBox, at: datetime) -> int:
    """After the end: mix what is left and erase the envelope salt, so no copy of the database
    can open an envelope any more. Every code row of the box is locked first (a barrier: no
    cast is in flight while the last envelopes are mixed)."""
    if at < box.closes_at:
        raise SchoolsError(errors.NOT_ENDED)
    with transaction.atomic():
        # Codes first, then the box: the order a cast takes them in (its code row, then the
        # box's key through the envelope's foreign key), so the two never deadlock.
        list(VoteCode.objects.select_for_update().filter(box_id=box.pk).values_list("pk"))
        CodeBox.objects.select_for_update().get(pk=box.pk)
        mixed = code_envelopes_mix(box_id=box.pk, final=True)
        CodeBox.objects.filter(pk=box.pk).update(closed=True, envelope_salt="")
    box.refresh_from_db()
    return mixed


def code_ballots(*, box: CodeBox) -> list[dict[str, Any]]:
    """The ballots' contents in a fixed order (their random keys)."""
    return list(CodeBallot.objects.filter(box=box).order_by("id").values_list("content", flat=True))


@dataclass(frozen=True)
class GroupTurnout:
    label: str
    issued: int  # codes on sheets that are not voided
    used: int  # codes used, voided sheets included


def code_turnout(*, box: CodeBox) -> list[GroupTurnout]:
    rows = CodeGroup.objects.filter(box=box).annotate(
        issued=Count("sheets__codes", filter=Q(sheets__voided_at__isnull=True)),
        used=Count("sheets__codes", filter=Q(sheets__codes__used=True)),
    )
    return [GroupTurnout(label=g.label, issued=g.issued, used=g.used) for g in rows]
