"""Background work of the vote (django-tasks): thin wrappers that call a service."""

from __future__ import annotations

from django_tasks import task


@task()
def mix_envelopes(*, edition_id: int) -> int:
    """Move a batch of sealed envelopes into the ballot box, if one is due (the mixer)."""
    from wspolnota.voting.services import envelopes_mix

    return envelopes_mix(edition_id=edition_id)
