"""One whole life per kind of programme, through the services: a programme of a unit, a call
published with frozen rules, an announced amendment, three applications, the evaluation the kind
needs (commission scores, or publication for remarks), a full award, a partial award with the
applicant's confirmed budget, a refusal onto the reserve list, a resignation whose money goes to
the reserve, agreements, an annex, tranches, a final report and a settlement with a return of
unspent money and its recorded payment. Every official's act is audit-logged and the chain holds.

A local initiative is in kind (the city buys the goods and services itself), so its settlement
has nothing to return: the test checks that none is demanded."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.selectors import audit_chain_verify
from wspolnota.grants import selectors, services
from wspolnota.grants.models import (
    AgreementStatus,
    Application,
    ApplicationStatus,
    AwardStatus,
    ProgrammeKind,
    ReportKind,
)
from wspolnota.grants.tests.factories import make_application
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
IBAN = "PL61 1090 1014 0000 0712 1981 2874"

# kind: (requested A, B, C), pool, partial award for B
PLANS = {
    ProgrammeKind.MICRO_GRANT: ((4_000, 3_000, 2_500), 7_000, 2_800),
    ProgrammeKind.LOCAL_INITIATIVE: ((6_000, 5_000, 4_000), 11_000, 4_500),
    ProgrammeKind.SMALL_GRANT: ((6_000, 5_000, 4_000), 11_000, 4_500),
    ProgrammeKind.OPEN_COMPETITION: ((6_000, 5_000, 4_000), 11_000, 4_500),
}


def _user(role=None, **scope):
    user = UserFactory()
    if role is not None:
        RoleAssignmentFactory(user=user, role=role, **scope)
    return user


def _points(application, share):
    return {
        c.pk: (c.max_points * share).quantize(Decimal(1)) for c in application.call.criteria.all()
    }


@pytest.mark.parametrize("kind", list(PLANS))
def test_a_programme_kind_from_publication_to_a_settled_return(kind):
    (ask_a, ask_b, ask_c), pool, partial = PLANS[kind]
    unit = CityUnitFactory()
    owner = _user(Role.OFFICIAL, city_unit=unit)
    admin = _user(Role.ADMINISTRATOR)
    now = timezone.now()
    year = timezone.localdate().year
    services.year_plan_set(
        actor=admin, year=year, planned_ngo_grants=Decimal(1_000_000), basis="Uchwała budżetowa"
    )

    programme = services.programme_create(actor=owner, kind=kind, name=f"Program {kind}")
    assert programme.city_unit == unit
    rolling = programme.rolling
    call = services.call_create(
        actor=owner,
        programme=programme,
        title=f"Nabór {kind}",
        year=year,
        pool_amount=Decimal(pool),
        opens_at=now - timedelta(hours=1),
        closes_at=None if rolling else now + timedelta(days=30),
    )
    services.call_publish(actor=owner, call=call, at=now)
    call.refresh_from_db()
    assert call.version == 1 and call.rules["kind"] == kind

    # An announced amendment: version 2 with its reason; the programme itself stays as it was.
    services.call_amend(
        actor=owner,
        call=call,
        reason="Doprecyzowanie zasad po pytaniach wnioskodawców",
        description="Zadania realizowane na terenie Krakowa.",
        rules={"volunteer_hour_rate_max": Decimal(45)}
        if kind != ProgrammeKind.SMALL_GRANT
        else {"min_lead_days": 14},
        at=now,
    )
    call.refresh_from_db()
    assert call.version == 2 and [v.number for v in call.versions.all()] == [1, 2]

    applicants = [OrganisationFactory(status="verified") for _ in range(3)]
    applications = []
    for i, (applicant, ask) in enumerate(zip(applicants, (ask_a, ask_b, ask_c), strict=True)):
        draft = make_application(call, applicant, grant=ask, own=500, title=f"Zadanie {i + 1}")
        services.application_submit(
            user=applicant.created_by, application=draft, at=now + timedelta(minutes=i + 1)
        )
        services.formal_check(
            actor=owner, application=draft, passed=True, at=now + timedelta(hours=1)
        )
        applications.append(Application.objects.get(pk=draft.pk))
    first, second, third = applications
    decided = now + timedelta(days=8)  # after the 7 days of remarks on small-grant offers

    if call.terms.commission_required:
        members = []
        for _ in range(call.terms.min_assessors):
            assessor = _user()
            members.append(assessor)
            services.commission_member_add(
                actor=owner, call=call, email=assessor.email, role="member"
            )
        for assessor in members:
            for application, share in zip(applications, ("0.9", "0.8", "0.7"), strict=True):
                services.conflict_declare(
                    user=assessor, application=application, has_conflict=False
                )
                services.assessment_save(
                    user=assessor,
                    application=application,
                    points=_points(application, Decimal(share)),
                    submit=True,
                )

    services.award_grant(actor=owner, application=first, amount=Decimal(ask_a), at=decided)
    services.award_grant(
        actor=owner,
        application=second,
        amount=Decimal(partial),
        justification="Bez kosztów promocji",
        at=decided,
    )
    services.application_refuse(
        actor=owner, application=third, reason="Brak środków w puli", at=decided
    )
    assert [r.application.pk for r in selectors.reserve_list(call)] == [third.pk]

    # The first applicant resigns before signing: the money returns to the pool, the reserve
    # list's first application is offered it.
    services.award_resign(
        user=first.applicant.created_by, application=first, reason="Lider projektu wyjechał"
    )
    assert first.award.__class__.objects.get(application=first).status == AwardStatus.RESIGNED
    services.award_grant(
        actor=owner, application=third, amount=Decimal(ask_c), from_reserve=True, at=decided
    )
    assert selectors.call_pool(call).awarded == Decimal(partial) + Decimal(ask_c)

    # Partial funding: the applicant confirms the budget the agreement will carry.
    services.award_budget_confirm(
        user=second.applicant.created_by,
        application=second,
        rows=[services.UpdatedLine(position=1, grant=Decimal(partial), own=Decimal(500))],
    )

    in_kind = call.terms.in_kind_only
    agreements = {}
    for application in (second, third):
        application.refresh_from_db()
        end = application.end_date
        agreement = services.agreement_save(
            actor=owner,
            application=application,
            start_date=application.start_date,
            end_date=end,
            report_due_date=end + timedelta(days=30),
            city_signatory="Dyrektor Wydziału",
            applicant_signatories="Prezes zarządu",
            bank_account="" if in_kind else IBAN,
        )
        if not in_kind:
            services.tranches_set(
                actor=owner,
                agreement=agreement,
                tranches=[(agreement.amount, application.start_date)],
            )
        services.agreement_sign(actor=owner, agreement=agreement, signed_on=timezone.localdate())
        agreement.refresh_from_db()
        if not in_kind:
            services.tranche_mark_paid(
                actor=owner, tranche=agreement.tranches.get(), paid_on=application.start_date
            )
        agreements[application.pk] = agreement

    # An annex on the reserve application's agreement: a shorter task, version 2.
    third_agreement = agreements[third.pk]
    annex = services.agreement_annex(
        actor=owner,
        agreement=third_agreement,
        reason="Krótszy harmonogram",
        signed_on=timezone.localdate(),
        end_date=third_agreement.end_date - timedelta(days=5),
    )
    third_agreement.refresh_from_db()
    assert annex.number == 1 and third_agreement.version == 2

    # The partially funded task reports 300 PLN unspent; accepting the report settles it and
    # (for money grants) demands the 300 PLN back with its due and interest dates.
    agreement = agreements[second.pk]
    representative = second.applicant.created_by
    report = services.report_start(
        user=representative,
        agreement=agreement,
        kind=ReportKind.FINAL,
        period_from=agreement.start_date,
        period_to=agreement.end_date,
    )
    line = report.lines.get()
    services.report_update(
        user=representative,
        report=report,
        narrative="Zadanie wykonano; tańsze materiały.",
        costs={
            line.pk: services.ActualCost(
                actual_grant=Decimal(partial - 300),
                actual_own=Decimal(500),
                actual_in_kind=Decimal(0),
                actual_volunteer=Decimal(0),
                explanation="Tańsze materiały",
            )
        },
        achieved={r.pk: "40 osób" for r in report.results.all()},
    )
    services.report_submit(user=representative, report=report)
    services.report_review(actor=owner, report=report, accept=True)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SETTLED
    if in_kind:
        assert not agreement.returns.exists()
    else:
        owed = agreement.returns.get()
        assert owed.amount == Decimal(300)
        assert owed.interest_from == owed.due_date + timedelta(days=1)
        services.fund_return_record(
            actor=owner, fund_return=owed, returned_on=owed.due_date, amount=Decimal(300)
        )
    second.refresh_from_db()
    assert second.status == ApplicationStatus.AWARDED
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {
        "grants.call_amended",
        "grants.award_resigned",
        "grants.awarded_from_reserve",
        "grants.budget_confirmed",
        "grants.annex_signed",
        "grants.agreement_settled",
    } <= actions
    assert audit_chain_verify().valid
