"""Writes of the community app, split by concern: places (and their opening hours), the
import of the city's senior-centre list, rooms and room bookings, events and recurring
activities (one implementation of taking and giving up a place), volunteering.

Every rule that must hold "only once" (one booking per slot, one place per seat) is enforced
under a row lock on the room, the activity or the event, so concurrent requests on PostgreSQL
serialise; a partial unique index backs each rule up in the database. Every public name is
re-exported here, so ``from wspolnota.community.services import event_register`` and
``services.place_save(...)`` keep working."""

from __future__ import annotations

from wspolnota.community.services.events import (
    ACTIVITY_FIELDS,
    EVENT_FIELDS,
    activity_end,
    activity_save,
    activity_sign_up,
    activity_signup_cancel,
    event_cancel,
    event_register,
    event_registration_cancel,
    event_save,
)
from wspolnota.community.services.places import (
    PLACE_FIELDS,
    format_opening_hours,
    parse_opening_hours,
    place_save,
    unique_place_slug,
)
from wspolnota.community.services.places_import import (
    MAX_IMPORT_BYTES,
    OPEN_DATA_SOURCE,
    ImportReport,
    senior_centres_import,
)
from wspolnota.community.services.rooms import (
    max_booking_hours,
    room_booking_cancel,
    room_booking_decide,
    room_booking_request,
    room_save,
)
from wspolnota.community.services.volunteering import (
    OFFER_FIELDS,
    volunteer_agreement_record_paper,
    volunteer_agreement_sign_with_file,
    volunteer_application_decide,
    volunteer_application_withdraw,
    volunteer_apply,
    volunteer_hours_decide,
    volunteer_hours_log,
    volunteer_offer_save,
    volunteer_profile_save,
    volunteer_record,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "EVENT_FIELDS",
    "MAX_IMPORT_BYTES",
    "OFFER_FIELDS",
    "OPEN_DATA_SOURCE",
    "PLACE_FIELDS",
    "ImportReport",
    "activity_end",
    "activity_save",
    "activity_sign_up",
    "activity_signup_cancel",
    "event_cancel",
    "event_register",
    "event_registration_cancel",
    "event_save",
    "format_opening_hours",
    "max_booking_hours",
    "parse_opening_hours",
    "place_save",
    "room_booking_cancel",
    "room_booking_decide",
    "room_booking_request",
    "room_save",
    "senior_centres_import",
    "unique_place_slug",
    "volunteer_agreement_record_paper",
    "volunteer_agreement_sign_with_file",
    "volunteer_application_decide",
    "volunteer_application_withdraw",
    "volunteer_apply",
    "volunteer_hours_decide",
    "volunteer_hours_log",
    "volunteer_offer_save",
    "volunteer_profile_save",
    "volunteer_record",
]
