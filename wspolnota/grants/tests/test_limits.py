"""Every limit of every programme, one behaviour per test: the rule, and the message it gives."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone

from wspolnota.grants import selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ApplicationStatus,
    Award,
    CallStatus,
    CostCategory,
    CriterionGroup,
    ProgrammeKind,
    ScheduleItem,
)
from wspolnota.grants.tests.factories import (
    budget_line,
    make_application,
    make_call,
    make_programme,
)
from wspolnota.organisations.models import OrganisationPerson, PersonRole, VerificationStatus
from wspolnota.organisations.tests.factories import (
    IndividualFactory,
    InformalGroupFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db


def codes(application, at=None):
    return [p.code for p in selectors.application_check(application, at=at or timezone.now())]


def message(application, code):
    problems = selectors.application_check(application, at=timezone.now())
    return next(str(p) for p in problems if p.code == code)


@pytest.fixture
def ngo(resident):
    return OrganisationFactory(created_by=resident)


# --- programme frames ------------------------------------------------------------------------------


def test_a_complete_application_breaks_no_limit(ngo):
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    assert codes(make_application(call, ngo, grant=2_000)) == []


@pytest.mark.parametrize(
    ("kind", "field", "value", "code"),
    [
        (ProgrammeKind.SMALL_GRANT, "max_amount", Decimal(10_001), "frame_amount"),
        (ProgrammeKind.SMALL_GRANT, "max_amount", None, "frame_amount"),
        (ProgrammeKind.SMALL_GRANT, "max_duration_days", 91, "frame_duration"),
        (ProgrammeKind.SMALL_GRANT, "remarks_days", 5, "frame_remarks"),
        (ProgrammeKind.OPEN_COMPETITION, "min_announcement_days", 14, "frame_announcement"),
        (ProgrammeKind.LOCAL_INITIATIVE, "in_kind_only", False, "frame_in_kind"),
        (ProgrammeKind.LOCAL_INITIATIVE, "requires_own_contribution", False, "frame_contribution"),
        (ProgrammeKind.LOCAL_INITIATIVE, "pass_score", Decimal(50), "frame_pass"),
    ],
)
def test_a_programme_cannot_loosen_its_legal_frame(official, kind, field, value, code):
    with pytest.raises(GrantsError) as caught:
        services.programme_create(actor=official, kind=kind, name="Program", **{field: value})
    assert caught.value.code == code and caught.value.field == field


def test_a_programme_may_tighten_its_frame_and_starts_with_the_legal_defaults(official):
    programme = services.programme_create(
        actor=official, kind=ProgrammeKind.SMALL_GRANT, name="Małe granty 2025", max_amount=8_000
    )
    assert programme.max_amount == 8_000
    assert (programme.max_duration_days, programme.min_lead_days, programme.remarks_days) == (
        90,
        30,
        7,
    )
    assert programme.yearly_cap_per_applicant == 20_000


def test_the_local_initiative_rubric_is_45_45_10_out_of_100(official):
    programme = services.programme_create(
        actor=official, kind=ProgrammeKind.LOCAL_INITIATIVE, name="Inicjatywa lokalna"
    )
    rubric = {c.group: c.max_points for c in programme.criteria.all()}
    assert rubric == {"purpose": 45, "contribution": 45, "other": 10}
    assert programme.pass_score == 60
    too_much = [
        services.CriterionData("Celowość", CriterionGroup.PURPOSE, Decimal(50)),
        services.CriterionData("Wkład", CriterionGroup.CONTRIBUTION, Decimal(40)),
        services.CriterionData("Inne", CriterionGroup.OTHER, Decimal(10)),
    ]
    with pytest.raises(GrantsError) as caught:
        services.rubric_replace(actor=official, programme=programme, criteria=too_much)
    assert caught.value.code == "rubric_group"
    assert "najwyżej 45 pkt (teraz 50)" in str(caught.value)
    short = too_much[1:]
    with pytest.raises(GrantsError) as caught:
        services.rubric_replace(actor=official, programme=programme, criteria=short)
    assert caught.value.code == "rubric_total"


# --- who may apply -----------------------------------------------------------------------------------


def test_micro_grants_take_youth_aged_13_to_21_with_an_adult_guardian(resident):
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    today = timezone.localdate()
    twelve = IndividualFactory(
        created_by=resident,
        person__birth_date=today.replace(year=today.year - 12),
        person__guardian=True,
    )
    assert "applicant_age" in codes(make_application(call, twelve))
    sixteen_alone = IndividualFactory(person__birth_date=today.replace(year=today.year - 16))
    assert codes(make_application(call, sixteen_alone)) == ["applicant_guardian"]
    twenty = IndividualFactory(
        person__birth_date=today.replace(year=today.year - 20), person__guardian=True
    )
    assert codes(make_application(call, twenty)) == []
    twenty_two = IndividualFactory(
        person__birth_date=today.replace(year=today.year - 22), person__guardian=True
    )
    application = make_application(call, twenty_two)
    assert message(application, "applicant_age") == (
        "W tym programie osoba fizyczna musi mieć od 13 do 21 lat (teraz: 22)."
    )


def test_an_informal_group_needs_three_adults_to_apply():
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    group = InformalGroupFactory()
    assert codes(make_application(call, group)) == []
    OrganisationPerson.objects.filter(
        organisation=group, role=PersonRole.GROUP_MEMBER
    ).first().delete()
    assert codes(make_application(make_call(make_programme()), group)) == ["group_adults"]


def test_a_small_grant_is_for_ngos_only():
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT))
    application = make_application(call, InformalGroupFactory(), grant=5_000)
    assert message(application, "applicant_kind") == (
        "W tym programie wniosków nie mogą składać: grupa nieformalna."
    )


def test_a_rejected_or_new_registry_entry_cannot_apply():
    call = make_call()
    application = make_application(call, OrganisationFactory(status=VerificationStatus.NEW))
    assert codes(application) == ["applicant_status"]


# --- amounts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grant", "code"), [(499, "amount_below_min"), (5_001, "amount_above_max"), (500, None)]
)
def test_micro_grant_amounts_stay_within_500_and_5000(ngo, grant, code):
    application = make_application(make_call(make_programme()), ngo, grant=grant)
    assert codes(application) == ([code] if code else [])


def test_a_small_grant_is_at_most_10000(ngo):
    application = make_application(
        make_call(make_programme(ProgrammeKind.SMALL_GRANT)), ngo, grant=10_001
    )
    assert message(application, "amount_above_max") == (
        "Wnioskowana kwota (10\xa0001,00 zł) przekracza największą dozwoloną (10\xa0000,00 zł)."
    )


def test_a_small_grant_keeps_the_yearly_limit_of_20000_per_organisation(ngo, official):
    programme = make_programme(ProgrammeKind.SMALL_GRANT)
    earlier = make_call(programme)
    for amount in (9_000, 8_000):
        done = make_application(
            earlier,
            ngo,
            grant=amount,
            status=ApplicationStatus.AWARDED,
            submitted_at=timezone.now(),
        )
        Award.objects.create(application=done, call=earlier, amount=amount, decided_by=official)
    application = make_application(make_call(programme), ngo, grant=4_000)
    assert message(application, "yearly_cap") == (
        f"Ten wnioskodawca dostał w {earlier.year} r. już 17\xa0000,00 zł; razem z tym wnioskiem "
        "przekroczyłby roczny limit 20\xa0000,00 zł, który ustaliło miasto w zasadach programu."
    )
    other_year = make_application(make_call(programme, year=earlier.year + 1), ngo, grant=4_000)
    assert codes(other_year) == []


def test_the_request_cannot_exceed_what_is_left_in_the_pool(ngo, official):
    call = make_call(pool=3_000)
    done = make_application(
        call, OrganisationFactory(), grant=2_000, status=ApplicationStatus.AWARDED
    )
    Award.objects.create(application=done, call=call, amount=2_000, decided_by=official)
    assert codes(make_application(call, ngo, grant=1_500)) == ["amount_above_pool"]


def test_a_rolling_local_initiative_call_stops_when_the_money_runs_out(official):
    group = InformalGroupFactory()
    call = make_call(make_programme(ProgrammeKind.LOCAL_INITIATIVE), pool=1_000)
    assert call.closes_at is None
    done = make_application(
        call, OrganisationFactory(), grant=1_000, own=100, status=ApplicationStatus.AWARDED
    )
    Award.objects.create(application=done, call=call, amount=1_000, decided_by=official)
    application = make_application(call, group, grant=500, own=100)
    with pytest.raises(GrantsError) as caught:
        services.application_submit(user=group.created_by, application=application)
    assert caught.value.code == "pool_exhausted"


# --- contributions and budget rows -----------------------------------------------------------------


def test_a_local_initiative_needs_the_residents_contribution(ngo):
    call = make_call(make_programme(ProgrammeKind.LOCAL_INITIATIVE))
    assert codes(make_application(call, ngo, grant=3_000)) == ["contribution_required"]
    assert (
        codes(make_application(call, OrganisationFactory(), grant=3_000, volunteer_hours=20)) == []
    )
    no_text = make_application(
        call, OrganisationFactory(), grant=3_000, own=100, residents_contribution=""
    )
    assert codes(no_text) == ["contribution_text"]


def test_a_minimum_own_contribution_share_is_enforced(ngo):
    programme = make_programme(
        ProgrammeKind.OPEN_COMPETITION,
        requires_own_contribution=True,
        min_own_contribution_percent=Decimal(10),
    )
    application = make_application(make_call(programme), ngo, grant=9_500, own=500)
    assert message(application, "contribution_share") == (
        "Wkład własny musi wynosić co najmniej 10% kosztów (teraz 5%)."
    )


def test_each_budget_row_adds_up_and_values_volunteer_work_within_the_rate(ngo):
    application = make_application(make_call(), ngo, grant=1_000)
    line = application.budget_lines.get()
    line.total = Decimal(1_200)
    line.save()
    budget_line(
        application,
        2,
        grant=0,
        volunteer=600,
        category=CostCategory.VOLUNTEER,
        quantity=10,
        unit_cost=60,
        description="Wolontariat",
    )
    budget_line(application, 3, grant=0, volunteer=100, description="Zakupy")
    found = codes(application)
    assert found.count("budget_sources") == 1
    assert "volunteer_rate" in found and "budget_volunteer" in found
    assert message(application, "volunteer_rate") == (
        "Pozycja 2: godzina pracy wolontariusza może być wyceniona najwyżej na 50,00 zł (teraz 60,00 zł)."
    )


def test_an_empty_budget_is_refused(ngo):
    application = make_application(make_call(), ngo, complete=False)
    assert "budget_empty" in codes(application)


# --- dates -------------------------------------------------------------------------------------------


def test_a_small_grant_lasts_at_most_90_days(ngo):
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT))
    assert codes(make_application(call, ngo, grant=5_000, days=90)) == []
    too_long = make_application(call, OrganisationFactory(), grant=5_000, days=91)
    assert message(too_long, "duration") == "Zadanie może trwać najwyżej 90 dni (teraz 91)."


def test_a_small_grant_offer_is_filed_at_least_30_days_before_the_start(ngo):
    call = make_call(make_programme(ProgrammeKind.SMALL_GRANT))
    today = timezone.localdate()
    late = make_application(call, ngo, grant=5_000, start=today + timedelta(days=29))
    assert codes(late) == ["lead_time"]
    earliest = formats.date_format(today + timedelta(days=30), "SHORT_DATE_FORMAT")
    assert message(late, "lead_time").endswith(f"najwcześniejsza data rozpoczęcia to {earliest}.")
    on_time = make_application(
        call, OrganisationFactory(), grant=5_000, start=today + timedelta(days=30)
    )
    assert codes(on_time) == []


def test_dates_are_in_order_and_not_in_the_past(ngo):
    call = make_call()
    reversed_dates = make_application(call, ngo)
    reversed_dates.end_date = reversed_dates.start_date - timedelta(days=1)
    reversed_dates.save()
    assert "dates_order" in codes(reversed_dates)
    past = make_application(
        call, OrganisationFactory(), start=timezone.localdate() - timedelta(days=3)
    )
    assert codes(past) == ["start_in_past"]


def test_schedule_items_stay_within_the_task(ngo):
    application = make_application(make_call(make_programme(ProgrammeKind.OPEN_COMPETITION)), ngo)
    ScheduleItem.objects.create(
        application=application,
        position=2,
        action="Podsumowanie",
        start_date=application.end_date,
        end_date=application.end_date + timedelta(days=2),
    )
    assert codes(application) == ["schedule_outside"]


def test_the_full_and_simplified_forms_need_a_schedule_and_results(ngo):
    application = make_application(
        make_call(make_programme(ProgrammeKind.OPEN_COMPETITION)), ngo, experience=""
    )
    application.schedule_items.all().delete()
    application.expected_results.all().delete()
    assert [c for c in codes(application) if not c.startswith("offer_")] == [
        "experience_required",
        "schedule_required",
        "results_required",
    ]


# --- calls -------------------------------------------------------------------------------------------


def test_an_open_competition_is_announced_at_least_21_days_before_its_deadline(official):
    programme = make_programme(ProgrammeKind.OPEN_COMPETITION)
    now = timezone.now()
    call = make_call(
        programme,
        status=CallStatus.DRAFT,
        opens_at=now,
        closes_at=now + timedelta(days=20),
        created_by=official,
    )
    with pytest.raises(GrantsError) as caught:
        services.call_publish(actor=official, call=call, at=now)
    assert caught.value.code == "announcement_too_late"
    call.closes_at = now + timedelta(days=21, minutes=1)
    call.save()
    services.call_publish(actor=official, call=call, at=now)
    assert call.status == CallStatus.PUBLISHED


def test_a_fixed_call_needs_a_deadline_and_a_rolling_one_does_not(official):
    with pytest.raises(GrantsError) as caught:
        services.call_create(
            actor=official,
            programme=make_programme(ProgrammeKind.OPEN_COMPETITION, created_by=official),
            title="Konkurs",
            year=2025,
            pool_amount=Decimal(100_000),
            opens_at=timezone.now(),
        )
    assert caught.value.code == "call_deadline"
    call = services.call_create(
        actor=official,
        programme=make_programme(ProgrammeKind.LOCAL_INITIATIVE, created_by=official),
        title="Inicjatywa lokalna 2025",
        year=2025,
        pool_amount=Decimal(195_000),
        opens_at=timezone.now(),
    )
    assert call.criteria.count() == 3


def test_applications_are_accepted_only_while_the_call_is_open(ngo):
    now = timezone.now()
    call = make_call(opens_at=now - timedelta(days=10), closes_at=now - timedelta(minutes=1))
    with pytest.raises(GrantsError) as caught:
        services.application_start(user=ngo.created_by, call=call, applicant=ngo, title="X")
    assert caught.value.code == "call_not_open"
    application = make_application(make_call(closes_at=now + timedelta(days=1)), ngo)
    with pytest.raises(GrantsError) as caught:
        services.application_submit(
            user=ngo.created_by, application=application, at=now + timedelta(days=2)
        )
    assert caught.value.code == "call_not_open"


def test_one_applicant_files_one_application_per_call(ngo):
    call = make_call()
    services.application_start(user=ngo.created_by, call=call, applicant=ngo, title="Pierwszy")
    with pytest.raises(GrantsError) as caught:
        services.application_start(user=ngo.created_by, call=call, applicant=ngo, title="Drugi")
    assert caught.value.code == "duplicate" and "Pierwszy" in str(caught.value)


def test_a_submission_is_refused_with_the_first_broken_limit(ngo):
    application = make_application(make_call(), ngo, grant=9_000)
    with pytest.raises(GrantsError) as caught:
        services.application_submit(user=ngo.created_by, application=application)
    assert caught.value.code == "amount_above_max"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT and application.number == ""


def test_age_is_counted_on_the_day_of_submission(resident):
    call = make_call(make_programme(ProgrammeKind.MICRO_GRANT))
    today = timezone.localdate()
    birthday = date(today.year - 22, today.month, today.day) + timedelta(days=1)
    young = IndividualFactory(
        created_by=resident, person__birth_date=birthday, person__guardian=True
    )
    application = make_application(call, young)
    assert codes(application) == []
    tomorrow = timezone.now() + timedelta(days=1)
    assert "applicant_age" in codes(application, at=tomorrow)
