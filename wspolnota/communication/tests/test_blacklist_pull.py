"""Opt-outs made at the SMS gateway reach the platform's subscriptions.

The finding: the platform pushed its unsubscriptions to SMSAPI's blacklist but never read it
back. A person who opted out at the gateway (its operator, the city's office in the gateway's
panel) stayed subscribed here: every notice still queued an SMS or a call for them, which the
gateway refused, and their subscription page said they were subscribed. Now a background task
reads the blacklist through ``smsapi-client`` (``client.blacklist.list_phone_numbers``, page by
page) from a local server answering as the gateway documents, and unsubscribes those numbers.
"""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from wspolnota.communication import services
from wspolnota.communication.choices import Channel, Scope
from wspolnota.communication.models import OutboxMessage, Subscription
from wspolnota.communication.tasks import sms_blacklist_pull
from wspolnota.communication.tests import smsapi_fake
from wspolnota.communication.tests.factories import (
    NoticeFactory,
    SubscriptionFactory,
    sms_subscription,
)
from wspolnota.communication.transports import TransientSendError


@pytest.fixture
def gateway(monkeypatch, settings):
    gw, server = smsapi_fake.start(monkeypatch)
    settings.SMS_BACKEND = "smsapi"
    yield gw
    gw.release()
    server.shutdown()


def _iso(moment):
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _confirmed(subscription, days_ago):
    Subscription.objects.filter(pk=subscription.pk).update(
        confirmed_at=timezone.now() - timedelta(days=days_ago)
    )


def test_a_number_blacklisted_at_the_gateway_is_unsubscribed_and_gets_nothing_more(
    daytime, gateway, krakow
):
    sms = sms_subscription(1, districts=[krakow[1]])
    voice = SubscriptionFactory(
        channel=Channel.VOICE, email="", phone="+48600100001", districts=[krakow[1]]
    )
    email = SubscriptionFactory(districts=[krakow[1]])
    other = sms_subscription(2, districts=[krakow[1]])
    for subscription in (sms, voice, email, other):
        _confirmed(subscription, days_ago=30)
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True, send_voice=True
    )
    services.notice_fan_out(notice=notice)
    # The person opted out at the gateway: a Polish number listed without its country code.
    gateway.blacklist_add("600100001", created_at=_iso(timezone.now() - timedelta(days=1)))

    assert sms_blacklist_pull.enqueue().return_value == 2

    for subscription in (sms, voice, email, other):
        subscription.refresh_from_db()
    assert sms.status == voice.status == Subscription.Status.UNSUBSCRIBED
    assert sms.unsubscribe_via == voice.unsubscribe_via == "sms_blacklist"
    assert email.status == other.status == Subscription.Status.ACTIVE
    queued_for_them = OutboxMessage.objects.filter(to="+48600100001")
    assert set(queued_for_them.values_list("status", flat=True)) == {"cancelled"}
    assert OutboxMessage.objects.get(to="+48600100002").status == "queued"
    # Nothing was pushed back: the platform only read the list.
    assert [r["_method"] for r in gateway.requests] == ["GET"]
    assert sms_blacklist_pull.enqueue().return_value == 0  # a second run changes nothing


def test_someone_who_subscribed_again_after_the_entry_keeps_the_new_subscription(gateway, krakow):
    subscription = sms_subscription(3, districts=[krakow[1]])
    _confirmed(subscription, days_ago=1)
    gateway.blacklist_add("48600100003", created_at=_iso(timezone.now() - timedelta(days=5)))
    assert services.sms_blacklist_pull() == 0
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_an_expired_entry_opts_nobody_out_and_one_without_a_date_does(gateway, krakow):
    expired = sms_subscription(4, districts=[krakow[1]])
    undated = sms_subscription(5, districts=[krakow[1]])
    for subscription in (expired, undated):
        _confirmed(subscription, days_ago=30)
    gateway.blacklist_add(
        "48600100004",
        created_at=_iso(timezone.now() - timedelta(days=10)),
        expire_at=_iso(timezone.now() - timedelta(days=1)),
    )
    entry = gateway.blacklist_add("48600100005")
    gateway.blacklist_dates[entry] = (None, None)
    assert services.sms_blacklist_pull() == 1
    expired.refresh_from_db()
    undated.refresh_from_db()
    assert expired.status == Subscription.Status.ACTIVE
    assert undated.status == Subscription.Status.UNSUBSCRIBED


def test_a_long_blacklist_is_read_page_by_page(gateway, krakow):
    for n in range(250):
        gateway.blacklist_add(f"48700{n:06d}")
    last = sms_subscription(6, districts=[krakow[1]])
    _confirmed(last, days_ago=30)
    gateway.blacklist_add("48600100006")  # the 251st entry, on the third page
    assert services.sms_blacklist_pull() == 1
    pages = [r for r in gateway.requests if r["_path"] == "/blacklist/phone_numbers"]
    assert [(p["offset"], p["limit"]) for p in pages] == [
        ("0", "100"),
        ("100", "100"),
        ("200", "100"),
    ]


def test_a_gateway_that_cannot_be_read_changes_nothing_and_the_task_fails_for_a_retry(
    gateway, krakow
):
    subscription = sms_subscription(7, districts=[krakow[1]])
    _confirmed(subscription, days_ago=30)
    gateway.blacklist_add("48600100007")
    gateway.http_status = 502
    with pytest.raises(TransientSendError):
        services.sms_blacklist_pull()
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_the_periodic_command_enqueues_the_pull(gateway, krakow, capsys):
    subscription = sms_subscription(8, districts=[krakow[1]])
    _confirmed(subscription, days_ago=30)
    gateway.blacklist_add("48600100008")
    call_command("communication_blacklist_pull")  # the immediate backend runs it at once
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    call_command("communication_blacklist_pull", "--now")
    assert "unsubscribed=0" in capsys.readouterr().out


def test_without_the_smsapi_gateway_there_is_no_blacklist_to_read(settings, krakow):
    settings.SMS_BACKEND = "memory"
    assert services.sms_blacklist_pull() == 0
