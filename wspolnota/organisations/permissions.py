"""Who may do what in the registry. Pure functions of the user and the object; no side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wspolnota.accounts.permissions import has_role, is_official
from wspolnota.accounts.roles import Role
from wspolnota.organisations.models import Membership, MembershipRole, VerificationStatus

if TYPE_CHECKING:
    from wspolnota.organisations.models import Organisation, OrganisationDocument


def membership_role(user: Any, organisation: Organisation) -> str | None:
    """The user's role in the organisation (``representative``/``member``) or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cache: dict[int, str | None] = user.__dict__.setdefault("_membership_cache", {})
    if organisation.pk not in cache:
        cache[organisation.pk] = (
            Membership.objects.filter(organisation_id=organisation.pk, user_id=user.pk)
            .values_list("role", flat=True)
            .first()
        )
    return cache[organisation.pk]


def is_representative(user: Any, organisation: Organisation) -> bool:
    return membership_role(user, organisation) == MembershipRole.REPRESENTATIVE


def is_member(user: Any, organisation: Organisation) -> bool:
    """Representatives and members alike."""
    return membership_role(user, organisation) is not None


def can_register_organisation(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Representatives edit the profile, its people, members and documents (not while suspended)."""
    return (
        is_representative(user, organisation)
        and organisation.status != VerificationStatus.SUSPENDED
    )


def can_view_organisation_file(user: Any, organisation: Organisation) -> bool:
    """The full file (people with birth dates, every document): its members, officials, auditors."""
    return is_member(user, organisation) or is_official(user) or has_role(user, Role.AUDITOR)


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    return organisation.is_public or can_view_organisation_file(user, organisation)


def can_view_document(user: Any, document: OrganisationDocument) -> bool:
    organisation = document.organisation
    if document.is_public and organisation.is_public:
        return True
    return can_view_organisation_file(user, organisation)


def can_verify_organisations(user: Any) -> bool:
    return is_official(user)
