"""Factories for community tests: places, rooms, events and volunteering."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from wspolnota.community.models import (
    Activity,
    Event,
    OpeningHours,
    OrganiserKind,
    Place,
    PlaceKind,
    Room,
    VolunteerOffer,
    VolunteerProfile,
)
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory

# The unit that runs the places the factories make (see conftest's ``official``).
PLACES_UNIT = "WPS"


class PlaceFactory(factory.django.DjangoModelFactory[Place]):
    class Meta:
        model = Place
        skip_postgeneration_save = True

    kind = PlaceKind.SENIOR_CENTRE
    name = factory.Sequence(lambda n: f"Centrum Aktywności Seniorów nr {n}")
    slug = factory.Sequence(lambda n: f"miejsce-{n}")
    street_address = factory.Sequence(lambda n: f"ul. Długa {n + 1}")
    postal_code = "31-147"
    latitude = Decimal("50.061400")
    longitude = Decimal("19.936600")
    operator = "Fundacja Testowa"
    phone = "+48 12 300 00 00"
    city_unit = factory.SubFactory(CityUnitFactory, code=PLACES_UNIT)

    @factory.post_generation
    def hours(obj: Place, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            OpeningHours.objects.bulk_create(
                OpeningHours(place=obj, weekday=d, opens=time(9), closes=time(17)) for d in range(5)
            )


class RoomFactory(factory.django.DjangoModelFactory[Room]):
    class Meta:
        model = Room

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Sala {n}")
    capacity = 20


class EventFactory(factory.django.DjangoModelFactory[Event]):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Warsztaty rodzinne {n}")
    description = "Zajęcia dla dzieci i rodziców."
    organiser_kind = OrganiserKind.PLACE
    organiser_name = "Centrum Aktywności Seniorów"
    place = factory.SubFactory(PlaceFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10
    created_by = factory.SubFactory(UserFactory)


class VolunteerOfferFactory(factory.django.DjangoModelFactory[VolunteerOffer]):
    class Meta:
        model = VolunteerOffer

    title = factory.Sequence(lambda n: f"Pomoc w świetlicy {n}")
    task = "Pomoc dzieciom w odrabianiu lekcji."
    organiser_kind = OrganiserKind.NGO
    organiser_name = "Stowarzyszenie Testowe"
    organiser_address = "ul. Testowa 1, 31-000 Kraków"
    location = "ul. Testowa 1"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))
    time_commitment = "2 godziny w tygodniu"
    min_age = 16
    weekday_afternoons = True
    created_by = factory.SubFactory(UserFactory)


class VolunteerProfileFactory(factory.django.DjangoModelFactory[VolunteerProfile]):
    class Meta:
        model = VolunteerProfile

    user = factory.SubFactory(UserFactory)
    birth_date = date(2000, 1, 15)
    weekday_afternoons = True


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity

    place = factory.SubFactory(PlaceFactory)
    title = factory.Sequence(lambda n: f"Gimnastyka dla seniorów {n}")
    weekday = 1
    starts_at = time(10)
    ends_at = time(11)
    capacity = 10
