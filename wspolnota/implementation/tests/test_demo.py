from __future__ import annotations

from typing import Any

import pytest

from wspolnota.implementation.models import Implementation, Milestone, Update, UpdateKind

pytestmark = pytest.mark.django_db


def test_the_demo_opens_the_2025_winners_with_a_course_of_work_and_runs_twice(
    krakow: Any, settings: Any, tmp_path: Any
) -> None:
    from wspolnota.accounts import demo as accounts_demo
    from wspolnota.budget import demo as budget_demo
    from wspolnota.implementation import demo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    accounts_demo.load()
    budget_demo.load()
    lines = demo.load()
    assert "2025" in lines[0]
    opened = Implementation.objects.count()
    assert opened > 5
    assert Milestone.objects.exists()
    assert Implementation.objects.filter(status="completed").exists()
    assert Update.objects.filter(kind=UpdateKind.CHANGE).exists()
    updates = Update.objects.count()
    demo.load()
    assert Implementation.objects.count() == opened
    assert Update.objects.count() == updates
