from __future__ import annotations

from django_tasks import task


@task()
def notify_project_followers(
    *, project_ids: list[int], step: str, event: str, reason: str = ""
) -> int:
    """Tell the followers of projects about a step of their life (background worker)."""
    from wspolnota.budget.services import project_followers_notify

    return project_followers_notify(project_ids=project_ids, step=step, event=event, reason=reason)
