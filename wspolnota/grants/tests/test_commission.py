"""The commission: members recorded with who nominated them and told of their appointment; a
conflict declaration can be corrected (the earlier wording kept, a newly declared conflict voids
the score); the formal check can send an application back for corrections, which may then be
filed again after the call closes, until the correction deadline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.grants import selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import ApplicationStatus, ProgrammeKind
from wspolnota.grants.tests.factories import make_application, make_call, make_programme
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return user


@pytest.fixture
def call(owner):
    return make_call(
        make_programme(ProgrammeKind.OPEN_COMPETITION, created_by=owner), created_by=owner
    )


def test_members_are_recorded_with_their_nominator_and_told_of_the_appointment(owner, call):
    nominee = UserFactory()
    ngo = OrganisationFactory(name="Fundacja Wspólny Kraków")
    member = services.commission_member_add(
        actor=owner, call=call, email=nominee.email, role="member", nominating_organisation=ngo
    )
    assert member.nominated_by == "Fundacja Wspólny Kraków" and member.appointment_notified_at
    notice = OutboxMessage.objects.get(kind="grants.commission_appointed")
    assert notice.to == nominee.email


def test_a_no_conflict_declaration_can_be_corrected_and_the_score_no_longer_counts(owner, call):
    assessor = UserFactory()
    services.commission_member_add(actor=owner, call=call, email=assessor.email, role="member")
    application = make_application(
        call,
        OrganisationFactory(),
        status=ApplicationStatus.IN_ASSESSMENT,
        submitted_at=timezone.now(),
    )
    services.conflict_declare(user=assessor, application=application, has_conflict=False)
    services.assessment_save(
        user=assessor,
        application=application,
        points={c.pk: Decimal(5) for c in call.criteria.all()},
        submit=True,
    )
    assert selectors.application_score(application).count == 1
    declaration = services.conflict_declare(
        user=assessor,
        application=application,
        has_conflict=True,
        explanation="Okazało się, że to organizacja mojej siostry",
    )
    assert declaration.has_conflict and declaration.history[0]["has_conflict"] is False
    assert selectors.application_score(application).count == 0
    entry = AuditLogEntry.objects.get(action="grants.conflict_corrected")
    assert entry.after["voided_assessment_total"] == "20.00"
    with pytest.raises(GrantsError) as caught:
        services.assessment_save(
            user=assessor,
            application=application,
            points={c.pk: Decimal(5) for c in call.criteria.all()},
            submit=True,
        )
    assert caught.value.code == "conflict_declared"


def test_the_formal_check_can_ask_for_corrections_filed_after_the_call_closes(owner, call):
    applicant = OrganisationFactory()
    representative = applicant.created_by
    draft = make_application(call, applicant)
    now = timezone.now()
    call.closes_at = now + timedelta(days=2)
    call.save(update_fields=["closes_at"])
    services.application_submit(user=representative, application=draft, at=now)
    draft.refresh_from_db()
    number = draft.number
    services.formal_corrections(
        actor=owner, application=draft, note="Brak podpisu pod oświadczeniami", at=now
    )
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.corrections_due == now + timedelta(days=7)
    after_deadline = call.closes_at + timedelta(hours=1)
    assert after_deadline < draft.corrections_due
    services.application_submit(user=representative, application=draft, at=after_deadline)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED and draft.number == number
    services.formal_corrections(actor=owner, application=draft, note="Znowu braki", at=now)
    draft.refresh_from_db()
    with pytest.raises(GrantsError) as caught:
        services.application_submit(
            user=representative, application=draft, at=draft.corrections_due + timedelta(minutes=1)
        )
    assert caught.value.code == "call_not_open"


def test_the_protocol_is_a_pdf_for_the_calls_unit_only(owner, call):
    from django.test import Client
    from django.urls import reverse

    member = services.commission_member_add(
        actor=owner, call=call, email=UserFactory().email, role="chair", nominated_by="Prezydent"
    )
    from django.template.loader import render_to_string

    html = render_to_string(
        "grants/pdf/protocol.html",
        {
            "call": call,
            "terms": call.terms,
            "versions": selectors.call_version_history(call),
            "commission": [member],
            "declarations": [],
            "rows": selectors.call_ranking(call),
            "pool": selectors.call_pool(call),
            "generated_at": timezone.now(),
        },
    )
    assert "Prezydent" in html and "Skład komisji" in html
    client = Client()
    client.force_login(owner)
    response = client.get(reverse("grants:call_protocol", args=[call.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    stranger = UserFactory()
    RoleAssignmentFactory(user=stranger, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    client.force_login(stranger)
    assert client.get(reverse("grants:call_protocol", args=[call.pk])).status_code in (403, 404)
