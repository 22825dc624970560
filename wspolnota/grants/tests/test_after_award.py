"""Life after the award, attack by attack: a resignation releases the money and the reserve list
is offered it in order; partial funding needs the applicant's confirmed budget before signing;
annexes are numbered versions within the act; termination and returns record their dates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.grants import selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    AgreementStatus,
    ApplicationStatus,
    Award,
    AwardStatus,
    ProgrammeKind,
    ReturnReason,
)
from wspolnota.grants.tests.factories import (
    make_application,
    make_call,
    make_member,
    make_programme,
    score,
)
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
IBAN = "PL61 1090 1014 0000 0712 1981 2874"


@pytest.fixture
def owner():
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return user


def _scored_call(owner, *, pool=10_000, kind=ProgrammeKind.OPEN_COMPETITION):
    call = make_call(make_programme(kind, created_by=owner), created_by=owner, pool=pool)
    members = [make_member(call), make_member(call)]
    return call, members


def _scored(call, members, grant, points):
    application = make_application(
        call,
        OrganisationFactory(status="verified"),
        grant=grant,
        own=500,
        status=ApplicationStatus.IN_ASSESSMENT,
        submitted_at=timezone.now(),
    )
    for member in members:
        score(member, application, points)
    return application


def _sign(owner, application, *, end_days=None):
    application.refresh_from_db()
    end = application.start_date + timedelta(days=(end_days or 30) - 1)
    agreement = services.agreement_save(
        actor=owner,
        application=application,
        start_date=application.start_date,
        end_date=end,
        report_due_date=end + timedelta(days=30),
        city_signatory="Dyrektor",
        applicant_signatories="Prezes",
        bank_account=IBAN,
    )
    half = agreement.amount / 2
    services.tranches_set(
        actor=owner,
        agreement=agreement,
        tranches=[(half, application.start_date), (agreement.amount - half, end)],
    )
    services.agreement_sign(actor=owner, agreement=agreement, signed_on=timezone.localdate())
    agreement.refresh_from_db()
    return agreement


def test_a_resignation_releases_the_money_to_the_first_on_the_reserve_list(owner):
    call, members = _scored_call(owner, pool=10_000)
    first = _scored(call, members, 6_000, [9, 18, 9, 9])
    second = _scored(call, members, 4_000, [8, 16, 8, 8])
    reserve_a = _scored(call, members, 5_000, [7, 14, 7, 7])
    reserve_b = _scored(call, members, 3_000, [6, 12, 6, 6])
    services.award_grant(actor=owner, application=first, amount=Decimal(6_000))
    services.award_grant(actor=owner, application=second, amount=Decimal(4_000))
    for application in (reserve_a, reserve_b):
        services.application_refuse(actor=owner, application=application, reason="Brak środków")
    assert selectors.call_pool(call).remaining == 0
    assert [r.application.pk for r in selectors.reserve_list(call)] == [reserve_a.pk, reserve_b.pk]
    representative = first.applicant.created_by
    services.award_resign(user=representative, application=first, reason="Partner się wycofał")
    first.refresh_from_db()
    assert first.status == ApplicationStatus.RESIGNED
    assert Award.objects.get(application=first).status == AwardStatus.RESIGNED
    # The 6,000 PLN is back in the pool (it stayed locked before).
    assert selectors.call_pool(call).remaining == Decimal(6_000)
    assert AuditLogEntry.objects.get(action="grants.award_resigned").after["released_amount"] == (
        "6000.00"
    )
    # The reserve list is served in order: skipping its first application is refused.
    with pytest.raises(GrantsError) as caught:
        services.award_grant(
            actor=owner, application=reserve_b, amount=Decimal(3_000), from_reserve=True
        )
    assert caught.value.code == "reserve_order"
    award = services.award_grant(
        actor=owner, application=reserve_a, amount=Decimal(5_000), from_reserve=True
    )
    assert award.from_reserve and selectors.call_pool(call).remaining == Decimal(1_000)
    reserve_a.refresh_from_db()
    assert reserve_a.status == ApplicationStatus.AWARDED


def test_no_resignation_once_the_agreement_is_signed(owner):
    call, members = _scored_call(owner)
    application = _scored(call, members, 4_000, [9, 18, 9, 9])
    services.award_grant(actor=owner, application=application, amount=Decimal(4_000))
    _sign(owner, application)
    with pytest.raises(GrantsError) as caught:
        services.award_resign(
            user=application.applicant.created_by, application=application, reason="Zmiana planów"
        )
    assert caught.value.code == "resign_after_signing"


def test_partial_funding_needs_an_updated_budget_confirmed_before_the_agreement(owner):
    call, members = _scored_call(owner)
    application = _scored(call, members, 10_000, [9, 18, 9, 9])
    services.award_grant(
        actor=owner,
        application=application,
        amount=Decimal(6_000),
        justification="Bez kosztów cateringu",
    )
    application.refresh_from_db()
    with pytest.raises(GrantsError) as caught:
        _sign(owner, application)
    assert caught.value.code == "budget_not_confirmed"
    representative = application.applicant.created_by
    with pytest.raises(GrantsError) as caught:
        services.award_budget_confirm(
            user=representative,
            application=application,
            rows=[services.UpdatedLine(position=1, grant=Decimal(7_000), own=Decimal(500))],
        )
    assert caught.value.code == "budget_update_sum"
    services.award_budget_confirm(
        user=representative,
        application=application,
        rows=[services.UpdatedLine(position=1, grant=Decimal(6_000), own=Decimal(500))],
    )
    agreement = services.agreement_save(
        actor=owner,
        application=application,
        start_date=application.start_date,
        end_date=application.end_date,
        report_due_date=application.end_date + timedelta(days=30),
        city_signatory="Dyrektor",
        applicant_signatories="Prezes",
        bank_account=IBAN,
    )
    terms = selectors.agreement_terms(agreement)
    # The agreement carries 6,000 PLN of grant over a 6,500 PLN budget, not 10,500.
    assert sum(line.grant for line in terms.budget) == Decimal(6_000)
    assert sum(line.total for line in terms.budget) == Decimal(6_500)


def test_an_annex_is_a_numbered_version_within_the_act(owner):
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner), created_by=owner)
    application = make_application(
        call,
        OrganisationFactory(status="verified"),
        grant=8_000,
        own=500,
        status=ApplicationStatus.AWARDED,
        number="MZ/2026/1/0001",
        days=60,
    )
    Award.objects.create(application=application, call=call, amount=8_000, decided_by=owner)
    agreement = _sign(owner, application, end_days=60)
    with pytest.raises(GrantsError) as caught:
        services.agreement_annex(
            actor=owner,
            agreement=agreement,
            reason="Przesunięcie terminu",
            signed_on=timezone.localdate(),
            end_date=agreement.start_date + timedelta(days=120),
        )
    assert caught.value.code == "agreement_duration"
    annex = services.agreement_annex(
        actor=owner,
        agreement=agreement,
        reason="Tańsze materiały",
        signed_on=timezone.localdate(),
        amount=Decimal(7_000),
        budget=[services.UpdatedLine(position=1, grant=Decimal(7_000), own=Decimal(500))],
        end_date=agreement.start_date + timedelta(days=89),
    )
    agreement.refresh_from_db()
    assert (annex.number, agreement.version, agreement.amount) == (1, 2, Decimal(7_000))
    assert annex.before["amount"] == "8000.00" and annex.after["amount"] == "7000.00"
    assert sum(t.amount for t in agreement.tranches.all()) == Decimal(7_000)
    with pytest.raises(GrantsError) as caught:
        services.agreement_annex(
            actor=owner,
            agreement=agreement,
            reason="Więcej",
            signed_on=timezone.localdate(),
            amount=Decimal(9_000),
        )
    assert caught.value.code == "annex_amount_up"


def test_termination_and_returns_record_due_and_interest_dates(owner):
    call, members = _scored_call(owner)
    application = _scored(call, members, 4_000, [9, 18, 9, 9])
    services.award_grant(actor=owner, application=application, amount=Decimal(4_000))
    agreement = _sign(owner, application)
    first = agreement.tranches.order_by("position").first()
    paid_on = timezone.localdate() - timedelta(days=3)
    services.tranche_mark_paid(actor=owner, tranche=first, paid_on=paid_on)
    improper = services.fund_return_request(
        actor=owner,
        agreement=agreement,
        reason=ReturnReason.IMPROPER,
        amount=Decimal(500),
        due_date=timezone.localdate() + timedelta(days=14),
        note="Faktura za alkohol",
    )
    # Money used improperly bears interest from the day it was transferred (art. 252).
    assert improper.interest_from == paid_on
    with pytest.raises(GrantsError) as caught:
        services.fund_return_request(
            actor=owner,
            agreement=agreement,
            reason=ReturnReason.UNSPENT,
            amount=Decimal(1_600),
            due_date=timezone.localdate(),
        )
    assert caught.value.code == "return_amount"
    terminated_on = timezone.localdate()
    services.agreement_terminate(
        actor=owner,
        agreement=agreement,
        reason="Zadanie przerwane",
        terminated_on=terminated_on,
        return_amount=Decimal(1_500),
    )
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED
    back = agreement.returns.get(reason=ReturnReason.TERMINATION)
    assert back.due_date == terminated_on + timedelta(days=15)
    assert back.interest_from == back.due_date + timedelta(days=1)
    services.fund_return_record(
        actor=owner, fund_return=back, returned_on=back.due_date, amount=Decimal(1_500)
    )
    back.refresh_from_db()
    assert back.returned_amount == Decimal(1_500)
    assert AuditLogEntry.objects.filter(action="grants.return_recorded").count() == 1
