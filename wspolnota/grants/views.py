from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms import BaseFormSet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts.models import User
from wspolnota.core.errors import DomainError, PermissionDeniedError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.parsing import InputError, parse_choice, parse_id, parse_int, parse_page
from wspolnota.core.ratelimit import rate_limited
from wspolnota.grants import errors, law, limits, permissions, selectors, services
from wspolnota.grants.forms import (
    AgreementForm,
    AmendmentForm,
    AnnexForm,
    AnnexResultFormSet,
    AnnexScheduleFormSet,
    ApplicationFilterForm,
    ApplicationForm,
    AssessmentForm,
    AttachmentForm,
    AwardForm,
    BudgetCsvForm,
    BudgetFormSet,
    CallForm,
    CommissionForm,
    CriterionFormSet,
    DeclarationForm,
    DeclarationsForm,
    FormalCheckForm,
    LegalRuleForm,
    PaidForm,
    PartnerForm,
    ProgrammeForm,
    RefuseForm,
    RemarkForm,
    ReportLineForm,
    ReportNarrativeForm,
    ReportResultForm,
    ReportStartForm,
    ResignForm,
    ResultFormSet,
    ReturnRecordForm,
    ReturnRequestForm,
    ReviewForm,
    ScheduleFormSet,
    SignForm,
    StartApplicationForm,
    TerminateForm,
    TrancheFormSet,
    UpdatedBudgetFormSet,
    WithdrawForm,
    YearPlanForm,
    criteria_initial,
)
from wspolnota.grants.models import (
    Agreement,
    Application,
    ApplicationStatus,
    Attachment,
    CommissionMember,
    ConflictDeclaration,
    FormVariant,
    FundReturn,
    OfferPartner,
    Programme,
    ProgrammeKind,
    ReportKind,
    ReportStatus,
    RuleKey,
    SignatureKind,
    Tranche,
)
from wspolnota.grants.settlement import settlement_breaches, settlement_problems
from wspolnota.organisations.selectors import organisations_acting_for


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _status(*forms: Any) -> int:
    for form in forms:
        if form is None:
            continue
        if isinstance(form, BaseFormSet):
            if form.is_bound and (form.non_form_errors() or any(f.errors for f in form.forms)):
                return 400
        elif form.errors:
            return 400
    return 200


def _require_office(request: HttpRequest) -> None:
    if not permissions.can_see_office(request.user):
        raise PermissionDenied


# --- public pages ----------------------------------------------------------------------------------


CALLS_PAGE_SIZE = 20
# The limits the index describes, read in force today (a new act's limit is a data change).
INDEX_RULES = (
    RuleKey.SMALL_GRANT_MAX_AMOUNT,
    RuleKey.SMALL_GRANT_MAX_DAYS,
    RuleKey.SMALL_GRANT_REMARKS_DAYS,
    RuleKey.SMALL_GRANT_CITY_YEARLY_CAP,
    RuleKey.SMALL_GRANT_CITY_LEAD_DAYS,
    RuleKey.COMPETITION_ANNOUNCEMENT_DAYS,
    RuleKey.LOCAL_INITIATIVE_PASS_SCORE,
)


def _call_filters(request: HttpRequest) -> tuple[selectors.CallFilters, int, list[str]]:
    """The public list's filters and page from the query string (core.parsing); a value that
    cannot be read is left out and reported."""
    problems: list[str] = []
    kind, year, page = "", None, 1
    try:
        kind = parse_choice(request.GET.get("rodzaj"), ProgrammeKind.values, default="")
    except InputError as exc:
        problems.append(str(exc))
    try:
        year = parse_int(request.GET.get("rok"), default=None, min_value=2000, max_value=2100)
    except InputError as exc:
        problems.append(str(exc))
    try:
        page = parse_page(request.GET.get("page"))
    except InputError as exc:
        problems.append(str(exc))
    query = " ".join(str(request.GET.get("q", "")).split())[:200]
    return selectors.CallFilters(kind=kind, year=year, query=query), page, problems


def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    year = timezone.localdate().year
    filters, page_number, problems = _call_filters(request)
    calls = selectors.call_public_list(at=now, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "grants/index.html",
        {
            "calls": calls,
            "page": Paginator(calls.past, CALLS_PAGE_SIZE).get_page(page_number),
            "filters": filters,
            "filter_problems": problems,
            "query_string": query.urlencode(),
            "remarks_count": selectors.offers_for_remarks(at=now).count(),
            "kinds": ProgrammeKind,
            "limits": {key.name.lower(): law.rule(key) for key in INDEX_RULES},
            "year": year,
            "applying": selectors.applying_organisations_count(year=year),
            "can_office": permissions.can_see_office(request.user),
        },
        status=400 if problems else 200,
    )


def call_detail(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    call = selectors.call_get_for(request.user, grant_call_id)
    now = timezone.now()
    return render(
        request,
        "grants/call_detail.html",
        {
            "call": call,
            "programme": call.terms,
            "versions": selectors.call_version_history(call),
            "pool": selectors.call_pool(call),
            "is_open": permissions.is_call_open(call, at=now),
            "can_manage": permissions.can_manage_call(request.user, call),
            "criteria": call.criteria.all(),
        },
    )


def call_results(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    call = selectors.call_get_for(request.user, grant_call_id)
    published = call.results_published_at is not None
    return render(
        request,
        "grants/call_results.html",
        {
            "call": call,
            "published": published,
            "rows": selectors.call_results(call) if published else [],
            "pool": selectors.call_pool(call),
        },
    )


def remarks_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "grants/remarks_list.html",
        {"offers": selectors.offers_for_remarks(at=timezone.now())},
    )


def remarks_detail(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related("call__programme", "applicant", "district"),
        pk=grant_application_id,
    )
    if not permissions.can_view_published_offer(request.user, application):
        raise Http404
    now = timezone.now()
    form = RemarkForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if rate_limited(
            request, group="grants-remark", key="ip", rate=settings.RATE_LIMIT_SENSITIVE
        ):
            form.is_valid()
            form.add_error(None, _("Zbyt wiele uwag z tego adresu. Spróbuj ponownie za godzinę."))
            status = 429
        elif form.is_valid():
            try:
                services.remark_add(
                    user=_user(request) if request.user.is_authenticated else None,
                    application=application,
                    text=form.cleaned_data["text"],
                    author_name=form.cleaned_data["author_name"],
                    author_email=form.cleaned_data["author_email"],
                    at=now,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Dziękujemy, uwaga została zapisana."))
                return redirect("grants:remarks_detail", grant_application_id=application.pk)
    return render(
        request,
        "grants/remarks_detail.html",
        {
            "application": application,
            "form": form,
            "open": permissions.is_open_for_remarks(application, at=now),
            "remarks": application.remarks.all(),
            "lines": application.budget_lines.all(),
            "schedule": application.schedule_items.all(),
            "results": application.expected_results.all(),
            "totals": limits.budget_totals(application.budget_lines.all()),
        },
        status=status if status != 200 else _status(form),
    )


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


def _rows(formset: BaseFormSet[Any]) -> list[dict[str, Any]]:
    return [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
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


def rules(request: HttpRequest) -> HttpResponse:
    """The limits in force, each with its source (the act or the city's rules) and basis; the
    use of this year's small-grant ceiling. Administrators add new dated rules and plans."""
    year = timezone.localdate().year
    can_manage = permissions.can_manage_legal_rules(request.user)
    plan_form = YearPlanForm(
        request.POST if "plan" in request.POST else None, initial={"year": year}
    )
    rule_form = LegalRuleForm(request.POST if "rule" in request.POST else None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        try:
            if "plan" in request.POST and plan_form.is_valid():
                services.year_plan_set(actor=_user(request), **plan_form.cleaned_data)
                messages.success(request, _("Zapisano plan dotacji."))
                return redirect("grants:rules")
            if "rule" in request.POST and rule_form.is_valid():
                services.legal_rule_add(actor=_user(request), **rule_form.cleaned_data)
                messages.success(request, _("Dodano zasadę z datą obowiązywania."))
                return redirect("grants:rules")
        except DomainError as exc:
            apply_domain_error(plan_form if "plan" in request.POST else rule_form, exc)
    return render(
        request,
        "grants/rules.html",
        {
            "rules": law.rules_in_force(),
            "share": selectors.small_grant_share(year=year),
            "can_manage": can_manage,
            "plan_form": plan_form,
            "rule_form": rule_form,
        },
        status=_status(plan_form, rule_form),
    )


# --- office: programmes and calls ------------------------------------------------------------------


@login_required
def office(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    return render(
        request,
        "grants/office.html",
        {
            "programmes": selectors.programmes_managed(request.user),
            "calls": selectors.office_calls(request.user),
            "kinds": ProgrammeKind.choices,
        },
    )


EXPORT_SELECTORS = {
    "wnioski": selectors.export_applications,
    "dotacje": selectors.export_awards,
    "rozliczenia": selectors.export_settlements,
}


@login_required
def office_export(
    request: HttpRequest, grant_export: str, grant_export_format: str
) -> HttpResponse:
    """Applications, awards or settlements of the calls the official's unit runs (or of one of
    them: ``?nabor=<id>``), as CSV or XLSX."""
    from wspolnota.grants import exports

    dataset, fmt = grant_export, grant_export_format
    if dataset not in exports.DATASETS or fmt not in ("csv", "xlsx"):
        raise Http404
    _require_office(request)
    call_id = parse_id(request.GET.get("nabor"), default=None, field="nabor")
    call = selectors.call_get_managed(request.user, call_id) if call_id is not None else None
    records = EXPORT_SELECTORS[dataset](request.user, call=call)
    table = exports.DATASETS[dataset]
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = HttpResponse(
            exports.to_csv(table, records.iterator()), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            exports.to_xlsx(table, records.iterator()),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    scope = f"-nabor-{call.pk}" if call is not None else ""
    response["Content-Disposition"] = (
        f'attachment; filename="granty-{dataset}{scope}-{stamp}.{fmt}"'
    )
    return response


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    kind = request.GET.get("rodzaj") or request.POST.get("kind") or ""
    if kind not in ProgrammeKind.values:
        return render(request, "grants/programme_kind.html", {"kinds": ProgrammeKind.choices})
    defaults = Programme(kind=kind, **limits.PROGRAMME_DEFAULTS[kind])
    form = ProgrammeForm(request.POST or None, instance=defaults)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            programme = services.programme_create(actor=_user(request), kind=kind, **values)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Utworzono program."))
            return redirect("grants:programme_edit", grant_programme_id=programme.pk)
    return render(
        request,
        "grants/programme_form.html",
        {"form": form, "kind": kind, "kind_label": ProgrammeKind(kind).label, "programme": None},
        status=_status(form),
    )


@login_required
def programme_edit(request: HttpRequest, grant_programme_id: int) -> HttpResponse:
    _require_office(request)
    programme = get_object_or_404(Programme, pk=grant_programme_id)
    if not permissions.can_manage_programme(request.user, programme):
        raise PermissionDenied
    saving_rubric = "rubric" in request.POST
    original = Programme.objects.get(pk=programme.pk)
    form = ProgrammeForm(
        request.POST if request.method == "POST" and not saving_rubric else None,
        instance=programme,
    )
    rubric = CriterionFormSet(
        request.POST if saving_rubric else None,
        initial=criteria_initial(list(original.criteria.all())),
        prefix="rubric",
    )
    if request.method == "POST" and not saving_rubric and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.programme_update(actor=_user(request), programme=original, **values)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano program."))
            return redirect("grants:programme_edit", grant_programme_id=programme.pk)
    if saving_rubric and rubric.is_valid():
        try:
            services.rubric_replace(
                actor=_user(request),
                programme=original,
                criteria=[
                    services.CriterionData(
                        name=row["name"],
                        group=row["group"],
                        max_points=row["max_points"],
                        description=row["description"],
                    )
                    for row in _rows(rubric)
                ],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zapisano kryteria oceny."))
            return redirect("grants:programme_edit", grant_programme_id=programme.pk)
    return render(
        request,
        "grants/programme_form.html",
        {
            "form": form,
            "rubric": rubric,
            "programme": original,
            "kind": original.kind,
            "kind_label": original.get_kind_display(),
            "calls": original.calls.order_by("-opens_at"),
        },
        status=_status(form, rubric),
    )


@login_required
def call_create(request: HttpRequest, grant_programme_id: int) -> HttpResponse:
    _require_office(request)
    programme = get_object_or_404(Programme, pk=grant_programme_id)
    if not permissions.can_manage_programme(request.user, programme):
        raise PermissionDenied
    form = CallForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            call = services.call_create(
                actor=_user(request), programme=programme, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Utworzono projekt naboru."))
            return redirect("grants:call_manage", grant_call_id=call.pk)
    return render(
        request,
        "grants/call_form.html",
        {"form": form, "programme": programme},
        status=_status(form),
    )


@login_required
def call_manage(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    call = selectors.call_get_managed(request.user, grant_call_id)
    saving_rubric = "rubric" in request.POST
    form = CallForm(
        request.POST if request.method == "POST" and not saving_rubric else None,
        initial={
            "title": call.title,
            "description": call.description,
            "year": call.year,
            "pool_amount": call.pool_amount,
            "opens_at": timezone.localtime(call.opens_at),
            "closes_at": timezone.localtime(call.closes_at) if call.closes_at else None,
        },
    )
    rubric = CriterionFormSet(
        request.POST if saving_rubric else None,
        initial=criteria_initial(list(call.criteria.all())),
        prefix="rubric",
    )
    if request.method == "POST" and not saving_rubric and form.is_valid():
        try:
            services.call_update(actor=_user(request), call=call, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano nabór."))
            return redirect("grants:call_manage", grant_call_id=call.pk)
    if saving_rubric and rubric.is_valid():
        try:
            services.rubric_replace(
                actor=_user(request),
                call=call,
                criteria=[
                    services.CriterionData(
                        name=row["name"],
                        group=row["group"],
                        max_points=row["max_points"],
                        description=row["description"],
                    )
                    for row in _rows(rubric)
                ],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zapisano kryteria oceny."))
            return redirect("grants:call_manage", grant_call_id=call.pk)
    filter_form = ApplicationFilterForm(request.GET or None)
    applications = call.applications.exclude(status=ApplicationStatus.DRAFT).select_related(
        "applicant"
    )
    if filter_form.is_valid() and filter_form.cleaned_data["status"]:
        applications = applications.filter(status=filter_form.cleaned_data["status"])
    return render(
        request,
        "grants/call_manage.html",
        {
            "call": call,
            "programme": call.terms,
            "form": form,
            "rubric": rubric,
            "pool": selectors.call_pool(call),
            "filter_form": filter_form,
            "page": Paginator(applications.order_by("submitted_at", "id"), 50).get_page(
                request.GET.get("page")
            ),
            "commission": call.commission.select_related("user"),
        },
        status=_status(form, rubric),
    )


@login_required
def call_amend(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    """Announce a change of a published call as a new version with its reason."""
    call = selectors.call_get_managed(request.user, grant_call_id)
    terms = call.terms
    initial: dict[str, Any] = {
        "description": call.description,
        "closes_at": timezone.localtime(call.closes_at) if call.closes_at else None,
        "pool_amount": call.pool_amount,
        **{name: getattr(terms, name) for name in AmendmentForm.RULES},
    }
    form = AmendmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rules = {name: data[name] for name in AmendmentForm.RULES if data[name] != initial[name]}
        try:
            version = services.call_amend(
                actor=_user(request),
                call=call,
                reason=data["reason"],
                rules=rules,
                closes_at=data["closes_at"],
                pool_amount=data["pool_amount"],
                description=data["description"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Ogłoszono wersję %(n)s naboru.") % {"n": version.number})
            return redirect("grants:call_detail", grant_call_id=call.pk)
    return render(
        request,
        "grants/call_amend.html",
        {"call": call, "form": form, "versions": selectors.call_version_history(call)},
        status=_status(form),
    )


@login_required
def call_protocol(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    """The commission's protocol (PDF): the call and its versions, the commission with who
    nominated each member, the conflict declarations (with corrections), the ranking and the
    decisions, resignations and awards from the reserve list."""
    from wspolnota.grants.pdf import render_pdf

    call = selectors.call_get_managed(request.user, grant_call_id)
    pdf = render_pdf(
        "grants/pdf/protocol.html",
        {
            "call": call,
            "terms": call.terms,
            "versions": selectors.call_version_history(call),
            "commission": call.commission.select_related("user", "nominating_organisation"),
            "declarations": ConflictDeclaration.objects.filter(application__call=call)
            .select_related("member__user", "application")
            .order_by("application__number", "member_id"),
            "rows": selectors.call_ranking(call),
            "pool": selectors.call_pool(call),
            "generated_at": timezone.now(),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="protokol-naboru-{call.pk}.pdf"'
    return response


def _call_action(request: HttpRequest, grant_call_id: int, action: Any, done: str) -> HttpResponse:
    call = selectors.call_get_managed(request.user, grant_call_id)
    try:
        action(actor=_user(request), call=call)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("grants:call_manage", grant_call_id=call.pk)


@login_required
@require_POST
def call_publish(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    return _call_action(request, grant_call_id, services.call_publish, _("Nabór ogłoszono."))


@login_required
@require_POST
def call_close(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    return _call_action(request, grant_call_id, services.call_close, _("Nabór zamknięto."))


@login_required
@require_POST
def call_publish_results(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    return _call_action(
        request, grant_call_id, services.call_publish_results, _("Wyniki opublikowano.")
    )


@login_required
@require_POST
def call_archive(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    return _call_action(request, grant_call_id, services.call_archive, _("Nabór zarchiwizowano."))


@login_required
def call_commission(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    call = selectors.call_get_managed(request.user, grant_call_id)
    form = CommissionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.commission_member_add(actor=_user(request), call=call, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano członka komisji."))
            return redirect("grants:call_commission", grant_call_id=call.pk)
    return render(
        request,
        "grants/call_commission.html",
        {"call": call, "form": form, "members": call.commission.select_related("user")},
        status=_status(form),
    )


@login_required
@require_POST
def commission_remove(
    request: HttpRequest, grant_call_id: int, grant_member_id: int
) -> HttpResponse:
    call = selectors.call_get_managed(request.user, grant_call_id)
    member = get_object_or_404(CommissionMember, pk=grant_member_id, call=call)
    try:
        services.commission_member_remove(actor=_user(request), member=member)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Usunięto członka komisji."))
    return redirect("grants:call_commission", grant_call_id=call.pk)


@login_required
def call_ranking(request: HttpRequest, grant_call_id: int) -> HttpResponse:
    call = selectors.call_get_managed(request.user, grant_call_id)
    return render(
        request,
        "grants/call_ranking.html",
        {
            "call": call,
            "programme": call.terms,
            "rows": selectors.call_ranking(call),
            "pool": selectors.call_pool(call),
        },
    )


# --- office: one application --------------------------------------------------------------------


@login_required
def office_application(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    if not permissions.can_manage_call(request.user, application.call):
        raise PermissionDenied
    actor = _user(request)
    formal_form = FormalCheckForm(request.POST if "formal" in request.POST else None)
    award_form = AwardForm(
        request.POST if "award" in request.POST else None,
        initial={"amount": application.requested_amount},
    )
    refuse_form = RefuseForm(request.POST if "refuse" in request.POST else None)
    try:
        if (
            "formal" in request.POST
            and formal_form.is_valid()
            and formal_form.cleaned_data["decision"] == "corrections"
        ):
            services.formal_corrections(
                actor=actor, application=application, note=formal_form.cleaned_data["note"]
            )
            messages.success(request, _("Wniosek wrócił do wnioskodawcy do uzupełnienia."))
            return redirect("grants:office_application", grant_application_id=application.pk)
        if "formal" in request.POST and formal_form.is_valid():
            services.formal_check(
                actor=actor,
                application=application,
                passed=formal_form.cleaned_data["decision"] == "pass",
                note=formal_form.cleaned_data["note"],
            )
            messages.success(request, _("Zapisano wynik oceny formalnej."))
            return redirect("grants:office_application", grant_application_id=application.pk)
        if "award" in request.POST and award_form.is_valid():
            services.award_grant(
                actor=actor,
                application=application,
                from_reserve=application.status == ApplicationStatus.NOT_AWARDED,
                **award_form.cleaned_data,
            )
            messages.success(request, _("Przyznano wsparcie."))
            return redirect("grants:office_application", grant_application_id=application.pk)
        if "refuse" in request.POST and refuse_form.is_valid():
            services.application_refuse(
                actor=actor, application=application, reason=refuse_form.cleaned_data["reason"]
            )
            messages.success(request, _("Zapisano decyzję o nieprzyznaniu wsparcia."))
            return redirect("grants:office_application", grant_application_id=application.pk)
    except DomainError as exc:
        target = (
            formal_form
            if "formal" in request.POST
            else award_form
            if "award" in request.POST
            else refuse_form
        )
        apply_domain_error(target, exc)
    lines = list(application.budget_lines.all())
    return render(
        request,
        "grants/office_application.html",
        {
            "application": application,
            "call": application.call,
            "programme": application.call.terms,
            "formal_form": formal_form,
            "award_form": award_form,
            "refuse_form": refuse_form,
            "lines": lines,
            "totals": limits.budget_totals(lines),
            "schedule": application.schedule_items.all(),
            "results": application.expected_results.all(),
            "attachments": application.attachments.all(),
            "remarks": application.remarks.all(),
            "assessments": selectors.application_assessments(application),
            "declarations": ConflictDeclaration.objects.filter(
                application=application
            ).select_related("member__user"),
            "score": selectors.application_score(application),
            "pool": selectors.call_pool(application.call),
            "people": application.applicant.people.all(),
            "agreement": Agreement.objects.filter(application=application).first(),
            "remarks_running": application.remarks_until is not None
            and timezone.now() < application.remarks_until,
            "first_on_reserve": application.status == ApplicationStatus.NOT_AWARDED
            and any(
                row.application.pk == application.pk
                for row in selectors.reserve_list(application.call)[:1]
            ),
            "can_resign": permissions.can_resign_award(request.user, application),
            "resign_form": ResignForm(),
        },
        status=_status(formal_form, award_form, refuse_form),
    )


# --- commission ------------------------------------------------------------------------------------


@login_required
def assessments(request: HttpRequest) -> HttpResponse:
    return render(
        request, "grants/assessments.html", {"tasks": selectors.assessment_tasks(user=request.user)}
    )


@login_required
def assess(request: HttpRequest, grant_application_id: int) -> HttpResponse:
    application = selectors.application_get_for(request.user, grant_application_id)
    member = permissions.commission_member(request.user, application.call)
    if member is None:
        raise PermissionDenied
    actor = _user(request)
    declaration = ConflictDeclaration.objects.filter(member=member, application=application).first()
    criteria = list(application.call.criteria.all())
    assessment = application.assessments.filter(member=member).prefetch_related("scores").first()
    initial: dict[str, Any] = {}
    if assessment is not None:
        initial["comment"] = assessment.comment
        for score in assessment.scores.all():
            initial[f"points_{score.criterion_id}"] = score.points
            initial[f"comment_{score.criterion_id}"] = score.comment
    declaration_form = DeclarationForm(request.POST if "declare" in request.POST else None)
    scoring = "save" in request.POST or "submit" in request.POST
    form = AssessmentForm(request.POST if scoring else None, initial=initial, criteria=criteria)
    if "declare" in request.POST and declaration_form.is_valid():
        try:
            services.conflict_declare(
                user=actor,
                application=application,
                has_conflict=declaration_form.cleaned_data["has_conflict"],
                explanation=declaration_form.cleaned_data["explanation"],
            )
        except DomainError as exc:
            apply_domain_error(declaration_form, exc)
        else:
            messages.success(request, _("Zapisano oświadczenie."))
            return redirect("grants:assess", grant_application_id=application.pk)
    if scoring and form.is_valid():
        try:
            services.assessment_save(
                user=actor,
                application=application,
                points=form.points(),
                comments=form.comments(),
                comment=form.cleaned_data["comment"],
                submit="submit" in request.POST,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Ocena złożona.")
                if "submit" in request.POST
                else _("Zapisano wersję roboczą oceny."),
            )
            return redirect("grants:assess", grant_application_id=application.pk)
    lines = list(application.budget_lines.all())
    return render(
        request,
        "grants/assess.html",
        {
            "application": application,
            "call": application.call,
            "member": member,
            "declaration": declaration,
            "declaration_form": declaration_form,
            "form": form,
            "assessment": assessment,
            "can_score": declaration is not None
            and not declaration.has_conflict
            and permissions.can_assess(request.user, application)
            and (assessment is None or assessment.submitted_at is None),
            "lines": lines,
            "totals": limits.budget_totals(lines),
            "schedule": application.schedule_items.all(),
            "results": application.expected_results.all(),
            "attachments": application.attachments.all(),
        },
        status=_status(declaration_form, form),
    )


# --- agreements and reports --------------------------------------------------------------------------


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
