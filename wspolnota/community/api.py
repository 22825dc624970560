"""Read API of community places and events: ``/api/places``, ``/api/events``, ``/api/events.ics``."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from wspolnota.community import selectors
from wspolnota.community.errors import ADDRESS_NOT_FOUND
from wspolnota.community.ical import events_to_ical
from wspolnota.community.models import (
    Activity,
    Audience,
    Event,
    EventLanguage,
    OpeningHours,
    Place,
    PlaceKind,
    Programme,
)
from wspolnota.territory.selectors import district_get

# Mounted at the API root: the paths below are the public ones (``/api/places``, ``/api/events``).
API_PREFIX = "/"
router = Router()


class DistrictRef(Schema):
    number: int
    name: str


class LocationOut(Schema):
    lat: Decimal
    lon: Decimal


class HoursOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    opens: time
    closes: time


class AccessibilityOut(Schema):
    step_free: bool
    accessible_toilet: bool
    induction_loop: bool
    sign_language: bool = Field(description="service in Polish Sign Language (PJM)")
    note: str = Field("", description="accessibility notes as the operator gives them")


class ActivityOut(Schema):
    id: int
    title: str
    description: str
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    weekday_label: str
    starts_at: time
    ends_at: time
    audience: str
    price: Decimal
    capacity: int
    places_taken: int
    free_places: int
    waiting_list: int
    url: str

    @staticmethod
    def resolve_weekday_label(obj: Activity) -> str:
        return str(obj.get_weekday_display())

    @staticmethod
    def resolve_places_taken(obj: Activity) -> int:
        return int(getattr(obj, "confirmed_count", 0))

    @staticmethod
    def resolve_free_places(obj: Activity) -> int:
        return selectors.free_places(obj)

    @staticmethod
    def resolve_waiting_list(obj: Activity) -> int:
        return int(getattr(obj, "waitlist_count", 0))

    @staticmethod
    def resolve_url(obj: Activity) -> str:
        return reverse("community:activity_detail", args=[obj.pk])


class PlaceOut(Schema):
    id: int
    slug: str
    kind: str
    kind_label: str
    name: str
    address: str
    street_address: str
    postal_code: str
    town: str
    district: DistrictRef | None
    location: LocationOut | None
    operator: str
    phone: str
    email: str
    website: str
    hours: list[HoursOut]
    hours_note: str
    accessibility: AccessibilityOut
    opened_on: date | None
    activities: list[ActivityOut] = Field(
        description="recurring activities now running, with free places"
    )
    url: str
    distance_km: float | None = Field(
        None,
        description="great-circle distance from the point asked for (lat/lon or address); "
        "null without one, or when the place has no position",
    )

    @staticmethod
    def resolve_distance_km(obj: Place) -> float | None:
        distance = getattr(obj, "distance_km", None)
        return None if distance is None else round(float(distance), 3)

    @staticmethod
    def resolve_kind_label(obj: Place) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_district(obj: Place) -> DistrictRef | None:
        if obj.district is None:
            return None
        return DistrictRef(number=obj.district.number, name=obj.district.name)

    @staticmethod
    def resolve_location(obj: Place) -> LocationOut | None:
        if obj.latitude is None or obj.longitude is None:
            return None
        return LocationOut(lat=obj.latitude, lon=obj.longitude)

    @staticmethod
    def resolve_hours(obj: Place) -> list[HoursOut]:
        hours: list[OpeningHours] = list(obj.opening_hours.all())
        return [HoursOut(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in hours]

    @staticmethod
    def resolve_activities(obj: Place) -> list[Activity]:
        return list(obj.activities.all())

    @staticmethod
    def resolve_accessibility(obj: Place) -> AccessibilityOut:
        return AccessibilityOut(
            step_free=obj.step_free,
            accessible_toilet=obj.accessible_toilet,
            induction_loop=obj.induction_loop,
            sign_language=obj.sign_language,
            note=obj.accessibility_note,
        )

    @staticmethod
    def resolve_url(obj: Place) -> str:
        return reverse("community:place_detail", args=[obj.slug])


class PlaceQuery(Schema):
    kind: PlaceKind | None = Field(None, description="senior-centre, culture-centre, library, …")
    district: int | None = Field(None, ge=1, le=99, description="district number")
    step_free: bool | None = None
    induction_loop: bool | None = None
    sign_language: bool | None = None
    lat: Decimal | None = Field(None, ge=-90, le=90, description="measure distances from here")
    lon: Decimal | None = Field(None, ge=-180, le=180)
    address: str | None = Field(
        None,
        max_length=150,
        description="measure distances from this address (street and number, looked up in the "
        "city's address register)",
    )


@router.get(
    "places",
    response=list[PlaceOut],
    summary="Community places (CAS, libraries, …), nearest first when a point or address is given",
)
def places(request: HttpRequest, filters: Query[PlaceQuery]) -> list[Place]:
    if (filters.lat is None) != (filters.lon is None):
        raise HttpError(422, str(_("Podaj obie współrzędne albo żadnej.")))
    origin: selectors.NearOrigin | None = None
    if filters.lat is not None and filters.lon is not None:
        origin = selectors.NearOrigin(point=(float(filters.lat), float(filters.lon)))
    elif filters.address:
        origin = selectors.near_origin_for_address(text=filters.address)
        if origin is None:
            raise HttpError(422, str(ADDRESS_NOT_FOUND))
    district = district_get(number=filters.district) if filters.district else None
    if filters.district and district is None:
        return []
    access = [
        name for name in ("step_free", "induction_loop", "sign_language") if getattr(filters, name)
    ]
    found = selectors.place_list(
        kind=filters.kind.value if filters.kind else "", district=district, accessibility=access
    ).prefetch_related(
        Prefetch(
            "activities",
            queryset=selectors.activities_with_counts().filter(is_active=True),
        )
    )
    rows = selectors.places_from(origin=origin, places=found)
    for row in rows:
        row.place.distance_km = row.distance_km  # type: ignore[attr-defined]
    return [row.place for row in rows]


@router.get(
    "places/{slug}/activities",
    response=list[ActivityOut],
    summary="Recurring activities of one place, with free places",
)
def place_activities(request: HttpRequest, slug: str) -> list[Activity]:
    place = selectors.place_get(slug=slug, viewer=None)
    if place is None:
        raise Http404
    return list(place.activities.all())


class EventOut(Schema):
    id: int
    title: str
    description: str
    status: str
    starts_at: datetime
    ends_at: datetime
    organiser_kind: str
    organiser_name: str
    place: str | None
    where: str
    district: DistrictRef | None
    programme: str
    audience: str
    language: str
    price: Decimal
    capacity: int | None
    places_taken: int
    waiting_list: int
    step_free: bool
    induction_loop: bool
    sign_language: bool
    url: str
    ical: str

    @staticmethod
    def resolve_place(obj: Event) -> str | None:
        return obj.place.slug if obj.place else None

    @staticmethod
    def resolve_district(obj: Event) -> DistrictRef | None:
        if obj.district is None:
            return None
        return DistrictRef(number=obj.district.number, name=obj.district.name)

    @staticmethod
    def resolve_places_taken(obj: Event) -> int:
        return int(getattr(obj, "confirmed_count", 0))

    @staticmethod
    def resolve_waiting_list(obj: Event) -> int:
        return int(getattr(obj, "waitlist_count", 0))

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return reverse("community:event_detail", args=[obj.pk])

    @staticmethod
    def resolve_ical(obj: Event) -> str:
        return reverse("community:event_ical", args=[obj.pk])


class EventQuery(Schema):
    district: int | None = Field(None, ge=1, le=99, description="district number")
    audience: Audience | None = None
    programme: Programme | None = None
    language: EventLanguage | None = None
    price: str | None = Field(None, pattern="^(free|paid)$", description="free or paid")
    step_free: bool | None = None
    induction_loop: bool | None = None
    sign_language: bool | None = None
    date_from: date | None = None
    date_to: date | None = None


def _events(filters: EventQuery) -> list[Event]:
    district = district_get(number=filters.district) if filters.district else None
    if filters.district and district is None:
        return []
    chosen = selectors.EventFilters(
        district=district,
        audience=filters.audience.value if filters.audience else "",
        programme=filters.programme.value if filters.programme else "",
        language=filters.language.value if filters.language else "",
        price=filters.price or "",
        accessibility=tuple(
            name
            for name in ("step_free", "induction_loop", "sign_language")
            if getattr(filters, name)
        ),
        date_from=filters.date_from,
        date_to=filters.date_to,
    )
    return list(selectors.event_list(filters=chosen)[:500])


@router.get("events", response=list[EventOut], summary="Upcoming events (at most 500)")
def events(request: HttpRequest, filters: Query[EventQuery]) -> list[Event]:
    return _events(filters)


@router.get(
    "events.ics",
    summary="Upcoming events as an iCalendar feed",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/calendar": {}}}}},
)
def events_ical(request: HttpRequest, filters: Query[EventQuery]) -> HttpResponse:
    payload = events_to_ical(_events(filters), name="Wspólnota")
    return HttpResponse(payload, content_type="text/calendar; charset=utf-8")
