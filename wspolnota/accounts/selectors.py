from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from wspolnota.accounts.models import PhoneVerification, RoleAssignment, User, normalise_email


def role_list_for(*, user: User) -> QuerySet[RoleAssignment]:
    return user.role_assignments.select_related("district", "city_unit").order_by("role")


def role_assignment_list() -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.select_related(
        "user", "district", "city_unit", "granted_by"
    ).order_by("role", "user__email")


def phone_verification_pending(*, user: User) -> PhoneVerification | None:
    return (
        PhoneVerification.objects.filter(
            user=user, confirmed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .order_by("-created_at", "-id")
        .first()
    )


def account_exists(*, email: str) -> bool:
    return User.objects.filter(email=normalise_email(email)).exists()
