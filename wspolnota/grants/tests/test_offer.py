"""The statutory offer (regulation of 24 October 2018, Dz.U. 2018 poz. 2057): a full or
simplified offer without the public task's sphere, the statements of part VII or costs given by
action is not complete; participant fees and other public money are sources of their own; a
joint offer takes only verified NGOs; the offer prints with parts I–VII; the agreement is
signed by a signed file or on paper with its date of receipt."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.grants import limits, selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    AgreementStatus,
    ApplicationStatus,
    Award,
    CostCategory,
    ProgrammeKind,
    SignatureKind,
)
from wspolnota.grants.tests.factories import (
    budget_line,
    make_application,
    make_call,
    make_programme,
)
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
PADES = b"%PDF-1.7\n1 0 obj<</Type/Sig/ByteRange[0 10 20 30]/Contents<3082>>>endobj\n%%EOF"


def _codes(application):
    return [p.code for p in selectors.application_check(application, at=timezone.now())]


@pytest.fixture
def competition():
    owner = UserFactory()
    RoleAssignmentFactory(user=owner, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return make_call(
        make_programme(ProgrammeKind.OPEN_COMPETITION, created_by=owner), created_by=owner
    )


def test_an_offer_without_sphere_statements_or_contact_is_not_complete(competition):
    bare = make_application(
        competition,
        OrganisationFactory(),
        public_task_sphere="",
        contact_name="",
        declarations={},
    )
    codes = _codes(bare)
    assert {"offer_sphere", "offer_contact", "offer_declaration", "offer_arrears"} <= set(codes)
    assert codes.count("offer_declaration") == 4
    complete = make_application(competition, OrganisationFactory())
    assert _codes(complete) == []


def test_costs_of_carrying_out_the_task_are_given_by_action(competition):
    application = make_application(competition, OrganisationFactory())
    budget_line(application, 2, grant=300, action=None, description="Koordynacja")
    budget_line(
        application,
        3,
        grant=200,
        action=None,
        category=CostCategory.ADMINISTRATION,
        description="Księgowość",
    )
    problems = selectors.application_check(application, at=timezone.now())
    assert [(p.code, p.params["line"]) for p in problems] == [("offer_cost_action", 2)]


def test_participant_fees_are_a_source_and_need_their_statement(competition):
    application = make_application(competition, OrganisationFactory(), complete=False)
    line = budget_line(application, 1, grant=2_000)
    line.total = Decimal(2_500)
    line.fees_amount = Decimal(500)
    line.save()
    from wspolnota.grants.models import ExpectedResult, ScheduleItem

    ScheduleItem.objects.create(
        application=application,
        position=1,
        action="Zajęcia",
        start_date=application.start_date,
        end_date=application.end_date,
    )
    ExpectedResult.objects.create(
        application=application, position=1, description="Uczestnicy", target="40"
    )
    assert limits.budget_line_problems(line, competition.terms) == []
    assert limits.budget_totals([line]).contribution == Decimal(500)
    assert "offer_fees_declaration" in _codes(application)
    application.declarations = {**application.declarations, "fees_only_paid_activity": True}
    application.save()
    assert _codes(application) == []


def test_a_joint_offer_takes_only_verified_ngos_and_names_who_bears_each_cost(competition):
    applicant = OrganisationFactory()
    application = make_application(competition, applicant)
    user = applicant.created_by
    with pytest.raises(GrantsError) as caught:
        services.partner_add(
            user=user,
            application=application,
            organisation=OrganisationFactory(status="pending"),
            actions="Warsztaty",
        )
    assert caught.value.code == "partner_invalid"
    partner = services.partner_add(
        user=user,
        application=application,
        organisation=OrganisationFactory(status="verified"),
        actions="Warsztaty dla seniorów",
    )
    assert partner.position == 2
    line = application.budget_lines.get()
    line.partner_position = 3
    line.save()
    assert "offer_cost_partner" in _codes(application)
    line.partner_position = 2
    line.save()
    assert _codes(application) == []


def test_the_offer_prints_with_every_part_of_the_regulations_form(competition):
    applicant = OrganisationFactory()
    application = make_application(competition, applicant)
    html = render_to_string(
        "grants/pdf/offer.html",
        {
            "application": application,
            "terms": competition.terms,
            "lines": application.budget_lines.all(),
            "totals": limits.budget_totals(application.budget_lines.all()),
            "schedule": application.schedule_items.all(),
            "results": application.expected_results.all(),
            "partners": [],
            "declarations": application.declarations,
        },
    )
    for part in ("I. ", "II. ", "III. ", "IV. ", "V. ", "VI. ", "VII. "):
        assert f"<h2>{part}" in html
    assert "Dz.U. 2018 poz. 2057" in html and "rozwój wspólnot" in html
    client = Client()
    client.force_login(applicant.created_by)
    response = client.get(reverse("grants:application_offer_pdf", args=[application.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def _draft_agreement(call, number):
    owner = call.created_by
    application = make_application(
        call, OrganisationFactory(), grant=4_000, status=ApplicationStatus.AWARDED, number=number
    )
    Award.objects.create(application=application, call=call, amount=4_000, decided_by=owner)
    agreement = services.agreement_save(
        actor=owner,
        application=application,
        start_date=application.start_date,
        end_date=application.end_date,
        report_due_date=application.end_date + timedelta(days=30),
        city_signatory="Dyrektor",
        applicant_signatories="Prezes",
        bank_account="PL61109010140000071219812874",
    )
    services.tranches_set(
        actor=owner, agreement=agreement, tranches=[(Decimal(4_000), application.start_date)]
    )
    return owner, agreement


def test_an_agreement_is_signed_by_a_signed_file_or_on_paper_with_its_date(competition):
    owner, agreement = _draft_agreement(competition, "OK/9")
    unsigned = SimpleUploadedFile("umowa.pdf", b"%PDF-1.7\nno signature here\n%%EOF")
    with pytest.raises(GrantsError) as caught:
        services.agreement_sign(
            actor=owner,
            agreement=agreement,
            signed_on=timezone.localdate(),
            kind=SignatureKind.QUALIFIED,
            upload=unsigned,
        )
    assert caught.value.code == "signature_file"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT
    services.agreement_sign(
        actor=owner,
        agreement=agreement,
        signed_on=timezone.localdate(),
        kind=SignatureKind.TRUSTED,
        upload=SimpleUploadedFile("umowa-podpisana.pdf", PADES),
    )
    agreement.refresh_from_db()
    signature = agreement.application.signatures.get()
    assert agreement.status == AgreementStatus.SIGNED
    assert signature.kind == SignatureKind.TRUSTED and len(signature.sha256) == 64

    other_owner, paper = _draft_agreement(competition, "OK/10")
    received = timezone.localdate() - timedelta(days=2)
    services.agreement_sign(
        actor=other_owner,
        agreement=paper,
        signed_on=received - timedelta(days=1),
        received_on=received,
    )
    recorded = paper.application.signatures.get()
    assert (recorded.kind, recorded.received_on) == (SignatureKind.PAPER, received)
