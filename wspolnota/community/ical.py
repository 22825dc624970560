"""iCalendar (RFC 5545) export of events, for calendar applications."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from wspolnota.community.models import Event, EventStatus


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "wspolnota"


def events_to_ical(events: Iterable[Event], *, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Wspolnota//community events//PL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    for event in events:
        entry = CalendarEvent()
        entry.add("uid", f"community-event-{event.pk}@{_host()}")
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.starts_at)
        entry.add("dtend", event.ends_at)
        entry.add("summary", event.title)
        entry.add("description", f"{event.description}\n\n{event.organiser_name}")
        if event.where:
            entry.add("location", event.where)
        entry.add("url", settings.SITE_URL + reverse("community:event_detail", args=[event.pk]))
        entry.add("last-modified", event.updated_at)
        entry.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
        if event.place is not None and event.place.latitude is not None:
            entry.add("geo", (float(event.place.latitude), float(event.place.longitude or 0)))
        calendar.add_component(entry)
    return calendar.to_ical()
