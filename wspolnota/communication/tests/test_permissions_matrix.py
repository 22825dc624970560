"""Who may do what with notices: every role × scope (own unit, another unit, own notice) × action.

The scene: an NGO member's paid draft (SMS and letters) charged to unit A, the same member's free
draft (e-mail only), and a published paid notice of unit A. "official" is an official of unit A,
"official_other_unit" of unit B. A mismatch names the action, the role and what was expected.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.communication import permissions
from wspolnota.communication.choices import AuthorKind
from wspolnota.communication.models import Notice
from wspolnota.communication.tests.factories import NoticeFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

ROLES = [
    "anonymous",
    "resident",
    "author",
    "ngo_member_other",
    "official",
    "official_other_unit",
    "district_councillor",
    "moderator",
    "auditor",
    "administrator",
]

EXPECTED: dict[str, set[str]] = {
    "edit the paid draft": {"author", "official"},
    "publish the paid draft (approve it)": {"official"},
    "ask the unit to approve the paid draft": {"author"},
    "edit the free draft": {"author"},
    "publish the free draft": {"author"},
    "withdraw the published notice": {"official", "moderator", "administrator"},
    "read its delivery report": {"official", "auditor", "administrator"},
    "print its letters": {"official"},
    "set unit A's budget": {"official"},
    "write a notice at all": {
        "author",
        "ngo_member_other",
        "official",
        "official_other_unit",
        "district_councillor",
        "administrator",
    },
    "sign as unit A": {"official", "administrator"},
}


def _user(role: Role | None, **scope):
    user = UserFactory()
    if role is not None:
        RoleAssignmentFactory(user=user, role=role, **scope)
    return user


@pytest.mark.django_db
def test_the_permission_matrix(krakow):
    unit_a, unit_b = CityUnitFactory(), CityUnitFactory()
    users = {
        "anonymous": AnonymousUser(),
        "resident": _user(None),
        "author": _user(Role.NGO_MEMBER),
        "ngo_member_other": _user(Role.NGO_MEMBER),
        "official": _user(Role.OFFICIAL, city_unit=unit_a),
        "official_other_unit": _user(Role.OFFICIAL, city_unit=unit_b),
        "district_councillor": _user(Role.DISTRICT_COUNCILLOR, district=krakow[1]),
        "moderator": _user(Role.MODERATOR),
        "auditor": _user(Role.AUDITOR),
        "administrator": _user(Role.ADMINISTRATOR),
    }
    author = users["author"]
    draft = {"status": Notice.Status.DRAFT, "published_at": None}
    paid = NoticeFactory(
        author=author,
        author_kind=AuthorKind.NGO,
        city_unit=unit_a,
        send_sms=True,
        send_letter=True,
        **draft,
    )
    free = NoticeFactory(author=author, author_kind=AuthorKind.NGO, city_unit=None, **draft)
    published = NoticeFactory(
        author=users["official"], city_unit=unit_a, send_sms=True, send_letter=True
    )
    at = timezone.now()
    failures = []
    for role, user in users.items():
        actual = {
            "edit the paid draft": permissions.can_edit_notice(user, paid, at=at),
            "publish the paid draft (approve it)": permissions.can_publish_notice(
                user, paid, at=at
            ),
            "ask the unit to approve the paid draft": permissions.can_request_approval(
                user, paid, at=at
            ),
            "edit the free draft": permissions.can_edit_notice(user, free, at=at),
            "publish the free draft": permissions.can_publish_notice(user, free, at=at),
            "withdraw the published notice": permissions.can_withdraw_notice(
                user, published, at=at
            ),
            "read its delivery report": permissions.can_view_notice_report(user, published),
            "print its letters": permissions.can_print_letters(user, published),
            "set unit A's budget": permissions.can_set_paid_send_budget(user, unit_a),
            "write a notice at all": permissions.can_create_notice(user),
            "sign as unit A": permissions.can_sign_for_unit(user, unit_a),
        }
        for action, allowed in EXPECTED.items():
            if bool(actual[action]) != (role in allowed):
                failures.append(
                    f"{action!r} as {role}: expected {'yes' if role in allowed else 'no'}"
                )
    assert failures == []


@pytest.mark.django_db
def test_an_official_of_another_unit_does_not_read_the_report(krakow):
    unit_a, unit_b = CityUnitFactory(), CityUnitFactory()
    notice = NoticeFactory(author=_user(Role.OFFICIAL, city_unit=unit_a), city_unit=unit_a)
    assert not permissions.can_view_notice_report(_user(Role.OFFICIAL, city_unit=unit_b), notice)
