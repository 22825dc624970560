from __future__ import annotations

from django_tasks import task


@task()
def generate_receipt(*, application_id: int) -> None:
    """Render and store the submission receipt of one application (idempotent)."""
    from wspolnota.grants.models import Application
    from wspolnota.grants.services import application_receipt_ensure

    application = Application.objects.filter(pk=application_id).first()
    if application is not None:
        application_receipt_ensure(application=application)


@task()
def send_reminders() -> int:
    """The daily reminders of grants' deadlines (``manage.py grants_reminders`` enqueues it)."""
    from wspolnota.grants.services import reminders_send

    return reminders_send()
