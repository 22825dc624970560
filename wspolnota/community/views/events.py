"""Pages of events and recurring activities: lists, details, iCalendar, signing up and leaving,
editing, cancelling and participant lists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wspolnota.community import permissions, selectors, services
from wspolnota.community.forms import (
    ActivityForm,
    EventFilterForm,
    EventForm,
    ReasonForm,
)
from wspolnota.community.ical import events_to_ical
from wspolnota.community.models import (
    Activity,
    Event,
    RegistrationStatus,
)
from wspolnota.community.views._common import (
    PAGE_SIZE,
    _signed_in,
    _status,
)
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error

# --- Recurring activities -------------------------------------------------------------------------


def _activity(request: HttpRequest, activity_id: int) -> Activity:
    activity = selectors.activity_get(pk=activity_id)
    if activity is None or not permissions.can_view_activity(request.user, activity):
        raise Http404
    return activity


def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = _activity(request, activity_id)
    signup = selectors.activity_signup_of(user=request.user, activity=activity)
    position = (
        selectors.activity_waitlist_position(signup=signup)
        if signup and signup.status == RegistrationStatus.WAITLISTED
        else None
    )
    now = timezone.now()
    return render(
        request,
        "community/activity_detail.html",
        {
            "activity": activity,
            "place": activity.place,
            "signup": signup,
            "position": position,
            "free_places": selectors.free_places(activity),
            "can_sign_up": signup is None
            and permissions.can_sign_up_for_activity(request.user, activity, at=now),
            "can_manage": permissions.can_manage_activities(request.user, activity.place),
        },
    )


@login_required
def activity_edit(
    request: HttpRequest, place_slug: str | None = None, activity_id: int | None = None
) -> HttpResponse:
    user = _signed_in(request)
    activity = _activity(request, activity_id) if activity_id else None
    place = activity.place if activity else selectors.place_get(slug=place_slug or "", viewer=user)
    if place is None:
        raise Http404
    if not permissions.can_manage_activities(user, place):
        raise PermissionDenied
    if activity is not None and not activity.is_active:
        messages.error(request, _("Te zajęcia zostały już zakończone."))
        return redirect("community:activity_detail", activity_id=activity.pk)
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.activity_save(
                actor=user, place=place, activity=activity, fields=form.cleaned_data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano zajęcia."))
            return redirect("community:activity_detail", activity_id=saved.pk)
    return render(
        request,
        "community/activity_form.html",
        {"form": form, "activity": activity, "place": place},
        status=_status(form),
    )


@login_required
def activity_end(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = _signed_in(request)
    activity = _activity(request, activity_id)
    if not permissions.can_manage_activities(user, activity.place):
        raise PermissionDenied
    if not activity.is_active:
        messages.error(request, _("Te zajęcia zostały już zakończone."))
        return redirect("community:activity_detail", activity_id=activity.pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_end(actor=user, activity=activity, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Zajęcia zostały zakończone; zapisane osoby dostaną wiadomość.")
            )
            return redirect("community:place_detail", place_slug=activity.place.slug)
    return render(
        request,
        "community/activity_end.html",
        {"form": form, "activity": activity},
        status=_status(form),
    )


@require_POST
@login_required
def activity_sign_up(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = _signed_in(request)
    activity = _activity(request, activity_id)
    try:
        signup = services.activity_sign_up(user=user, activity=activity)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if signup.status == RegistrationStatus.CONFIRMED:
            messages.success(request, _("Zapisano Cię na zajęcia. Do zobaczenia!"))
        else:
            messages.success(
                request,
                _(
                    "Wszystkie miejsca są zajęte. Dopisaliśmy Cię do listy rezerwowej — gdy zwolni się miejsce, dostaniesz je automatycznie i powiadomimy Cię."
                ),
            )
    return redirect("community:activity_detail", activity_id=activity.pk)


@require_POST
@login_required
def activity_leave(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = _signed_in(request)
    activity = _activity(request, activity_id)
    try:
        services.activity_signup_cancel(user=user, activity=activity)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Wypisano Cię z zajęć."))
    return redirect("community:activity_detail", activity_id=activity.pk)


@login_required
def activity_participants(request: HttpRequest, activity_id: int) -> HttpResponse:
    user = _signed_in(request)
    activity = _activity(request, activity_id)
    if not permissions.can_manage_activities(user, activity.place):
        raise PermissionDenied
    return render(
        request,
        "community/activity_participants.html",
        {
            "activity": activity,
            "signups": list(selectors.activity_signups(activity=activity)),
            "free_places": selectors.free_places(activity),
        },
    )


# --- Events ---------------------------------------------------------------------------------------


def _event_filters(form: EventFilterForm) -> selectors.EventFilters:
    if not form.is_valid():
        return selectors.EventFilters()
    data = form.cleaned_data
    return selectors.EventFilters(
        district=data.get("district"),
        audience=data.get("audience", ""),
        programme=data.get("programme", ""),
        language=data.get("language", ""),
        price=data.get("price", ""),
        accessibility=tuple(data.get("access", [])),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        query=data.get("q", ""),
    )


def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = selectors.event_list(filters=_event_filters(form))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "community/event_list.html",
        {
            "form": form,
            "page": page,
            "ical_query": query.urlencode(),
            "can_create": permissions.can_create_event(request.user),
        },
        status=_status(form),
    )


def _ical_response(payload: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(payload, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def event_list_ical(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    events = selectors.event_list(filters=_event_filters(form))[:500]
    return _ical_response(
        events_to_ical(events, name=_("Wydarzenia — Wspólnota")), "wydarzenia.ics"
    )


def _event(request: HttpRequest, event_id: int) -> Event:
    event = selectors.event_get(pk=event_id)
    if event is None or not permissions.can_view_event(request.user, event):
        raise Http404
    return event


@require_GET
def event_ical(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    return _ical_response(events_to_ical([event], name=event.title), f"wydarzenie-{event.pk}.ics")


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event(request, event_id)
    registration = selectors.registration_of(user=request.user, event=event)
    position = (
        selectors.waitlist_position(registration=registration)
        if registration and registration.status == RegistrationStatus.WAITLISTED
        else None
    )
    now = timezone.now()
    return render(
        request,
        "community/event_detail.html",
        {
            "event": event,
            "registration": registration,
            "position": position,
            "can_register": permissions.can_register_for_event(request.user, event, at=now)
            and registration is None,
            "registration_open": event.capacity is not None and event.starts_at > now,
            "free_places": max((event.capacity or 0) - event.confirmed_count, 0),  # type: ignore[attr-defined]
            "can_edit": permissions.can_edit_event(request.user, event),
        },
    )


@require_POST
@login_required
def event_register(request: HttpRequest, event_id: int) -> HttpResponse:
    user = _signed_in(request)
    event = _event(request, event_id)
    try:
        registration = services.event_register(user=user, event=event)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, _("Zapisano Cię na wydarzenie. Do zobaczenia!"))
        else:
            messages.success(
                request,
                _(
                    "Wszystkie miejsca są zajęte. Dopisaliśmy Cię do listy rezerwowej — gdy zwolni się miejsce, dostaniesz je automatycznie i powiadomimy Cię."
                ),
            )
    return redirect("community:event_detail", event_id=event.pk)


@require_POST
@login_required
def event_unregister(request: HttpRequest, event_id: int) -> HttpResponse:
    user = _signed_in(request)
    event = _event(request, event_id)
    try:
        services.event_registration_cancel(user=user, event=event)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Wypisano Cię z wydarzenia."))
    return redirect("community:event_detail", event_id=event.pk)


@login_required
def event_edit(request: HttpRequest, event_id: int | None = None) -> HttpResponse:
    user = _signed_in(request)
    event = _event(request, event_id) if event_id else None
    allowed = (
        permissions.can_edit_event(user, event) if event else permissions.can_create_event(user)
    )
    if not allowed:
        raise PermissionDenied
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.event_save(actor=user, event=event, fields=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano wydarzenie."))
            return redirect("community:event_detail", event_id=saved.pk)
    return render(
        request, "community/event_form.html", {"form": form, "event": event}, status=_status(form)
    )


@login_required
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    user = _signed_in(request)
    event = _event(request, event_id)
    if not permissions.can_edit_event(user, event):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.event_cancel(actor=user, event=event, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Wydarzenie zostało odwołane; zapisane osoby dostaną wiadomość.")
            )
            return redirect("community:event_detail", event_id=event.pk)
    return render(
        request, "community/event_cancel.html", {"form": form, "event": event}, status=_status(form)
    )


@login_required
def event_participants(request: HttpRequest, event_id: int) -> HttpResponse:
    user = _signed_in(request)
    event = _event(request, event_id)
    if not permissions.can_edit_event(user, event):
        raise PermissionDenied
    return render(
        request,
        "community/event_participants.html",
        {"event": event, "registrations": list(selectors.event_registrations(event=event))},
    )


@login_required
def events_managed(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not permissions.can_create_event(user):
        raise PermissionDenied
    page = Paginator(selectors.events_managed_by(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "community/events_managed.html", {"page": page})
