"""Personal data held by councils (see ``core.personaldata``).

A councillor's name on the council's composition and on named votes is a public record (art.
11b of the Act on municipal self-government); it stays, the birth date does not. A resident's
question stays with its answer; the author shows as "deleted account".
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from wspolnota.core.personaldata import KEEP, PSEUDONYMISE, PersonalData, register

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def _erase_membership(user: User, now: datetime) -> int:
    from wspolnota.councils.models import Membership

    return Membership.objects.filter(user=user).update(birth_date=None)


register(
    PersonalData(
        "councils.Body",
        not_personal={
            "address": "the council's office",
            "email": "the council's office",
            "phone": "the council's office",
        },
    ),
    PersonalData(
        "councils.Membership",
        user_fields=("user",),
        personal_fields=("person_name", "organisation_name", "birth_date"),
        erase=KEEP,
        reason="who sat on a public body and how they voted by name is a public record; "
        "the birth date is erased",
        eraser=_erase_membership,
        person=True,
    ),
    PersonalData(
        "councils.VoteRecord",
        user_fields=("membership__user",),
        erase=KEEP,
        reason="named votes of a public body are a public record",
    ),
    PersonalData(
        "councils.Committee",
        user_fields=("chair__user",),
        erase=KEEP,
        reason="who chairs a committee of a public body is a public record",
    ),
    PersonalData(
        "councils.SchoolElectionVote",
        personal_fields=("candidates", "lot", "tally"),
        erase=KEEP,
        reason="candidates' names in a school's election to the Youth Council, a public body: "
        "who stood and how many votes they had is a public record (no account is linked)",
    ),
    PersonalData("councils.Resolution", official_fields=("published_by",)),
    PersonalData(
        "councils.MeetingDocument",
        not_personal={
            "file": "a public meeting document (agenda, draft resolution, minutes) published "
            "by the council: a public record (art. 11b of the Act on municipal self-government)",
        },
    ),
    PersonalData(
        "councils.ResidentQuestion",
        user_fields=("author",),
        official_fields=("answered_by", "keyed_by"),
        erase=PSEUDONYMISE,
        reason="the question and its public answer stay; the author shows as 'deleted account'",
    ),
)
