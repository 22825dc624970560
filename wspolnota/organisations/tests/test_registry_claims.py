"""Registry squatting: an unverified entry with an organisation's KRS or NIP must not block the
real organisation; verifying the real one closes the duplicates; an official merges a
duplicate into the verified entry or hands an entry to the right people; the public profile
shows the organisation's grants."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.organisations import services
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.models import (
    LegalForm,
    Membership,
    MembershipRole,
    OrganisationKind,
    VerificationStatus,
)
from wspolnota.organisations.tests.factories import OrganisationFactory, valid_nip, valid_regon
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
KRS = "0000123456"
NIP = valid_nip(4242)
REGON = valid_regon(4242)


def _official():
    """An official of the unit that keeps the registry (see conftest)."""
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory(code="WRO"))
    return user


def _register(user, *, name="Stowarzyszenie Zielony Kraków"):
    return services.organisation_register(
        user=user,
        kind=OrganisationKind.NGO,
        name=name,
        legal_form=LegalForm.ASSOCIATION,
        krs=KRS,
        nip=NIP,
        regon=REGON,
        street_address="ul. Długa 1",
        postal_code="31-147",
        city="Kraków",
    )


def test_an_unverified_entry_does_not_block_the_real_organisation():
    squatter = _register(UserFactory(), name="Zielony Kraków (podszywka)")
    assert squatter.status == VerificationStatus.NEW
    real = _register(UserFactory())
    assert real.krs == squatter.krs == KRS


def test_verifying_the_real_organisation_closes_the_duplicates_and_holds_its_number():
    squatter_user = UserFactory()
    squatter = _register(squatter_user, name="Zielony Kraków (podszywka)")
    real = _register(UserFactory())
    official = _official()
    for entry in (real, squatter):
        entry.status = VerificationStatus.PENDING
        entry.save(update_fields=["status"])
    services.organisation_verify(actor=official, organisation=real, approve=True)
    squatter.refresh_from_db()
    assert squatter.status == VerificationStatus.REJECTED
    assert "Stowarzyszenie Zielony Kraków" in squatter.verification_note
    assert AuditLogEntry.objects.filter(action="organisations.duplicate_rejected").count() == 1
    with pytest.raises(OrganisationsError) as caught:
        _register(UserFactory(), name="Trzeci wpis")
    assert caught.value.code == "krs_taken"


def test_an_official_merges_a_duplicate_and_transfers_an_entry():
    from wspolnota.grants.models import ProgrammeKind
    from wspolnota.grants.tests.factories import make_application, make_call, make_programme

    official = _official()
    target = OrganisationFactory(krs=KRS, nip=NIP, status=VerificationStatus.VERIFIED)
    duplicate = OrganisationFactory(krs="", nip="", status=VerificationStatus.PENDING)
    member = duplicate.created_by
    application = make_application(make_call(make_programme(ProgrammeKind.MICRO_GRANT)), duplicate)
    with pytest.raises(OrganisationsError):
        services.organisation_merge(
            actor=UserFactory(), source=duplicate, target=target, reason="Duplikat"
        )
    services.organisation_merge(
        actor=official, source=duplicate, target=target, reason="Ten sam podmiot (KRS)"
    )
    duplicate.refresh_from_db()
    application.refresh_from_db()
    assert duplicate.merged_into == target and duplicate.status == VerificationStatus.REJECTED
    assert application.applicant == target
    assert Membership.objects.filter(organisation=target, user=member).exists()

    rightful = UserFactory()
    services.organisation_transfer(
        actor=official,
        organisation=target,
        email=rightful.email.upper(),
        reason="Zarząd według KRS",
    )
    roles = dict(target.memberships.values_list("user_id", "role"))
    assert roles[rightful.pk] == MembershipRole.REPRESENTATIVE
    assert [u for u, r in roles.items() if r == MembershipRole.REPRESENTATIVE] == [rightful.pk]
    assert AuditLogEntry.objects.filter(action="organisations.transferred").exists()


def test_the_public_profile_shows_the_organisations_grants():
    from wspolnota.grants.models import ApplicationStatus, Award, ProgrammeKind
    from wspolnota.grants.tests.factories import make_application, make_call, make_programme

    organisation = OrganisationFactory(status=VerificationStatus.VERIFIED)
    call = make_call(
        make_programme(ProgrammeKind.OPEN_COMPETITION),
        results_published_at=timezone.now(),
        title="Seniorzy aktywni 2026",
    )
    application = make_application(
        call,
        organisation,
        status=ApplicationStatus.AWARDED,
        number="OK/1",
        title="Kluby seniora",
    )
    Award.objects.create(
        application=application, call=call, amount=Decimal(12_500), decided_by=call.created_by
    )
    page = Client().get(reverse("organisations:detail", args=[organisation.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Seniorzy aktywni 2026" in content and "Kluby seniora" in content
    assert "12\xa0500,00" in content
