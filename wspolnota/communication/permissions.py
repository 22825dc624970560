"""Who may write, publish and read what in the communication app. Pure functions, time explicit.

Officials act for their city unit, never for every unit: a notice that names a unit (the one
that signs it, or whose budget pays for its SMS, calls and letters) is edited, published,
reported on and printed by that unit's officials. Paid channels are published only by an
official of the paying unit; anyone else's notice waits for their approval.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wspolnota.accounts.models import CityUnit, RoleAssignment
from wspolnota.accounts.permissions import has_role, is_official
from wspolnota.accounts.roles import Role
from wspolnota.communication.choices import AuthorKind
from wspolnota.communication.models import Notice


def _signed_in(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def official_unit_ids(user: Any) -> set[int]:
    """The city units in which the user is an official (cached on the user object)."""
    if not _signed_in(user):
        return set()
    cached = user.__dict__.get("_communication_units")
    if cached is None:
        cached = set(
            RoleAssignment.objects.filter(
                user_id=user.pk, role=Role.OFFICIAL, city_unit__isnull=False
            ).values_list("city_unit_id", flat=True)
        )
        user.__dict__["_communication_units"] = cached
    return set(cached)


def is_administrator(user: Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def is_unit_official(user: Any, unit_id: int | None) -> bool:
    return unit_id is not None and unit_id in official_unit_ids(user)


def councillor_district_ids(user: Any) -> set[int]:
    if not _signed_in(user):
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


def can_sign_for_unit(user: Any, unit: CityUnit | None) -> bool:
    """Writing as the City means writing as one of its units: one the user is an official of,
    or any unit for an administrator. The sender name must not name another unit either
    (``senders.names_another_unit``, checked by ``services``)."""
    if unit is None or not _signed_in(user):
        return False
    return is_administrator(user) or is_unit_official(user, unit.pk)


def can_create_notice(user: Any) -> bool:
    return bool(author_kinds_for(user))


def _is_author(user: Any, notice: Notice) -> bool:
    return _signed_in(user) and notice.author_id == user.pk


def can_edit_notice(user: Any, notice: Notice, *, at: datetime) -> bool:
    """A draft: its author, and the officials of the unit it names."""
    if notice.status != Notice.Status.DRAFT or not _signed_in(user):
        return False
    if _is_author(user, notice) and can_create_notice(user):
        return True
    return is_unit_official(user, notice.city_unit_id)


def can_publish_notice(user: Any, notice: Notice, *, at: datetime) -> bool:
    """Free channels: the author or the unit's officials. Paid ones: the paying unit's officials."""
    if not can_edit_notice(user, notice, at=at):
        return False
    if notice.paid_channels:
        return is_unit_official(user, notice.city_unit_id)
    if is_unit_official(user, notice.city_unit_id):
        return True
    return bool(_is_author(user, notice) and notice.author_kind in author_kinds_for(user))


def can_request_approval(user: Any, notice: Notice, *, at: datetime) -> bool:
    """The author of a paid draft they cannot publish themselves asks the paying unit."""
    return bool(
        notice.status == Notice.Status.DRAFT
        and notice.paid_channels
        and notice.city_unit_id is not None
        and _is_author(user, notice)
        and can_create_notice(user)
        and not is_unit_official(user, notice.city_unit_id)
    )


def can_withdraw_notice(user: Any, notice: Notice, *, at: datetime) -> bool:
    if notice.status != Notice.Status.PUBLISHED:
        return False
    return bool(
        _is_author(user, notice)
        or is_unit_official(user, notice.city_unit_id)
        or has_role(user, Role.MODERATOR)
        or is_administrator(user)
    )


def can_view_notice_report(user: Any, notice: Notice) -> bool:
    if has_role(user, Role.AUDITOR) or is_administrator(user):
        return True
    return _is_author(user, notice) or is_unit_official(user, notice.city_unit_id)


def can_register_at_counter(user: Any) -> bool:
    """Clerks at a city counter or phone line (officials and counter clerks of any unit) sign
    residents up with a paper consent and change or cancel their subscriptions at their
    request: subscriptions are city-wide, they belong to no unit (issue 17)."""
    from wspolnota.accounts.permissions import can_act_for_residents

    return can_act_for_residents(user)


def can_print_replies(user: Any) -> bool:
    """May the user open the page of reply letters (issue 17) at all: the clerks who act for
    residents. Which batches they see is ``can_print_reply_batch``."""
    from wspolnota.accounts.permissions import can_act_for_residents

    return can_act_for_residents(user)


def can_print_reply_batch(user: Any, batch: Any) -> bool:
    """A batch of reply letters (names, addresses, answers) is printed by the unit that sent
    them: an official or counter clerk of ``batch.city_unit``, or an administrator. A batch
    without a unit (replies sent by no unit): administrators only."""
    from wspolnota.accounts.permissions import can_act_for_residents

    if batch.notice_id is not None or not _signed_in(user):
        return False
    if batch.city_unit_id is None:
        return bool(is_administrator(user) and not getattr(user, "kept_by_city", False))
    return can_act_for_residents(user, city_unit=batch.city_unit_id)


def can_print_letters(user: Any, notice: Notice) -> bool:
    """Letters are paid for by the notice's unit: its officials print them."""
    return notice.status == Notice.Status.PUBLISHED and is_unit_official(user, notice.city_unit_id)


def can_set_paid_send_budget(user: Any, unit: CityUnit) -> bool:
    """A unit sets its own budget for paid sends."""
    return is_unit_official(user, unit.pk)
