"""Sample URL arguments for the every-URL sweep: an implementation with a milestone and a photo."""

from __future__ import annotations

from datetime import date
from typing import Any

from wspolnota.implementation.services import milestone_add
from wspolnota.implementation.tests.factories import add_photo, opened, results_edition


def url_samples(request: Any) -> dict[str, Any]:
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = str(request.getfixturevalue("tmp_path") / "media")
    districts = request.getfixturevalue("krakow")
    administrator = request.getfixturevalue("administrator")
    edition = results_edition(districts, year=2021)
    implementation = opened(edition)
    milestone = milestone_add(
        actor=administrator,
        implementation=implementation,
        description="Projekt budowlany",
        planned_date=date(2022, 3, 1),
    )
    photo = add_photo(implementation, administrator)
    return {
        "impl_year": edition.year,
        "impl_id": implementation.pk,
        "impl_milestone": milestone.pk,
        "impl_photo": photo.pk,
        # path parameter of the read API (/api/implementations/…)
        "implementation_id": implementation.pk,
    }
