"""Subscriptions and replies of a person, for the counter page (``core.participation``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from wspolnota.communication import permissions, selectors
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.participation import Action, Participation

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def taking_part(*, person: User, at: datetime) -> list[Participation]:
    found = [
        Participation(
            app=_("Ogłoszenia"),
            what=f"{subscription.get_channel_display()}: {subscription.address_label}",
            when=subscription.created_at,
            status=subscription.get_status_display(),
            url=reverse(
                "communication:counter_subscription",
                kwargs={"subscription_id": subscription.pk},
            )
            + f"?osoba={person.pk}",
        )
        for subscription in selectors.subscriptions_of_person(person=person)
    ]
    replies = OutboxMessage.objects.filter(user=person, notice__isnull=True).order_by("-id")[:20]
    found += [
        Participation(
            app=_("Odpowiedzi i powiadomienia"),
            what=message.subject or message.kind,
            when=message.created_at,
            status=f"{message.get_channel_display()} · {message.get_status_display()}",
        )
        for message in replies
    ]
    return found


def actions(*, clerk: User, person: User, at: datetime) -> list[Action]:
    if not permissions.can_register_at_counter(clerk):
        return []
    return [
        Action(
            app=_("Ogłoszenia"),
            label=_("Zapisz na ogłoszenia"),
            url=reverse("communication:counter") + f"?osoba={person.pk}",
        )
    ]
