"""Personal data held by the participatory budget (see ``core.personaldata``).

A project, an appeal or a support stays when its author deletes the account (the edition's
public record and counts depend on it); the author then shows as "deleted account".
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from wspolnota.core.personaldata import DELETE, PSEUDONYMISE, PersonalData, register

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def _erase_projects(user: User, now: datetime) -> int:
    """Drafts nobody else has seen are deleted; submitted projects lose the author's name."""
    from wspolnota.budget.models import Project, ProjectStatus

    mine = Project.objects.filter(author=user)
    deleted = mine.filter(status=ProjectStatus.DRAFT).delete()[0]
    return deleted + mine.update(author_display_name="", guardian_name="")


_PLACE = "the project's location in the city, not a person's address"

register(
    PersonalData(
        "budget.Project",
        user_fields=("author",),
        official_fields=("verification_official",),
        personal_fields=("author_display_name", "guardian_name"),
        erase=PSEUDONYMISE,
        reason="submitted projects are the edition's public record; the author's name goes "
        "(drafts are deleted)",
        eraser=_erase_projects,
        not_personal={"address": _PLACE},
    ),
    PersonalData(
        "budget.ProjectVersion",
        user_fields=("created_by",),
        erase=PSEUDONYMISE,
        reason="the project's public history; the account row behind it holds no name any more",
        not_personal={"address": _PLACE},
    ),
    PersonalData(
        "budget.Attachment",
        user_fields=("uploaded_by",),
        erase=PSEUDONYMISE,
        reason="the project's public attachments",
        files={
            "file": "a public attachment of the project (a map, a photo, a cost estimate): its "
            "name is in the uploader's download; it stays with the project, published as part "
            "of it, and the uploader becomes nameless",
        },
    ),
    PersonalData(
        "budget.Support",
        user_fields=("user",),
        personal_fields=("address", "full_name", "birth_date"),
        official_fields=("checked_by",),
        erase=PSEUDONYMISE,
        reason="the support counted for the project stays; the address, name and date of birth "
        "given for it go",
    ),
    PersonalData("budget.ProjectFollow", user_fields=("user",), erase=DELETE),
    PersonalData("budget.PaperSupportList", official_fields=("recorded_by",)),
    PersonalData("budget.Review", official_fields=("official", "completed_by")),
    PersonalData("budget.CorrectionRequest", official_fields=("requested_by",)),
    PersonalData("budget.MergeProposal", official_fields=("proposed_by",)),
    PersonalData(
        "budget.Appeal",
        user_fields=("author",),
        official_fields=("decided_by",),
        erase=PSEUDONYMISE,
        reason="an appeal and its decision are the edition's public record",
    ),
)
