"""Background work of the school vote (django-tasks): thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def mix_code_envelopes(*, box_id: int) -> int:
    """Move a batch of sealed envelopes into the ballot box, if one is due (the mixer)."""
    from wspolnota.schools.codes import code_envelopes_mix

    return code_envelopes_mix(box_id=box_id)
