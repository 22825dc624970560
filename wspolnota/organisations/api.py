"""Read API of the public registry: verified NGOs and informal groups.

No personal data: the people named in an entry's records (board members, group members,
guardians) and individual applicants are never listed. Contact details are given for NGOs
(legal persons) only — an informal group's address or phone is usually a member's own.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from wspolnota.core.parsing import BoundedPagination
from wspolnota.organisations import selectors
from wspolnota.organisations.models import (
    Organisation,
    OrganisationDocument,
    OrganisationKind,
    PublicBenefitArea,
)
from wspolnota.territory.models import District

API_PREFIX = "/organisations"
router = Router()

MAX_ID = 2**31 - 1  # larger numbers are no id: a clear 422, never a database overflow
NO_NUL = r"^[^\x00]*$"


class DistrictRef(Schema):
    number: int
    name: str


class AreaOut(Schema):
    code: str = Field(description=", ".join(PublicBenefitArea.values))
    label: str


class ContactOut(Schema):
    street_address: str
    postal_code: str
    city: str
    email: str
    phone: str
    website: str


class OrganisationOut(Schema):
    id: int
    kind: str = Field(description="ngo or informal_group")
    kind_label: str
    name: str
    legal_form: str
    legal_form_label: str
    krs: str = Field(description="National Court Register number, 10 digits; empty if none")
    nip: str
    regon: str
    public_benefit_status: bool = Field(description="organizacja pożytku publicznego (OPP)")
    description: str
    districts: list[DistrictRef]
    areas: list[AreaOut]
    contact: ContactOut | None = Field(description="NGOs only; null for informal groups")
    verified_at: datetime | None
    url: str

    @staticmethod
    def resolve_kind_label(obj: Organisation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_legal_form_label(obj: Organisation) -> str:
        return str(obj.get_legal_form_display()) if obj.legal_form else ""

    @staticmethod
    def resolve_districts(obj: Organisation) -> list[District]:
        return sorted(obj.districts.all(), key=lambda d: d.number)

    @staticmethod
    def resolve_areas(obj: Organisation) -> list[dict[str, str]]:
        return [{"code": a.area, "label": str(a.get_area_display())} for a in obj.areas.all()]

    @staticmethod
    def resolve_contact(obj: Organisation) -> Organisation | None:
        return obj if obj.kind == OrganisationKind.NGO else None

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return settings.SITE_URL + reverse("organisations:detail", args=[obj.pk])


class DocumentOut(Schema):
    kind: str
    kind_label: str
    title: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_kind_label(obj: OrganisationDocument) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_uploaded_at(obj: OrganisationDocument) -> datetime:
        return obj.created_at

    @staticmethod
    def resolve_url(obj: OrganisationDocument) -> str:
        return settings.SITE_URL + reverse(
            "organisations:document_download", args=[obj.organisation_id, obj.pk]
        )


class OrganisationDetailOut(OrganisationOut):
    documents: list[DocumentOut] = Field(description="the documents the entry makes public")

    @staticmethod
    def resolve_documents(obj: Organisation) -> list[OrganisationDocument]:
        return list(selectors.organisation_public_documents(organisation=obj))


class RegistryFilters(Schema):
    kind: str = Field("", max_length=30, pattern=NO_NUL, description="ngo or informal_group")
    district: int | None = Field(None, ge=1, le=99, description="a district number")
    area: str = Field("", max_length=30, pattern=NO_NUL, description="a public-benefit area code")
    q: str = Field(
        "",
        max_length=200,
        pattern=NO_NUL,
        description="part of the name, or of KRS, NIP or REGON",
    )


@router.get(
    "", response=list[OrganisationOut], summary="Public registry of NGOs and informal groups"
)
@paginate(BoundedPagination)
def registry(request: HttpRequest, filters: Query[RegistryFilters]) -> QuerySet[Organisation]:
    district = None
    if filters.district is not None:
        district = District.objects.filter(number=filters.district).first()
        if district is None:
            return Organisation.objects.none()
    return selectors.organisation_public_list(
        kind=filters.kind, district=district, area=filters.area, query=filters.q.strip()
    )


@router.get(
    "/{organisation_id}", response=OrganisationDetailOut, summary="One public registry entry"
)
def organisation(
    request: HttpRequest, organisation_id: int = Path(..., ge=1, le=MAX_ID)
) -> Organisation:
    found = selectors.organisation_get_for(None, organisation_id)
    if not found.is_public:
        raise Http404
    return found
