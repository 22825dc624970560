"""Factories and a ready-made council for councils tests."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from wspolnota.councils.models import Body, BodyKind, Meeting, MeetingStatus, Membership, Term


class BodyFactory(factory.django.DjangoModelFactory[Body]):
    class Meta:
        model = Body

    kind = BodyKind.DISTRICT_COUNCIL
    name = factory.Sequence(lambda n: f"Rada Dzielnicy testowej {n}")
    slug = factory.Sequence(lambda n: f"rada-{n}")
    seats = 15


class TermFactory(factory.django.DjangoModelFactory[Term]):
    class Meta:
        model = Term

    body = factory.SubFactory(BodyFactory)
    name = "IX kadencja"
    starts_on = date(2024, 6, 1)
    ends_on = date(2029, 5, 31)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    term = factory.SubFactory(TermFactory)
    person_name = factory.Sequence(lambda n: f"Radny Testowy {n}")
    starts_on = factory.LazyAttribute(lambda o: o.term.starts_on)


class MeetingFactory(factory.django.DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Sesja {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    location = "Sala obrad"
    agenda = "1. Otwarcie."
    status = MeetingStatus.HELD


def council_with_members(district, *, seats: int = 5) -> tuple[Body, Term, list[Membership]]:
    """A district council with a current term and all its seats filled."""
    body = BodyFactory(district=district, seats=seats, slug=f"rada-dzielnicy-{district.number}")
    term = TermFactory(body=body)
    members = [MembershipFactory(term=term, person_name=f"Radna {n}") for n in range(seats)]
    return body, term, members
