from __future__ import annotations

from django_tasks import task


@task()
def notify_followers(*, update_id: int) -> int:
    """Tell everyone who follows an implementation about one public update (background worker)."""
    from wspolnota.implementation.models import Update
    from wspolnota.implementation.services import followers_notify

    update = Update.objects.filter(pk=update_id).first()
    if update is None:
        return 0
    return followers_notify(update=update)
