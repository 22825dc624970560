"""Factories for the registry; identifiers are generated with valid check digits."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory
from django.utils import timezone

from wspolnota.organisations.models import (
    LegalForm,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    OrganisationPerson,
    PersonRole,
    VerificationStatus,
)
from wspolnota.tests_support.factories import UserFactory

NIP_WEIGHTS = (6, 5, 7, 2, 3, 4, 5, 6, 7)
REGON_WEIGHTS = (8, 9, 2, 3, 4, 5, 6, 7)


def valid_nip(n: int) -> str:
    """The n-th valid NIP built from a 9-digit stem (stems with check 10 are skipped)."""
    stem = 100_000_000 + n * 7
    while True:
        digits = [int(c) for c in f"{stem:09d}"]
        check = sum(w * d for w, d in zip(NIP_WEIGHTS, digits, strict=True)) % 11
        if check != 10:
            return f"{stem:09d}{check}"
        stem += 1


def valid_regon(n: int) -> str:
    stem = 10_000_000 + n * 13
    digits = [int(c) for c in f"{stem:08d}"]
    check = sum(w * d for w, d in zip(REGON_WEIGHTS, digits, strict=True)) % 11 % 10
    return f"{stem:08d}{check}"


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = OrganisationKind.NGO
    name = factory.Sequence(lambda n: f"Fundacja Sąsiedzka nr {n}")
    legal_form = LegalForm.FOUNDATION
    krs = factory.Sequence(lambda n: f"{n + 1:010d}")
    nip = factory.Sequence(valid_nip)
    regon = factory.Sequence(valid_regon)
    street_address = "ul. Floriańska 1"
    postal_code = "31-019"
    city = "Kraków"
    email = factory.Sequence(lambda n: f"biuro{n}@fundacja.example.org")
    status = VerificationStatus.VERIFIED
    verified_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == VerificationStatus.VERIFIED else None
    )
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def representative(obj: Organisation, create: bool, extracted: Any, **kwargs: Any) -> None:
        """``representative=user`` makes the user its representative (the creator by default)."""
        if not create:
            return
        Membership.objects.create(
            organisation=obj,
            user=extracted or obj.created_by,
            role=MembershipRole.REPRESENTATIVE,
            added_by=obj.created_by,
        )
        if obj.kind == OrganisationKind.NGO:
            OrganisationPerson.objects.create(
                organisation=obj,
                full_name="Anna Prezeska",
                role=PersonRole.BOARD_MEMBER,
                function="prezeska zarządu",
                may_represent=True,
            )


class InformalGroupFactory(OrganisationFactory):
    kind = OrganisationKind.INFORMAL_GROUP
    name = factory.Sequence(lambda n: f"Sąsiedzi z ulicy {n}")
    legal_form = ""
    krs = ""
    nip = ""
    regon = ""

    @factory.post_generation
    def members(obj: Organisation, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Three adults, the first of them the leader, unless ``members=False``."""
        if not create or extracted is False:
            return
        for i, role in enumerate(
            [PersonRole.GROUP_LEADER, PersonRole.GROUP_MEMBER, PersonRole.GROUP_MEMBER]
        ):
            OrganisationPerson.objects.create(
                organisation=obj,
                full_name=f"Członek Grupy {i + 1}",
                role=role,
                may_represent=role == PersonRole.GROUP_LEADER,
                birth_date=date(1980 + i, 5, 1),
            )


class IndividualFactory(OrganisationFactory):
    kind = OrganisationKind.INDIVIDUAL
    name = factory.Sequence(lambda n: f"Jan Młody {n}")
    legal_form = ""
    krs = ""
    nip = ""
    regon = ""

    @factory.post_generation
    def person(obj: Organisation, create: bool, extracted: Any, **kwargs: Any) -> None:
        """The applicant in person: ``person__birth_date=…``, ``person__guardian=True``."""
        if not create:
            return
        OrganisationPerson.objects.create(
            organisation=obj,
            full_name=obj.name,
            role=PersonRole.APPLICANT,
            may_represent=True,
            birth_date=kwargs.get("birth_date", date(1990, 1, 1)),
            user=obj.created_by,
        )
        if kwargs.get("guardian"):
            OrganisationPerson.objects.create(
                organisation=obj,
                full_name="Opiekunka Pełnoletnia",
                role=PersonRole.GUARDIAN,
                birth_date=date(1975, 3, 3),
            )
