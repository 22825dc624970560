"""Notices, subscriptions and the delivery outbox.

A notice is written once (in one or more languages) and reaches each subscriber through the
channel they chose. Every message to every recipient is one ``OutboxMessage`` row whose
``idempotency_key`` is unique, so running a fan-out twice, or a worker dying half-way, never
creates or sends a second message (see ``delivery.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wspolnota.communication.choices import PAID_CHANNELS, AuthorKind, Channel, Scope, Urgency
from wspolnota.core.models import BaseModel


class Notice(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("szkic")
        PUBLISHED = "published", _("opublikowane")
        WITHDRAWN = "withdrawn", _("wycofane")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    author_kind = models.CharField(_("nadawca"), max_length=20, choices=AuthorKind.choices)
    author_label = models.CharField(
        _("nazwa nadawcy"),
        max_length=200,
        help_text=_("Np. Wydział Komunikacji Społecznej, Rada Dzielnicy I, Fundacja …"),
    )
    source_language = models.CharField(
        _("język oryginału"), max_length=5, choices=settings.LANGUAGES, default="pl"
    )
    scope = models.CharField(_("zasięg"), max_length=20, choices=Scope.choices, default=Scope.CITY)
    districts = models.ManyToManyField(
        "territory.District", verbose_name=_("dzielnice"), blank=True, related_name="notices"
    )
    area = models.JSONField(_("obszar (GeoJSON)"), null=True, blank=True)
    area_center_lat = models.FloatField(_("środek obszaru: szerokość"), null=True, blank=True)
    area_center_lon = models.FloatField(_("środek obszaru: długość"), null=True, blank=True)
    area_radius_m = models.PositiveIntegerField(_("promień (m)"), null=True, blank=True)
    topics_mask = models.PositiveIntegerField(_("tematy"), default=0)
    groups_mask = models.PositiveIntegerField(_("grupy"), default=0)
    urgency = models.CharField(
        _("pilność"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    valid_from = models.DateTimeField(_("ważne od"))
    valid_until = models.DateTimeField(_("ważne do"), null=True, blank=True)
    event_start = models.DateTimeField(_("początek wydarzenia"), null=True, blank=True)
    event_end = models.DateTimeField(_("koniec wydarzenia"), null=True, blank=True)
    event_location = models.CharField(_("miejsce wydarzenia"), max_length=200, blank=True)
    send_email = models.BooleanField(_("wyślij e-mailem"), default=True)
    send_sms = models.BooleanField(_("wyślij SMS-em"), default=False)
    send_voice = models.BooleanField(_("nagranie telefoniczne"), default=False)
    send_letter = models.BooleanField(_("listy papierowe"), default=False)
    status = models.CharField(
        _("stan"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("opublikowano"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("wycofano"), null=True, blank=True)
    fanned_out_at = models.DateTimeField(_("rozesłano"), null=True, blank=True)
    # Paid sends (SMS, voice, letters) are paid from the budget of one city unit, and only an
    # official of that unit publishes them: a notice by anyone else waits for their approval.
    city_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka odpowiedzialna"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
    )
    approval_requested_at = models.DateTimeField(
        _("przekazano do zatwierdzenia"), null=True, blank=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zatwierdził(a)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("zatwierdzono"), null=True, blank=True)
    paid_cost = models.DecimalField(
        _("koszt wysyłki płatnej (zł)"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("ogłoszenie")
        verbose_name_plural = _("ogłoszenia")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="notice_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(event_end__isnull=True)
                | (Q(event_start__isnull=False) & Q(event_end__gte=models.F("event_start"))),
                name="notice_event_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        text = self.texts.filter(language=self.source_language).first() if self.pk else None
        return text.title if text else f"#{self.pk}"

    @property
    def channels(self) -> list[str]:
        flags = [
            (Channel.EMAIL, self.send_email),
            (Channel.SMS, self.send_sms),
            (Channel.VOICE, self.send_voice),
            (Channel.LETTER, self.send_letter),
        ]
        return [str(channel) for channel, on in flags if on]

    @property
    def paid_channels(self) -> list[str]:
        """The channels that cost the city money for every recipient."""
        return [c for c in self.channels if c in PAID_CHANNELS]

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT


class NoticeText(BaseModel):
    """The notice in one language: plain-language body, optional easy-read version and SMS text."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("język"), max_length=5, choices=settings.LANGUAGES)
    title = models.CharField(_("tytuł"), max_length=150)
    body = models.TextField(_("treść"))
    easy_read = models.TextField(_("wersja łatwa do czytania"), blank=True)
    sms_text = models.CharField(_("tekst SMS"), max_length=300, blank=True)

    class Meta:
        ordering = ["notice_id", "language"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "language"], name="notice_text_one_per_lang")
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class Subscription(BaseModel):
    """One person's wish to get notices in one channel; no account needed.

    Confirmed by a link (e-mail) or a code (SMS, voice) unless a clerk signed the person up at a
    counter with a paper consent, or the person is signed in and the address is already theirs.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("czeka na potwierdzenie")
        ACTIVE = "active", _("aktywna")
        UNSUBSCRIBED = "unsubscribed", _("wypisana")

    class Source(models.TextChoices):
        WEB = "web", _("formularz na stronie")
        PROFILE = "profile", _("profil użytkownika")
        COUNTER = "counter", _("zapis w urzędzie")
        SMS = "sms", _("SMS")

    channel = models.CharField(_("kanał"), max_length=10, choices=Channel.choices)
    email = models.EmailField(_("adres e-mail"), blank=True)
    phone = models.CharField(_("numer telefonu"), max_length=20, blank=True)
    postal_name = models.CharField(_("imię i nazwisko"), max_length=150, blank=True)
    postal_street = models.CharField(_("ulica i numer"), max_length=200, blank=True)
    postal_code = models.CharField(_("kod pocztowy"), max_length=6, blank=True)
    postal_city = models.CharField(_("miejscowość"), max_length=100, blank=True)
    language = models.CharField(_("język"), max_length=5, choices=settings.LANGUAGES, default="pl")
    districts = models.ManyToManyField(
        "territory.District",
        verbose_name=_("dzielnice"),
        blank=True,
        related_name="notice_subscriptions",
    )
    topics_mask = models.PositiveIntegerField(_("tematy"), default=0)
    groups_mask = models.PositiveIntegerField(_("grupy"), default=0)
    status = models.CharField(
        _("stan"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    source = models.CharField(_("źródło"), max_length=10, choices=Source.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notice_subscriptions",
    )
    manage_token = models.CharField(max_length=43, unique=True)
    confirm_hash = models.CharField(max_length=128, blank=True)
    confirm_expires_at = models.DateTimeField(null=True, blank=True)
    confirm_attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(_("potwierdzono"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("wypisano"), null=True, blank=True)
    unsubscribe_via = models.CharField(_("sposób wypisania"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("zgoda z dnia"), null=True, blank=True)
    consent_document = models.CharField(_("dokument zgody"), max_length=100, blank=True)
    # The subscriber's address point (WGS84), when they gave it: notices for an area reach those
    # whose point lies inside it; subscribers without a point are reached through their districts.
    point_lat = models.FloatField(_("punkt adresowy: szerokość"), null=True, blank=True)
    point_lon = models.FloatField(_("punkt adresowy: długość"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zapisał(a) urzędnik"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subskrypcja")
        verbose_name_plural = _("subskrypcje")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "email"], condition=~Q(email=""), name="subscription_email_once"
            ),
            models.UniqueConstraint(
                fields=["channel", "phone"], condition=~Q(phone=""), name="subscription_phone_once"
            ),
        ]
        indexes = [models.Index(fields=["status", "channel"], name="subscription_status_channel")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.address_label}"

    @property
    def address(self) -> str:
        if self.channel == Channel.EMAIL:
            return self.email
        if self.channel in (Channel.SMS, Channel.VOICE):
            return self.phone
        return "\n".join(
            part
            for part in (
                self.postal_name,
                self.postal_street,
                f"{self.postal_code} {self.postal_city}".strip(),
            )
            if part
        )

    @property
    def address_label(self) -> str:
        """The address with most of it hidden, for pages and logs."""
        if self.channel == Channel.EMAIL and "@" in self.email:
            local, domain = self.email.split("@", 1)
            return f"{local[:2]}…@{domain}"
        if self.phone:
            return f"{self.phone[:6]}…{self.phone[-2:]}"
        return f"{self.postal_name[:1]}… {self.postal_code} {self.postal_city}".strip()


class OutboxMessage(models.Model):
    """One message to one recipient in one channel: created once, sent at most once.

    The unique ``idempotency_key`` makes fan-out repeatable; ``status``/``lease_until`` make
    sending crash-safe (see ``delivery.py``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("w kolejce")
        SENDING = "sending", _("wysyłanie")
        SENT = "sent", _("wysłane")
        DELIVERED = "delivered", _("doręczone")
        FAILED = "failed", _("nieudane")
        UNKNOWN = "unknown", _("wynik nieznany")
        CANCELLED = "cancelled", _("anulowane")

    idempotency_key = models.CharField(max_length=120, unique=True)
    # No index of their own: every row of a 100,000-recipient fan-out updates each index. Nothing
    # looks rows up by kind, and ``outbox_report`` (notice, channel, status) serves lookups by
    # notice, its deletion's cascade included.
    kind = models.CharField(max_length=60)
    notice = models.ForeignKey(
        Notice,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbox",
        db_index=False,
    )
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to = models.CharField(max_length=400)
    language = models.CharField(max_length=5, default="pl")
    urgent = models.BooleanField(default=False)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    # Set, in its own commit, just before the row is handed to a transport that cannot refuse a
    # repeat (SMTP): a dead worker's row with this mark may have gone out and is never resent.
    # Cleared when the outcome is recorded.
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # The first attempt whose outcome is unknown (a gateway that did not answer, a worker that
    # died while holding the row): the message may have gone out. A gateway's duplicate check
    # (SMSAPI's idx) absorbs a retry only for so long after it; past that the row becomes
    # ``unknown`` instead of being resent. Never cleared.
    maybe_sent_at = models.DateTimeField(null=True, blank=True)
    # How often a worker died holding this row. A row that keeps killing workers is claimed on
    # its own (so it takes no other message down with it) and moved aside at the attempt limit.
    crashes = models.PositiveSmallIntegerField(default=0, db_default=0)
    # One-time codes and reset links: the text is erased once the message is sent or given up.
    sensitive = models.BooleanField(default=False, db_default=False)
    gateway = models.CharField(max_length=30, blank=True)
    gateway_id = models.CharField(max_length=100, blank=True)
    gateway_status = models.CharField(max_length=40, blank=True)
    segments = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)
    letter_batch = models.ForeignKey(
        "LetterBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # A reply to a person (``services.reply_to_person``): the unit answering, named on the letter.
    sender_unit = models.ForeignKey(
        "accounts.CityUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["status", "not_before"], name="outbox_ready"),
            models.Index(fields=["notice", "channel", "status"], name="outbox_report"),
            models.Index(
                fields=["status", "not_before"],
                condition=Q(crashes__gt=0),
                name="outbox_crashed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.idempotency_key} {self.status}"


class LetterBatch(BaseModel):
    """Letters printed for one notice: one letter per resident who asked for paper; or (without
    a notice) the replies to people without an account waiting to be printed.

    Asked for on the page, built by the background worker: a PDF, or a ZIP of PDFs for a large
    batch, to download when it is done; ``rendered_count`` shows the progress.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("czeka na przygotowanie")
        RENDERING = "rendering", _("w przygotowaniu")
        DONE = "done", _("gotowe")
        FAILED = "failed", _("nieudane")

    class PdfPurge(models.TextChoices):
        RETENTION = "retention", _("okres przechowywania minął")
        ERASURE = "erasure", _("usunięto dane adresata")

    # None: a batch of replies to people without an account (``services.reply_to_person``),
    # gathered and printed by the worker on its own.
    notice = models.ForeignKey(
        Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="letter_batches"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A batch of replies: the unit that sent them (one batch per sender unit); its clerks print
    # it (``permissions.can_print_reply_batch``). None: replies sent by no unit.
    city_unit = models.ForeignKey(
        "accounts.CityUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letter_count = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to="communication/letters/", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DONE)
    rendered_count = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The PDF (names, addresses, texts) was deleted: past ``RETENTION_LETTER_BATCHES_DAYS``, or
    # when a recipient was erased and the batch could not be printed again without them. The
    # row stays with its counts; the page says why there is no file.
    pdf_purged_at = models.DateTimeField(null=True, blank=True)
    pdf_purged_reason = models.CharField(
        max_length=20, choices=PdfPurge.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.notice_id}: {self.letter_count}"


class NoticeAudio(BaseModel):
    """The notice read aloud (espeak-ng) for the city's phone line and the notice page."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="audio")
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    path = models.CharField(max_length=400)
    duration_seconds = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notice", "language"], name="notice_audio_one_per_lang")
        ]

    def __str__(self) -> str:
        return self.path


class PaidSendBudget(BaseModel):
    """What a city unit may spend in a year on paid sends (SMS, voice calls, letters)."""

    city_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka"),
        on_delete=models.CASCADE,
        related_name="paid_send_budgets",
    )
    year = models.PositiveSmallIntegerField(_("rok"))
    amount = models.DecimalField(_("kwota (zł)"), max_digits=12, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "city_unit_id"]
        verbose_name = _("budżet wysyłek płatnych")
        verbose_name_plural = _("budżety wysyłek płatnych")
        constraints = [
            models.UniqueConstraint(fields=["city_unit", "year"], name="paid_send_budget_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="paid_send_budget_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.city_unit_id}/{self.year}: {self.amount}"
