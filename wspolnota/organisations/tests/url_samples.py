"""Argument values for the every-URL sweep: a pending NGO with a person, a member and a document."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from wspolnota.organisations.models import (
    DocumentKind,
    Membership,
    MembershipRole,
    OrganisationDocument,
    VerificationStatus,
)
from wspolnota.organisations.tests.factories import OrganisationFactory


def url_samples(request: Any) -> dict[str, Any]:
    request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"
    ngo_member = request.getfixturevalue("ngo_member")
    resident = request.getfixturevalue("resident")
    organisation = OrganisationFactory(
        created_by=ngo_member, status=VerificationStatus.PENDING, representative=ngo_member
    )
    membership = Membership.objects.create(
        organisation=organisation, user=resident, role=MembershipRole.MEMBER, added_by=ngo_member
    )
    document = OrganisationDocument(
        organisation=organisation,
        kind=DocumentKind.STATUTE,
        title="Statut",
        original_name="statut.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        is_public=True,
        uploaded_by=ngo_member,
    )
    document.file.save("statut.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {
        "organisation_id": organisation.pk,
        "person_id": organisation.people.first().pk,
        "membership_id": membership.pk,
        "document_id": document.pk,
    }
