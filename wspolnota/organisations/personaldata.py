"""Personal data held by the organisations registry (see ``core.personaldata``).

A registered organisation stays (a legal entity's record); an informal group's contact details
are its leader's, so they go with the account that registered it. People named in an
organisation's records who had an account lose their name, birth date and contacts there.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q

from wspolnota.core.personaldata import DELETE, PSEUDONYMISE, PersonalData, register

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def _erase_organisations(user: User, now: datetime) -> int:
    from wspolnota.organisations.models import Organisation, OrganisationKind

    return Organisation.objects.filter(
        created_by=user,
        kind__in=[OrganisationKind.INFORMAL_GROUP, OrganisationKind.INDIVIDUAL],
    ).update(street_address="", email="", phone="")


def _named_in_own_records(user: User) -> Q | None:
    """The person as named in the records of a group or applicant they registered."""
    name = user.full_name.strip()
    if not name:
        return None
    return Q(organisation__created_by=user, full_name__iexact=name)


register(
    PersonalData(
        "organisations.Organisation",
        user_fields=("created_by",),
        official_fields=("verified_by", "keyed_by"),
        personal_fields=("street_address", "email", "phone"),
        erase=PSEUDONYMISE,
        reason="an organisation's record stays; an informal group's contacts (its leader's) go",
        eraser=_erase_organisations,
    ),
    PersonalData(
        "organisations.OrganisationPerson",
        user_fields=("user",),
        match_fields=(("email", "email"),),
        extra_q=_named_in_own_records,
        personal_fields=("full_name", "birth_date", "email", "phone"),
        erase=PSEUDONYMISE,
        reason="the organisation's list of people keeps the role, not the person",
        person=True,
    ),
    PersonalData(
        "organisations.Membership",
        user_fields=("user",),
        official_fields=("added_by",),
        erase=DELETE,
    ),
    PersonalData(
        "organisations.OrganisationDocument",
        user_fields=("uploaded_by",),
        erase=PSEUDONYMISE,
        reason="the organisation's documents stay with the organisation",
        files={
            "file": "the organisation's document (a statute, a register extract, a group's "
            "declaration or a guardian's consent, which name people): its name is in the "
            "uploader's download; it stays with the organisation's file until the organisation "
            "removes it, and the uploader becomes nameless",
        },
    ),
)
