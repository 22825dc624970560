"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

from typing import Any

import factory

from wspolnota.accounts.models import CityUnit, RoleAssignment, User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="pl_PL")
    preferred_language = "pl"

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: Any) -> None:
        obj.set_password(extracted or "correct-horse-battery")
        if create:
            obj.save(update_fields=["password"])


class CityUnitFactory(factory.django.DjangoModelFactory[CityUnit]):
    class Meta:
        model = CityUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:03d}")
    name = factory.Sequence(lambda n: f"Wydział testowy {n}")


class RoleAssignmentFactory(factory.django.DjangoModelFactory[RoleAssignment]):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = "moderator"
