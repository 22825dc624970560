"""Writes of the community app: places and their import, room bookings, recurring activities,
events, volunteering.

Every rule that must hold "only once" (one booking per slot, one place per seat) is enforced
under a row lock on the room, the activity or the event, so concurrent requests on PostgreSQL
serialise; a partial unique index backs each rule up in the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify

from wspolnota.accounts.models import CityUnit
from wspolnota.communication.notifications import notify
from wspolnota.community import errors, permissions
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    ACTIVE_BOOKING_STATUSES,
    Activity,
    ActivitySignup,
    ApplicantKind,
    ApplicationStatus,
    BookingStatus,
    Event,
    EventRegistration,
    EventStatus,
    HoursStatus,
    OpeningHours,
    Place,
    PlaceKind,
    RegistrationStatus,
    Room,
    RoomBooking,
    Skill,
    VolunteerAgreement,
    VolunteerApplication,
    VolunteerHours,
    VolunteerOffer,
    VolunteerProfile,
)
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District, to_roman
from wspolnota.territory.selectors import default_city, district_for_point

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

OPEN_DATA_SOURCE = "otwarte-dane-krakow-cas"
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _deny() -> CommunityError:
    return CommunityError(errors.NOT_ALLOWED, code="permission_denied")


def _validation_to_domain(exc: ValidationError) -> CommunityError:
    """The first message of a model validation error, on the field it concerns."""
    if hasattr(exc, "error_dict"):
        name, messages = next(iter(exc.error_dict.items()))
        text = " ".join(str(m) for e in messages for m in e.messages)
        return CommunityError(text, field=None if name == "__all__" else name)
    return CommunityError(" ".join(exc.messages))


def _tell(
    person: User,
    *,
    kind: str,
    template: str,
    context: dict[str, Any],
    key: str | None = None,
    unit: CityUnit | None = None,
) -> None:
    """Tell a person about their place: by e-mail to an account holder (``notify``), and to a
    person without an account the way they chose when a clerk wrote them down — a letter, a
    voice call or an SMS (``reply_to_person``). ``template`` names the pair
    ``<template>_subject.txt`` / ``<template>.txt``."""
    if unit is None:
        # The letter goes out from the unit running the place it is about.
        place = (
            context.get("place")
            or getattr(context.get("event"), "place", None)
            or getattr(context.get("offer"), "place", None)
        )
        unit = getattr(place, "city_unit", None)
    notify(
        recipient=person,
        kind=kind,
        subject_template=f"{template}_subject.txt",
        body_template=f"{template}.txt",
        context=context,
        key=key,
        sender_unit=unit,
    )


_ALREADY = {
    "already_registered": (errors.EVENT_ALREADY_REGISTERED, errors.PERSON_ALREADY_REGISTERED),
    "already_signed_up": (errors.ACTIVITY_ALREADY_SIGNED_UP, errors.PERSON_ALREADY_SIGNED_UP),
    "already_applied": (errors.ALREADY_APPLIED, errors.PERSON_ALREADY_APPLIED),
}


def _already(on_behalf: OnBehalf | None, code: str) -> CommunityError:
    """ "Already done" — said to the resident online, or about the person to the clerk."""
    online, for_person = _ALREADY[code]
    return CommunityError(for_person if on_behalf else online, code=code)


def _clerk_act(
    on_behalf: OnBehalf | None, *, action: str, obj: Any, before: dict[str, Any] | None = None
) -> None:
    """Audit-log an act a clerk did for a person (acts people do themselves online are not)."""
    if on_behalf is None:
        return
    audit_log_append(
        actor=on_behalf.clerk,
        action=action,
        obj=obj,
        before=before,
        after={**snapshot(obj), "channel": str(on_behalf.channel)},
    )


# --- Places ---------------------------------------------------------------------------------------

_POLISH_LETTERS = str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")


def unique_place_slug(name: str, *, prefix: str = "", exclude_pk: int | None = None) -> str:
    base = slugify(f"{prefix} {name}".translate(_POLISH_LETTERS))[:100] or "miejsce"
    slug = base
    counter = 2
    taken = Place.objects.exclude(pk=exclude_pk) if exclude_pk else Place.objects.all()
    while taken.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


_DAY_NAMES = {
    "pn": 0,
    "pon": 0,
    "poniedziałek": 0,
    "wt": 1,
    "wto": 1,
    "wtorek": 1,
    "śr": 2,
    "sr": 2,
    "środa": 2,
    "sroda": 2,
    "czw": 3,
    "cz": 3,
    "czwartek": 3,
    "pt": 4,
    "pią": 4,
    "piątek": 4,
    "piatek": 4,
    "sob": 5,
    "so": 5,
    "sobota": 5,
    "nd": 6,
    "nie": 6,
    "niedz": 6,
    "ndz": 6,
    "niedziela": 6,
}
_DASHES = re.compile(r"\s*[-–—]\s*")
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?"
_TIME_RANGE = re.compile(rf"^{_TIME}-{_TIME}$")
_CLOSED_WORDS = ("nieczynne", "zamknięte", "zamkniete")


def _parse_clock(hours: str, minutes: str | None) -> time:
    h = int(hours)
    m = int(minutes or 0)
    if h == 24 and m == 0:
        return time(23, 59)
    return time(h, m)


def parse_opening_hours(text: str) -> list[tuple[int, time, time]]:
    """Read opening hours as written on Polish notices: ``pn.–pt. 9:00–17:00; sob. 10–14``.

    Segments are separated by semicolons; each is a list of days or day ranges followed by one
    or more time ranges separated by commas. Closed days (``nd. nieczynne``) are skipped.
    """
    result: list[tuple[int, time, time]] = []
    cleaned = text.strip()
    if not cleaned:
        return result
    for raw_segment in re.split(r"[;\n]+", cleaned):
        segment = _DASHES.sub("-", raw_segment.strip().lower())
        if not segment:
            continue
        match = re.match(r"^(?P<days>[^\d]+?)\s*(?P<times>\d.*)?$", segment)
        if match is None:
            raise CommunityError(errors.HOURS_UNREADABLE, params={"value": raw_segment.strip()})
        days_part = match.group("days").strip().rstrip(":").strip()
        times_part = (match.group("times") or "").strip()
        if not times_part:
            if any(word in days_part for word in _CLOSED_WORDS):
                continue
            raise CommunityError(errors.HOURS_UNREADABLE, params={"value": raw_segment.strip()})
        days: list[int] = []
        for token in re.split(r"\s*,\s*|\s+i\s+", days_part):
            token = token.strip()
            if not token:
                continue
            ends = [t.strip().rstrip(".") for t in token.split("-")]
            try:
                numbers = [_DAY_NAMES[t.replace(".", "")] for t in ends]
            except KeyError:
                raise CommunityError(
                    errors.HOURS_UNREADABLE, params={"value": raw_segment.strip()}
                ) from None
            if len(numbers) == 1:
                days.append(numbers[0])
            elif len(numbers) == 2 and numbers[0] <= numbers[1]:
                days.extend(range(numbers[0], numbers[1] + 1))
            else:
                raise CommunityError(errors.HOURS_UNREADABLE, params={"value": raw_segment.strip()})
        for time_range in re.split(r"\s*,\s*", times_part):
            found = _TIME_RANGE.match(time_range.replace(" ", ""))
            if not found or not days:
                raise CommunityError(errors.HOURS_UNREADABLE, params={"value": raw_segment.strip()})
            try:
                opens = _parse_clock(found.group(1), found.group(2))
                closes = _parse_clock(found.group(3), found.group(4))
            except ValueError:
                raise CommunityError(
                    errors.HOURS_UNREADABLE, params={"value": raw_segment.strip()}
                ) from None
            if closes <= opens:
                raise CommunityError(errors.HOURS_UNREADABLE, params={"value": raw_segment.strip()})
            result.extend((day, opens, closes) for day in days)
    return sorted(set(result))


def format_opening_hours(hours: list[tuple[int, time, time]]) -> str:
    """The inverse of ``parse_opening_hours``, one segment per day (for editing forms)."""
    names = ["pn.", "wt.", "śr.", "czw.", "pt.", "sob.", "nd."]
    by_day: dict[int, list[str]] = {}
    for day, opens, closes in sorted(hours):
        by_day.setdefault(day, []).append(f"{opens:%H:%M}–{closes:%H:%M}")
    return "; ".join(f"{names[day]} {', '.join(ranges)}" for day, ranges in by_day.items())


PLACE_FIELDS = (
    "kind",
    "name",
    "description",
    "street_address",
    "postal_code",
    "town",
    "district",
    "latitude",
    "longitude",
    "operator",
    "phone",
    "email",
    "website",
    "hours_note",
    "step_free",
    "accessible_toilet",
    "induction_loop",
    "sign_language",
    "opened_on",
    "closed_on",
    "is_published",
    "city_unit",
)


def _district_from_location(place: Place) -> None:
    if (place.latitude is None) != (place.longitude is None):
        raise CommunityError(errors.LOCATION_HALF, field="latitude")
    if place.district_id is None and place.latitude is not None and place.longitude is not None:
        place.district = district_for_point(lat=float(place.latitude), lon=float(place.longitude))


def place_save(
    *,
    actor: User | None,
    place: Place | None,
    fields: dict[str, Any],
    hours_text: str | None = None,
    managers: list[User] | None = None,
    audit: bool = True,
) -> Place:
    """Create or change a place; opening hours are given as text and stored day by day.

    ``actor=None`` is the system (the import command); every change is audit-logged.
    """
    fields = dict(fields)
    if actor is not None:
        if place is None:
            allowed = permissions.can_manage_places(actor)
            unit_id = permissions.new_place_unit_id(actor)
            if allowed and "city_unit" not in fields and unit_id is not None:
                # An official's new place is in their own unit's charge.
                fields["city_unit"] = CityUnit.objects.get(pk=unit_id)
        else:
            allowed = permissions.can_edit_place(actor, place)
        current = place.city_unit_id if place is not None else None
        new_unit = fields.get("city_unit")
        if "city_unit" in fields and getattr(new_unit, "pk", None) != current:
            allowed = allowed and permissions.can_assign_place_unit(actor, new_unit)
        if not allowed:
            raise _deny()
    hours = parse_opening_hours(hours_text) if hours_text is not None else None
    with transaction.atomic():
        if place is None:
            target = Place()
            before = None
        else:
            target = Place.objects.select_for_update().get(pk=place.pk)
            before = snapshot(target)
        for name in PLACE_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if not target.slug:
            target.slug = unique_place_slug(
                target.name, prefix="cas" if target.kind == PlaceKind.SENIOR_CENTRE else ""
            )
        if fields.get("slug"):
            if Place.objects.exclude(pk=target.pk).filter(slug=fields["slug"]).exists():
                raise CommunityError(errors.SLUG_TAKEN, field="slug")
            target.slug = fields["slug"]
        for key in ("source", "source_id"):
            if key in fields:
                setattr(target, key, fields[key])
        _district_from_location(target)
        try:
            target.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        target.save()
        if hours is not None:
            current_hours = sorted(target.opening_hours.values_list("weekday", "opens", "closes"))
            if current_hours != hours:
                target.opening_hours.all().delete()
                OpeningHours.objects.bulk_create(
                    OpeningHours(place=target, weekday=d, opens=o, closes=c) for d, o, c in hours
                )
        if managers is not None:
            target.managers.set(managers)
        if audit:
            audit_log_append(
                actor=actor,
                action="community.place_created" if before is None else "community.place_updated",
                obj=target,
                before=before,
                after=snapshot(target),
            )
    return target


# --- The city's open-data list of senior activity centres -----------------------------------------


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"CAS import: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.missing)} no longer in the file"
        )


@dataclass(frozen=True)
class _Located:
    index: int
    line: int
    record: Any


def _records_with_lines(text: str, data: Any) -> list[_Located]:
    """Each record of the list with the line it starts on, for messages that name the line."""
    if isinstance(data, list):
        start = text.index("[")
    elif isinstance(data, dict) and isinstance(data.get("dane"), list):
        match = re.search(r'"dane"\s*:\s*\[', text)
        if match is None:  # pragma: no cover - json.loads found the key, so the text has it
            raise CommunityError(errors.IMPORT_NO_RECORDS)
        start = match.end() - 1
    else:
        raise CommunityError(errors.IMPORT_NO_RECORDS)
    decoder = json.JSONDecoder()
    position = start + 1
    located: list[_Located] = []
    whitespace = re.compile(r"[\s,]*")
    while True:
        skipped = whitespace.match(text, position)
        position = skipped.end() if skipped else position
        if position >= len(text) or text[position] == "]":
            break
        record, end = decoder.raw_decode(text, position)
        located.append(_Located(len(located) + 1, text.count("\n", 0, position) + 1, record))
        position = end
    return located


def _district_from_label(label: Any, number: Any) -> District | None:
    city = default_city()
    districts = list(District.objects.filter(city=city)) if city else []
    if number not in (None, ""):
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            return None
        return next((d for d in districts if d.number == wanted), None)
    text = str(label or "").strip()
    if not text:
        return None
    head = text.split()[0].rstrip(".").upper()
    for district in districts:
        if head == to_roman(district.number) or head == str(district.number):
            return district
    lowered = text.lower()
    for district in districts:
        if district.name.lower() in lowered or lowered in district.name.lower():
            return district
    return None


def _read_record(item: _Located, seen: set[str]) -> tuple[str, dict[str, Any], str]:
    record = item.record
    where = {"index": item.index, "line": item.line}
    if not isinstance(record, dict):
        raise CommunityError(errors.IMPORT_RECORD_NOT_OBJECT, params=where)
    for required in ("id", "nazwa", "ulica", "dzielnica"):
        if record.get(required) in (None, ""):
            raise CommunityError(errors.IMPORT_MISSING_FIELD, params={**where, "field": required})

    def bad(name: str) -> CommunityError:
        return CommunityError(
            errors.IMPORT_BAD_VALUE,
            params={
                **where,
                "field": name,
                "value": json.dumps(record.get(name), ensure_ascii=False),
            },
        )

    source_id = str(record["id"]).strip()
    if source_id in seen:
        raise CommunityError(errors.IMPORT_DUPLICATE_ID, params={**where, "id": source_id})
    seen.add(source_id)
    district = _district_from_label(record.get("dzielnica"), record.get("nr_dzielnicy"))
    if district is None:
        raise CommunityError(
            errors.IMPORT_UNKNOWN_DISTRICT, params={**where, "value": record.get("dzielnica")}
        )
    dates: dict[str, date | None] = {}
    for key in ("data_uruchomienia", "data_zamkniecia"):
        raw = record.get(key)
        try:
            dates[key] = date.fromisoformat(raw) if raw else None
        except (TypeError, ValueError):
            raise bad(key) from None
    coordinates: dict[str, Decimal | None] = {}
    for key, limit in (("szerokosc_geograficzna", 90), ("dlugosc_geograficzna", 180)):
        raw = record.get(key)
        if raw in (None, ""):
            coordinates[key] = None
            continue
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            raise bad(key) from None
        if not value.is_finite() or abs(value) > limit:
            raise bad(key)
        coordinates[key] = value
    access = record.get("dostepnosc") or {}
    if not isinstance(access, dict):
        raise bad("dostepnosc")
    flags: dict[str, bool] = {}
    for key, model_field in (
        ("bez_barier", "step_free"),
        ("toaleta_dostepna", "accessible_toilet"),
        ("petla_indukcyjna", "induction_loop"),
        ("pjm", "sign_language"),
    ):
        value = access.get(key, False)
        if not isinstance(value, bool):
            raise bad("dostepnosc")
        flags[model_field] = value
    text_fields = {
        "name": "nazwa",
        "street_address": "ulica",
        "postal_code": "kod_pocztowy",
        "town": "miejscowosc",
        "operator": "prowadzacy",
        "phone": "telefon",
        "email": "email",
        "website": "www",
    }
    values: dict[str, Any] = {}
    for model_field, key in text_fields.items():
        raw = record.get(key, "")
        if raw is None:
            raw = ""
        if not isinstance(raw, str | int):
            raise bad(key)
        values[model_field] = str(raw).strip()
    if values["postal_code"] and not re.fullmatch(r"\d{2}-\d{3}", values["postal_code"]):
        raise bad("kod_pocztowy")
    values["town"] = values["town"] or "Kraków"
    hours_text = record.get("godziny_otwarcia") or ""
    if not isinstance(hours_text, str):
        raise bad("godziny_otwarcia")
    try:
        parse_opening_hours(hours_text)
    except CommunityError:
        raise bad("godziny_otwarcia") from None
    values.update(flags)
    values.update(
        kind=PlaceKind.SENIOR_CENTRE,
        district=district,
        latitude=coordinates["szerokosc_geograficzna"],
        longitude=coordinates["dlugosc_geograficzna"],
        opened_on=dates["data_uruchomienia"],
        closed_on=dates["data_zamkniecia"],
    )
    return source_id, values, hours_text


def senior_centres_import(
    *, actor: User | None, content: bytes | str, source: str = OPEN_DATA_SOURCE
) -> ImportReport:
    """Bring the city's open-data list of Senior Activity Centres into the places registry.

    The file is checked as a whole first: any malformed record stops the import with a message
    that names its number and line, and nothing is saved. Places are matched by the list's own
    identifier, so importing the same file twice changes nothing.
    """
    if actor is not None and not permissions.can_manage_places(actor):
        raise _deny()
    if isinstance(content, bytes):
        if len(content) > MAX_IMPORT_BYTES:
            raise CommunityError(
                errors.IMPORT_FILE_TOO_LARGE, params={"size": MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommunityError(errors.IMPORT_NOT_UTF8) from None
    else:
        text = content.lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommunityError(
            errors.IMPORT_NOT_JSON,
            params={"line": exc.lineno, "column": exc.colno, "error": exc.msg},
        ) from None
    located = _records_with_lines(text, data)
    seen: set[str] = set()
    parsed = [_read_record(item, seen) for item in located]
    report = ImportReport()
    with transaction.atomic():
        existing = {p.source_id: p for p in Place.objects.filter(source=source)}
        for (source_id, values, hours_text), item in zip(parsed, located, strict=True):
            place = existing.get(source_id)
            if place is not None:
                current_hours = sorted(
                    place.opening_hours.values_list("weekday", "opens", "closes")
                )
                changed = any(getattr(place, k) != v for k, v in values.items()) or (
                    current_hours != parse_opening_hours(hours_text)
                )
                if not changed:
                    report.unchanged.append(place.name)
                    continue
            if (
                place is not None
                and actor is not None
                and not permissions.can_edit_place(actor, place)
            ):
                # A place another unit runs is not changed through the import either.
                raise _deny()
            try:
                saved = place_save(
                    actor=actor,
                    place=place,
                    fields={**values, "source": source, "source_id": source_id},
                    hours_text=hours_text,
                )
            except CommunityError as exc:
                raise CommunityError(
                    errors.IMPORT_BAD_VALUE,
                    params={
                        "index": item.index,
                        "line": item.line,
                        "field": exc.field or "—",
                        "value": str(exc),
                    },
                ) from None
            (report.created if place is None else report.updated).append(saved.name)
        report.missing = sorted(p.name for sid, p in existing.items() if sid not in seen)
    return report


# --- Rooms ----------------------------------------------------------------------------------------


def max_booking_hours() -> int:
    return int(getattr(settings, "COMMUNITY_MAX_BOOKING_HOURS", 12))


def room_save(*, actor: User, place: Place, room: Room | None, fields: dict[str, Any]) -> Room:
    if not permissions.can_edit_place(actor, place):
        raise _deny()
    with transaction.atomic():
        before = snapshot(room) if room is not None else None
        target = room or Room(place=place)
        for name in ("name", "capacity", "description", "step_free", "is_bookable"):
            if name in fields:
                setattr(target, name, fields[name])
        try:
            target.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        target.save()
        audit_log_append(
            actor=actor,
            action="community.room_created" if before is None else "community.room_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
    return target


def room_booking_request(
    *,
    user: User,
    room: Room,
    applicant_kind: str,
    applicant_name: str,
    purpose: str,
    attendees: int,
    starts_at: datetime,
    ends_at: datetime,
    at: datetime | None = None,
) -> RoomBooking:
    """Ask for a room; the request holds the slot until an official decides.

    The room row is locked while overlapping holds are checked, so two requests for the same
    slot at the same moment leave exactly one booking; the other person is told to pick another.
    """
    now = at or timezone.now()
    if not permissions.can_request_room(user, room, at=now):
        raise CommunityError(errors.ROOM_NOT_BOOKABLE)
    if ends_at <= starts_at:
        raise CommunityError(errors.BOOKING_ENDS_BEFORE_START, field="ends_at")
    place = room.place
    if not (
        place.is_open_on(timezone.localtime(starts_at).date())
        and place.is_open_on(timezone.localtime(ends_at).date())
    ):
        raise CommunityError(errors.ROOM_PLACE_CLOSED, field="starts_at", code="place_closed")
    if starts_at <= now:
        raise CommunityError(errors.BOOKING_IN_PAST, field="starts_at")
    if ends_at - starts_at > timedelta(hours=max_booking_hours()):
        raise CommunityError(
            errors.BOOKING_TOO_LONG, field="ends_at", params={"hours": max_booking_hours()}
        )
    if attendees > room.capacity:
        raise CommunityError(
            errors.BOOKING_TOO_MANY_PEOPLE, field="attendees", params={"capacity": room.capacity}
        )
    if applicant_kind != ApplicantKind.RESIDENT and not applicant_name.strip():
        raise CommunityError(errors.BOOKING_NAME_REQUIRED, field="applicant_name")
    try:
        with transaction.atomic():
            Room.objects.select_for_update().only("id").get(pk=room.pk)
            taken = RoomBooking.objects.filter(
                room=room,
                status__in=ACTIVE_BOOKING_STATUSES,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            ).exists()
            if taken:
                raise CommunityError(errors.BOOKING_TAKEN, field="starts_at", code="slot_taken")
            booking = RoomBooking(
                room=room,
                requested_by=user,
                applicant_kind=applicant_kind,
                applicant_name=applicant_name.strip(),
                purpose=purpose.strip(),
                attendees=attendees,
                starts_at=starts_at,
                ends_at=ends_at,
            )
            try:
                booking.full_clean(validate_constraints=False)
            except ValidationError as exc:
                raise _validation_to_domain(exc) from None
            booking.save()
    except IntegrityError:
        raise CommunityError(errors.BOOKING_TAKEN, field="starts_at", code="slot_taken") from None
    return booking


def room_booking_decide(
    *, actor: User, booking: RoomBooking, approve: bool, reason: str = ""
) -> RoomBooking:
    """An official (or the place's manager) approves or rejects a request; the person is told."""
    if not permissions.can_decide_booking(actor, booking):
        raise _deny()
    if not approve and not reason.strip():
        raise CommunityError(errors.BOOKING_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = RoomBooking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != BookingStatus.REQUESTED:
            raise CommunityError(errors.BOOKING_NOT_PENDING)
        before = snapshot(locked)
        locked.status = BookingStatus.APPROVED if approve else BookingStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_reason = reason.strip()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.booking_approved" if approve else "community.booking_rejected",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason.strip(),
        )
        notify(
            recipient=locked.requested_by,
            kind="community.booking_decided",
            subject_template="community/email/booking_decided_subject.txt",
            body_template="community/email/booking_decided.txt",
            context={"booking": locked, "room": booking.room},
        )
    return locked


def room_booking_cancel(
    *, actor: User, booking: RoomBooking, reason: str = "", at: datetime | None = None
) -> RoomBooking:
    now = at or timezone.now()
    if not permissions.can_cancel_booking(actor, booking, at=now):
        raise CommunityError(errors.BOOKING_CANNOT_CANCEL)
    with transaction.atomic():
        locked = RoomBooking.objects.select_for_update().get(pk=booking.pk)
        if locked.status not in ACTIVE_BOOKING_STATUSES:
            raise CommunityError(errors.BOOKING_CANNOT_CANCEL)
        before = snapshot(locked)
        locked.status = BookingStatus.CANCELLED
        locked.save()
        if locked.requested_by_id != actor.pk:
            audit_log_append(
                actor=actor,
                action="community.booking_cancelled",
                obj=locked,
                before=before,
                after=snapshot(locked),
                reason=reason,
            )
    return locked


# --- Events ---------------------------------------------------------------------------------------

EVENT_FIELDS = (
    "title",
    "description",
    "organiser_kind",
    "organiser_name",
    "place",
    "location",
    "district",
    "starts_at",
    "ends_at",
    "programme",
    "audience",
    "language",
    "price",
    "step_free",
    "induction_loop",
    "sign_language",
    "capacity",
    "status",
)


def _promote_waitlist(event: Event) -> list[EventRegistration]:
    """Move the oldest waiting-list entries into free places; call with the event row locked."""
    if event.capacity is None:
        promoted_all = list(
            event.registrations.filter(status=RegistrationStatus.WAITLISTED).select_related("user")
        )
    else:
        confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        free = max(event.capacity - confirmed, 0)
        promoted_all = list(
            event.registrations.filter(status=RegistrationStatus.WAITLISTED)
            .select_related("user")
            .order_by("created_at", "id")[:free]
        )
    _promote(
        promoted_all,
        action="community.registration_promoted",
        kind="community.waitlist_promoted",
        template="community/email/waitlist_promoted",
        context={"event": event},
    )
    return promoted_all


def _promote(
    entries: list[Any], *, action: str, kind: str, template: str, context: dict[str, Any]
) -> None:
    """Give each waiting-list entry its place, audit-log it (the system acts) and tell the person."""
    now = timezone.now()
    for entry in entries:
        entry.status = RegistrationStatus.CONFIRMED
        entry.promoted_at = now
        entry.save(update_fields=["status", "promoted_at", "updated_at"])
        audit_log_append(actor=None, action=action, obj=entry, after=snapshot(entry))
        _tell(entry.user, kind=kind, template=template, context=context)


def event_save(*, actor: User, event: Event | None, fields: dict[str, Any]) -> Event:
    """Create or change an event. A larger capacity promotes people from the waiting list."""
    if event is None and not permissions.can_create_event(actor):
        raise _deny()
    if event is not None and not permissions.can_edit_event(actor, event):
        raise _deny()
    place = fields.get("place", event.place if event else None)
    location = fields.get("location", event.location if event else "")
    if place is None and not (location or "").strip():
        raise CommunityError(errors.EVENT_PLACE_OR_LOCATION, field="place")
    starts_at = fields.get("starts_at", event.starts_at if event else None)
    ends_at = fields.get("ends_at", event.ends_at if event else None)
    if starts_at and ends_at and ends_at <= starts_at:
        raise CommunityError(errors.EVENT_ENDS_BEFORE_START, field="ends_at")
    with transaction.atomic():
        if event is None:
            target = Event(created_by=actor)
            before = None
        else:
            target = Event.objects.select_for_update().get(pk=event.pk)
            before = snapshot(target)
        was = (target.starts_at, target.ends_at, target.place_id, (target.location or "").strip())
        for name in EVENT_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if target.place is not None and target.district_id is None:
            target.district = target.place.district
        if target.pk and target.capacity is not None:
            confirmed = target.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
            if target.capacity < confirmed:
                raise CommunityError(
                    errors.EVENT_CAPACITY_BELOW_CONFIRMED,
                    field="capacity",
                    params={"count": confirmed},
                )
        try:
            target.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        target.save()
        # a cancelled event gives nobody a place (issue 21: editing one promoted its waiting list)
        if before is not None and target.status != EventStatus.CANCELLED:
            _promote_waitlist(target)
            now = (
                target.starts_at,
                target.ends_at,
                target.place_id,
                (target.location or "").strip(),
            )
            if was != now:
                _tell_rescheduled(target, previous_start=was[0])
        audit_log_append(
            actor=actor,
            action="community.event_created" if before is None else "community.event_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
    return target


def _tell_rescheduled(event: Event, *, previous_start: datetime | None) -> None:
    """The event moved in time or place: everyone with a place or a waiting-list turn is told
    the new time and place (issue 21: rescheduling told nobody)."""
    for registration in event.registrations.exclude(
        status=RegistrationStatus.CANCELLED
    ).select_related("user"):
        _tell(
            registration.user,
            kind="community.event_rescheduled",
            template="community/email/event_rescheduled",
            context={"event": event, "previous_start": previous_start},
        )


def event_cancel(*, actor: User, event: Event, reason: str) -> Event:
    """Call an event off; everyone with a place or on the waiting list is told."""
    if not permissions.can_edit_event(actor, event):
        raise _deny()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if locked.status == EventStatus.CANCELLED:
            raise CommunityError(errors.EVENT_ALREADY_CANCELLED)
        before = snapshot(locked)
        locked.status = EventStatus.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        audit_log_append(
            actor=actor,
            action="community.event_cancelled",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
        for registration in locked.registrations.exclude(
            status=RegistrationStatus.CANCELLED
        ).select_related("user"):
            _tell(
                registration.user,
                kind="community.event_cancelled",
                template="community/email/event_cancelled",
                context={"event": locked, "reason": reason},
            )
    return locked


def event_register(
    *,
    user: User,
    event: Event,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> EventRegistration:
    """Take a place at an event, or a turn on its waiting list when every place is taken.

    The event row is locked while places are counted, so two people asking for the last place
    at the same moment get one place and one waiting-list entry. With ``on_behalf`` a clerk or
    the place's staff registers ``user`` (a caller, often without an account): the same rules
    apply (before the start, one place per person, the waiting list), the channel and the clerk
    are recorded and the act is audit-logged.
    """
    now = at or timezone.now()
    if on_behalf is not None and not permissions.can_register_callers_for_event(
        on_behalf.clerk, event
    ):
        raise _deny()
    if event.capacity is None:
        raise CommunityError(errors.EVENT_NO_REGISTRATION)
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            if not permissions.can_register_for_event(user, locked, at=now):
                raise CommunityError(errors.EVENT_NOT_OPEN)
            if (
                locked.registrations.filter(user=user)
                .exclude(status=RegistrationStatus.CANCELLED)
                .exists()
            ):
                raise _already(on_behalf, "already_registered")
            confirmed = locked.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
            assert locked.capacity is not None
            status = (
                RegistrationStatus.CONFIRMED
                if confirmed < locked.capacity
                else RegistrationStatus.WAITLISTED
            )
            registration = EventRegistration.objects.create(
                event=locked, user=user, status=status, **act_fields(on_behalf)
            )
            _clerk_act(on_behalf, action="community.registration_on_behalf", obj=registration)
    except IntegrityError:
        raise _already(on_behalf, "already_registered") from None
    return registration


def event_registration_cancel(
    *,
    user: User,
    event: Event,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> EventRegistration:
    """Give up a place (or a waiting-list turn); the first person waiting gets the place. With
    ``on_behalf`` a clerk cancels for a caller (audit-logged)."""
    if on_behalf is not None and not permissions.can_register_callers_for_event(
        on_behalf.clerk, event
    ):
        raise _deny()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        registration = (
            locked.registrations.select_for_update()
            .filter(user=user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
        if registration is None:
            raise CommunityError(
                errors.PERSON_NOT_REGISTERED if on_behalf else errors.EVENT_NOT_REGISTERED
            )
        before = snapshot(registration)
        was_confirmed = registration.status == RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.cancelled_at = at or timezone.now()
        registration.save(update_fields=["status", "cancelled_at", "updated_at"])
        _clerk_act(
            on_behalf,
            action="community.registration_cancelled_on_behalf",
            obj=registration,
            before=before,
        )
        if was_confirmed and locked.status == EventStatus.PUBLISHED:
            _promote_waitlist(locked)
    return registration


# --- Recurring activities -------------------------------------------------------------------------

ACTIVITY_FIELDS = (
    "title",
    "description",
    "weekday",
    "starts_at",
    "ends_at",
    "capacity",
    "audience",
    "price",
)


def _promote_activity_waitlist(activity: Activity) -> list[ActivitySignup]:
    """Move the oldest waiting-list entries into free places; call with the activity row locked.

    The system makes this change, so it is audit-logged without an actor, and each promoted
    person is told in their own language.
    """
    confirmed = activity.signups.filter(status=RegistrationStatus.CONFIRMED).count()
    free = max(activity.capacity - confirmed, 0)
    if free == 0:
        return []
    promoted = list(
        activity.signups.filter(status=RegistrationStatus.WAITLISTED)
        .select_related("user")
        .order_by("created_at", "id")[:free]
    )
    _promote(
        promoted,
        action="community.activity_signup_promoted",
        kind="community.activity_waitlist_promoted",
        template="community/email/activity_promoted",
        context={"activity": activity, "place": activity.place},
    )
    return promoted


def activity_save(
    *, actor: User | None, place: Place, activity: Activity | None, fields: dict[str, Any]
) -> Activity:
    """Create or change a place's recurring activity (its managers or an official).

    Capacity may not drop below the people who already have a place; a larger capacity
    promotes people from the waiting list at once. ``actor=None`` is the system (demo data);
    every change is audit-logged.
    """
    if actor is not None and not permissions.can_manage_activities(actor, place):
        raise _deny()
    if activity is not None and activity.place_id != place.pk:
        raise _deny()
    starts_at = fields.get("starts_at", activity.starts_at if activity else None)
    ends_at = fields.get("ends_at", activity.ends_at if activity else None)
    if starts_at and ends_at and ends_at <= starts_at:
        raise CommunityError(errors.ACTIVITY_ENDS_BEFORE_START, field="ends_at")
    with transaction.atomic():
        if activity is None:
            target = Activity(place=place)
            before = None
        else:
            target = Activity.objects.select_for_update().get(pk=activity.pk)
            before = snapshot(target)
            if not target.is_active:
                raise CommunityError(errors.ACTIVITY_ALREADY_ENDED)
        for name in ACTIVITY_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if target.pk and target.capacity is not None:
            confirmed = target.signups.filter(status=RegistrationStatus.CONFIRMED).count()
            if target.capacity < confirmed:
                raise CommunityError(
                    errors.ACTIVITY_CAPACITY_BELOW_CONFIRMED,
                    field="capacity",
                    params={"count": confirmed},
                )
        try:
            target.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        target.save()
        audit_log_append(
            actor=actor,
            action="community.activity_created" if before is None else "community.activity_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
        if before is not None:
            target.place = place
            _promote_activity_waitlist(target)
    return target


def activity_end(*, actor: User, activity: Activity, reason: str) -> Activity:
    """Stop running an activity; everyone with a place or on the waiting list is told why."""
    if not permissions.can_manage_activities(actor, activity.place):
        raise _deny()
    now = timezone.now()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if not locked.is_active:
            raise CommunityError(errors.ACTIVITY_ALREADY_ENDED)
        before = snapshot(locked)
        locked.is_active = False
        locked.save(update_fields=["is_active", "updated_at"])
        audit_log_append(
            actor=actor,
            action="community.activity_ended",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
        signups = list(
            locked.signups.exclude(status=RegistrationStatus.CANCELLED).select_related("user")
        )
        for signup in signups:
            signup.status = RegistrationStatus.CANCELLED
            signup.cancelled_at = now
            signup.save(update_fields=["status", "cancelled_at", "updated_at"])
            _tell(
                signup.user,
                kind="community.activity_ended",
                template="community/email/activity_ended",
                context={"activity": locked, "place": activity.place, "reason": reason},
            )
    return locked


def activity_sign_up(
    *,
    user: User,
    activity: Activity,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> ActivitySignup:
    """Take a place in a recurring activity, or a turn on its waiting list when it is full.

    The activity row is locked while places are counted, so two people asking for the last
    place at the same moment get one place and one waiting-list entry. With ``on_behalf`` the
    place's staff or a clerk of its unit signs ``user`` up (a caller at the counter or on the
    phone): the same rules, the channel and clerk recorded, the act audit-logged.
    """
    now = at or timezone.now()
    if on_behalf is not None and not permissions.can_sign_up_callers(
        on_behalf.clerk, activity.place
    ):
        raise _deny()
    try:
        with transaction.atomic():
            locked = Activity.objects.select_for_update().get(pk=activity.pk)
            locked.place = activity.place
            if not permissions.can_sign_up_for_activity(user, locked, at=now):
                raise CommunityError(errors.ACTIVITY_NOT_OPEN)
            if (
                locked.signups.filter(user=user)
                .exclude(status=RegistrationStatus.CANCELLED)
                .exists()
            ):
                raise _already(on_behalf, "already_signed_up")
            confirmed = locked.signups.filter(status=RegistrationStatus.CONFIRMED).count()
            status = (
                RegistrationStatus.CONFIRMED
                if confirmed < locked.capacity
                else RegistrationStatus.WAITLISTED
            )
            signup = ActivitySignup.objects.create(
                activity=locked, user=user, status=status, **act_fields(on_behalf)
            )
            _clerk_act(on_behalf, action="community.activity_signup_on_behalf", obj=signup)
    except IntegrityError:
        raise _already(on_behalf, "already_signed_up") from None
    return signup


def activity_signup_cancel(
    *,
    user: User,
    activity: Activity,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> ActivitySignup:
    """Leave an activity (or its waiting list); the first person waiting gets the place. With
    ``on_behalf`` a clerk or the place's staff cancels for a caller (audit-logged)."""
    if on_behalf is not None and not permissions.can_sign_up_callers(
        on_behalf.clerk, activity.place
    ):
        raise _deny()
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        locked.place = activity.place
        signup = (
            locked.signups.select_for_update()
            .filter(user=user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
        if signup is None:
            raise CommunityError(
                errors.PERSON_NOT_SIGNED_UP if on_behalf else errors.ACTIVITY_NOT_SIGNED_UP
            )
        before = snapshot(signup)
        was_confirmed = signup.status == RegistrationStatus.CONFIRMED
        signup.status = RegistrationStatus.CANCELLED
        signup.cancelled_at = at or timezone.now()
        signup.save(update_fields=["status", "cancelled_at", "updated_at"])
        _clerk_act(
            on_behalf,
            action="community.activity_signup_cancelled_on_behalf",
            obj=signup,
            before=before,
        )
        if was_confirmed and locked.is_active:
            _promote_activity_waitlist(locked)
    return signup


# --- Volunteering ---------------------------------------------------------------------------------

OFFER_FIELDS = (
    "title",
    "task",
    "organiser_kind",
    "organiser_name",
    "organiser_address",
    "place",
    "location",
    "district",
    "starts_on",
    "ends_on",
    "time_commitment",
    "min_age",
    "volunteers_needed",
    "status",
    "weekday_mornings",
    "weekday_afternoons",
    "weekday_evenings",
    "weekends",
)


def volunteer_offer_save(
    *, actor: User, offer: VolunteerOffer | None, fields: dict[str, Any], skills: list[Skill]
) -> VolunteerOffer:
    if offer is None and not permissions.can_create_offer(actor):
        raise _deny()
    if offer is not None and not permissions.can_manage_offer(actor, offer):
        raise _deny()
    starts_on = fields.get("starts_on", offer.starts_on if offer else None)
    ends_on = fields.get("ends_on", offer.ends_on if offer else None)
    if starts_on and ends_on and ends_on < starts_on:
        raise CommunityError(errors.OFFER_ENDS_BEFORE_START, field="ends_on")
    with transaction.atomic():
        before = snapshot(offer) if offer is not None else None
        target = offer or VolunteerOffer(created_by=actor)
        for name in OFFER_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if target.place is not None and target.district_id is None:
            target.district = target.place.district
        try:
            target.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        target.save()
        target.skills.set(skills)
        audit_log_append(
            actor=actor,
            action="community.offer_created" if before is None else "community.offer_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
    return target


def volunteer_profile_save(
    *,
    user: User,
    birth_date: date,
    district: District | None,
    skills: list[Skill],
    about: str,
    availability: dict[str, bool],
    at: date | None = None,
    on_behalf: OnBehalf | None = None,
) -> VolunteerProfile:
    if birth_date > (at or timezone.localdate()):
        raise CommunityError(errors.BIRTH_DATE_FUTURE, field="birth_date")
    with transaction.atomic():
        profile, _created = VolunteerProfile.objects.get_or_create(
            user=user, defaults={"birth_date": birth_date, **act_fields(on_behalf)}
        )
        before = None if _created else snapshot(profile)
        profile.birth_date = birth_date
        profile.district = district
        profile.about = about.strip()
        for name in VolunteerProfile.AVAILABILITY_FIELDS:
            setattr(profile, name, bool(availability.get(name)))
        if on_behalf is not None:
            profile.channel = on_behalf.channel
            profile.keyed_by = on_behalf.clerk
        profile.save()
        profile.skills.set(skills)
        _clerk_act(
            on_behalf, action="community.volunteer_profile_on_behalf", obj=profile, before=before
        )
    return profile


def volunteer_apply(
    *,
    user: User,
    offer: VolunteerOffer,
    message: str = "",
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> VolunteerApplication:
    """Apply for an offer; the minimum age is checked against the volunteer's profile. With
    ``on_behalf`` a clerk applies for ``user`` (same rules; channel and clerk recorded)."""
    now = at or timezone.now()
    if on_behalf is not None and not permissions.can_record_volunteers(on_behalf.clerk, offer):
        raise _deny()
    if offer.created_by_id == user.pk:
        raise CommunityError(errors.PERSON_OWN_OFFER if on_behalf else errors.OFFER_OWN)
    if not permissions.can_apply_for_offer(user, offer, at=now):
        raise CommunityError(errors.OFFER_NOT_OPEN)
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        raise CommunityError(errors.PROFILE_REQUIRED, code="profile_required")
    start = max(offer.starts_on, timezone.localtime(now).date())
    if profile.age_on(start) < offer.min_age:
        raise CommunityError(errors.TOO_YOUNG, params={"age": offer.min_age}, code="too_young")
    try:
        with transaction.atomic():
            application = VolunteerApplication.objects.create(
                offer=offer, volunteer=user, message=message.strip(), **act_fields(on_behalf)
            )
            _clerk_act(on_behalf, action="community.volunteer_applied_on_behalf", obj=application)
    except IntegrityError:
        raise _already(on_behalf, "already_applied") from None
    notify(
        recipient=offer.created_by,
        kind="community.volunteer_applied",
        subject_template="community/email/volunteer_applied_subject.txt",
        body_template="community/email/volunteer_applied.txt",
        context={"offer": offer, "application": application},
    )
    return application


def volunteer_record(
    *,
    on_behalf: OnBehalf,
    person: User,
    offer: VolunteerOffer,
    birth_date: date,
    message: str = "",
    about: str = "",
    skills: list[Skill] | None = None,
    availability: dict[str, bool] | None = None,
    at: datetime | None = None,
) -> VolunteerApplication:
    """Record a volunteer who phoned or came in — often without an account — for an offer.

    The person's consent to be contacted about volunteering is recorded with the channel it was
    given on and the clerk who took it (kept if one is already in force); their volunteer
    profile (the birth date decides the offer's minimum age) and their application are saved
    as they would be online, under the same rules: an open offer, the minimum age, one
    application per person. Everything happens or nothing does.
    """
    from wspolnota.accounts.models import Consent, ConsentPurpose
    from wspolnota.accounts.services import consent_record

    if not permissions.can_record_volunteers(on_behalf.clerk, offer):
        raise _deny()
    now = at or timezone.now()
    if not permissions.can_apply_for_offer(person, offer, at=now):
        raise CommunityError(errors.OFFER_NOT_OPEN)
    if VolunteerApplication.objects.filter(offer=offer, volunteer=person).exists():
        raise _already(on_behalf, "already_applied")
    with transaction.atomic():
        in_force = Consent.objects.filter(
            person=person, purpose=ConsentPurpose.VOLUNTEERING, withdrawn_at__isnull=True
        ).exists()
        if not in_force:
            consent_record(
                clerk=on_behalf.clerk,
                person=person,
                purpose=ConsentPurpose.VOLUNTEERING,
                channel=on_behalf.channel,
            )
        existing = VolunteerProfile.objects.filter(user=person).first()
        volunteer_profile_save(
            user=person,
            birth_date=birth_date,
            district=existing.district if existing else person.district,
            skills=skills
            if skills is not None
            else (list(existing.skills.all()) if existing else []),
            about=about or (existing.about if existing else ""),
            availability=availability
            or (
                {name: getattr(existing, name) for name in VolunteerProfile.AVAILABILITY_FIELDS}
                if existing
                else {}
            ),
            at=timezone.localtime(now).date(),
            on_behalf=on_behalf,
        )
        return volunteer_apply(
            user=person, offer=offer, message=message, at=now, on_behalf=on_behalf
        )


def volunteer_application_withdraw(
    *, user: User, application: VolunteerApplication
) -> VolunteerApplication:
    if application.volunteer_id != user.pk:
        raise _deny()
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED):
        raise CommunityError(errors.APPLICATION_NOT_PENDING)
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application


def _agreement_number(application: VolunteerApplication, today: date) -> str:
    return f"POR/{today.year}/{application.offer_id}/{application.pk}"


def volunteer_application_decide(
    *, actor: User, application: VolunteerApplication, accept: bool
) -> VolunteerApplication:
    """The organiser accepts or declines; for more than 30 days an agreement is drawn up."""
    offer = application.offer
    if not permissions.can_manage_offer(actor, offer):
        raise _deny()
    with transaction.atomic():
        locked = VolunteerApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.SUBMITTED:
            raise CommunityError(errors.APPLICATION_NOT_PENDING)
        before = snapshot(locked)
        locked.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.application_accepted" if accept else "community.application_rejected",
            obj=locked,
            before=before,
            after=snapshot(locked),
        )
        if accept and offer.needs_written_agreement:
            volunteer = locked.volunteer
            profile = VolunteerProfile.objects.filter(user=volunteer).first()
            today = timezone.localdate()
            VolunteerAgreement.objects.create(
                application=locked,
                number=_agreement_number(locked, today),
                scope=offer.task,
                starts_on=max(offer.starts_on, today),
                ends_on=offer.ends_on,
                organiser_name=offer.organiser_name,
                organiser_address=offer.organiser_address,
                volunteer_name=volunteer.get_full_name() or volunteer.email or "",
                volunteer_is_minor=bool(profile and profile.age_on(today) < 18),
            )
        _tell(
            locked.volunteer,
            kind="community.application_decided",
            template="community/email/application_decided",
            context={"offer": offer, "application": locked},
        )
    return locked


def volunteer_agreement_sign_as_organiser(
    *, actor: User, agreement: VolunteerAgreement, guardian_name: str = ""
) -> VolunteerAgreement:
    if not permissions.can_manage_offer(actor, agreement.application.offer):
        raise _deny()
    if agreement.organiser_signed_at:
        raise CommunityError(errors.AGREEMENT_ALREADY_SIGNED)
    if agreement.volunteer_is_minor and not (guardian_name.strip() or agreement.guardian_name):
        raise CommunityError(errors.AGREEMENT_GUARDIAN_REQUIRED, field="guardian_name")
    with transaction.atomic():
        before = snapshot(agreement)
        if guardian_name.strip():
            agreement.guardian_name = guardian_name.strip()
        agreement.organiser_signed_by = actor
        agreement.organiser_signed_at = timezone.now()
        agreement.save()
        audit_log_append(
            actor=actor,
            action="community.agreement_signed_by_organiser",
            obj=agreement,
            before=before,
            after=snapshot(agreement),
        )
    return agreement


def volunteer_agreement_sign_as_volunteer(
    *, user: User, agreement: VolunteerAgreement
) -> VolunteerAgreement:
    if agreement.application.volunteer_id != user.pk:
        raise _deny()
    if agreement.volunteer_signed_at:
        raise CommunityError(errors.AGREEMENT_ALREADY_SIGNED)
    agreement.volunteer_signed_at = timezone.now()
    agreement.save(update_fields=["volunteer_signed_at", "updated_at"])
    return agreement


def volunteer_hours_log(
    *,
    user: User,
    application: VolunteerApplication,
    day: date,
    hours: Decimal,
    description: str,
    at: date | None = None,
) -> VolunteerHours:
    """The volunteer records hours; they count once the organiser confirms them."""
    if application.volunteer_id != user.pk:
        raise _deny()
    if application.status != ApplicationStatus.ACCEPTED:
        raise CommunityError(errors.APPLICATION_NOT_ACCEPTED)
    offer = application.offer
    if offer.needs_written_agreement:
        agreement = VolunteerAgreement.objects.filter(application=application).first()
        if agreement is None or not agreement.is_signed:
            raise CommunityError(errors.AGREEMENT_NOT_SIGNED, code="agreement_not_signed")
    today = at or timezone.localdate()
    if day > today:
        raise CommunityError(errors.HOURS_IN_FUTURE, field="day")
    if not offer.starts_on <= day <= offer.ends_on:
        raise CommunityError(
            errors.HOURS_OUTSIDE_OFFER,
            field="day",
            params={"start": offer.starts_on.isoformat(), "end": offer.ends_on.isoformat()},
        )
    with transaction.atomic():
        VolunteerApplication.objects.select_for_update().only("id").get(pk=application.pk)
        already = application.hours.filter(day=day).exclude(status=HoursStatus.REJECTED).aggregate(
            total=Sum("hours")
        )["total"] or Decimal("0")
        if already + hours > 24:
            raise CommunityError(errors.HOURS_DAY_OVER_24, field="hours")
        entry = VolunteerHours(
            application=application, day=day, hours=hours, description=description.strip()
        )
        try:
            entry.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        entry.save()
    return entry


def volunteer_hours_decide(
    *, actor: User, entry: VolunteerHours, confirm: bool, reason: str = ""
) -> VolunteerHours:
    """The organiser confirms (or declines) logged hours; only confirmed hours are certified."""
    if not permissions.can_manage_offer(actor, entry.application.offer):
        raise _deny()
    with transaction.atomic():
        locked = VolunteerHours.objects.select_for_update().get(pk=entry.pk)
        if locked.status != HoursStatus.LOGGED:
            raise CommunityError(errors.HOURS_NOT_PENDING)
        before = snapshot(locked)
        locked.status = HoursStatus.CONFIRMED if confirm else HoursStatus.REJECTED
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.rejection_reason = "" if confirm else reason.strip()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.hours_confirmed" if confirm else "community.hours_rejected",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason.strip(),
        )
    return locked
