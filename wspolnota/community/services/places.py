"""Writes of places: the registry entry, its managers and its opening hours (read from the
text on a notice)."""

from __future__ import annotations

import re
from datetime import time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from wspolnota.accounts.models import CityUnit
from wspolnota.community import errors, permissions
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    OpeningHours,
    Place,
    PlaceKind,
)
from wspolnota.community.services._common import (
    _deny,
    _validation_to_domain,
)
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.selectors import district_for_point

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

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
    "accessibility_note",
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
