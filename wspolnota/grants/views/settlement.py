"""Pages of settlement: reports and their review, fund returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.grants import permissions, selectors, services
from wspolnota.grants.forms import (
    ReportLineForm,
    ReportNarrativeForm,
    ReportResultForm,
    ReportStartForm,
    ReturnRecordForm,
    ReturnRequestForm,
    ReviewForm,
)
from wspolnota.grants.models import (
    FundReturn,
    ReportKind,
    ReportStatus,
)
from wspolnota.grants.settlement import settlement_breaches, settlement_problems
from wspolnota.grants.views._common import _status, _user
from wspolnota.grants.views.agreements import _managed_agreement


@login_required
@require_POST
def fund_return_request(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    agreement = _managed_agreement(request, grant_agreement_id)
    form = ReturnRequestForm(request.POST)
    if form.is_valid():
        try:
            services.fund_return_request(
                actor=_user(request), agreement=agreement, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Wezwanie do zwrotu zapisano."))
    else:
        messages.error(request, _("Uzupełnij podstawę, kwotę i termin zwrotu."))
    return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)


@login_required
@require_POST
def fund_return_record(
    request: HttpRequest, grant_agreement_id: int, grant_return_id: int
) -> HttpResponse:
    agreement = _managed_agreement(request, grant_agreement_id)
    fund_return = get_object_or_404(FundReturn, pk=grant_return_id, agreement=agreement)
    form = ReturnRecordForm(request.POST)
    if form.is_valid():
        try:
            services.fund_return_record(
                actor=_user(request), fund_return=fund_return, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zwrot zapisano."))
    else:
        messages.error(request, _("Podaj datę wpływu i kwotę."))
    return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)


@login_required
def report_start(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(request.user, grant_agreement_id)
    form = ReportStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_start(
                user=_user(request), agreement=agreement, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            return redirect("grants:report_detail", grant_report_id=report.pk)
    return render(
        request,
        "grants/report_start.html",
        {"agreement": agreement, "form": form},
        status=_status(form),
    )


def _report_forms(report: Any, data: Any) -> tuple[ReportNarrativeForm, list[Any], list[Any]]:
    narrative = ReportNarrativeForm(data, initial={"narrative": report.narrative})
    lines = [
        (
            line,
            ReportLineForm(
                data,
                prefix=f"line-{line.pk}",
                initial={
                    "actual_grant": line.actual_grant,
                    "actual_own": line.actual_own,
                    "actual_in_kind": line.actual_in_kind,
                    "actual_volunteer": line.actual_volunteer,
                    "explanation": line.explanation,
                },
            ),
        )
        for line in report.lines.select_related("budget_line")
    ]
    results = [
        (
            result,
            ReportResultForm(
                data, prefix=f"result-{result.pk}", initial={"achieved": result.achieved}
            ),
        )
        for result in report.results.select_related("expected_result")
    ]
    return narrative, lines, results


@login_required
def report_detail(request: HttpRequest, grant_report_id: int) -> HttpResponse:
    report = selectors.report_get_for(request.user, grant_report_id)
    agreement = report.agreement
    editable = permissions.can_report(request.user, agreement) and report.status in (
        ReportStatus.DRAFT,
        ReportStatus.CORRECTIONS,
    )
    saving = request.method == "POST" and "save" in request.POST and editable
    narrative, line_forms, result_forms = _report_forms(report, request.POST if saving else None)
    if (
        saving
        and narrative.is_valid()
        and all(f.is_valid() for _l, f in line_forms)
        and all(f.is_valid() for _r, f in result_forms)
    ):
        zero = Decimal(0)
        services.report_update(
            user=_user(request),
            report=report,
            narrative=narrative.cleaned_data["narrative"],
            costs={
                line.pk: services.ActualCost(
                    actual_grant=form.cleaned_data["actual_grant"] or zero,
                    actual_own=form.cleaned_data["actual_own"] or zero,
                    actual_in_kind=form.cleaned_data["actual_in_kind"] or zero,
                    actual_volunteer=form.cleaned_data["actual_volunteer"] or zero,
                    explanation=form.cleaned_data["explanation"],
                )
                for line, form in line_forms
            },
            achieved={result.pk: form.cleaned_data["achieved"] for result, form in result_forms},
        )
        messages.success(request, _("Zapisano sprawozdanie."))
        return redirect("grants:report_detail", grant_report_id=report.pk)
    settlement = selectors.report_settlement(report)
    planned = {s.budget_line.pk: s for s in settlement.lines}
    rows = [(line, form, planned.get(line.budget_line_id)) for line, form in line_forms]

    status = 400 if saving else 200
    if request.method == "POST" and not saving:
        status = 400
    return render(
        request,
        "grants/report_detail.html",
        {
            "report": report,
            "agreement": agreement,
            "application": agreement.application,
            "editable": editable,
            "narrative_form": narrative,
            "line_forms": rows,
            "result_forms": result_forms,
            "settlement": settlement,
            "problems": settlement_problems(settlement, final=report.kind == ReportKind.FINAL),
            "breaches": settlement_breaches(settlement),
            "can_submit": editable and permissions.can_submit_report(request.user, report),
            "can_review": permissions.can_review_report(request.user, report)
            and report.status == ReportStatus.SUBMITTED,
            "review_form": ReviewForm(),
        },
        status=status,
    )


@login_required
@require_POST
def report_submit(request: HttpRequest, grant_report_id: int) -> HttpResponse:
    report = selectors.report_get_for(request.user, grant_report_id)
    try:
        services.report_submit(user=_user(request), report=report)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Sprawozdanie złożone."))
    return redirect("grants:report_detail", grant_report_id=report.pk)


@login_required
@require_POST
def report_review(request: HttpRequest, grant_report_id: int) -> HttpResponse:
    report = selectors.report_get_for(request.user, grant_report_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Wybierz decyzję."))
        return redirect("grants:report_detail", grant_report_id=report.pk)
    try:
        services.report_review(
            actor=_user(request),
            report=report,
            accept=form.cleaned_data["decision"] == "accept",
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Zapisano decyzję w sprawie sprawozdania."))
    return redirect("grants:report_detail", grant_report_id=report.pk)
