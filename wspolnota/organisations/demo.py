"""Demo registry: NGOs and informal groups of Kraków (invented names and numbers with valid
check digits), entered, completed and verified through the services, as real users would.

``ngo@demo.wspolnota.pl`` represents Fundacja Wspólne Podwórko; one entry waits in the
officials' verification queue. The grants demo (loaded after this one) files their applications.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.organisations import permissions, services
from wspolnota.organisations.models import (
    DocumentKind,
    Organisation,
    OrganisationKind,
    PersonRole,
    VerificationStatus,
)
from wspolnota.territory.models import District

OFFICIAL_EMAIL = "urzednik@demo.wspolnota.pl"
ADMIN_EMAIL = "admin@demo.wspolnota.pl"

# People who act for the demo entries but do not log in (no usable password).
EXTRA_PEOPLE = [
    ("zarzad.bronowice@demo.wspolnota.pl", "Halina Bronowicka", 6),
    ("razem.nowahuta@demo.wspolnota.pl", "Iryna Sahaidak", 18),
]


@dataclass(frozen=True)
class Person:
    full_name: str
    role: str
    function: str = ""
    may_represent: bool = False
    birth_date: date | None = None


@dataclass(frozen=True)
class Entry:
    representative: str
    kind: str
    name: str
    description: str
    districts: tuple[int, ...]
    areas: tuple[str, ...]
    people: tuple[Person, ...]
    verify: bool = True
    legal_form: str = ""
    krs: str = ""
    nip: str = ""
    regon: str = ""
    public_benefit_status: bool = False
    street_address: str = ""
    postal_code: str = ""
    email: str = ""
    website: str = ""
    documents: tuple[tuple[str, str, bool], ...] = field(default=())


ENTRIES = [
    Entry(
        representative="ngo@demo.wspolnota.pl",
        kind=OrganisationKind.NGO,
        name="Fundacja Wspólne Podwórko",
        legal_form="foundation",
        krs="0000612345",
        nip="6772453101",
        regon="361842156",
        public_benefit_status=True,
        street_address="ul. Limanowskiego 24",
        postal_code="30-551",
        email="biuro@wspolnepodworko.example.org",
        website="https://wspolnepodworko.example.org",
        description=(
            "Ożywiamy podwórka i skwery Podgórza: warsztaty dla dzieci, sąsiedzkie pikniki, "
            "ogródki społeczne. Działamy z mieszkańcami, radami dzielnic i szkołami."
        ),
        districts=(13, 12, 1),
        areas=("local_community", "youth_leisure", "ecology"),
        people=(
            Person("Tomasz Społeczny", PersonRole.BOARD_MEMBER, "prezes zarządu", True),
            Person("Magdalena Zielińska", PersonRole.BOARD_MEMBER, "wiceprezeska zarządu", True),
        ),
        documents=(
            (DocumentKind.STATUTE, "Statut fundacji", True),
            (DocumentKind.ANNUAL_REPORT, "Sprawozdanie merytoryczne za 2025 rok", True),
        ),
    ),
    Entry(
        representative="zarzad.bronowice@demo.wspolnota.pl",
        kind=OrganisationKind.NGO,
        name="Towarzystwo Przyjaciół Bronowic",
        legal_form="association",
        krs="0000287654",
        nip="6793182647",
        regon="122647891",
        street_address="ul. Rydla 29",
        postal_code="30-087",
        email="kontakt@przyjacielebronowic.example.org",
        description=(
            "Dbamy o pamięć i tradycje Bronowic: spacery historyczne, wystawy, "
            "spotkania międzypokoleniowe w Rydlówce i na osiedlach."
        ),
        districts=(6,),
        areas=("culture", "seniors"),
        people=(Person("Halina Bronowicka", PersonRole.BOARD_MEMBER, "prezeska zarządu", True),),
        documents=((DocumentKind.REGISTER_EXTRACT, "Odpis z KRS", False),),
    ),
    Entry(
        representative="razem.nowahuta@demo.wspolnota.pl",
        kind=OrganisationKind.NGO,
        name="Stowarzyszenie Razem w Nowej Hucie",
        legal_form="association",
        krs="0000954321",
        nip="9451974022",
        regon="356124083",
        street_address="os. Centrum E 1",
        postal_code="31-934",
        email="razem@nowahuta.example.org",
        description=(
            "Pomagamy rodzinom z Ukrainy i innych krajów zadomowić się w Nowej Hucie: kursy "
            "polskiego, dyżury doradców, zajęcia dla dzieci, wspólne święta z sąsiadami."
        ),
        districts=(18, 14),
        areas=("foreigners", "education", "family"),
        people=(
            Person("Iryna Sahaidak", PersonRole.BOARD_MEMBER, "prezeska zarządu", True),
            Person("Marek Nowohucki", PersonRole.BOARD_MEMBER, "skarbnik", False),
        ),
        documents=((DocumentKind.STATUTE, "Statut stowarzyszenia", True),),
    ),
    Entry(
        representative="mieszkanka@demo.wspolnota.pl",
        kind=OrganisationKind.INFORMAL_GROUP,
        name="Sąsiedzi z Kazimierza",
        description="Mieszkańcy ulic Estery i Miodowej, którzy razem dbają o swoje podwórka.",
        districts=(1,),
        areas=("local_community",),
        people=(
            Person("Anna Mieszkańska", PersonRole.GROUP_LEADER, birth_date=date(1984, 4, 12)),
            Person("Jan Kowalczyk", PersonRole.GROUP_MEMBER, birth_date=date(1957, 9, 3)),
            Person("Zofia Wiśniewska", PersonRole.GROUP_MEMBER, birth_date=date(1992, 1, 30)),
        ),
    ),
    Entry(
        representative="resident.en@demo.wspolnota.pl",
        kind=OrganisationKind.NGO,
        name="Uczniowski Klub Sportowy Zwierzyniec Biega",
        legal_form="sports_club",
        nip="6762518394",
        regon="380715368",
        street_address="ul. Królowej Jadwigi 78",
        postal_code="30-209",
        description="Biegi przełajowe i nordic walking dla uczniów i ich rodziców.",
        districts=(7, 5),
        areas=("sport",),
        people=(Person("John Resident", PersonRole.BOARD_MEMBER, "prezes zarządu", True),),
        documents=((DocumentKind.STATUTE, "Statut klubu", False),),
        verify=False,
    ),
]


def _pdf(title: str, organisation: str) -> bytes:
    """A one-page PDF standing in for a scanned document."""
    from weasyprint import HTML  # imported here: loading WeasyPrint takes a moment

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    html = (
        '<html lang="pl"><head><meta charset="utf-8"><style>body{font-family:"DejaVu Sans"}'
        f"</style></head><body><h1>{title}</h1><p>{organisation}</p>"
        "<p>Dokument przykładowy w danych demonstracyjnych platformy Wspólnota.</p></body></html>"
    )
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def _user(email: str, name: str, district: District | None) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, full_name=name, district=district, preferred_language="pl"
        )
    return user


def load() -> list[str]:
    official = User.objects.filter(email=OFFICIAL_EMAIL).first()
    if official is None or not District.objects.exists():
        return []
    # The demo's entries were verified by whoever keeps the registry: the administrator unless
    # ORGANISATIONS_REGISTRY_UNIT names a unit (officials of other units do not verify).
    registry_keeper = (
        official
        if permissions.can_verify_organisations(official)
        else User.objects.filter(email=ADMIN_EMAIL).first() or official
    )
    if Organisation.objects.filter(name=ENTRIES[0].name).exists():
        return ["Registry: demo NGOs and groups already loaded"]
    districts = {d.number: d for d in District.objects.all()}
    for email, name, district_number in EXTRA_PEOPLE:
        _user(email, name, districts.get(district_number))
    verified_at = timezone.now() - timedelta(days=240)
    names = []
    for entry in ENTRIES:
        user = User.objects.get(email=entry.representative)
        organisation = services.organisation_register(
            user=user,
            kind=entry.kind,
            name=entry.name,
            legal_form=entry.legal_form,
            krs=entry.krs,
            nip=entry.nip,
            regon=entry.regon,
            public_benefit_status=entry.public_benefit_status,
            street_address=entry.street_address,
            postal_code=entry.postal_code,
            city="Kraków" if entry.street_address else "",
            email=entry.email,
            website=entry.website,
            description=entry.description,
            districts=[districts[n] for n in entry.districts if n in districts],
            areas=entry.areas,
        )
        for person in entry.people:
            services.person_add(
                actor=user,
                organisation=organisation,
                full_name=person.full_name,
                role=person.role,
                function=person.function,
                may_represent=person.may_represent,
                birth_date=person.birth_date,
            )
        for kind, title, public in entry.documents:
            upload = SimpleUploadedFile(
                f"{kind}.pdf", _pdf(title, entry.name), content_type="application/pdf"
            )
            services.document_add(
                actor=user,
                organisation=organisation,
                kind=kind,
                title=title,
                upload=upload,
                is_public=public,
            )
        services.organisation_request_verification(actor=user, organisation=organisation)
        if entry.verify:
            services.organisation_verify(
                actor=registry_keeper, organisation=organisation, approve=True
            )
            # The registry has been in use for a while: the entries were verified in spring.
            Organisation.objects.filter(pk=organisation.pk).update(
                verified_at=verified_at, status_changed_at=verified_at
            )
        names.append(entry.name)
    pending = Organisation.objects.filter(status=VerificationStatus.PENDING).count()
    return [
        f"Registry: {len(names)} applicants ({', '.join(names)}); "
        f"{pending} waiting for verification; ngo@demo.wspolnota.pl represents {names[0]}"
    ]
