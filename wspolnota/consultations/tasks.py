from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def recompute_opinion_map(*, consultation_id: int) -> None:
    """Recompute one consultation's opinion map after votes or moderation (background worker)."""
    from wspolnota.consultations.models import Consultation
    from wspolnota.consultations.services import opinion_map_recompute

    consultation = Consultation.objects.filter(pk=consultation_id).first()
    if consultation is not None:
        opinion_map_recompute(consultation=consultation)


@task()
def import_opinion_map(*, import_id: int) -> None:
    """Load a queued Polis export and compute its map (background worker)."""
    from wspolnota.consultations.models import OpinionMapImport
    from wspolnota.consultations.services import opinion_map_import_run

    job = (
        OpinionMapImport.objects.select_related("consultation", "created_by")
        .filter(pk=import_id, status=OpinionMapImport.Status.WAITING)
        .first()
    )
    if job is not None:
        opinion_map_import_run(job=job, now=timezone.now())
