"""Who may do what with a community place and what happens there: role × scope × action.

A place is run by a city unit (``Place.city_unit``) and its named managers. Officials of that
unit (and administrators) edit the place, decide its room bookings, and act for the events and
volunteer offers held there; an official of another department does none of it. A volunteer
offer's own coordinator confirms its volunteers' hours; another NGO's member does not.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.community import services
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import HoursStatus, Place, RoomBooking
from wspolnota.community.tests.factories import (
    EventFactory,
    PlaceFactory,
    RoomFactory,
    VolunteerOfferFactory,
    VolunteerProfileFactory,
)
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import councillor_of, official_of, with_role


def _hours(offer):
    volunteer = VolunteerProfileFactory().user
    application = services.volunteer_application_decide(
        actor=offer.created_by,
        application=services.volunteer_apply(user=volunteer, offer=offer),
        accept=True,
    )
    return services.volunteer_hours_log(
        user=volunteer,
        application=application,
        day=timezone.localdate() - timedelta(days=1),
        hours=Decimal("3"),
        description="Zajęcia w świetlicy",
    )


def _edit_place(actor, place, offer):
    services.place_save(actor=actor, place=place, fields={"phone": "+48 12 111 11 11"})


def _decide_booking(actor, place, offer):
    room = RoomFactory(place=place)
    starts = timezone.now() + timedelta(days=3)
    booking = RoomBooking.objects.create(
        room=room,
        requested_by=UserFactory(),
        applicant_kind="resident",
        applicant_name="Anna",
        purpose="Próba chóru",
        attendees=10,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )
    services.room_booking_decide(actor=actor, booking=booking, approve=True)


def _edit_event(actor, place, offer):
    event = EventFactory(place=place)
    services.event_save(actor=actor, event=event, fields={"title": "Zmieniony tytuł"})


def _confirm_hours(actor, place, offer):
    entry = _hours(offer)
    services.volunteer_hours_decide(actor=actor, entry=entry, confirm=True)
    entry.refresh_from_db()
    assert entry.status == HoursStatus.CONFIRMED


ACTIONS = {
    "edit_place": _edit_place,
    "decide_booking": _decide_booking,
    "edit_event_at_place": _edit_event,
    "confirm_hours": _confirm_hours,
}

ALL = set(ACTIONS)
# persona → actions allowed on a place run by the unit "A" and a volunteer offer held there
ALLOWED = {
    "official_of_unit": ALL,
    "official_of_other_unit": set(),
    "place_manager": ALL,
    "offer_coordinator": {"confirm_hours"},
    "member_of_another_ngo": set(),
    "administrator": ALL,
    "district_councillor": set(),
    "moderator": set(),
    "resident": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_permission_matrix(krakow, persona, action):
    unit = CityUnitFactory()
    place = PlaceFactory(city_unit=unit, is_published=True)
    coordinator = with_role(Role.NGO_MEMBER)
    offer = VolunteerOfferFactory(created_by=coordinator, place=place)
    actor = {
        "official_of_unit": lambda: official_of(unit),
        "official_of_other_unit": lambda: official_of(CityUnitFactory()),
        "place_manager": lambda: _manager_of(place),
        "offer_coordinator": lambda: coordinator,
        "member_of_another_ngo": lambda: with_role(Role.NGO_MEMBER),
        "administrator": lambda: with_role(Role.ADMINISTRATOR),
        "district_councillor": lambda: councillor_of(krakow[1]),
        "moderator": lambda: with_role(Role.MODERATOR),
        "resident": lambda: UserFactory(district=krakow[1]),
    }[persona]()
    if action in ALLOWED[persona]:
        ACTIONS[action](actor, place, offer)
    else:
        with pytest.raises(CommunityError):
            ACTIONS[action](actor, place, offer)


def _manager_of(place):
    person = UserFactory()
    place.managers.add(person)
    return person


@pytest.mark.django_db
def test_an_official_of_any_department_cannot_confirm_an_ngos_volunteer_hours(krakow):
    offer = VolunteerOfferFactory(created_by=with_role(Role.NGO_MEMBER))
    entry = _hours(offer)
    with pytest.raises(CommunityError):
        services.volunteer_hours_decide(
            actor=official_of(CityUnitFactory()), entry=entry, confirm=True
        )
    entry.refresh_from_db()
    assert entry.status == HoursStatus.LOGGED


@pytest.mark.django_db
def test_an_official_creates_a_place_only_for_their_own_unit(krakow):
    unit = CityUnitFactory()
    official = official_of(unit)
    fields = {"kind": "senior-centre", "name": "CAS Nowy", "street_address": "ul. Krótka 1"}
    place = services.place_save(actor=official, place=None, fields=fields)
    assert place.city_unit == unit
    with pytest.raises(CommunityError):
        services.place_save(
            actor=official,
            place=None,
            fields={**fields, "name": "CAS cudzy", "city_unit": CityUnitFactory()},
        )
    assert not Place.objects.filter(name="CAS cudzy").exists()


@pytest.mark.django_db
def test_a_place_manager_cannot_hand_the_place_to_another_unit(krakow):
    unit = CityUnitFactory()
    place = PlaceFactory(city_unit=unit)
    with pytest.raises(CommunityError):
        services.place_save(
            actor=_manager_of(place), place=place, fields={"city_unit": CityUnitFactory()}
        )
    place.refresh_from_db()
    assert place.city_unit == unit
