"""Pages of applications: the applicant's own list, the offer's steps, submission, receipt,
withdrawal, resignation and the updated budget."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.core.errors import DomainError, PermissionDeniedError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.parsing import parse_id
from wspolnota.grants import errors, limits, permissions, selectors, services
from wspolnota.grants.forms import (
    ApplicationForm,
    AttachmentForm,
    BudgetCsvForm,
    BudgetFormSet,
    DeclarationsForm,
    PartnerForm,
    ResignForm,
    ResultFormSet,
    ScheduleFormSet,
    StartApplicationForm,
    UpdatedBudgetFormSet,
    WithdrawForm,
)
from wspolnota.grants.models import (
    Agreement,
    Application,
    ApplicationStatus,
    Attachment,
    FormVariant,
    OfferPartner,
)
from wspolnota.grants.views._common import _rows, _status, _user
from wspolnota.organisations.selectors import organisations_acting_for


def _login_url() -> str:
    from django.urls import reverse

    return reverse("accounts:login")


# --- applicant ---------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "grants/mine.html",
        {
            "applications": selectors.applications_of(user=request.user),
            "agreements": selectors.agreements_of(user=request.user),
        },
    )


@login_required
def application_start(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    call = selectors.call_get_for(request.user, grant_call_id)
    organisations = organisations_acting_for(user=request.user)
    form = StartApplicationForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_start(
                user=_user(request),
                call=call,
                applicant=form.cleaned_data["applicant"],
                title=form.cleaned_data["title"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Utworzono wersję roboczą wniosku."))
            return redirect("grants:application_edit", grant_application_id=application.pk)
    return render(
        request,
        "grants/application_start.html",
        {
            "call": call,
            "form": form,
            "has_organisations": organisations.exists(),
            "is_open": permissions.is_call_open(call, at=timezone.now()),
        },
        status=_status(form),
    )


def _steps(application: Application) -> list[tuple[str, str]]:
    steps = [
        ("application_detail", _("Podsumowanie")),
        ("application_edit", _("Opis zadania")),
        ("application_budget", _("Kosztorys")),
        ("application_schedule", _("Harmonogram")),
        ("application_results", _("Rezultaty")),
        ("application_attachments", _("Załączniki")),
    ]
    if application.call.terms.form_variant in (FormVariant.SIMPLIFIED, FormVariant.FULL):
        steps += [
            ("application_partners", _("Oferta wspólna")),
            ("application_declarations", _("Oświadczenia")),
        ]
    return steps


@login_required
def application_declarations(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    """Part VII of the statutory offer: the offeror's statements."""
    application = _editable_application(request, grant_application_id)
    form = DeclarationsForm(request.POST or None, initial=application.declarations)
    if request.method == "POST" and form.is_valid():
        try:
            services.declarations_save(
                user=_user(request), application=application, declarations=form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano oświadczenia."))
            return redirect("grants:application_detail", grant_application_id=application.pk)
    context = _application_page(
        request,
        application,
        "grants/application_declarations.html",
        "application_declarations",
        form=form,
    )
    return render(request, "grants/application_declarations.html", context, status=_status(form))


@login_required
def application_partners(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    """A joint offer: the other offerors (NGOs from the registry) and what each does."""
    application = _editable_application(request, grant_application_id)
    form = PartnerForm(request.POST or None, exclude_id=application.applicant_id)
    if request.method == "POST" and "remove" in request.POST:
        partner = get_object_or_404(
            OfferPartner,
            pk=parse_id(request.POST.get("remove"), field="remove"),
            application=application,
        )
        services.partner_remove(user=_user(request), partner=partner)
        messages.success(request, _("Usunięto oferenta."))
        return redirect("grants:application_partners", grant_application_id=application.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.partner_add(user=_user(request), application=application, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano oferenta wspólnego."))
            return redirect("grants:application_partners", grant_application_id=application.pk)
    context = _application_page(
        request,
        application,
        "grants/application_partners.html",
        "application_partners",
        form=form,
        partners=application.partners.select_related("organisation"),
    )
    return render(request, "grants/application_partners.html", context, status=_status(form))


@login_required
def application_offer_pdf(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    """The printable statutory offer (parts I–VII of the regulation's form), to sign with a
    qualified or trusted signature, or by hand."""
    from wspolnota.grants.pdf import render_pdf

    application = selectors.application_get_for(request.user, grant_application_id)
    application = selectors.application_for_document(application.pk)
    lines = list(application.budget_lines.all())
    pdf = render_pdf(
        "grants/pdf/offer.html",
        {
            "application": application,
            "terms": application.call.terms,
            "lines": lines,
            "totals": limits.budget_totals(lines),
            "schedule": application.schedule_items.all(),
            "results": application.expected_results.all(),
            "partners": application.partners.select_related("organisation"),
            "declarations": application.declarations,
            "people": application.applicant.people.all(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    safe = (application.number or f"wersja-robocza-{application.pk}").replace("/", "-")
    response["Content-Disposition"] = f'inline; filename="oferta-{safe}.pdf"'
    return response


def _application_page(
    request: HttpRequest, application: Application, template: str, step: str, **context: Any
) -> dict[str, Any]:
    return {
        "application": application,
        "call": application.call,
        "programme": application.call.terms,
        "steps": _steps(application),
        "step": step,
        "editable": permissions.can_edit_application(request.user, application),
        **context,
    }


def _editable_application(request: HttpRequest, application_id: int) -> Application:
    application = selectors.application_get_for(request.user, application_id)
    if request.method == "POST" and not permissions.can_edit_application(request.user, application):
        raise PermissionDeniedError(
            errors.NOT_DRAFT
            if application.status != ApplicationStatus.DRAFT
            else errors.NOT_ALLOWED
        )
    return application


@login_required
def application_detail(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    now = timezone.now()
    lines = list(application.budget_lines.all())
    problems = (
        # a paper application is checked as of the moment it was received (issue 17)
        selectors.application_check(application, at=application.received_at or now)
        if application.status == ApplicationStatus.DRAFT
        else []
    )
    context = _application_page(
        request,
        application,
        "grants/application_detail.html",
        "application_detail",
        problems=problems,
        lines=lines,
        totals=limits.budget_totals(lines),
        schedule=application.schedule_items.all(),
        results=application.expected_results.all(),
        attachments=application.attachments.all(),
        can_submit=permissions.can_submit_application(request.user, application, at=now),
        can_withdraw=permissions.can_withdraw_application(request.user, application),
        is_open=permissions.is_call_open(application.call, at=now),
        withdraw_form=WithdrawForm(),
        agreement=Agreement.objects.filter(application=application).first(),
        award=getattr(application, "award", None),
        can_resign=permissions.can_resign_award(request.user, application),
        resign_form=ResignForm(),
    )
    return render(request, "grants/application_detail.html", context)


@login_required
@require_POST
def application_resign(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    """The applicant (or an official recording a letter) gives up the support before signing."""
    application = selectors.application_get_for(request.user, grant_application_id)
    form = ResignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Podaj powód rezygnacji."))
    else:
        try:
            services.award_resign(
                user=_user(request), application=application, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Rezygnację zapisano; środki wróciły do puli naboru."))
    if permissions.can_manage_call(request.user, application.call):
        return redirect("grants:office_application", grant_application_id=application.pk)
    return redirect("grants:application_detail", grant_application_id=application.pk)


def _updated_initial(rows: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "position": line.position,
            "grant": line.grant,
            "own": line.own,
            "in_kind": line.in_kind,
            "volunteer": line.volunteer,
        }
        for line in rows
    ]


def _updated_rows(formset: Any) -> list[services.UpdatedLine]:
    zero = Decimal(0)
    return [
        services.UpdatedLine(
            position=row["position"],
            grant=row["grant"],
            own=row.get("own") or zero,
            in_kind=row.get("in_kind") or zero,
            volunteer=row.get("volunteer") or zero,
        )
        for row in (f.cleaned_data for f in formset.forms)
        if row
    ]


@login_required
def award_budget_confirm(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    """After partial funding the applicant confirms the budget the agreement will carry."""
    application = selectors.application_get_for(request.user, grant_application_id)
    award = getattr(application, "award", None)
    if award is None:
        raise Http404
    proposal = selectors.proposed_budget(application)
    formset = UpdatedBudgetFormSet(
        request.POST or None, initial=_updated_initial(proposal), prefix="budget"
    )
    if request.method == "POST" and formset.is_valid():
        try:
            services.award_budget_confirm(
                user=_user(request), application=application, rows=_updated_rows(formset)
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zaktualizowany kosztorys potwierdzono."))
            return redirect("grants:application_detail", grant_application_id=application.pk)
    return render(
        request,
        "grants/award_budget.html",
        {
            "application": application,
            "award": award,
            "rows": list(zip(proposal, formset.forms, strict=True)),
            "formset": formset,
        },
        status=_status(formset),
    )


@login_required
def application_edit(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = _editable_application(request, grant_application_id)
    initial = {name: getattr(application, name) for name in services.APPLICATION_FIELDS}
    form = ApplicationForm(
        request.POST or None, initial=initial, variant=application.call.terms.form_variant
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                user=_user(request), application=application, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano wersję roboczą."))
            return redirect("grants:application_budget", grant_application_id=application.pk)
    context = _application_page(
        request, application, "grants/application_edit.html", "application_edit", form=form
    )
    return render(request, "grants/application_edit.html", context, status=_status(form))


def _budget_initial(application: Application) -> list[dict[str, Any]]:
    return [
        {
            "category": line.category,
            "description": line.description,
            "unit": line.unit,
            "quantity": line.quantity,
            "unit_cost": line.unit_cost,
            "grant_amount": line.grant_amount,
            "own_amount": line.own_amount,
            "in_kind_amount": line.in_kind_amount,
            "volunteer_amount": line.volunteer_amount,
            "fees_amount": line.fees_amount,
            "other_public_amount": line.other_public_amount,
            "action_position": line.action_position,
            "partner_position": line.partner_position,
        }
        for line in application.budget_lines.all()
    ]


@login_required
def application_budget(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = _editable_application(request, grant_application_id)
    formset = BudgetFormSet(
        request.POST if "save" in request.POST else None,
        initial=_budget_initial(application),
        prefix="budget",
    )
    csv_form = BudgetCsvForm(
        request.POST if "import" in request.POST else None,
        request.FILES if "import" in request.POST else None,
    )
    if request.method == "POST" and "import" in request.POST and csv_form.is_valid():
        try:
            services.budget_import_csv(
                user=_user(request), application=application, upload=csv_form.cleaned_data["file"]
            )
        except DomainError as exc:
            apply_domain_error(csv_form, exc)
        else:
            messages.success(request, _("Wczytano kosztorys z pliku."))
            return redirect("grants:application_budget", grant_application_id=application.pk)
    elif request.method == "POST" and "save" in request.POST and formset.is_valid():
        rows = [
            services.BudgetRow(
                category=row["category"],
                description=row["description"],
                unit=row["unit"],
                quantity=row["quantity"],
                unit_cost=row["unit_cost"],
                grant_amount=row["grant_amount"] or Decimal(0),
                own_amount=row["own_amount"] or Decimal(0),
                in_kind_amount=row["in_kind_amount"] or Decimal(0),
                volunteer_amount=row["volunteer_amount"] or Decimal(0),
                fees_amount=row.get("fees_amount") or Decimal(0),
                other_public_amount=row.get("other_public_amount") or Decimal(0),
                action_position=row.get("action_position"),
                partner_position=row.get("partner_position"),
            )
            for row in _rows(formset)
        ]
        try:
            services.budget_replace(user=_user(request), application=application, rows=rows)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zapisano kosztorys."))
            return redirect("grants:application_budget", grant_application_id=application.pk)
    elif request.method == "POST" and not ("save" in request.POST or "import" in request.POST):
        formset = BudgetFormSet(request.POST, prefix="budget")
        formset.is_valid()
    lines = list(application.budget_lines.all())
    programme = application.call.terms
    context = _application_page(
        request,
        application,
        "grants/application_budget.html",
        "application_budget",
        formset=formset,
        csv_form=csv_form,
        lines=lines,
        totals=limits.budget_totals(lines),
        line_problems=[p for line in lines for p in limits.budget_line_problems(line, programme)],
    )
    return render(
        request, "grants/application_budget.html", context, status=_status(formset, csv_form)
    )


@login_required
def application_schedule(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = _editable_application(request, grant_application_id)
    formset = ScheduleFormSet(
        request.POST or None,
        initial=[
            {
                "action": i.action,
                "start_date": i.start_date,
                "end_date": i.end_date,
                "responsible": i.responsible,
            }
            for i in application.schedule_items.all()
        ],
        prefix="schedule",
    )
    if request.method == "POST" and formset.is_valid():
        services.schedule_replace(
            user=_user(request),
            application=application,
            rows=[services.ScheduleRow(**row) for row in _strip_delete(_rows(formset))],
        )
        messages.success(request, _("Zapisano harmonogram."))
        return redirect("grants:application_results", grant_application_id=application.pk)
    context = _application_page(
        request,
        application,
        "grants/application_schedule.html",
        "application_schedule",
        formset=formset,
    )
    return render(request, "grants/application_schedule.html", context, status=_status(formset))


def _strip_delete(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k != "DELETE"} for row in rows]


@login_required
def application_results(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = _editable_application(request, grant_application_id)
    formset = ResultFormSet(
        request.POST or None,
        initial=[
            {"description": r.description, "target": r.target, "verification": r.verification}
            for r in application.expected_results.all()
        ],
        prefix="results",
    )
    if request.method == "POST" and formset.is_valid():
        services.results_replace(
            user=_user(request),
            application=application,
            rows=[services.ResultRow(**row) for row in _strip_delete(_rows(formset))],
        )
        messages.success(request, _("Zapisano rezultaty."))
        return redirect("grants:application_attachments", grant_application_id=application.pk)
    context = _application_page(
        request,
        application,
        "grants/application_results.html",
        "application_results",
        formset=formset,
    )
    return render(request, "grants/application_results.html", context, status=_status(formset))


@login_required
def application_attachments(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = _editable_application(request, grant_application_id)
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                user=_user(request),
                application=application,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano załącznik."))
            return redirect("grants:application_attachments", grant_application_id=application.pk)
    context = _application_page(
        request,
        application,
        "grants/application_attachments.html",
        "application_attachments",
        form=form,
        attachments=application.attachments.all(),
    )
    return render(request, "grants/application_attachments.html", context, status=_status(form))


@login_required
def attachment_download(
    request: HttpRequest, grant_application_id: int, grant_attachment_id: int
) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    attachment = get_object_or_404(Attachment, pk=grant_attachment_id, application=application)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def attachment_remove(
    request: HttpRequest, grant_application_id: int, grant_attachment_id: int
) -> HttpResponse:
    application = _editable_application(request, grant_application_id)
    attachment = get_object_or_404(Attachment, pk=grant_attachment_id, application=application)
    services.attachment_remove(user=_user(request), attachment=attachment)
    messages.success(request, _("Usunięto załącznik."))
    return redirect("grants:application_attachments", grant_application_id=application.pk)


@login_required
@require_POST
def application_submit(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    try:
        services.application_submit(user=_user(request), application=application)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Wniosek złożony. Numer: %(number)s. Potwierdzenie w PDF pobierzesz poniżej.")
            % {"number": application.number},
        )
    return redirect("grants:application_detail", grant_application_id=application.pk)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.application_withdraw(
            user=_user(request), application=application, reason=form.cleaned_data.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Wniosek wycofano."))
    return redirect("grants:application_detail", grant_application_id=application.pk)


@login_required
def application_receipt(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    if not application.submitted_at:
        raise Http404
    application = services.application_receipt_ensure(application=application)
    try:
        handle = application.receipt_pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"potwierdzenie-{application.number.replace('/', '-')}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-SHA256"] = application.receipt_sha256
    return response
