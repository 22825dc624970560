"""The community start page and a person's own bookings, places and applications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wspolnota.community import permissions, selectors
from wspolnota.community.models import PlaceKind
from wspolnota.community.views._common import _signed_in


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
