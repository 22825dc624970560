"""Who may do what in the participatory budget, and when.

Each rule exists twice: ``<verb>_refusal(user, obj, *, at)`` says *why not* (a translated message
with its parameters, or ``None`` when allowed) and ``can_<verb>_<thing>`` turns it into a bool for
templates. Services raise the refusal as a ``BudgetError``, so the page and the rule never
disagree. Phase and time are explicit (``at``); nothing here reads the clock or writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone
from django.utils.functional import Promise

from wspolnota.accounts.permissions import has_role, is_councillor_of, is_official
from wspolnota.accounts.roles import Role
from wspolnota.budget import errors
from wspolnota.budget.models import (
    OPEN_CASE_STATUSES,
    TRANSITIONS,
    Appeal,
    Edition,
    MergeProposal,
    Phase,
    Project,
    ProjectStatus,
    Review,
    ReviewResult,
)

if TYPE_CHECKING:
    from wspolnota.accounts.models import User
    from wspolnota.territory.models import District

S = ProjectStatus


@dataclass(frozen=True)
class Refusal:
    message: str | Promise
    params: dict[str, Any] = field(default_factory=dict)


def when(moment: datetime) -> str:
    """A date and time as people in the city read it (local time, current language)."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _signed_in(user: User | Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def official_unit_ids(user: User | Any) -> set[int]:
    """The city units in which the user is an official (cached on the user object)."""
    if not _signed_in(user):
        return set()
    cached: set[int] | None = getattr(user, "_budget_unit_ids", None)
    if cached is None:
        cached = {
            unit_id
            for unit_id in user.role_assignments.filter(
                role=Role.OFFICIAL, city_unit__isnull=False
            ).values_list("city_unit_id", flat=True)
            if unit_id is not None
        }
        setattr(user, "_budget_unit_ids", cached)  # noqa: B010
    return cached


def is_administrator(user: User | Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_coordinator(user: User | Any, edition: Edition) -> bool:
    """Officials of the edition's coordinating unit, and administrators. An edition without a
    coordinating unit is run by administrators only, never by any official of any department
    (the same rule as ``coordinates_edition``)."""
    return coordinates_edition(user, edition)


def coordinates_edition(user: User | Any, edition: Edition) -> bool:
    """The edition's coordinators in the strict sense the vote needs: officials of its
    coordinating unit, and administrators. An edition without a coordinating unit is run by
    administrators only (never "any official of any department")."""
    if not _signed_in(user):
        return False
    if is_administrator(user):
        return True
    unit_id = edition.coordinating_unit_id
    return unit_id is not None and unit_id in official_unit_ids(user)


def voting_phase_change_refusal(
    edition: Edition, window: tuple[datetime, datetime], *, at: datetime
) -> Refusal | None:
    """Once voting has started its dates are the vote's, not the calendar's: the start stays,
    and the end only moves later through the vote's published extension (with a reason), never
    by editing the phase. Before the start, the phase may be moved freely."""
    current = edition.phase_window(Phase.VOTING)
    if current is None or at < current[0]:
        return None
    if window == current:
        return None
    return Refusal(errors.VOTING_DATES_LOCKED)


def is_author(user: User | Any, project: Project) -> bool:
    return _signed_in(user) and project.author_id is not None and project.author_id == user.pk


def _before_final_list(edition: Edition, at: datetime) -> bool:
    """Verification, corrections and appeals run until the final list is published (and never
    once voting has begun)."""
    if edition.final_list_published_at is not None:
        return False
    return edition.phase_has_started(Phase.SUBMISSION, at) and not edition.phase_has_started(
        Phase.VOTING, at
    )


# --- Reading -----------------------------------------------------------------------------------


def can_view_edition(user: User | Any, edition: Edition) -> bool:
    """A published edition is public; one still being set up is seen by its coordinators (the
    coordinating unit's officials and administrators), not by every official (issue 15)."""
    return edition.is_published or is_coordinator(user, edition)


def can_view_project(user: User | Any, project: Project) -> bool:
    """Drafts are the author's own; everything submitted is public."""
    if project.status != S.DRAFT:
        return can_view_edition(user, project.edition)
    return is_author(user, project) or is_administrator(user)


def reviews_project(user: User | Any, project: Project) -> bool:
    """An official of the unit leading the project's verification or asked for an opinion on it."""
    units = official_unit_ids(user)
    if not units:
        return False
    if project.verification_unit_id in units:
        return True
    return project.reviews.filter(city_unit_id__in=units).exists()


def can_view_verification(user: User | Any, project: Project) -> bool:
    """The edition's coordinators and the units working on the project's verification; a
    district councillor, their own district's projects. Not every official of every department."""
    if project.status == S.DRAFT:
        return False
    if is_coordinator(user, project.edition) or reviews_project(user, project):
        return True
    return is_councillor_of(user, project.pool.district_id)


def can_use_office(user: User | Any) -> bool:
    return is_official(user) or has_role(user, Role.DISTRICT_COUNCILLOR)


def can_export_projects(user: User | Any, edition: Edition) -> bool:
    """The edition's coordinators and the units leading a verification in it; not every
    official of every department (issue 15)."""
    if is_coordinator(user, edition):
        return True
    units = official_unit_ids(user)
    return bool(units) and edition.projects.filter(verification_unit_id__in=units).exists()


# --- Authors -----------------------------------------------------------------------------------


def submission_refusal(user: User | Any, edition: Edition, *, at: datetime) -> Refusal | None:
    if not _signed_in(user):
        return Refusal(errors.LOGIN_REQUIRED)
    if not edition.is_published:
        return Refusal(errors.NOT_ALLOWED)
    if not edition.phase_is_open(Phase.SUBMISSION, at):
        window = edition.phase_window(Phase.SUBMISSION)
        if window is not None and at >= window[1]:
            return Refusal(errors.SUBMISSION_CLOSED_SINCE, {"deadline": when(window[1])})
        return Refusal(errors.SUBMISSION_CLOSED)
    return None


def can_submit_project(user: User | Any, edition: Edition, *, at: datetime) -> bool:
    return submission_refusal(user, edition, at=at) is None


def edit_refusal(user: User | Any, project: Project, *, at: datetime) -> Refusal | None:
    """Authors edit drafts and submitted projects until submission closes, and on a correction
    request until its deadline. Officials change costs through verification, not here."""
    if not is_author(user, project):
        return Refusal(errors.NOT_ALLOWED)
    if project.status in (S.DRAFT, S.SUBMITTED):
        return submission_refusal(user, project.edition, at=at)
    if project.status == S.CORRECTION_REQUESTED:
        request = (
            project.correction_requests.filter(answered_at__isnull=True).order_by("-id").first()
        )
        if request is not None and at > request.deadline:
            return Refusal(errors.CORRECTION_DEADLINE_PASSED, {"deadline": when(request.deadline)})
        return None
    return Refusal(errors.EDIT_CLOSED)


def can_edit_project(user: User | Any, project: Project, *, at: datetime) -> bool:
    return edit_refusal(user, project, at=at) is None


def withdraw_refusal(user: User | Any, project: Project, *, at: datetime) -> Refusal | None:
    if not is_author(user, project):
        return Refusal(errors.NOT_ALLOWED)
    if project.status in (S.DRAFT, S.WITHDRAWN, S.MERGED) or S.WITHDRAWN not in _next(project):
        return Refusal(errors.WITHDRAW_STATUS)
    deadline = project.edition.withdrawal_deadline
    if deadline is not None and at > deadline:
        return Refusal(errors.WITHDRAW_CLOSED, {"deadline": when(deadline)})
    return None


def can_withdraw_project(user: User | Any, project: Project, *, at: datetime) -> bool:
    return withdraw_refusal(user, project, at=at) is None


def _next(project: Project) -> frozenset[str]:
    return TRANSITIONS[project.status]


def appeal_deadline(project: Project) -> datetime | None:
    if project.verified_at is None:
        return None
    return project.verified_at + timedelta(days=project.edition.appeal_days)


def appeal_refusal(user: User | Any, project: Project, *, at: datetime) -> Refusal | None:
    if not is_author(user, project):
        return Refusal(errors.NOT_ALLOWED)
    if project.status != S.VERIFIED_NEGATIVE:
        return Refusal(errors.APPEAL_NOT_NEGATIVE)
    if hasattr(project, "appeal"):
        return Refusal(errors.APPEAL_EXISTS)
    deadline = appeal_deadline(project)
    if deadline is None or at > deadline or not _before_final_list(project.edition, at):
        return Refusal(errors.APPEAL_DEADLINE_PASSED, {"deadline": when(deadline or at)})
    return None


def can_appeal_project(user: User | Any, project: Project, *, at: datetime) -> bool:
    return appeal_refusal(user, project, at=at) is None


def can_answer_merge(user: User | Any, proposal: MergeProposal) -> bool:
    if not proposal.is_pending:
        return False
    return (is_author(user, proposal.source) and proposal.source_consent is None) or (
        is_author(user, proposal.target) and proposal.target_consent is None
    )


# --- Supporters --------------------------------------------------------------------------------


def support_refusal(user: User | Any, project: Project, *, at: datetime) -> Refusal | None:
    """Residents (of the district, for district projects) support within the support period."""
    if not _signed_in(user):
        return Refusal(errors.LOGIN_REQUIRED)
    if project.status != S.SUBMITTED or project.support_deadline is None:
        return Refusal(errors.SUPPORT_NOT_OPEN)
    if at > project.support_deadline:
        return Refusal(errors.SUPPORT_DEADLINE_PASSED, {"deadline": when(project.support_deadline)})
    if is_author(user, project):
        return Refusal(errors.SUPPORT_OWN_PROJECT)
    return support_verification_refusal(user)


def support_verification_refusal(user: User | Any) -> Refusal | None:
    """Online support counts only from a person the platform can tell apart from others: a
    confirmed mobile number or a verified identity, as the city chose
    (``BUDGET_SUPPORT_REQUIRES``). Under "identity" anyone signed in may give their support
    with their name and date of birth: it counts once the unit verifying the project has
    checked them (``can_check_supporters``), or at once for an identity the account already
    had verified (``identity_verified_at``, a trusted-profile log-in)."""
    from django.conf import settings

    if settings.BUDGET_SUPPORT_REQUIRES == "identity":
        return None
    if not getattr(user, "phone_confirmed", False):
        return Refusal(errors.SUPPORT_PHONE_REQUIRED)
    return None


def support_address_refusal(project: Project, district: District | None) -> Refusal | None:
    """Residence comes from the address the supporter gives, located in the district
    boundaries (``territory.selectors.district_for_point``), never from a profile choice: a
    point outside the city supports nothing; a district project needs a point in its district."""
    if district is None or district.city_id != project.edition.city_id:
        return Refusal(errors.SUPPORT_ADDRESS_OUTSIDE_CITY)
    wanted = project.pool.district
    if wanted is not None and project.edition.supporters_from_district and district != wanted:
        return Refusal(
            errors.SUPPORT_ADDRESS_WRONG_DISTRICT,
            {"found": district.full_name, "district": wanted.full_name},
        )
    return None


def support_check_refusal(user: User | Any, project: Project, *, at: datetime) -> Refusal | None:
    """The supporters' identities are checked by the unit verifying the project (its lead unit
    or a unit asked for an opinion) and the edition's coordinators, while the project is being
    verified and before the list for the vote is out; not by any other official."""
    if not (is_coordinator(user, project.edition) or reviews_project(user, project)):
        return Refusal(errors.NOT_ALLOWED)
    if project.status not in (
        S.SUBMITTED,
        S.IN_VERIFICATION,
        S.CORRECTION_REQUESTED,
    ) or not _before_final_list(project.edition, at):
        return Refusal(errors.SUPPORT_CHECK_NOT_OPEN)
    return None


def can_check_supporters(user: User | Any, project: Project, *, at: datetime) -> bool:
    return support_check_refusal(user, project, at=at) is None


def can_support_project(user: User | Any, project: Project, *, at: datetime) -> bool:
    return support_refusal(user, project, at=at) is None


def can_record_paper_support(user: User | Any, project: Project, *, at: datetime) -> bool:
    """Officials record paper lists that reached the office, until verification is decided."""
    return (
        is_coordinator(user, project.edition)
        and project.status in (S.SUBMITTED, S.IN_VERIFICATION, S.CORRECTION_REQUESTED)
        and _before_final_list(project.edition, at)
    )


# --- Officials ---------------------------------------------------------------------------------


def verification_refusal(user: User | Any, project: Project, *, at: datetime) -> Refusal | None:
    if not is_coordinator(user, project.edition):
        return Refusal(errors.NOT_ALLOWED)
    if not _before_final_list(project.edition, at):
        return Refusal(errors.VERIFICATION_NOT_OPEN)
    if project.status not in OPEN_CASE_STATUSES:
        return Refusal(errors.VERIFICATION_WRONG_STATUS, {"status": project.get_status_display()})
    return None


def can_verify_project(user: User | Any, project: Project, *, at: datetime) -> bool:
    return verification_refusal(user, project, at=at) is None


def review_refusal(user: User | Any, review: Review, *, at: datetime) -> Refusal | None:
    """A review is completed by an official of its unit (or a coordinator) while verification runs."""
    project = review.project
    allowed = review.city_unit_id in official_unit_ids(user) or is_coordinator(
        user, project.edition
    )
    if not allowed:
        return Refusal(errors.NOT_ALLOWED)
    if not _before_final_list(project.edition, at):
        return Refusal(errors.VERIFICATION_NOT_OPEN)
    if review.result != ReviewResult.PENDING:
        return Refusal(errors.REVIEW_DONE)
    if project.status not in (S.IN_VERIFICATION, S.CORRECTION_REQUESTED):
        return Refusal(errors.VERIFICATION_WRONG_STATUS, {"status": project.get_status_display()})
    return None


def can_complete_review(user: User | Any, review: Review, *, at: datetime) -> bool:
    return review_refusal(user, review, at=at) is None


def appeal_handling_refusal(user: User | Any, appeal: Appeal, *, at: datetime) -> Refusal | None:
    if not is_coordinator(user, appeal.project.edition):
        return Refusal(errors.NOT_ALLOWED)
    if appeal.decision:
        return Refusal(errors.APPEAL_DECIDED)
    if not _before_final_list(appeal.project.edition, at):
        return Refusal(errors.VERIFICATION_NOT_OPEN)
    return None


def can_handle_appeal(user: User | Any, appeal: Appeal, *, at: datetime) -> bool:
    return appeal_handling_refusal(user, appeal, at=at) is None


def final_list_refusal(user: User | Any, edition: Edition, *, at: datetime) -> Refusal | None:
    if not is_coordinator(user, edition):
        return Refusal(errors.NOT_ALLOWED)
    if edition.final_list_published_at is not None:
        return Refusal(errors.FINAL_LIST_PUBLISHED)
    window = edition.phase_window(Phase.FINAL_LIST)
    if window is None or at < window[0]:
        start = window[0] if window else at
        return Refusal(errors.FINAL_LIST_TOO_EARLY, {"start": when(start)})
    if edition.phase_has_started(Phase.VOTING, at):
        return Refusal(errors.FINAL_LIST_TOO_LATE)
    return None


def can_publish_final_list(user: User | Any, edition: Edition, *, at: datetime) -> bool:
    return final_list_refusal(user, edition, at=at) is None


# --- Setting up an edition (the coordinating unit's pages) -------------------------------------


def edition_create_refusal(user: User | Any, unit: Any) -> Refusal | None:
    """A new edition is opened by an official *for their own unit*, which then coordinates it
    (administrators may name any unit). Being an official of another department is not enough."""
    if not _signed_in(user):
        return Refusal(errors.LOGIN_REQUIRED)
    if is_administrator(user):
        return None
    if unit is None or unit.pk not in official_unit_ids(user):
        return Refusal(errors.NOT_ALLOWED)
    return None


def can_create_edition(user: User | Any) -> bool:
    """Officials of some unit (for that unit) and administrators."""
    return is_administrator(user) or bool(official_unit_ids(user))


def can_set_up_edition(user: User | Any, edition: Edition) -> bool:
    """Only the coordinating unit's officials (and administrators) set up their edition."""
    return coordinates_edition(user, edition)


# Fields of an edition (and its pools) and the phase from which each is locked, with the reason
# the page shows. Rules residents rely on when they submit or support stay as announced once
# submission has begun; the money and the deadlines the vote relies on, once voting has begun.
SUBMISSION_LOCKED_FIELDS = (
    "supporters_required",
    "support_days",
    "supporters_from_district",
    "short_description_min",
    "short_description_max",
    "categories",
    "pool_limits",
    "pools",
)
VOTING_LOCKED_FIELDS = ("total_budget", "withdrawal_deadline", "appeal_days", "pool_budget")


def setup_locks(edition: Edition, *, at: datetime) -> dict[str, Refusal]:
    """Which set-up fields may no longer change, each with the reason the page shows."""
    locks: dict[str, Refusal] = {}
    if edition.phase_has_started(Phase.SUBMISSION, at):
        for name in SUBMISSION_LOCKED_FIELDS:
            locks[name] = Refusal(errors.SETUP_LOCKED_SUBMISSION)
    if edition.phase_has_started(Phase.VOTING, at):
        for name in VOTING_LOCKED_FIELDS:
            locks[name] = Refusal(errors.SETUP_LOCKED_VOTING)
    return locks
