"""Who may do what in consultations. Time is an explicit input (``at``); no side effects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wspolnota.accounts.permissions import (
    acts_for_unit,
    can_act_for_residents,
    can_moderate,
    is_administrator,
    unit_ids,
)
from wspolnota.consultations import selectors
from wspolnota.consultations.models import Consultation, Meeting, Survey


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def can_create_consultation(user: Any, *, unit: Any = None) -> bool:
    """Officials plan consultations in their own unit's name only (administrators in any).

    Without ``unit``: whether the user may plan a consultation at all (shows the button).
    """
    if unit is None:
        return is_administrator(user) or bool(unit_ids(user))
    return acts_for_unit(user, unit.pk)


def can_manage_consultation(user: Any, consultation: Consultation) -> bool:
    """Administrators, and officials of the unit that initiated the consultation."""
    return acts_for_unit(user, consultation.initiating_unit_id)


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


def can_manage_class_codes(user: Any, consultation: Consultation, *, at: datetime) -> bool:
    """Open a survey to pupils with class codes, print, void and reprint sheets: officials of
    the consultation's unit (and administrators), until the consultation ends (sheets go to
    schools before it opens)."""
    return can_manage_consultation(user, consultation) and selectors.consultation_phase(
        consultation, at=at
    ) in ("draft", "announced", "open")


def can_close_class_codes(user: Any, consultation: Consultation, *, at: datetime) -> bool:
    """Close the codes' box and count its answers: the same officials, after the end."""
    return can_manage_consultation(user, consultation) and selectors.consultation_phase(
        consultation, at=at
    ) in ("closed", "reported")


def can_view_class_codes(user: Any, consultation: Consultation) -> bool:
    """The sheets and the turnout per class (the report shows the turnout to everyone)."""
    return can_manage_consultation(user, consultation)


def can_answer_with_code(survey: Survey, *, at: datetime) -> bool:
    """Anyone holding a code, while the consultation is open (the code is checked apart)."""
    return selectors.consultation_phase(survey.consultation, at=at) == "open"


def can_register_for_meeting(user: Any, meeting: Meeting, *, at: datetime) -> bool:
    return (
        _signed_in(user)
        and meeting.consultation.published_at is not None
        and meeting.starts_at > at
    )


def can_act_for_person(user: Any, consultation: Consultation) -> bool:
    """A clerk keys in a person's act (a paper survey, a remark received by post or phone, a
    meeting registration on the phone): an official or counter clerk of the unit that runs the
    consultation, or an administrator, once the consultation is announced. The act itself then
    obeys the same rules as online (``can_respond_to_survey``, ``can_register_for_meeting``…)."""
    return consultation.published_at is not None and can_act_for_residents(
        user, city_unit=consultation.initiating_unit_id
    )
