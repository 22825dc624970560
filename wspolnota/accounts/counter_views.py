"""The counter page (issue 17): a clerk finds or records a person without internet, sees what
they take part in, and acts for them in each app. Thin views over ``accounts.services``."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts import errors, permissions, selectors, services
from wspolnota.accounts.forms import (
    ConsentForm,
    ConversionStartForm,
    PersonForm,
    PersonSearchForm,
)
from wspolnota.accounts.models import Consent, User
from wspolnota.core.errors import DomainError, PermissionDeniedError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.participation import actions_for, participation_of


def _clerk(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not permissions.can_use_counter(user):
        raise PermissionDeniedError(
            _("Okienko jest dla urzędników i pracowników okienek oraz infolinii.")
        )
    return user


def _person(clerk: User, pk: int) -> User:
    """The person, for a clerk who identified them a short while ago (404 for nobody, 403 with
    a hint to search first otherwise: the number alone opens nothing)."""
    person = User.objects.filter(pk=pk, deleted_at__isnull=True).select_related("district").first()
    if person is None:
        raise Http404
    if not permissions.can_see_person(clerk, person):
        raise PermissionDeniedError(errors.COUNTER_FIND_FIRST)
    return person


@login_required
def counter_home(request: HttpRequest) -> HttpResponse:
    clerk = _clerk(request)
    form = PersonSearchForm(request.GET or None)
    found: list[User] | None = None
    too_many = False
    if request.GET and form.is_valid():
        data = form.cleaned_data
        found, too_many = services.counter_search(
            clerk=clerk,
            purpose=data["purpose"],
            surname=data["surname"],
            phone=data["phone"],
            postcode=data["postcode"],
            street=data["street"],
            email=data["email"],
        )
    return render(
        request,
        "accounts/counter/home.html",
        {"form": form, "found": found, "too_many": too_many},
        status=400 if form.errors else 200,
    )


@login_required
def counter_person_new(request: HttpRequest) -> HttpResponse:
    clerk = _clerk(request)
    initial = (
        {"full_name": request.GET.get("surname", "")[:150]} if request.method == "GET" else None
    )
    form = PersonForm(request.POST if request.method == "POST" else None, initial=initial)
    duplicates: list[User] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        duplicates = selectors.person_duplicates(
            full_name=data["full_name"],
            mobile=data["mobile"],
            landline_phone=data["landline_phone"],
            street=data["address_street"],
            postcode=data["address_postcode"],
        )
        services.counter_duplicates_shown(clerk=clerk, people=duplicates)
        if not duplicates or data["confirm_new"]:
            try:
                person = services.person_create(
                    clerk=clerk,
                    full_name=data["full_name"],
                    district=data["district"],
                    address_street=data["address_street"],
                    address_postcode=data["address_postcode"],
                    address_city=data["address_city"],
                    landline_phone=data["landline_phone"],
                    mobile=data["mobile"],
                    email=data["email"],
                    reply_channel=data["reply_channel"],
                    channel=data["channel"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Osoba została zapisana."))
                return redirect("counter:person", pk=person.pk)
    return render(
        request,
        "accounts/counter/person_new.html",
        {"form": form, "duplicates": duplicates},
        status=400 if form.errors else 200,
    )


@login_required
def counter_person(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = _clerk(request)
    person = _person(clerk, pk)
    access = services.counter_person_open(clerk=clerk, person=person)
    return render(
        request,
        "accounts/counter/person.html",
        {
            "person": person,
            "rows": participation_of(person),
            "actions": actions_for(person, clerk),
            "consents": person.consents.filter(withdrawn_at__isnull=True),
            "consent_form": ConsentForm(),
            "access": access,
        },
    )


@require_POST
@login_required
def counter_consent_record(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = _clerk(request)
    person = _person(clerk, pk)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.consent_record(
                clerk=clerk,
                person=person,
                purpose=form.cleaned_data["purpose"],
                channel=form.cleaned_data["channel"],
                reply_channel=person.reply_channel,
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Zgoda została zapisana."))
    else:
        messages.error(request, _("Wybierz cel zgody i sposób, w jaki osoba ją wyraziła."))
    return redirect("counter:person", pk=person.pk)


@require_POST
@login_required
def counter_consent_withdraw(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    clerk = _clerk(request)
    person = _person(clerk, pk)
    consent = Consent.objects.filter(pk=consent_id, person=person).first()
    if consent is None:
        raise Http404
    from wspolnota.core.onbehalf import CLERK_CHANNELS, Channel

    channel = request.POST.get("channel", Channel.COUNTER)
    if channel not in CLERK_CHANNELS:
        channel = Channel.COUNTER
    try:
        services.consent_withdraw(clerk=clerk, consent=consent, channel=channel)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Zgoda została wycofana."))
    return redirect("counter:person", pk=person.pk)


def _act_channel(request: HttpRequest) -> str:
    from wspolnota.core.onbehalf import CLERK_CHANNELS, Channel

    channel = request.POST.get("channel", Channel.COUNTER)
    return channel if channel in CLERK_CHANNELS else Channel.COUNTER


@require_POST
@login_required
def counter_person_export(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = _clerk(request)
    person = _person(clerk, pk)
    try:
        payload = services.person_export(clerk=clerk, person=person, channel=_act_channel(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("counter:person", pk=person.pk)
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="wspolnota-dane-osoby-{person.pk}.json"'
    )
    return response


@require_POST
@login_required
def counter_person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = _clerk(request)
    person = _person(clerk, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Zaznacz, że osoba prosi o usunięcie swoich danych."))
        return redirect("counter:person", pk=person.pk)
    try:
        services.person_erase(clerk=clerk, person=person, channel=_act_channel(request))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("counter:person", pk=person.pk)
    messages.success(request, _("Dane osoby zostały usunięte."))
    return redirect("counter:home")


@login_required
def counter_person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    clerk = _clerk(request)
    person = _person(clerk, pk)
    if not person.kept_by_city:
        raise PermissionDeniedError(_("Ta osoba ma własne konto: jej dane zmienia ona sama."))
    initial = {
        "full_name": person.full_name,
        "address_street": person.address_street,
        "address_postcode": person.address_postcode,
        "address_city": person.address_city,
        "landline_phone": person.landline_phone,
        "mobile": person.phone,
        "email": person.email or "",
        "reply_channel": person.reply_channel,
        "district": person.district,
    }
    form = PersonForm(request.POST if request.method == "POST" else None, initial=initial)
    del form.fields["confirm_new"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_update(
                clerk=clerk,
                person=person,
                full_name=data["full_name"],
                district=data["district"],
                address_street=data["address_street"],
                address_postcode=data["address_postcode"],
                address_city=data["address_city"],
                landline_phone=data["landline_phone"],
                mobile=data["mobile"],
                email=data["email"],
                reply_channel=data["reply_channel"],
                channel=data["channel"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano zmiany."))
            return redirect("counter:person", pk=person.pk)
    return render(
        request,
        "accounts/counter/person_edit.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@login_required
def counter_person_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an account for a person kept by the city: a link to their e-mail, and their
    identity confirmed here (a document) or by a code sent by letter."""
    clerk = _clerk(request)
    person = _person(clerk, pk)
    if not person.kept_by_city:
        raise PermissionDeniedError(errors.NOT_A_KEPT_PERSON)
    form = ConversionStartForm(
        request.POST if request.method == "POST" else None,
        initial={"email": person.email or "", "method": "counter", "channel": "counter"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.person_conversion_start(
                clerk=clerk,
                person=person,
                email=data["email"],
                method=data["method"],
                identity_checked=data["identity_checked"],
                channel=data["channel"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Wysłaliśmy link na podany adres e-mail. Konto powstanie, gdy osoba go "
                    "otworzy i ustawi hasło; cała jej historia zostanie przy koncie."
                ),
            )
            return redirect("counter:person", pk=person.pk)
    return render(
        request,
        "accounts/counter/person_account.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )
