"""Pages of the participatory budget. Thin: parse the form, call a service, render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts.models import User
from wspolnota.budget import documents, errors, exports, permissions, selectors, services, thread
from wspolnota.budget.errors import BudgetErrors, BudgetPermissionError
from wspolnota.budget.forms import (
    AppealDecisionForm,
    AppealForm,
    AssignForm,
    AttachmentForm,
    CatalogueFilterForm,
    ConfirmForm,
    CorrectionForm,
    CostEstimateForm,
    DecisionForm,
    MergeAnswerForm,
    MergeForm,
    PaperListForm,
    PhasesForm,
    ProjectForm,
    RecommendationForm,
    ReviewForm,
    SupportCheckForm,
    SupportForm,
    WithdrawForm,
    cost_formset,
    cost_lines,
)
from wspolnota.budget.models import (
    Appeal,
    Edition,
    Phase,
    Project,
    ProjectStatus,
    ReviewResult,
    ReviewStage,
    Support,
    SupportCheck,
)
from wspolnota.budget.templatetags.budget_tags import money
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.parsing import parse_per_page
from wspolnota.territory.models import District

S = ProjectStatus


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _signed_in(request: HttpRequest) -> User:
    user = _user(request)
    if user is None:
        raise PermissionDenied
    return user


def _apply(form: forms.BaseForm, exc: DomainError) -> None:
    """Put each of the service's problems on its field (or at the top of the form)."""
    problems = exc.problems if isinstance(exc, BudgetErrors) else [exc]
    for problem in problems:
        apply_domain_error(form, problem)


# --- Public pages ----------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    editions = list(selectors.edition_list(viewer=request.user))
    return render(
        request,
        "budget/index.html",
        {"editions": editions, "current": editions[0] if editions else None, "now": timezone.now()},
    )


def _phase_rows(edition: Edition) -> list[dict[str, Any]]:
    now = timezone.now()
    rows = []
    for phase in edition.phases.all():
        state = (
            "past" if phase.ends_at <= now else "current" if phase.starts_at <= now else "future"
        )
        rows.append({"phase": phase, "state": state})
    return rows


def edition_detail(request: HttpRequest, bo_year: int) -> HttpResponse:
    edition = selectors.edition_get_for(viewer=request.user, year=bo_year)
    now = timezone.now()
    return render(
        request,
        "budget/edition.html",
        {
            "edition": edition,
            "phases": _phase_rows(edition),
            "pools": selectors.pool_summaries(edition=edition),
            "status_counts": selectors.status_counts(edition=edition),
            "can_submit": permissions.can_submit_project(request.user, edition, at=now),
            "can_manage": permissions.is_coordinator(request.user, edition),
            "can_set_up": permissions.can_set_up_edition(request.user, edition),
            "district_total": sum(p.budget for p in edition.pools.all() if p.district_id),
            "citywide_total": sum(p.budget for p in edition.pools.all() if not p.district_id),
        },
    )


def _catalogue_query(
    request: HttpRequest, edition: Edition, *, districts: list[District] | None = None
) -> tuple[CatalogueFilterForm, selectors.CatalogueFilters]:
    form = CatalogueFilterForm(
        request.GET or None,
        districts=selectors.filter_districts(edition=edition) if districts is None else districts,
    )
    filters = selectors.CatalogueFilters()
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        filters = selectors.CatalogueFilters(
            pool=data.get("pool") or "",
            category=data.get("category") or "",
            status=data.get("status") or "",
            cost_min=data.get("cost_min"),
            cost_max=data.get("cost_max"),
            query=data.get("q") or "",
            sort=data.get("sort") or "number",
        )
    return form, filters


def _filter_fields(form: CatalogueFilterForm) -> list[dict[str, Any]]:
    """The filter form's fields as plain values, options included, ready to draw without widgets.

    The form is drawn on every catalogue request; deciding "selected" here instead of comparing
    every option in the template keeps the page cheap.
    """
    fields = []
    for field in form:
        value = field.value()
        current = "" if value is None else str(value)
        choices = getattr(field.field, "choices", None)
        fields.append(
            {
                "name": field.html_name,
                "id": field.auto_id,
                "label": field.label,
                "help": field.help_text,
                "errors": " ".join(str(e) for e in field.errors),
                "value": current,
                "options": None
                if choices is None
                else [(str(v), label, str(v) == current) for v, label in choices],
            }
        )
    return fields


def _page_links(query: str, number: int, num_pages: int) -> dict[str, Any]:
    """Links to the previous, next, first, last and nearby pages; a ``None`` number is a gap."""
    prefix = f"?{query}&page=" if query else "?page="
    wanted = sorted({1, num_pages, *range(max(1, number - 2), min(num_pages, number + 2) + 1)})
    links: list[dict[str, Any]] = []
    for n in wanted:
        if links and n - links[-1]["number"] > 1:
            links.append({"number": None})
        links.append({"number": n, "url": f"{prefix}{n}", "current": n == number})
    return {
        "links": links if num_pages > 1 else [],
        "previous": f"{prefix}{number - 1}" if number > 1 else "",
        "next": f"{prefix}{number + 1}" if number < num_pages else "",
    }


def _catalogue_rows(rows: list[selectors.CatalogueRow]) -> list[dict[str, Any]]:
    """Rows with their link and formatted cost; one ``reverse`` for the whole page."""
    marker = 987654321
    before, _sep, after = reverse("budget:project_detail", args=[marker]).partition(str(marker))
    return [
        {"row": row, "url": f"{before}{row.pk}{after}", "cost": money(row.cost)} for row in rows
    ]


def catalogue(request: HttpRequest, bo_year: int) -> HttpResponse:
    edition = selectors.edition_get_for(viewer=request.user, year=bo_year, details=False)
    districts = selectors.filter_districts(edition=edition)
    form, filters = _catalogue_query(request, edition, districts=districts)
    per_page = _per_page(request)
    page = selectors.catalogue_page(
        edition=edition,
        filters=filters,
        page=request.GET.get("page"),
        per_page=per_page,
        districts=districts,
    )
    query = _query_without_page(request)
    size_query = _query_without(request, "page", "per_page")
    size_prefix = f"?{size_query}&per_page=" if size_query else "?per_page="
    return render(
        request,
        "budget/catalogue.html",
        {
            "edition": edition,
            "form": form,
            "filter_fields": _filter_fields(form),
            "form_errors": form.non_field_errors(),
            "page": page,
            "rows": _catalogue_rows(page.rows),
            "pages": _page_links(query, page.number, page.num_pages),
            "page_sizes": [
                {"size": size, "url": f"{size_prefix}{size}", "current": size == page.per_page}
                for size in selectors.PAGE_SIZES
            ],
            "query_string": query,
            "per_page": per_page,
            "show_pages": page.count > selectors.PAGE_SIZES[0],
            "can_export": permissions.can_export_projects(request.user, edition),
        },
        status=400 if form.errors else 200,
    )


def _per_page(request: HttpRequest) -> int:
    """The page size asked for, 0 when none was (the links then leave it out)."""
    return parse_per_page(request.GET.get("per_page"), allowed=selectors.PAGE_SIZES, default=0)


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _query_without_page(request: HttpRequest) -> str:
    return _query_without(request, "page")


def catalogue_map(request: HttpRequest, bo_year: int) -> HttpResponse:
    edition = selectors.edition_get_for(viewer=request.user, year=bo_year)
    form, filters = _catalogue_query(request, edition)
    projects = list(selectors.project_catalogue(edition=edition, filters=filters))
    project_map = selectors.project_map(
        districts=selectors.map_districts(edition=edition), projects=projects
    )
    return render(
        request,
        "budget/catalogue_map.html",
        {
            "edition": edition,
            "form": form,
            "filter_fields": _filter_fields(form),
            "form_errors": form.non_field_errors(),
            "map": project_map,
            "unlocated": len(projects) - len(project_map.points),
            "total": len(projects),
            "query_string": _query_without_page(request),
        },
        status=400 if form.errors else 200,
    )


def _export(request: HttpRequest, bo_year: int, kind: str) -> HttpResponse:
    edition = selectors.edition_get_for(viewer=request.user, year=bo_year)
    if not permissions.can_export_projects(request.user, edition):
        raise PermissionDenied
    _form, filters = _catalogue_query(request, edition)
    projects = selectors.project_catalogue(edition=edition, filters=filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if kind == "csv":
        response = HttpResponse(exports.to_csv(projects), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(projects, title=f"BO {edition.year}"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = (
        f'attachment; filename="bo-{edition.year}-projekty-{stamp}.{kind}"'
    )
    return response


def export_csv(request: HttpRequest, bo_year: int) -> HttpResponse:
    return _export(request, bo_year, "csv")


def export_xlsx(request: HttpRequest, bo_year: int) -> HttpResponse:
    return _export(request, bo_year, "xlsx")


def final_list(request: HttpRequest, bo_year: int) -> HttpResponse:
    edition = selectors.edition_get_for(viewer=request.user, year=bo_year)
    now = timezone.now()
    form = ConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST":
        user = _signed_in(request)
        if form.is_valid():
            try:
                count = services.final_list_publish(actor=user, edition=edition, at=now)
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(
                    request,
                    _("Lista do głosowania została ogłoszona: %(count)d projektów.")
                    % {"count": count},
                )
                return redirect("budget:final_list", bo_year=edition.year)
        status = 400
    projects = (
        list(selectors.final_list(edition=edition)) if edition.final_list_published_at else []
    )
    return render(
        request,
        "budget/final_list.html",
        {
            "edition": edition,
            "projects": projects,
            "form": form,
            "can_publish": permissions.can_publish_final_list(request.user, edition, at=now),
            "is_coordinator": permissions.is_coordinator(request.user, edition),
            "status_counts": selectors.status_counts(edition=edition),
            "window": edition.phase_window(Phase.FINAL_LIST),
        },
        status=status,
    )


@login_required
def edition_phases(request: HttpRequest, bo_year: int) -> HttpResponse:
    user = _signed_in(request)
    edition = selectors.edition_get_for(viewer=user, year=bo_year)
    if not permissions.is_coordinator(user, edition):
        raise PermissionDenied
    form = PhasesForm(request.POST or None, edition=edition)
    if edition.phase_has_started(Phase.VOTING, timezone.now()):
        # voting has begun: its dates are shown, locked, with the reason (the service refuses too)
        for end in ("starts_at", "ends_at"):
            field = form.fields[f"{Phase.VOTING}__{end}"]
            field.disabled = True
            field.help_text = str(errors.VOTING_DATES_LOCKED)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.edition_phases_update(actor=user, edition=edition, phases=form.phases())
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Daty etapów zostały zapisane."))
                return redirect("budget:edition", bo_year=edition.year)
        return render(
            request, "budget/edition_phases.html", {"edition": edition, "form": form}, status=400
        )
    return render(request, "budget/edition_phases.html", {"edition": edition, "form": form})


# --- Project page ------------------------------------------------------------------------------


def _project_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    is_author = permissions.is_author(user, project)
    appeal = Appeal.objects.filter(project=project).first()
    history = AuditLogEntry.objects.filter(
        object_type="budget.project",
        object_id=str(project.pk),
        action__startswith="budget.project_",
    ).order_by("id")
    district_id = project.location_district_id or project.pool.district_id
    district = (
        selectors.district_with_boundary(district_id=district_id)
        if district_id and project.has_location
        else None
    )
    project_map = (
        selectors.project_map(districts=[district], projects=[project], width=360)
        if district is not None
        else None
    )
    support_refusal = permissions.support_refusal(user, project, at=now)
    return {
        "project": project,
        "edition": project.edition,
        "cost_items": list(project.cost_items.all()),
        "attachments": list(project.attachments.all()),
        "versions": list(selectors.project_versions(project=project, viewer=user)[:20]),
        "appeal": appeal,
        "appeal_deadline": permissions.appeal_deadline(project),
        "merged_from": list(project.merged_from.all()),
        "history": [(e.created_at, e.action.removeprefix("budget.project_")) for e in history],
        "status_labels": dict(ProjectStatus.choices),
        "project_map": project_map,
        "is_author": is_author,
        "can_support": support_refusal is None,
        "support_closed": project.status == S.SUBMITTED
        and project.support_deadline is not None
        and now > project.support_deadline,
        "can_edit": permissions.can_edit_project(user, project, at=now),
        "can_withdraw": permissions.can_withdraw_project(user, project, at=now),
        "can_appeal": permissions.can_appeal_project(user, project, at=now),
        "can_view_verification": permissions.can_view_verification(user, project),
        "corrections": list(project.correction_requests.order_by("-id")) if is_author else [],
        "merges": list(selectors.merge_proposals_for(project=project)) if is_author else [],
        "paper_lists": project.paper_lists.count(),
        "thread": thread.project_thread(project=project, at=now, appeal=appeal),
        "support_form": _support_form(None, user),
        "identity_support": settings.BUDGET_SUPPORT_REQUIRES == "identity",
        "supports_pending": project.supports.filter(identity_check=SupportCheck.PENDING).count(),
        "my_support": (
            project.supports.filter(user=user).first() if user.is_authenticated else None
        ),
        "support_refusal": (
            str(support_refusal.message) % support_refusal.params
            if support_refusal and support_refusal.params
            else str(support_refusal.message)
            if support_refusal
            else ""
        ),
        "needs_phone": support_refusal is not None
        and support_refusal.message == errors.SUPPORT_PHONE_REQUIRED,
        **_location_picker(project.edition),
        "following": bool(
            user.is_authenticated
            and project.is_public
            and project.follows.filter(user_id=user.pk).exists()
        ),
    }


def project_detail(request: HttpRequest, bo_project: int) -> HttpResponse:
    project = selectors.project_get_for(viewer=request.user, project_id=bo_project)
    return render(request, "budget/project_detail.html", _project_context(request, project))


@require_POST
def project_support(request: HttpRequest, bo_project: int) -> HttpResponse:
    project = selectors.project_get_for(viewer=request.user, project_id=bo_project)
    user = _user(request)
    if user is None:
        return redirect(
            f"{reverse('accounts:login')}?next={reverse('budget:project_detail', args=[project.pk])}"
        )
    form = _support_form(request.POST, user)
    refusal = permissions.support_refusal(user, project, at=timezone.now())
    if refusal is not None:
        # who may support at all is said first, before anything about the address
        context = _project_context(request, project)
        context["support_form"] = form
        context["support_error"] = str(refusal.message) % refusal.params
        return render(request, "budget/project_detail.html", context, status=400)
    if form.is_valid():
        try:
            services.project_support(
                user=user,
                project=project,
                address=form.cleaned_data["address"],
                latitude=form.cleaned_data["latitude"],
                longitude=form.cleaned_data["longitude"],
                full_name=form.cleaned_data.get("full_name", ""),
                birth_date=form.cleaned_data.get("birth_date"),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dziękujemy! Twoje poparcie zostało zapisane."))
            return redirect("budget:project_detail", bo_project=project.pk)
    context = _project_context(request, project)
    context["support_form"] = form
    context["support_error"] = " ".join(str(e) for errs in form.errors.values() for e in errs)
    return render(request, "budget/project_detail.html", context, status=400)


def _support_form(data: Any, user: Any) -> SupportForm:
    """The support form; where the city requires a verified identity, with the supporter's name
    (from their profile to start with) and date of birth for the verifying unit to check."""
    identity = settings.BUDGET_SUPPORT_REQUIRES == "identity"
    initial = {"full_name": getattr(user, "full_name", "")} if identity else {}
    return SupportForm(data, identity=identity, initial=initial)


@login_required
@require_POST
def support_check(request: HttpRequest, bo_project: int, bo_support: int) -> HttpResponse:
    """The verifying unit records the outcome of checking one supporter's identity."""
    user = _signed_in(request)
    project = selectors.project_get_for(viewer=user, project_id=bo_project)
    if not permissions.can_view_verification(user, project):
        raise PermissionDenied
    support = get_object_or_404(Support, pk=bo_support, project=project)
    form = SupportCheckForm(request.POST)
    if form.is_valid():
        try:
            services.support_check(
                actor=user,
                support=support,
                confirmed=form.cleaned_data["decision"] == "confirmed",
                note=form.cleaned_data["note"],
            )
        except BudgetPermissionError:
            raise PermissionDenied from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano."))
            return redirect("budget:project_verification", bo_project=project.pk)
    return project_verification(request, project.pk, check_form=(support.pk, form), status=400)


@require_POST
def project_follow(request: HttpRequest, bo_project: int) -> HttpResponse:
    """Follow (or, with ``stop``, stop following) a project: each step of its life by e-mail."""
    project = selectors.project_get_for(viewer=request.user, project_id=bo_project)
    user = _user(request)
    if user is None:
        return redirect(
            f"{reverse('accounts:login')}?next={reverse('budget:project_detail', args=[project.pk])}"
        )
    if request.POST.get("stop"):
        services.project_unfollow(user=user, project=project)
        messages.success(request, _("Nie obserwujesz już tego projektu."))
    else:
        services.project_follow(user=user, project=project)
        messages.success(
            request, _("Obserwujesz ten projekt: powiadomimy Cię e-mailem o każdym jego etapie.")
        )
    return redirect("budget:project_detail", bo_project=project.pk)


def project_version(request: HttpRequest, bo_project: int, bo_version: int) -> HttpResponse:
    project = selectors.project_get_for(viewer=request.user, project_id=bo_project)
    version = selectors.project_version_get(project=project, viewer=request.user, number=bo_version)
    previous = (
        selectors.project_versions(project=project, viewer=request.user)
        .filter(number__lt=version.number)
        .first()
    )
    fields = [
        ("title", _("Tytuł")),
        ("short_description", _("Krótki opis")),
        ("description", _("Pełny opis")),
        ("category", _("Kategoria")),
        ("address", _("Lokalizacja")),
        ("cost", _("Koszt (zł)")),
    ]
    rows = [
        {
            "label": label,
            "value": getattr(version, name),
            "changed": previous is not None and getattr(previous, name) != getattr(version, name),
        }
        for name, label in fields
    ]
    return render(
        request,
        "budget/project_version.html",
        {"project": project, "version": version, "previous": previous, "rows": rows},
    )


def attachment_download(request: HttpRequest, bo_project: int, bo_attachment: int) -> HttpResponse:
    attachment = selectors.attachment_get_for(
        viewer=request.user, project_id=bo_project, attachment_id=bo_attachment
    )
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=attachment.content_type)
    disposition = (
        "inline"
        if attachment.is_image or attachment.content_type == "application/pdf"
        else "attachment"
    )
    response["Content-Disposition"] = (
        f"{disposition}; filename*=UTF-8''{quote(attachment.original_name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def project_card_pdf(request: HttpRequest, bo_project: int) -> HttpResponse:
    project = selectors.project_get_for(viewer=request.user, project_id=bo_project)
    if not project.is_public:
        raise Http404
    url = documents.project_url(project.pk)
    pdf = documents.render_pdf(
        "budget/pdf/project_card.html",
        {
            "project": project,
            "cost_items": list(project.cost_items.all()),
            "qr": documents.qr_data_uri(url),
            "url": url,
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="karta-projektu-{project.pk}.pdf"'
    return response


def support_list_pdf(request: HttpRequest, bo_project: int) -> HttpResponse:
    project = selectors.project_get_for(viewer=request.user, project_id=bo_project)
    if project.status != S.SUBMITTED:
        raise Http404
    url = documents.project_url(project.pk)
    pdf = documents.render_pdf(
        "budget/pdf/support_list.html",
        {"project": project, "qr": documents.qr_data_uri(url), "url": url, "rows": range(1, 21)},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="lista-poparcia-{project.pk}.pdf"'
    return response


# --- Authors -------------------------------------------------------------------------------------


@login_required
def project_create(request: HttpRequest, bo_year: int) -> HttpResponse:
    user = _signed_in(request)
    edition = selectors.edition_get_for(viewer=user, year=bo_year)
    refusal = permissions.submission_refusal(user, edition, at=timezone.now())
    if refusal is not None:
        return render(
            request,
            "budget/submission_closed.html",
            {
                "edition": edition,
                "reason": str(refusal.message) % refusal.params
                if refusal.params
                else refusal.message,
            },
            status=403,
        )
    initial: dict[str, Any] = {}
    if user.district_id is not None:
        initial["pool"] = (
            edition.pools.filter(district_id=user.district_id).values_list("pk", flat=True).first()
        )
    form = ProjectForm(request.POST or None, edition=edition, initial=initial)
    formset = cost_formset(request.POST or None, add_row="add_row" in request.POST)
    status = 200
    if request.method == "POST":
        formset_ok = formset.is_valid()
        if "add_row" not in request.POST and form.is_valid() and formset_ok:
            try:
                project = services.project_draft_create(
                    author=user, edition=edition, content=form.content(cost_lines(formset))
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Szkic projektu został zapisany. Dodaj załączniki i zgłoś projekt, gdy będzie gotowy."
                    ),
                )
                return redirect("budget:project_edit", bo_project=project.pk)
        elif "add_row" in request.POST:
            form.is_valid()
            form.errors.clear()
        status = 400 if (form.errors or not formset_ok) and "add_row" not in request.POST else 200
    return render(
        request,
        "budget/project_form.html",
        {
            "edition": edition,
            "form": form,
            "formset": formset,
            "project": None,
            **_location_picker(edition),
        },
        status=status,
    )


def _location_picker(edition: Edition) -> dict[str, Any]:
    """What the form's map picker needs: each pool's district number, the tile server."""
    return {
        "pool_districts": {
            str(pk): number
            for pk, number in edition.pools.filter(district__isnull=False).values_list(
                "pk", "district__number"
            )
        },
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
    }


@login_required
def project_edit(request: HttpRequest, bo_project: int) -> HttpResponse:
    user = _signed_in(request)
    project = selectors.project_get_for(viewer=user, project_id=bo_project)
    now = timezone.now()
    refusal = permissions.edit_refusal(user, project, at=now)
    if refusal is not None:
        if not permissions.is_author(user, project):
            raise PermissionDenied
        messages.error(
            request,
            str(refusal.message) % refusal.params if refusal.params else str(refusal.message),
        )
        return redirect("budget:project_detail", bo_project=project.pk)
    edition = project.edition
    data = request.POST or None
    form = ProjectForm(
        data,
        edition=edition,
        initial=ProjectForm.initial_for(project),
        fixed_pool=project.status != S.DRAFT,
    )
    formset = cost_formset(data, project=project, add_row="add_row" in request.POST)
    status = 200
    if request.method == "POST" and "add_row" not in request.POST:
        formset_ok = formset.is_valid()
        if form.is_valid() and formset_ok:
            try:
                project = services.project_update(
                    actor=user, project=project, content=form.content(cost_lines(formset)), at=now
                )
                if "submit" in request.POST and project.status == S.DRAFT:
                    project = services.project_submit(actor=user, project=project, at=now)
            except DomainError as exc:
                _apply(form, exc)
            else:
                if project.status == S.SUBMITTED and "submit" in request.POST:
                    messages.success(
                        request,
                        _(
                            "Projekt został zgłoszony pod numerem %(number)s. Teraz zbierz poparcie mieszkańców."
                        )
                        % {"number": project.number},
                    )
                    return redirect("budget:project_detail", bo_project=project.pk)
                messages.success(request, _("Zmiany zostały zapisane."))
                if project.status == S.IN_VERIFICATION:
                    return redirect("budget:project_detail", bo_project=project.pk)
                return redirect("budget:project_edit", bo_project=project.pk)
        status = 400
    elif request.method == "POST":
        form.is_valid()
        form.errors.clear()
    return render(
        request,
        "budget/project_form.html",
        {
            "edition": edition,
            "form": form,
            "formset": formset,
            "project": project,
            "attachments": list(project.attachments.all()),
            "attachment_form": AttachmentForm(edition=edition),
            "correction": project.correction_requests.filter(answered_at__isnull=True)
            .order_by("-id")
            .first(),
            **_location_picker(edition),
        },
        status=status,
    )


@login_required
@require_POST
def attachment_upload(request: HttpRequest, bo_project: int) -> HttpResponse:
    user = _signed_in(request)
    project = selectors.project_get_for(viewer=user, project_id=bo_project)
    form = AttachmentForm(request.POST, request.FILES, edition=project.edition)
    if form.is_valid():
        try:
            services.attachment_add(
                actor=user,
                project=project,
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Załącznik został dodany."))
            return redirect(reverse("budget:project_edit", args=[project.pk]) + "#attachments")
    if not permissions.can_edit_project(user, project, at=timezone.now()):
        raise PermissionDenied
    return render(
        request,
        "budget/project_form.html",
        {
            "edition": project.edition,
            "form": ProjectForm(
                edition=project.edition,
                initial=ProjectForm.initial_for(project),
                fixed_pool=project.status != S.DRAFT,
            ),
            "formset": cost_formset(project=project),
            "project": project,
            "attachments": list(project.attachments.all()),
            "attachment_form": form,
            **_location_picker(project.edition),
        },
        status=400,
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, bo_project: int, bo_attachment: int) -> HttpResponse:
    user = _signed_in(request)
    attachment = selectors.attachment_get_for(
        viewer=user, project_id=bo_project, attachment_id=bo_attachment
    )
    services.attachment_remove(actor=user, attachment=attachment)
    messages.success(request, _("Załącznik został usunięty."))
    return redirect(reverse("budget:project_edit", args=[bo_project]) + "#attachments")


@login_required
@require_POST
def draft_delete(request: HttpRequest, bo_project: int) -> HttpResponse:
    user = _signed_in(request)
    project = selectors.project_get_for(viewer=user, project_id=bo_project)
    services.draft_delete(actor=user, project=project)
    messages.success(request, _("Szkic został usunięty."))
    return redirect("budget:my_projects")


def _author_form_page(
    request: HttpRequest,
    bo_project: int,
    *,
    form_class: type[forms.Form],
    template: str,
    can: Callable[[Any, Project], bool],
    action: Callable[[User, Project, forms.Form], object],
    success: str,
) -> HttpResponse:
    user = _signed_in(request)
    project = selectors.project_get_for(viewer=user, project_id=bo_project)
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                action(user, project, form)
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, success)
                return redirect("budget:project_detail", bo_project=project.pk)
        status = 400
    elif not can(user, project):
        raise PermissionDenied
    return render(
        request,
        template,
        {"project": project, "form": form, "appeal_deadline": permissions.appeal_deadline(project)},
        status=status,
    )


@login_required
def project_withdraw(request: HttpRequest, bo_project: int) -> HttpResponse:
    return _author_form_page(
        request,
        bo_project,
        form_class=WithdrawForm,
        template="budget/project_withdraw.html",
        can=lambda user, project: permissions.can_withdraw_project(
            user, project, at=timezone.now()
        ),
        action=lambda user, project, form: services.project_withdraw(
            actor=user, project=project, reason=form.cleaned_data["reason"]
        ),
        success=_("Projekt został wycofany."),
    )


@login_required
def project_appeal(request: HttpRequest, bo_project: int) -> HttpResponse:
    return _author_form_page(
        request,
        bo_project,
        form_class=AppealForm,
        template="budget/project_appeal.html",
        can=lambda user, project: permissions.can_appeal_project(user, project, at=timezone.now()),
        action=lambda user, project, form: services.appeal_submit(
            actor=user, project=project, justification=form.cleaned_data["justification"]
        ),
        success=_(
            "Odwołanie zostało złożone. Rozpatrzy je Prezydent po opinii Rady Budżetu Obywatelskiego."
        ),
    )


@login_required
def merge_answer(request: HttpRequest, bo_merge: int) -> HttpResponse:
    user = _signed_in(request)
    proposal = selectors.merge_proposal_get_for(viewer=user, proposal_id=bo_merge)
    form = MergeAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.merge_answer(
                    user=user, proposal=proposal, consent=form.cleaned_data["consent"] == "yes"
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                messages.success(request, _("Twoja odpowiedź została zapisana."))
                return redirect("budget:my_projects")
        status = 400
    return render(
        request,
        "budget/merge_answer.html",
        {
            "proposal": proposal,
            "form": form,
            "can_answer": permissions.can_answer_merge(user, proposal),
        },
        status=status,
    )


@login_required
def my_projects(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    return render(
        request,
        "budget/my_projects.html",
        {
            "projects": list(selectors.my_projects(user=user)),
            "merges": list(selectors.my_pending_merges(user=user)),
            "current": selectors.edition_current(viewer=user),
        },
    )


# --- Officials ----------------------------------------------------------------------------------


@login_required
def office(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not permissions.can_use_office(user):
        raise PermissionDenied
    editions = list(selectors.edition_list(viewer=user))
    year = request.GET.get("edycja", "")
    edition = next((e for e in editions if str(e.year) == year), editions[0] if editions else None)
    page = None
    status_filter = request.GET.get("stan", "")
    query = request.GET.get("q", "")[:200]
    if edition is not None:
        projects = selectors.office_projects(
            viewer=user, edition=edition, status=status_filter, query=query
        )
        page = Paginator(projects, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "budget/office.html",
        {
            "editions": editions,
            "edition": edition,
            "page": page,
            "status_filter": status_filter,
            "query": query,
            "statuses": [(v, label) for v, label in ProjectStatus.choices if v != S.DRAFT],
            "status_counts": selectors.status_counts(edition=edition) if edition else {},
            "can_create_edition": permissions.can_create_edition(user),
            "can_set_up": edition is not None and permissions.can_set_up_edition(user, edition),
        },
    )


VERIFICATION_ACTIONS = (
    "start",
    "assign",
    "review",
    "paper",
    "correction",
    "cost",
    "decision",
    "merge",
    "recommend",
    "appeal_decision",
)


def _verification_forms(
    request: HttpRequest, project: Project, bound: str | None
) -> dict[str, Any]:
    """Every form the viewer may use on the verification page; ``bound`` takes the POST data."""
    user = request.user
    now = timezone.now()

    def data(name: str) -> Any:
        return request.POST if bound == name else None

    result: dict[str, Any] = {}
    verify = permissions.can_verify_project(user, project, at=now)
    if verify and project.status == S.SUBMITTED:
        initial = {"unit": project.edition.coordinating_unit_id}
        result["start"] = AssignForm(data("start"), initial=initial, prefix="start")
    if verify and project.status in (S.IN_VERIFICATION, S.CORRECTION_REQUESTED, S.APPEALED):
        result["assign"] = AssignForm(data("assign"), prefix="assign")
        result["cost"] = CostEstimateForm(data("cost"), prefix="cost")
        result["merge"] = MergeForm(data("merge"), project=project, prefix="merge")
    if verify and project.status == S.IN_VERIFICATION:
        result["correction"] = CorrectionForm(
            data("correction"),
            initial={"days": project.edition.correction_days},
            prefix="correction",
        )
    if verify and project.status in (S.IN_VERIFICATION, S.CORRECTION_REQUESTED):
        result["decision"] = DecisionForm(data("decision"), prefix="decision")
    if permissions.can_record_paper_support(user, project, at=now):
        result["paper"] = PaperListForm(
            data("paper"), initial={"received_on": timezone.localdate()}, prefix="paper"
        )
    appeal = Appeal.objects.filter(project=project).first()
    if appeal is not None and permissions.can_handle_appeal(user, appeal, at=now):
        result["recommend"] = RecommendationForm(
            data("recommend"),
            prefix="recommend",
            initial={
                "meeting_on": appeal.council_meeting_on,
                "recommendation": appeal.council_recommendation,
                "reasons": appeal.council_reasons,
            },
        )
        if appeal.council_recommendation:
            result["appeal_decision"] = AppealDecisionForm(
                data("appeal_decision"), prefix="appeal_decision"
            )
    reviews = []
    for review in selectors.project_reviews(project=project):
        review_form = None
        if permissions.can_complete_review(user, review, at=now):
            review_bound = bound == "review" and request.POST.get("review") == str(review.pk)
            review_form = ReviewForm(request.POST if review_bound else None, review=review)
        reviews.append((review, review_form))
    result["reviews"] = reviews
    result["appeal"] = appeal
    return result


def _run_verification_action(
    user: User, project: Project, action: str, forms_: dict[str, Any], request: HttpRequest
) -> tuple[bool, forms.Form | None]:
    """Validate the bound form and call its service; returns (done, form with errors)."""
    if action == "review":
        form = next((f for r, f in forms_["reviews"] if f is not None and f.is_bound), None)
    else:
        form = forms_.get(action)
    if form is None:
        raise PermissionDenied
    if not form.is_valid():
        return False, form
    data = form.cleaned_data
    try:
        if action == "start":
            services.verification_start(
                actor=user, project=project, unit=data["unit"], official=data["official"]
            )
        elif action == "assign":
            services.review_assign(
                actor=user, project=project, unit=data["unit"], official=data["official"]
            )
        elif action == "review":
            services.review_complete(
                actor=user,
                review=form.review,
                checklist=form.checklist(),
                passed=data["result"] == "passed",
                notes=data["notes"],
            )
        elif action == "paper":
            services.paper_support_list_record(
                actor=user,
                project=project,
                received_on=data["received_on"],
                signatures_valid=data["signatures_valid"],
                signatures_rejected=data["signatures_rejected"] or 0,
                note=data["note"],
            )
        elif action == "correction":
            services.correction_request(
                actor=user, project=project, message=data["message"], days=data["days"]
            )
        elif action == "cost":
            services.cost_reestimate(
                actor=user,
                project=project,
                verified_cost=data["verified_cost"],
                reason=data["reason"],
            )
        elif action == "decision":
            services.verification_decide(
                actor=user,
                project=project,
                positive=data["outcome"] == "positive",
                reasons=data["reasons"],
            )
        elif action == "merge":
            services.merge_propose(
                actor=user, source=project, target=data["target"], reason=data["reason"]
            )
        elif action == "recommend":
            services.appeal_recommend(
                actor=user,
                appeal=forms_["appeal"],
                meeting_on=data["meeting_on"],
                recommendation=data["recommendation"],
                reasons=data["reasons"],
            )
        elif action == "appeal_decision":
            services.appeal_decide(
                actor=user,
                appeal=forms_["appeal"],
                decision=data["decision"],
                reasons=data["reasons"],
            )
    except DomainError as exc:
        _apply(form, exc)
        return False, form
    return True, None


@login_required
def project_verification(
    request: HttpRequest,
    bo_project: int,
    *,
    check_form: tuple[int, SupportCheckForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _signed_in(request)
    project = selectors.project_get_for(viewer=user, project_id=bo_project)
    if not permissions.can_view_verification(user, project):
        raise PermissionDenied
    action = (
        request.POST.get("action", "") if request.method == "POST" and check_form is None else ""
    )
    if request.method == "POST" and check_form is None and action not in VERIFICATION_ACTIONS:
        raise PermissionDenied
    forms_ = _verification_forms(request, project, action or None)
    if action:
        done, _failed = _run_verification_action(user, project, action, forms_, request)
        if done:
            messages.success(request, _("Zapisano."))
            return redirect("budget:project_verification", bo_project=project.pk)
        status = 400
    return render(
        request,
        "budget/project_verification.html",
        {
            "project": project,
            "forms": forms_,
            "reviews": forms_["reviews"],
            "appeal": forms_["appeal"],
            "corrections": list(
                project.correction_requests.select_related("requested_by").order_by("-id")
            ),
            "paper_lists": list(project.paper_lists.select_related("recorded_by").order_by("-id")),
            "online_supports": project.supports.count(),
            "identity_supports": selectors.supports_to_check(project=project),
            "can_check_supporters": permissions.can_check_supporters(
                user, project, at=timezone.now()
            ),
            "check_form": check_form,
            "merges": list(selectors.merge_proposals_for(project=project)),
            "review_results": ReviewResult,
            "stages": ReviewStage,
            "action": action,
        },
        status=status,
    )
