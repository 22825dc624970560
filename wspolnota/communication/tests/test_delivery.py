"""Fan-out and delivery: one message per recipient and channel, whatever happens."""

from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from wspolnota.communication import delivery, services
from wspolnota.communication.choices import Channel, Scope, Topic, Urgency, to_mask
from wspolnota.communication.models import OutboxMessage, Subscription
from wspolnota.communication.tests.factories import (
    NoticeFactory,
    SubscriptionFactory,
    sms_subscription,
)
from wspolnota.communication.transports import TransientSendError, memory_outbox
from wspolnota.communication.transports.sms_smsapi import gateway_idx

WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def audience(krakow):
    """Two e-mail and two SMS subscribers in District I, one e-mail subscriber in District XVIII."""
    return {
        "email_1": SubscriptionFactory(districts=[krakow[1]]),
        "email_2": SubscriptionFactory(districts=[krakow[1]], language="uk"),
        "sms_1": sms_subscription(1, districts=[krakow[1]]),
        "sms_2": sms_subscription(2, districts=[krakow[1]]),
        "email_18": SubscriptionFactory(districts=[krakow[18]]),
    }


def test_a_district_notice_reaches_only_that_districts_subscribers_once_per_channel(
    krakow, audience, daytime
):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True)
    assert services.notice_fan_out(notice=notice) == 4
    assert services.notice_fan_out(notice=notice) == 4  # a second run adds nothing
    stats = delivery.deliver_pending()
    assert stats.sent == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [audience["email_1"].email, audience["email_2"].email]
    )
    assert sorted(m.to for m in memory_outbox) == ["+48600100001", "+48600100002"]
    services.notice_fan_out(notice=notice)
    assert delivery.deliver_pending().sent == 0
    assert len(mail.outbox) == 2 and len(memory_outbox) == 2


def test_a_city_wide_notice_reaches_every_district_and_records_the_district(
    krakow, audience, daytime
):
    notice = NoticeFactory(scope=Scope.CITY)
    services.notice_fan_out(notice=notice)
    rows = OutboxMessage.objects.filter(notice=notice)
    assert rows.count() == 3  # e-mail only: SMS not chosen for this notice
    assert {r.district_id for r in rows} == {krakow[1].pk, krakow[18].pk}


def test_topics_narrow_the_audience_and_an_empty_choice_means_everything(krakow, daytime):
    roads = SubscriptionFactory(districts=[krakow[2]], topics_mask=to_mask([Topic.ROADS], Topic))
    culture = SubscriptionFactory(
        districts=[krakow[2]], topics_mask=to_mask([Topic.CULTURE], Topic)
    )
    everything = SubscriptionFactory(districts=[krakow[2]])
    notice = NoticeFactory(topics_mask=to_mask([Topic.ROADS, Topic.SAFETY], Topic))
    services.notice_fan_out(notice=notice)
    reached = set(OutboxMessage.objects.values_list("subscription_id", flat=True))
    assert reached == {roads.pk, everything.pk}
    assert culture.pk not in reached


def test_the_recipient_gets_their_language_when_the_notice_has_it(krakow, audience, daytime):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]])
    notice.texts.create(
        language="uk", title="Закриття вулиці Довгої", body="З понеділка вулиця закрита."
    )
    services.notice_fan_out(notice=notice)
    delivery.deliver_pending()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "Закриття" in by_address[audience["email_2"].email].subject
    assert "Zamknięcie" in by_address[audience["email_1"].email].subject


def test_each_email_has_an_unsubscribe_link_and_one_click_headers(krakow, audience, daytime):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]])
    services.notice_fan_out(notice=notice)
    delivery.deliver_pending()
    message = next(m for m in mail.outbox if m.to == [audience["email_1"].email])
    token = audience["email_1"].manage_token
    assert token in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert token in message.body
    html = message.alternatives[0][0]
    assert token in html and "<h1" in html


def test_sms_waits_for_the_end_of_quiet_hours_unless_urgent(krakow, audience):
    late = datetime(2026, 3, 10, 22, 30, tzinfo=WARSAW)
    assert delivery.in_quiet_hours(late)
    assert delivery.quiet_hours_end(late) == datetime(2026, 3, 11, 8, 0, tzinfo=WARSAW)
    assert delivery.first_send_time(channel=Channel.SMS, urgent=False, at=late).hour == 8
    assert delivery.first_send_time(channel=Channel.SMS, urgent=True, at=late) == late
    assert delivery.first_send_time(channel=Channel.EMAIL, urgent=False, at=late) == late
    assert not delivery.in_quiet_hours(datetime(2026, 3, 11, 8, 0, tzinfo=WARSAW))
    assert delivery.in_quiet_hours(datetime(2026, 3, 11, 7, 59, tzinfo=WARSAW))


@pytest.mark.parametrize("warsaw_clock", ["21:30", "23:59", "03:00"], indirect=True)
def test_on_the_real_clock_an_evening_sms_waits_for_eight_while_its_email_goes_at_once(
    warsaw_clock, krakow, audience
):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True)
    services.notice_fan_out(notice=notice)
    assert delivery.deliver_pending().sent == 2  # the two e-mails
    assert len(memory_outbox) == 0
    eight = warsaw_clock.start.replace(hour=8, minute=0)
    if eight < warsaw_clock.start:
        eight += timedelta(days=1)
    warsaw_clock.advance(eight - timezone.now() - timedelta(minutes=1))  # 7:59
    assert delivery.deliver_pending().sent == 0
    warsaw_clock.advance(timedelta(minutes=2))  # 8:01
    assert delivery.deliver_pending().sent == 2
    assert sorted(m.to for m in memory_outbox) == ["+48600100001", "+48600100002"]


def test_in_quiet_hours_the_worker_sends_email_and_urgent_sms_but_holds_ordinary_sms(
    krakow, audience, monkeypatch
):
    monkeypatch.setattr(delivery, "in_quiet_hours", lambda at, config=None: True)
    ordinary = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True)
    urgent = NoticeFactory(
        scope=Scope.DISTRICTS,
        districts=[krakow[1]],
        send_sms=True,
        send_email=False,
        urgency=Urgency.URGENT,
    )
    for notice in (ordinary, urgent):
        services.notice_fan_out(notice=notice)
    OutboxMessage.objects.update(not_before=timezone.now())
    delivery.deliver_pending()
    held = OutboxMessage.objects.filter(notice=ordinary, channel=Channel.SMS)
    assert set(held.values_list("status", flat=True)) == {OutboxMessage.Status.QUEUED}
    assert OutboxMessage.objects.filter(notice=urgent, status="sent").count() == 2
    assert len(mail.outbox) == 2


def test_a_transient_failure_is_retried_with_back_off_then_given_up(krakow, daytime, monkeypatch):
    sms_subscription(7, districts=[krakow[3]])
    notice = NoticeFactory(send_sms=True, send_email=False)
    services.notice_fan_out(notice=notice)

    class Down:
        name = "down"
        idempotent = True

        def send(self, message):
            raise TransientSendError("gateway busy")

        def close(self):
            return None

    monkeypatch.setattr(delivery, "get_transport", lambda channel: Down())
    monkeypatch.setenv("COMMUNICATION_MAX_ATTEMPTS", "3")
    stats = delivery.deliver_pending()
    row = OutboxMessage.objects.get(notice=notice)
    assert stats.retried == 1 and row.status == "queued" and row.attempts == 1
    assert row.not_before > timezone.now() + timedelta(seconds=20)
    for _ in range(2):
        OutboxMessage.objects.update(not_before=timezone.now())
        delivery.deliver_pending()
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 3 and "busy" in row.error


def test_an_unsubscribed_person_gets_nothing_already_queued(krakow, audience, daytime):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]])
    services.notice_fan_out(notice=notice)
    services.subscription_unsubscribe(subscription=audience["email_1"], via="link")
    delivery.deliver_pending()
    assert [m.to for m in mail.outbox] == [[audience["email_2"].email]]
    assert OutboxMessage.objects.get(subscription=audience["email_1"]).status == "cancelled"


def test_a_crashed_worker_leaves_its_rows_requeued_except_an_email_it_was_handing_over(
    krakow, audience, daytime
):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True)
    services.notice_fan_out(notice=notice)
    config = delivery.get_config()
    rows = delivery.claim(
        limit=10,
        worker_id="dead",
        channels=list(delivery.SENDABLE_CHANNELS),
        now=timezone.now(),
        config=config,
    )
    assert len(rows) == 4
    cache_ = delivery._NoticeCache()
    # The dead worker had handed the first SMS to the gateway (idempotent: no mark needed) …
    first_sms = next(r for r in rows if r["channel"] == "sms")
    delivery.get_transport("sms").send(delivery._outgoing(first_sms, cache_))
    # … and was handing the first e-mail to the SMTP server: marked, sent, not yet recorded.
    first_email = next(r for r in rows if r["channel"] == "email")
    assert delivery._write([], token=first_email["claimed_by"], hand_over=first_email["id"])
    delivery.get_transport("email").send(delivery._outgoing(first_email, cache_))
    assert (
        delivery.claim(
            limit=10,
            worker_id="other",
            channels=["sms", "email"],
            now=timezone.now(),
            config=config,
        )
        == []
    )
    requeued, unknown = delivery.reap_stale_leases(now=timezone.now() + timedelta(hours=1))
    assert (requeued, unknown) == (3, 1)
    assert delivery.deliver_pending().sent == 3
    assert sorted(m.to for m in memory_outbox) == ["+48600100001", "+48600100002"]
    # Each e-mail subscriber got exactly one: the one in doubt is not resent, the other is sent.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [audience["email_1"].email, audience["email_2"].email]
    )
    assert OutboxMessage.objects.get(status="unknown").id == first_email["id"]


def test_a_worker_whose_lease_ran_out_does_not_send_or_record_rows_now_held_by_another(
    krakow, audience, daytime
):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True)
    services.notice_fan_out(notice=notice)
    config = delivery.get_config()
    now = timezone.now()
    slow = delivery.claim(limit=10, worker_id="slow", channels=["email"], now=now, config=config)
    delivery.reap_stale_leases(now=now + timedelta(hours=1))
    # Rows that were with a worker when its lease ran out are claimed one at a time.
    fresh_1 = delivery.claim(
        limit=10, worker_id="fresh", channels=["email"], now=now, config=config
    )
    fresh_2 = delivery.claim(
        limit=10, worker_id="fresh", channels=["email"], now=now, config=config
    )
    assert len(fresh_1) == len(fresh_2) == 1
    assert {r["id"] for r in fresh_1 + fresh_2} == {r["id"] for r in slow}
    stats = delivery.DeliveryStats()
    delivery._send_rows(
        slow, transports={}, cache_=delivery._NoticeCache(), config=config, stats=stats
    )
    assert stats.sent == 0 and mail.outbox == []
    assert set(OutboxMessage.objects.filter(channel="email").values_list("status", flat=True)) == {
        "sending"
    }
    for fresh in (fresh_1, fresh_2):
        delivery._send_rows(
            fresh, transports={}, cache_=delivery._NoticeCache(), config=config, stats=stats
        )
    assert stats.sent == 2 and len(mail.outbox) == 2


def test_a_file_spool_batch_writes_each_key_once_and_mail_files_appear_once_per_key(
    krakow, audience, daytime, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]])
    services.notice_fan_out(notice=notice)
    rows = delivery.claim(
        limit=10,
        worker_id="w",
        channels=["email"],
        now=timezone.now(),
        config=delivery.get_config(),
    )
    transport = delivery.get_transport("email")
    assert transport.idempotent
    messages = [delivery._outgoing(r, delivery._NoticeCache()) for r in rows]
    transport.send_many(messages)
    transport.send_many(messages)  # a re-claimed batch after a crash: nothing written twice
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    ordered = sorted(rows, key=lambda r: r["idempotency_key"].replace(":", "_"))
    for path, row in zip(files, ordered, strict=True):
        parsed = message_from_bytes(path.read_bytes())
        assert parsed["To"] == row["to"]
        link = parsed["List-Unsubscribe"].strip("<>")
        assert link.startswith("http") and row["subscription__manage_token"] in link
        bodies = [
            p.get_payload(decode=True).decode() for p in parsed.walk() if not p.is_multipart()
        ]
        assert len(bodies) == 2 and all(link in body for body in bodies)
        assert "__WSPOLNOTA" not in path.read_text()


def test_withdrawing_a_notice_cancels_what_was_not_sent(krakow, audience, official, daytime):
    notice = NoticeFactory(scope=Scope.DISTRICTS, districts=[krakow[1]], author=official)
    services.notice_fan_out(notice=notice)
    services.notice_withdraw(actor=official, notice=notice, reason="błąd w dacie")
    delivery.deliver_pending()
    assert mail.outbox == []
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"cancelled"}


def test_sms_delivery_reports_update_the_message(krakow, audience, daytime):
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True, send_email=False
    )
    services.notice_fan_out(notice=notice)
    delivery.deliver_pending()
    row = OutboxMessage.objects.filter(notice=notice).first()
    OutboxMessage.objects.filter(pk=row.pk).update(gateway="smsapi")
    assert (
        services.outbox_status_callback(
            gateway="smsapi",
            idx=gateway_idx(row.pk, row.idempotency_key),
            gateway_id="",
            gateway_status="DELIVERED",
        )
        == 1
    )
    row.refresh_from_db()
    assert row.status == "delivered" and row.gateway_status == "DELIVERED"
    assert row.segments == 1 or row.segments == 2


def test_replying_stop_unsubscribes_the_number(krakow, audience):
    assert services.sms_inbound(from_number="48600100001", text="stop") == 1
    audience["sms_1"].refresh_from_db()
    assert audience["sms_1"].status == Subscription.Status.UNSUBSCRIBED
    assert audience["sms_1"].unsubscribe_via == "sms_stop"
    assert services.sms_inbound(from_number="48600100002", text="Dziękuję") == 0
