"""Users, their roles (scoped by district or city unit) and phone confirmations."""

from __future__ import annotations

import re
import unicodedata
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
from wspolnota.core.onbehalf import Channel as ActChannel


def normalise_email(value: str) -> str:
    """The one form an e-mail address is stored and looked up in: no surrounding spaces, lower case.

    A phone keyboard's capital ("Mieszkanka@…") or a pasted space must not make a different
    person, a failed log-in or a way around the per-account log-in limit.
    """
    return value.strip().lower()


def _fold(value: str) -> str:
    """Lower case, no diacritics (ł → l as well), single spaces: how two spellings of one name
    or street are compared."""
    value = value.replace("ł", "l").replace("Ł", "L")
    decomposed = unicodedata.normalize("NFKD", value)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w/]+", " ", plain.lower()).split())


_STREET_PREFIX = re.compile(r"^(ul|ulica|al|aleja|aleje|os|osiedle|pl|plac)\b\s*")


def normalise_person_name(value: str) -> str:
    """The searchable form of a person's name (``User.search_name``)."""
    return _fold(value)


def normalise_street(value: str) -> str:
    """The searchable form of a street and number: "ul. Długa 5 m. 3" → "dluga 5/3"."""
    folded = _STREET_PREFIX.sub("", _fold(value))
    folded = re.sub(r"\s*\b(m|lok|mieszk)\b\s*", "/", folded)
    folded = re.sub(r"\s*/\s*", "/", folded)
    return folded.strip("/ ")


def normalise_postcode(value: str) -> str:
    """ "31004", "31 004", "31-004" → "31-004"; anything else is returned stripped."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 5 and re.fullmatch(r"\d{2}[\s-]?\d{3}", value.strip()):
        return f"{digits[:2]}-{digits[2:]}"
    return value.strip()


def postal_key(street: str, postcode: str, city: str = "") -> str:
    """One postal address, whoever typed it (``User.search_address``; letters are deduplicated
    by it). Empty when the street or postcode is missing."""
    street_key = normalise_street(street)
    code = normalise_postcode(postcode)
    if not street_key or not code:
        return ""
    return f"{code} {street_key}"[:220]


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


class ReplyChannel(models.TextChoices):
    """How a person without an account wants the city's answers (same codes as
    ``communication.choices.Channel``)."""

    LETTER = "letter", _("list papierowy")
    VOICE = "voice", _("telefon (nagranie głosowe)")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Every user is a resident; other roles come from RoleAssignment.

    Most users have an account they sign in to. A person *kept by the city*
    (``kept_by_city``) has none: a clerk at a counter or on the phone created them and acts for
    them (issue 17). They are ordinary ``User`` rows so that every app's "one per person" rule,
    the personal-data export, erasure and retention, and subscriptions work the same for them;
    but they can never sign in (``accounts.auth.AccountBackend`` refuses them, their password
    is unusable) nor reset a password, and their e-mail address is optional (``None``).
    """

    # Nullable: a person kept by the city may have no e-mail (NULLs never clash in the unique
    # index). Every account that signs in has one (``UserManager.create_user``).
    email = models.EmailField(_("adres e-mail"), max_length=254, unique=True, null=True, blank=True)
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

    # --- A person without an account, kept by the city (issue 17) -----------------------------
    kept_by_city = models.BooleanField(
        _("osoba bez konta (prowadzona przez urząd)"), default=False, db_index=True
    )
    kept_by = models.ForeignKey(
        "self",
        verbose_name=_("wpisał(a)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address_street = models.CharField(
        _("ulica, numer domu i mieszkania"), max_length=200, blank=True
    )
    address_postcode = models.CharField(_("kod pocztowy"), max_length=6, blank=True)
    address_city = models.CharField(_("miejscowość"), max_length=100, blank=True)
    landline_phone = models.CharField(_("telefon stacjonarny"), max_length=20, blank=True)
    reply_channel = models.CharField(
        _("odpowiedzi wysyłać"), max_length=10, choices=ReplyChannel.choices, blank=True
    )
    # Normalised name and address (lower case, no diacritics, no "ul."), for finding a person
    # and suggesting duplicates at the counter (``selectors.person_find``).
    search_name = models.CharField(max_length=150, blank=True, db_index=True)
    search_address = models.CharField(max_length=220, blank=True, db_index=True)
    # The last time a clerk acted for the person: the retention period runs from it.
    last_contact_at = models.DateTimeField(_("ostatni kontakt"), null=True, blank=True)

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
        return self.full_name or self.email or f"#{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An empty address is no address: stored as NULL, so it never clashes in the index.
        self.email = normalise_email(self.email) if self.email else None
        self.search_name = normalise_person_name(self.full_name)[:150]
        self.search_address = postal_key(
            self.address_street, self.address_postcode, self.address_city
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"full_name", "address_street", "address_postcode"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "search_name", "search_address"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else (self.email or "")

    @property
    def is_staff(self) -> bool:
        """No Django admin: officials work through the platform's own audited screens."""
        return False

    @property
    def phone_confirmed(self) -> bool:
        return bool(self.phone and self.phone_confirmed_at)

    @property
    def postal_address_lines(self) -> list[str]:
        """The address block of a letter: name, street, postcode and town (empty without one)."""
        if not (self.address_street and self.address_postcode and self.address_city):
            return []
        return [self.full_name, self.address_street, f"{self.address_postcode} {self.address_city}"]


class CityUnit(BaseModel):
    """A unit of the city administration (department, office) that officials belong to."""

    code = models.CharField(_("symbol"), max_length=20, unique=True)
    name = models.CharField(_("nazwa"), max_length=200)
    # The unit runs a counter or the city phone line: its officials may use the counter page
    # (``permissions.can_use_counter``). Counter clerks always may.
    counter_duties = models.BooleanField(_("prowadzi okienko lub infolinię"), default=False)

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
            models.CheckConstraint(
                condition=Q(role=Role.COUNTER_CLERK, city_unit__isnull=False)
                | ~Q(role=Role.COUNTER_CLERK),
                name="counter_clerk_needs_city_unit",
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


class ConsentPurpose(models.TextChoices):
    NOTICES = "notices", _("komunikaty i powiadomienia miasta")
    REPLIES = "replies", _("odpowiedzi w sprawach tej osoby")
    REMINDERS = "reminders", _("przypomnienia o spotkaniach i zajęciach")
    VOLUNTEERING = "volunteering", _("kontakt w sprawie wolontariatu")
    PERSONAL_DATA = "personal_data", _("przechowywanie danych osoby bez konta")


class Consent(BaseModel):
    """A person's consent for one purpose: on which channel it was given and which clerk took it.

    Withdrawing keeps the row (when and how it was given is proof); one consent per person and
    purpose is in force at a time.
    """

    person = models.ForeignKey(
        User, verbose_name=_("osoba"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("cel"), max_length=20, choices=ConsentPurpose.choices)
    channel = models.CharField(_("kanał"), max_length=10, choices=ActChannel.choices)
    reply_channel = models.CharField(
        _("kontakt przez"), max_length=10, choices=ReplyChannel.choices, blank=True
    )
    taken_by = models.ForeignKey(
        User,
        verbose_name=_("przyjął(a)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    given_at = models.DateTimeField(_("udzielono"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("wycofano"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User,
        verbose_name=_("wycofanie przyjął(a)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    withdrawn_channel = models.CharField(
        _("kanał wycofania"), max_length=10, choices=ActChannel.choices, blank=True
    )

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("zgoda")
        verbose_name_plural = _("zgody")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class CounterPurpose(models.TextChoices):
    """Why a clerk looks a person up at the counter; logged with every search and opening."""

    ACT = "act", _("sprawa załatwiana za osobę (okienko, telefon)")
    LETTER = "letter", _("list lub e-mail od osoby")
    DATA = "data", _("wgląd, zmiana lub usunięcie danych osoby")


class CounterAccess(BaseModel):
    """A clerk may see one person's page for a short while after identifying them.

    Made only by ``services.counter_search`` (the clerk gave the surname and one more detail
    that matched) or ``services.person_create`` (the clerk recorded the person). Every page
    that shows a person to a clerk asks ``permissions.can_see_person``, which looks for a live
    row here: a person's number in a URL opens nothing.
    """

    clerk = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="counter_accesses")
    purpose = models.CharField(_("cel"), max_length=10, choices=CounterPurpose.choices)
    expires_at = models.DateTimeField(_("ważny do"))

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clerk", "person", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.clerk_id} → {self.person_id}"


class ConversionMethod(models.TextChoices):
    """How a kept person's identity is confirmed before their record becomes an account."""

    COUNTER = "counter", _("urzędnik sprawdził dokument tożsamości w okienku")
    LETTER = "letter", _("kod wysłany listem na adres pocztowy osoby")


class AccountConversion(BaseModel):
    """A person kept by the city on their way to an account of their own (issue 17).

    The kept row becomes the account (``services.person_conversion_complete``) only when the
    person opens the link sent to ``email`` (they control the address) *and* their identity is
    confirmed: a clerk checked a document at the counter (``confirmed_by``), or they type the
    code that came by letter to the postal address on record (``letter_code_hash``). Only
    hashes of the link token and the code are kept.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_conversions")
    email = models.EmailField(_("adres e-mail"), max_length=254)
    method = models.CharField(
        _("potwierdzenie tożsamości"), max_length=10, choices=ConversionMethod.choices
    )
    started_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    letter_code_hash = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.method}"
