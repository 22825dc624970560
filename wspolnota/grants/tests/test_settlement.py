"""Agreements, payment tranches, interim and final reports with the tolerance rule, archive."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.core.models import AuditLogEntry
from wspolnota.grants import selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    AgreementStatus,
    ApplicationStatus,
    Award,
    ProgrammeKind,
    ReportKind,
    ReportStatus,
)
from wspolnota.grants.settlement import settlement_breaches
from wspolnota.grants.tests.factories import (
    budget_line,
    make_application,
    make_call,
    make_programme,
)
from wspolnota.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

IBAN = "PL61 1090 1014 0000 0712 1981 2874"


def awarded(official, *, kind=ProgrammeKind.OPEN_COMPETITION, amount=10_000, requested=None):
    call = make_call(make_programme(kind), created_by=official)
    applicant = OrganisationFactory()
    application = make_application(
        call,
        applicant,
        grant=requested or amount,
        own=1_000,
        status=ApplicationStatus.AWARDED,
        submitted_at=timezone.now(),
        number=f"OK/2025/{call.pk}/0001",
    )
    Award.objects.create(application=application, call=call, amount=amount, decided_by=official)
    return application


def agreement_for(official, application, *, tranches=True):
    agreement = services.agreement_save(
        actor=official,
        application=application,
        start_date=application.start_date,
        end_date=application.end_date,
        report_due_date=application.end_date + timedelta(days=30),
        city_signatory="Dyrektor Wydziału",
        applicant_signatories="Anna Prezeska",
        bank_account="" if application.call.programme.in_kind_only else IBAN,
    )
    if tranches:
        half = agreement.amount / 2
        services.tranches_set(
            actor=official,
            agreement=agreement,
            tranches=[
                (half, application.start_date),
                (half, application.start_date + timedelta(days=10)),
            ],
        )
    services.agreement_sign(actor=official, agreement=agreement, signed_on=timezone.localdate())
    agreement.refresh_from_db()
    return agreement


def test_an_agreement_needs_a_valid_bank_account_and_tranches_that_add_up(official):
    application = awarded(official)
    kwargs = {
        "actor": official,
        "application": application,
        "start_date": application.start_date,
        "end_date": application.end_date,
        "report_due_date": application.end_date + timedelta(days=30),
        "city_signatory": "Dyrektor",
        "applicant_signatories": "Prezes",
    }
    with pytest.raises(GrantsError) as caught:
        services.agreement_save(**kwargs, bank_account="PL61 1090 1014 0000 0712 1981 2875")
    assert caught.value.code == "iban_invalid"
    agreement = services.agreement_save(**kwargs, bank_account="61109010140000071219812874")
    assert agreement.bank_account == "PL61109010140000071219812874"
    assert agreement.number == f"{application.number}/U"
    with pytest.raises(GrantsError) as caught:
        services.agreement_sign(actor=official, agreement=agreement, signed_on=timezone.localdate())
    assert caught.value.code == "tranches_sum"
    with pytest.raises(GrantsError) as caught:
        services.tranches_set(
            actor=official,
            agreement=agreement,
            tranches=[
                (Decimal(6_000), application.start_date),
                (Decimal(3_000), application.end_date),
            ],
        )
    assert str(caught.value) == (
        "Transze (9\xa0000,00 zł) muszą sumować się do kwoty umowy (10\xa0000,00 zł)."
    )


def test_a_local_initiative_agreement_has_no_tranches(official):
    application = awarded(official, kind=ProgrammeKind.LOCAL_INITIATIVE, amount=5_000)
    agreement = agreement_for(official, application, tranches=False)
    assert agreement.status == AgreementStatus.SIGNED and agreement.bank_account == ""
    agreement.status = AgreementStatus.DRAFT
    with pytest.raises(GrantsError) as caught:
        services.tranches_set(
            actor=official, agreement=agreement, tranches=[(Decimal(5_000), timezone.localdate())]
        )
    assert caught.value.code == "tranches_in_kind"


def test_tranches_are_paid_after_signing_and_each_payment_is_audit_logged(official):
    agreement = agreement_for(official, awarded(official))
    tranche = agreement.tranches.first()
    services.tranche_mark_paid(actor=official, tranche=tranche, paid_on=timezone.localdate())
    with pytest.raises(GrantsError) as caught:
        services.tranche_mark_paid(actor=official, tranche=tranche, paid_on=timezone.localdate())
    assert caught.value.code == "tranche_paid"
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {
        "grants.agreement_saved",
        "grants.tranches_set",
        "grants.agreement_signed",
        "grants.tranche_paid",
    } <= actions


def report_with(official, application, agreement, actuals, *, kind=ReportKind.FINAL, explain=True):
    user = application.applicant.created_by
    report = services.report_start(
        user=user,
        agreement=agreement,
        kind=kind,
        period_from=agreement.start_date,
        period_to=agreement.end_date,
    )
    lines = list(report.lines.select_related("budget_line"))
    services.report_update(
        user=user,
        report=report,
        narrative="Zrobiliśmy wszystko, co zaplanowaliśmy.",
        costs={
            line.pk: services.ActualCost(
                actual_grant=Decimal(grant),
                actual_own=Decimal(own),
                actual_in_kind=Decimal(0),
                actual_volunteer=Decimal(0),
                explanation="Ceny wzrosły" if explain else "",
            )
            for line, (grant, own) in zip(lines, actuals, strict=True)
        },
        achieved={result.pk: "42 osoby" for result in report.results.all()},
    )
    return report


def test_a_final_report_within_the_tolerance_settles_the_agreement(official):
    application = awarded(official, amount=10_000)
    budget_line(application, 2, grant=0, own=500, description="Catering")
    agreement = agreement_for(official, application)
    report = report_with(official, application, agreement, [(9_500, 1_000), (0, 600)])
    settlement = selectors.report_settlement(report)
    assert settlement.to_return == Decimal(500) and settlement_breaches(settlement) == []
    services.report_submit(user=application.applicant.created_by, report=report)
    with pytest.raises(GrantsError) as caught:
        services.report_review(actor=official, report=report, accept=False)
    assert caught.value.field == "note"
    services.report_review(actor=official, report=report, accept=True)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SETTLED
    services.agreement_archive(actor=official, agreement=agreement)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ARCHIVED and agreement.archived_at
    actions = list(
        AuditLogEntry.objects.filter(action__startswith="grants.").values_list("action", flat=True)
    )
    assert actions[-4:] == [
        "grants.report_accepted",
        "grants.agreement_settled",
        "grants.return_requested",
        "grants.agreement_archived",
    ]
    # The 500 PLN left unspent is owed back 15 days after the task ends, interest after that.
    owed = agreement.returns.get()
    assert (owed.amount, owed.reason) == (Decimal(500), "unspent")
    assert owed.due_date >= agreement.end_date + timedelta(days=15)
    assert owed.interest_from == owed.due_date + timedelta(days=1)


def test_a_line_grown_by_more_than_the_tolerance_is_a_breach_and_its_excess_is_returned(official):
    application = awarded(official, amount=10_000)
    budget_line(application, 2, grant=2_000, own=0, description="Druk")
    application.requested_amount = Decimal(12_000)
    application.save()
    # Awarded 10,000 of 12,000 requested: the applicant confirms the plan cut to 8,333.33 and
    # 1,666.67 before the agreement is signed.
    services.award_budget_confirm(
        user=application.applicant.created_by,
        application=application,
        rows=[
            services.UpdatedLine(position=1, grant=Decimal("8333.33"), own=Decimal(1_000)),
            services.UpdatedLine(position=2, grant=Decimal("1666.67")),
        ],
    )
    agreement = agreement_for(official, application)
    report = report_with(official, application, agreement, [(8_000, 1_000), (1_900, 0)])
    settlement = selectors.report_settlement(report)
    assert [line.planned_grant for line in settlement.lines] == [
        Decimal("8333.33"),
        Decimal("1666.67"),
    ]
    breaches = settlement_breaches(settlement)
    assert [b.code for b in breaches] == ["report_line_over"]
    assert str(breaches[0]) == (
        "Pozycja 2 „Druk”: wydatki ze wsparcia (1\xa0900,00 zł) przekraczają plan (1\xa0666,67 zł) "
        "o więcej niż 10%."
    )
    # unspent 100 + excess above 110 % of the plan on line 2 (1,900 − 1,833.34 = 66.66)
    assert settlement.to_return == Decimal("166.66")
    services.report_submit(user=application.applicant.created_by, report=report)
    assert (
        AuditLogEntry.objects.get(action="grants.report_submitted").after["to_return"] == "166.66"
    )


def test_a_report_spending_more_than_the_agreement_or_unexplained_is_refused(official):
    application = awarded(official, amount=10_000)
    agreement = agreement_for(official, application)
    user = application.applicant.created_by
    report = report_with(official, application, agreement, [(10_500, 1_000)])
    with pytest.raises(GrantsError) as caught:
        services.report_submit(user=user, report=report)
    assert caught.value.code == "report_total_over"
    unexplained = report_with(
        official, application, agreement, [(9_000, 1_000)], kind=ReportKind.INTERIM, explain=False
    )
    services.report_submit(user=user, report=unexplained)  # interim: only the total is checked
    report.delete()
    final = report_with(official, application, agreement, [(9_000, 1_000)], explain=False)
    with pytest.raises(GrantsError) as caught:
        services.report_submit(user=user, report=final)
    assert str(caught.value) == "Pozycja 1: wyjaśnij różnicę między planem a wykonaniem."


def test_a_short_own_contribution_is_flagged(official):
    application = awarded(official, amount=10_000)
    agreement = agreement_for(official, application)
    report = report_with(official, application, agreement, [(10_000, 800)])
    assert [b.code for b in settlement_breaches(selectors.report_settlement(report))] == [
        "report_contribution_short"
    ]


def test_a_returned_report_is_corrected_and_filed_again(official):
    application = awarded(official)
    agreement = agreement_for(official, application)
    user = application.applicant.created_by
    report = report_with(official, application, agreement, [(10_000, 1_000)])
    services.report_submit(user=user, report=report)
    with pytest.raises(GrantsError):
        services.report_update(user=user, report=report, narrative="x", costs={}, achieved={})
    services.report_review(actor=official, report=report, accept=False, note="Brak faktur")
    report.refresh_from_db()
    assert report.status == ReportStatus.CORRECTIONS
    services.report_update(user=user, report=report, narrative="Z fakturami", costs={}, achieved={})
    services.report_submit(user=user, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_agreement_pdf_holds_its_data(client, official):
    import shutil
    import subprocess

    agreement = agreement_for(official, awarded(official))
    client.force_login(official)
    response = client.get(f"/pl/granty/umowy/{agreement.pk}/umowa.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        assert agreement.number in text and "PL61109010140000071219812874" in text
    assert client.__class__().get(f"/pl/granty/umowy/{agreement.pk}/umowa.pdf").status_code == 302
