"""Argument values for the every-URL sweep: a small-grant call with an offer published for
remarks, an awarded application with a signed agreement, a tranche and a draft report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from wspolnota.grants.models import (
    Agreement,
    AgreementStatus,
    ApplicationStatus,
    Attachment,
    Award,
    FundReturn,
    ProgrammeKind,
    Report,
    ReportKind,
    Tranche,
)
from wspolnota.grants.tests.factories import (
    make_application,
    make_call,
    make_member,
    make_programme,
)
from wspolnota.organisations.tests.factories import OrganisationFactory


def url_samples(request: Any) -> dict[str, Any]:
    request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"
    official = request.getfixturevalue("official")
    ngo_member = request.getfixturevalue("ngo_member")
    moderator = request.getfixturevalue("moderator")
    now = timezone.now()
    programme = make_programme(ProgrammeKind.SMALL_GRANT, created_by=official)
    call = make_call(programme, created_by=official, pool=50_000)
    organisation = OrganisationFactory(created_by=ngo_member, representative=ngo_member)
    offer = make_application(
        call,
        organisation,
        grant=8_000,
        status=ApplicationStatus.IN_ASSESSMENT,
        submitted_at=now - timedelta(days=2),
        number="MZ/2025/0/0001",
        remarks_from=now - timedelta(days=1),
        remarks_until=now + timedelta(days=6),
    )
    attachment = Attachment(
        application=offer,
        title="Kosztorys",
        original_name="kosztorys.pdf",
        content_type="application/pdf",
        size=9,
        sha256="0" * 64,
        uploaded_by=ngo_member,
    )
    attachment.file.save("kosztorys.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    member = make_member(call, moderator)
    other = OrganisationFactory(created_by=ngo_member, representative=ngo_member)
    awarded = make_application(
        call,
        other,
        grant=5_000,
        status=ApplicationStatus.AWARDED,
        submitted_at=now - timedelta(days=40),
        number="MZ/2025/0/0002",
    )
    Award.objects.create(application=awarded, call=call, amount=Decimal(5_000), decided_by=official)
    agreement = Agreement.objects.create(
        application=awarded,
        number="MZ/2025/0/0002/U",
        amount=Decimal(5_000),
        start_date=awarded.start_date,
        end_date=awarded.end_date,
        report_due_date=awarded.end_date + timedelta(days=30),
        city_signatory="Dyrektor Wydziału",
        applicant_signatories="Anna Prezeska",
        bank_account="PL61109010140000071219812874",
        status=AgreementStatus.SIGNED,
        signed_on=timezone.localdate(),
        created_by=official,
    )
    tranche = Tranche.objects.create(
        agreement=agreement, position=1, amount=Decimal(5_000), due_date=timezone.localdate()
    )
    report = Report.objects.create(
        agreement=agreement,
        kind=ReportKind.FINAL,
        period_from=agreement.start_date,
        period_to=agreement.end_date,
        created_by=ngo_member,
    )
    fund_return = FundReturn.objects.create(
        agreement=agreement,
        reason="unspent",
        amount=Decimal(100),
        due_date=timezone.localdate(),
        interest_from=timezone.localdate() + timedelta(days=1),
        requested_by=official,
    )
    return {
        "grant_return_id": fund_return.pk,
        "grant_export": "wnioski",
        "grant_export_format": "xlsx",
        "grant_programme_id": programme.pk,
        "grant_call_id": call.pk,
        "grant_application_id": offer.pk,
        "grant_attachment_id": attachment.pk,
        "grant_member_id": member.pk,
        "grant_agreement_id": agreement.pk,
        "grant_tranche_id": tranche.pk,
        "grant_report_id": report.pk,
    }
