"""Pages of places (the registry, editing, the senior-centre import), rooms and room bookings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.community import permissions, selectors, services
from wspolnota.community.forms import (
    BookingDecisionForm,
    BookingForm,
    ImportForm,
    NearMeForm,
    PlaceFilterForm,
    PlaceForm,
    RoomForm,
)
from wspolnota.community.models import (
    PlaceKind,
    RoomBooking,
)
from wspolnota.community.views._common import (
    PAGE_SIZE,
    _signed_in,
    _status,
    _user,
)
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.territory.selectors import default_city, district_list


def place_list(request: HttpRequest) -> HttpResponse:
    filters = PlaceFilterForm(request.GET or None)
    near = NearMeForm(request.GET or None, person=_user(request))
    data = filters.cleaned_data if filters.is_valid() else {}
    places = selectors.place_list(
        kind=data.get("kind", ""),
        district=data.get("district"),
        accessibility=data.get("access", []),
        query=data.get("q", ""),
    )
    origin = near.origin if near.is_valid() else None
    rows = selectors.places_from(origin=origin, places=places)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    city = default_city()
    districts = list(district_list(city=city))
    place_map = selectors.place_map(
        places=[row.place for row in page],
        districts=districts,
        origin=origin.point if origin is not None else None,
    )
    numbers = {p.place.pk: p.number for p in place_map.points}
    return render(
        request,
        "community/place_list.html",
        {
            "filters": filters,
            "near": near,
            "page": page,
            "origin": origin,
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
