"""Issue 17, communication: a clerk finds, changes and cancels a person's subscription; the same
postal address subscribed twice gets one letter; a landline confirms by a spoken code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.communication import delivery, selectors, services
from wspolnota.communication.choices import Channel
from wspolnota.communication.errors import CommunicationError
from wspolnota.communication.models import OutboxMessage, Subscription
from wspolnota.communication.tests.factories import NoticeFactory, SubscriptionFactory
from wspolnota.communication.transports import memory_calls
from wspolnota.core.onbehalf import Channel as ActChannel
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import counter_access, counter_clerk_of, kept_person, with_role

pytestmark = pytest.mark.django_db


def test_attack_the_same_postal_address_subscribed_twice_gets_one_letter(krakow):
    """Two paper subscriptions of one flat, typed differently at two counters: one letter."""
    for name, street, code in (
        ("Jan Kowalski", "ul. Długa 7/3", "31-147"),
        ("Jan Kowalski", "Długa 7 m. 3", "31-147"),
    ):
        SubscriptionFactory(
            channel=Channel.LETTER,
            email="",
            postal_name=name,
            postal_street=street,
            postal_code=code,
            postal_city="Kraków",
            districts=[krakow[1]],
        )
    SubscriptionFactory(
        channel=Channel.LETTER,
        email="",
        postal_name="Anna Nowak",
        postal_street="ul. Długa 9",
        postal_code="31-147",
        postal_city="Kraków",
        districts=[krakow[1]],
    )
    notice = NoticeFactory(send_letter=True, send_email=False)
    services.notice_fan_out(notice=notice)
    letters = OutboxMessage.objects.filter(notice=notice, channel=Channel.LETTER)
    assert letters.count() == 2
    assert selectors.notice_audience_summary(notice=notice).by_channel[Channel.LETTER] == 2


def test_attack_a_landline_subscriber_to_voice_notices_gets_the_code_spoken(krakow, daytime):
    """A landline cannot read an SMS: the confirmation code comes in a voice call."""
    result = services.subscription_start(
        channel=Channel.VOICE,
        address=services.Address(phone="12 616 12 00"),
        preferences=services.Preferences(districts=[krakow[1]]),
    )
    message = OutboxMessage.objects.get(kind="communication.confirm")
    assert message.channel == Channel.VOICE and message.to == "+48126161200"
    assert message.sensitive
    digits = re.findall(r"\d", message.body)
    code = "".join(digits[:6])
    delivery.deliver_pending()
    call = next(m for m in memory_calls if m.channel == Channel.VOICE)
    assert call.to == "+48126161200"
    # The recording of the code does not stay on disk once the call is handed over.
    assert not Path(call.audio_path).exists()
    assert OutboxMessage.objects.get(pk=message.pk).body == ""
    assert result.subscription is not None
    confirmed = services.subscription_confirm_code(
        subscription_id=result.subscription.pk, pairing=result.pairing, code=code
    )
    assert confirmed.status == Subscription.Status.ACTIVE


def test_a_clerk_finds_changes_and_cancels_a_persons_subscription(krakow):
    clerk = counter_clerk_of()
    person = kept_person(reply_channel="letter")
    subscription = services.subscription_register_at_counter(
        clerk=clerk,
        channel=Channel.LETTER,
        address=services.Address(
            postal_name=person.full_name,
            postal_street=person.address_street,
            postal_code=person.address_postcode,
            postal_city=person.address_city,
        ),
        preferences=services.Preferences(districts=[krakow[1]]),
        consent_document="formularz 12/2026",
        person=person,
    )
    assert subscription.user == person and subscription.registered_by == clerk
    found = selectors.subscriptions_of_person(person=person)
    assert [s.pk for s in found] == [subscription.pk]
    services.subscription_update_by_clerk(
        clerk=clerk,
        subscription=subscription,
        preferences=services.Preferences(districts=[krakow[2]], topics=["seniors"]),
        channel=ActChannel.PHONE,
    )
    subscription.refresh_from_db()
    assert list(subscription.districts.all()) == [krakow[2]]
    services.subscription_cancel_by_clerk(
        clerk=clerk, subscription=subscription, channel=ActChannel.PHONE
    )
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    assert subscription.unsubscribe_via == "phone"
    from wspolnota.core.models import AuditLogEntry

    assert set(AuditLogEntry.objects.filter(actor=clerk).values_list("action", flat=True)) >= {
        "communication.subscription_registered_at_counter",
        "communication.subscription_changed_by_clerk",
        "communication.subscription_cancelled_by_clerk",
    }


def test_a_subscription_found_by_the_persons_phone_even_without_a_link(krakow):
    person = kept_person(reply_channel="voice", landline_phone="+48126161200")
    SubscriptionFactory(channel=Channel.VOICE, email="", phone="+48126161200")
    SubscriptionFactory(channel=Channel.VOICE, email="", phone="+48126160000")
    found = selectors.subscriptions_of_person(person=person)
    assert [s.phone for s in found] == ["+48126161200"]


@pytest.mark.parametrize("who", ["resident", "moderator", "kept"])
def test_only_clerks_change_or_cancel_someone_elses_subscription(krakow, who):
    actor = {
        "resident": lambda: UserFactory(),
        "moderator": lambda: with_role(Role.MODERATOR),
        "kept": lambda: kept_person(),
    }[who]()
    subscription = SubscriptionFactory(districts=[krakow[1]])
    with pytest.raises(CommunicationError):
        services.subscription_update_by_clerk(
            clerk=actor,
            subscription=subscription,
            preferences=services.Preferences(districts=[krakow[2]]),
            channel=ActChannel.PHONE,
        )
    with pytest.raises(CommunicationError):
        services.subscription_cancel_by_clerk(
            clerk=actor, subscription=subscription, channel=ActChannel.PHONE
        )
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


def test_a_counter_clerk_of_any_unit_registers_at_the_counter(krakow):
    clerk = counter_clerk_of(CityUnitFactory())
    subscription = services.subscription_register_at_counter(
        clerk=clerk,
        channel=Channel.SMS,
        address=services.Address(phone="600100200"),
        preferences=services.Preferences(districts=[krakow[1]]),
        consent_document="rozmowa telefoniczna",
    )
    assert subscription.status == Subscription.Status.ACTIVE


def test_the_counter_pages_change_and_cancel_a_subscription(krakow):
    from django.test import Client
    from django.urls import reverse

    clerk = counter_clerk_of()
    person = kept_person(reply_channel="voice", landline_phone="+48126161200")
    subscription = SubscriptionFactory(
        channel=Channel.VOICE, email="", phone="+48126161200", districts=[krakow[1]]
    )
    client = Client()
    counter_access(clerk, person)
    client.force_login(clerk)
    page = client.get(reverse("counter:person", kwargs={"pk": person.pk})).content.decode()
    url = (
        reverse("communication:counter_subscription", kwargs={"subscription_id": subscription.pk})
        + f"?osoba={person.pk}"
    )
    assert url in page.replace("&amp;", "&")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"language": "pl", "districts": [krakow[3].pk], "act_channel": "phone", "save": "1"}
    )
    assert response.status_code == 302
    assert list(subscription.districts.all()) == [krakow[3]]
    response = client.post(url, {"act_channel": "counter", "cancel": "1"})
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    resident = Client()
    resident.force_login(UserFactory())
    assert resident.get(url).status_code == 403
    assert resident.post(url, {"cancel": "1"}).status_code == 403
