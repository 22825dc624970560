"""Keying in from paper at the counter (issue 17): a clerk of a call's unit acts for a person —
often without an account — who brought or posted a grant application, a registration in the
registry or a remark on a small-grant offer. Thin views: the services check the clerk's unit
and the online rules (the call's deadline and the remarks window against the moment the paper
was received, one application per applicant)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts.models import User
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.onbehalf import OnBehalf
from wspolnota.core.parsing import parse_id
from wspolnota.grants import selectors, services
from wspolnota.grants.forms import KeyInApplicationForm, KeyInRemarkForm
from wspolnota.grants.models import Application, Call
from wspolnota.organisations.selectors import organisations_acting_for


def _clerk(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _person(request: HttpRequest, person_id: int) -> User:
    """The person a clerk acts for; 404 for anyone who may not act for them."""
    from wspolnota.accounts.permissions import can_see_person

    person = User.objects.filter(pk=person_id).first()
    if person is None or not can_see_person(request.user, person):
        raise Http404
    return person


def _page(
    request: HttpRequest,
    person: User,
    *,
    bound: KeyInApplicationForm | KeyInRemarkForm | None = None,
    bound_target: int | None = None,
    status: int = 200,
) -> HttpResponse:
    clerk = _clerk(request)
    organisations = organisations_acting_for(user=person)

    def application_form(call: Call) -> KeyInApplicationForm:
        if isinstance(bound, KeyInApplicationForm) and bound_target == call.pk:
            return bound
        return KeyInApplicationForm(organisations=organisations, auto_id=f"call{call.pk}_%s")

    def remark_form(offer: Application) -> KeyInRemarkForm:
        if isinstance(bound, KeyInRemarkForm) and bound_target == offer.pk:
            return bound
        return KeyInRemarkForm(auto_id=f"offer{offer.pk}_%s")

    return render(
        request,
        "grants/counter.html",
        {
            "person": person,
            "organisations": list(organisations),
            "applications": selectors.applications_of_person(person=person),
            "calls": [(c, application_form(c)) for c in selectors.calls_for_keying(clerk=clerk)],
            "offers": [
                (o, remark_form(o)) for o in selectors.offers_for_keyed_remarks(clerk=clerk)
            ],
        },
        status=status,
    )


@login_required
def counter(request: HttpRequest, person_id: int) -> HttpResponse:
    """What the person files with the grants office, and keying in what they brought."""
    return _page(request, _person(request, person_id))


@require_POST
@login_required
def counter_application(request: HttpRequest, person_id: int) -> HttpResponse:
    """Start a paper application's draft; the clerk then keys in its parts and files it."""
    person = _person(request, person_id)
    call = Call.objects.filter(pk=parse_id(request.POST.get("call"), field="call")).first()
    if call is None:
        raise Http404
    form = KeyInApplicationForm(
        request.POST,
        organisations=organisations_acting_for(user=person),
        auto_id=f"call{call.pk}_%s",
    )
    if form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            application = services.application_start(
                user=person,
                call=call,
                applicant=data["applicant"],
                title=data["title"],
                on_behalf=OnBehalf(clerk=_clerk(request), channel=data["channel"]),
                received_at=data["received_at"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Utworzono wersję roboczą wniosku papierowego. Przepisz jego części z "
                    "formularza i złóż go — termin naboru liczy się od daty wpływu."
                ),
            )
            return redirect("grants:application_edit", grant_application_id=application.pk)
    return _page(request, person, bound=form, bound_target=call.pk, status=400)


@require_POST
@login_required
def counter_remark(request: HttpRequest, person_id: int) -> HttpResponse:
    """Key in a remark on a small-grant offer that came by post or was phoned in."""
    person = _person(request, person_id)
    offer = (
        Application.objects.filter(
            pk=parse_id(request.POST.get("offer"), field="offer"), remarks_from__isnull=False
        )
        .select_related("call")
        .first()
    )
    if offer is None:
        raise Http404
    form = KeyInRemarkForm(request.POST, auto_id=f"offer{offer.pk}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.remark_add(
                user=person,
                application=offer,
                text=data["text"],
                author_name="",
                on_behalf=OnBehalf(clerk=_clerk(request), channel=data["channel"]),
                received_at=data["received_at"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Uwagę zapisano; jest widoczna przy ofercie."))
            return redirect("grants:counter", person_id=person.pk)
    return _page(request, person, bound=form, bound_target=offer.pk, status=400)
