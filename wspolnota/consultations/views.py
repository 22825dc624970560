from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from wspolnota.consultations import (
    class_codes,
    documents,
    errors,
    permissions,
    selectors,
    services,
)
from wspolnota.consultations import forms as f
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import (
    TEXT_LANGUAGES,
    TRANSLATED_FIELDS,
    Consultation,
    Form,
    Meeting,
    Remark,
    Statement,
    Survey,
)
from wspolnota.consultations.opinionmap_view import opinion_map_picture
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.parsing import parse_id
from wspolnota.core.ratelimit import rate_limited
from wspolnota.councils.selectors import opinion_list_for_consultation
from wspolnota.schools import errors as schools_errors


def _get(request: HttpRequest, consultation_pk: int) -> Consultation:
    consultation = selectors.consultation_get(pk=consultation_pk)
    if consultation is None or not permissions.can_view_consultation(request.user, consultation):
        raise Http404
    return consultation


def _manage(request: HttpRequest, consultation_pk: int) -> Consultation:
    consultation = _get(request, consultation_pk)
    if not permissions.can_manage_consultation(request.user, consultation):
        raise PermissionDenied
    return consultation


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    consultation: Consultation | None = None,
    intro: str = "",
    button: str = "",
    multipart: bool = False,
) -> HttpResponse:
    return render(
        request,
        "consultations/form.html",
        {
            "form": form,
            "title": title,
            "consultation": consultation,
            "intro": intro,
            "button": button or _("Zapisz"),
            "multipart": multipart,
        },
        status=400 if form.errors else 200,
    )


def consultation_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    consultations = list(selectors.consultation_list(viewer=request.user, at=now))
    for c in consultations:
        c.phase_label = selectors.PHASE_LABELS[selectors.consultation_phase(c, at=now)]  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/list.html",
        {
            "consultations": consultations,
            "can_create": permissions.can_create_consultation(request.user),
        },
    )


def consultation_detail(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _get(request, consultation_pk)
    now = timezone.now()
    can_manage = permissions.can_manage_consultation(request.user, consultation)
    return render(
        request,
        "consultations/detail.html",
        {
            "consultation": consultation,
            "phase": selectors.consultation_phase(consultation, at=now),
            "phase_label": selectors.PHASE_LABELS[
                selectors.consultation_phase(consultation, at=now)
            ],
            "duration": selectors.consultation_duration_days(consultation),
            "can_manage": can_manage,
            "can_participate": permissions.can_participate(request.user, consultation, at=now),
            "problems": selectors.consultation_rule_problems(consultation, at=now)
            if can_manage
            else [],
            "missing_translations": selectors.consultation_missing_translations(consultation)
            if can_manage
            else [],
            "changes": list(selectors.consultation_changes(consultation=consultation)),
            "advisory_opinions": opinion_list_for_consultation(consultation=consultation),
            "remark_form": f.RemarkForm(consultation=consultation),
            "remark_count": consultation.remarks.filter(hidden_at__isnull=True).count(),
            "form_labels": Form.choices,
            "language_names": settings.LANGUAGES,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    )


def _consultation_form_initial(c: Consultation) -> dict[str, Any]:
    return {
        "title": c.title,
        "summary": c.summary,
        "description": c.description,
        "initiating_unit": c.initiating_unit_id,
        "legal_basis": c.legal_basis,
        "citywide": c.citywide,
        "districts": list(c.districts.all()),
        "languages": c.languages,
        "forms": c.forms,
        "information_from": c.information_from,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "contact": c.contact,
        "expert_hours": c.expert_hours,
        **{
            f"{name}_{code}": getattr(c, f"{name}_{code}")
            for name in TRANSLATED_FIELDS
            for code in TEXT_LANGUAGES
        },
    }


@login_required
def consultation_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_consultation(request.user):
        raise PermissionDenied
    form = f.ConsultationForm(
        request.POST or None,
        initial={"citywide": True, "languages": ["pl"]},
        units=selectors.initiating_unit_choices(viewer=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano projekt konsultacji."))
            return redirect("consultations:detail", consultation_pk=consultation.pk)
    return _form_page(request, form, title=_("Nowe konsultacje"))


@login_required
def consultation_edit(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _manage(request, consultation_pk)
    announced = consultation.published_at is not None
    form = f.ConsultationForm(
        request.POST or None,
        initial=_consultation_form_initial(consultation),
        units=selectors.initiating_unit_choices(viewer=request.user, current=consultation),
        announced=announced,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(
                actor=request.user,  # type: ignore[arg-type]
                consultation=consultation,
                at=timezone.now(),
                **form.cleaned_data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano zmiany."))
            return redirect("consultations:detail", consultation_pk=consultation_pk)
    return _form_page(
        request,
        form,
        title=_("Zmień konsultacje"),
        consultation=consultation,
        intro=_(
            "Konsultacje są już ogłoszone: zmiana zostanie opublikowana na ich stronie razem z uzasadnieniem, a zasady (7 dni akcji informacyjnej, 21 dni konsultacji, trzy formy, w tym otwarte spotkanie) sprawdzimy ponownie."
        )
        if announced
        else "",
    )


@login_required
def consultation_publish(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _manage(request, consultation_pk)
    now = timezone.now()
    form = f.PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_publish(
                actor=request.user,  # type: ignore[arg-type]
                consultation=consultation,
                override_reason=form.cleaned_data["override_reason"],
                at=now,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Konsultacje ogłoszono."))
            return redirect("consultations:detail", consultation_pk=consultation_pk)
    problems = selectors.consultation_rule_problems(consultation, at=now)
    return render(
        request,
        "consultations/publish.html",
        {"form": form, "consultation": consultation, "problems": problems},
        status=400 if form.errors else 200,
    )


@login_required
def document_add(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _manage(request, consultation_pk)
    form = f.DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                actor=request.user, consultation=consultation, **form.cleaned_data
            )  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano dokument."))
            return redirect("consultations:detail", consultation_pk=consultation_pk)
    return _form_page(request, form, title=_("Dodaj dokument"), consultation=consultation)


@login_required
def meeting_add(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _manage(request, consultation_pk)
    form = f.MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_add(actor=request.user, consultation=consultation, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano spotkanie."))
            return redirect("consultations:detail", consultation_pk=consultation_pk)
    return _form_page(
        request, form, title=_("Dodaj spotkanie lub warsztaty"), consultation=consultation
    )


def meeting_detail(request: HttpRequest, consultation_pk: int, meeting_pk: int) -> HttpResponse:
    consultation = _get(request, consultation_pk)
    meeting = get_object_or_404(
        Meeting.objects.annotate(registered=Count("registrations")),
        pk=meeting_pk,
        consultation=consultation,
    )
    now = timezone.now()
    user = request.user
    registered = user.is_authenticated and meeting.registrations.filter(user=user).exists()
    can_manage = permissions.can_manage_consultation(user, consultation)
    form = f.RegistrationForm(request.POST or None)
    minutes_form = f.MinutesForm(
        request.POST or None, initial={"minutes": meeting.minutes}, prefix="m"
    )
    status = 200
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        try:
            if "minutes" in request.POST or "m-minutes" in request.POST:
                if not can_manage:
                    raise PermissionDenied
                if minutes_form.is_valid():
                    services.meeting_minutes_save(
                        actor=user,
                        meeting=meeting,
                        minutes=minutes_form.cleaned_data["minutes"],  # type: ignore[arg-type]
                    )
                    messages.success(request, _("Zapisano protokół."))
                    return redirect(
                        "consultations:meeting",
                        consultation_pk=consultation_pk,
                        meeting_pk=meeting.pk,
                    )
                status = 400
            elif "cancel" in request.POST:
                services.meeting_unregister(user=user, meeting=meeting)  # type: ignore[arg-type]
                messages.success(request, _("Wypisano Cię ze spotkania."))
                return redirect(
                    "consultations:meeting", consultation_pk=consultation_pk, meeting_pk=meeting.pk
                )
            elif form.is_valid():
                services.meeting_register(
                    user=user, meeting=meeting, needs=form.cleaned_data["needs"], at=now
                )  # type: ignore[arg-type]
                messages.success(
                    request, _("Zapisano Cię na spotkanie. Przypomnimy o nim dzień wcześniej.")
                )
                return redirect(
                    "consultations:meeting", consultation_pk=consultation_pk, meeting_pk=meeting.pk
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
            status = 400
    return render(
        request,
        "consultations/meeting.html",
        {
            "consultation": consultation,
            "meeting": meeting,
            "form": form,
            "minutes_form": minutes_form,
            "registered": registered,
            "can_register": permissions.can_register_for_meeting(user, meeting, at=now),
            "can_manage": can_manage,
            "registrations": meeting.registrations.select_related("user") if can_manage else [],
            "remarks": meeting.remark_set.filter(hidden_at__isnull=True),
        },
        status=status,
    )


@login_required
def meeting_cancel(request: HttpRequest, consultation_pk: int, meeting_pk: int) -> HttpResponse:
    """Call off a meeting: a published change with its reason; those registered are told."""
    consultation = _manage(request, consultation_pk)
    meeting = get_object_or_404(Meeting, pk=meeting_pk, consultation=consultation)
    form = f.CancelMeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                actor=request.user,  # type: ignore[arg-type]
                meeting=meeting,
                reason=form.cleaned_data["reason"],
                at=timezone.now(),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Spotkanie odwołano; zapisani dostaną powiadomienie."))
            return redirect("consultations:detail", consultation_pk=consultation_pk)
    return _form_page(
        request,
        form,
        title=_("Odwołaj spotkanie: %(title)s") % {"title": meeting.title},
        consultation=consultation,
        intro=_(
            "Odwołanie zostanie opublikowane na stronie konsultacji z powodem. Jeśli nie zostanie żadne otwarte spotkanie ani warsztaty, konsultacje odejdą od zasad — powód musi to uzasadnić."
        ),
        button=_("Odwołaj spotkanie"),
    )


def _login_url() -> str:
    from django.urls import reverse

    return reverse("accounts:login")


def remark_list(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    """All remarks with their answers; residents add theirs here (a plain form, no JavaScript)."""
    consultation = _get(request, consultation_pk)
    now = timezone.now()
    form = f.RemarkForm(request.POST or None, consultation=consultation)
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        if form.is_valid():
            try:
                services.remark_submit(
                    author=request.user, consultation=consultation, at=now, **form.cleaned_data
                )  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Dziękujemy! Uwaga została przyjęta; odpowiedź z uzasadnieniem znajdzie się w raporcie."
                    ),
                )
                return redirect("consultations:remarks", consultation_pk=consultation_pk)
        status = 400
    return render(
        request,
        "consultations/remarks.html",
        {
            "consultation": consultation,
            "remarks": selectors.remark_list(consultation=consultation),
            "form": form,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "can_participate": permissions.can_participate(request.user, consultation, at=now),
            "can_manage": permissions.can_manage_consultation(request.user, consultation),
        },
        status=status,
    )


@login_required
def remark_manage(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    """Officials enter remarks from other channels and answer each one."""
    consultation = _manage(request, consultation_pk)
    form = f.OfficialRemarkForm(request.POST or None, consultation=consultation)
    if request.method == "POST" and form.is_valid():
        try:
            services.remark_enter(
                actor=request.user,  # type: ignore[arg-type]
                consultation=consultation,
                at=timezone.now(),
                **form.cleaned_data,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Wprowadzono uwagę."))
            return redirect("consultations:remark_manage", consultation_pk=consultation_pk)
    return render(
        request,
        "consultations/remark_manage.html",
        {
            "consultation": consultation,
            "form": form,
            "remarks": selectors.remark_list(consultation=consultation, include_hidden=True),
            "answer_form": f.AnswerForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def remark_action(request: HttpRequest, consultation_pk: int, remark_pk: int) -> HttpResponse:
    """Answer, group as a duplicate or hide one remark."""
    consultation = _get(request, consultation_pk)
    remark = get_object_or_404(Remark, pk=remark_pk, consultation=consultation)
    if not permissions.can_moderate_consultation(request.user, consultation):
        raise PermissionDenied
    now = timezone.now()
    action = request.POST.get("action", "answer")
    form: Any
    if action == "hide":
        form = f.ReasonForm(request.POST or None)
    elif action == "duplicate":
        form = f.DuplicateForm(request.POST or None, consultation=consultation)
    else:
        form = f.AnswerForm(
            request.POST or None,
            initial={"disposition": remark.disposition, "reason": remark.reason},
        )
    if request.method == "POST" and form.is_valid():
        try:
            if action == "hide":
                services.remark_hide(
                    actor=request.user, remark=remark, reason=form.cleaned_data["reason"], at=now
                )  # type: ignore[arg-type]
            elif action == "duplicate":
                services.remark_group_as_duplicate(
                    actor=request.user,  # type: ignore[arg-type]
                    remark=remark,
                    original=form.cleaned_data["original"],
                )
            else:
                services.remark_answer(
                    actor=request.user, remark=remark, at=now, **form.cleaned_data
                )  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano."))
            if permissions.can_manage_consultation(request.user, consultation):
                return redirect("consultations:remark_manage", consultation_pk=consultation_pk)
            return redirect("consultations:remarks", consultation_pk=consultation_pk)
    return render(
        request,
        "consultations/remark_action.html",
        {"consultation": consultation, "remark": remark, "form": form, "action": action},
        status=400 if form.errors else 200,
    )


@login_required
def survey_create(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _manage(request, consultation_pk)
    form = f.SurveyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                actor=request.user, consultation=consultation, **form.cleaned_data
            )  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano ankietę."))
            return redirect(
                "consultations:survey", consultation_pk=consultation_pk, survey_pk=survey.pk
            )
    return _form_page(request, form, title=_("Nowa ankieta"), consultation=consultation)


SURVEY_COOKIE_SALT = "consultations.survey"


def _survey_cookie(survey_pk: int) -> str:
    return f"wsp-survey-{survey_pk}"


def _rate_in_words(rate: str) -> dict[str, Any]:
    """ "10/h" → {"count": 10, "period": "godzinę"} for the page's sentence about the limit."""
    count, _sep, period = rate.partition("/")
    unit = period.lstrip("0123456789") or "h"
    words = {"s": _("sekundę"), "m": _("minutę"), "h": _("godzinę"), "d": _("dobę")}
    return {"count": count, "period": words.get(unit[0], _("godzinę"))}


def survey_detail(request: HttpRequest, consultation_pk: int, survey_pk: int) -> HttpResponse:
    """A survey. An anonymous one keeps no account and takes one answer per browser (a signed
    cookie) and at most a few per network address an hour, as the page says."""
    consultation = _get(request, consultation_pk)
    survey = selectors.survey_get(consultation=consultation, pk=survey_pk)
    if survey is None:
        raise Http404
    now = timezone.now()
    user = request.user if request.user.is_authenticated else None
    form = f.survey_response_form(survey, request.POST or None)
    anonymous = not survey.verified
    cookie = _survey_cookie(survey.pk)
    answered_here = anonymous and (
        request.get_signed_cookie(cookie, default=None, salt=SURVEY_COOKIE_SALT) == "1"
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if answered_here:
                    raise ConsultationsError(errors.SURVEY_DEVICE)
                if anonymous and rate_limited(
                    request,
                    group=f"consultations.survey.{survey.pk}",
                    key="ip",
                    rate=settings.RATE_LIMIT_ANONYMOUS_SURVEY,
                ):
                    raise ConsultationsError(errors.SURVEY_TOO_MANY)
                services.survey_respond(
                    respondent=user,  # type: ignore[arg-type]
                    survey=survey,
                    answers=f.survey_answers(survey, form.cleaned_data),
                    at=now,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Dziękujemy za wypełnienie ankiety."))
                response = redirect(
                    "consultations:survey", consultation_pk=consultation_pk, survey_pk=survey.pk
                )
                if anonymous:
                    response.set_signed_cookie(
                        cookie,
                        "1",
                        salt=SURVEY_COOKIE_SALT,
                        max_age=60 * 60 * 24 * 400,
                        httponly=True,
                        samesite="Lax",
                        secure=request.is_secure(),
                    )
                return response
        status = 400
    can_manage = permissions.can_manage_consultation(request.user, consultation)
    show_results = can_manage or consultation.report_published_at is not None
    return render(
        request,
        "consultations/survey.html",
        {
            "consultation": consultation,
            "survey": survey,
            "form": form,
            "can_respond": permissions.can_respond_to_survey(request.user, survey, at=now),
            "answered_here": answered_here,
            "limit": _rate_in_words(settings.RATE_LIMIT_ANONYMOUS_SURVEY),
            "results": selectors.survey_results(survey=survey) if show_results else None,
            "can_manage": can_manage,
            "takes_codes": selectors.survey_codes_get(survey=survey) is not None,
        },
        status=status,
    )


def _vote_card_context(
    request: HttpRequest, consultation: Consultation, *, now: Any, saved: int | None = None
) -> dict[str, Any]:
    user = request.user
    accepted = consultation.statements.filter(status=Statement.Status.ACCEPTED).count()
    mine = selectors.statement_votes_of(consultation=consultation, user=user)
    return {
        "consultation": consultation,
        "next_statement": selectors.statement_next(consultation=consultation, user=user),
        "voted": len(mine),
        "accepted": accepted,
        "saved": saved,
        "can_participate": permissions.can_participate(user, consultation, at=now),
    }


def _vote(request: HttpRequest, consultation: Consultation, *, now: Any) -> HttpResponse:
    """One vote from the card (htmx swaps in the next card) or from the list (plain form)."""
    statement = Statement.objects.filter(
        pk=parse_id(request.POST.get("statement"), field="statement"), consultation=consultation
    ).first()
    choice = request.POST.get("choice", "")
    if statement is None or choice not in ("1", "0", "-1"):
        raise Http404
    anchor = "next-statement"
    if request.POST.get("back") == "list":
        anchor = f"st-{statement.pk}"
    try:
        services.statement_vote(user=request.user, statement=statement, choice=int(choice), at=now)  # type: ignore[arg-type]
    except DomainError as exc:
        if request.headers.get("HX-Request"):
            context = _vote_card_context(request, consultation, now=now)
            context["error"] = str(exc)
            # htmx swaps only successful responses: the error is shown inside the card
            return render(request, "consultations/_vote_response.html", context)
        messages.error(request, str(exc))
        return redirect(reverse("consultations:opinion_map", args=[consultation.pk]) + f"#{anchor}")
    if request.headers.get("HX-Request"):
        return render(
            request,
            "consultations/_vote_response.html",
            _vote_card_context(request, consultation, now=now, saved=int(choice)),
        )
    messages.success(request, _("Zapisano Twój głos."))
    return redirect(reverse("consultations:opinion_map", args=[consultation.pk]) + f"#{anchor}")


def opinion_map(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    """Vote on one statement at a time, add statements, and read the groups in plain words."""
    consultation = _get(request, consultation_pk)
    now = timezone.now()
    user = request.user
    form = f.StatementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{_login_url()}?next={request.path}")
        if "choice" in request.POST:
            return _vote(request, consultation, now=now)
        if form.is_valid():
            try:
                services.statement_submit(
                    author=user, consultation=consultation, text=form.cleaned_data["text"], at=now
                )  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Dziękujemy! Stwierdzenie pojawi się po moderacji."))
                return redirect(
                    reverse("consultations:opinion_map", args=[consultation_pk]) + "#add-statement"
                )
        status = 400
    statements = list(
        selectors.statement_list(consultation=consultation, status=Statement.Status.ACCEPTED)
    )
    my_votes = selectors.statement_votes_of(consultation=consultation, user=user)
    for s in statements:
        s.my_vote = my_votes.get(s.pk)  # type: ignore[attr-defined]
    stored = selectors.opinion_map_get(consultation=consultation)
    can_moderate = permissions.can_moderate_consultation(user, consultation)
    can_manage = permissions.can_manage_consultation(user, consultation)
    return render(
        request,
        "consultations/opinion_map.html",
        {
            **_vote_card_context(request, consultation, now=now),
            "statements": statements,
            "form": form,
            "can_manage": can_manage,
            "can_moderate": can_moderate,
            "picture": opinion_map_picture(stored, statements),
            "stored": stored,
            "pending": consultation.statements.filter(status=Statement.Status.PENDING)
            if can_moderate
            else [],
            "last_import": selectors.opinion_map_import_latest(consultation=consultation)
            if can_manage
            else None,
        },
        status=status,
    )


@require_POST
@login_required
def statement_moderate(
    request: HttpRequest, consultation_pk: int, statement_pk: int
) -> HttpResponse:
    consultation = _get(request, consultation_pk)
    statement = get_object_or_404(Statement, pk=statement_pk, consultation=consultation)
    try:
        services.statement_moderate(
            actor=request.user,  # type: ignore[arg-type]
            statement=statement,
            accept=request.POST.get("accept") == "1",
            reason=request.POST.get("reason", ""),
            at=timezone.now(),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Zapisano decyzję moderacyjną."))
    return redirect(reverse("consultations:opinion_map", args=[consultation_pk]) + "#moderation")


@login_required
def opinion_map_import(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _manage(request, consultation_pk)
    form = f.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            comments = form.cleaned_data["comments"].read().decode("utf-8-sig")
            votes = form.cleaned_data["votes"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error(None, _("Pliki muszą być w kodowaniu UTF-8."))
        else:
            try:
                services.opinion_map_import_request(
                    actor=request.user,  # type: ignore[arg-type]
                    consultation=consultation,
                    comments_csv=comments,
                    votes_csv=votes,
                    now=timezone.now(),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Pliki są poprawne. Import i przeliczenie mapy trwają w tle; stan widać na stronie mapy opinii."
                    ),
                )
                return redirect(
                    reverse("consultations:opinion_map", args=[consultation_pk]) + "#import"
                )
    return _form_page(
        request,
        form,
        title=_("Import rozmowy Polis"),
        consultation=consultation,
        intro=_(
            "Pliki comments.csv i votes.csv w formacie otwartych danych Polis. Stwierdzenia odrzucone przez moderację (moderated = -1) nie wpływają na grupy, tak jak w poleceniu manage.py opinionmap; z każdej pary uczestnik–stwierdzenie liczy się ostatni głos. Import trwa w tle."
        ),
        button=_("Importuj"),
        multipart=True,
    )


EXPORT_FILES = {
    "comments": "comments.csv",
    "votes": "votes.csv",
    "participants-votes": "participants-votes.csv",
    "summary": "summary.csv",
}


def opinion_map_export(
    request: HttpRequest, consultation_pk: int, export_name: str
) -> HttpResponse:
    consultation = _get(request, consultation_pk)
    if export_name not in EXPORT_FILES:
        raise Http404
    filename = EXPORT_FILES[export_name]
    files = services.opinion_map_export(consultation=consultation)
    response = HttpResponse(files[filename], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def opinion_map_export_zip(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    """All three files in one ZIP: unpack it and run ``manage.py opinionmap FOLDER --json``."""
    consultation = _get(request, consultation_pk)
    files = services.opinion_map_export(consultation=consultation)
    buffer = io.BytesIO()
    folder = f"opinion-map-{consultation.pk}"
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}/{name}", text)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{folder}.zip"'
    return response


def report(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _get(request, consultation_pk)
    can_manage = permissions.can_manage_consultation(request.user, consultation)
    if consultation.report_published_at is None and not can_manage:
        raise Http404
    now = timezone.now()
    form = f.ReportForm(request.POST or None, initial={"summary": consultation.report_summary})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.report_publish(
                    actor=request.user,
                    consultation=consultation,
                    summary=form.cleaned_data["summary"],
                    at=now,
                )  # type: ignore[arg-type]
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Raport opublikowano; uczestnicy dostaną powiadomienie.")
                )
                return redirect("consultations:report", consultation_pk=consultation_pk)
    return render(
        request,
        "consultations/report.html",
        {
            "data": selectors.report_data(consultation=consultation),
            "consultation": consultation,
            "form": form if can_manage and consultation.report_published_at is None else None,
            "phase": selectors.consultation_phase(consultation, at=now),
        },
        status=400 if form.errors else 200,
    )


def report_pdf(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = _get(request, consultation_pk)
    if consultation.report_published_at is None and not permissions.can_manage_consultation(
        request.user, consultation
    ):
        raise Http404
    from weasyprint import HTML

    html = render_to_string(
        "consultations/report_pdf.html",
        {"data": selectors.report_data(consultation=consultation), "consultation": consultation},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="raport-konsultacji-{consultation.pk}.pdf"'
    return response


# --- A clerk acting for a person (issue 17) ------------------------------------------------------


def _for_person(request: HttpRequest, consultation_pk: int, person_pk: int) -> tuple[Any, Any]:
    """The consultation and the person a clerk acts for (404 for an unknown or deleted person,
    403 for someone who may not act for residents in this consultation)."""
    from wspolnota.accounts.models import User
    from wspolnota.accounts.permissions import can_see_person

    consultation = _get(request, consultation_pk)
    if not permissions.can_act_for_person(request.user, consultation):
        raise PermissionDenied
    person = User.objects.filter(pk=person_pk, deleted_at__isnull=True).first()
    if person is None or person.pk == request.user.pk:
        raise Http404
    if not can_see_person(request.user, person):  # identified at the counter first
        raise Http404
    return consultation, person


def _on_behalf(request: HttpRequest, channel: str) -> Any:
    from wspolnota.core.onbehalf import Channel, OnBehalf

    return OnBehalf(clerk=request.user, channel=Channel(channel))  # type: ignore[arg-type]


@login_required
def person_act(request: HttpRequest, consultation_pk: int, person_pk: int) -> HttpResponse:
    """A clerk, for a caller or a letter writer: answer a survey (a link per survey), register
    for a meeting, enter a remark. The same rules as online; the channel and the clerk recorded."""
    consultation, person = _for_person(request, consultation_pk, person_pk)
    now = timezone.now()
    action = request.POST.get("action", "")
    meetings = consultation.meetings.filter(cancelled_at__isnull=True, starts_at__gt=now)
    register_form = f.RegistrationForPersonForm(
        request.POST if action == "register" else None, meetings=meetings, prefix="r"
    )
    registered_meetings = consultation.meetings.filter(registrations__user=person).distinct()
    unregister_form = f.UnregisterForPersonForm(
        request.POST if action == "unregister" else None, meetings=registered_meetings, prefix="w"
    )
    remark_form = f.RemarkForPersonForm(
        request.POST if action == "remark" else None,
        consultation=consultation,
        initial={"received_on": timezone.localdate(now)},
        prefix="u",
    )
    if request.method == "POST":
        try:
            if action == "register" and register_form.is_valid():
                data = register_form.cleaned_data
                services.meeting_register(
                    user=person,
                    meeting=data["meeting"],
                    needs=data["needs"],
                    at=now,
                    on_behalf=_on_behalf(request, data["channel"]),
                )
                messages.success(
                    request,
                    _("Zapisano %(name)s na spotkanie „%(meeting)s”.")
                    % {"name": person.full_name, "meeting": data["meeting"].title},
                )
                return redirect(request.path)
            if action == "unregister" and unregister_form.is_valid():
                data = unregister_form.cleaned_data
                services.meeting_unregister(
                    user=person,
                    meeting=data["meeting"],
                    on_behalf=_on_behalf(request, data["channel"]),
                )
                messages.success(
                    request,
                    _(
                        "Wypisano %(name)s ze spotkania „%(meeting)s”. Potwierdzenie dotrze do tej osoby tak, jak wybrała."
                    )
                    % {"name": person.full_name, "meeting": data["meeting"].title},
                )
                return redirect(request.path)
            if action == "remark" and remark_form.is_valid():
                services.remark_enter(
                    actor=request.user,  # type: ignore[arg-type]
                    consultation=consultation,
                    person=person,
                    at=now,
                    **remark_form.cleaned_data,
                )
                messages.success(
                    request,
                    _(
                        "Wprowadzono uwagę. Odpowiedź z uzasadnieniem dotrze do tej osoby tak, jak wybrała, gdy opublikujemy raport."
                    ),
                )
                return redirect(request.path)
        except DomainError as exc:
            apply_domain_error(
                {"register": register_form, "unregister": unregister_form}.get(action, remark_form),
                exc,
            )
    registered = set(
        person.meeting_registrations.filter(meeting__consultation=consultation).values_list(
            "meeting_id", flat=True
        )
    )
    answered = set(
        consultation.surveys.filter(responses__respondent=person).values_list("pk", flat=True)
    )
    bad = bool(register_form.errors or remark_form.errors or unregister_form.errors)
    return render(
        request,
        "consultations/person_act.html",
        {
            "consultation": consultation,
            "person": person,
            "phase": selectors.consultation_phase(consultation, at=now),
            "surveys": [(s, s.pk in answered) for s in consultation.surveys.all()],
            "registrations": consultation.meetings.filter(pk__in=registered),
            "register_form": register_form,
            "unregister_form": unregister_form,
            "remark_form": remark_form,
            "remarks": Remark.objects.filter(consultation=consultation, author=person),
        },
        status=400 if bad else 200,
    )


@login_required
def person_survey(
    request: HttpRequest, consultation_pk: int, person_pk: int, survey_pk: int
) -> HttpResponse:
    """A clerk keys in a person's paper survey (or answers read out on the phone)."""
    consultation, person = _for_person(request, consultation_pk, person_pk)
    survey = selectors.survey_get(consultation=consultation, pk=survey_pk)
    if survey is None:
        raise Http404
    form = f.keyed_survey_form(survey, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_respond(
                respondent=person,
                survey=survey,
                answers=f.survey_answers(survey, form.cleaned_data),
                at=timezone.now(),
                on_behalf=_on_behalf(request, form.cleaned_data["channel"]),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Zapisano odpowiedzi %(name)s.") % {"name": person.full_name}
            )
            return redirect(
                "consultations:person_act", consultation_pk=consultation.pk, person_pk=person.pk
            )
    return _form_page(
        request,
        form,
        title=_("%(survey)s — odpowiedzi osoby: %(name)s")
        % {"survey": survey.title, "name": person.full_name},
        consultation=consultation,
        intro=_(
            "Wpisz odpowiedzi z papierowej ankiety albo podane przez telefon. Jedna odpowiedź na osobę; ankietę przyjmujemy tylko w czasie konsultacji."
        ),
        button=_("Zapisz odpowiedzi"),
    )


# --- Youth consultations by class codes (issue 22) ------------------------------------------------


def _survey(consultation: Consultation, survey_pk: int) -> Survey:
    survey = selectors.survey_get(consultation=consultation, pk=survey_pk)
    if survey is None:
        raise Http404
    return survey


def _codes_office(request: HttpRequest, consultation_pk: int, survey_pk: int) -> Survey:
    consultation = _get(request, consultation_pk)
    if not permissions.can_view_class_codes(request.user, consultation):
        raise PermissionDenied
    return _survey(consultation, survey_pk)


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def class_codes_office(request: HttpRequest, consultation_pk: int, survey_pk: int) -> HttpResponse:
    """The survey's class codes: open them, print a class's sheet (the PDF is the answer: the
    codes are shown this once), the sheets with their void links, the turnout per class."""
    survey = _codes_office(request, consultation_pk, survey_pk)
    consultation = survey.consultation
    now = timezone.now()
    action = request.POST.get("action") if request.method == "POST" else None
    form = f.ClassSheetForm(request.POST if action == "sheet" else None)
    status = 200
    if action == "open":
        try:
            class_codes.class_codes_open(actor=request.user, survey=survey, at=now)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, _("Ankieta przyjmuje odpowiedzi kodami klasowymi. Wydrukuj arkusze.")
            )
        return redirect(
            "consultations:class_codes", consultation_pk=consultation.pk, survey_pk=survey.pk
        )
    if action == "sheet" and form.is_valid():
        try:
            issued = class_codes.class_sheet_issue(
                actor=request.user,  # type: ignore[arg-type]
                survey=survey,
                label=form.cleaned_data["label"],
                size=form.cleaned_data["size"],
                at=now,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            pdf = documents.class_sheet_pdf(survey=survey, issued=issued)
            return _pdf(pdf, f"kody-ankieta-{survey.pk}-{issued.sheet.pk}.pdf")
    if request.method == "POST":
        status = 400
    opens, closes = class_codes.survey_window(consultation)
    return render(
        request,
        "consultations/class_codes.html",
        {
            "consultation": consultation,
            "survey": survey,
            "codes_of": selectors.survey_codes_get(survey=survey),
            "form": form,
            "sheets": list(selectors.class_sheets(survey=survey)),
            "turnout": selectors.class_turnout(survey=survey),
            "can_codes": permissions.can_manage_class_codes(request.user, consultation, at=now),
            "can_close": permissions.can_close_class_codes(request.user, consultation, at=now),
            "opens": opens,
            "closes": closes,
            "answer_url": documents.survey_code_url(survey),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def class_sheet_void(
    request: HttpRequest, consultation_pk: int, survey_pk: int, sheet_id: int
) -> HttpResponse:
    """A lost sheet: void it (its unused codes stop working) and, by default, download its
    replacement at once."""
    survey = _codes_office(request, consultation_pk, survey_pk)
    sheet = selectors.class_sheets(survey=survey).filter(pk=sheet_id).first()
    if sheet is None:
        raise Http404
    form = f.ClassSheetVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        args = {
            "actor": request.user,
            "survey": survey,
            "sheet": sheet,
            "reason": form.cleaned_data["reason"],
            "at": timezone.now(),
        }
        try:
            if form.cleaned_data["reprint"]:
                issued = class_codes.class_sheet_reprint(**args)  # type: ignore[arg-type]
                pdf = documents.class_sheet_pdf(survey=survey, issued=issued)
                return _pdf(pdf, f"kody-ankieta-{survey.pk}-{issued.sheet.pk}.pdf")
            class_codes.class_sheet_void(**args)  # type: ignore[arg-type]
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Arkusz unieważniono: jego kody nie działają."))
            return redirect(
                "consultations:class_codes", consultation_pk=consultation_pk, survey_pk=survey.pk
            )
    return render(
        request,
        "consultations/class_sheet_void.html",
        {"consultation": survey.consultation, "survey": survey, "sheet": sheet, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def class_codes_close(request: HttpRequest, consultation_pk: int, survey_pk: int) -> HttpResponse:
    survey = _codes_office(request, consultation_pk, survey_pk)
    try:
        class_codes.class_codes_close(actor=request.user, survey=survey, at=timezone.now())  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Kody zamknięte, odpowiedzi policzone w wynikach ankiety."))
    return redirect(
        "consultations:class_codes", consultation_pk=consultation_pk, survey_pk=survey_pk
    )


@never_cache
@require_http_methods(["GET", "POST"])
def survey_by_code(request: HttpRequest, consultation_pk: int, survey_pk: int) -> HttpResponse:
    """The pupils' page: the code from the card and the survey's questions in one form, without
    an account and without JavaScript."""
    consultation = _get(request, consultation_pk)
    survey = _survey(consultation, survey_pk)
    if selectors.survey_codes_get(survey=survey) is None:
        raise Http404
    now = timezone.now()
    open_now = permissions.can_answer_with_code(survey, at=now)
    form = f.survey_code_form(
        survey, request.POST if open_now and request.method == "POST" else None
    )
    if form.is_bound and form.is_valid():
        try:
            class_codes.answer_with_code(
                survey=survey,
                code=form.cleaned_data["code"],
                answers=f.survey_answers(survey, form.cleaned_data),
                at=now,
            )
        except DomainError as exc:
            # A whole school may sit behind one address: only unknown codes count, and
            # generously (the code space makes guessing hopeless anyway, docs/schools.md).
            if exc.message is schools_errors.CODE_UNKNOWN and rate_limited(
                request, group="schools-code-miss", key="ip", rate="300/h"
            ):
                exc = schools_errors.SchoolsError(schools_errors.TOO_MANY_ATTEMPTS, field="code")
            apply_domain_error(form, exc)
        else:
            return render(
                request,
                "consultations/survey_by_code.html",
                {"consultation": consultation, "survey": survey, "done": True},
            )
    return render(
        request,
        "consultations/survey_by_code.html",
        {"consultation": consultation, "survey": survey, "form": form, "open_now": open_now},
        status=400 if form.is_bound and form.errors else 200,
    )
