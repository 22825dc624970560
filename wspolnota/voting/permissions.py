"""Who may do what in voting, and when. Pure functions; time is explicit (``at``).

The edition's coordinators (officials of its coordinating unit, and administrators — see
``budget.permissions.coordinates_edition``) set the rules, run the commission's work on paper
cards, close the ballot box, count, publish and correct. A voting point's coordinators key in
its cards and close it. Nobody else, whatever their role elsewhere; ``tests/test_permissions_matrix.py``
checks every role in every phase against a table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wspolnota.accounts.permissions import has_role
from wspolnota.accounts.roles import Role
from wspolnota.budget.models import Edition, Phase
from wspolnota.budget.permissions import coordinates_edition as coordinates_edition


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _rules(edition: Edition) -> Any:
    return getattr(edition, "voting_rules", None)


def voting_is_open(edition: Edition, *, at: datetime) -> bool:
    return edition.phase_is_open(Phase.VOTING, at)


def voting_has_started(edition: Edition, *, at: datetime) -> bool:
    return edition.phase_has_started(Phase.VOTING, at)


def voting_has_closed(edition: Edition, *, at: datetime) -> bool:
    window = edition.phase_window(Phase.VOTING)
    return window is not None and window[1] <= at


def box_is_closed(edition: Edition) -> bool:
    rules = _rules(edition)
    return rules is not None and rules.box_closed_at is not None


def results_are_published(edition: Edition) -> bool:
    rules = _rules(edition)
    return rules is not None and rules.results_published_at is not None


def can_manage_voting(user: Any, edition: Edition) -> bool:
    """The edition's coordinators: office pages, voting points, refusals."""
    return coordinates_edition(user, edition)


def can_set_rules(user: Any, edition: Edition, *, at: datetime) -> bool:
    rules = _rules(edition)
    return (
        coordinates_edition(user, edition)
        and not voting_has_started(edition, at=at)
        and (rules is None or rules.fixed_at is None)
    )


def can_create_point(user: Any, edition: Edition, *, at: datetime) -> bool:
    return coordinates_edition(user, edition) and not box_is_closed(edition)


def can_extend_voting(user: Any, edition: Edition, *, at: datetime) -> bool:
    return coordinates_edition(user, edition) and voting_is_open(edition, at=at)


def is_point_coordinator(user: Any, point: Any) -> bool:
    if not _signed_in(user):
        return False
    return bool(point.coordinators.filter(pk=user.pk).exists())


def can_enter_paper(user: Any, point: Any, *, at: datetime) -> bool:
    """A point's own coordinators key its cards, from the opening of the vote until the point
    is closed (points key their last cards after the end, before closing)."""
    return (
        is_point_coordinator(user, point)
        and point.closed_at is None
        and voting_has_started(point.edition, at=at)
        and not results_are_published(point.edition)
    )


def can_close_point(user: Any, point: Any, *, at: datetime) -> bool:
    return (
        is_point_coordinator(user, point)
        and point.closed_at is None
        and voting_has_started(point.edition, at=at)
    )


def can_view_point_staff(user: Any, point: Any) -> bool:
    """Pages of a point's staff: its coordinators, and the commission."""
    return is_point_coordinator(user, point) or coordinates_edition(user, point.edition)


def can_work_as_commission(user: Any, edition: Edition, *, at: datetime) -> bool:
    """The commission finishes cards left half-keyed at closed points and adjudicates cards the
    two typists keyed differently, until the results are published."""
    return (
        coordinates_edition(user, edition)
        and voting_has_started(edition, at=at)
        and not results_are_published(edition)
    )


def can_review_paper(user: Any, edition: Edition) -> bool:
    return coordinates_edition(user, edition)


def can_close_box(user: Any, edition: Edition, *, at: datetime) -> bool:
    return (
        coordinates_edition(user, edition)
        and voting_has_closed(edition, at=at)
        and not box_is_closed(edition)
    )


def can_count(user: Any, edition: Edition, *, at: datetime) -> bool:
    return (
        coordinates_edition(user, edition)
        and voting_has_closed(edition, at=at)
        and box_is_closed(edition)
        and not results_are_published(edition)
    )


def can_publish_results(user: Any, edition: Edition, *, at: datetime) -> bool:
    return can_count(user, edition, at=at)


def can_correct_results(user: Any, edition: Edition, *, at: datetime) -> bool:
    return coordinates_edition(user, edition) and results_are_published(edition)


def can_view_refusals(user: Any, edition: Edition) -> bool:
    """Refused attempts and suspicious patterns (never anyone's choices): the commission and
    auditors."""
    return coordinates_edition(user, edition) or has_role(user, Role.AUDITOR)


def per_project_counts_visible(edition: Edition, rules: Any, *, at: datetime) -> bool:
    """Per-project counts stay secret until the results are published after the close."""
    return (
        rules is not None
        and rules.results_published_at is not None
        and voting_has_closed(edition, at=at)
    )
