"""Sample URL arguments for the every-URL sweep: a confirmed school with an edition in its
vote, an idea and a code sheet."""

from __future__ import annotations

from typing import Any

from django.test import override_settings
from django.utils import timezone

from wspolnota.schools import services


def url_samples(request: Any) -> dict[str, Any]:
    from wspolnota.schools.tests.factories import (
        confirmed_school,
        edition_in,
        ideas_on_ballot,
        move_to,
    )

    with override_settings(SCHOOLS_EDUCATION_UNIT="WE"):
        school, coordinator, _panel = confirmed_school()
    edition = edition_in(school, coordinator, "ideas")
    idea = ideas_on_ballot(edition, coordinator, [100])[0]
    move_to(edition, "voting")
    issued = services.class_sheet_issue(
        actor=coordinator, edition=edition, label="5b", size=2, at=timezone.now()
    )
    return {
        "school_id": school.pk,
        "edition_id": edition.pk,
        "idea_id": idea.pk,
        "sheet_id": issued.sheet.pk,
    }
