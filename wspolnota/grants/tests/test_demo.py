"""The demo content of the registry and of grants: every programme kind, calls in every phase,
made through the services, loaded once however often the demo starts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wspolnota.accounts import demo as accounts_demo
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.grants import demo, selectors
from wspolnota.grants.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    Call,
    CallStatus,
    Programme,
    ProgrammeKind,
)
from wspolnota.organisations import demo as organisations_demo
from wspolnota.organisations.models import Organisation, VerificationStatus

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_programme_and_phase_and_loads_once(krakow):
    accounts_demo.load()
    registry_lines = organisations_demo.load()
    lines = demo.load()
    assert "ngo@demo.wspolnota.pl" in registry_lines[0] and lines[0].startswith("Grants")

    ngo = Organisation.objects.get(memberships__user__email="ngo@demo.wspolnota.pl")
    assert ngo.status == VerificationStatus.VERIFIED and ngo.is_ngo
    assert Organisation.objects.filter(status=VerificationStatus.PENDING).count() == 1
    statuses = set(Application.objects.filter(applicant=ngo).values_list("status", flat=True))
    assert {
        ApplicationStatus.AWARDED,
        ApplicationStatus.IN_ASSESSMENT,
        ApplicationStatus.DRAFT,
    } <= statuses

    assert set(Programme.objects.values_list("kind", flat=True)) == set(ProgrammeKind.values)
    assert set(Call.objects.values_list("status", flat=True)) == {
        CallStatus.DRAFT,
        CallStatus.PUBLISHED,
        CallStatus.CLOSED,
        CallStatus.RESULTS,
    }
    phases = selectors.call_public_list()
    assert phases.open and phases.upcoming and phases.past

    settled = Agreement.objects.get(status=AgreementStatus.SETTLED)
    assert settled.application.applicant == ngo and settled.amount == Decimal("4500.00")
    assert settled.tranches.get().paid_on is not None
    results_call = settled.application.call
    assert [r.application.status for r in selectors.call_results(results_call)] == [
        ApplicationStatus.AWARDED,
        ApplicationStatus.NOT_AWARDED,
    ]
    closed = Call.objects.get(status=CallStatus.CLOSED)
    ranking = selectors.call_ranking(closed)
    assert len(ranking) == 3 and all(row.assessments == 2 for row in ranking)
    assert [row.score for row in ranking] == sorted((row.score for row in ranking), reverse=True)
    assert selectors.offers_for_remarks().get().remarks.count() == 1

    # Made through the services: the officials' acts are in the audit log and officials heard
    # of every application filed.
    assert AuditLogEntry.objects.filter(action="grants.awarded").count() == 1
    assert AuditLogEntry.objects.filter(action="grants.agreement_settled").count() == 1
    filed = Application.objects.exclude(number="").count()
    assert OutboxMessage.objects.filter(kind="grants.new_application").count() == filed

    counts = (Organisation.objects.count(), Application.objects.count(), Call.objects.count())
    assert "already" in organisations_demo.load()[0]
    assert "already" in demo.load()[0]
    assert (
        Organisation.objects.count(),
        Application.objects.count(),
        Call.objects.count(),
    ) == counts
