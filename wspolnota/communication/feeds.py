"""RSS and Atom feeds of the notice boards, and iCalendar files of dated notices."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from wspolnota.communication import selectors
from wspolnota.communication.models import Notice
from wspolnota.territory.models import District
from wspolnota.territory.selectors import district_get


class NoticeRssFeed(Feed):  # type: ignore[type-arg]
    def get_object(self, request: HttpRequest, number: int | None = None) -> District | None:
        self.language_code = translation.get_language() or "pl"
        if number is None:
            return None
        district = district_get(number=number)
        if district is None:
            raise Http404
        return district

    def title(self, obj: District | None) -> str:
        if obj is None:
            return _("Ogłoszenia — %(city)s") % {"city": settings.CITY_NAME}
        return _("Ogłoszenia — %(district)s") % {"district": obj.full_name}

    def link(self, obj: District | None) -> str:
        if obj is None:
            return reverse("communication:board")
        return reverse("communication:district_board", kwargs={"number": obj.number})

    def description(self, obj: District | None) -> str:
        return _("Ogłoszenia urzędu, rad dzielnic i organizacji pozarządowych.")

    def items(self, obj: District | None) -> list[Notice]:
        return list(selectors.notice_board(at=timezone.now(), district=obj)[:50])

    def item_title(self, item: Notice) -> str:
        text = selectors.text_for(item, self.language_code)
        return text.title if text else ""

    def item_description(self, item: Notice) -> str:
        text = selectors.text_for(item, self.language_code)
        return text.body if text else ""

    def item_link(self, item: Notice) -> str:
        return reverse("communication:notice_detail", kwargs={"notice_id": item.pk})

    def item_pubdate(self, item: Notice) -> datetime:
        return item.published_at or item.valid_from

    def item_author_name(self, item: Notice) -> str:
        return item.author_label


class NoticeAtomFeed(NoticeRssFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: District | None) -> str:
        return self.description(obj)


def ical_response(request: HttpRequest, number: int | None = None) -> HttpResponse:
    language = translation.get_language() or "pl"
    district = None
    if number is not None:
        district = district_get(number=number)
        if district is None:
            raise Http404
    calendar = Calendar()
    calendar.add("prodid", "-//Wspolnota//Ogloszenia//PL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Ogłoszenia — %(city)s") % {"city": settings.CITY_NAME})
    host = settings.SITE_URL.split("://", 1)[-1]
    for notice in selectors.dated_notices(at=timezone.now(), district=district):
        text = selectors.text_for(notice, language)
        event = Event()
        event.add("uid", f"notice-{notice.pk}@{host}")
        event.add("summary", text.title if text else "")
        event.add("description", text.body if text else "")
        event.add("dtstart", notice.event_start)
        event.add("dtend", notice.event_end or notice.event_start)
        event.add("dtstamp", notice.published_at or notice.created_at)
        if notice.event_location:
            event.add("location", notice.event_location)
        event.add(
            "url",
            request.build_absolute_uri(
                reverse("communication:notice_detail", kwargs={"notice_id": notice.pk})
            ),
        )
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ogloszenia.ics"'
    return response
