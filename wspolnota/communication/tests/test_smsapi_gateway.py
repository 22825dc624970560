"""SMS, voice and codes through smsapi-client, against a local server speaking SMSAPI's protocol.

Attacks: keys with ``:`` sent as ``idx`` (the gateway refuses them), a timeout that leaves an SMS
maybe sent (retried only with the same ``idx`` while the gateway's duplicate check covers it,
never after), a voice call that was only written to a file, one-time codes outside the outbox.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.communication import delivery, services
from wspolnota.communication.choices import Channel, Scope
from wspolnota.communication.models import OutboxMessage
from wspolnota.communication.tests import smsapi_fake
from wspolnota.communication.tests.factories import NoticeFactory, sms_subscription
from wspolnota.communication.transports import (
    PermanentSendError,
    SmsapiTransport,
    SmsMessage,
    TransientSendError,
)


@pytest.fixture
def gateway(monkeypatch, settings):
    gw, server = smsapi_fake.start(monkeypatch)
    settings.SMS_BACKEND = "smsapi"
    yield gw
    gw.release()
    server.shutdown()


def test_a_platform_key_reaches_the_gateway_as_an_idx_it_accepts(gateway):
    message_id = SmsapiTransport().send(
        SmsMessage(to="+48600100200", text="Zażółć", key="notice:12:sms:345")
    )
    sent = gateway.sent[0]
    assert message_id == f"{1:024d}"  # the gateway's message id
    assert sent["_path"] == "/sms.do" and sent["_auth"] == "Bearer test-token"
    assert smsapi_fake.IDX_RULE.match(sent["idx"]) and sent["check_idx"] == "1"
    assert sent["to"] == "48600100200" and sent["message"] == "Zażółć"
    assert sent["from"] == "Krakow" and sent["format"] == "json"


def test_the_gateway_refusing_a_known_idx_counts_as_already_sent(gateway):
    transport = SmsapiTransport()
    transport.send(SmsMessage(to="+48600100200", text="A", key="k:1"))
    assert transport.send(SmsMessage(to="+48600100200", text="A", key="k:1")).startswith("idx:")
    assert len(gateway.sent) == 1


def test_gateway_errors_are_permanent_or_worth_a_retry(gateway):
    transport = SmsapiTransport()
    gateway.answer = {"error": 13, "message": "No correct phone numbers"}
    with pytest.raises(PermanentSendError):
        transport.send(SmsMessage(to="+48600100200", text="A", key="k:2"))
    gateway.answer = {"error": 103, "message": "Not enough points"}
    with pytest.raises(TransientSendError):
        transport.send(SmsMessage(to="+48600100200", text="A", key="k:3"))


def test_a_gateway_that_cannot_be_reached_is_a_plain_retry_not_a_maybe(monkeypatch):
    from wspolnota.communication.transports import MaybeSentError

    monkeypatch.setenv("SMSAPI_TOKEN", "t")
    monkeypatch.setenv("SMSAPI_URL", "http://127.0.0.1:9/")
    with pytest.raises(TransientSendError) as caught:
        SmsapiTransport().send(SmsMessage(to="+48600100200", text="A", key="k"))
    assert not isinstance(caught.value, MaybeSentError)


def test_a_timeout_or_a_server_error_leaves_the_sms_maybe_sent(gateway):
    from wspolnota.communication.transports import MaybeSentError

    gateway.hold = threading.Event()
    with pytest.raises(MaybeSentError):
        SmsapiTransport().send(SmsMessage(to="+48600100200", text="A", key="k:4"))
    gateway.release()
    gateway.hold = None
    gateway.http_status = 502
    with pytest.raises(MaybeSentError):
        SmsapiTransport().send(SmsMessage(to="+48600100200", text="A", key="k:5"))


@pytest.fixture
def sms_notice(daytime, krakow):
    # ``daytime`` before the fan-out: queued in the evening, an ordinary SMS would wait for 8:00.
    sms_subscription(1, districts=[krakow[1]])
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_sms=True, send_email=False
    )
    services.notice_fan_out(notice=notice)
    return notice


def _due_now(notice):
    OutboxMessage.objects.filter(notice=notice, status="queued").update(
        not_before=timezone.now() - timedelta(seconds=1)
    )


# These two once failed every evening (Warsaw time): the notice was fanned out before the quiet
# hours were pinned off, so its SMS waited for 8:00 and nothing was sent. They run at four times
# of day on the platform's clock, quiet hours included.
_TIMES_OF_DAY = pytest.mark.parametrize(
    "warsaw_clock", ["03:00", "12:00", "20:59", "21:30"], indirect=True
)


@_TIMES_OF_DAY
def test_after_a_timeout_the_outbox_retries_with_the_same_idx_and_one_sms_arrives(
    warsaw_clock, gateway, sms_notice
):
    gateway.hold = threading.Event()  # the gateway takes the SMS, its answer is lost
    delivery.deliver_pending()
    gateway.release()
    gateway.hold = None
    row = OutboxMessage.objects.get(notice=sms_notice)
    assert row.status == "queued" and row.maybe_sent_at is not None
    _due_now(sms_notice)
    delivery.deliver_pending()
    row.refresh_from_db()
    assert row.status == "sent"
    posts = [r for r in gateway.requests if r["_path"] == "/sms.do"]
    assert len(posts) == 2 and posts[0]["idx"] == posts[1]["idx"]
    assert len(gateway.sent) == 1  # the second was refused as a duplicate (error 53)


@_TIMES_OF_DAY
def test_a_maybe_sent_sms_is_not_resent_once_the_gateways_duplicate_check_has_expired(
    warsaw_clock, gateway, sms_notice
):
    gateway.hold = threading.Event()
    delivery.deliver_pending()
    gateway.release()
    gateway.hold = None
    # The retry comes 25 hours later (an outage, a long back-off): check_idx no longer covers it.
    OutboxMessage.objects.filter(notice=sms_notice).update(
        maybe_sent_at=timezone.now() - timedelta(hours=25),
        not_before=timezone.now() - timedelta(seconds=1),
    )
    delivery.deliver_pending()
    row = OutboxMessage.objects.get(notice=sms_notice)
    assert row.status == "unknown"
    assert len([r for r in gateway.requests if r["_path"] == "/sms.do"]) == 1


def test_a_voice_notice_is_a_real_call_through_the_gateway_with_the_recording(
    gateway, krakow, daytime, settings, monkeypatch
):
    monkeypatch.setenv("VOICE_BACKEND", "smsapi")
    subscription = sms_subscription(7, districts=[krakow[1]])
    subscription.channel = Channel.VOICE
    subscription.save()
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_voice=True, send_email=False
    )
    services.notice_fan_out(notice=notice)
    delivery.deliver_pending()
    row = OutboxMessage.objects.get(notice=notice, channel="voice")
    assert row.status == "sent" and row.gateway == "smsapi-vms"
    call = next(r for r in gateway.requests if r["_path"] == "/vms.do")
    assert call["to"] == "48600100007" and smsapi_fake.IDX_RULE.match(call["idx"])
    assert call["file"][:4] == b"RIFF"  # the platform's own espeak-ng recording, uploaded


def test_voice_in_tts_mode_sends_the_polish_text_for_the_gateway_to_read(
    gateway, krakow, daytime, monkeypatch
):
    monkeypatch.setenv("VOICE_BACKEND", "smsapi")
    monkeypatch.setenv("SMSAPI_VMS_MODE", "tts")
    subscription = sms_subscription(8, districts=[krakow[1]])
    subscription.channel = Channel.VOICE
    subscription.save()
    notice = NoticeFactory(
        scope=Scope.DISTRICTS, districts=[krakow[1]], send_voice=True, send_email=False
    )
    services.notice_fan_out(notice=notice)
    delivery.deliver_pending()
    call = next(r for r in gateway.requests if r["_path"] == "/vms.do")
    assert "ulica Długa" in call["tts"] and "file" not in call


def test_a_phone_confirmation_code_goes_through_the_outbox_and_the_gateway(
    gateway, resident, django_capture_on_commit_callbacks
):
    from wspolnota.accounts.services import phone_verification_start

    with django_capture_on_commit_callbacks(execute=True):
        phone_verification_start(user=resident, phone="+48600100321")
    row = OutboxMessage.objects.get(to="+48600100321")
    assert row.channel == "sms" and row.urgent and row.kind == "accounts.phone_code"
    assert row.status == "sent"
    assert gateway.sent[0]["to"] == "48600100321"
    assert smsapi_fake.IDX_RULE.match(gateway.sent[0]["idx"])
