"""Who may do what in consultations. Time is an explicit input (``at``); no side effects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wspolnota.accounts.permissions import can_moderate, has_role, is_official
from wspolnota.accounts.roles import Role
from wspolnota.consultations import selectors
from wspolnota.consultations.models import Consultation, Meeting, Survey


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_create_consultation(user: Any) -> bool:
    return is_official(user)


def can_manage_consultation(user: Any, consultation: Consultation) -> bool:
    """Administrators, and officials of the unit that initiated the consultation."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    if not _signed_in(user) or not has_role(user, Role.OFFICIAL):
        return False
    return bool(
        user.role_assignments.filter(
            role=Role.OFFICIAL, city_unit_id=consultation.initiating_unit_id
        ).exists()
    )


def can_view_consultation(user: Any, consultation: Consultation) -> bool:
    return consultation.published_at is not None or can_manage_consultation(user, consultation)


def can_moderate_consultation(user: Any, consultation: Consultation) -> bool:
    return can_moderate(user) or can_manage_consultation(user, consultation)


def can_participate(user: Any, consultation: Consultation, *, at: datetime) -> bool:
    """Remarks, statements and votes: signed-in residents while the consultation is open."""
    return _signed_in(user) and selectors.consultation_phase(consultation, at=at) == "open"


def can_respond_to_survey(user: Any, survey: Survey, *, at: datetime) -> bool:
    if selectors.consultation_phase(survey.consultation, at=at) != "open":
        return False
    return _signed_in(user) or not survey.verified


def can_register_for_meeting(user: Any, meeting: Meeting, *, at: datetime) -> bool:
    return (
        _signed_in(user)
        and meeting.consultation.published_at is not None
        and meeting.starts_at > at
    )
