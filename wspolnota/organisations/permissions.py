"""Who may do what in the registry. Pure functions of the user and the object; no side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings

from wspolnota.accounts.permissions import (
    can_act_for_residents,
    has_role,
    is_administrator,
    unit_ids,
)
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


def can_register_for_person(user: Any) -> bool:
    """Key in a registration that came on paper or at a counter: entering an applicant in the
    registry belongs to no unit (anyone may do it online), so any clerk who acts for residents
    may do it for a person (``accounts.permissions.can_act_for_residents`` without a unit)."""
    return can_act_for_residents(user)


def keys_in_for(user: Any, organisation: Organisation) -> bool:
    """A clerk going on keying an entry registered through a clerk (its people, documents):
    the person representing it may have no account to do it themself."""
    from wspolnota.core.onbehalf import Channel

    return organisation.channel != Channel.ONLINE and can_register_for_person(user)


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Representatives edit the profile, its people, members and documents (not while
    suspended); an entry keyed in by a clerk is kept up the same way by clerks."""
    return (
        is_representative(user, organisation) or keys_in_for(user, organisation)
    ) and organisation.status != VerificationStatus.SUSPENDED


def keeps_registry(user: Any) -> bool:
    """Administrators, and officials of the city unit that keeps the registry (the unit whose
    code is ``ORGANISATIONS_REGISTRY_UNIT``; with none set, administrators only). Not every
    official of every department."""
    if is_administrator(user):
        return True
    code = getattr(settings, "ORGANISATIONS_REGISTRY_UNIT", "")
    units = unit_ids(user)
    if not code or not units:
        return False
    cache: dict[str, bool] = user.__dict__.setdefault("_registry_unit_cache", {})
    if code not in cache:
        from wspolnota.accounts.models import CityUnit

        cache[code] = CityUnit.objects.filter(pk__in=units, code=code).exists()
    return cache[code]


def can_view_organisation_file(user: Any, organisation: Organisation) -> bool:
    """The full file (people with birth dates, every document): its members, the registry's
    keepers, auditors, and the clerks keeping up an entry registered through a clerk."""
    return (
        is_member(user, organisation)
        or keeps_registry(user)
        or has_role(user, Role.AUDITOR)
        or keys_in_for(user, organisation)
    )


def can_view_organisation(user: Any, organisation: Organisation) -> bool:
    return organisation.is_public or can_view_organisation_file(user, organisation)


def can_view_document(user: Any, document: OrganisationDocument) -> bool:
    organisation = document.organisation
    if document.is_public and organisation.is_public:
        return True
    return can_view_organisation_file(user, organisation)


def can_verify_organisations(user: Any) -> bool:
    """Verify, return, suspend and merge entries: the registry's keepers."""
    return keeps_registry(user)
