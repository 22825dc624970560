"""Pages of evaluation: the office's application page and the commission's assessments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.grants import limits, permissions, selectors, services
from wspolnota.grants.forms import (
    AssessmentForm,
    AwardForm,
    DeclarationForm,
    FormalCheckForm,
    RefuseForm,
    ResignForm,
)
from wspolnota.grants.models import (
    Agreement,
    ApplicationStatus,
    ConflictDeclaration,
)
from wspolnota.grants.views._common import _status, _user


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
