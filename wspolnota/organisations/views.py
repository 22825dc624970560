from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts.models import User
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.grants import selectors as grant_selectors
from wspolnota.organisations import permissions, rules, selectors, services
from wspolnota.organisations.forms import (
    DocumentForm,
    MembershipForm,
    OrganisationForm,
    PersonForm,
    RegistryFilterForm,
    SuspensionForm,
    VerificationForm,
    channel_field,
)
from wspolnota.organisations.models import (
    Membership,
    Organisation,
    OrganisationDocument,
    OrganisationKind,
    OrganisationPerson,
    VerificationStatus,
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def registry(request: HttpRequest) -> HttpResponse:
    form = RegistryFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "kind": form.cleaned_data["kind"],
            "district": form.cleaned_data["district"],
            "area": form.cleaned_data["area"],
            "query": form.cleaned_data["q"].strip(),
        }
    page = Paginator(selectors.organisation_public_list(**filters), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/registry.html",
        {
            "form": form,
            "page": page,
            "can_register": permissions.can_register_organisation(request.user),
            "can_verify": permissions.can_verify_organisations(request.user),
        },
        status=400 if form.errors else 200,
    )


def detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_for(request.user, organisation_id)
    insider = permissions.can_view_organisation_file(request.user, organisation)
    context: dict[str, Any] = {
        "organisation": organisation,
        "insider": insider,
        "can_manage": permissions.can_manage_organisation(request.user, organisation),
        "can_verify": permissions.can_verify_organisations(request.user),
        "public_documents": selectors.organisation_public_documents(organisation=organisation),
        "grant_history": grant_selectors.applicant_grant_history(organisation),
    }
    if insider:
        file = selectors.organisation_file(organisation=organisation)
        context.update(file)
        context["problems"] = rules.completeness_problems(
            organisation,
            people=file["people"],
            documents=file["documents"],
            day=timezone.localdate(),
        )
    else:
        context["board"] = organisation.people.filter(may_represent=True, role="board_member")
    return render(request, "organisations/detail.html", context)


def _person_for(request: HttpRequest) -> User | None:
    """The person a clerk registers an applicant for (``?osoba=<id>``), or None; 404 for a
    person the signed-in user may not act for."""
    from wspolnota.accounts.permissions import can_see_person
    from wspolnota.core.parsing import parse_id

    raw = request.GET.get("osoba")
    if not raw:
        return None
    person = User.objects.filter(pk=parse_id(raw, field="osoba")).first()
    if person is None or not can_see_person(request.user, person):
        raise Http404
    return person


@login_required
def register(request: HttpRequest) -> HttpResponse:
    """Register an applicant; with ``?osoba=<id>`` a clerk keys in a registration that came on
    paper or at a counter for that person (who represents the applicant from then on)."""
    from wspolnota.core.onbehalf import OnBehalf

    person = _person_for(request)
    kind = request.GET.get("rodzaj") or request.POST.get("kind") or ""
    if kind not in OrganisationKind.values:
        return render(
            request,
            "organisations/register_kind.html",
            {"kinds": OrganisationKind, "person": person},
        )
    form = OrganisationForm(request.POST or None, kind=kind)
    if person is not None:
        form.fields["channel"] = channel_field()
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        on_behalf = None
        if person is not None:
            on_behalf = OnBehalf(clerk=_user(request), channel=data.pop("channel"))
        try:
            organisation = services.organisation_register(
                user=person or _user(request), kind=kind, on_behalf=on_behalf, **data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Wpis utworzony. Dodaj osoby i dokumenty, a potem zgłoś go do weryfikacji."),
            )
            return redirect("organisations:detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/register.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": OrganisationKind(kind).label,
            "person": person,
        },
        status=400 if form.errors else 200,
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "organisations/mine.html",
        {"memberships": selectors.memberships_of(user=request.user)},
    )


def _profile_initial(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "legal_form": organisation.legal_form,
        "krs": organisation.krs,
        "nip": organisation.nip,
        "regon": organisation.regon,
        "public_benefit_status": organisation.public_benefit_status,
        "street_address": organisation.street_address,
        "postal_code": organisation.postal_code,
        "city": organisation.city,
        "email": organisation.email,
        "phone": organisation.phone,
        "website": organisation.website,
        "description": organisation.description,
        "districts": list(organisation.districts.all()),
        "areas": [a.area for a in organisation.areas.all()],
    }


@login_required
def edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_managed(request.user, organisation_id)
    form = OrganisationForm(
        request.POST or None,
        kind=organisation.kind,
        registering=False,
        initial=_profile_initial(organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=_user(request), organisation=organisation, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano zmiany."))
            return redirect("organisations:detail", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/edit.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@login_required
def people(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_managed(request.user, organisation_id)
    form = PersonForm(request.POST or None, kind=organisation.kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_add(
                actor=_user(request), organisation=organisation, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano osobę."))
            return redirect("organisations:people", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/people.html",
        {
            "organisation": organisation,
            "form": form,
            "people": organisation.people.all(),
            "problems": rules.completeness_problems(
                organisation,
                people=list(organisation.people.all()),
                documents=list(organisation.documents.all()),
                day=timezone.localdate(),
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def person_remove(request: HttpRequest, organisation_id: int, person_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_managed(request.user, organisation_id)
    person = get_object_or_404(OrganisationPerson, pk=person_id, organisation=organisation)
    services.person_remove(actor=_user(request), person=person)
    messages.success(request, _("Usunięto osobę."))
    return redirect("organisations:people", organisation_id=organisation.pk)


@login_required
def members(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_managed(request.user, organisation_id)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                actor=_user(request), organisation=organisation, **form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano członka."))
            return redirect("organisations:members", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/members.html",
        {
            "organisation": organisation,
            "form": form,
            "memberships": organisation.memberships.select_related("user", "added_by"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, organisation_id: int, membership_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_for(request.user, organisation_id)
    membership = get_object_or_404(Membership, pk=membership_id, organisation=organisation)
    try:
        services.membership_remove(actor=_user(request), membership=membership)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Usunięto członka."))
        if membership.user_id == request.user.pk:
            return redirect("organisations:mine")
    return redirect("organisations:members", organisation_id=organisation.pk)


@login_required
def documents(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_managed(request.user, organisation_id)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                actor=_user(request),
                organisation=organisation,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                is_public=form.cleaned_data["is_public"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Dodano dokument."))
            return redirect("organisations:documents", organisation_id=organisation.pk)
    return render(
        request,
        "organisations/documents.html",
        {
            "organisation": organisation,
            "form": form,
            "documents": organisation.documents.select_related("uploaded_by"),
        },
        status=400 if form.errors else 200,
    )


def document_download(request: HttpRequest, organisation_id: int, document_id: int) -> HttpResponse:
    document = get_object_or_404(
        OrganisationDocument.objects.select_related("organisation"),
        pk=document_id,
        organisation_id=organisation_id,
    )
    if not permissions.can_view_document(request.user, document):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def document_remove(request: HttpRequest, organisation_id: int, document_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_managed(request.user, organisation_id)
    document = get_object_or_404(OrganisationDocument, pk=document_id, organisation=organisation)
    services.document_remove(actor=_user(request), document=document)
    messages.success(request, _("Usunięto dokument."))
    return redirect("organisations:documents", organisation_id=organisation.pk)


@login_required
@require_POST
def request_verification(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_managed(request.user, organisation_id)
    try:
        services.organisation_request_verification(actor=_user(request), organisation=organisation)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Wpis czeka na weryfikację przez urząd."))
    return redirect("organisations:detail", organisation_id=organisation.pk)


@login_required
def verification_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.can_verify_organisations(request.user):
        raise PermissionDenied
    status = request.GET.get("status") or VerificationStatus.PENDING
    if status not in VerificationStatus.values:
        status = VerificationStatus.PENDING
    page = Paginator(selectors.verification_queue(status=status), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "organisations/verification_queue.html",
        {"page": page, "status": status, "statuses": VerificationStatus.choices},
    )


@login_required
def verify(request: HttpRequest, organisation_id: int) -> HttpResponse:
    if not permissions.can_verify_organisations(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    form = VerificationForm(request.POST if "decision" in request.POST else None)
    suspension = SuspensionForm(request.POST if "reason" in request.POST else None)
    if request.method == "POST" and "reason" in request.POST:
        if suspension.is_valid():
            try:
                services.organisation_set_suspended(
                    actor=_user(request),
                    organisation=organisation,
                    suspended=organisation.status != VerificationStatus.SUSPENDED,
                    reason=suspension.cleaned_data["reason"],
                )
            except DomainError as exc:
                apply_domain_error(suspension, exc)
            else:
                messages.success(request, _("Zapisano zmianę statusu."))
                return redirect("organisations:verify", organisation_id=organisation.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            services.organisation_verify(
                actor=_user(request),
                organisation=organisation,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano decyzję."))
            return redirect("organisations:verification_queue")
    elif request.method == "POST":
        form = VerificationForm(request.POST)
        form.is_valid()
    file = selectors.organisation_file(organisation=organisation)
    return render(
        request,
        "organisations/verify.html",
        {
            "organisation": organisation,
            "form": form,
            "suspension": suspension,
            "problems": rules.completeness_problems(
                organisation,
                people=file["people"],
                documents=file["documents"],
                day=timezone.localdate(),
            ),
            "today": timezone.localdate(),
            **file,
        },
        status=400 if (form.errors or suspension.errors) else 200,
    )
