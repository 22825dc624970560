"""Reads of the school budget: visibility applied."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from wspolnota.accounts.permissions import is_administrator, unit_ids
from wspolnota.schools.models import (
    CodeSheet,
    Idea,
    School,
    SchoolEdition,
    SchoolStatus,
)


def school_list_public() -> QuerySet[School]:
    return School.objects.filter(status=SchoolStatus.CONFIRMED).prefetch_related("editions")


def school_get(*, school_id: int) -> School | None:
    return School.objects.filter(pk=school_id).select_related("unit").first()


def school_visible(*, school: School, viewer: Any) -> bool:
    """Confirmed schools are public; a pending or refused one is seen by its team and the
    education unit only."""
    from wspolnota.schools import permissions

    if school.status == SchoolStatus.CONFIRMED:
        return True
    viewer_id: int | None = getattr(viewer, "pk", None)
    return permissions.can_decide_school(viewer, school) or (
        viewer_id is not None and school.members.filter(user_id=viewer_id).exists()
    )


def schools_of(*, user: Any) -> QuerySet[School]:
    if not getattr(user, "is_authenticated", False):
        return School.objects.none()
    return School.objects.filter(members__user=user).distinct()


def schools_to_decide(*, user: Any) -> QuerySet[School]:
    """Pending schools of the units the user acts for (all for administrators)."""
    pending = School.objects.filter(status=SchoolStatus.PENDING).select_related("unit")
    if is_administrator(user):
        return pending
    units = unit_ids(user)
    return pending.filter(unit_id__in=units) if units else School.objects.none()


def edition_get(*, edition_id: int) -> SchoolEdition | None:
    return (
        SchoolEdition.objects.filter(pk=edition_id)
        .select_related("school", "box", "school__unit")
        .first()
    )


def edition_phase(edition: SchoolEdition, *, at: datetime) -> str:
    if at < edition.ideas_from:
        return "before"
    if at < edition.ideas_until:
        return "ideas"
    if at < edition.box.opens_at:
        return "checking"
    if at < edition.box.closes_at:
        return "voting"
    return "results"


def idea_list(*, edition: SchoolEdition) -> QuerySet[Idea]:
    return edition.ideas.all().order_by("number")


def sheet_list(*, edition: SchoolEdition) -> QuerySet[CodeSheet]:
    return (
        CodeSheet.objects.filter(group__box=edition.box)
        .select_related("group")
        .order_by("group__label", "number")
    )
