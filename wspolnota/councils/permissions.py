"""Who may run a council's or an advisory body's records. Pure functions, time explicit."""

from __future__ import annotations

from datetime import date
from typing import Any

from wspolnota.accounts.permissions import (
    acts_for_unit,
    can_act_for_residents,
    can_moderate,
    is_administrator,
    is_councillor_of,
    is_official_of,
)
from wspolnota.councils.models import Body, BodyKind, MemberRole, Membership, ResidentQuestion


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def is_body_officer(user: Any, body: Body, *, on: date) -> bool:
    """The chair or the secretary of the body in its current term (an account linked to the seat)."""
    if not _signed_in(user):
        return False
    seats = Membership.objects.filter(
        term__body=body,
        user=user,
        role__in=(MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.SECRETARY),
        starts_on__lte=on,
    ).exclude(ends_on__lt=on)
    return seats.exists()


def can_create_body(user: Any, *, kind: str, city_unit: Any = None) -> bool:
    """Administrators register any body; an official registers an advisory body kept by their
    own unit. District councils are set up by administrators (or the set-up command)."""
    if is_administrator(user):
        return True
    return (
        kind != BodyKind.DISTRICT_COUNCIL
        and city_unit is not None
        and is_official_of(user, city_unit.pk)
    )


def can_see_meeting_record(user: Any, meeting: Any, *, on: date) -> bool:
    """A closed meeting's minutes, documents and votes are for those who run the body; an open
    meeting's are public (issue 21: a closed meeting published them)."""
    return bool(meeting.is_public) or can_manage_body(user, meeting.body, on=on)


def can_manage_body(user: Any, body: Body, *, on: date) -> bool:
    """Scoped to the body: administrators; officials of the unit that keeps the body (when it
    names one); a district councillor for their own district's council only; a body's chair,
    vice-chair or secretary for their own body. Never "any official"."""
    if not _signed_in(user):
        return False
    if acts_for_unit(user, body.city_unit_id):
        return True
    if body.is_district_council and is_councillor_of(user, body.district_id):
        return True
    return is_body_officer(user, body, on=on)


def can_ask_question(user: Any, body: Body) -> bool:
    return _signed_in(user)


def can_record_question_for(user: Any, body: Body, *, on: date) -> bool:
    """A question that came on paper, by phone or at a counter is recorded for the person by
    those who run the body (its councillors for a district council, its officers, the officials
    of the unit that keeps it) and by the counter clerks of that unit; an administrator anywhere.
    A body that names no unit is not open to every clerk of the city."""
    if can_manage_body(user, body, on=on):
        return True
    return body.city_unit_id is not None and can_act_for_residents(
        user, city_unit=body.city_unit_id
    )


def can_answer_question(user: Any, question: ResidentQuestion, *, on: date) -> bool:
    return can_manage_body(user, question.body, on=on)


def can_hide_question(user: Any, question: ResidentQuestion) -> bool:
    """Moderators anywhere; officials only for a body their unit keeps."""
    return can_moderate(user) or acts_for_unit(user, question.body.city_unit_id)


def can_view_question(user: Any, question: ResidentQuestion, *, on: date) -> bool:
    if question.author_id == getattr(user, "pk", None):
        return True
    if can_manage_body(user, question.body, on=on) or can_hide_question(user, question):
        return True
    return question.is_public and question.status != "hidden"


def can_run_school_vote(user: Any, body: Body) -> bool:
    """A school election by codes is run by the officials of the unit that keeps the Youth
    Council (and administrators): never by any official, nor by the body's own members."""
    return _signed_in(user) and acts_for_unit(user, body.city_unit_id)
