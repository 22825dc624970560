"""Pages of volunteering: offers, volunteer profiles, applications, agreements, certificates
and logged hours."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wspolnota.community import documents, permissions, selectors, services
from wspolnota.community.forms import (
    AgreementFileForm,
    AgreementPaperForm,
    ApplyForm,
    HoursForm,
    OfferFilterForm,
    OfferForm,
    VolunteerProfileForm,
)
from wspolnota.community.models import (
    VolunteerAgreement,
    VolunteerHours,
    VolunteerProfile,
)
from wspolnota.community.views._common import (
    PAGE_SIZE,
    _signed_in,
    _status,
    _user,
)
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error


def offer_list(request: HttpRequest) -> HttpResponse:
    form = OfferFilterForm(request.GET or None)
    filters = selectors.OfferFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.OfferFilters(
            district=data.get("district"),
            skill_ids=tuple(s.pk for s in data.get("skills", [])),
            availability=tuple(data.get("when", [])),
            query=data.get("q", ""),
        )
    page = Paginator(selectors.offer_list(filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    user = _user(request)
    profile = VolunteerProfile.objects.filter(user=user).first() if user else None
    matches = selectors.offer_matches(profile=profile, limit=5) if profile else []
    return render(
        request,
        "community/offer_list.html",
        {
            "form": form,
            "page": page,
            "profile": profile,
            "matches": matches,
            "can_create": permissions.can_create_offer(request.user),
        },
        status=_status(form),
    )


def _offer(offer_id: int) -> Any:
    offer = selectors.offer_get(pk=offer_id)
    if offer is None:
        raise Http404
    return offer


def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = _offer(offer_id)
    user = _user(request)
    form = ApplyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if user is None:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                services.volunteer_apply(
                    user=user, offer=offer, message=form.cleaned_data["message"]
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Wysłano zgłoszenie. Koordynator odezwie się do Ciebie.")
                )
                return redirect("community:my_activity")
        status = 400
    application = offer.applications.filter(volunteer=user).first() if user is not None else None
    return render(
        request,
        "community/offer_detail.html",
        {
            "offer": offer,
            "form": form,
            "application": application,
            "has_profile": user is not None and VolunteerProfile.objects.filter(user=user).exists(),
            "can_apply": user is not None
            and application is None
            and permissions.can_apply_for_offer(user, offer, at=timezone.now()),
            "can_manage": permissions.can_manage_offer(request.user, offer),
        },
        status=status,
    )


@login_required
def offer_edit(request: HttpRequest, offer_id: int | None = None) -> HttpResponse:
    user = _signed_in(request)
    offer = _offer(offer_id) if offer_id else None
    allowed = (
        permissions.can_manage_offer(user, offer) if offer else permissions.can_create_offer(user)
    )
    if not allowed:
        raise PermissionDenied
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "skills"}
        try:
            saved = services.volunteer_offer_save(
                actor=user, offer=offer, fields=fields, skills=list(form.cleaned_data["skills"])
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano ofertę wolontariatu."))
            return redirect("community:offer_detail", offer_id=saved.pk)
    return render(
        request, "community/offer_form.html", {"form": form, "offer": offer}, status=_status(form)
    )


@login_required
def offers_managed(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not permissions.can_create_offer(user):
        raise PermissionDenied
    page = Paginator(selectors.offers_managed_by(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "community/offers_managed.html", {"page": page})


@login_required
def volunteer_profile(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    profile = VolunteerProfile.objects.filter(user=user).prefetch_related("skills").first()
    initial: dict[str, Any] = {}
    if profile is not None:
        initial = {
            "birth_date": profile.birth_date,
            "district": profile.district,
            "skills": list(profile.skills.all()),
            "about": profile.about,
            **{name: getattr(profile, name) for name in VolunteerProfile.AVAILABILITY_FIELDS},
        }
    else:
        initial = {"district": user.district}
    form = VolunteerProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.volunteer_profile_save(
                user=user,
                birth_date=data["birth_date"],
                district=data["district"],
                skills=list(data["skills"]),
                about=data["about"],
                availability={n: data[n] for n in VolunteerProfile.AVAILABILITY_FIELDS},
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano profil wolontariusza."))
            return redirect("community:offer_list")
    return render(request, "community/volunteer_profile.html", {"form": form}, status=_status(form))


@login_required
def offer_applications(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = _signed_in(request)
    offer = _offer(offer_id)
    if not permissions.can_manage_offer(user, offer):
        raise PermissionDenied
    today = timezone.localdate()
    return render(
        request,
        "community/offer_applications.html",
        {
            "offer": offer,
            "applications": list(selectors.offer_applications(offer=offer)),
            "today": today,
        },
    )


def _application(request: HttpRequest, application_id: int) -> Any:
    application = selectors.application_get(pk=application_id)
    if application is None or not permissions.can_view_application(request.user, application):
        raise Http404
    return application


@require_POST
@login_required
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    user = _signed_in(request)
    application = _application(request, application_id)
    if not permissions.can_manage_offer(user, application.offer):
        raise PermissionDenied
    decision = request.POST.get("decision")
    if decision not in ("accept", "reject"):
        messages.error(request, _("Wybierz decyzję: przyjmij albo odrzuć."))
    else:
        try:
            services.volunteer_application_decide(
                actor=user, application=application, accept=decision == "accept"
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zapisano decyzję i powiadomiono wolontariusza."))
    return redirect("community:offer_applications", offer_id=application.offer_id)


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    user = _signed_in(request)
    application = _application(request, application_id)
    form = HoursForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if "withdraw" in request.POST:
            try:
                services.volunteer_application_withdraw(user=user, application=application)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Wycofano zgłoszenie."))
            return redirect("community:my_activity")
        if form.is_valid():
            try:
                services.volunteer_hours_log(
                    user=user, application=application, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Zapisano godziny; czekają na potwierdzenie organizatora.")
                )
                return redirect("community:application_detail", application_id=application.pk)
        status = 400
    hours = list(application.hours.order_by("day", "id"))
    return render(
        request,
        "community/application_detail.html",
        {
            "application": application,
            "offer": application.offer,
            "hours": hours,
            "confirmed_total": sum(
                (h.hours for h in hours if h.status == "confirmed"), Decimal("0")
            ),
            "agreement": VolunteerAgreement.objects.filter(application=application).first(),
            "form": form,
            "can_log": permissions.can_log_hours(user, application),
            "is_volunteer": application.volunteer_id == user.pk,
            "can_manage": permissions.can_manage_offer(user, application.offer),
        },
        status=status,
    )


@login_required
def agreement(request: HttpRequest, application_id: int) -> HttpResponse:
    """The agreement's text, how it was signed, and — for the organiser's side — the two ways
    to record the written form: the signed file, or the paper copies."""
    user = _signed_in(request)
    application = _application(request, application_id)
    document = VolunteerAgreement.objects.filter(application=application).first()
    if document is None:
        raise Http404
    can_record = permissions.can_record_agreement_signature(user, document)
    method = request.POST.get("method") if request.method == "POST" else None
    initial = {"guardian_name": document.guardian_name}
    file_form = AgreementFileForm(
        request.POST if method == "file" else None,
        request.FILES if method == "file" else None,
        initial=initial,
        prefix="file",
    )
    paper_form = AgreementPaperForm(
        request.POST if method == "paper" else None,
        request.FILES if method == "paper" else None,
        initial=initial,
        prefix="paper",
    )
    status = 200
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        form = file_form if method == "file" else paper_form if method == "paper" else None
        if form is None:
            messages.error(request, _("Wybierz sposób podpisania porozumienia."))
            status = 400
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if method == "file":
                    services.volunteer_agreement_sign_with_file(
                        actor=user,
                        agreement=document,
                        upload=data["signature_file"],
                        guardian_name=data["guardian_name"],
                    )
                else:
                    services.volunteer_agreement_record_paper(
                        actor=user,
                        agreement=document,
                        signed_on=data["signed_on"],
                        scan=data["paper_scan"] or None,
                        guardian_name=data["guardian_name"],
                    )
            except DomainError as exc:
                apply_domain_error(form, exc)
                status = 400
            else:
                messages.success(request, _("Zapisano podpisanie porozumienia."))
                return redirect("community:agreement", application_id=application.pk)
        else:
            status = 400
    return render(
        request,
        "community/agreement.html",
        {
            "application": application,
            "offer": application.offer,
            "agreement": document,
            "file_form": file_form,
            "paper_form": paper_form,
            "can_record": can_record,
        },
        status=status,
    )


def _pdf_response(payload: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@login_required
def agreement_pdf(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    document = VolunteerAgreement.objects.filter(application=application).first()
    if document is None:
        raise Http404
    return _pdf_response(
        documents.agreement_pdf(agreement=document), f"porozumienie-{application.pk}.pdf"
    )


@require_GET
@login_required
def agreement_file(request: HttpRequest, application_id: int, kind: str) -> HttpResponse:
    """The signed file or the scan, for the two sides only (``_application`` checks that)."""
    application = _application(request, application_id)
    document = VolunteerAgreement.objects.filter(application=application).first()
    if document is None or not permissions.can_view_agreement(request.user, document):
        raise Http404
    stored = document.signature_file if kind == "signature" else document.paper_scan
    if not stored:
        raise Http404
    name = stored.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@require_GET
@login_required
def certificate_pdf(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    return _pdf_response(
        documents.certificate_pdf(application=application), f"zaswiadczenie-{application.pk}.pdf"
    )


@require_POST
@login_required
def hours_decide(request: HttpRequest, hours_id: int) -> HttpResponse:
    user = _signed_in(request)
    entry = (
        VolunteerHours.objects.select_related("application", "application__offer")
        .filter(pk=hours_id)
        .first()
    )
    if entry is None:
        raise Http404
    if not permissions.can_manage_offer(user, entry.application.offer):
        raise PermissionDenied
    decision = request.POST.get("decision")
    if decision not in ("confirm", "reject"):
        messages.error(request, _("Wybierz decyzję: potwierdź albo odrzuć."))
    else:
        try:
            services.volunteer_hours_decide(
                actor=user,
                entry=entry,
                confirm=decision == "confirm",
                reason=request.POST.get("reason", "")[:300],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zapisano decyzję w sprawie godzin."))
    return redirect("community:offer_applications", offer_id=entry.application.offer_id)
