"""Attacks on the rules a call promises and on art. 19a (Dz.U. 2023 poz. 571), one per finding:
a call's rules cannot change under its applicants, only the owning unit changes a programme, the
act's limits hold on the agreement too, the yearly share ceiling holds, the offer is published
within 7 working days for remarks from anyone, and the city's own rules are not passed off as
the act's."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.grants import law, limits, selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ApplicationStatus,
    Award,
    CallStatus,
    LegalRule,
    ProgrammeKind,
    RuleKey,
    RuleSource,
    YearlyGrantPlan,
)
from wspolnota.grants.tests.factories import make_application, make_call, make_programme
from wspolnota.organisations.models import Membership, MembershipRole
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


def _official(unit=None):
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit or CityUnitFactory())
    return user


def _representative(applicant):
    user = UserFactory()
    Membership.objects.create(
        organisation=applicant, user=user, role=MembershipRole.REPRESENTATIVE, added_by=user
    )
    return user


# --- a published call's rules are frozen -----------------------------------------------------------


def test_another_units_official_cannot_cut_a_published_calls_maximum():
    owner = _official()
    intruder = _official()
    programme = make_programme(ProgrammeKind.MICRO_GRANT, created_by=owner, max_amount=5_000)
    make_call(programme, created_by=owner)
    with pytest.raises(GrantsError) as caught:
        services.programme_update(actor=intruder, programme=programme, max_amount=Decimal(1_000))
    assert caught.value.code == "not_allowed"
    programme.refresh_from_db()
    assert programme.max_amount == Decimal(5_000)


def test_editing_the_programme_does_not_change_a_published_call_under_its_applicants():
    owner = _official()
    programme = make_programme(ProgrammeKind.MICRO_GRANT, created_by=owner, max_amount=5_000)
    call = make_call(programme, created_by=owner)
    draft = make_application(call, OrganisationFactory(), grant=4_000)
    assert selectors.application_check(draft, at=timezone.now()) == []
    services.programme_update(
        actor=owner, programme=programme, max_amount=Decimal(1_000), pass_score=Decimal(25)
    )
    draft.refresh_from_db()
    draft.call.refresh_from_db()
    assert selectors.application_check(draft, at=timezone.now()) == []
    assert draft.call.terms.max_amount == Decimal(5_000)
    assert draft.call.terms.pass_score is None


def test_a_published_call_is_changed_only_by_an_announced_version_with_a_reason(resident):
    owner = _official()
    applicant = OrganisationFactory(created_by=resident)
    representative = _representative(applicant)
    programme = make_programme(ProgrammeKind.MICRO_GRANT, created_by=owner, max_amount=5_000)
    call = make_call(programme, created_by=owner, closes_at=timezone.now() + timedelta(days=3))
    make_application(call, applicant, grant=4_000)
    with pytest.raises(GrantsError) as caught:
        services.call_update(
            actor=owner,
            call=call,
            title=call.title,
            description="",
            year=call.year,
            pool_amount=call.pool_amount,
            opens_at=call.opens_at,
            closes_at=call.closes_at,
        )
    assert caught.value.code == "call_not_draft"
    with pytest.raises(GrantsError) as caught:
        services.call_amend(
            actor=owner, call=call, reason="  ", rules={"max_amount": Decimal(3_000)}
        )
    assert caught.value.code == "amendment_reason"
    # A change of the rules leaves applicants the city's 7 days: a deadline in 3 days must move.
    with pytest.raises(GrantsError) as caught:
        services.call_amend(
            actor=owner, call=call, reason="Mniejsza pula", rules={"max_amount": Decimal(3_000)}
        )
    assert caught.value.code == "amendment_deadline"
    assert "zasady miasta" in str(caught.value)
    new_deadline = timezone.now() + timedelta(days=10)
    version = services.call_amend(
        actor=owner,
        call=call,
        reason="Mniejsza pula środków w budżecie",
        rules={"max_amount": Decimal(3_000)},
        closes_at=new_deadline,
    )
    call.refresh_from_db()
    assert (version.number, call.version) == (2, 2)
    assert call.terms.max_amount == Decimal(3_000) and call.closes_at == new_deadline
    history = selectors.call_version_history(call)
    assert [e.version.number for e in history] == [1, 2]
    assert history[0].version.rules["max_amount"] == "5000.00"
    assert AuditLogEntry.objects.filter(
        action="grants.call_amended", reason=version.reason
    ).exists()
    told = OutboxMessage.objects.filter(kind="grants.call_amended").values_list("to", flat=True)
    assert representative.email in list(told)
    page = Client().get(reverse("grants:call_detail", args=[call.pk]))
    assert "Mniejsza pula środków w budżecie" in page.content.decode()
    assert "Wersja 1" in page.content.decode() and "Wersja 2" in page.content.decode()


def test_an_amendment_cannot_loosen_the_statute_or_drop_the_pool_below_awards():
    owner = _official()
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner), created_by=owner)
    with pytest.raises(GrantsError) as caught:
        services.call_amend(
            actor=owner, call=call, reason="Więcej", rules={"max_amount": Decimal(12_000)}
        )
    assert caught.value.code == "frame_amount"
    done = make_application(call, OrganisationFactory(), grant=8_000, status="awarded")
    Award.objects.create(application=done, call=call, amount=8_000, decided_by=owner)
    with pytest.raises(GrantsError) as caught:
        services.call_amend(actor=owner, call=call, reason="Cięcia", pool_amount=Decimal(5_000))
    assert caught.value.code == "amendment_pool"


# --- scoping: role × scope × phase × action -------------------------------------------------------

PHASES = [CallStatus.DRAFT, CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.RESULTS]
ROLES = ["anonymous", "resident", "same_unit", "other_unit", "administrator", "auditor"]


def _actor(role, unit):
    if role == "anonymous":
        return None
    user = UserFactory()
    if role == "same_unit":
        RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    elif role == "other_unit":
        RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    elif role in ("administrator", "auditor"):
        RoleAssignmentFactory(user=user, role=Role(role))
    return user


def _attempt(action, actor, call):
    from django.contrib.auth.models import AnonymousUser

    who = actor or AnonymousUser()
    later = timezone.now() + timedelta(days=40)
    actions = {
        "edit_programme": lambda: services.programme_update(
            actor=who, programme=call.programme, description="Nowy opis"
        ),
        "open_call": lambda: services.call_create(
            actor=who,
            programme=call.programme,
            title="Drugi nabór",
            year=call.year,
            pool_amount=Decimal(1_000),
            opens_at=timezone.now(),
            closes_at=later,
        ),
        "edit_call": lambda: services.call_update(
            actor=who,
            call=call,
            title="Zmieniony",
            description="",
            year=call.year,
            pool_amount=call.pool_amount,
            opens_at=call.opens_at,
            closes_at=call.closes_at,
        ),
        "publish": lambda: services.call_publish(actor=who, call=call),
        "amend": lambda: services.call_amend(
            actor=who, call=call, reason="Korekta", closes_at=later
        ),
        "close": lambda: services.call_close(actor=who, call=call),
    }
    try:
        actions[action]()
    except GrantsError as exc:
        return "denied" if exc.code == "not_allowed" else "refused"
    except Exception as exc:
        if exc.__class__.__name__ in ("PermissionDeniedError", "PermissionDenied"):
            return "denied"
        raise
    return "done"


# (action, phase) -> the outcome for the owning unit; everyone else but an administrator is denied.
EXPECTED = {
    ("edit_programme", CallStatus.DRAFT): "done",
    ("edit_programme", CallStatus.PUBLISHED): "done",
    ("edit_programme", CallStatus.CLOSED): "done",
    ("edit_programme", CallStatus.RESULTS): "done",
    ("open_call", CallStatus.DRAFT): "done",
    ("open_call", CallStatus.PUBLISHED): "done",
    ("open_call", CallStatus.CLOSED): "done",
    ("open_call", CallStatus.RESULTS): "done",
    ("edit_call", CallStatus.DRAFT): "done",
    ("edit_call", CallStatus.PUBLISHED): "refused",
    ("edit_call", CallStatus.CLOSED): "refused",
    ("edit_call", CallStatus.RESULTS): "refused",
    ("publish", CallStatus.DRAFT): "done",
    ("publish", CallStatus.PUBLISHED): "refused",
    ("publish", CallStatus.CLOSED): "refused",
    ("publish", CallStatus.RESULTS): "refused",
    ("amend", CallStatus.DRAFT): "denied",
    ("amend", CallStatus.PUBLISHED): "done",
    ("amend", CallStatus.CLOSED): "denied",
    ("amend", CallStatus.RESULTS): "denied",
    ("close", CallStatus.DRAFT): "refused",
    ("close", CallStatus.PUBLISHED): "done",
    ("close", CallStatus.CLOSED): "refused",
    ("close", CallStatus.RESULTS): "refused",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize(
    "action", ["edit_programme", "open_call", "edit_call", "publish", "amend", "close"]
)
def test_permission_matrix_for_programmes_and_calls(role, phase, action):
    owner = _official()
    unit = owner.role_assignments.get().city_unit
    programme = make_programme(ProgrammeKind.MICRO_GRANT, created_by=owner)
    call = make_call(
        programme, created_by=owner, status=phase, closes_at=timezone.now() + timedelta(days=30)
    )
    actor = _actor(role, unit)
    outcome = _attempt(action, actor, call)
    allowed = role in ("same_unit", "administrator")
    if not allowed:
        assert outcome == "denied"
    else:
        assert outcome == EXPECTED[(action, phase)]


# --- art. 19a on the agreement --------------------------------------------------------------------


def _awarded_small_grant(owner, *, amount=8_000):
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner), created_by=owner)
    application = make_application(
        call, OrganisationFactory(), grant=amount, status=ApplicationStatus.AWARDED, number="MZ/1"
    )
    Award.objects.create(application=application, call=call, amount=amount, decided_by=owner)
    return application


def test_a_251_day_small_grant_agreement_is_refused():
    owner = _official()
    application = _awarded_small_grant(owner)
    start = timezone.localdate() + timedelta(days=40)
    with pytest.raises(GrantsError) as caught:
        services.agreement_save(
            actor=owner,
            application=application,
            start_date=start,
            end_date=start + timedelta(days=250),
            report_due_date=start + timedelta(days=280),
            city_signatory="Dyrektor",
            applicant_signatories="Prezes",
            bank_account="PL61109010140000071219812874",
        )
    assert caught.value.code == "agreement_duration"
    assert "art. 19a ust. 1 pkt 2" in str(caught.value) and "ustawa" in str(caught.value)
    services.agreement_save(
        actor=owner,
        application=application,
        start_date=start,
        end_date=start + timedelta(days=89),
        report_due_date=start + timedelta(days=119),
        city_signatory="Dyrektor",
        applicant_signatories="Prezes",
        bank_account="PL61109010140000071219812874",
    )


def test_a_new_act_changes_the_limit_from_its_effective_date_without_a_release():
    owner = _official()
    application = _awarded_small_grant(owner)
    effective = timezone.localdate() + timedelta(days=60)
    LegalRule.objects.create(
        key=RuleKey.SMALL_GRANT_MAX_DAYS,
        value=Decimal(120),
        source=RuleSource.STATUTE,
        legal_basis="art. 19a ust. 1 pkt 2 (nowelizacja)",
        effective_from=effective,
    )
    assert law.rule(RuleKey.SMALL_GRANT_MAX_DAYS).days == 90
    assert law.rule(RuleKey.SMALL_GRANT_MAX_DAYS, on=effective).days == 120
    # A 100-day agreement starting before the change is refused, one starting after it is not.
    before = effective - timedelta(days=5)
    with pytest.raises(GrantsError):
        services.agreement_save(
            actor=owner,
            application=application,
            start_date=before,
            end_date=before + timedelta(days=99),
            report_due_date=before + timedelta(days=130),
            city_signatory="Dyrektor",
            applicant_signatories="Prezes",
            bank_account="PL61109010140000071219812874",
        )
    application.call.programme.max_duration_days = 120
    application.call.rules["max_duration_days"] = 120
    application.call.__dict__.pop("terms", None)
    services.agreement_save(
        actor=owner,
        application=application,
        start_date=effective,
        end_date=effective + timedelta(days=99),
        report_due_date=effective + timedelta(days=130),
        city_signatory="Dyrektor",
        applicant_signatories="Prezes",
        bank_account="PL61109010140000071219812874",
    )


def test_small_grants_stay_within_the_yearly_share_of_planned_ngo_grants():
    owner = _official()
    year = timezone.localdate().year
    YearlyGrantPlan.objects.create(
        year=year, planned_ngo_grants=Decimal(50_000), basis="uchwała budżetowa", set_by=owner
    )
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner), created_by=owner)
    decided = timezone.now() + timedelta(days=8)
    offers = []
    for amount in (6_000, 4_000, 1_000):
        offers.append(
            make_application(
                call,
                OrganisationFactory(status="verified"),
                grant=amount,
                status=ApplicationStatus.IN_ASSESSMENT,
                number=f"MZ/{amount}",
            )
        )
    services.award_grant(actor=owner, application=offers[0], amount=Decimal(6_000), at=decided)
    services.award_grant(actor=owner, application=offers[1], amount=Decimal(4_000), at=decided)
    with pytest.raises(GrantsError) as caught:
        services.award_grant(actor=owner, application=offers[2], amount=Decimal(1_000), at=decided)
    assert caught.value.code == "share_ceiling"
    assert "20%" in str(caught.value) and "art. 19a ust. 1a" in str(caught.value)


def test_without_the_years_plan_the_share_ceiling_cannot_be_checked_so_no_award():
    owner = _official()
    call = make_call(
        make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner),
        created_by=owner,
        year=2031,
    )
    YearlyGrantPlan.objects.filter(year=2031).delete()
    offer = make_application(
        call,
        OrganisationFactory(status="verified"),
        grant=5_000,
        status=ApplicationStatus.IN_ASSESSMENT,
    )
    with pytest.raises(GrantsError) as caught:
        services.award_grant(actor=owner, application=offer, amount=Decimal(5_000))
    assert caught.value.code == "share_no_plan"


# --- art. 19a ust. 3–4: publication and remarks ------------------------------------------------------


def test_the_offer_must_be_published_within_7_working_days_of_receipt(resident):
    owner = _official()
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner), created_by=owner)
    applicant = OrganisationFactory(created_by=resident)
    friday = datetime(2026, 12, 18, 10, 0, tzinfo=WARSAW)
    application = make_application(call, applicant, grant=5_000, start=date(2027, 2, 1))
    call.opens_at = friday - timedelta(days=1)
    call.save(update_fields=["opens_at"])
    services.application_submit(user=resident, application=application, at=friday)
    application.refresh_from_db()
    # 21, 22, 23, 28, 29, 30, 31 December: 24–26 December are holidays, 27 is a Sunday.
    assert application.publication_due == date(2026, 12, 31)
    assert law.add_working_days(date(2026, 12, 18), 7) == date(2026, 12, 31)
    late = datetime(2027, 1, 4, 9, 0, tzinfo=WARSAW)
    assert [a.overdue for a in selectors.offers_awaiting_publication(owner, at=late)] == [True]
    services.formal_check(actor=owner, application=application, passed=True, at=late)
    entry = AuditLogEntry.objects.get(action="grants.formal_passed")
    assert entry.after["published_late"] is True


def test_anyone_may_send_a_remark_without_an_account():
    owner = _official()
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner), created_by=owner)
    application = make_application(call, OrganisationFactory(), grant=5_000, status="submitted")
    services.formal_check(actor=owner, application=application, passed=True)
    url = reverse("grants:remarks_detail", args=[application.pk])
    response = Client().post(url, {"author_name": "Anna Nowak", "text": "Za drogi catering."})
    assert response.status_code == 302
    remark = application.remarks.get()
    assert (remark.author, remark.author_name) == (None, "Anna Nowak")
    unsigned = Client().post(url, {"author_name": "", "text": "Anonim"})
    assert unsigned.status_code == 400 and application.remarks.count() == 1


# --- the city's rules are not the act's ----------------------------------------------------------


def test_the_city_may_drop_the_lead_time_and_yearly_cap_that_the_act_does_not_set():
    owner = _official()
    programme = services.programme_create(
        actor=owner,
        kind=ProgrammeKind.SMALL_GRANT,
        name="Małe granty bez wyprzedzenia",
        min_lead_days=0,
        yearly_cap_per_applicant=None,
    )
    assert (programme.min_lead_days, programme.yearly_cap_per_applicant) == (0, None)


def test_the_lead_time_message_names_the_citys_rules_not_the_act(resident):
    owner = _official()
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT, created_by=owner), created_by=owner)
    late = make_application(
        call,
        OrganisationFactory(created_by=resident),
        grant=5_000,
        start=timezone.localdate() + timedelta(days=3),
    )
    [problem] = [
        p for p in selectors.application_check(late, at=timezone.now()) if p.code == "lead_time"
    ]
    assert str(problem).startswith("Zasady miasta") and "ustaw" not in str(problem).lower()
    for rule in law.rules_in_force():
        if rule.key in (RuleKey.SMALL_GRANT_CITY_LEAD_DAYS, RuleKey.SMALL_GRANT_CITY_YEARLY_CAP):
            assert not rule.is_statute
    assert law.rule(RuleKey.SMALL_GRANT_MAX_AMOUNT).is_statute
    assert limits.legal_frame(ProgrammeKind.SMALL_GRANT).max_amount.value == Decimal(10_000)


def test_an_official_of_any_unit_cannot_run_a_call_that_names_no_unit():
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    assert call.city_unit_id is None
    application = make_application(call, OrganisationFactory(), status="submitted")
    with pytest.raises(GrantsError) as caught:
        services.formal_check(actor=_official(), application=application, passed=True)
    assert caught.value.code == "not_allowed"
