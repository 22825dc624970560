"""Who may run a council's or an advisory body's records. Pure functions, time explicit."""

from __future__ import annotations

from datetime import date
from typing import Any

from wspolnota.accounts.permissions import can_moderate, has_role, is_official
from wspolnota.accounts.roles import Role
from wspolnota.councils.models import Body, MemberRole, Membership, ResidentQuestion


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


def can_manage_body(user: Any, body: Body, *, on: date) -> bool:
    """Officials everywhere; a district councillor for their own district's council; a body's
    chair, vice-chair or secretary for their own body."""
    if not _signed_in(user):
        return False
    if is_official(user):
        return True
    if (
        body.is_district_council
        and body.district is not None
        and has_role(user, Role.DISTRICT_COUNCILLOR, district=body.district)
    ):
        return True
    return is_body_officer(user, body, on=on)


def can_ask_question(user: Any, body: Body) -> bool:
    return _signed_in(user)


def can_answer_question(user: Any, question: ResidentQuestion, *, on: date) -> bool:
    return can_manage_body(user, question.body, on=on)


def can_hide_question(user: Any, question: ResidentQuestion) -> bool:
    return can_moderate(user) or is_official(user)


def can_view_question(user: Any, question: ResidentQuestion, *, on: date) -> bool:
    if question.author_id == getattr(user, "pk", None):
        return True
    if can_manage_body(user, question.body, on=on) or can_hide_question(user, question):
        return True
    return question.is_public and question.status != "hidden"
