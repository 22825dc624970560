"""Attacks on the subscribe form: taking over someone's subscription, and making the city pay
for SMS to anyone, anywhere. Each failed on the code before the fix (see its commit message)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from wspolnota.communication.models import OutboxMessage, Subscription
from wspolnota.communication.tests.factories import SubscriptionFactory
from wspolnota.communication.transports import memory_outbox

SUBSCRIBE = "/pl/ogloszenia/subskrypcja/"
VICTIM_PHONE = "+48600100200"


def _subscribe(client: Client, **fields: str) -> object:
    data = {"language": "pl", "consent": "on", **fields}
    return client.post(reverse("communication:subscribe"), data, follow=True)


def _everything_the_visitor_saw(response) -> str:
    """Every address the visitor was sent to and every page body they got."""
    hops = " ".join(url for url, _status in response.redirect_chain)
    return hops + " " + response.content.decode()


@pytest.fixture
def victim(krakow):
    return SubscriptionFactory(
        channel="sms",
        email="",
        phone=VICTIM_PHONE,
        districts=[krakow[3]],
        topics_mask=1,
        language="uk",
    )


def test_typing_someones_number_neither_hands_over_nor_changes_their_subscription(
    client, victim, django_capture_on_commit_callbacks, daytime
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _subscribe(client, channel="sms", phone="600 100 200", language="en")
    assert victim.manage_token not in _everything_the_visitor_saw(response)
    # Whatever the visitor now does with the pages they got, the subscription stays as it was.
    manage = reverse("communication:unsubscribe", kwargs={"manage_token": victim.manage_token})
    assert manage not in _everything_the_visitor_saw(response)
    victim.refresh_from_db()
    assert victim.status == Subscription.Status.ACTIVE and victim.language == "uk"
    assert list(victim.districts.values_list("number", flat=True)) == [3]
    # The link goes to the number itself, where only its owner reads it.
    texts = [m.text for m in memory_outbox if m.to == VICTIM_PHONE]
    assert any(victim.manage_token in text for text in texts)


def test_the_page_after_subscribing_a_taken_number_looks_like_the_page_for_a_new_one(
    client, victim, django_capture_on_commit_callbacks, daytime
):
    with django_capture_on_commit_callbacks(execute=True):
        taken = _subscribe(client, channel="sms", phone=VICTIM_PHONE)
        fresh = _subscribe(Client(), channel="sms", phone="+48600100299")
    assert [u for u, _s in taken.redirect_chain] == [u for u, _s in fresh.redirect_chain]
    assert taken.templates[0].name == fresh.templates[0].name

    def visible(response) -> str:
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return re.sub(r"\+48600…\d\d", "NUMBER", body)

    assert visible(taken) == visible(fresh)


def test_a_visitor_who_starts_a_subscription_for_someone_else_never_gets_its_token(
    client, krakow, django_capture_on_commit_callbacks, daytime
):
    """The victim later confirms the pending subscription a stranger started: still not theirs."""
    with django_capture_on_commit_callbacks(execute=True):
        started = _subscribe(client, channel="sms", phone="600 100 201")
    subscription = Subscription.objects.get(phone="+48600100201")
    assert subscription.manage_token not in _everything_the_visitor_saw(started)


def test_a_logged_in_stranger_does_not_get_a_subscription_the_owner_confirms(
    client_for, krakow, django_capture_on_commit_callbacks, daytime
):
    stranger = client_for("resident")
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(stranger, channel="email", email="ofiara@example.org")
    link = re.search(r"http://\S+/potwierdz/\S+/", mail.outbox[-1].body).group(0)
    owner = Client()
    owner.get(link.replace("http://127.0.0.1:8000", ""))
    subscription = Subscription.objects.get(email="ofiara@example.org")
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.user_id is None
    page = stranger.get(reverse("communication:my_subscriptions")).content.decode()
    assert subscription.manage_token not in page and "of…@example.org" not in page


def test_the_code_page_cannot_be_opened_with_a_subscriptions_token(client, victim):
    response = client.get(f"/pl/ogloszenia/subskrypcja/{victim.manage_token}/kod/")
    assert response.status_code == 404


# --- SMS abuse -------------------------------------------------------------------------------------


def test_an_anonymous_visitor_cannot_make_the_city_text_another_country(
    client, krakow, django_capture_on_commit_callbacks, daytime
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("communication:subscribe"),
            {"channel": "sms", "phone": "+1 202 555 0143", "language": "pl", "consent": "on"},
        )
    assert response.status_code == 400
    body = response.content.decode()
    assert "+48, +380" in body and 'value="+1 202 555 0143"' in body
    assert not OutboxMessage.objects.filter(channel="sms").exists()
    assert memory_outbox == []


def test_voice_subscriptions_are_held_to_the_same_countries(client, krakow):
    response = client.post(
        reverse("communication:subscribe"),
        {"channel": "voice", "phone": "+49 30 901820", "language": "pl", "consent": "on"},
    )
    assert response.status_code == 400
    assert not Subscription.objects.exists()


def test_one_number_gets_at_most_the_daily_cap_of_codes_from_any_number_of_addresses(
    krakow, settings, django_capture_on_commit_callbacks, daytime
):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = []
    for n in range(8):
        client = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("communication:subscribe"),
                {"channel": "sms", "phone": "600 100 300", "language": "pl", "consent": "on"},
            )
        statuses.append(response.status_code)
    assert [m.to for m in memory_outbox] == ["+48600100300"] * settings.SMS_DAILY_LIMIT_PER_NUMBER
    assert statuses == [302] * 5 + [400] * 3


def test_one_address_cannot_text_a_list_of_numbers(
    client, krakow, settings, django_capture_on_commit_callbacks, daytime
):
    settings.RATE_LIMIT_SMS_PER_ADDRESS = "3/h"
    statuses = []
    for n in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("communication:subscribe"),
                {"channel": "sms", "phone": f"60010040{n}", "language": "pl", "consent": "on"},
            )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429, 429]
    assert len(memory_outbox) == 3


def _last_code() -> str:
    return re.search(r"\b(\d{6})\b", memory_outbox[-1].text).group(1)


def test_a_code_confirms_only_the_attempt_of_the_browser_that_asked_for_it(
    krakow, django_capture_on_commit_callbacks, daytime
):
    owner, stranger = Client(), Client()
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(owner, channel="sms", phone="600 100 700")
        _subscribe(stranger, channel="sms", phone="600 100 700")  # a new attempt, a new code
    code = _last_code()
    stale = owner.post(reverse("communication:subscription_code"), {"code": code})
    assert stale.status_code == 400
    subscription = Subscription.objects.get(phone="+48600100700")
    assert subscription.status == Subscription.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(owner, channel="sms", phone="600 100 700")
    done = owner.post(reverse("communication:subscription_code"), {"code": _last_code()})
    subscription.refresh_from_db()
    assert done.status_code == 200 and subscription.status == Subscription.Status.ACTIVE
    # Having proven the number, the owner's page now carries the settings link.
    assert subscription.manage_token in done.content.decode()


def test_a_signed_in_resident_who_confirms_the_code_finds_the_subscription_in_their_list(
    client_for, krakow, django_capture_on_commit_callbacks, daytime
):
    client = client_for("resident")
    with django_capture_on_commit_callbacks(execute=True):
        _subscribe(client, channel="sms", phone="600 100 800")
    client.post(reverse("communication:subscription_code"), {"code": _last_code()})
    subscription = Subscription.objects.get(phone="+48600100800")
    assert subscription.user is not None and subscription.status == Subscription.Status.ACTIVE
    page = client.get(reverse("communication:my_subscriptions")).content.decode()
    assert subscription.manage_token in page
