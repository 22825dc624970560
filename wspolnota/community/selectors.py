"""Reads of the community app: places (list, map, near me), rooms, events and volunteering."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from shapely.geometry import shape

from wspolnota.accounts.permissions import is_administrator, unit_ids
from wspolnota.community import permissions
from wspolnota.community.models import (
    ACTIVE_BOOKING_STATUSES,
    Activity,
    ActivitySignup,
    ApplicationStatus,
    BookingStatus,
    Event,
    EventRegistration,
    EventStatus,
    HoursStatus,
    OfferStatus,
    Place,
    PlaceKind,
    RegistrationStatus,
    Room,
    RoomBooking,
    VolunteerApplication,
    VolunteerHours,
    VolunteerOffer,
    VolunteerProfile,
)
from wspolnota.territory.models import District
from wspolnota.territory.selectors import address_locate

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

ACCESSIBILITY_FIELDS = ("step_free", "accessible_toilet", "induction_loop", "sign_language")


# --- Places ---------------------------------------------------------------------------------------


def place_list(
    *,
    kind: str = "",
    district: District | None = None,
    accessibility: Iterable[str] = (),
    query: str = "",
    include_unpublished: bool = False,
    include_closed: bool = False,
    on: date | None = None,
) -> QuerySet[Place]:
    """Places with their district and opening hours in three queries, whatever the count."""
    places = Place.objects.select_related("district").prefetch_related("opening_hours")
    if not include_unpublished:
        places = places.filter(is_published=True)
    if not include_closed:
        today = on or timezone.localdate()
        places = places.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=today))
    if kind:
        places = places.filter(kind=kind)
    if district is not None:
        places = places.filter(district=district)
    for flag in accessibility:
        if flag in ACCESSIBILITY_FIELDS:
            places = places.filter(**{flag: True})
    if query:
        places = places.filter(
            Q(name__icontains=query)
            | Q(street_address__icontains=query)
            | Q(operator__icontains=query)
        )
    return places.order_by("name", "id")


def place_get(*, slug: str, viewer: User | Any = None) -> Place | None:
    place = (
        Place.objects.select_related("district")
        .prefetch_related(
            "opening_hours",
            Prefetch("activities", queryset=activities_with_counts().filter(is_active=True)),
            Prefetch("rooms", queryset=Room.objects.order_by("name")),
        )
        .filter(slug=slug)
        .first()
    )
    if place is None:
        return None
    if not place.is_published and not permissions.can_edit_place(viewer, place):
        return None
    return place


def place_kind_counts() -> dict[str, int]:
    rows = (
        Place.objects.filter(is_published=True, closed_on__isnull=True)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["kind"]: row["n"] for row in rows}


@dataclass(frozen=True)
class NearbyPlace:
    place: Place
    # None when it cannot be measured: no point to measure from, or the place has no position.
    distance_km: float | None


@dataclass(frozen=True)
class NearOrigin:
    """Where "near me" measures from (issue 21).

    A point (coordinates the person gave, or the point of their address in the city's address
    register) gives distances. A district alone gives only an order, its own places first: the
    distance is unknown, and it is said so rather than measured from some point of the district.
    """

    point: tuple[float, float] | None = None
    district: District | None = None
    address: str = ""  # the address the point belongs to, as found in the register

    @property
    def measures(self) -> bool:
        return self.point is not None


def near_origin_for_address(*, text: str) -> NearOrigin | None:
    """The point of an address in the city's address register; None when it is not there."""
    located = address_locate(text=text)
    if located is None:
        return None
    return NearOrigin(
        point=(float(located.latitude), float(located.longitude)),
        district=located.district,
        address=str(located.point),
    )


def near_origin_for_person(*, person: User) -> NearOrigin | None:
    """ "Near me" for a signed-in person: from their address's point when the register has it,
    otherwise only their district (distances unknown); None when neither is known."""
    if person.address_street:
        origin = near_origin_for_address(text=person.address_street)
        if origin is not None:
            return origin
    if person.district_id:
        return NearOrigin(district=person.district)
    return None


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def places_near(
    *, lat: float, lon: float, places: QuerySet[Place], limit: int | None = None
) -> list[NearbyPlace]:
    """The places nearest to a point, closest first (great-circle distance); places without a
    position follow, by name, with their distance unknown (they are not dropped)."""
    ranked: list[NearbyPlace] = []
    unplaced: list[NearbyPlace] = []
    for place in places:
        if place.latitude is None or place.longitude is None:
            unplaced.append(NearbyPlace(place, None))
        else:
            distance = _haversine_km(lat, lon, float(place.latitude), float(place.longitude))
            ranked.append(NearbyPlace(place, distance))
    ranked.sort(key=lambda item: (item.distance_km or 0.0, item.place.name))
    unplaced.sort(key=lambda item: item.place.name)
    rows = ranked + unplaced
    return rows if limit is None else rows[:limit]


def places_district_first(*, district: District, places: QuerySet[Place]) -> list[NearbyPlace]:
    """The district's own places first, then the others (each group by name); no distances."""
    rows = [NearbyPlace(place, None) for place in places]
    rows.sort(key=lambda item: (item.place.district_id != district.pk, item.place.name))
    return rows


def places_from(*, origin: NearOrigin | None, places: QuerySet[Place]) -> list[NearbyPlace]:
    """The places as "near me" lists them from an origin (or in their usual order without one)."""
    if origin is not None and origin.point is not None:
        return places_near(lat=origin.point[0], lon=origin.point[1], places=places)
    if origin is not None and origin.district is not None:
        return places_district_first(district=origin.district, places=places)
    return [NearbyPlace(place, None) for place in places]


@dataclass(frozen=True)
class MapPoint:
    place: Place
    x: float
    y: float
    number: int


@dataclass(frozen=True)
class MapOutline:
    path: str
    district: District


@dataclass(frozen=True)
class PlaceMap:
    width: int
    height: int
    outlines: list[MapOutline]
    points: list[MapPoint]
    # where "near me" measures from, in map coordinates (None without a point)
    origin: tuple[float, float] | None = None


def place_map(
    *,
    places: list[Place],
    districts: list[District],
    width: int = 640,
    tolerance: float = 0.0004,
    origin: tuple[float, float] | None = None,
) -> PlaceMap:
    """District outlines and numbered place markers as SVG coordinates (no JavaScript needed)."""
    shapes = [shape(d.geometry).simplify(tolerance, preserve_topology=True) for d in districts]
    located = [p for p in places if p.latitude is not None and p.longitude is not None]
    extra_x = [float(p.longitude or 0) for p in located] + ([origin[1]] if origin else [])
    extra_y = [float(p.latitude or 0) for p in located] + ([origin[0]] if origin else [])
    xs = [s.bounds[0] for s in shapes] + extra_x
    ys = [s.bounds[1] for s in shapes] + extra_y
    xs2 = [s.bounds[2] for s in shapes] + extra_x
    ys2 = [s.bounds[3] for s in shapes] + extra_y
    if not xs:
        return PlaceMap(width, width // 2, [], [])
    minx, miny, maxx, maxy = min(xs), min(ys), max(xs2), max(ys2)
    kx = math.cos(math.radians((miny + maxy) / 2))
    span_x = max((maxx - minx) * kx, 1e-6)
    span_y = max(maxy - miny, 1e-6)
    scale = (width - 20) / span_x
    height = int(span_y * scale) + 20

    def project(x: float, y: float) -> tuple[float, float]:
        return (round(10 + (x - minx) * kx * scale, 1), round(10 + (maxy - y) * scale, 1))

    outlines = []
    for district, geometry in zip(districts, shapes, strict=True):
        parts = []
        for polygon in list(getattr(geometry, "geoms", [geometry])):
            for ring in [polygon.exterior, *polygon.interiors]:
                coords = [project(x, y) for x, y in ring.coords]
                parts.append("M" + " L".join(f"{px},{py}" for px, py in coords) + " Z")
        outlines.append(MapOutline(" ".join(parts), district))
    points = []
    for number, place in enumerate(located, start=1):
        px, py = project(float(place.longitude or 0), float(place.latitude or 0))
        points.append(MapPoint(place, px, py, number))
    projected = project(origin[1], origin[0]) if origin else None
    return PlaceMap(width, height, outlines, points, projected)


def senior_centre_count(*, on: date) -> int:
    """Senior Activity Centres open on a day (opened on or before it, not yet closed)."""
    return (
        Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE, opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .count()
    )


def senior_centre_count_by_year(
    *, years: Iterable[int] | None = None, today: date | None = None
) -> dict[int, int]:
    """The strategy's indicator: Senior Activity Centres open at the end of each year.

    For the current year the count is as of today. Centres without an opening date cannot be
    placed in time and are left out (import them with a "data uruchomienia" column to count them).
    Counted from every centre the city knows of, published or not.
    """
    today = today or timezone.localdate()
    if years is None:
        first = (
            Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE, opened_on__isnull=False)
            .order_by("opened_on")
            .values_list("opened_on", flat=True)
            .first()
        )
        years = range(first.year if first else today.year, today.year + 1)
    rows = list(
        Place.objects.filter(kind=PlaceKind.SENIOR_CENTRE, opened_on__isnull=False).values_list(
            "opened_on", "closed_on"
        )
    )
    result: dict[int, int] = {}
    for year in years:
        day = min(date(year, 12, 31), today) if year == today.year else date(year, 12, 31)
        open_then = 0
        for opened, closed in rows:
            if opened is not None and opened <= day and (closed is None or closed > day):
                open_then += 1
        result[year] = open_then
    return result


# --- Rooms ----------------------------------------------------------------------------------------


def room_list(*, district: District | None = None) -> QuerySet[Room]:
    rooms = Room.objects.select_related("place", "place__district").filter(
        is_bookable=True, place__is_published=True
    )
    if district is not None:
        rooms = rooms.filter(place__district=district)
    return rooms.order_by("place__name", "name")


def room_get(*, pk: int) -> Room | None:
    return (
        Room.objects.select_related("place", "place__district")
        .filter(pk=pk, place__is_published=True)
        .first()
    )


def room_schedule(*, room: Room, start: datetime, days: int = 28) -> list[RoomBooking]:
    """Taken slots (approved or awaiting a decision) from ``start`` for ``days`` days."""
    return list(
        RoomBooking.objects.filter(
            room=room,
            status__in=ACTIVE_BOOKING_STATUSES,
            ends_at__gt=start,
            starts_at__lt=start + timedelta(days=days),
        ).order_by("starts_at")
    )


def bookings_to_review(*, viewer: User) -> QuerySet[RoomBooking]:
    bookings = RoomBooking.objects.select_related("room", "room__place", "requested_by").filter(
        status=BookingStatus.REQUESTED
    )
    if not is_administrator(viewer):
        bookings = bookings.filter(
            pk__in=RoomBooking.objects.filter(
                Q(room__place__managers=viewer) | Q(room__place__city_unit_id__in=unit_ids(viewer))
            ).values("pk")
        )
    return bookings.order_by("starts_at", "id")


def bookings_of(*, user: User) -> QuerySet[RoomBooking]:
    return (
        RoomBooking.objects.select_related("room", "room__place")
        .filter(requested_by=user)
        .order_by("-starts_at", "-id")
    )


# --- Events ---------------------------------------------------------------------------------------


@dataclass
class EventFilters:
    district: District | None = None
    audience: str = ""
    programme: str = ""
    language: str = ""
    price: str = ""  # "free" or "paid"
    accessibility: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    query: str = ""
    place: Place | None = None


EVENT_ACCESSIBILITY = ("step_free", "induction_loop", "sign_language")


def _with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(
        confirmed_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED)
        ),
        waitlist_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)
        ),
    )


def event_list(
    *, filters: EventFilters | None = None, at: datetime | None = None, include_past: bool = False
) -> QuerySet[Event]:
    """Published and cancelled (so people see the change) upcoming events, soonest first."""
    filters = filters or EventFilters()
    now = at or timezone.now()
    events = Event.objects.select_related("place", "district").exclude(status=EventStatus.DRAFT)
    if not include_past:
        events = events.filter(ends_at__gte=now)
    if filters.district is not None:
        events = events.filter(district=filters.district)
    if filters.place is not None:
        events = events.filter(place=filters.place)
    if filters.audience:
        events = events.filter(audience=filters.audience)
    if filters.programme:
        events = events.filter(programme=filters.programme)
    if filters.language:
        events = events.filter(language=filters.language)
    if filters.price == "free":
        events = events.filter(price=0)
    elif filters.price == "paid":
        events = events.filter(price__gt=0)
    for flag in filters.accessibility:
        if flag in EVENT_ACCESSIBILITY:
            events = events.filter(**{flag: True})
    if filters.date_from:
        events = events.filter(starts_at__date__gte=filters.date_from)
    if filters.date_to:
        events = events.filter(starts_at__date__lte=filters.date_to)
    if filters.query:
        events = events.filter(
            Q(title__icontains=filters.query)
            | Q(description__icontains=filters.query)
            | Q(organiser_name__icontains=filters.query)
        )
    return _with_counts(events).order_by("starts_at", "id")


def event_get(*, pk: int) -> Event | None:
    return (
        _with_counts(
            Event.objects.select_related("place", "place__district", "district", "created_by")
        )
        .filter(pk=pk)
        .first()
    )


def events_managed_by(*, user: User) -> QuerySet[Event]:
    events = Event.objects.select_related("place", "district")
    if not is_administrator(user):
        events = events.filter(
            pk__in=Event.objects.filter(
                Q(created_by=user)
                | Q(place__managers=user)
                | Q(place__city_unit_id__in=unit_ids(user))
            ).values("pk")
        )
    return _with_counts(events).order_by("-starts_at", "-id")


def registration_of(*, user: User | Any, event: Event) -> EventRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        EventRegistration.objects.filter(event=event, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def waitlist_position(*, registration: EventRegistration) -> int:
    return (
        EventRegistration.objects.filter(
            event_id=registration.event_id, status=RegistrationStatus.WAITLISTED
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, id__lt=registration.pk)
        )
        .count()
        + 1
    )


def event_registrations(*, event: Event) -> QuerySet[EventRegistration]:
    return event.registrations.select_related("user").order_by("status", "created_at", "id")


def registrations_of(*, user: User) -> QuerySet[EventRegistration]:
    return (
        EventRegistration.objects.select_related("event", "event__place")
        .filter(user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("event__starts_at")
    )


# --- Recurring activities -------------------------------------------------------------------------


def activities_with_counts(queryset: QuerySet[Activity] | None = None) -> QuerySet[Activity]:
    """Activities annotated with ``confirmed_count``, ``waitlist_count`` and ``free_places``."""
    activities = queryset if queryset is not None else Activity.objects.all()
    confirmed = Count("signups", filter=Q(signups__status=RegistrationStatus.CONFIRMED))
    return activities.annotate(
        confirmed_count=confirmed,
        waitlist_count=Count("signups", filter=Q(signups__status=RegistrationStatus.WAITLISTED)),
    ).order_by("weekday", "starts_at", "title", "id")


def free_places(activity: Activity) -> int:
    return max(activity.capacity - int(getattr(activity, "confirmed_count", 0)), 0)


def ended_activities(*, place: Place) -> QuerySet[Activity]:
    return activities_with_counts(Activity.objects.filter(place=place, is_active=False))


def activity_get(*, pk: int) -> Activity | None:
    return (
        activities_with_counts(Activity.objects.select_related("place", "place__district"))
        .filter(pk=pk)
        .first()
    )


def activity_signup_of(*, user: User | Any, activity: Activity) -> ActivitySignup | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        ActivitySignup.objects.filter(activity=activity, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def activity_waitlist_position(*, signup: ActivitySignup) -> int:
    return (
        ActivitySignup.objects.filter(
            activity_id=signup.activity_id, status=RegistrationStatus.WAITLISTED
        )
        .filter(
            Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, id__lt=signup.pk)
        )
        .count()
        + 1
    )


def activity_signups(*, activity: Activity) -> QuerySet[ActivitySignup]:
    """Everyone signed up (places first, then the waiting list in its order) for the organisers."""
    return (
        activity.signups.select_related("user")
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("status", "created_at", "id")
    )


def activity_signups_of(*, user: User) -> QuerySet[ActivitySignup]:
    return (
        ActivitySignup.objects.select_related("activity", "activity__place")
        .filter(user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .order_by("activity__weekday", "activity__starts_at", "id")
    )


# --- Volunteering ---------------------------------------------------------------------------------


@dataclass
class OfferFilters:
    district: District | None = None
    skill_ids: tuple[int, ...] = ()
    availability: tuple[str, ...] = ()
    query: str = ""


AVAILABILITY = ("weekday_mornings", "weekday_afternoons", "weekday_evenings", "weekends")


def offer_list(
    *, filters: OfferFilters | None = None, today: date | None = None
) -> QuerySet[VolunteerOffer]:
    filters = filters or OfferFilters()
    day = today or timezone.localdate()
    offers = (
        VolunteerOffer.objects.select_related("district", "place")
        .prefetch_related("skills")
        .filter(status=OfferStatus.OPEN, ends_on__gte=day)
    )
    if filters.district is not None:
        offers = offers.filter(district=filters.district)
    if filters.skill_ids:
        offers = offers.filter(skills__in=filters.skill_ids).distinct()
    if filters.availability:
        wanted = Q()
        for name in filters.availability:
            if name in AVAILABILITY:
                wanted |= Q(**{name: True})
        offers = offers.filter(wanted)
    if filters.query:
        offers = offers.filter(
            Q(title__icontains=filters.query)
            | Q(task__icontains=filters.query)
            | Q(organiser_name__icontains=filters.query)
        )
    return offers.order_by("starts_on", "id")


def offer_matches(
    *, profile: VolunteerProfile, today: date | None = None, limit: int = 20
) -> list[VolunteerOffer]:
    """Open offers ranked for a volunteer: same district, shared skills and shared free time.

    Offers whose minimum age the volunteer does not reach, and offers that need time the
    volunteer does not have, are left out. Each offer gets ``match_score`` and ``shared_skills``.
    """
    day = today or timezone.localdate()
    age = profile.age_on(day)
    skill_ids = list(profile.skills.values_list("id", flat=True))
    time_overlap = Q()
    has_time = False
    for name in AVAILABILITY:
        if getattr(profile, name):
            time_overlap |= Q(**{name: True})
            has_time = True
    offers = VolunteerOffer.objects.select_related("district", "place").prefetch_related("skills")
    offers = offers.filter(status=OfferStatus.OPEN, ends_on__gte=day, min_age__lte=age)
    if has_time:
        offers = offers.filter(time_overlap)
    offers = offers.annotate(
        shared_skills=Count("skills", filter=Q(skills__in=skill_ids), distinct=True)
        if skill_ids
        else Value(0, output_field=IntegerField()),
    )
    ranked: list[VolunteerOffer] = []
    for offer in offers:
        score = 0
        if profile.district_id and offer.district_id == profile.district_id:
            score += 3
        score += 2 * int(getattr(offer, "shared_skills", 0))
        score += sum(1 for name in AVAILABILITY if getattr(profile, name) and getattr(offer, name))
        offer.match_score = score  # type: ignore[attr-defined]
        ranked.append(offer)
    ranked.sort(key=lambda o: (-o.match_score, o.starts_on, o.pk))  # type: ignore[attr-defined]
    return ranked[:limit]


def offer_get(*, pk: int) -> VolunteerOffer | None:
    return (
        VolunteerOffer.objects.select_related("district", "place", "created_by")
        .prefetch_related("skills")
        .filter(pk=pk)
        .first()
    )


def offers_managed_by(*, user: User) -> QuerySet[VolunteerOffer]:
    offers = VolunteerOffer.objects.select_related("district").annotate(
        pending=Count("applications", filter=Q(applications__status=ApplicationStatus.SUBMITTED))
    )
    if not is_administrator(user):
        mine = VolunteerOffer.objects.filter(
            Q(created_by=user) | Q(place__managers=user) | Q(place__city_unit_id__in=unit_ids(user))
        ).values("pk")
        offers = offers.filter(pk__in=mine)
    return offers.order_by("-starts_on", "-id")


def offer_applications(*, offer: VolunteerOffer) -> QuerySet[VolunteerApplication]:
    return (
        offer.applications.select_related("volunteer", "volunteer__volunteer_profile", "agreement")
        .prefetch_related(
            Prefetch("hours", queryset=VolunteerHours.objects.order_by("day", "id")),
            "volunteer__volunteer_profile__skills",
        )
        .annotate(
            confirmed_hours=Coalesce(
                Sum("hours__hours", filter=Q(hours__status=HoursStatus.CONFIRMED)),
                Value(Decimal("0")),
            )
        )
        .order_by("created_at", "id")
    )


def applications_of(*, user: User) -> QuerySet[VolunteerApplication]:
    return (
        VolunteerApplication.objects.select_related("offer", "agreement")
        .prefetch_related(Prefetch("hours", queryset=VolunteerHours.objects.order_by("day", "id")))
        .filter(volunteer=user)
        .annotate(
            confirmed_hours=Coalesce(
                Sum("hours__hours", filter=Q(hours__status=HoursStatus.CONFIRMED)),
                Value(Decimal("0")),
            )
        )
        .order_by("-created_at", "-id")
    )


def application_get(*, pk: int) -> VolunteerApplication | None:
    return (
        VolunteerApplication.objects.select_related(
            "offer", "offer__created_by", "volunteer", "agreement"
        )
        .filter(pk=pk)
        .first()
    )


def confirmed_hours(*, application: VolunteerApplication) -> list[VolunteerHours]:
    return list(application.hours.filter(status=HoursStatus.CONFIRMED).order_by("day", "id"))


# --- At the counter: acting for a person (issue 17) ----------------------------------------------

COUNTER_CHOICES_LIMIT = 100


def _clerk_unit_q(clerk: User | Any, prefix: str) -> Q | None:
    """The places a clerk acts for: those of the units they are an official or counter clerk of
    (every place for administrators); ``None`` when there are none."""
    from wspolnota.accounts.roles import Role

    if is_administrator(clerk):
        return Q()
    units = unit_ids(clerk) | unit_ids(clerk, Role.COUNTER_CLERK)
    if not units:
        return None
    return Q(**{f"{prefix}city_unit_id__in": units})


@dataclass(frozen=True)
class CounterChoices:
    activities: list[Activity]
    events: list[Event]
    offers: list[VolunteerOffer]


def counter_choices(*, clerk: User | Any, at: datetime) -> CounterChoices:
    """What a clerk can sign a person up for: running activities, upcoming events with places
    and open volunteering offers at the places of the clerk's units (bounded lists)."""
    activity_q = _clerk_unit_q(clerk, "place__")
    if activity_q is None:
        return CounterChoices([], [], [])
    activities = list(
        activities_with_counts(
            Activity.objects.filter(activity_q, is_active=True, place__is_published=True)
        )
        .select_related("place")
        .order_by("place__name", "weekday", "starts_at")[:COUNTER_CHOICES_LIMIT]
    )
    events = list(
        _with_counts(
            Event.objects.filter(
                activity_q,
                status=EventStatus.PUBLISHED,
                capacity__isnull=False,
                starts_at__gt=at,
            )
        )
        .select_related("place")
        .order_by("starts_at", "id")[:COUNTER_CHOICES_LIMIT]
    )
    offers = list(
        VolunteerOffer.objects.filter(
            activity_q, status=OfferStatus.OPEN, ends_on__gte=timezone.localtime(at).date()
        )
        .select_related("place")
        .order_by("starts_on", "id")[:COUNTER_CHOICES_LIMIT]
    )
    return CounterChoices(activities, events, offers)


@dataclass(frozen=True)
class Participation:
    signups: list[ActivitySignup]
    registrations: list[EventRegistration]
    applications: list[VolunteerApplication]


def participation_of(*, person: User) -> Participation:
    """What the person takes part in: their places and waiting-list turns, and volunteering."""
    return Participation(
        signups=list(
            ActivitySignup.objects.filter(user=person)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("activity__place", "keyed_by")
            .order_by("activity__weekday", "activity__starts_at")
        ),
        registrations=list(
            EventRegistration.objects.filter(user=person)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("event__place", "keyed_by")
            .order_by("event__starts_at")
        ),
        applications=list(
            VolunteerApplication.objects.filter(volunteer=person)
            .select_related("offer", "keyed_by")
            .order_by("-created_at")
        ),
    )
