"""Pages of programmes and calls: the public index, call pages, rules, remarks, the office, exports,
programme and call management, the commission and the ranking."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.parsing import InputError, parse_choice, parse_id, parse_int, parse_page
from wspolnota.core.ratelimit import rate_limited
from wspolnota.grants import law, limits, permissions, selectors, services
from wspolnota.grants.forms import (
    AmendmentForm,
    ApplicationFilterForm,
    CallForm,
    CommissionForm,
    CriterionFormSet,
    LegalRuleForm,
    ProgrammeForm,
    RemarkForm,
    YearPlanForm,
    criteria_initial,
)
from wspolnota.grants.models import (
    Application,
    ApplicationStatus,
    CommissionMember,
    ConflictDeclaration,
    Programme,
    ProgrammeKind,
    RuleKey,
)
from wspolnota.grants.views._common import _require_office, _rows, _status, _user

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
