"""Factories for consultations: a consultation open now, by default, that meets Kraków's rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from wspolnota.consultations.models import Consultation, Meeting, Remark
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory


def today() -> Any:
    return timezone.localdate()


class ConsultationFactory(factory.django.DjangoModelFactory[Consultation]):
    class Meta:
        model = Consultation

    title = factory.Sequence(lambda n: f"Konsultacje testowe {n}")
    summary = "Jak urządzić plac w sąsiedztwie?"
    initiating_unit = factory.SubFactory(CityUnitFactory)
    legal_basis = "uchwała nr CXI/2904/18 Rady Miasta Krakowa"
    information_from = factory.LazyFunction(lambda: today() - timedelta(days=14))
    starts_on = factory.LazyFunction(lambda: today() - timedelta(days=5))
    ends_on = factory.LazyFunction(lambda: today() + timedelta(days=20))
    forms = ["document", "meeting", "survey", "opinion_map"]
    languages = ["en", "pl", "uk"]
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=14))
    created_by = factory.SubFactory(UserFactory)


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    consultation = factory.SubFactory(ConsultationFactory)
    kind = Meeting.Kind.MEETING
    mode = Meeting.Mode.IN_PERSON
    title = "Otwarte spotkanie w Domu Kultury"
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    place = "Dom Kultury, ul. Testowa 1"
    capacity = 30
    accessibility = "Wejście bez schodów, pętla indukcyjna."


class RemarkFactory(factory.django.DjangoModelFactory[Remark]):
    class Meta:
        model = Remark

    consultation = factory.SubFactory(ConsultationFactory)
    author = factory.SubFactory(UserFactory)
    channel = Remark.Channel.PLATFORM
    text = "Proszę o więcej ławek i cienia."
