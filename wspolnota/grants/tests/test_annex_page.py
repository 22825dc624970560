"""The annex page changes the schedule and the results too (not only dates, amount and budget),
and the agreement page shows the schedule and results in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wspolnota.grants import selectors, services
from wspolnota.grants.tests.test_after_award import _scored, _scored_call, _sign, owner  # noqa: F401
from wspolnota.grants.tests.test_end_to_end import form_value, formset

pytestmark = pytest.mark.django_db


def _post(agreement, *, schedule, results):
    terms = selectors.agreement_terms(agreement)
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
    return {
        "reason": "Zmiana harmonogramu i rezultatów.",
        "signed_on": timezone.localdate().isoformat(),
        "end_date": agreement.end_date.isoformat(),
        "report_due_date": agreement.report_due_date.isoformat(),
        "amount": form_value(agreement.amount),
        **formset("budget", rows),
        **formset("schedule", schedule),
        **formset("results", results),
    }


def test_an_annex_changes_the_schedule_and_the_results_through_the_page(owner):  # noqa: F811
    call, members = _scored_call(owner)
    application = _scored(call, members, 4_000, [9, 18, 8, 9])
    services.award_grant(actor=owner, application=application, amount=application.requested_amount)
    agreement = _sign(owner, application)
    client = Client()
    client.force_login(owner)
    url = f"/pl/granty/umowy/{agreement.pk}/aneks/"
    page = client.get(url)
    assert page.status_code == 200
    start = agreement.start_date
    schedule = [
        {
            "action": "Warsztaty w nowym terminie",
            "start_date": start + timedelta(days=3),
            "end_date": agreement.end_date,
        },
    ]
    results = [{"description": "Uczestnicy warsztatów", "target": "25 osób"}]
    response = client.post(url, _post(agreement, schedule=schedule, results=results))
    assert response.status_code == 302, response.content.decode()[-2000:]
    annex = agreement.annexes.get()
    assert annex.after["schedule"][0]["action"] == "Warsztaty w nowym terminie"
    assert annex.after["results"] == [
        {"position": 1, "description": "Uczestnicy warsztatów", "target": "25 osób"}
    ]
    assert annex.before["schedule"] != annex.after["schedule"]
    detail = client.get(f"/pl/granty/umowy/{agreement.pk}/").content.decode()
    assert "Warsztaty w nowym terminie" in detail and "25 osób" in detail


def test_a_schedule_outside_the_agreement_is_a_form_error_not_a_500(owner):  # noqa: F811
    call, members = _scored_call(owner)
    application = _scored(call, members, 4_000, [9, 18, 8, 9])
    services.award_grant(actor=owner, application=application, amount=application.requested_amount)
    agreement = _sign(owner, application)
    client = Client()
    client.force_login(owner)
    schedule = [
        {"action": "Za wcześnie", "start_date": date(2000, 1, 1), "end_date": date(2000, 1, 2)}
    ]
    results = [
        {"description": r["description"], "target": r["target"]}
        for r in selectors.agreement_terms(agreement).results
    ]
    response = client.post(
        f"/pl/granty/umowy/{agreement.pk}/aneks/",
        _post(agreement, schedule=schedule, results=results),
    )
    assert response.status_code == 400
    assert not agreement.annexes.exists()


def test_termination_through_the_page_asks_the_paid_money_back_and_records_it(owner):  # noqa: F811
    from wspolnota.core.models import AuditLogEntry
    from wspolnota.grants.models import AgreementStatus, FundReturn, ReturnReason

    call, members = _scored_call(owner)
    application = _scored(call, members, 4_000, [9, 18, 8, 9])
    services.award_grant(actor=owner, application=application, amount=application.requested_amount)
    agreement = _sign(owner, application)
    first = agreement.tranches.order_by("position").first()
    services.tranche_mark_paid(actor=owner, tranche=first, paid_on=timezone.localdate())
    client = Client()
    client.force_login(owner)
    today = timezone.localdate()
    response = client.post(
        f"/pl/granty/umowy/{agreement.pk}/rozwiazanie/",
        {
            "reason": "Zadanie nie będzie wykonane.",
            "terminated_on": today.isoformat(),
            "return_amount": "2000,00",
        },
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATED
    fund_return = FundReturn.objects.get(agreement=agreement)
    assert fund_return.reason == ReturnReason.TERMINATION and fund_return.amount == 2_000
    assert fund_return.interest_from == fund_return.due_date + timedelta(days=1)
    page = client.get(f"/pl/granty/umowy/{agreement.pk}/").content.decode()
    assert "Zadanie nie będzie wykonane." in page
    client.post(
        f"/pl/granty/umowy/{agreement.pk}/zwroty/{fund_return.pk}/",
        {"returned_on": today.isoformat(), "amount": "2000,00"},
    )
    fund_return.refresh_from_db()
    assert fund_return.returned_on == today
    acts = set(
        AuditLogEntry.objects.filter(action__startswith="grants.").values_list("action", flat=True)
    )
    assert {
        "grants.agreement_terminated",
        "grants.return_requested",
        "grants.return_recorded",
    } <= acts
    # Nothing more can be asked back than was paid (half of the grant).
    too_much = client.post(
        f"/pl/granty/umowy/{agreement.pk}/zwroty/",
        {"reason": "improper", "amount": "2500,00", "due_date": today.isoformat(), "note": ""},
    )
    assert too_much.status_code in (200, 302, 400)
    assert FundReturn.objects.filter(agreement=agreement).count() == 1
