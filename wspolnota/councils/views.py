from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wspolnota.accounts.models import User
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.ratelimit import rate_limited
from wspolnota.councils import documents, permissions, school_votes, selectors, services
from wspolnota.councils.forms import (
    AnswerForm,
    CommitteeForm,
    DocumentForm,
    HideForm,
    MeetingForm,
    MembershipEndForm,
    MembershipForm,
    OpinionAdoptForm,
    OpinionForm,
    QuestionForm,
    QuestionForPersonForm,
    ResolutionDraftForm,
    ResolutionEndForm,
    ResolutionFilterForm,
    ResolutionPublishForm,
    SchoolElectionForm,
    SchoolVoteBallotForm,
    SchoolVoteOpenForm,
    SchoolVoteSheetForm,
    SchoolVoteSheetVoidForm,
    TermForm,
    VoteForm,
)
from wspolnota.councils.models import (
    Body,
    BodyKind,
    Committee,
    Meeting,
    MeetingDocument,
    Membership,
    OpinionStatus,
    ResolutionStatus,
    SchoolElectionVote,
    Term,
    VoteKind,
)
from wspolnota.schools import codes
from wspolnota.schools import errors as schools_errors
from wspolnota.territory.selectors import district_get

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _signed_in(request: HttpRequest) -> User:
    user = _user(request)
    if user is None:
        raise PermissionDenied
    return user


def _body(slug: str) -> Body:
    body = selectors.body_get(slug=slug)
    if body is None:
        raise Http404
    return body


def _can_manage(request: HttpRequest, body: Body) -> bool:
    return permissions.can_manage_body(request.user, body, on=timezone.localdate())


def _require_manager(request: HttpRequest, body: Body) -> User:
    user = _signed_in(request)
    if not _can_manage(request, body):
        raise PermissionDenied
    return user


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "councils/index.html",
        {
            "district_councils": list(selectors.district_council_list()),
            "advisory": list(selectors.advisory_body_list()),
        },
    )


def district_council(request: HttpRequest, district_number: int) -> HttpResponseRedirect:
    district = district_get(number=district_number)
    body = selectors.body_for_district(district=district) if district else None
    if body is None:
        raise Http404
    return redirect("councils:body_detail", body_slug=body.slug)


def body_detail(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = _body(body_slug)
    return render(
        request,
        "councils/body_detail.html",
        {
            "body": body,
            "overview": selectors.body_overview(body=body),
            "can_manage": _can_manage(request, body),
            "can_ask": permissions.can_ask_question(request.user, body),
            "today": timezone.localdate(),
            "terms": list(body.terms.all()),
        },
    )


def term_detail(request: HttpRequest, body_slug: str, term_id: int) -> HttpResponse:
    body = _body(body_slug)
    term = body.terms.filter(pk=term_id).first()
    if term is None:
        raise Http404
    return render(
        request,
        "councils/term_detail.html",
        {
            "body": body,
            "term": term,
            "memberships": selectors.term_memberships(term=term),
            "elections": list(term.school_elections.all()),
            "committees": selectors.committees_of(term=term),
            "can_manage": _can_manage(request, body),
            "today": timezone.localdate(),
        },
    )


def meeting_list(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = _body(body_slug)
    page = Paginator(selectors.meeting_list(body=body), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/meeting_list.html",
        {"body": body, "page": page, "can_manage": _can_manage(request, body)},
    )


def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(pk=meeting_id)
    if meeting is None:
        raise Http404
    record_visible = permissions.can_see_meeting_record(
        request.user, meeting, on=timezone.localdate()
    )
    votes = (
        [{"vote": v, "records": selectors.public_vote_records(v)} for v in meeting.votes.all()]
        if record_visible
        else []
    )
    return render(
        request,
        "councils/meeting_detail.html",
        {
            "meeting": meeting,
            "body": meeting.body,
            "votes": votes,
            "record_visible": record_visible,
            "can_manage": _can_manage(request, meeting.body),
        },
    )


@require_GET
def document_download(request: HttpRequest, meeting_id: int, document_id: int) -> HttpResponse:
    document = (
        MeetingDocument.objects.filter(pk=document_id, meeting_id=meeting_id)
        .select_related("meeting")
        .first()
    )
    if document is None or not permissions.can_see_meeting_record(
        request.user, document.meeting, on=timezone.localdate()
    ):
        raise Http404
    if not document.file:
        if not document.url:
            raise Http404
        return HttpResponseRedirect(document.url)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(handle, as_attachment=False, filename=document.file.name.rsplit("/", 1)[-1])


def resolution_list(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = _body(body_slug)
    form = ResolutionFilterForm(request.GET or None, years=selectors.resolution_years(body=body))
    filters = selectors.ResolutionFilters()
    if form.is_valid():
        filters = selectors.ResolutionFilters(
            year=form.cleaned_data.get("year"),
            status=form.cleaned_data.get("status", ""),
            query=form.cleaned_data.get("q", ""),
        )
    page = Paginator(
        selectors.resolution_list(body=body, viewer=request.user, filters=filters), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "councils/resolution_list.html",
        {"body": body, "form": form, "page": page, "can_manage": _can_manage(request, body)},
        status=_status(form),
    )


def resolution_detail(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = selectors.resolution_get(pk=resolution_id, viewer=request.user)
    if resolution is None:
        raise Http404
    return render(
        request,
        "councils/resolution_detail.html",
        {
            "resolution": resolution,
            "body": resolution.body,
            "can_manage": _can_manage(request, resolution.body),
        },
    )


@login_required
def resolution_edit(
    request: HttpRequest, body_slug: str | None = None, resolution_id: int | None = None
) -> HttpResponse:
    resolution = (
        selectors.resolution_get(pk=resolution_id, viewer=request.user) if resolution_id else None
    )
    if resolution_id and resolution is None:
        raise Http404
    body = resolution.body if resolution else _body(body_slug or "")
    user = _require_manager(request, body)
    if not body.is_district_council:
        raise Http404
    initial = {}
    if resolution is not None:
        initial = {
            "subject": resolution.subject,
            "text": resolution.text,
            "meeting": resolution.meeting,
        }
    form = ResolutionDraftForm(
        request.POST or None, initial=initial, meetings=body.meetings.order_by("-starts_at")
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.resolution_draft_save(
                actor=user,
                body=body,
                resolution=resolution,
                subject=form.cleaned_data["subject"],
                text=form.cleaned_data["text"],
                meeting=form.cleaned_data["meeting"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano projekt uchwały."))
            return redirect("councils:resolution_detail", resolution_id=saved.pk)
    return render(
        request,
        "councils/resolution_form.html",
        {"form": form, "body": body, "resolution": resolution},
        status=_status(form),
    )


@login_required
def resolution_publish(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = selectors.resolution_get(pk=resolution_id, viewer=request.user)
    if resolution is None:
        raise Http404
    user = _require_manager(request, resolution.body)
    meetings = resolution.body.meetings.order_by("-starts_at")
    form = ResolutionPublishForm(
        request.POST or None,
        initial={"meeting": resolution.meeting, "adopted_on": timezone.localdate()},
        meetings=meetings,
    )
    if request.method == "POST" and "not_adopted" in request.POST:
        try:
            services.resolution_not_adopted(
                actor=user, resolution=resolution, on=timezone.localdate()
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zapisano, że projekt nie został przyjęty."))
        return redirect("councils:resolution_detail", resolution_id=resolution.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.resolution_publish(
                actor=user,
                resolution=resolution,
                number=form.cleaned_data["number"],
                adopted_on=form.cleaned_data["adopted_on"],
                meeting=form.cleaned_data["meeting"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Uchwała została opublikowana."))
            return redirect("councils:resolution_detail", resolution_id=resolution.pk)
    return render(
        request,
        "councils/resolution_publish.html",
        {"form": form, "resolution": resolution, "body": resolution.body},
        status=_status(form),
    )


@login_required
def resolution_end(request: HttpRequest, resolution_id: int) -> HttpResponse:
    resolution = selectors.resolution_get(pk=resolution_id, viewer=request.user)
    if resolution is None:
        raise Http404
    user = _require_manager(request, resolution.body)
    form = ResolutionEndForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.resolution_end(
                actor=user,
                resolution=resolution,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano zmianę stanu uchwały."))
            return redirect("councils:resolution_detail", resolution_id=resolution.pk)
    return render(
        request,
        "councils/resolution_end.html",
        {"form": form, "resolution": resolution, "body": resolution.body},
        status=_status(form),
    )


@login_required
def meeting_edit(
    request: HttpRequest, body_slug: str | None = None, meeting_id: int | None = None
) -> HttpResponse:
    meeting = (
        Meeting.objects.select_related("body").filter(pk=meeting_id).first() if meeting_id else None
    )
    if meeting_id and meeting is None:
        raise Http404
    body = meeting.body if meeting else _body(body_slug or "")
    user = _require_manager(request, body)
    term = services.current_term(body, timezone.localdate())
    committees = Committee.objects.filter(term__body=body).select_related("term")
    form = MeetingForm(request.POST or None, instance=meeting, committees=committees)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.meeting_save(
                actor=user, body=body, meeting=meeting, fields=form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano posiedzenie."))
            return redirect("councils:meeting_detail", meeting_id=saved.pk)
    return render(
        request,
        "councils/meeting_form.html",
        {"form": form, "body": body, "meeting": meeting, "term": term},
        status=_status(form),
    )


@login_required
def document_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    user = _require_manager(request, meeting.body)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_document_add(
                actor=user,
                meeting=meeting,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["upload"],
                url=form.cleaned_data["url"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano dokument."))
            return redirect("councils:meeting_detail", meeting_id=meeting.pk)
    return render(
        request,
        "councils/document_form.html",
        {"form": form, "meeting": meeting, "body": meeting.body},
        status=_status(form),
    )


@login_required
def vote_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = Meeting.objects.select_related("body").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    body = meeting.body
    user = _require_manager(request, body)
    members = services.members_on(body, timezone.localtime(meeting.starts_at).date())
    form = VoteForm(
        request.POST or None,
        members=members,
        resolutions=body.resolutions.filter(status=ResolutionStatus.DRAFT),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        counts = None
        if data["kind"] != VoteKind.ROLL_CALL:
            if (
                data["votes_for"] is None
                or data["votes_against"] is None
                or data["abstentions"] is None
            ):
                form.add_error(
                    "votes_for", _("Podaj liczbę głosów za, przeciw i wstrzymujących się.")
                )
            else:
                counts = services.VoteCounts(
                    votes_for=data["votes_for"],
                    votes_against=data["votes_against"],
                    abstentions=data["abstentions"],
                )
        if not form.errors:
            try:
                services.vote_record(
                    actor=user,
                    meeting=meeting,
                    subject=data["subject"],
                    kind=data["kind"],
                    resolution=data["resolution"],
                    choices=form.choices() if data["kind"] == VoteKind.ROLL_CALL else None,
                    counts=counts,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Zapisano głosowanie."))
                return redirect("councils:meeting_detail", meeting_id=meeting.pk)
    return render(
        request,
        "councils/vote_form.html",
        {"form": form, "meeting": meeting, "body": body},
        status=_status(form),
    )


def question_list(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = _body(body_slug)
    user = _user(request)
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if user is None:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                question = services.question_ask(user=user, body=body, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Wysłano. Odpowiedź powinna przyjść do %(date)s.")
                    % {"date": question.answer_due_on.strftime("%d.%m.%Y")},
                )
                return redirect("councils:question_detail", question_id=question.pk)
        status = 400
    page = Paginator(selectors.question_list(body=body, viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "councils/question_list.html",
        {
            "body": body,
            "page": page,
            "form": form,
            "today": timezone.localdate(),
            "can_manage": _can_manage(request, body),
        },
        status=status,
    )


def question_for_person(request: HttpRequest, body_slug: str, person_pk: int) -> HttpResponse:
    """A clerk records a question that came on paper, by phone or at a counter for the person
    (with or without an account); the answer goes back the way the person chose."""
    from wspolnota.accounts.permissions import can_see_person
    from wspolnota.core.onbehalf import Channel, OnBehalf

    body = _body(body_slug)
    clerk = _signed_in(request)
    if not permissions.can_record_question_for(clerk, body, on=timezone.localdate()):
        raise PermissionDenied
    person = User.objects.filter(pk=person_pk, deleted_at__isnull=True).first()
    if person is None or person.pk == clerk.pk or not can_see_person(clerk, person):
        raise Http404
    form = QuestionForPersonForm(
        request.POST or None, initial={"received_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        channel = Channel(data.pop("channel"))
        try:
            question = services.question_ask(
                user=person, body=body, on_behalf=OnBehalf(clerk=clerk, channel=channel), **data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Zapisano pytanie %(name)s. Odpowiedź powinna przyjść do %(date)s.")
                % {
                    "name": person.full_name,
                    "date": question.answer_due_on.strftime("%d.%m.%Y"),
                },
            )
            return redirect("councils:question_detail", question_id=question.pk)
    return render(
        request,
        "councils/question_for_person.html",
        {"form": form, "body": body, "person": person},
        status=_status(form),
    )


def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get(pk=question_id, viewer=request.user)
    if question is None:
        raise Http404
    today = timezone.localdate()
    can_answer = permissions.can_answer_question(request.user, question, on=today)
    can_hide = permissions.can_hide_question(request.user, question)
    answer_form = AnswerForm(request.POST if "answer" in request.POST else None)
    hide_form = HideForm(request.POST if "reason" in request.POST else None)
    status = 200
    if request.method == "POST":
        user = _signed_in(request)
        if "answer" in request.POST and can_answer and answer_form.is_valid():
            try:
                services.question_answer(
                    actor=user, question=question, answer=answer_form.cleaned_data["answer"]
                )
            except DomainError as exc:
                apply_domain_error(answer_form, exc)
            else:
                messages.success(request, _("Odpowiedź została wysłana i opublikowana."))
                return redirect("councils:question_detail", question_id=question.pk)
        elif "reason" in request.POST and can_hide and hide_form.is_valid():
            services.question_hide(
                actor=user, question=question, reason=hide_form.cleaned_data["reason"]
            )
            messages.success(request, _("Ukryto pytanie."))
            return redirect("councils:question_detail", question_id=question.pk)
        elif not (can_answer or can_hide):
            raise PermissionDenied
        status = 400
    return render(
        request,
        "councils/question_detail.html",
        {
            "question": question,
            "body": question.body,
            "answer_form": answer_form,
            "hide_form": hide_form,
            "can_answer": can_answer and question.status == "submitted",
            "can_hide": can_hide and question.status != "hidden",
            "is_author": question.author_id == getattr(request.user, "pk", None),
            "overdue": question.is_overdue_on(today),
        },
        status=status,
    )


def opinion_detail(request: HttpRequest, opinion_id: int) -> HttpResponse:
    opinion = selectors.opinion_get(pk=opinion_id)
    if opinion is None:
        raise Http404
    return render(
        request,
        "councils/opinion_detail.html",
        {
            "opinion": opinion,
            "body": opinion.body,
            "can_manage": _can_manage(request, opinion.body),
        },
    )


@login_required
def opinion_edit(
    request: HttpRequest, body_slug: str | None = None, opinion_id: int | None = None
) -> HttpResponse:
    opinion = selectors.opinion_get(pk=opinion_id) if opinion_id else None
    if opinion_id and opinion is None:
        raise Http404
    body = opinion.body if opinion else _body(body_slug or "")
    user = _require_manager(request, body)
    if body.kind == BodyKind.DISTRICT_COUNCIL:
        raise Http404
    initial = {}
    if opinion is not None:
        initial = {
            name: getattr(opinion, name)
            for name in (
                "draft_title",
                "draft_url",
                "consultation",
                "consultation_url",
                "requested_by",
                "requested_on",
                "due_on",
            )
        }
    form = OpinionForm(
        request.POST or None,
        initial=initial,
        consultations=selectors.opinion_consultation_choices(
            on=timezone.localdate(), current=opinion.consultation if opinion else None
        ),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.opinion_save(
                actor=user, body=body, opinion=opinion, fields=form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano prośbę o opinię."))
            return redirect("councils:opinion_detail", opinion_id=saved.pk)
    return render(
        request,
        "councils/opinion_form.html",
        {"form": form, "body": body, "opinion": opinion},
        status=_status(form),
    )


@login_required
def opinion_adopt(request: HttpRequest, opinion_id: int) -> HttpResponse:
    opinion = selectors.opinion_get(pk=opinion_id)
    if opinion is None:
        raise Http404
    user = _require_manager(request, opinion.body)
    if opinion.status == OpinionStatus.ADOPTED:
        return redirect("councils:opinion_detail", opinion_id=opinion.pk)
    form = OpinionAdoptForm(
        request.POST or None,
        initial={"adopted_on": timezone.localdate()},
        meetings=opinion.body.meetings.order_by("-starts_at"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_adopt(actor=user, opinion=opinion, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Opinia została przyjęta i opublikowana."))
            return redirect("councils:opinion_detail", opinion_id=opinion.pk)
    return render(
        request,
        "councils/opinion_adopt.html",
        {"form": form, "opinion": opinion, "body": opinion.body},
        status=_status(form),
    )


@login_required
def term_create(request: HttpRequest, body_slug: str) -> HttpResponse:
    body = _body(body_slug)
    user = _require_manager(request, body)
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.term_create(actor=user, body=body, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano kadencję."))
            return redirect("councils:term_detail", body_slug=body.slug, term_id=term.pk)
    return render(
        request, "councils/term_form.html", {"form": form, "body": body}, status=_status(form)
    )


def _term(body: Body, term_id: int) -> Term:
    term = body.terms.filter(pk=term_id).first()
    if term is None:
        raise Http404
    return term


@login_required
def membership_add(request: HttpRequest, body_slug: str, term_id: int) -> HttpResponse:
    body = _body(body_slug)
    user = _require_manager(request, body)
    term = _term(body, term_id)
    form = MembershipForm(request.POST or None, elections=term.school_elections.all())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        email = data.pop("email")
        account = User.objects.filter(email__iexact=email).first() if email else None
        if email and account is None:
            form.add_error("email", _("Nie ma konta z tym adresem e-mail."))
        else:
            try:
                services.membership_add(actor=user, term=term, user=account, **data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Dodano członka."))
                return redirect("councils:term_detail", body_slug=body.slug, term_id=term.pk)
    return render(
        request,
        "councils/membership_form.html",
        {"form": form, "body": body, "term": term},
        status=_status(form),
    )


@login_required
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = (
        Membership.objects.select_related("term", "term__body").filter(pk=membership_id).first()
    )
    if membership is None:
        raise Http404
    body = membership.term.body
    user = _require_manager(request, body)
    form = MembershipEndForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(actor=user, membership=membership, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano wygaśnięcie mandatu."))
            return redirect("councils:term_detail", body_slug=body.slug, term_id=membership.term_id)
    return render(
        request,
        "councils/membership_end.html",
        {"form": form, "membership": membership, "body": body},
        status=_status(form),
    )


@login_required
def school_election_add(request: HttpRequest, body_slug: str, term_id: int) -> HttpResponse:
    body = _body(body_slug)
    user = _require_manager(request, body)
    term = _term(body, term_id)
    if body.kind != BodyKind.YOUTH_COUNCIL:
        raise Http404
    form = SchoolElectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.school_election_record(actor=user, term=term, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano wybory w szkole."))
            return redirect("councils:term_detail", body_slug=body.slug, term_id=term.pk)
    return render(
        request,
        "councils/school_election_form.html",
        {"form": form, "body": body, "term": term},
        status=_status(form),
    )


@login_required
def committee_add(request: HttpRequest, body_slug: str, term_id: int) -> HttpResponse:
    body = _body(body_slug)
    user = _require_manager(request, body)
    term = _term(body, term_id)
    form = CommitteeForm(request.POST or None, members=term.memberships.order_by("person_name"))
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_save(
                actor=user,
                term=term,
                committee=None,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                members=list(form.cleaned_data["members"]),
                chair=form.cleaned_data["chair"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano komisję."))
            return redirect("councils:term_detail", body_slug=body.slug, term_id=term.pk)
    return render(
        request,
        "councils/committee_form.html",
        {"form": form, "body": body, "term": term},
        status=_status(form),
    )


# --- A school's Youth Council election by single-use codes (issue 22) ---------------------------


def _school_vote(vote_id: int) -> SchoolElectionVote:
    vote = (
        SchoolElectionVote.objects.select_related("term__body", "box", "election")
        .filter(pk=vote_id)
        .first()
    )
    if vote is None:
        raise Http404
    return vote


def _require_school_vote_official(request: HttpRequest, body: Body) -> User:
    user = _signed_in(request)
    if not permissions.can_run_school_vote(user, body):
        raise PermissionDenied
    return user


@login_required
def school_vote_open(request: HttpRequest, body_slug: str, term_id: int) -> HttpResponse:
    body = _body(body_slug)
    user = _require_school_vote_official(request, body)
    term = _term(body, term_id)
    if body.kind != BodyKind.YOUTH_COUNCIL:
        raise Http404
    form = SchoolVoteOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vote = school_votes.school_vote_open(actor=user, term=term, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Otwarto głosowanie kodami."))
            return redirect("councils:school_vote_office", vote_id=vote.pk)
    return render(
        request,
        "councils/school_vote_form.html",
        {"form": form, "body": body, "term": term},
        status=_status(form),
    )


@login_required
def school_vote_office(request: HttpRequest, vote_id: int) -> HttpResponse:
    """Turnout per class and the code sheets: a POST prints a new sheet (the PDF is the answer,
    the codes are nowhere else)."""
    vote = _school_vote(vote_id)
    body = vote.term.body
    user = _require_school_vote_official(request, body)
    form = SchoolVoteSheetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = school_votes.school_vote_sheet_issue(
                actor=user, vote=vote, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            pdf = documents.school_vote_sheet_pdf(vote=vote, issued=issued)
            response = HttpResponse(pdf, content_type="application/pdf")
            name = f"kody-mrk-{vote.pk}-{issued.sheet.pk}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "councils/school_vote_office.html",
        {
            "vote": vote,
            "body": body,
            "sheet_form": form,
            "turnout": codes.code_turnout(box=vote.box),
            "sheets": list(selectors.school_vote_sheets(vote=vote)),
            "standings": school_votes.standings(vote),
        },
        status=_status(form),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def school_vote_sheet_void(request: HttpRequest, vote_id: int, sheet_id: int) -> HttpResponse:
    """A lost sheet: void it (its unused codes stop working) and, by default, download its
    replacement at once (the PDF is the answer, the new codes are nowhere else)."""
    vote = _school_vote(vote_id)
    body = vote.term.body
    user = _require_school_vote_official(request, body)
    sheet = selectors.school_vote_sheets(vote=vote).filter(pk=sheet_id).first()
    if sheet is None:
        raise Http404
    form = SchoolVoteSheetVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        args = {
            "actor": user,
            "vote": vote,
            "sheet": sheet,
            "reason": form.cleaned_data["reason"],
            "at": timezone.now(),
        }
        try:
            if form.cleaned_data["reprint"]:
                issued = school_votes.school_vote_sheet_reprint(**args)
            else:
                school_votes.school_vote_sheet_void(**args)
                issued = None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if issued is None:
                messages.success(request, _("Arkusz unieważniono: jego kody nie działają."))
                return redirect("councils:school_vote_office", vote_id=vote.pk)
            pdf = documents.school_vote_sheet_pdf(vote=vote, issued=issued)
            response = HttpResponse(pdf, content_type="application/pdf")
            name = f"kody-mrk-{vote.pk}-{issued.sheet.pk}.pdf"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "councils/school_vote_sheet_void.html",
        {"vote": vote, "body": body, "sheet": sheet, "form": form},
        status=_status(form),
    )


@login_required
@require_POST
def school_vote_close(request: HttpRequest, vote_id: int) -> HttpResponse:
    vote = _school_vote(vote_id)
    user = _require_school_vote_official(request, vote.term.body)
    try:
        school_votes.school_vote_close(actor=user, vote=vote, at=timezone.now())
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Głosowanie zamknięte, głosy policzone."))
    return redirect("councils:school_vote_office", vote_id=vote.pk)


@never_cache
@require_http_methods(["GET", "POST"])
def school_vote(request: HttpRequest, vote_id: int) -> HttpResponse:
    """The pupils' ballot: the code from the card and the choices, no account, no JavaScript;
    after the close, the result and the lot."""
    vote = _school_vote(vote_id)
    now = timezone.now()
    open_now = vote.box.opens_at <= now < vote.box.closes_at and not vote.box.closed
    form = SchoolVoteBallotForm(
        request.POST if open_now and request.method == "POST" else None,
        candidates=vote.candidates,
        seats=vote.seats,
    )
    if form.is_bound and form.is_valid():
        try:
            school_votes.school_vote_cast(
                vote=vote, code=form.cleaned_data["code"], picks=form.cleaned_data["picks"], at=now
            )
        except DomainError as exc:
            if exc.message is schools_errors.CODE_UNKNOWN and rate_limited(
                request, group="schools-code-miss", key="ip", rate="300/h"
            ):
                exc = schools_errors.SchoolsError(schools_errors.TOO_MANY_ATTEMPTS, field="code")
            apply_domain_error(form, exc)
        else:
            return render(request, "councils/school_vote.html", {"vote": vote, "done": True})
    return render(
        request,
        "councils/school_vote.html",
        {
            "vote": vote,
            "form": form,
            "open_now": open_now,
            "standings": school_votes.standings(vote),
        },
        status=_status(form),
    )
