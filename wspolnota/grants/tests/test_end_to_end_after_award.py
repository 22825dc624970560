"""Life after the award for each of the four kinds of programme, through the pages only: the call
is amended with a reason (applicants told), the pool fits one grant, the second application is
refused and waits on the reserve list; the first grantee resigns before signing, the freed money
goes to the reserve list; the agreement is changed by an annex; the final report leaves money
unspent, which the city asks back and records as returned — every official's act audited."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django.utils.text import capfirst

from wspolnota.communication.models import OutboxMessage
from wspolnota.grants import selectors
from wspolnota.grants.models import (
    AgreementStatus,
    Application,
    ApplicationStatus,
    Award,
    AwardStatus,
    Call,
    FundReturn,
    ProgrammeKind,
    Report,
    ReportStatus,
    YearlyGrantPlan,
)
from wspolnota.grants.tests.test_end_to_end import (
    Flow,
    _errors,
    form_value,
    formset,
    messages_of,
    ok,
)
from wspolnota.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

# kind: the budget of each application, its timing, extra fields, the commission's points, the
# money a tranche-paid grantee spends of each line (grant, contribution) and what it returns.
KINDS: dict[str, dict[str, Any]] = {
    ProgrammeKind.MICRO_GRANT: {
        "budget": [
            {
                "category": "materials",
                "description": "Sadzonki",
                "unit": "szt.",
                "quantity": 30,
                "unit_cost": 60,
                "grant_amount": 1_800,
            },
            {
                "category": "volunteer",
                "description": "Sadzenie",
                "unit": "h",
                "quantity": 20,
                "unit_cost": 40,
                "volunteer_amount": 800,
            },
        ],
        "grant": Decimal(1_800),
        "start_in_days": 20,
        "days": 30,
        "deadline": 14,
        "extra": {},
        "points": [9, 8, 10],
        "tranches": [Decimal(1_800)],
        "actual": [(Decimal(1_700), Decimal(800)), (Decimal(0), Decimal(800))],
        "returned": Decimal(100),
    },
    ProgrammeKind.LOCAL_INITIATIVE: {
        "budget": [
            {
                "category": "materials",
                "description": "Ławki kupione przez miasto",
                "unit": "szt.",
                "quantity": 4,
                "unit_cost": 1_500,
                "grant_amount": 6_000,
            },
            {
                "category": "volunteer",
                "description": "Montaż ławek",
                "unit": "h",
                "quantity": 40,
                "unit_cost": 40,
                "volunteer_amount": 1_600,
            },
        ],
        "grant": Decimal(6_000),
        "start_in_days": 10,
        "days": 60,
        "deadline": None,
        "extra": {"residents_contribution": "Mieszkańcy zamontują ławki."},
        "points": [40, 35, 8],
        "tranches": [],
        "actual": [(Decimal(5_800), Decimal(0)), (Decimal(0), Decimal(1_600))],
        "returned": None,  # in-kind support: the city bought the goods, nothing was paid out
    },
    ProgrammeKind.SMALL_GRANT: {
        "budget": [
            {
                "category": "services",
                "description": "Warsztaty ogrodnicze",
                "unit": "godz.",
                "quantity": 40,
                "unit_cost": 200,
                "grant_amount": 8_000,
            },
            {
                "category": "materials",
                "description": "Narzędzia",
                "unit": "kpl.",
                "quantity": 1,
                "unit_cost": 1_000,
                "own_amount": 1_000,
            },
        ],
        "grant": Decimal(8_000),
        "start_in_days": 35,
        "days": 60,
        "deadline": None,
        "extra": {},
        "points": None,
        "tranches": [Decimal(4_000), Decimal(4_000)],
        "actual": [(Decimal(7_700), Decimal(0)), (Decimal(0), Decimal(1_000))],
        "returned": Decimal(300),
    },
    ProgrammeKind.OPEN_COMPETITION: {
        "budget": [
            {
                "category": "personnel",
                "description": "Koordynacja",
                "unit": "mies.",
                "quantity": 10,
                "unit_cost": 3_000,
                "grant_amount": 30_000,
            },
            {
                "category": "premises",
                "description": "Sala",
                "unit": "mies.",
                "quantity": 10,
                "unit_cost": 500,
                "in_kind_amount": 5_000,
            },
        ],
        "grant": Decimal(30_000),
        "start_in_days": 40,
        "days": 300,
        "deadline": 22,
        "extra": {"experience": "Od 2015 r. prowadzimy klub seniora."},
        "points": [9, 18, 8, 9],
        "tranches": [Decimal(15_000), Decimal(15_000)],
        "actual": [(Decimal(29_000), Decimal(0)), (Decimal(0), Decimal(5_000))],
        "returned": Decimal(1_000),
    },
}


def _amend_pool(flow: Flow, call: Call, pool: Decimal) -> None:
    """Announce a cut of the pool with its reason, the other fields as they are."""
    url = f"/pl/granty/urzad/nabory/{call.pk}/zmiana/"
    initial = ok(flow.office.get(url)).context["form"].initial
    data = {}
    for name, value in initial.items():
        if isinstance(value, datetime):
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        data[name] = form_value(value)
    data.update({"pool_amount": form_value(pool), "reason": "Rada Miasta zmniejszyła budżet."})
    response = flow.office.post(url, data)
    assert response.status_code == 302, _errors(response)
    call.refresh_from_db()
    assert call.version == 2 and call.pool_amount == pool


def _settle_with_return(flow: Flow, agreement: Any, case: dict[str, Any]) -> None:
    response = flow.applicant.post(
        f"/pl/granty/umowy/{agreement.pk}/sprawozdanie/",
        {
            "kind": "final",
            "period_from": agreement.start_date.isoformat(),
            "period_to": agreement.end_date.isoformat(),
        },
    )
    assert response.status_code == 302, _errors(response)
    report = Report.objects.get(agreement=agreement)
    url = f"/pl/granty/sprawozdania/{report.pk}/"
    data: dict[str, str] = {"save": "1", "narrative": "Zadanie wykonane, trochę taniej."}
    for line, (grant, contribution) in zip(
        report.lines.select_related("budget_line").order_by("budget_line__position"),
        case["actual"],
        strict=True,
    ):
        prefix = f"line-{line.pk}"
        budget_line = line.budget_line
        data[f"{prefix}-actual_grant"] = form_value(grant)
        if budget_line.volunteer_amount > 0:
            data[f"{prefix}-actual_volunteer"] = form_value(contribution)
        elif budget_line.in_kind_amount > 0:
            data[f"{prefix}-actual_in_kind"] = form_value(contribution)
        else:
            data[f"{prefix}-actual_own"] = form_value(contribution)
        if grant != budget_line.grant_amount:
            data[f"{prefix}-explanation"] = "Tańsze usługi"
    for result in report.results.all():
        data[f"result-{result.pk}-achieved"] = "zgodnie z planem"
    ok(flow.applicant.post(url, data))
    ok(flow.applicant.post(f"{url}zloz/"))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED, messages_of(flow.applicant.get(url))
    ok(flow.office.post(f"{url}rozpatrz/", {"decision": "accept", "note": ""}))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SETTLED
    if case["returned"] is None:
        assert not FundReturn.objects.filter(agreement=agreement).exists()
    else:
        fund_return = FundReturn.objects.get(agreement=agreement)
        assert fund_return.amount == case["returned"]
        assert fund_return.interest_from == fund_return.due_date + timedelta(days=1)
        page = ok(flow.applicant.get(f"/pl/granty/umowy/{agreement.pk}/")).content.decode()
        assert capfirst(fund_return.get_reason_display()) in page
        ok(
            flow.office.post(
                f"/pl/granty/umowy/{agreement.pk}/zwroty/{fund_return.pk}/",
                {
                    "returned_on": timezone.localdate().isoformat(),
                    "amount": form_value(case["returned"]),
                },
            )
        )
        fund_return.refresh_from_db()
        assert fund_return.returned_on == timezone.localdate()
        assert fund_return.returned_amount == case["returned"]
    ok(flow.office.post(f"/pl/granty/umowy/{agreement.pk}/archiwizuj/"))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ARCHIVED


@pytest.mark.parametrize("kind", list(KINDS))
def test_amendment_resignation_reserve_annex_and_a_settlement_with_a_return(krakow, kind):
    case = KINDS[kind]
    flow = Flow(krakow, kind)
    if kind == ProgrammeKind.SMALL_GRANT:
        YearlyGrantPlan.objects.create(
            year=timezone.localdate().year,
            planned_ngo_grants=Decimal(2_000_000),
            basis="Uchwała budżetowa",
            set_by=flow.official,
        )
    programme = flow.create_programme()
    call = flow.create_call(
        programme, pool=int(case["grant"] * 2), days_to_deadline=case["deadline"]
    )
    first, second = (
        OrganisationFactory(created_by=flow.applicant_user, name=name)
        for name in ("Fundacja Pierwsza", "Stowarzyszenie Drugie")
    )
    applications: list[Application] = [
        flow.apply(
            call,
            organisation,
            budget=case["budget"],
            start_in_days=case["start_in_days"],
            days=case["days"],
            extra=case["extra"],
        )
        for organisation in (first, second)
    ]
    a, b = applications

    # The city cuts the pool to one grant: a new version with the reason, applicants told.
    _amend_pool(flow, call, case["grant"])
    assert OutboxMessage.objects.filter(kind="grants.call_amended").count() >= 2
    public = ok(flow.applicant.get(f"/pl/granty/nabory/{call.pk}/")).content.decode()
    assert "Rada Miasta zmniejszyła budżet." in public

    for application in applications:
        flow.formal_check(application)
        if case["points"]:
            flow.assess(application, case["points"])
    if kind == ProgrammeKind.SMALL_GRANT:  # the seven days of remarks are over
        Application.objects.filter(pk__in=[a.pk, b.pk]).update(
            remarks_from=timezone.now() - timedelta(days=8),
            remarks_until=timezone.now() - timedelta(days=1),
        )
    flow.award(a, case["grant"])
    too_much = flow.office.post(
        f"/pl/granty/urzad/wnioski/{b.pk}/", {"award": "1", "amount": form_value(case["grant"])}
    )
    assert too_much.status_code == 400  # the pool holds one grant
    response = flow.office.post(
        f"/pl/granty/urzad/wnioski/{b.pk}/", {"refuse": "1", "reason": "Brak środków w puli."}
    )
    assert response.status_code == 302, _errors(response)
    assert [row.application.pk for row in selectors.reserve_list(call)] == [b.pk]
    flow.publish_results(call, close=not programme.rolling)

    # The first grantee resigns before signing; the money returns to the pool.
    response = flow.applicant.post(
        f"/pl/granty/wnioski/{a.pk}/rezygnacja/", {"reason": "Lider wyjechał za granicę."}
    )
    assert response.status_code == 302, _errors(response)
    a.refresh_from_db()
    assert a.status == ApplicationStatus.RESIGNED
    assert Award.objects.get(application=a).status == AwardStatus.RESIGNED
    assert selectors.call_pool(call).remaining == case["grant"]

    # The first on the reserve list is offered the freed money.
    office_page = ok(flow.office.get(f"/pl/granty/urzad/wnioski/{b.pk}/")).content.decode()
    assert b.number in office_page
    flow.award(b, case["grant"])
    award = Award.objects.get(application=b)
    assert award.from_reserve and award.status == AwardStatus.ACTIVE
    assert OutboxMessage.objects.filter(kind="grants.reserve_offered").exists()
    assert selectors.call_pool(call).remaining == 0

    agreement = flow.agreement(b, tranches=case["tranches"])

    # An annex moves the end of the task by five days and lowers the expected result: version 2,
    # the terms before and after.
    terms = selectors.agreement_terms(agreement)
    new_end = agreement.end_date + timedelta(days=5)
    rows = [
        {
            "position": line.position,
            "grant": line.grant,
            "own": line.own,
            "in_kind": line.in_kind,
            "volunteer": line.volunteer,
        }
        for line in terms.budget
    ]
    response = flow.office.post(
        f"/pl/granty/umowy/{agreement.pk}/aneks/",
        {
            "reason": "Opóźniona dostawa materiałów.",
            "signed_on": timezone.localdate().isoformat(),
            "end_date": new_end.isoformat(),
            "report_due_date": (new_end + timedelta(days=30)).isoformat(),
            "amount": form_value(agreement.amount),
            **formset("budget", rows),
            **formset(
                "schedule",
                [
                    {
                        "action": item["action"],
                        "start_date": item["start_date"],
                        "end_date": item["end_date"],
                    }
                    for item in terms.schedule
                ],
            ),
            **formset(
                "results",
                [{"description": r["description"], "target": "25 szt."} for r in terms.results],
            ),
        },
    )
    assert response.status_code == 302, _errors(response)
    agreement.refresh_from_db()
    assert agreement.version == 2 and agreement.end_date == new_end
    annex = agreement.annexes.get()
    assert annex.before["end_date"] != annex.after["end_date"]
    assert [r["target"] for r in annex.after["results"]] == ["25 szt."]
    assert (
        "Opóźniona dostawa materiałów."
        in ok(flow.applicant.get(f"/pl/granty/umowy/{agreement.pk}/")).content.decode()
    )

    _settle_with_return(flow, agreement, case)

    acts = flow.audited()
    expected = [
        "grants.call_amended",
        "grants.awarded",
        "grants.not_awarded",
        "grants.results_published",
        "grants.award_resigned",
        "grants.awarded_from_reserve",
        "grants.agreement_signed",
        "grants.annex_signed",
        "grants.report_accepted",
        "grants.agreement_settled",
    ]
    if case["returned"] is not None:
        expected += ["grants.return_requested", "grants.return_recorded"]
    expected.append("grants.agreement_archived")
    positions = [acts.index(act) for act in expected]
    assert positions == sorted(positions), list(zip(expected, positions, strict=True))
