"""Pages of agreements: editing, detail, annexes, termination, signing, tranches and archiving."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.core.errors import DomainError, PermissionDeniedError
from wspolnota.core.forms import apply_domain_error
from wspolnota.grants import errors, permissions, selectors, services
from wspolnota.grants.forms import (
    AgreementForm,
    AnnexForm,
    AnnexResultFormSet,
    AnnexScheduleFormSet,
    PaidForm,
    ReportStartForm,
    ReturnRecordForm,
    ReturnRequestForm,
    SignForm,
    TerminateForm,
    TrancheFormSet,
    UpdatedBudgetFormSet,
)
from wspolnota.grants.models import (
    Agreement,
    ApplicationStatus,
    ReportKind,
    SignatureKind,
    Tranche,
)
from wspolnota.grants.views._common import _rows, _status, _user
from wspolnota.grants.views.applications import _updated_initial, _updated_rows


@login_required
def agreement_edit(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    if not permissions.can_manage_call(request.user, application.call):
        raise PermissionDenied
    if application.status != ApplicationStatus.AWARDED:
        raise PermissionDeniedError(errors.NOT_AWARDED)
    agreement = Agreement.objects.filter(application=application).first()
    initial: dict[str, Any] = {
        "start_date": application.start_date,
        "end_date": application.end_date,
        "applicant_signatories": ", ".join(
            p.full_name for p in application.applicant.people.filter(may_represent=True)
        ),
    }
    if agreement is not None:
        initial = {
            "start_date": agreement.start_date,
            "end_date": agreement.end_date,
            "report_due_date": agreement.report_due_date,
            "city_signatory": agreement.city_signatory,
            "applicant_signatories": agreement.applicant_signatories,
            "bank_account": agreement.bank_account,
        }
    saving_tranches = "tranches" in request.POST
    form = AgreementForm(
        request.POST if request.method == "POST" and not saving_tranches else None, initial=initial
    )
    tranche_formset = TrancheFormSet(
        request.POST if saving_tranches else None,
        initial=[
            {"amount": t.amount, "due_date": t.due_date}
            for t in (agreement.tranches.all() if agreement else [])
        ],
        prefix="tranches",
    )
    actor = _user(request)
    if request.method == "POST" and not saving_tranches and form.is_valid():
        try:
            agreement = services.agreement_save(
                actor=actor, application=application, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano dane umowy."))
            return redirect("grants:agreement_edit", grant_application_id=application.pk)
    if saving_tranches and tranche_formset.is_valid():
        if agreement is None:
            messages.error(request, _("Najpierw zapisz dane umowy."))
        else:
            try:
                services.tranches_set(
                    actor=actor,
                    agreement=agreement,
                    tranches=[(row["amount"], row["due_date"]) for row in _rows(tranche_formset)],
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Zapisano transze."))
                return redirect("grants:agreement_edit", grant_application_id=application.pk)
    return render(
        request,
        "grants/agreement_edit.html",
        {
            "application": application,
            "agreement": agreement,
            "form": form,
            "tranche_formset": tranche_formset,
            "in_kind": application.call.terms.in_kind_only,
            "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
        },
        status=_status(form, tranche_formset),
    )


@login_required
def agreement_detail(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(request.user, grant_agreement_id)
    application = agreement.application
    return render(
        request,
        "grants/agreement_detail.html",
        {
            "agreement": agreement,
            "application": application,
            "can_manage": permissions.can_manage_call(request.user, application.call),
            "can_report": permissions.can_report(request.user, agreement),
            "report_form": ReportStartForm(
                initial={
                    "kind": ReportKind.FINAL,
                    "period_from": agreement.start_date,
                    "period_to": agreement.end_date,
                }
            ),
            "paid_form": PaidForm(initial={"paid_on": timezone.localdate()}),
            "sign_form": SignForm(initial={"signed_on": timezone.localdate()}),
            "terms": selectors.agreement_terms(agreement),
            "annexes": agreement.annexes.order_by("number"),
            "returns": selectors.agreement_returns(agreement),
            "terminate_form": TerminateForm(initial={"terminated_on": timezone.localdate()}),
            "return_form": ReturnRequestForm(),
            "record_form": ReturnRecordForm(initial={"returned_on": timezone.localdate()}),
        },
    )


def _managed_agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    agreement = selectors.agreement_get_for(request.user, agreement_id)
    if not permissions.can_manage_call(request.user, agreement.application.call):
        raise PermissionDenied
    return agreement


def _kept_rows(formset: Any) -> list[dict[str, Any]]:
    """The filled-in rows of a formset that are not marked for deletion, in order."""
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


@login_required
def agreement_annex(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    """Sign an annex: the new dates, amount, budget, schedule and results, with the reason;
    a new version."""
    agreement = _managed_agreement(request, grant_agreement_id)
    terms = selectors.agreement_terms(agreement)
    form = AnnexForm(
        request.POST or None,
        initial={
            "signed_on": timezone.localdate(),
            "end_date": agreement.end_date,
            "report_due_date": agreement.report_due_date,
            "amount": agreement.amount,
        },
    )
    formset = UpdatedBudgetFormSet(
        request.POST or None, initial=_updated_initial(terms.budget), prefix="budget"
    )
    current_schedule = [
        services.ScheduleChange(
            action=item["action"],
            start_date=date.fromisoformat(item["start_date"]),
            end_date=date.fromisoformat(item["end_date"]),
        )
        for item in terms.schedule
    ]
    current_results = [
        services.ResultChange(description=r["description"], target=r["target"])
        for r in terms.results
    ]
    schedule_formset = AnnexScheduleFormSet(
        request.POST or None,
        initial=[vars(item) for item in current_schedule],
        prefix="schedule",
    )
    results_formset = AnnexResultFormSet(
        request.POST or None, initial=[vars(r) for r in current_results], prefix="results"
    )
    forms_ok = (
        request.method == "POST"
        and form.is_valid()
        and formset.is_valid()
        and schedule_formset.is_valid()
        and results_formset.is_valid()
    )
    if forms_ok:
        data = form.cleaned_data
        rows = _updated_rows(formset)
        current = [
            services.UpdatedLine(line.position, line.grant, line.own, line.in_kind, line.volunteer)
            for line in terms.budget
        ]
        schedule = [
            services.ScheduleChange(
                action=row["action"].strip(),
                start_date=row["start_date"],
                end_date=row["end_date"],
            )
            for row in _kept_rows(schedule_formset)
        ]
        results = [
            services.ResultChange(description=row["description"].strip(), target=row["target"])
            for row in _kept_rows(results_formset)
        ]
        try:
            services.agreement_annex(
                actor=_user(request),
                agreement=agreement,
                reason=data["reason"],
                signed_on=data["signed_on"],
                end_date=data["end_date"],
                report_due_date=data["report_due_date"],
                amount=data["amount"],
                budget=rows if rows != current else None,
                schedule=schedule if schedule != current_schedule else None,
                results=results if results != current_results else None,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Aneks zapisano."))
            return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)
    return render(
        request,
        "grants/agreement_annex.html",
        {
            "agreement": agreement,
            "form": form,
            "formset": formset,
            "schedule_formset": schedule_formset,
            "results_formset": results_formset,
            "rows": list(zip(terms.budget, formset.forms, strict=True)),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def agreement_terminate(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    agreement = _managed_agreement(request, grant_agreement_id)
    form = TerminateForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_terminate(
                actor=_user(request), agreement=agreement, **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Umowę rozwiązano."))
    else:
        messages.error(request, _("Podaj powód i datę rozwiązania."))
    return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)


@login_required
def agreement_pdf(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    from wspolnota.grants.pdf import render_pdf

    agreement = selectors.agreement_get_for(request.user, grant_agreement_id)
    application = agreement.application
    pdf = render_pdf(
        "grants/pdf/agreement.html",
        {
            "agreement": agreement,
            "application": application,
            "terms": selectors.agreement_terms(agreement),
            "annexes": agreement.annexes.order_by("number"),
            "signatures": application.signatures.filter(document="agreement"),
            "partners": application.partners.select_related("organisation"),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="umowa-{agreement.number.replace("/", "-")}.pdf"'
    )
    return response


@login_required
@require_POST
def agreement_sign(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(request.user, grant_agreement_id)
    form = SignForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Podaj datę podpisania w formacie RRRR-MM-DD."))
        return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)
    data = form.cleaned_data
    try:
        services.agreement_sign(
            actor=_user(request),
            agreement=agreement,
            signed_on=data["signed_on"],
            kind=data["kind"] or SignatureKind.PAPER,
            upload=data["file"],
            received_on=data["received_on"],
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Zapisano podpisanie umowy."))
    return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)


@login_required
@require_POST
def tranche_paid(
    request: HttpRequest, grant_agreement_id: int, grant_tranche_id: int
) -> HttpResponse:
    agreement = selectors.agreement_get_for(request.user, grant_agreement_id)
    tranche = get_object_or_404(Tranche, pk=grant_tranche_id, agreement=agreement)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Podaj datę przelewu w formacie RRRR-MM-DD."))
    else:
        try:
            services.tranche_mark_paid(
                actor=_user(request), tranche=tranche, paid_on=form.cleaned_data["paid_on"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zapisano przekazanie transzy."))
    return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)


@login_required
@require_POST
def agreement_archive(request: HttpRequest, grant_agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get_for(request.user, grant_agreement_id)
    try:
        services.agreement_archive(actor=_user(request), agreement=agreement)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Umowę przeniesiono do archiwum."))
    return redirect("grants:agreement_detail", grant_agreement_id=agreement.pk)
