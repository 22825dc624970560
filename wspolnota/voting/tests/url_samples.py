"""Sample URL arguments for the every-URL sweep: a voting edition (open now) with a voting point,
a keyed paper card and a pool."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from wspolnota.budget.models import Phase
from wspolnota.budget.tests.factories import pool_for
from wspolnota.tests_support.factories import UserFactory
from wspolnota.voting import services
from wspolnota.voting.tests.factories import (
    identity_of,
    krakow_selection,
    make_point,
    make_voting_edition,
)


def url_samples(request: Any) -> dict[str, Any]:
    districts = request.getfixturevalue("krakow")
    services.ballot_cache_clear()  # per-process caches must not outlive another test's rollback
    edition = make_voting_edition(districts=districts, phase=Phase.VOTING, year=2031)
    coordinator = UserFactory(district=districts[1])
    point = make_point(edition, districts[1], [coordinator])
    identity = identity_of(edition, 1)
    card = services.paper_entry_add(
        actor=coordinator,
        point=point,
        number="K-1",
        identity=identity,
        district=districts[1],
        document_kind="id_card",
        selection=krakow_selection(edition),
        at=timezone.now(),
    )
    return {
        "vote_year": edition.year,
        "vote_pool": pool_for(edition, None).pk,
        "vote_point": point.pk,
        "vote_card": card.pk,
        "vote_district": 1,
        "version": 1,
    }
