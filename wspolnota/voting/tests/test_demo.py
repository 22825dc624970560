"""The demo's 2025 vote loads on the budget demo's edition, counts and publishes (idempotent)."""

from __future__ import annotations

import pytest

from wspolnota.voting.models import PoolResult, VotingRules

pytestmark = pytest.mark.django_db


def test_the_demo_has_points_ballots_and_published_results(krakow):
    from wspolnota.budget import demo as budget_demo
    from wspolnota.voting import demo

    budget_demo.load()
    lines = demo.load()
    rules = VotingRules.objects.get(slug="krakow-2025")
    if not any("wyniki ogłoszone" in line for line in lines):
        pytest.skip("Pabulib 2025 files are not available: " + " ".join(lines))
    assert rules.results_published_at is not None
    assert (
        PoolResult.objects.filter(count__edition=rules.edition, count__version=1).count()
        == rules.edition.pools.count()
    )
    assert demo.load() == ["Głosowanie 2025: już wczytane."]
