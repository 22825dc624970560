"""Paid sends (SMS, voice calls, letters) need an official of the unit that pays, and its budget.

The attack: an NGO member wrote a city-wide notice by SMS, voice and letter and sent it with no
approval and no budget. Now a notice that uses a paid channel names the city unit whose budget
pays for it; only an official of that unit publishes it (a notice by anyone else waits for their
approval), and only while the unit's budget for the year covers its cost.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.communication import services
from wspolnota.communication.choices import AuthorKind, Channel, Scope
from wspolnota.communication.errors import CommunicationError
from wspolnota.communication.models import Notice, OutboxMessage
from wspolnota.communication.tests.factories import SubscriptionFactory, sms_subscription
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory


def _unit_official(unit):
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    return user


def _paid_data(unit, *, kind=AuthorKind.NGO, label="Fundacja Sąsiedzi", channels=None):
    return services.NoticeData(
        author_kind=kind,
        author_label=label,
        source_language="pl",
        texts={"pl": services.NoticeContent(title="Festyn", body="W sobotę festyn.")},
        valid_from=timezone.now(),
        scope=Scope.CITY,
        city_unit=unit,
        channels=channels or [Channel.EMAIL, Channel.SMS, Channel.VOICE, Channel.LETTER],
    )


@pytest.fixture
def audience(krakow):
    for n in range(10):
        sms_subscription(n, districts=[krakow[1]])
    SubscriptionFactory(districts=[krakow[1]])


def test_an_ngo_member_cannot_send_a_city_wide_paid_notice_without_approval(
    ngo_member, audience, django_capture_on_commit_callbacks
):
    unit = CityUnitFactory()
    notice = services.notice_create(author=ngo_member, data=_paid_data(unit))
    with pytest.raises(CommunicationError), django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(actor=ngo_member, notice=notice)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.DRAFT
    assert not OutboxMessage.objects.exists()


def test_a_paid_notice_names_the_unit_that_pays(ngo_member, krakow):
    with pytest.raises(CommunicationError) as error:
        services.notice_create(author=ngo_member, data=_paid_data(None))
    assert error.value.field == "city_unit"


def test_only_an_official_of_the_paying_unit_approves_within_its_budget(
    ngo_member, audience, django_capture_on_commit_callbacks
):
    unit = CityUnitFactory()
    other_unit_official = _unit_official(CityUnitFactory())
    unit_official = _unit_official(unit)
    notice = services.notice_create(author=ngo_member, data=_paid_data(unit, channels=["sms"]))
    services.notice_request_approval(actor=ngo_member, notice=notice)
    notice.refresh_from_db()
    assert notice.approval_requested_at is not None
    with pytest.raises(CommunicationError):  # any official is not enough
        services.notice_publish(actor=other_unit_official, notice=notice)
    with pytest.raises(CommunicationError) as no_budget:  # the unit has set no budget
        services.notice_publish(actor=unit_official, notice=notice)
    assert "budżet" in str(no_budget.value)
    services.paid_send_budget_set(
        actor=unit_official, city_unit=unit, year=timezone.localdate().year, amount=Decimal("1.00")
    )
    with pytest.raises(CommunicationError) as too_much:  # 10 SMS × 0.16 zł = 1.60 zł > 1.00 zł
        services.notice_publish(actor=unit_official, notice=notice)
    assert "1,60" in str(too_much.value) or "1.60" in str(too_much.value)
    services.paid_send_budget_set(
        actor=unit_official, city_unit=unit, year=timezone.localdate().year, amount=Decimal("2.00")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_publish(actor=unit_official, notice=notice)
    notice.refresh_from_db()
    assert notice.status == Notice.Status.PUBLISHED
    assert notice.approved_by == unit_official and notice.paid_cost == Decimal("1.60")
    assert OutboxMessage.objects.filter(notice=notice, channel="sms").count() == 10
    assert AuditLogEntry.objects.filter(action="communication.notice_approved").exists()
    # What is left (0.40 zł) does not pay for the next one.
    second = services.notice_create(author=ngo_member, data=_paid_data(unit, channels=["sms"]))
    with pytest.raises(CommunicationError):
        services.notice_publish(actor=unit_official, notice=second)


def test_an_official_cannot_spend_another_units_budget(official, audience):
    other_unit = CityUnitFactory()
    _unit_official(other_unit)
    with pytest.raises(CommunicationError):
        services.notice_create(
            author=official,
            data=_paid_data(other_unit, kind=AuthorKind.OFFICIAL, label="Urząd Miasta Krakowa"),
        )


def test_a_free_notice_by_an_ngo_needs_no_approval(ngo_member, audience):
    notice = services.notice_create(
        author=ngo_member, data=_paid_data(None, channels=[Channel.EMAIL])
    )
    services.notice_publish(actor=ngo_member, notice=notice)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.PUBLISHED


def test_only_the_units_officials_set_its_budget(official, krakow):
    other_unit = CityUnitFactory()
    with pytest.raises(CommunicationError):
        services.paid_send_budget_set(
            actor=official, city_unit=other_unit, year=2026, amount=Decimal("100")
        )
