"""Who may do what in voting. Pure functions; time is explicit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wspolnota.accounts.permissions import has_role, is_official
from wspolnota.accounts.roles import Role
from wspolnota.budget.models import Edition, Phase


def voting_is_open(edition: Edition, *, at: datetime) -> bool:
    return edition.phase_is_open(Phase.VOTING, at)


def voting_has_closed(edition: Edition, *, at: datetime) -> bool:
    window = edition.phase_window(Phase.VOTING)
    return window is not None and window[1] <= at


def can_manage_voting(user: Any, edition: Edition) -> bool:
    """Officials and administrators run the vote: rules, points, counting, publication."""
    return is_official(user)


def can_enter_paper(user: Any, point: Any) -> bool:
    """A point's coordinators key in its cards; officials may help at any point."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_official(user):
        return True
    return bool(point.coordinators.filter(pk=user.pk).exists())


def can_review_paper(user: Any, edition: Edition) -> bool:
    return is_official(user)


def can_view_refusals(user: Any) -> bool:
    return is_official(user) or has_role(user, Role.AUDITOR)


def per_project_counts_visible(edition: Edition, rules: Any, *, at: datetime) -> bool:
    """Per-project counts stay secret until the results are published after the close."""
    return (
        rules is not None
        and rules.results_published_at is not None
        and voting_has_closed(edition, at=at)
    )
