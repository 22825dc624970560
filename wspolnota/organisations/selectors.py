"""Reads of the registry: the public list and profiles, a person's applicants, the officials'
verification queue. Visibility is applied here."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from wspolnota.core.errors import PermissionDeniedError
from wspolnota.organisations import errors, permissions
from wspolnota.organisations.models import (
    Membership,
    Organisation,
    OrganisationDocument,
    OrganisationKind,
    VerificationStatus,
)
from wspolnota.territory.models import District


def organisation_public_list(
    *,
    kind: str = "",
    district: District | None = None,
    area: str = "",
    query: str = "",
) -> QuerySet[Organisation]:
    """Verified NGOs and informal groups, with their districts and areas (no N+1)."""
    organisations = Organisation.objects.filter(status=VerificationStatus.VERIFIED).exclude(
        kind=OrganisationKind.INDIVIDUAL
    )
    if kind:
        organisations = organisations.filter(kind=kind)
    if district is not None:
        organisations = organisations.filter(districts=district)
    if area:
        organisations = organisations.filter(areas__area=area)
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        condition = Q(name__icontains=query)
        if len(digits) >= 5:
            condition |= (
                Q(krs__contains=digits) | Q(nip__contains=digits) | Q(regon__contains=digits)
            )
        organisations = organisations.filter(condition)
    return (
        organisations.distinct().prefetch_related("districts__city", "areas").order_by("name", "id")
    )


def organisation_get_for(user: Any, organisation_id: int) -> Organisation:
    """The organisation if the user may see it: public profiles for all, the rest for insiders."""
    organisation = (
        Organisation.objects.filter(pk=organisation_id)
        .select_related("verified_by")
        .prefetch_related("districts__city", "areas")
        .first()
    )
    if organisation is None or not permissions.can_view_organisation(user, organisation):
        raise Http404
    return organisation


def organisation_get_managed(user: Any, organisation_id: int) -> Organisation:
    """The organisation if the user is its representative, else 404 or 403."""
    organisation = organisation_get_for(user, organisation_id)
    if not permissions.can_manage_organisation(user, organisation):
        raise PermissionDeniedError(errors.NOT_ALLOWED)
    return organisation


def organisation_public_documents(*, organisation: Organisation) -> QuerySet[OrganisationDocument]:
    return organisation.documents.filter(is_public=True).order_by("kind", "-created_at")


def memberships_of(*, user: Any) -> QuerySet[Membership]:
    """Every applicant the user acts for."""
    if not getattr(user, "is_authenticated", False):
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )


def organisations_acting_for(*, user: Any) -> QuerySet[Organisation]:
    """Applicants in whose name the user may file applications (as their representative)."""
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role="representative"
    ).order_by("name", "id")


def verification_queue(*, status: str = VerificationStatus.PENDING) -> QuerySet[Organisation]:
    """Entries awaiting (or past) verification, oldest request first."""
    return (
        Organisation.objects.filter(status=status)
        .annotate(
            people_count=Count("people", distinct=True),
            document_count=Count("documents", distinct=True),
        )
        .order_by("status_changed_at", "id")
    )


def organisation_file(*, organisation: Organisation) -> dict[str, Any]:
    """Everything officials and members see: people, members and documents, in three queries."""
    return {
        "people": list(organisation.people.select_related("user")),
        "memberships": list(organisation.memberships.select_related("user", "added_by")),
        "documents": list(
            organisation.documents.select_related("uploaded_by").order_by("kind", "-created_at")
        ),
    }
