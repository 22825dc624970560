from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from wspolnota.accounts.models import User
from wspolnota.community import documents, permissions, selectors, services
from wspolnota.community.forms import (
    ActivityForm,
    AgreementSignForm,
    ApplyForm,
    BookingDecisionForm,
    BookingForm,
    EventFilterForm,
    EventForm,
    HoursForm,
    ImportForm,
    NearMeForm,
    OfferFilterForm,
    OfferForm,
    OnBehalfForm,
    PlaceFilterForm,
    PlaceForm,
    ReasonForm,
    RoomForm,
    VolunteerOnBehalfForm,
    VolunteerProfileForm,
)
from wspolnota.community.ical import events_to_ical
from wspolnota.community.models import (
    Activity,
    Event,
    PlaceKind,
    RegistrationStatus,
    RoomBooking,
    VolunteerAgreement,
    VolunteerHours,
    VolunteerProfile,
)
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.territory.selectors import default_city, district_list

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _signed_in(request: HttpRequest) -> User:
    user = _user(request)
    if user is None:  # login_required runs first; this narrows the type
        raise PermissionDenied
    return user


def _status(form: Any) -> int:
    return 400 if form.errors else 200


def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "community/index.html",
        {
            "kinds": [
                {"value": value, "label": label, "count": count}
                for value, label in PlaceKind.choices
                for count in [selectors.place_kind_counts().get(value, 0)]
            ],
            "events": list(selectors.event_list()[:5]),
            "offers": list(selectors.offer_list()[:5]),
            "can_manage_places": permissions.can_manage_places(request.user),
            "can_review_bookings": permissions.can_review_bookings(request.user),
            "can_create_event": permissions.can_create_event(request.user),
            "can_create_offer": permissions.can_create_offer(request.user),
        },
    )


# --- Places ---------------------------------------------------------------------------------------


def place_list(request: HttpRequest) -> HttpResponse:
    filters = PlaceFilterForm(request.GET or None)
    near = NearMeForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    near_data = near.cleaned_data if near.is_valid() else {}
    places = selectors.place_list(
        kind=data.get("kind", ""),
        district=data.get("district"),
        accessibility=data.get("access", []),
        query=data.get("q", ""),
    )
    point: tuple[float, float] | None = None
    if near_data.get("lat") is not None and near_data.get("lon") is not None:
        point = (float(near_data["lat"]), float(near_data["lon"]))
    elif near_data.get("near_district") is not None:
        point = selectors.district_centre(district=near_data["near_district"])
    elif "near" in request.GET and _user(request) and _user(request).district:  # type: ignore[union-attr]
        point = selectors.district_centre(district=_user(request).district)  # type: ignore[union-attr, arg-type]
    rows: list[Any]
    if point is not None:
        rows = selectors.places_near(lat=point[0], lon=point[1], places=places)
    else:
        rows = [selectors.NearbyPlace(p, -1.0) for p in places]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    city = default_city()
    districts = list(district_list(city=city))
    place_map = selectors.place_map(places=[row.place for row in page], districts=districts)
    numbers = {p.place.pk: p.number for p in place_map.points}
    return render(
        request,
        "community/place_list.html",
        {
            "filters": filters,
            "near": near,
            "page": page,
            "point": point,
            "place_map": place_map,
            "rows": [
                {
                    "place": row.place,
                    "distance_km": row.distance_km,
                    "number": numbers.get(row.place.pk),
                }
                for row in page
            ],
            "can_manage_places": permissions.can_manage_places(request.user),
            "kind_labels": dict(PlaceKind.choices),
        },
        status=400 if (filters.errors or near.errors) else 200,
    )


def place_detail(request: HttpRequest, place_slug: str) -> HttpResponse:
    place = selectors.place_get(slug=place_slug, viewer=request.user)
    if place is None:
        raise Http404
    events = list(selectors.event_list(filters=selectors.EventFilters(place=place))[:10])
    can_edit = permissions.can_edit_place(request.user, place)
    return render(
        request,
        "community/place_detail.html",
        {
            "place": place,
            "events": events,
            "can_edit": can_edit,
            "ended_activities": list(selectors.ended_activities(place=place)) if can_edit else [],
        },
    )


@login_required
def place_edit(request: HttpRequest, place_slug: str | None = None) -> HttpResponse:
    user = _signed_in(request)
    place = selectors.place_get(slug=place_slug, viewer=user) if place_slug else None
    if place_slug and place is None:
        raise Http404
    allowed = (
        permissions.can_edit_place(user, place) if place else permissions.can_manage_places(user)
    )
    if not allowed:
        raise PermissionDenied
    initial = {}
    if place is not None:
        initial["hours_text"] = services.format_opening_hours(
            [(h.weekday, h.opens, h.closes) for h in place.opening_hours.all()]
        )
    form = PlaceForm(request.POST or None, instance=place, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "hours_text"}
        try:
            saved = services.place_save(
                actor=user,
                place=place,
                fields=fields,
                hours_text=form.cleaned_data["hours_text"],
            )
        except DomainError as exc:
            if exc.field is None and "%(value)s" in str(exc.message):
                exc.field = "hours_text"
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano miejsce."))
            return redirect("community:place_detail", place_slug=saved.slug)
    return render(
        request, "community/place_form.html", {"form": form, "place": place}, status=_status(form)
    )


@login_required
def place_import(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not permissions.can_manage_places(user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.senior_centres_import(
                actor=user, content=upload.read(services.MAX_IMPORT_BYTES + 1)
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zaimportowano listę Centrów Aktywności Seniorów."))
    return render(
        request,
        "community/place_import.html",
        {"form": form, "report": report, "counts": selectors.senior_centre_count_by_year()},
        status=_status(form),
    )


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


# --- Rooms ----------------------------------------------------------------------------------------


def room_list(request: HttpRequest) -> HttpResponse:
    filters = PlaceFilterForm(request.GET or None)
    district = filters.cleaned_data.get("district") if filters.is_valid() else None
    page = Paginator(selectors.room_list(district=district), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/room_list.html",
        {
            "filters": filters,
            "page": page,
            "can_review": permissions.can_review_bookings(request.user),
        },
    )


def room_detail(request: HttpRequest, room_id: int) -> HttpResponse:
    room = selectors.room_get(pk=room_id)
    if room is None:
        raise Http404
    user = _user(request)
    form = BookingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if user is None:
            return redirect_to_login(request.get_full_path())
        if form.is_valid():
            try:
                services.room_booking_request(user=user, room=room, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Wysłano wniosek o rezerwację. Termin czeka na Ciebie do decyzji urzędnika."),
                )
                return redirect("community:my_activity")
        status = 400
    now = timezone.now()
    return render(
        request,
        "community/room_detail.html",
        {
            "room": room,
            "form": form,
            "schedule": selectors.room_schedule(room=room, start=now),
            "can_request": user is not None and permissions.can_request_room(user, room, at=now),
            "can_edit": permissions.can_edit_place(request.user, room.place),
        },
        status=status,
    )


@login_required
def room_edit(
    request: HttpRequest, place_slug: str | None = None, room_id: int | None = None
) -> HttpResponse:
    user = _signed_in(request)
    room = selectors.room_get(pk=room_id) if room_id else None
    if room_id and room is None:
        raise Http404
    place = room.place if room else selectors.place_get(slug=place_slug or "", viewer=user)
    if place is None:
        raise Http404
    if not permissions.can_edit_place(user, place):
        raise PermissionDenied
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.room_save(actor=user, place=place, room=room, fields=form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano salę."))
            return redirect("community:room_detail", room_id=saved.pk)
    return render(
        request,
        "community/room_form.html",
        {"form": form, "room": room, "place": place},
        status=_status(form),
    )


@login_required
def booking_review(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not permissions.can_review_bookings(user):
        raise PermissionDenied
    page = Paginator(selectors.bookings_to_review(viewer=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/booking_review.html",
        {"page": page, "form": BookingDecisionForm()},
    )


def _booking(booking_id: int) -> RoomBooking:
    booking = (
        RoomBooking.objects.select_related("room", "room__place", "requested_by")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


@login_required
def booking_decide(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = _signed_in(request)
    booking = _booking(booking_id)
    if not permissions.can_decide_booking(user, booking):
        raise PermissionDenied
    form = BookingDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_booking_decide(
                actor=user,
                booking=booking,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano decyzję i powiadomiono wnioskodawcę."))
            return redirect("community:booking_review")
    return render(
        request,
        "community/booking_decide.html",
        {"form": form, "booking": booking},
        status=_status(form),
    )


@require_POST
@login_required
def booking_cancel(request: HttpRequest, booking_id: int) -> HttpResponse:
    user = _signed_in(request)
    booking = _booking(booking_id)
    services.room_booking_cancel(
        actor=user, booking=booking, reason=request.POST.get("reason", "")[:500]
    )
    messages.success(request, _("Rezerwacja została anulowana."))
    return redirect("community:my_activity")


@login_required
def my_activity(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    return render(
        request,
        "community/my_activity.html",
        {
            "bookings": list(selectors.bookings_of(user=user)[:50]),
            "registrations": list(selectors.registrations_of(user=user)[:50]),
            "activity_signups": list(selectors.activity_signups_of(user=user)[:50]),
            "applications": list(selectors.applications_of(user=user)[:50]),
            "now": timezone.now(),
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


# --- Volunteering ---------------------------------------------------------------------------------


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
    user = _signed_in(request)
    application = _application(request, application_id)
    document = VolunteerAgreement.objects.filter(application=application).first()
    if document is None:
        raise Http404
    is_organiser = permissions.can_manage_offer(user, application.offer)
    is_volunteer = application.volunteer_id == user.pk
    form = AgreementSignForm(
        request.POST or None, initial={"guardian_name": document.guardian_name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            if is_organiser and not document.organiser_signed_at:
                services.volunteer_agreement_sign_as_organiser(
                    actor=user, agreement=document, guardian_name=form.cleaned_data["guardian_name"]
                )
            elif is_volunteer:
                services.volunteer_agreement_sign_as_volunteer(user=user, agreement=document)
            else:
                raise PermissionDenied
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Podpisano porozumienie."))
            return redirect("community:agreement", application_id=application.pk)
    return render(
        request,
        "community/agreement.html",
        {
            "application": application,
            "offer": application.offer,
            "agreement": document,
            "form": form,
            "can_sign": (is_organiser and not document.organiser_signed_at)
            or (is_volunteer and not document.volunteer_signed_at),
            "is_organiser": is_organiser,
        },
        status=_status(form),
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


# --- At the counter: acting for a person (issue 17) ----------------------------------------------


def _person(request: HttpRequest, person_id: int) -> User:
    """The person a clerk acts for; 404 for anyone who may not see them."""
    from wspolnota.accounts.permissions import can_see_person

    person = User.objects.filter(pk=person_id).first()
    if person is None or not can_see_person(request.user, person):
        raise Http404
    return person


def _counter_page(
    request: HttpRequest,
    person: User,
    *,
    volunteer_form: VolunteerOnBehalfForm | None = None,
    volunteer_offer_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    clerk = _signed_in(request)
    choices = selectors.counter_choices(clerk=clerk, at=timezone.now())
    offer_forms = [
        (
            offer,
            volunteer_form
            if volunteer_form is not None and offer.pk == volunteer_offer_id
            else VolunteerOnBehalfForm(auto_id=f"offer{offer.pk}_%s"),
        )
        for offer in choices.offers
    ]
    return render(
        request,
        "community/counter.html",
        {
            "person": person,
            "participation": selectors.participation_of(person=person),
            "choices": choices,
            "channels": OnBehalfForm.base_fields["channel"].choices,  # type: ignore[attr-defined]
            "offer_forms": offer_forms,
        },
        status=status,
    )


@login_required
def counter(request: HttpRequest, person_id: int) -> HttpResponse:
    """What the person takes part in at the places of the clerk's units, and signing them up."""
    return _counter_page(request, _person(request, person_id))


_COUNTER_DONE = {
    "activity": gettext_lazy("Zapisano osobę na zajęcia."),
    "event": gettext_lazy("Zapisano osobę na wydarzenie."),
    "activity_cancel": gettext_lazy("Wypisano osobę z zajęć."),
    "event_cancel": gettext_lazy("Wypisano osobę z wydarzenia."),
    "offer": gettext_lazy("Zapisano zgłoszenie wolontariusza."),
}


@require_POST
@login_required
def counter_act(request: HttpRequest, person_id: int) -> HttpResponse:
    """Sign the person up for (or out of) an activity or an event, or record them as a
    volunteer for an offer; the services check the clerk's unit and the online rules."""
    from wspolnota.core.onbehalf import OnBehalf
    from wspolnota.core.parsing import parse_choice, parse_id

    clerk = _signed_in(request)
    person = _person(request, person_id)
    what = parse_choice(request.POST.get("what"), list(_COUNTER_DONE), field="what")
    target = parse_id(request.POST.get("target"), field="target")
    if what == "offer":
        form: OnBehalfForm = VolunteerOnBehalfForm(request.POST, auto_id=f"offer{target}_%s")
    else:
        form = OnBehalfForm(request.POST)
    if not form.is_valid():
        if what == "offer":
            return _counter_page(
                request,
                person,
                volunteer_form=form,  # type: ignore[arg-type]
                volunteer_offer_id=target,
                status=400,
            )
        messages.error(request, _("Wybierz, jak osoba się zgłosiła."))
        return redirect("community:counter", person_id=person.pk)
    on_behalf = OnBehalf(clerk=clerk, channel=form.cleaned_data["channel"])
    try:
        if what in ("activity", "activity_cancel"):
            activity = selectors.activity_get(pk=target)
            if activity is None:
                raise Http404
            if what == "activity":
                done = services.activity_sign_up(
                    user=person, activity=activity, on_behalf=on_behalf
                )
            else:
                done = services.activity_signup_cancel(
                    user=person, activity=activity, on_behalf=on_behalf
                )
        elif what in ("event", "event_cancel"):
            event = selectors.event_get(pk=target)
            if event is None:
                raise Http404
            if what == "event":
                done = services.event_register(user=person, event=event, on_behalf=on_behalf)
            else:
                done = services.event_registration_cancel(
                    user=person, event=event, on_behalf=on_behalf
                )
        else:
            offer = selectors.offer_get(pk=target)
            if offer is None:
                raise Http404
            done = services.volunteer_record(
                on_behalf=on_behalf,
                person=person,
                offer=offer,
                birth_date=form.cleaned_data["birth_date"],
                message=form.cleaned_data.get("message", ""),
            )
    except DomainError as exc:
        if what == "offer":
            apply_domain_error(form, exc)
            return _counter_page(
                request,
                person,
                volunteer_form=form,  # type: ignore[arg-type]
                volunteer_offer_id=target,
                status=400,
            )
        messages.error(request, str(exc))
    else:
        if getattr(done, "status", "") == RegistrationStatus.WAITLISTED:
            messages.success(
                request,
                _(
                    "Wszystkie miejsca są zajęte: osoba jest na liście rezerwowej. Gdy zwolni "
                    "się miejsce, dostanie je automatycznie i zostanie powiadomiona tak, jak "
                    "wybrała."
                ),
            )
        else:
            messages.success(request, _COUNTER_DONE[what])
    return redirect("community:counter", person_id=person.pk)
