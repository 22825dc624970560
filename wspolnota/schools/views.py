"""Pages of the school budget: thin views over services and selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.ratelimit import rate_limited
from wspolnota.schools import codes, documents, errors, permissions, selectors, services
from wspolnota.schools.explain import easy_read, money, rule_explanation
from wspolnota.schools.forms import (
    EditionForm,
    IdeaCheckForm,
    IdeaForm,
    MemberAddForm,
    SchoolDecideForm,
    SchoolRegisterForm,
    SheetIssueForm,
    SheetVoidForm,
    TemplateChoiceForm,
    VoteForm,
)
from wspolnota.schools.models import CodeSheet, School, SchoolEdition, SchoolResult


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def _school(request: HttpRequest, school_id: int) -> School:
    school = selectors.school_get(school_id=school_id)
    if school is None or not selectors.school_visible(school=school, viewer=request.user):
        raise Http404
    return school


def _edition(edition_id: int) -> SchoolEdition:
    edition = selectors.edition_get(edition_id=edition_id)
    if edition is None or edition.school.status != "confirmed":
        raise Http404
    return edition


def _require(request: HttpRequest, allowed: bool) -> None:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not allowed:
        raise PermissionDenied


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "schools/index.html",
        {
            "schools": list(selectors.school_list_public()),
            "mine": list(selectors.schools_of(user=request.user)),
            "to_decide": request.user.is_authenticated
            and selectors.schools_to_decide(user=request.user).exists(),
        },
    )


@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    return render(request, "schools/guide.html", {})


@require_http_methods(["GET", "POST"])
def school_register(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = SchoolRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.school_register(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zgłoszono szkołę. Czeka na potwierdzenie."))
            return redirect("schools:school_detail", school_id=school.pk)
    return render(request, "schools/school_register.html", {"form": form}, status=_status(form))


@require_GET
def schools_pending(request: HttpRequest) -> HttpResponse:
    _require(request, request.user.is_authenticated)
    pending = list(selectors.schools_to_decide(user=request.user))
    return render(request, "schools/pending.html", {"schools": pending})


@require_http_methods(["GET", "POST"])
def school_decide(request: HttpRequest, school_id: int) -> HttpResponse:
    school = selectors.school_get(school_id=school_id)
    if school is None:
        raise Http404
    _require(request, permissions.can_decide_school(request.user, school))
    form = SchoolDecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_decide(
                actor=request.user,  # type: ignore[arg-type]
                school=school,
                confirm=form.cleaned_data["decision"] == "confirm",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano decyzję."))
            return redirect("schools:pending")
    return render(
        request,
        "schools/school_decide.html",
        {"school": school, "form": form},
        status=_status(form),
    )


@require_GET
def school_detail(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "editions": list(school.editions.select_related("box")),
            "can_manage": permissions.can_manage_school(request.user, school),
            "members": list(school.members.select_related("user"))
            if permissions.can_manage_school(request.user, school)
            else [],
        },
    )


@require_http_methods(["GET", "POST"])
def school_team(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    _require(request, permissions.can_manage_school(request.user, school))
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_member_add(actor=request.user, school=school, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano osobę do zespołu szkoły."))
            return redirect("schools:school_detail", school_id=school.pk)
    return render(
        request, "schools/school_team.html", {"school": school, "form": form}, status=_status(form)
    )


@require_http_methods(["GET", "POST"])
def edition_create(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    _require(request, permissions.can_manage_school(request.user, school))
    chooser = TemplateChoiceForm(request.GET if "template" in request.GET else None)
    initial: dict[str, Any] = {}
    if chooser.is_bound and chooser.is_valid():
        initial = services.edition_template_values(
            template=chooser.cleaned_data["template"], start=chooser.cleaned_data["start"]
        )
    form = EditionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.school_edition_create(
                actor=request.user,  # type: ignore[arg-type]
                school=school,
                **form.cleaned_data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Utworzono edycję budżetu szkoły."))
            return redirect("schools:edition_detail", edition_id=edition.pk)
    status = 400 if form.errors or (chooser.is_bound and chooser.errors) else 200
    return render(
        request,
        "schools/edition_form.html",
        {"school": school, "form": form, "chooser": chooser, "creating": True},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def edition_setup(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(edition_id)
    _require(request, permissions.can_manage_school(request.user, edition.school))
    form = EditionForm(request.POST or None, initial=EditionForm.initial_for(edition))
    if request.method == "POST" and form.is_valid():
        try:
            services.school_edition_update(
                actor=request.user,  # type: ignore[arg-type]
                edition=edition,
                at=timezone.now(),
                **form.cleaned_data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano."))
            return redirect("schools:edition_detail", edition_id=edition.pk)
    return render(
        request,
        "schools/edition_form.html",
        {"school": edition.school, "edition": edition, "form": form, "creating": False},
        status=_status(form),
    )


@require_GET
def edition_detail(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(edition_id)
    now = timezone.now()
    user = request.user
    return render(
        request,
        "schools/edition_detail.html",
        {
            "edition": edition,
            "school": edition.school,
            "phase": selectors.edition_phase(edition, at=now),
            "ideas": list(selectors.idea_list(edition=edition)),
            "turnout": codes.code_turnout(box=edition.box),
            "amount": money(edition.amount),
            "can_key": permissions.can_key_idea(user, edition, at=now),
            "can_check": permissions.can_check_idea(user, edition, at=now),
            "can_codes": permissions.can_manage_codes(user, edition, at=now),
            "can_setup": permissions.can_change_edition_setup(user, edition, at=now),
            "can_publish": permissions.can_publish_results(user, edition, at=now),
        },
    )


@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(edition_id)
    _require(request, permissions.is_team_member(request.user, edition.school))
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_key(
                actor=request.user,  # type: ignore[arg-type]
                edition=edition,
                at=timezone.now(),
                **form.cleaned_data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano pomysł."))
            return redirect("schools:idea_create", edition_id=edition.pk)
    return render(
        request,
        "schools/idea_form.html",
        {"edition": edition, "form": form},
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def idea_check(request: HttpRequest, edition_id: int, idea_id: int) -> HttpResponse:
    edition = _edition(edition_id)
    idea = edition.ideas.filter(pk=idea_id).first()
    if idea is None:
        raise Http404
    _require(request, permissions.is_team_member(request.user, edition.school))
    form = IdeaCheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.idea_check(
                actor=request.user,  # type: ignore[arg-type]
                idea=idea,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                at=timezone.now(),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano decyzję zespołu."))
            return redirect("schools:edition_detail", edition_id=edition.pk)
    return render(
        request,
        "schools/idea_check.html",
        {"edition": edition, "idea": idea, "form": form},
        status=_status(form),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def code_office(request: HttpRequest, edition_id: int) -> HttpResponse:
    """Classes, their sheets and turnout; a POST prints a new sheet (the PDF is the answer: the
    codes are shown this once)."""
    edition = _edition(edition_id)
    _require(request, permissions.can_view_turnout(request.user, edition))
    form = SheetIssueForm(request.POST or None)
    if request.method == "POST":
        _require(request, permissions.is_coordinator(request.user, edition.school))
        if form.is_valid():
            try:
                issued = services.class_sheet_issue(
                    actor=request.user,  # type: ignore[arg-type]
                    edition=edition,
                    label=form.cleaned_data["label"],
                    size=form.cleaned_data["size"],
                    at=timezone.now(),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                pdf = documents.code_sheet_pdf(edition=edition, issued=issued)
                return _pdf(pdf, f"kody-{edition.pk}-{issued.sheet.pk}.pdf")
    return render(
        request,
        "schools/codes.html",
        {
            "edition": edition,
            "form": form,
            "sheets": list(selectors.sheet_list(edition=edition)),
            "turnout": codes.code_turnout(box=edition.box),
            "can_codes": permissions.can_manage_codes(request.user, edition, at=timezone.now()),
        },
        status=_status(form),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def sheet_void(request: HttpRequest, edition_id: int, sheet_id: int) -> HttpResponse:
    edition = _edition(edition_id)
    sheet = (
        CodeSheet.objects.filter(pk=sheet_id, group__box=edition.box)
        .select_related("group")
        .first()
    )
    if sheet is None:
        raise Http404
    _require(request, permissions.is_coordinator(request.user, edition.school))
    form = SheetVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        args = {
            "actor": request.user,
            "edition": edition,
            "sheet": sheet,
            "reason": form.cleaned_data["reason"],
            "at": timezone.now(),
        }
        try:
            if form.cleaned_data["reprint"]:
                issued = services.class_sheet_reprint(**args)
                pdf = documents.code_sheet_pdf(edition=edition, issued=issued)
                return _pdf(pdf, f"kody-{edition.pk}-{issued.sheet.pk}.pdf")
            services.class_sheet_void(**args)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Arkusz unieważniono: jego kody nie działają."))
            return redirect("schools:codes", edition_id=edition.pk)
    return render(
        request,
        "schools/sheet_void.html",
        {"edition": edition, "sheet": sheet, "form": form},
        status=_status(form),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def vote(request: HttpRequest, edition_id: int) -> HttpResponse:
    """The pupils' ballot: the code from the card and the choices in one form, without an
    account and without JavaScript."""
    edition = _edition(edition_id)
    now = timezone.now()
    ideas = services.ballot_ideas(edition)
    form = VoteForm(request.POST or None, edition=edition, ideas=ideas)
    open_now = edition.box.opens_at <= now < edition.box.closes_at and not edition.box.closed
    if request.method == "POST" and form.is_valid():
        try:
            services.school_vote_cast(
                edition=edition, code=form.cleaned_data["code"], picks=form.picks(), at=now
            )
        except DomainError as exc:
            # A whole school may sit behind one address: only unknown codes count, and
            # generously (the code space makes guessing hopeless anyway, docs/schools.md).
            if exc.message is errors.CODE_UNKNOWN and rate_limited(
                request, group="schools-code-miss", key="ip", rate="300/h"
            ):
                exc = services.SchoolsError(errors.TOO_MANY_ATTEMPTS, field="code")
            apply_domain_error(form, exc)
        else:
            return render(request, "schools/vote_done.html", {"edition": edition})
    return render(
        request,
        "schools/vote.html",
        {"edition": edition, "form": form, "open_now": open_now, "ideas": ideas},
        status=_status(form),
    )


@require_http_methods(["GET", "POST"])
def results(request: HttpRequest, edition_id: int) -> HttpResponse:
    edition = _edition(edition_id)
    now = timezone.now()
    if request.method == "POST":
        _require(request, permissions.is_coordinator(request.user, edition.school))
        try:
            services.school_results_publish(actor=request.user, edition=edition, at=now)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Wyniki opublikowano."))
        return redirect("schools:results", edition_id=edition.pk)
    result = SchoolResult.objects.filter(edition=edition).first()
    outcomes = (
        easy_read(edition=edition, result=result, ideas=services.ballot_ideas(edition))
        if result
        else []
    )
    command = ""
    if result is not None:
        policy = result.options.get("tie_breaking") or ""
        command = f"votecount count szkola-{edition.pk}.pb"
        if policy:
            command += f" --tie-breaking {policy}"
        command += f" --seed {result.seed}"
    return render(
        request,
        "schools/results.html",
        {
            "edition": edition,
            "result": result,
            "outcomes": outcomes,
            "rule_text": rule_explanation(edition),
            "turnout": codes.code_turnout(box=edition.box),
            "command": command,
            "can_publish": permissions.can_publish_results(request.user, edition, at=now),
            "amount": money(edition.amount),
        },
    )


@require_GET
def poster(request: HttpRequest, edition_id: int) -> HttpResponse:
    """The corridor poster (PDF): dates, ideas on the ballot, the vote's address and QR code."""
    edition = _edition(edition_id)
    pdf = documents.poster_pdf(edition=edition, ideas=services.ballot_ideas(edition))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plakat-{edition.pk}.pdf"'
    return response


@require_GET
def results_pb(request: HttpRequest, edition_id: int) -> HttpResponse:
    """The open data: the counted ballots and the published votes, score and selection, so a
    class can recount it with votecount."""
    from votecount import write_pb

    edition = _edition(edition_id)
    result = SchoolResult.objects.filter(edition=edition).first()
    if result is None:
        raise Http404
    text = write_pb(services.edition_instance(edition, result=result))
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="szkola-{edition.pk}.pb"'
    return response
