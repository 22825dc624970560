"""Reminders of deadlines through the background task and the communication outbox: grantees
hear of a due final report and a due return of funds (a week and a day before, and once when it
is late), applicants of a call deadline with their draft unfiled, officials of an unpaid tranche
that is due — each once, however often the daily run repeats."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.communication.models import OutboxMessage
from wspolnota.grants import services
from wspolnota.grants.models import (
    Agreement,
    AgreementStatus,
    ApplicationStatus,
    Award,
    FundReturn,
    ProgrammeKind,
    ReturnReason,
    Tranche,
)
from wspolnota.grants.tests.factories import make_application, make_call, make_programme
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed():
    owner = UserFactory()
    RoleAssignmentFactory(user=owner, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    call = make_call(make_programme(ProgrammeKind.OPEN_COMPETITION, created_by=owner))
    representative = UserFactory()
    application = make_application(
        call,
        OrganisationFactory(representative=representative),
        grant=5_000,
        status=ApplicationStatus.AWARDED,
        submitted_at=timezone.now(),
        number="OK/2026/1/0001",
    )
    Award.objects.create(
        application=application, call=call, amount=Decimal(5_000), decided_by=owner
    )
    today = timezone.localdate()
    agreement = Agreement.objects.create(
        application=application,
        number="OK/2026/1/0001/U",
        amount=Decimal(5_000),
        start_date=today - timedelta(days=60),
        end_date=today - timedelta(days=5),
        report_due_date=today + timedelta(days=7),
        city_signatory="Dyrektor",
        applicant_signatories="Prezes",
        bank_account="PL61109010140000071219812874",
        status=AgreementStatus.SIGNED,
        signed_on=today - timedelta(days=61),
        created_by=owner,
    )
    return {"owner": owner, "representative": representative, "agreement": agreement, "call": call}


def _kinds(user):
    return sorted(OutboxMessage.objects.filter(to=user.email).values_list("kind", flat=True))


def test_a_due_final_report_is_reminded_a_week_and_a_day_before_and_once_when_late(signed):
    agreement, person = signed["agreement"], signed["representative"]
    today = timezone.localdate()
    assert services.reminders_send(today=today) >= 1
    assert _kinds(person) == ["grants.report_due"]
    message = OutboxMessage.objects.get(to=person.email)
    assert (
        agreement.report_due_date.isoformat() in message.body
        or str(agreement.report_due_date.day) in message.body
    )
    services.reminders_send(today=today)  # the daily run repeated: nothing new
    assert _kinds(person) == ["grants.report_due"]
    services.reminders_send(today=today + timedelta(days=3))  # between reminders: nothing
    services.reminders_send(today=today + timedelta(days=6))
    services.reminders_send(today=today + timedelta(days=8))
    services.reminders_send(today=today + timedelta(days=9))
    assert _kinds(person) == ["grants.report_due", "grants.report_due", "grants.report_overdue"]


def test_a_submitted_final_report_stops_the_reminders(signed):
    from wspolnota.grants.models import Report, ReportKind, ReportStatus

    agreement = signed["agreement"]
    Report.objects.create(
        agreement=agreement,
        kind=ReportKind.FINAL,
        period_from=agreement.start_date,
        period_to=agreement.end_date,
        status=ReportStatus.SUBMITTED,
        submitted_at=timezone.now(),
        created_by=signed["representative"],
    )
    services.reminders_send(today=timezone.localdate())
    assert _kinds(signed["representative"]) == []


def test_a_due_return_and_a_due_tranche(signed):
    agreement = signed["agreement"]
    today = timezone.localdate()
    Agreement.objects.filter(pk=agreement.pk).update(report_due_date=today + timedelta(days=30))
    Tranche.objects.create(agreement=agreement, position=1, amount=Decimal(5_000), due_date=today)
    FundReturn.objects.create(
        agreement=agreement,
        reason=ReturnReason.UNSPENT,
        amount=Decimal(300),
        due_date=today + timedelta(days=1),
        interest_from=today + timedelta(days=2),
        requested_by=signed["owner"],
    )
    services.reminders_send(today=today)
    assert _kinds(signed["representative"]) == ["grants.return_due"]
    assert _kinds(signed["owner"]) == ["grants.tranche_due"]
    services.reminders_send(today=today + timedelta(days=2))
    assert _kinds(signed["representative"]) == ["grants.return_due", "grants.return_overdue"]
    assert _kinds(signed["owner"]) == ["grants.tranche_due"]  # told once per tranche


def test_an_unfiled_draft_is_reminded_of_the_call_deadline(signed):
    person = UserFactory()
    call = make_call(
        make_programme(ProgrammeKind.MICRO_GRANT),
        closes_at=timezone.now() + timedelta(days=2),
    )
    make_application(call, OrganisationFactory(representative=person))
    filed = UserFactory()
    make_application(
        call,
        OrganisationFactory(representative=filed),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        number="MG/1",
    )
    services.reminders_send(today=timezone.localdate())
    assert _kinds(person) == ["grants.deadline_near"]
    assert _kinds(filed) == []


def test_the_daily_command_runs_the_background_task(signed):
    call_command("grants_reminders")
    assert _kinds(signed["representative"]) == ["grants.report_due"]


def test_the_deployment_steps_run_the_grants_reminders_daily():
    from pathlib import Path

    readme = Path(__file__).resolve().parents[3] / "README.md"
    steps = readme.read_text(encoding="utf-8").split("## Deploying", 1)[1].split("\n## ", 1)[0]
    assert "manage.py grants_reminders" in steps
