"""A confirmed school with its coordinator and panel, and an edition in a chosen phase."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.schools import services
from wspolnota.schools.models import MemberRole, School, SchoolEdition, SchoolMember
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

EDUCATION = "WE"


def education_official() -> Any:
    unit = CityUnitFactory(code=EDUCATION, name="Wydział Edukacji")
    user = UserFactory(password=PASSWORD)
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    return user


def confirmed_school(name: str = "Szkoła Podstawowa nr 1") -> tuple[School, Any, Any]:
    """(school, coordinator, panel member)."""
    official = education_official()
    coordinator = UserFactory(password=PASSWORD)
    school = services.school_register(
        actor=coordinator, name=name, kind="school", location="ul. Szkolna 1"
    )
    services.school_decide(actor=official, school=school, confirm=True)
    panel = UserFactory(password=PASSWORD)
    SchoolMember.objects.create(school=school, user=panel, role=MemberRole.PANEL)
    return school, coordinator, panel


PHASE_OFFSETS = {
    # ideas_from, ideas_until, checking_until/vote_from, vote_until (days from now)
    "ideas": (-1, 5, 10, 13),
    "checking": (-10, -5, 5, 8),
    "voting": (-20, -15, -5, 3),
    "results": (-30, -25, -15, -1),
}


def edition_in(
    school: School,
    coordinator: Any,
    phase: str = "voting",
    *,
    ballot_kind: str = "approval",
    counting_rule: str = "greedy",
    amount: Decimal = Decimal("1000"),
    approval_max: int = 2,
) -> SchoolEdition:
    a, b, c, d = (timezone.now() + timedelta(days=x) for x in PHASE_OFFSETS["ideas"])
    edition = services.school_edition_create(
        actor=coordinator,
        school=school,
        title="Budżet klasowy",
        amount=amount,
        ballot_kind=ballot_kind,
        approval_max=approval_max,
        counting_rule=counting_rule,
        ideas_from=a,
        ideas_until=b,
        checking_until=c,
        vote_from=c,
        vote_until=d,
    )
    move_to(edition, phase)
    return edition


def move_to(edition: SchoolEdition, phase: str) -> None:
    """Set the phase dates so that now falls in ``phase`` (tests only: the service refuses
    changes once the vote opens)."""
    a, b, c, d = (timezone.now() + timedelta(days=x) for x in PHASE_OFFSETS[phase])
    SchoolEdition.objects.filter(pk=edition.pk).update(
        ideas_from=a, ideas_until=b, checking_until=c
    )
    type(edition.box).objects.filter(pk=edition.box_id).update(opens_at=c, closes_at=d)
    edition.refresh_from_db()
    edition.box.refresh_from_db()


def ideas_on_ballot(edition: SchoolEdition, coordinator: Any, costs: list[int]) -> list[Any]:
    """Ideas keyed and accepted (moves the edition through ideas and checking, back to its
    phase afterwards)."""
    phase = services_phase(edition)
    move_to(edition, "ideas")
    ideas = [
        services.idea_key(
            actor=coordinator,
            edition=edition,
            title=f"Pomysł {n}",
            description="Opis pomysłu.",
            cost=Decimal(cost),
            class_label="5b",
            at=timezone.now(),
        )
        for n, cost in enumerate(costs, start=1)
    ]
    for idea in ideas:
        services.idea_check(
            actor=coordinator, idea=idea, accept=True, reason="Mieści się.", at=timezone.now()
        )
    move_to(edition, phase)
    return ideas


def services_phase(edition: SchoolEdition) -> str:
    from wspolnota.schools.selectors import edition_phase

    phase = edition_phase(edition, at=timezone.now())
    return "ideas" if phase == "before" else phase
