"""The demo's school: confirmed, a finished edition with published, explained results and an
edition collecting ideas; loading twice adds nothing."""

from __future__ import annotations

import pytest

from wspolnota.schools.models import School, SchoolResult, SchoolStatus

pytestmark = pytest.mark.django_db


def test_the_demo_school_has_published_results(krakow, settings):
    from wspolnota.accounts import demo as accounts_demo
    from wspolnota.schools import demo

    settings.SCHOOLS_EDUCATION_UNIT = "KBO"
    accounts_demo.load()
    lines = demo.load()
    assert lines and "Szkolny budżet" in lines[0]
    school = School.objects.get()
    assert school.status == SchoolStatus.CONFIRMED and school.unit.code == "KBO"
    result = SchoolResult.objects.get()
    assert result.ballots == 40 and result.selected
    assert demo.load() == []
    assert School.objects.count() == 1
