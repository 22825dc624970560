"""Factories for notices and subscriptions."""

from __future__ import annotations

import secrets
from typing import Any

import factory
from django.utils import timezone

from wspolnota.communication.choices import AuthorKind, Channel
from wspolnota.communication.models import Notice, NoticeText, Subscription
from wspolnota.tests_support.factories import UserFactory


class NoticeFactory(factory.django.DjangoModelFactory[Notice]):
    class Meta:
        model = Notice
        skip_postgeneration_save = True

    author = factory.SubFactory(UserFactory)
    author_kind = AuthorKind.OFFICIAL
    author_label = "Wydział Komunikacji Społecznej"
    valid_from = factory.LazyFunction(timezone.now)
    status = Notice.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    # The unit of an official author (the one that signs and pays), none for anyone else.
    city_unit = factory.LazyAttribute(
        lambda o: next(
            (r.city_unit for r in o.author.role_assignments.all() if r.city_unit_id), None
        )
    )

    @factory.post_generation
    def text(obj: Notice, create: bool, extracted: dict[str, Any] | None, **kwargs: Any) -> None:
        if not create:
            return
        values = extracted or {}
        NoticeText.objects.create(
            notice=obj,
            language=obj.source_language,
            title=values.get("title", "Zamknięcie ulicy Długiej"),
            body=values.get("body", "Od poniedziałku ulica Długa będzie zamknięta dla ruchu."),
            easy_read=values.get("easy_read", ""),
        )

    @factory.post_generation
    def districts(obj: Notice, create: bool, extracted: list[Any] | None, **kwargs: Any) -> None:
        if create and extracted:
            obj.districts.set(extracted)


class SubscriptionFactory(factory.django.DjangoModelFactory[Subscription]):
    class Meta:
        model = Subscription
        skip_postgeneration_save = True

    channel = Channel.EMAIL
    email = factory.Sequence(lambda n: f"sub{n}@example.org")
    status = Subscription.Status.ACTIVE
    source = Subscription.Source.WEB
    language = "pl"
    manage_token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))

    @factory.post_generation
    def districts(
        obj: Subscription, create: bool, extracted: list[Any] | None, **kwargs: Any
    ) -> None:
        if create and extracted:
            obj.districts.set(extracted)


def sms_subscription(number: int, **kwargs: Any) -> Subscription:
    return SubscriptionFactory(
        channel=Channel.SMS, email="", phone=f"+4860010{number:04d}", **kwargs
    )
