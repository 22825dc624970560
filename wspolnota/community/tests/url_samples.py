"""URL arguments for the every-URL sweep: one of each community object, owned by the personas."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from wspolnota.community import services
from wspolnota.community.models import (
    HoursStatus,
    RoomBooking,
    VolunteerAgreement,
    VolunteerApplication,
    VolunteerHours,
)
from wspolnota.community.tests.factories import (
    ActivityFactory,
    EventFactory,
    PlaceFactory,
    RoomFactory,
    VolunteerOfferFactory,
    VolunteerProfileFactory,
)


def url_samples(request: Any) -> dict[str, Any]:
    krakow = request.getfixturevalue("krakow")
    resident = request.getfixturevalue("resident")
    ngo_member = request.getfixturevalue("ngo_member")
    place = PlaceFactory(district=krakow[1])
    room = RoomFactory(place=place)
    start = timezone.now() + timedelta(days=3)
    booking = RoomBooking.objects.create(
        room=room,
        requested_by=resident,
        applicant_kind="resident",
        purpose="Spotkanie sąsiedzkie",
        attendees=10,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
    )
    activity = ActivityFactory(place=place, capacity=1)
    services.activity_sign_up(user=resident, activity=activity)
    event = EventFactory(place=place, district=krakow[1], created_by=ngo_member)
    # Longer than 30 days, so the application also has a written agreement to sweep.
    offer = VolunteerOfferFactory(
        created_by=ngo_member,
        district=krakow[1],
        ends_on=timezone.localdate() + timedelta(days=60),
    )
    VolunteerProfileFactory(user=resident)
    application = VolunteerApplication.objects.create(offer=offer, volunteer=resident)
    services.volunteer_application_decide(actor=ngo_member, application=application, accept=True)
    agreement = VolunteerAgreement.objects.get(application=application)
    services.volunteer_agreement_record_paper(
        actor=ngo_member, agreement=agreement, signed_on=timezone.localdate()
    )
    hours = VolunteerHours.objects.create(
        application=application,
        day=timezone.localdate() - timedelta(days=1),
        hours=Decimal("2.5"),
        description="Pomoc w świetlicy",
        status=HoursStatus.CONFIRMED,
    )
    return {
        "place_slug": place.slug,
        "room_id": room.pk,
        "booking_id": booking.pk,
        "event_id": event.pk,
        "activity_id": activity.pk,
        "offer_id": offer.pk,
        "application_id": application.pk,
        "hours_id": hours.pk,
    }
