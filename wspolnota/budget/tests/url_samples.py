"""Sample URL arguments for the every-URL sweep: an edition, a project with a version, an
attachment and a merge proposal."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from wspolnota.budget.models import Attachment, MergeProposal, Phase, Support, SupportCheck
from wspolnota.budget.tests.factories import make_edition, pool_for, submitted_project
from wspolnota.tests_support.factories import UserFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def url_samples(request: Any) -> dict[str, Any]:
    settings = request.getfixturevalue("settings")
    settings.MEDIA_ROOT = str(request.getfixturevalue("tmp_path") / "media")
    districts = request.getfixturevalue("krakow")
    official = request.getfixturevalue("official")
    edition = make_edition(
        districts=districts,
        phase=Phase.SUBMISSION,
        coordinating_unit=official.role_assignments.get().city_unit,
    )
    author = UserFactory(district=districts[1])
    pool = pool_for(edition, 1)
    project = submitted_project(author=author, pool=pool)
    other = submitted_project(
        author=UserFactory(district=districts[1]), pool=pool, title="Drugi projekt"
    )
    attachment = Attachment(
        project=project, original_name="plan.png", content_type="image/png", size=len(PNG)
    )
    attachment.file.save("plan.png", ContentFile(PNG), save=True)
    merge = MergeProposal.objects.create(
        source=other, target=project, proposed_by=official, reason="Podobne"
    )
    supporter = UserFactory(district=districts[1])
    support = Support.objects.create(
        project=project,
        user=supporter,
        address="ul. Rajska 1",
        district=districts[1],
        verified_by="identity",
        identity_check=SupportCheck.PENDING,
        full_name="Anna Nowak",
    )
    return {
        "bo_year": edition.year,
        "bo_support": support.pk,
        "bo_project": project.pk,
        "bo_version": project.version,
        "bo_attachment": attachment.pk,
        "bo_merge": merge.pk,
        "bo_pool": pool.pk,
        # path parameters of the read API (/api/budget/…), which the sweep walks but leaves to
        # the API tests
        "year": edition.year,
        "project_id": project.pk,
    }
