"""Who may write, publish and read what in the communication app. Pure functions, time explicit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wspolnota.accounts.permissions import has_role, is_official
from wspolnota.accounts.roles import Role
from wspolnota.communication.choices import AuthorKind
from wspolnota.communication.models import Notice


def councillor_district_ids(user: Any) -> set[int]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return {
        district_id
        for district_id in user.role_assignments.filter(
            role=Role.DISTRICT_COUNCILLOR, district__isnull=False
        ).values_list("district_id", flat=True)
        if district_id is not None
    }


def author_kinds_for(user: Any) -> list[str]:
    """The kinds of sender the user may write as."""
    kinds: list[str] = []
    if is_official(user):
        kinds.append(AuthorKind.OFFICIAL)
    if has_role(user, Role.DISTRICT_COUNCILLOR):
        kinds.append(AuthorKind.DISTRICT_COUNCIL)
    if has_role(user, Role.NGO_MEMBER):
        kinds.append(AuthorKind.NGO)
    return kinds


def can_create_notice(user: Any) -> bool:
    return bool(author_kinds_for(user))


def can_edit_notice(user: Any, notice: Notice, *, at: datetime) -> bool:
    if notice.status != Notice.Status.DRAFT:
        return False
    return bool(
        getattr(user, "is_authenticated", False)
        and (notice.author_id == user.pk or is_official(user))
        and can_create_notice(user)
    )


def can_publish_notice(user: Any, notice: Notice, *, at: datetime) -> bool:
    if not can_edit_notice(user, notice, at=at):
        return False
    if is_official(user):
        return True
    return bool(notice.author_id == user.pk and notice.author_kind in author_kinds_for(user))


def can_withdraw_notice(user: Any, notice: Notice, *, at: datetime) -> bool:
    if notice.status != Notice.Status.PUBLISHED:
        return False
    return bool(
        is_official(user)
        or (getattr(user, "is_authenticated", False) and notice.author_id == user.pk)
    )


def can_view_notice_report(user: Any, notice: Notice) -> bool:
    if is_official(user) or has_role(user, Role.AUDITOR):
        return True
    return bool(getattr(user, "is_authenticated", False) and notice.author_id == user.pk)


def can_register_at_counter(user: Any) -> bool:
    """Clerks at a city counter (officials) sign residents up with a paper consent."""
    return is_official(user)


def can_print_letters(user: Any, notice: Notice) -> bool:
    return notice.status == Notice.Status.PUBLISHED and is_official(user)
