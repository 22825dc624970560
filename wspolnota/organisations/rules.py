"""Rules about who an applicant is: ages, the make-up of informal groups, completeness.

Pure functions over already loaded objects, shared by the registry (verification requests) and
the grants app (eligibility of an applicant for a programme on the day of submission).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from wspolnota.organisations import errors
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.models import (
    DocumentKind,
    Organisation,
    OrganisationDocument,
    OrganisationKind,
    OrganisationPerson,
    PersonRole,
)

ADULT_AGE = 18
MIN_GROUP_ADULTS = 3


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day`` (a person born on 29 February comes of age on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_adult(person: OrganisationPerson, day: date) -> bool:
    return person.birth_date is not None and age_on(person.birth_date, day) >= ADULT_AGE


def group_problems(people: Iterable[OrganisationPerson], day: date) -> list[OrganisationsError]:
    """An informal group: at least three adults, exactly one leader, and the leader is an adult."""
    group = [p for p in people if p.role in (PersonRole.GROUP_LEADER, PersonRole.GROUP_MEMBER)]
    problems = []
    if any(p.birth_date is None for p in group):
        problems.append(OrganisationsError(errors.GROUP_MEMBER_BIRTH_DATE, code="group_birth"))
    adults = sum(1 for p in group if is_adult(p, day))
    if adults < MIN_GROUP_ADULTS:
        problems.append(
            OrganisationsError(
                errors.GROUP_NEEDS_ADULTS, code="group_adults", params={"count": adults}
            )
        )
    leaders = [p for p in group if p.role == PersonRole.GROUP_LEADER]
    if len(leaders) != 1:
        problems.append(OrganisationsError(errors.GROUP_NEEDS_ONE_LEADER, code="group_leader"))
    elif not is_adult(leaders[0], day):
        problems.append(OrganisationsError(errors.GROUP_LEADER_ADULT, code="group_leader_adult"))
    return problems


def applicant_person(people: Iterable[OrganisationPerson]) -> OrganisationPerson | None:
    """The person who is an individual applicant."""
    return next((p for p in people if p.role == PersonRole.APPLICANT), None)


def adult_guardian(people: Iterable[OrganisationPerson], day: date) -> OrganisationPerson | None:
    return next((p for p in people if p.role == PersonRole.GUARDIAN and is_adult(p, day)), None)


def completeness_problems(
    organisation: Organisation,
    *,
    people: list[OrganisationPerson],
    documents: list[OrganisationDocument],
    day: date,
) -> list[OrganisationsError]:
    """What is still missing before officials can verify the entry."""
    problems: list[OrganisationsError] = []
    if organisation.kind == OrganisationKind.NGO:
        if not any(p.role == PersonRole.BOARD_MEMBER and p.may_represent for p in people):
            problems.append(OrganisationsError(errors.NGO_NEEDS_REPRESENTATIVE, code="ngo_rep"))
        if not any(
            d.kind in (DocumentKind.STATUTE, DocumentKind.REGISTER_EXTRACT) for d in documents
        ):
            problems.append(OrganisationsError(errors.NGO_NEEDS_REGISTER_DOCUMENT, code="ngo_doc"))
    elif organisation.kind == OrganisationKind.INFORMAL_GROUP:
        problems += group_problems(people, day)
    else:
        person = applicant_person(people)
        if person is None or person.birth_date is None:
            problems.append(OrganisationsError(errors.INDIVIDUAL_NEEDS_PERSON, code="individual"))
        elif age_on(person.birth_date, day) < ADULT_AGE and adult_guardian(people, day) is None:
            problems.append(OrganisationsError(errors.MINOR_NEEDS_GUARDIAN, code="guardian"))
    return problems
