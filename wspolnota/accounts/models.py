"""Users, their roles (scoped by district or city unit) and phone confirmations."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.roles import Role
from wspolnota.core.models import BaseModel


def normalise_email(value: str) -> str:
    """The one form an e-mail address is stored and looked up in: no surrounding spaces, lower case.

    A phone keyboard's capital ("Mieszkanka@…") or a pasted space must not make a different
    person, a failed log-in or a way around the per-account log-in limit.
    """
    return value.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        """Log-in looks the address up as it is stored: normalised (see ``normalise_email``)."""
        return self.get(email=normalise_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email or not email.strip():
            raise ValueError("email is required")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Every user is a resident; other roles come from RoleAssignment."""

    email = models.EmailField(_("adres e-mail"), max_length=254, unique=True)
    full_name = models.CharField(_("imię i nazwisko"), max_length=150, blank=True)
    phone = models.CharField(_("numer telefonu komórkowego"), max_length=20, blank=True)
    phone_confirmed_at = models.DateTimeField(_("numer potwierdzony"), null=True, blank=True)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica zamieszkania"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="residents",
    )
    preferred_language = models.CharField(
        _("język"), max_length=5, choices=settings.LANGUAGES, default="pl"
    )
    pref_large_text = models.BooleanField(_("większy tekst"), default=False)
    pref_high_contrast = models.BooleanField(_("wysoki kontrast"), default=False)
    pref_easy_read = models.BooleanField(_("tekst łatwy do czytania"), default=False)
    is_active = models.BooleanField(_("aktywne"), default=True)
    date_joined = models.DateTimeField(_("data rejestracji"), default=timezone.now)
    deleted_at = models.DateTimeField(_("konto usunięte"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("użytkownik")
        verbose_name_plural = _("użytkownicy")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            # Stored normalised, so an exact lookup finds the one account whatever was typed.
            models.CheckConstraint(
                condition=Q(email=Lower(Trim("email"))), name="user_email_normalised"
            ),
        ]

    def __str__(self) -> str:
        if self.deleted_at is not None:
            return str(_("konto usunięte"))
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_staff(self) -> bool:
        """No Django admin: officials work through the platform's own audited screens."""
        return False

    @property
    def phone_confirmed(self) -> bool:
        return bool(self.phone and self.phone_confirmed_at)


class CityUnit(BaseModel):
    """A unit of the city administration (department, office) that officials belong to."""

    code = models.CharField(_("symbol"), max_length=20, unique=True)
    name = models.CharField(_("nazwa"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("jednostka miejska")
        verbose_name_plural = _("jednostki miejskie")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RoleAssignment(BaseModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("rola"), max_length=30, choices=Role.choices)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    city_unit = models.ForeignKey(
        CityUnit,
        verbose_name=_("jednostka miejska"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("przypisanie roli")
        verbose_name_plural = _("przypisania ról")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(district__isnull=True, city_unit__isnull=True),
                name="role_unique_citywide",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                condition=Q(district__isnull=False),
                name="role_unique_per_district",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "city_unit"],
                condition=Q(city_unit__isnull=False),
                name="role_unique_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.DISTRICT_COUNCILLOR, district__isnull=False)
                | ~Q(role=Role.DISTRICT_COUNCILLOR),
                name="councillor_needs_district",
            ),
            models.CheckConstraint(
                condition=Q(role=Role.OFFICIAL, city_unit__isnull=False) | ~Q(role=Role.OFFICIAL),
                name="official_needs_city_unit",
            ),
        ]

    def __str__(self) -> str:
        scope = self.district or self.city_unit
        label = Role(self.role).label
        return f"{label} ({scope})" if scope else str(label)


class PhoneVerification(BaseModel):
    """A one-time SMS code sent to confirm a mobile number; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_verifications")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=128)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.phone[:-3]}***"
