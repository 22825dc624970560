"""The building's part of a project's thread (see ``budget.thread``): its state, progress, a few
photos and a link to the implementation page; shown once the edition is published."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext

from wspolnota.budget.models import Edition, Project
from wspolnota.budget.thread import LaterStage, StepState, ThreadPhoto, ThreadStep
from wspolnota.implementation.models import FINAL_STATUSES, Implementation, ImplementationStatus

PHOTOS_SHOWN = 3


def project_steps(project: Project, *, at: datetime) -> list[ThreadStep]:
    if not project.edition.is_published:
        return []
    implementation = (
        Implementation.objects.filter(project=project).prefetch_related("photos").first()
    )
    if implementation is None:
        return []
    photos = [
        ThreadPhoto(
            reverse("implementation:photo_file", args=[implementation.pk, photo.pk]),
            photo.alt_text,
        )
        for photo in list(implementation.photos.all())[-PHOTOS_SHOWN:]
    ]
    completed = implementation.status == ImplementationStatus.COMPLETED
    details = [
        gettext("Stan realizacji: %(status)s.") % {"status": implementation.get_status_display()}
    ]
    if implementation.cancel_reason:
        details.append(implementation.cancel_reason)
    return [
        ThreadStep(
            LaterStage.COMPLETED if completed else LaterStage.IN_PROGRESS,
            str(LaterStage.COMPLETED.label if completed else LaterStage.IN_PROGRESS.label),
            state=StepState.DONE
            if completed
            else StepState.FAILED
            if implementation.is_final
            else StepState.CURRENT,
            at=implementation.created_at,
            details=details,
            progress=implementation.progress,
            photos=photos,
            link_url=reverse("implementation:detail", args=[implementation.pk]),
            link_label=gettext("Realizacja projektu: etapy, zdjęcia, koszty"),
        )
    ]


def edition_stages(edition: Edition, *, at: datetime) -> dict[str, set[int]]:
    if not edition.is_published:
        return {}
    in_progress: set[int] = set()
    completed: set[int] = set()
    for project_id, status in Implementation.objects.filter(edition=edition).values_list(
        "project_id", "status"
    ):
        if status == ImplementationStatus.COMPLETED:
            completed.add(project_id)
        elif status not in FINAL_STATUSES:
            in_progress.add(project_id)
    return {LaterStage.IN_PROGRESS: in_progress, LaterStage.COMPLETED: completed}
