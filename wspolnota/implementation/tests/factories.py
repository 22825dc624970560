"""Editions with projects on the ballot and their implementations, for the app's tests."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from wspolnota.accounts.models import CityUnit
from wspolnota.budget.models import Edition, Phase, Project, ProjectStatus
from wspolnota.budget.tests.factories import ProjectFactory, make_edition, pool_for
from wspolnota.implementation.models import Implementation, Photo
from wspolnota.implementation.services import implementations_open
from wspolnota.territory.models import District


def results_edition(districts: dict[int, District], **rules: Any) -> Edition:
    """A published edition whose results are out, so its projects are ready for implementation."""
    edition = make_edition(districts=districts, phase=Phase.IMPLEMENTATION, **rules)
    Edition.objects.filter(pk=edition.pk).update(is_published=True)
    edition.is_published = True
    return edition


def ballot_project(
    edition: Edition,
    *,
    district: int | None = 1,
    unit: CityUnit | None = None,
    **overrides: Any,
) -> Project:
    """A project that was on the ballot (and won), in district ``district`` or citywide."""
    pool = pool_for(edition, district)
    values: dict[str, Any] = {
        "edition": edition,
        "pool": pool,
        "status": ProjectStatus.ON_BALLOT,
        "cost": Decimal("150000.00"),
        "verification_unit": unit,
        "latitude": Decimal("50.061400") if district == 1 else None,
        "longitude": Decimal("19.936600") if district == 1 else None,
    }
    values.update(overrides)
    project: Project = ProjectFactory(**values)
    return project


def opened(edition: Edition, *, unit: CityUnit | None = None, **overrides: Any) -> Implementation:
    project = ballot_project(edition, unit=unit, **overrides)
    return implementations_open(edition=edition, project_ids=[project.pk], actor=None)[0]


def add_photo(implementation: Implementation, actor: Any) -> Photo:
    from wspolnota.implementation.services import photo_add

    return photo_add(
        actor=actor,
        implementation=implementation,
        upload=image_upload(),
        alt_text="Nowe ławki przy alejce",
        caption="Stan na koniec maja",
    )


def image_upload(name: str = "plac.png", fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> Any:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, format=fmt)
    content_type = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
