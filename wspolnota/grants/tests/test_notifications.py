"""Who is told what: officials of the unit running a call learn of each new application, and
the applicant's representatives learn every outcome — in each recipient's own language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail

from wspolnota.accounts.roles import Role
from wspolnota.communication.models import OutboxMessage
from wspolnota.grants import services
from wspolnota.grants.models import ApplicationStatus, ProgrammeKind
from wspolnota.grants.tests.factories import (
    make_application,
    make_call,
    make_member,
    make_programme,
    score,
)
from wspolnota.organisations.models import Membership, MembershipRole
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _official(unit, **user_fields):
    user = UserFactory(**user_fields)
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    return user


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_officials_of_the_unit_running_the_call_are_told_of_a_new_application(
    resident, django_capture_on_commit_callbacks
):
    unit, other_unit = CityUnitFactory(), CityUnitFactory()
    runs_it = _official(unit)
    colleague = _official(unit, preferred_language="uk")
    elsewhere = _official(other_unit)
    administrator = UserFactory()
    RoleAssignmentFactory(user=administrator, role=Role.ADMINISTRATOR)
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT), city_unit=unit)
    application = make_application(
        call, OrganisationFactory(created_by=resident, name="Fundacja Ławka"), grant=2_500
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(user=resident, application=application)
    application.refresh_from_db()

    [polish] = _to(runs_it.email)
    assert application.number in polish.subject and "ocenę formalną" in polish.subject
    assert "Fundacja Ławka" in polish.body and call.title in polish.body
    assert f"/pl/granty/urzad/wnioski/{application.pk}/" in polish.body
    [ukrainian] = _to(colleague.email)
    assert application.number in ukrainian.subject and "ocenę" not in ukrainian.subject
    assert f"/uk/granty/urzad/wnioski/{application.pk}/" in ukrainian.body
    assert _to(elsewhere.email) == [] and _to(administrator.email) == []
    # The applicant hears that the application was filed; officials' notices are sent once.
    assert len(_to(resident.email)) == 1
    assert OutboxMessage.objects.filter(kind="grants.new_application").count() == 2


def test_only_administrators_are_told_when_the_call_names_no_unit(resident):
    """A call without a unit is managed by administrators alone, so they alone are told —
    never every official of the city."""
    from wspolnota.accounts.roles import Role
    from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

    first, second = UserFactory(), UserFactory()
    for admin in (first, second):
        RoleAssignmentFactory(user=admin, role=Role.ADMINISTRATOR)
    inactive = UserFactory(is_active=False)
    RoleAssignmentFactory(user=inactive, role=Role.ADMINISTRATOR)
    elsewhere = _official(CityUnitFactory())
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    assert call.city_unit_id is None
    application = make_application(call, OrganisationFactory(created_by=resident))
    services.application_submit(user=resident, application=application)
    told = set(
        OutboxMessage.objects.filter(kind="grants.new_application").values_list("to", flat=True)
    )
    assert told == {first.email, second.email}
    assert inactive.email not in told and elsewhere.email not in told


def test_a_draft_saved_tells_no_official(resident):
    official = _official(CityUnitFactory())
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    application = make_application(call, OrganisationFactory(created_by=resident))
    services.application_update(user=resident, application=application, title="Nowy tytuł")
    assert not OutboxMessage.objects.filter(to=official.email).exists()


def test_representatives_learn_each_outcome_with_its_reason(
    official, resident, django_capture_on_commit_callbacks
):
    call = make_call(pool=10_000, created_by=official)
    members = [make_member(call), make_member(call)]
    applicant = OrganisationFactory(created_by=resident)
    plain_member = UserFactory()
    Membership.objects.create(organisation=applicant, user=plain_member, role=MembershipRole.MEMBER)
    won = make_application(call, applicant, status=ApplicationStatus.SUBMITTED, number="MG/1")
    lost = make_application(
        call,
        OrganisationFactory(created_by=resident, name="Druga"),
        status="submitted",
        number="MG/2",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.formal_check(actor=official, application=won, passed=True)
        services.formal_check(actor=official, application=lost, passed=True)
    for member in members:
        score(member, won, [9, 9, 9])
        score(member, lost, [3, 2, 1])
    with django_capture_on_commit_callbacks(execute=True):
        services.award_grant(
            actor=official,
            application=won,
            amount=Decimal(1_500),
            justification="Koszty promocji zawyżone.",
        )
        services.application_refuse(
            actor=official, application=lost, reason="Za mało punktów w ocenie komisji."
        )
    bodies = [m.body for m in _to(resident.email)]
    subjects = [m.subject for m in _to(resident.email)]
    assert "Wniosek MG/1 przeszedł ocenę formalną" in subjects
    assert "Wniosek MG/1: przyznano wsparcie" in subjects
    assert "Wniosek MG/2: nie przyznano wsparcia" in subjects
    awarded = next(b for b in bodies if "MG/1" in b and "Przyznano" in b)
    assert "1500" in awarded.replace("\xa0", "").replace(" ", "").replace(",00", ".00")
    assert "Koszty promocji zawyżone." in awarded
    refused = next(b for b in bodies if "MG/2" in b and "nie przyznano" in b)
    assert "Za mało punktów w ocenie komisji." in refused
    # Members who do not represent the applicant are not written to.
    assert _to(plain_member.email) == []


def test_an_outcome_reaches_the_representative_in_their_language(
    official, django_capture_on_commit_callbacks
):
    representative = UserFactory(preferred_language="en")
    call = make_call(created_by=official)
    application = make_application(
        call, OrganisationFactory(created_by=representative), status="submitted", number="MG/7"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.formal_check(
            actor=official, application=application, passed=False, note="Brak podpisu"
        )
    [message] = _to(representative.email)
    assert "MG/7" in message.subject and "odrzucono" not in message.subject
    assert "Brak podpisu" in message.body
