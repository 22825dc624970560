from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.monitoring import forms, opendata, selectors, services
from wspolnota.monitoring.models import ImplementationLink, Indicator, NodeKind
from wspolnota.monitoring.permissions import can_decide_measurement, can_manage_monitoring
from wspolnota.monitoring.texts import METHOD_NOTES


def _require_manager(request: HttpRequest) -> None:
    if not can_manage_monitoring(request.user):
        raise PermissionDenied


# --- Public pages ---------------------------------------------------------------------------------


def dashboard(request: HttpRequest) -> HttpResponse:
    views = selectors.indicator_views()
    return render(
        request,
        "monitoring/dashboard.html",
        {
            "goal": selectors.strategy_goal(),
            "views": views,
            "demo_shown": any(view.has_demo for view in views),
            "can_manage": can_manage_monitoring(request.user),
            "report_year": timezone.localdate().year - 1,
        },
    )


def indicator_detail(request: HttpRequest, indicator_code: str) -> HttpResponse:
    indicator = selectors.indicator_get(code=indicator_code)
    if indicator is None:
        raise Http404
    view = selectors.indicator_views(indicators=[indicator])[0]
    manager = can_manage_monitoring(request.user)
    return render(
        request,
        "monitoring/indicator_detail.html",
        {
            "indicator": indicator,
            "view": view,
            "history": selectors.measurement_history(indicator=indicator, include_pending=manager),
            "can_manage": manager,
            "method_note": METHOD_NOTES.get(indicator.code, ""),
        },
    )


def _node_context(request: HttpRequest, node: Any, **forms_: Any) -> dict[str, Any]:
    manager = can_manage_monitoring(request.user)
    links = list(node.links.all())
    years: dict[int, list[ImplementationLink]] = {}
    for link in links:
        years.setdefault(link.year, []).append(link)
    context = {
        "node": node,
        "years": sorted(years.items(), reverse=True),
        "can_manage": manager,
        "indicators": list(node.indicators.all()) if node.kind == NodeKind.OPERATIONAL else [],
    }
    if manager:
        context["link_form"] = forms_.get("link_form") or forms.LinkForm(prefix="link")
        if node.kind in (NodeKind.ACTION, NodeKind.PROGRAMME):
            context["child_form"] = forms_.get("child_form") or forms.NodeForm(prefix="child")
        if node.kind == NodeKind.ACTION:
            context["move_form"] = forms_.get("move_form") or forms.MoveForm(
                prefix="move", initial={"parent": node.parent_id}
            )
    return context


def node_detail(request: HttpRequest, strat_node: int) -> HttpResponse:
    node = selectors.node_get(pk=strat_node)
    if node is None:
        raise Http404
    if request.method != "POST":
        return render(request, "monitoring/node_detail.html", _node_context(request, node))
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    _require_manager(request)
    which = request.POST.get("form", "")
    form: Any
    try:
        if which == "link":
            key = "link_form"
            form = forms.LinkForm(request.POST, prefix="link")
            if form.is_valid():
                services.link_add(actor=request.user, node=node, **form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, _("Dodano informację o realizacji."))
                return redirect("monitoring:node_detail", strat_node=node.pk)
        elif which == "child" and node.kind in (NodeKind.ACTION, NodeKind.PROGRAMME):
            key = "child_form"
            form = forms.NodeForm(request.POST, prefix="child")
            if form.is_valid():
                child = services.node_add(actor=request.user, parent=node, **form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, _("Dodano program lub projekt."))
                return redirect("monitoring:node_detail", strat_node=child.pk)
        elif which == "move" and node.kind == NodeKind.ACTION:
            key = "move_form"
            form = forms.MoveForm(request.POST, prefix="move")
            if form.is_valid():
                services.node_move(actor=request.user, node=node, **form.cleaned_data)  # type: ignore[arg-type]
                messages.success(request, _("Działanie przypisano do innego celu operacyjnego."))
                return redirect("monitoring:node_detail", strat_node=node.pk)
        else:
            raise Http404
    except DomainError as exc:
        apply_domain_error(form, exc)
    return render(
        request,
        "monitoring/node_detail.html",
        _node_context(request, node, **{key: form}),
        status=400,
    )


@login_required
@require_POST
def link_remove(request: HttpRequest, strat_link: int) -> HttpResponse:
    _require_manager(request)
    link = get_object_or_404(ImplementationLink.objects.select_related("node"), pk=strat_link)
    node_pk = link.node_id
    services.link_remove(actor=request.user, link=link)  # type: ignore[arg-type]
    messages.success(request, _("Usunięto informację o realizacji."))
    return redirect("monitoring:node_detail", strat_node=node_pk)


def report(request: HttpRequest, report_year: int) -> HttpResponse:
    """The adopted report as it was adopted (stored, never regenerated), or the live draft."""
    from wspolnota.monitoring.report import report_context

    _check_report_year(report_year)
    adopted = selectors.report_adopted(year=report_year)
    context: dict[str, Any] = {
        "years": selectors.report_years(),
        "editions": [e for e in selectors.report_editions(year=report_year) if e.status != "draft"],
        "adopted": adopted,
        "can_manage": can_manage_monitoring(request.user),
        "year": report_year,
    }
    if adopted is not None:
        context["body"] = mark_safe(adopted.body_html)  # rendered and escaped when adopted
    else:
        context.update(
            report_context(year=report_year, edition=selectors.report_draft(year=report_year))
        )
        context["is_draft"] = True
    return render(request, "monitoring/report.html", context)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def report_pdf(request: HttpRequest, report_year: int) -> HttpResponse:
    """The adopted report's stored PDF; with none adopted, the draft as it stands today."""
    from wspolnota.monitoring.report import draft_pdf_bytes

    _check_report_year(report_year)
    adopted = selectors.report_adopted(year=report_year)
    if adopted is not None and adopted.pdf:
        return _pdf_response(
            bytes(adopted.pdf),
            f"raport-monitoringu-cel-V-{report_year}-wersja-{adopted.version}.pdf",
        )
    return _pdf_response(
        draft_pdf_bytes(year=report_year, request=request),
        f"raport-monitoringu-cel-V-{report_year}-projekt.pdf",
    )


def report_version_pdf(request: HttpRequest, report_year: int, report_version: int) -> HttpResponse:
    """Any adopted version of a year's report, including those a later version superseded."""
    edition = selectors.report_version(year=report_year, version=report_version)
    if edition is None or not edition.pdf:
        raise Http404
    return _pdf_response(
        bytes(edition.pdf),
        f"raport-monitoringu-cel-V-{report_year}-wersja-{edition.version}.pdf",
    )


@login_required
def report_manage(request: HttpRequest, report_year: int) -> HttpResponse:
    """The strategy office drafts, edits and adopts a year's report."""
    _require_manager(request)
    _check_report_year(report_year)
    draft = selectors.report_draft(year=report_year)
    indicators = list(selectors.indicator_list())
    actions = [
        a for goal in selectors.operational_goals() for a in goal.children.order_by("number")
    ]
    initial: dict[str, Any] = {}
    if draft is not None:
        initial = {
            "summary": draft.summary,
            "responsible_unit": draft.responsible_unit,
            "adoption_reference": draft.adoption_reference,
            "version_note": draft.version_note,
            **draft.commentary,
        }
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = forms.ReportDraftForm(
        request.POST if action == "save" else None,
        initial=initial,
        indicators=indicators,
        actions=actions,
    )
    adopt_form = forms.ReportAdoptForm(request.POST if action == "adopt" else None)
    status = 200
    try:
        if action == "open":
            services.report_draft_open(actor=request.user, year=report_year)  # type: ignore[arg-type]
            messages.success(request, _("Otwarto projekt raportu."))
            return redirect("monitoring:report_manage", report_year=report_year)
        if action == "save" and draft is not None:
            if form.is_valid():
                services.report_draft_update(
                    actor=request.user,  # type: ignore[arg-type]
                    edition=draft,
                    summary=form.cleaned_data["summary"],
                    commentary=form.commentary(),
                    responsible_unit=form.cleaned_data["responsible_unit"],
                    adoption_reference=form.cleaned_data["adoption_reference"],
                    version_note=form.cleaned_data["version_note"],
                )
                messages.success(request, _("Zapisano projekt raportu."))
                return redirect("monitoring:report_manage", report_year=report_year)
            status = 400
        if action == "adopt" and draft is not None:
            if adopt_form.is_valid():
                services.report_adopt(
                    actor=request.user,  # type: ignore[arg-type]
                    edition=draft,
                    adopted_on=adopt_form.cleaned_data["adopted_on"],
                )
                messages.success(
                    request, _("Raport przyjęto i zapisano; nie będzie już zmieniany.")
                )
                return redirect("monitoring:report", report_year=report_year)
            status = 400
    except DomainError as exc:
        apply_domain_error(form if action == "save" else adopt_form, exc)
        status = 400
    if action and status == 200:
        status = 400  # an action on a report with no draft
    return render(
        request,
        "monitoring/report_manage.html",
        {
            "year": report_year,
            "draft": draft,
            "form": form,
            "adopt_form": adopt_form,
            "adopted": selectors.report_adopted(year=report_year),
            "editions": selectors.report_editions(year=report_year),
        },
        status=status,
    )


def _check_report_year(year: int) -> None:
    if not 2016 <= year <= timezone.localdate().year:
        raise Http404


def open_data(request: HttpRequest) -> HttpResponse:
    return render(
        request, "monitoring/open_data.html", {"datasets": opendata.dataset_list(request)}
    )


def dataset_detail(request: HttpRequest, dataset_id: str) -> HttpResponse:
    """The page a dataset's IRI leads to: what it is, when its data last changed, its downloads."""
    dataset = opendata.dataset_get(dataset_id, request)
    if dataset is None:
        raise Http404
    return render(
        request,
        "monitoring/dataset_detail.html",
        {"dataset": dataset, "iri": opendata.dataset_iri(dataset_id)},
    )


def dataset_iri(request: HttpRequest, dataset_id: str) -> HttpResponse:
    """``/dane/<identifier>``, the dataset's IRI in the catalogue: 303 See Other to its page."""
    from django.utils.translation import get_language_from_request

    if opendata.dataset_get(dataset_id, request) is None:
        raise Http404
    language = get_language_from_request(request) or settings.LANGUAGE_CODE
    with translation.override(language):
        target = reverse("monitoring:dataset_detail", kwargs={"dataset_id": dataset_id})
    response = HttpResponse(status=303)
    response["Location"] = target
    return response


def indicators_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(opendata.indicators_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="wskazniki-cel-V.csv"'
    return response


def indicators_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(opendata.indicators_payload(), json_dumps_params={"ensure_ascii": False})


def districts_geojson(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(opendata.districts_geojson(), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/geo+json"
    return response


def catalogue(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(
        opendata.dcat_catalogue(request), json_dumps_params={"ensure_ascii": False}
    )
    response["Content-Type"] = "application/ld+json"
    return response


# --- Officials ------------------------------------------------------------------------------------


def _manage_context(request: HttpRequest, **forms_: Any) -> dict[str, Any]:
    batches = selectors.pending_batches()
    return {
        "batches": [
            {
                "batch": b,
                "can_decide": all(can_decide_measurement(request.user, row) for row in b.rows),
            }
            for b in batches
        ],
        "providers": selectors.provider_status(),
        "compute_form": forms_.get("compute_form") or forms.ComputeForm(),
        "decision_form": forms.DecisionForm(),
    }


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(request, "monitoring/manage.html", _manage_context(request))


@login_required
@require_POST
def compute(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = forms.ComputeForm(request.POST)
    if form.is_valid():
        try:
            rows = services.measurement_compute(
                actor=request.user,  # type: ignore[arg-type]
                indicator=form.cleaned_data["indicator"],
                year=form.cleaned_data["year"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Obliczono wartość (%(count)s wierszy); czeka na zatwierdzenie przez inną osobę.")
                % {"count": len(rows)},
            )
            return redirect("monitoring:manage")
    return render(
        request, "monitoring/manage.html", _manage_context(request, compute_form=form), status=400
    )


@login_required
@require_POST
def batch_decide(request: HttpRequest, meas_batch: str) -> HttpResponse:
    _require_manager(request)
    try:
        batch = uuid.UUID(meas_batch)
    except ValueError:
        raise Http404 from None
    form = forms.DecisionForm(request.POST)
    decision = request.POST.get("decision", "")
    if form.is_valid() and decision in ("approve", "reject"):
        try:
            if decision == "approve":
                services.batch_approve(actor=request.user, batch=batch)  # type: ignore[arg-type]
                messages.success(request, _("Zatwierdzono pomiary."))
            else:
                services.batch_reject(
                    actor=request.user, batch=batch, reason=form.cleaned_data["reason"]
                )  # type: ignore[arg-type]
                messages.success(request, _("Odrzucono pomiary."))
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Wybierz: zatwierdź albo odrzuć."))
    return redirect("monitoring:manage")


@login_required
def measurement_new(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    initial = {}
    code = request.GET.get("wskaznik", "")
    if code:
        initial["indicator"] = Indicator.objects.filter(code=code[:60]).first()
    form = forms.MeasurementForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.measurement_enter(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Zapisano pomiar; czeka na zatwierdzenie przez inną osobę.")
                )
                return redirect("monitoring:manage")
        status = 400
    return render(request, "monitoring/measurement_form.html", {"form": form}, status=status)


@login_required
def measurement_import(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = forms.CsvImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rows = services.measurements_import_csv(
                    actor=request.user, upload=form.cleaned_data["file"]
                )  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Zaimportowano %(count)s wierszy; czekają na zatwierdzenie.")
                    % {"count": len(rows)},
                )
                return redirect("monitoring:manage")
        status = 400
    return render(request, "monitoring/import_form.html", {"form": form}, status=status)


@login_required
def population(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = forms.PopulationImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.population_table_import(
                    actor=request.user, upload=form.cleaned_data.pop("file"), **form.cleaned_data
                )  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Zaimportowano tabelę ludności."))
                return redirect("monitoring:population")
        status = 400
    return render(
        request,
        "monitoring/population.html",
        {"form": form, "tables": selectors.population_tables()},
        status=status,
    )


@login_required
def surveys(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    form = forms.SurveyImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                survey = services.survey_import(
                    actor=request.user, upload=form.cleaned_data.pop("file"), **form.cleaned_data
                )  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Zaimportowano badanie."))
                return redirect("monitoring:survey_detail", survey_pk=survey.pk)
        status = 400
    return render(
        request,
        "monitoring/surveys.html",
        {"form": form, "surveys": selectors.survey_list()},
        status=status,
    )


@login_required
def survey_detail(request: HttpRequest, survey_pk: int) -> HttpResponse:
    _require_manager(request)
    survey = selectors.survey_get(pk=survey_pk)
    if survey is None:
        raise Http404
    table = selectors.latest_population_table()
    form = forms.SurveyProposeForm(request.POST or None, initial={"table": table})
    weighting = None
    problem = ""
    status = 200
    chosen = table
    if request.method == "POST":
        if form.is_valid():
            chosen = form.cleaned_data["table"]
            indicator = Indicator.objects.filter(code="zadowolenie-z-wplywu").first()
            try:
                if indicator is None:
                    raise Http404
                services.survey_measurement_propose(
                    actor=request.user, survey=survey, table=chosen, indicator=indicator
                )  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Wynik ważony zapisano jako pomiar; czeka na zatwierdzenie.")
                )
                return redirect("monitoring:manage")
        status = 400
    if chosen is not None:
        try:
            weighting = services.survey_weighting(survey=survey, table=chosen)
        except DomainError as exc:
            problem = str(exc)
    figures = {}
    if weighting is not None:
        figures = {
            "share": number_format(weighting.share.share * 100, 1),
            "ci_low": number_format(weighting.share.ci_low * 100, 1),
            "ci_high": number_format(weighting.share.ci_high * 100, 1),
            "unweighted": number_format(weighting.unweighted_share * 100, 1),
        }
    return render(
        request,
        "monitoring/survey_detail.html",
        {
            "survey": survey,
            "form": form,
            "weighting": weighting,
            "figures": figures,
            "problem": problem,
            "table": chosen,
        },
        status=status,
    )
