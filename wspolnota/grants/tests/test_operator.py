"""Micro-grants through a regranting operator (art. 16a): money for informal groups and minors
goes through an organisation the city names per programme, never straight to them; a minor's
agreement records the guardian's name and consent."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.grants import services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import ApplicationStatus, Award, ProgrammeKind
from wspolnota.grants.tests.factories import make_application, make_call, make_programme
from wspolnota.organisations.tests.factories import (
    IndividualFactory,
    InformalGroupFactory,
    OrganisationFactory,
)
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
IBAN = "PL61 1090 1014 0000 0712 1981 2874"


@pytest.fixture
def owner():
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return user


def _awarded(owner, applicant, **programme):
    call = make_call(
        make_programme(
            ProgrammeKind.MICRO_GRANT,
            created_by=owner,
            allow_informal_group=True,
            allow_individual=True,
            **programme,
        ),
        created_by=owner,
    )
    application = make_application(
        call,
        applicant,
        grant=1_500,
        status=ApplicationStatus.AWARDED,
        submitted_at=timezone.now(),
        number=f"MG/{applicant.pk}",
    )
    Award.objects.create(
        application=application, call=call, amount=Decimal(1_500), decided_by=owner
    )
    return application


def _save(owner, application, **extra):
    return services.agreement_save(
        actor=owner,
        application=application,
        start_date=application.start_date,
        end_date=application.end_date,
        report_due_date=application.end_date + timedelta(days=30),
        city_signatory="Dyrektor",
        applicant_signatories="Lider",
        bank_account=IBAN,
        **extra,
    )


def _minor():
    today = timezone.localdate()
    return IndividualFactory(
        person__birth_date=today.replace(year=today.year - 16), person__guardian=True
    )


def test_an_informal_group_gets_no_agreement_without_an_operator(owner):
    application = _awarded(owner, InformalGroupFactory())
    with pytest.raises(GrantsError) as exc:
        _save(owner, application)
    assert exc.value.code == "operator_required"


def test_a_minor_gets_no_agreement_without_an_operator(owner):
    application = _awarded(owner, _minor())
    with pytest.raises(GrantsError) as exc:
        _save(owner, application, guardian_consent=True)
    assert exc.value.code == "operator_required"


def test_an_ngo_and_an_adult_are_still_paid_directly(owner):
    assert _save(owner, _awarded(owner, OrganisationFactory())).operator_id is None
    adult = IndividualFactory(person__birth_date=date(1990, 1, 1))
    assert _save(owner, _awarded(owner, adult)).operator_id is None


def test_an_informal_groups_agreement_goes_through_the_programmes_operator(owner):
    operator = OrganisationFactory()
    application = _awarded(owner, InformalGroupFactory(), regranting_operator=operator)
    agreement = _save(owner, application)
    assert agreement.operator == operator


def test_a_minors_agreement_records_the_guardian_and_needs_consent(owner):
    operator = OrganisationFactory()
    application = _awarded(owner, _minor(), regranting_operator=operator)
    with pytest.raises(GrantsError) as exc:
        _save(owner, application)
    assert exc.value.code == "guardian_consent"
    agreement = _save(owner, application, guardian_consent=True)
    assert agreement.operator == operator
    assert agreement.guardian_name == "Opiekunka Pełnoletnia"
    assert agreement.guardian_consent is True


def test_a_tranche_to_an_informal_group_is_not_paid_without_an_operator(owner):
    """An agreement made before the rule (no operator recorded) cannot be paid out directly."""
    from wspolnota.grants.models import Agreement, AgreementStatus, Tranche

    application = _awarded(owner, InformalGroupFactory())
    agreement = Agreement.objects.create(
        application=application,
        number="MG/1/U",
        amount=Decimal(1_500),
        start_date=application.start_date,
        end_date=application.end_date,
        report_due_date=application.end_date,
        city_signatory="Dyrektor",
        applicant_signatories="Lider",
        bank_account="PL61109010140000071219812874",
        status=AgreementStatus.SIGNED,
        created_by=owner,
    )
    tranche = Tranche.objects.create(
        agreement=agreement, position=1, amount=Decimal(1_500), due_date=application.start_date
    )
    with pytest.raises(GrantsError) as exc:
        services.tranche_mark_paid(actor=owner, tranche=tranche, paid_on=timezone.localdate())
    assert exc.value.code == "operator_required"


def test_the_operator_must_be_a_verified_organisation(owner):
    group = InformalGroupFactory()
    programme = make_programme(ProgrammeKind.MICRO_GRANT, created_by=owner)
    with pytest.raises(GrantsError) as exc:
        services.programme_update(actor=owner, programme=programme, regranting_operator=group)
    assert exc.value.code == "operator_kind"
    pending = OrganisationFactory(status="pending")
    with pytest.raises(GrantsError):
        services.programme_update(actor=owner, programme=programme, regranting_operator=pending)
    operator = OrganisationFactory()
    services.programme_update(actor=owner, programme=programme, regranting_operator=operator)
    programme.refresh_from_db()
    assert programme.regranting_operator == operator


def test_a_published_call_keeps_its_operator_when_the_programme_changes(owner):
    """The operator is part of the call's frozen rules: the programme naming another operator (or
    none) after publication does not move the money of that call's grantees."""
    operator = OrganisationFactory()
    application = _awarded(owner, InformalGroupFactory(), regranting_operator=operator)
    programme = application.call.programme
    services.programme_update(actor=owner, programme=programme, regranting_operator=None)
    assert _save(owner, application).operator == operator
    other = OrganisationFactory()
    services.programme_update(actor=owner, programme=programme, regranting_operator=other)
    application.refresh_from_db()
    assert _save(owner, application).operator == operator


def test_a_calls_operator_changes_only_by_an_announced_amendment(owner):
    from wspolnota.grants.models import Call, CallStatus

    application = _awarded(owner, InformalGroupFactory())
    call = application.call
    Call.objects.filter(pk=call.pk).update(status=CallStatus.PUBLISHED, version=1)
    call.refresh_from_db()
    group = InformalGroupFactory()
    with pytest.raises(GrantsError) as exc:
        services.call_amend(
            actor=owner, call=call, reason="Operator", rules={"regranting_operator": group.pk}
        )
    assert exc.value.code == "operator_kind"
    operator = OrganisationFactory()
    version = services.call_amend(
        actor=owner, call=call, reason="Nowy operator", rules={"regranting_operator": operator.pk}
    )
    assert version.changes["regranting_operator"] == {"before": None, "after": operator.pk}
    application.refresh_from_db()
    assert _save(owner, application).operator == operator


def test_the_public_version_history_names_the_operator_not_its_number(owner, client):
    from wspolnota.grants.models import Call, CallStatus

    application = _awarded(owner, InformalGroupFactory())
    call = application.call
    Call.objects.filter(pk=call.pk).update(status=CallStatus.PUBLISHED, version=1)
    call.refresh_from_db()
    operator = OrganisationFactory(name="Fundacja Operator Regrantingu")
    services.call_amend(
        actor=owner, call=call, reason="Nowy operator", rules={"regranting_operator": operator.pk}
    )
    page = client.get(f"/pl/granty/nabory/{call.pk}/").content.decode()
    assert "Fundacja Operator Regrantingu" in page
    assert f"— → {operator.pk}<" not in page
