"""Writes of settlement: reports and their review, fund returns and the reminders of deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.communication.notifications import notify
from wspolnota.core.services import audit_log_append
from wspolnota.grants import errors, law, limits, permissions, selectors
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ZERO,
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    CallStatus,
    FundReturn,
    Report,
    ReportKind,
    ReportLine,
    ReportResult,
    ReportStatus,
    ReturnReason,
    RuleKey,
    Tranche,
)
from wspolnota.grants.services._common import (
    _audit,
    _deny,
    _first,
    _notify_applicant,
    _snapshot,
    _validate,
)
from wspolnota.grants.settlement import settlement_problems


def report_start(
    *, user: User, agreement: Agreement, kind: str, period_from: date, period_to: date
) -> Report:
    """Open a report with a row for every planned cost and every expected result."""
    _deny(permissions.can_report(user, agreement))
    if not (agreement.start_date <= period_from <= period_to <= agreement.end_date):
        raise GrantsError(errors.REPORT_PERIOD, field="period_from", code="report_period")
    if kind == ReportKind.FINAL and agreement.reports.filter(kind=ReportKind.FINAL).exists():
        raise GrantsError(errors.FINAL_EXISTS, field="kind", code="final_exists")
    application = agreement.application
    with transaction.atomic():
        report = Report.objects.create(
            agreement=agreement,
            kind=kind,
            period_from=period_from,
            period_to=period_to,
            created_by=user,
        )
        ReportLine.objects.bulk_create(
            [ReportLine(report=report, budget_line=line) for line in application.budget_lines.all()]
        )
        ReportResult.objects.bulk_create(
            [
                ReportResult(report=report, expected_result=result)
                for result in application.expected_results.all()
            ]
        )
    return report


@dataclass(frozen=True)
class ActualCost:
    actual_grant: Decimal
    actual_own: Decimal
    actual_in_kind: Decimal
    actual_volunteer: Decimal
    explanation: str = ""


def report_update(
    *,
    user: User,
    report: Report,
    narrative: str,
    costs: dict[int, ActualCost],
    achieved: dict[int, str],
) -> Report:
    """Save the actual costs (by report line id) and results achieved (by report result id)."""
    _deny(permissions.can_report(user, report.agreement))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.CORRECTIONS):
        raise GrantsError(errors.REPORT_NOT_EDITABLE, code="report_not_editable")
    with transaction.atomic():
        report.narrative = narrative.strip()
        report.save(update_fields=["narrative", "updated_at"])
        lines = {line.pk: line for line in report.lines.all()}
        for line_id, cost in costs.items():
            line = lines.get(line_id)
            if line is None:
                continue
            line.actual_grant = limits.q2(cost.actual_grant)
            line.actual_own = limits.q2(cost.actual_own)
            line.actual_in_kind = limits.q2(cost.actual_in_kind)
            line.actual_volunteer = limits.q2(cost.actual_volunteer)
            line.explanation = cost.explanation.strip()
            _validate(line)
        ReportLine.objects.bulk_update(
            list(lines.values()),
            ["actual_grant", "actual_own", "actual_in_kind", "actual_volunteer", "explanation"],
        )
        results = {r.pk: r for r in report.results.all()}
        for result_id, value in achieved.items():
            if result_id in results:
                results[result_id].achieved = value.strip()[:100]
        ReportResult.objects.bulk_update(list(results.values()), ["achieved"])
    return report


def report_submit(*, user: User, report: Report, at: datetime | None = None) -> Report:
    """File the report. Mistakes (more spent than granted, unexplained differences) stop it;
    breaches of the tolerance rule are shown to officials, with the amount to return."""
    _deny(permissions.can_submit_report(user, report))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.CORRECTIONS):
        raise GrantsError(errors.REPORT_NOT_EDITABLE, code="report_not_editable")
    if not report.narrative.strip():
        raise GrantsError(errors.REPORT_NARRATIVE, field="narrative", code="report_narrative")
    settlement = selectors.report_settlement(report)
    _first(settlement_problems(settlement, final=report.kind == ReportKind.FINAL))
    before = _snapshot(report)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = at or timezone.now()
    report.submitted_by = user
    with transaction.atomic():
        report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        audit_log_append(
            actor=user,
            action="grants.report_submitted",
            obj=report,
            before=before,
            after={**_snapshot(report), "to_return": str(settlement.to_return)},
        )
    return report


def report_review(
    *, actor: User, report: Report, accept: bool, note: str = "", at: datetime | None = None
) -> Report:
    """Accept the report or return it for corrections. Accepting the final report settles
    the agreement."""
    _deny(permissions.can_review_report(actor, report))
    if report.status != ReportStatus.SUBMITTED:
        raise GrantsError(errors.REPORT_NOT_SUBMITTED, code="report_not_submitted")
    if not accept and not note.strip():
        raise GrantsError(errors.REVIEW_NOTE, field="note", code="review_note")
    at = at or timezone.now()
    before = _snapshot(report)
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.CORRECTIONS
    report.reviewed_at = at
    report.reviewed_by = actor
    report.review_note = note.strip()
    with transaction.atomic():
        report.save(
            update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "updated_at"]
        )
        audit_log_append(
            actor=actor,
            action="grants.report_accepted" if accept else "grants.report_returned",
            obj=report,
            before=before,
            after=_snapshot(report),
            reason=note,
        )
        agreement = report.agreement
        if accept and report.kind == ReportKind.FINAL:
            agreement_before = _snapshot(agreement)
            agreement.status = AgreementStatus.SETTLED
            agreement.settled_at = at
            agreement.save(update_fields=["status", "settled_at", "updated_at"])
            audit_log_append(
                actor=actor,
                action="grants.agreement_settled",
                obj=agreement,
                before=agreement_before,
                after=_snapshot(agreement),
            )
            _return_from_settlement(actor=actor, report=report, at=at)
        _notify_applicant(
            agreement.application,
            event="report_accepted" if accept else "report_returned",
            note=note.strip(),
        )
    return report


def _return_from_settlement(*, actor: User, report: Report, at: datetime) -> None:
    """The accepted final report fixes what is owed back: the unspent grant and any excess
    over the tolerance, due 15 days after the end of the task (art. 251 ust. 1 of the public
    finance act), interest from the day after."""
    agreement = report.agreement
    if agreement.application.call.terms.in_kind_only:
        return  # the city bought the goods and services itself: nothing was paid to return
    settlement = selectors.report_settlement(report)
    if settlement.to_return <= 0:
        return
    days = law.rule(RuleKey.RETURN_DAYS, on=agreement.end_date).days
    due = max(agreement.end_date + timedelta(days=days), timezone.localdate(at))
    excess = any(line.over_tolerance for line in settlement.lines)
    fund_return = FundReturn.objects.create(
        agreement=agreement,
        reason=ReturnReason.EXCESS if excess else ReturnReason.UNSPENT,
        amount=settlement.to_return,
        due_date=due,
        interest_from=due + timedelta(days=1),
        note=str(errors.RETURN_FROM_REPORT),
        requested_by=actor,
    )
    _audit(actor, "grants.return_requested", fund_return, None)
    _notify_applicant(agreement.application, event="return_requested", key=f"r{fund_return.pk}")


def fund_return_request(
    *,
    actor: User,
    agreement: Agreement,
    reason: str,
    amount: Decimal,
    due_date: date,
    interest_from: date | None = None,
    note: str = "",
) -> FundReturn:
    """Ask for money back. Interest runs (art. 252 of the public finance act) from the day the
    money was transferred when it was used improperly, otherwise from the day after the due date
    — the date is recorded so the interest can be counted whenever the money comes back."""
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    amount = limits.q2(amount)
    if agreement.status not in (
        AgreementStatus.SIGNED,
        AgreementStatus.SETTLED,
        AgreementStatus.TERMINATED,
    ):
        raise GrantsError(errors.RETURN_STATE, code="return_state")
    paid = agreement.tranches.filter(paid_on__isnull=False).aggregate(t=Sum("amount"))["t"]
    paid = paid or (agreement.amount if agreement.application.call.terms.in_kind_only else ZERO)
    owed = agreement.returns.aggregate(t=Sum("amount"))["t"] or ZERO
    if amount <= 0 or owed + amount > paid:
        raise GrantsError(
            errors.RETURN_AMOUNT,
            field="amount",
            code="return_amount",
            params={"paid": limits.pln(paid), "owed": limits.pln(owed)},
        )
    if interest_from is None:
        if reason == ReturnReason.IMPROPER:
            first_paid = (
                agreement.tranches.filter(paid_on__isnull=False)
                .order_by("paid_on")
                .values_list("paid_on", flat=True)
                .first()
            )
            interest_from = first_paid or due_date + timedelta(days=1)
        else:
            interest_from = due_date + timedelta(days=1)
    fund_return = FundReturn(
        agreement=agreement,
        reason=reason,
        amount=amount,
        due_date=due_date,
        interest_from=interest_from,
        note=note.strip(),
        requested_by=actor,
    )
    _validate(fund_return)
    with transaction.atomic():
        fund_return.save()
        _audit(actor, "grants.return_requested", fund_return, None, reason=note)
        _notify_applicant(
            agreement.application, event="return_requested", note=note, key=f"r{fund_return.pk}"
        )
    return fund_return


def fund_return_record(
    *, actor: User, fund_return: FundReturn, returned_on: date, amount: Decimal
) -> FundReturn:
    """Record the money that came back and when; the interest days follow from the dates."""
    _deny(permissions.can_manage_call(actor, fund_return.agreement.application.call))
    if fund_return.returned_on is not None:
        raise GrantsError(errors.RETURN_RECORDED, code="return_recorded")
    before = _snapshot(fund_return)
    fund_return.returned_on = returned_on
    fund_return.returned_amount = limits.q2(amount)
    _validate(fund_return)
    with transaction.atomic():
        fund_return.save(update_fields=["returned_on", "returned_amount", "updated_at"])
        _audit(actor, "grants.return_recorded", fund_return, before)
    return fund_return


# --- reminders -------------------------------------------------------------------------------------

# Days before a due date on which the grantee is reminded; a late report or return is reminded
# once, on the first run after the date (within LATE_WINDOW_DAYS, so a stopped timer catches up).
REMIND_DAYS_BEFORE = (7, 1)
LATE_WINDOW_DAYS = 14
DEADLINE_NEAR_DAYS = 3


def reminders_send(*, today: date | None = None) -> int:
    """Remind of the deadlines of grants (run daily, by the background task): grantees of a due
    final report and of a due return of funds, applicants of a call closing with their draft
    unfiled, the call's officials of a tranche due and unpaid. Each reminder has its own key, so
    a repeated run sends nothing twice. Returns how many reminders were considered."""
    today = today or timezone.localdate()
    before = [today + timedelta(days=n) for n in REMIND_DAYS_BEFORE]
    late_from = today - timedelta(days=LATE_WINDOW_DAYS)
    count = 0
    final_filed = Report.objects.filter(
        agreement=OuterRef("pk"),
        kind=ReportKind.FINAL,
        status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
    )
    agreements = (
        Agreement.objects.filter(status=AgreementStatus.SIGNED)
        .filter(
            models.Q(report_due_date__in=before)
            | models.Q(report_due_date__lt=today, report_due_date__gte=late_from)
        )
        .exclude(Exists(final_filed))
        .select_related("application__applicant", "application__call")
    )
    for agreement in agreements:
        due = agreement.report_due_date
        late = due < today
        with transaction.atomic():
            _notify_applicant(
                agreement.application,
                event="report_overdue" if late else "report_due",
                key=f"{agreement.pk}:{due.isoformat()}:{'late' if late else (due - today).days}",
                extra={"agreement": agreement, "due": due},
            )
        count += 1
    returns = (
        FundReturn.objects.filter(returned_on__isnull=True)
        .filter(
            models.Q(due_date__in=before) | models.Q(due_date__lt=today, due_date__gte=late_from)
        )
        .select_related("agreement__application__applicant", "agreement__application__call")
    )
    for fund_return in returns:
        due = fund_return.due_date
        late = due < today
        with transaction.atomic():
            _notify_applicant(
                fund_return.agreement.application,
                event="return_overdue" if late else "return_due",
                key=f"r{fund_return.pk}:{due.isoformat()}:{'late' if late else (due - today).days}",
                extra={"agreement": fund_return.agreement, "fund_return": fund_return, "due": due},
            )
        count += 1
    tranches = Tranche.objects.filter(
        paid_on__isnull=True,
        agreement__status=AgreementStatus.SIGNED,
        due_date__lte=today,
        due_date__gte=late_from,
    ).select_related("agreement__application__call", "agreement__application__applicant")
    for tranche in tranches:
        application = tranche.agreement.application
        with transaction.atomic():
            for official in selectors.call_officials(application.call):
                notify(
                    recipient=official,
                    kind="grants.tranche_due",
                    subject_template="grants/email/tranche_due_subject.txt",
                    body_template="grants/email/tranche_due_body.txt",
                    context={
                        "tranche": tranche,
                        "agreement": tranche.agreement,
                        "application": application,
                    },
                    key=f"grants.tranche_due:{tranche.pk}:{tranche.due_date.isoformat()}",
                )
        count += 1
    drafts = Application.objects.filter(
        status=ApplicationStatus.DRAFT,
        call__status=CallStatus.PUBLISHED,
        call__closes_at__gt=timezone.now(),
        call__closes_at__date__lte=today + timedelta(days=DEADLINE_NEAR_DAYS),
    ).select_related("applicant", "call")
    for application in drafts:
        closes_at = application.call.closes_at
        assert closes_at is not None  # filtered above
        with transaction.atomic():
            _notify_applicant(
                application,
                event="deadline_near",
                key=f"{application.call_id}:{closes_at.isoformat()}",
                extra={"closes_at": closes_at},
            )
        count += 1
    return count
