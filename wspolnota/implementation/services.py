"""Writes of the implementation app: open, report on, photograph and follow implementations.

Every write made by an official checks the permission, validates, saves, appends to the audit log
and leaves a public ``Update`` entry; followers are told of each update by a background task
enqueued after commit, in their own language.
"""

from __future__ import annotations

import itertools
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise

from wspolnota.budget.models import ProjectStatus
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.implementation import errors, permissions
from wspolnota.implementation.errors import ImplementationError, ImplementationPermissionError
from wspolnota.implementation.models import (
    FINAL_STATUSES,
    TRANSITIONS,
    Follow,
    Implementation,
    ImplementationStatus,
    Milestone,
    Photo,
    Update,
    UpdateKind,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from wspolnota.accounts.models import CityUnit, User
    from wspolnota.budget.models import Edition, Project

IS = ImplementationStatus
PS = ProjectStatus

# A project reaches implementation only from the ballot. Part 2 of the budget may add statuses
# after ``on_ballot`` (e.g. "selected"); those count as on the ballot too, so the rule is written
# as the statuses a project can never be implemented from.
NOT_IMPLEMENTABLE = frozenset(
    {
        PS.DRAFT,
        PS.SUBMITTED,
        PS.IN_VERIFICATION,
        PS.CORRECTION_REQUESTED,
        PS.VERIFIED_POSITIVE,
        PS.VERIFIED_NEGATIVE,
        PS.APPEALED,
        PS.WITHDRAWN,
        PS.MERGED,
    }
)
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# Fields whose change is published in the update log (and audit-logged).
TRACKED_FIELDS = [
    "status",
    "progress",
    "actual_cost",
    "responsible_unit",
    "cancel_reason",
    "merged_into",
    "completed_on",
]


def photo_max_mb() -> int:
    return int(getattr(settings, "IMPLEMENTATION_PHOTO_MAX_MB", 8))


def photo_max_count() -> int:
    return int(getattr(settings, "IMPLEMENTATION_PHOTO_MAX_COUNT", 30))


PHOTO_MAX_MEGAPIXELS = 40


def _deny(message: str | Promise, **params: Any) -> ImplementationPermissionError:
    return ImplementationPermissionError(message, params=params)


def _require_manage(actor: User, implementation: Implementation) -> None:
    if not permissions.signed_in(actor):
        raise _deny(errors.LOGIN_REQUIRED)
    if not permissions.can_manage_implementation(actor, implementation):
        unit = implementation.responsible_unit
        raise _deny(errors.NOT_RESPONSIBLE, unit=unit.name if unit else "—")


def _unit_label(implementation: Implementation) -> str:
    unit = implementation.responsible_unit
    return str(unit) if unit is not None else ""


def _publish(
    *,
    implementation: Implementation,
    actor: User | None,
    kind: str,
    changes: dict[str, Any] | None = None,
    note: str = "",
) -> Update:
    """Add an entry to the public log and tell followers once the transaction commits."""
    update = Update.objects.create(
        implementation=implementation,
        kind=kind,
        changes=changes or {},
        note=note,
        unit_label=_unit_label(implementation)[:250],
        author=actor,
    )
    if kind != UpdateKind.OPENED:
        from wspolnota.implementation.tasks import notify_followers

        update_id = update.pk
        transaction.on_commit(lambda: notify_followers.enqueue(update_id=update_id))
    return update


# --- Opening -----------------------------------------------------------------------------------


def implementations_open(
    *, edition: Edition, project_ids: list[int], actor: User | None
) -> list[Implementation]:
    """Start tracking the implementation of winning projects; idempotent.

    The voting app calls this when results are published (``actor`` is the official publishing
    them, or ``None`` for the system); coordinators call it by hand for editions imported without
    the voting app. Each project gets exactly one implementation (status "planned"); projects
    that already have one are left as they are. All projects are checked before anything is
    written, so a bad id opens nothing. The project rows are locked so that two simultaneous
    calls cannot both create one.
    """
    from wspolnota.budget.models import Project

    if actor is not None and not permissions.can_open_implementations(actor, edition):
        if not permissions.signed_in(actor):
            raise _deny(errors.LOGIN_REQUIRED)
        raise _deny(errors.NOT_COORDINATOR)
    wanted: list[int] = []
    for raw in project_ids:
        value = int(raw)
        if value not in wanted:
            wanted.append(value)
    if not wanted:
        return []
    with transaction.atomic():
        projects = {
            p.pk: p
            for p in Project.objects.select_for_update(of=("self",))
            .select_related("pool", "verification_unit")
            .filter(pk__in=wanted)
            .order_by("pk")
        }
        for project_id in wanted:
            project = projects.get(project_id)
            if project is None:
                raise ImplementationError(
                    errors.PROJECT_NOT_FOUND, field="projects", params={"id": project_id}
                )
            if project.edition_id != edition.pk:
                raise ImplementationError(
                    errors.PROJECT_OTHER_EDITION,
                    field="projects",
                    params={"number": project.number or project.pk, "edition": edition.name},
                )
            if project.status in NOT_IMPLEMENTABLE:
                raise ImplementationError(
                    errors.PROJECT_NOT_ON_BALLOT,
                    field="projects",
                    params={
                        "number": project.number or project.pk,
                        "status": project.get_status_display(),
                    },
                )
        existing = {
            i.project_id: i
            for i in Implementation.objects.filter(project_id__in=wanted).select_related(
                "responsible_unit"
            )
        }
        result: list[Implementation] = []
        for project_id in wanted:
            if project_id in existing:
                result.append(existing[project_id])
                continue
            result.append(_open_one(project=projects[project_id], edition=edition, actor=actor))
    return result


def _open_one(*, project: Project, edition: Edition, actor: User | None) -> Implementation:
    implementation = Implementation(
        project=project,
        edition=edition,
        district=project.pool.district,
        status=IS.PLANNED,
        progress=0,
        estimated_cost=project.effective_cost,
        responsible_unit_id=project.verification_unit_id or edition.coordinating_unit_id,
    )
    implementation.full_clean(exclude=["project"])
    implementation.save()
    _publish(implementation=implementation, actor=actor, kind=UpdateKind.OPENED)
    audit_log_append(
        actor=actor,
        action="implementation.open",
        obj=implementation,
        after=snapshot(implementation),
    )
    if project.author_id is not None:
        # The author hears about the work on their project without having to look for it.
        Follow.objects.get_or_create(implementation=implementation, user_id=project.author_id)
        Implementation.objects.filter(pk=implementation.pk).update(followers_count=1)
        implementation.followers_count = 1
    return implementation


# --- Reporting on the work -----------------------------------------------------------------


def _parse_progress(value: Any) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ImplementationError(
            errors.PROGRESS_RANGE, field="progress", params={"value": value}
        ) from None
    if not 0 <= number <= 100:
        raise ImplementationError(errors.PROGRESS_RANGE, field="progress", params={"value": value})
    return number


def _parse_cost(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".")
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ImplementationError(
            errors.COST_INVALID, field="actual_cost", params={"value": value}
        ) from None
    if not amount.is_finite() or amount >= Decimal("1e12"):
        raise ImplementationError(errors.COST_INVALID, field="actual_cost", params={"value": value})
    if amount < 0:
        raise ImplementationError(
            errors.COST_NEGATIVE, field="actual_cost", params={"value": value}
        )
    return amount.quantize(Decimal("0.01"))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def implementation_change(
    *,
    actor: User,
    implementation: Implementation,
    status: str,
    progress: int | str,
    actual_cost: Decimal | str | None,
    responsible_unit: CityUnit | None,
    cancel_reason: str = "",
    merged_into: Implementation | None = None,
    completed_on: date | None = None,
    note: str = "",
    today: date | None = None,
) -> Update:
    """Record the state of the work: status, progress, actual cost, responsible unit, a note.

    Status follows ``models.TRANSITIONS``; a cancellation needs a published reason, a merge the
    task it was merged into, completion the actual cost (progress becomes 100 %). Only the
    edition's coordinators may hand the work to another unit. The changes and the note become
    one public update; followers are told of it.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        current = (
            Implementation.objects.select_for_update(of=("self",))
            .select_related("edition", "responsible_unit", "project")
            .get(pk=implementation.pk)
        )
        _require_manage(actor, current)
        note = (note or "").strip()
        cancel_reason = (cancel_reason or "").strip()
        new_progress = _parse_progress(progress)
        new_cost = _parse_cost(actual_cost)
        if status not in IS.values:
            raise ImplementationError(
                errors.TRANSITION_NOT_ALLOWED,
                field="status",
                params={"current": current.get_status_display(), "target": status},
            )
        before = snapshot(current)
        if current.status in FINAL_STATUSES:
            changed = (
                status != current.status
                or new_progress != current.progress
                or new_cost != current.actual_cost
                or (responsible_unit.pk if responsible_unit else None)
                != current.responsible_unit_id
            )
            if changed:
                raise ImplementationError(
                    errors.FINAL_STATUS,
                    field="status",
                    params={"status": current.get_status_display()},
                )
        elif status != current.status and status not in TRANSITIONS[current.status]:
            raise ImplementationError(
                errors.TRANSITION_NOT_ALLOWED,
                field="status",
                params={
                    "current": current.get_status_display(),
                    "target": IS(status).label,
                },
            )
        new_unit_id = responsible_unit.pk if responsible_unit is not None else None
        if new_unit_id != current.responsible_unit_id and not permissions.can_assign_unit(
            actor, current
        ):
            raise ImplementationError(errors.UNIT_ONLY_COORDINATOR, field="responsible_unit")
        if current.status not in FINAL_STATUSES:
            current.status = status
            current.progress = new_progress
            current.actual_cost = new_cost
            current.responsible_unit = responsible_unit
            if status == IS.CANCELLED:
                if not cancel_reason:
                    raise ImplementationError(errors.CANCEL_REASON_REQUIRED, field="cancel_reason")
                current.cancel_reason = cancel_reason
            if status == IS.MERGED:
                if merged_into is None:
                    raise ImplementationError(errors.MERGED_INTO_REQUIRED, field="merged_into")
                if merged_into.pk == current.pk:
                    raise ImplementationError(errors.MERGED_INTO_SELF, field="merged_into")
                if merged_into.status in (IS.CANCELLED, IS.MERGED):
                    raise ImplementationError(errors.MERGED_INTO_FINAL, field="merged_into")
                current.merged_into = merged_into
            if status == IS.COMPLETED:
                if new_cost is None:
                    raise ImplementationError(errors.COMPLETED_NEEDS_COST, field="actual_cost")
                current.progress = 100
                current.completed_on = completed_on or today
        after = snapshot(current)
        changes = {
            key: [before.get(key), after.get(key)]
            for key in (f.attname if f.is_relation else f.name for f in _tracked())
            if before.get(key) != after.get(key)
        }
        if not changes and not note:
            raise ImplementationError(errors.NOTHING_CHANGED)
        if changes:
            current.full_clean(exclude=["project"])
            current.save()
        update = _publish(
            implementation=current,
            actor=actor,
            kind=UpdateKind.CHANGE if changes else UpdateKind.NOTE,
            changes=changes,
            note=note,
        )
        audit_log_append(
            actor=actor,
            action="implementation.change" if changes else "implementation.note",
            obj=current,
            before=before,
            after=after,
            reason=note,
        )
    implementation.refresh_from_db()
    return update


def _tracked() -> list[Any]:
    return [Implementation._meta.get_field(name) for name in TRACKED_FIELDS]


# --- Milestones ----------------------------------------------------------------------------


def _milestone_validate(description: str, planned_date: date | None) -> tuple[str, date]:
    description = (description or "").strip()
    if not description:
        raise ImplementationError(errors.MILESTONE_DESCRIPTION, field="description")
    if planned_date is None:
        raise ImplementationError(errors.MILESTONE_DATE, field="planned_date")
    return description, planned_date


def milestone_add(
    *,
    actor: User,
    implementation: Implementation,
    description: str,
    planned_date: date | None,
    actual_date: date | None = None,
) -> Milestone:
    """Add a dated step of the work (design ready, tender, works done); published in the log."""
    _require_manage(actor, implementation)
    description, planned = _milestone_validate(description, planned_date)
    with transaction.atomic():
        milestone = Milestone(
            implementation=implementation,
            description=description,
            planned_date=planned,
            actual_date=actual_date,
        )
        milestone.full_clean()
        milestone.save()
        _publish(
            implementation=implementation,
            actor=actor,
            kind=UpdateKind.MILESTONE,
            changes={"milestone": [None, _milestone_plain(milestone)]},
        )
        audit_log_append(
            actor=actor,
            action="implementation.milestone_add",
            obj=milestone,
            after=snapshot(milestone),
        )
    return milestone


def _milestone_plain(milestone: Milestone) -> dict[str, Any]:
    return {
        "description": milestone.description,
        "planned_date": _plain(milestone.planned_date),
        "actual_date": _plain(milestone.actual_date),
    }


def milestone_change(
    *,
    actor: User,
    milestone: Milestone,
    description: str,
    planned_date: date | None,
    actual_date: date | None,
) -> Milestone:
    """Move a milestone's planned date or record when it actually happened."""
    implementation = milestone.implementation
    _require_manage(actor, implementation)
    description, planned = _milestone_validate(description, planned_date)
    with transaction.atomic():
        before_plain = _milestone_plain(milestone)
        before = snapshot(milestone)
        milestone.description = description
        milestone.planned_date = planned
        milestone.actual_date = actual_date
        after_plain = _milestone_plain(milestone)
        if before_plain == after_plain:
            raise ImplementationError(errors.NOTHING_CHANGED)
        milestone.full_clean()
        milestone.save()
        _publish(
            implementation=implementation,
            actor=actor,
            kind=UpdateKind.MILESTONE,
            changes={"milestone": [before_plain, after_plain]},
        )
        audit_log_append(
            actor=actor,
            action="implementation.milestone_change",
            obj=milestone,
            before=before,
            after=snapshot(milestone),
        )
    return milestone


# --- Photos --------------------------------------------------------------------------------


def _sniff_image(upload: UploadedFile[bytes], name: str) -> tuple[str, int, int]:
    """The image's real type (read from its content, not its name) and size in pixels."""
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format or ""
            width, height = image.size
            if width * height > PHOTO_MAX_MEGAPIXELS * 1_000_000:
                raise ImplementationError(
                    errors.PHOTO_TOO_LARGE_PIXELS,
                    field="image",
                    params={
                        "name": name,
                        "pixels": round(width * height / 1_000_000, 1),
                        "max": PHOTO_MAX_MEGAPIXELS,
                    },
                )
            image.verify()
    except ImplementationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImplementationError(
            errors.PHOTO_WRONG_TYPE, field="image", params={"name": name}
        ) from None
    finally:
        upload.seek(0)
    if kind not in PHOTO_TYPES:
        raise ImplementationError(errors.PHOTO_WRONG_TYPE, field="image", params={"name": name})
    return PHOTO_TYPES[kind], width, height


def photo_add(
    *,
    actor: User,
    implementation: Implementation,
    upload: UploadedFile[bytes],
    alt_text: str,
    caption: str = "",
    taken_on: date | None = None,
) -> Photo:
    """Publish a photo of the work: JPEG, PNG or WebP by content, within the size limit, with
    the alternative text that describes it to people who cannot see it."""
    _require_manage(actor, implementation)
    alt_text = (alt_text or "").strip()
    name = (getattr(upload, "name", None) or "zdjecie")[-120:]
    if not alt_text:
        raise ImplementationError(errors.PHOTO_ALT_REQUIRED, field="alt_text")
    size = upload.size or 0
    if size == 0:
        raise ImplementationError(errors.PHOTO_EMPTY, field="image", params={"name": name})
    if size > photo_max_mb() * 1024 * 1024:
        raise ImplementationError(
            errors.PHOTO_TOO_BIG,
            field="image",
            params={"name": name, "size": f"{size / 1024 / 1024:.1f}", "max": photo_max_mb()},
        )
    if implementation.photos.count() >= photo_max_count():
        raise ImplementationError(
            errors.PHOTO_LIMIT, field="image", params={"max": photo_max_count()}
        )
    content_type, width, height = _sniff_image(upload, name)
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}[content_type]
    with transaction.atomic():
        photo = Photo(
            implementation=implementation,
            token=secrets.token_hex(16),
            content_type=content_type,
            width=width,
            height=height,
            alt_text=alt_text[:300],
            caption=(caption or "").strip()[:300],
            taken_on=taken_on,
            uploaded_by=actor,
        )
        photo.image.save(f"photo.{extension}", upload, save=False)
        stored = photo.image.name or ""
        try:
            photo.full_clean(exclude=["image"])
            photo.save()
        except Exception:
            photo.image.storage.delete(stored)
            raise
        _publish(
            implementation=implementation,
            actor=actor,
            kind=UpdateKind.PHOTO,
            changes={"photo": [None, photo.pk]},
            note=photo.caption,
        )
        audit_log_append(
            actor=actor, action="implementation.photo_add", obj=photo, after=snapshot(photo)
        )
    return photo


def photo_remove(*, actor: User, photo: Photo) -> None:
    """Take a photo down (e.g. a person can be recognised in it); the file goes after commit."""
    implementation = photo.implementation
    _require_manage(actor, implementation)
    with transaction.atomic():
        before = snapshot(photo)
        stored = photo.image.name or ""
        storage = photo.image.storage
        audit_log_append(
            actor=actor, action="implementation.photo_remove", obj=photo, before=before
        )
        photo.delete()
        transaction.on_commit(lambda: storage.delete(stored))


# --- Following -----------------------------------------------------------------------------


def implementation_follow(*, user: User, implementation: Implementation) -> bool:
    """Follow an implementation; returns False when the person already follows it."""
    if not permissions.can_follow(user):
        raise _deny(errors.LOGIN_REQUIRED)
    try:
        with transaction.atomic():
            Follow.objects.create(implementation=implementation, user=user)
            Implementation.objects.filter(pk=implementation.pk).update(
                followers_count=F("followers_count") + 1
            )
    except IntegrityError:
        return False
    return True


def implementation_unfollow(*, user: User, implementation: Implementation) -> bool:
    """Stop following; returns False when the person did not follow it."""
    if not permissions.can_follow(user):
        raise _deny(errors.LOGIN_REQUIRED)
    with transaction.atomic():
        deleted, _ = Follow.objects.filter(implementation=implementation, user=user).delete()
        if deleted:
            Implementation.objects.filter(pk=implementation.pk, followers_count__gt=0).update(
                followers_count=F("followers_count") - 1
            )
    return bool(deleted)


def followers_notify(*, update: Update) -> int:
    """Tell each follower of the update's implementation, in their language (idempotent by key)."""
    from wspolnota.communication.notifications import notify
    from wspolnota.implementation.selectors import implementation_absolute_url

    implementation = Implementation.objects.select_related(
        "project", "responsible_unit", "edition"
    ).get(pk=update.implementation_id)
    sent = 0
    follows = (
        Follow.objects.filter(implementation=implementation)
        .select_related("user")
        .order_by("pk")
        .iterator(chunk_size=500)
    )
    # Whoever follows the project itself (from its page, since its submission) hears of the
    # building too; the outbox key sends one message to someone who follows both.
    from wspolnota.budget.models import ProjectFollow

    project_follows = (
        ProjectFollow.objects.filter(project_id=implementation.project_id)
        .select_related("user")
        .order_by("pk")
        .iterator(chunk_size=500)
    )
    users = itertools.chain((f.user for f in follows), (f.user for f in project_follows))
    for user in users:
        notify(
            recipient=user,
            kind="implementation.update",
            subject_template="implementation/notifications/update_subject.txt",
            body_template="implementation/notifications/update_body.txt",
            context={
                "implementation": implementation,
                "update": update,
                "url": implementation_absolute_url(implementation, user.preferred_language),
            },
            key=f"implementation.update:{update.pk}",
        )
        sent += 1
    return sent
