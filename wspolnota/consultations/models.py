"""Public consultations by Kraków's rules (resolution CXI/2904/18).

A consultation is announced at least 7 days before it opens, lasts at least 21 days and uses at
least three forms of participation, one of them an open meeting or workshop. Every remark gets a
disposition with a reason, and a report closes the consultation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import ActChannel, BaseModel


class Form(models.TextChoices):
    """Forms of participation an official can plan for a consultation."""

    DOCUMENT = "document", _("uwagi do dokumentu")
    SURVEY = "survey", _("ankieta")
    MAP = "map", _("uwagi na mapie")
    MEETING = "meeting", _("otwarte spotkanie")
    WORKSHOP = "workshop", _("warsztaty")
    WRITTEN = "written", _("uwagi pisemne (e-mail, poczta, ePUAP)")
    EXPERT_HOURS = "expert_hours", _("dyżur telefoniczny eksperta")
    OPINION_MAP = "opinion_map", _("mapa opinii")


OPEN_FORMS = frozenset({Form.MEETING, Form.WORKSHOP})


TRANSLATED_FIELDS = ("title", "summary", "description")
TEXT_LANGUAGES = ("en", "uk")  # besides Polish, the source


class Consultation(BaseModel):
    title = models.CharField(_("przedmiot konsultacji"), max_length=200)
    summary = models.TextField(_("krótki opis"), max_length=1000)
    description = models.TextField(_("opis"), blank=True)
    title_en = models.CharField(_("przedmiot konsultacji po angielsku"), max_length=200, blank=True)
    summary_en = models.TextField(_("krótki opis po angielsku"), max_length=1000, blank=True)
    description_en = models.TextField(_("opis po angielsku"), blank=True)
    title_uk = models.CharField(_("przedmiot konsultacji po ukraińsku"), max_length=200, blank=True)
    summary_uk = models.TextField(_("krótki opis po ukraińsku"), max_length=1000, blank=True)
    description_uk = models.TextField(_("opis po ukraińsku"), blank=True)
    initiating_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka inicjująca"),
        on_delete=models.PROTECT,
        related_name="consultations",
    )
    legal_basis = models.CharField(_("podstawa prawna"), max_length=300)
    citywide = models.BooleanField(_("całe miasto"), default=True)
    districts = models.ManyToManyField(
        "territory.District", verbose_name=_("dzielnice"), blank=True, related_name="+"
    )
    languages = models.JSONField(_("języki"), default=list)
    forms = models.JSONField(_("formy konsultacji"), default=list)
    information_from = models.DateField(_("początek akcji informacyjnej"))
    starts_on = models.DateField(_("początek konsultacji"))
    ends_on = models.DateField(_("koniec konsultacji"))
    contact = models.CharField(_("kontakt"), max_length=300, blank=True)
    expert_hours = models.TextField(_("dyżury telefoniczne ekspertów"), blank=True)
    rules_override_reason = models.TextField(_("uzasadnienie odstępstwa od zasad"), blank=True)
    published_at = models.DateTimeField(_("ogłoszono"), null=True, blank=True)
    report_summary = models.TextField(_("wnioski z konsultacji"), blank=True)
    report_published_at = models.DateTimeField(_("raport opublikowano"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("konsultacje")
        verbose_name_plural = _("konsultacje")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="consultation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__gte=models.F("information_from")),
                name="consultation_information_first",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def text_in(self, name: str, language: str | None = None) -> tuple[str, str]:
        """``(text, language)`` of a title, summary or description in the active language.

        Falls back to Polish, the source, when no translation was given (the page then marks
        the text with ``lang="pl"``).
        """
        language = (language or get_language() or "pl").split("-")[0]
        if language in TEXT_LANGUAGES:
            translated = getattr(self, f"{name}_{language}", "")
            if translated:
                return translated, language
        return getattr(self, name), "pl"

    @property
    def shown_title(self) -> str:
        return self.text_in("title")[0]

    @property
    def shown_title_language(self) -> str:
        return self.text_in("title")[1]

    @property
    def shown_summary(self) -> str:
        return self.text_in("summary")[0]

    @property
    def shown_summary_language(self) -> str:
        return self.text_in("summary")[1]

    @property
    def shown_description(self) -> str:
        return self.text_in("description")[0]

    @property
    def shown_description_language(self) -> str:
        return self.text_in("description")[1]


class ConsultationChange(models.Model):
    """A change of an announced consultation: published with its reason, never edited."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(_("zmieniono"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("uzasadnienie zmiany"))
    fields = models.JSONField(default=list)  # names of the fields changed
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    rule_problems = models.JSONField(default=list)  # codes of Kraków's rules the change breaks
    participants_told = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {', '.join(self.fields)}"


class Document(BaseModel):
    """A consulted document, split into sections (paragraphs) that remarks point at."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="documents"
    )
    title = models.CharField(_("tytuł"), max_length=200)
    link = models.URLField(_("odnośnik do pełnego dokumentu"), blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Section(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    number = models.PositiveIntegerField(_("numer"))
    text = models.TextField(_("treść"))

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="section_unique_number")
        ]

    def __str__(self) -> str:
        return f"§ {self.number}"


class Meeting(BaseModel):
    class Kind(models.TextChoices):
        MEETING = "meeting", _("otwarte spotkanie")
        WORKSHOP = "workshop", _("warsztaty")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("stacjonarnie")
        ONLINE = "online", _("online")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("rodzaj"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("tryb"), max_length=20, choices=Mode.choices)
    title = models.CharField(_("tytuł"), max_length=200)
    starts_at = models.DateTimeField(_("początek"))
    ends_at = models.DateTimeField(_("koniec"))
    place = models.CharField(_("miejsce lub odnośnik"), max_length=300)
    capacity = models.PositiveIntegerField(_("liczba miejsc"))
    accessibility = models.TextField(_("dostępność"), blank=True)
    minutes = models.TextField(_("protokół"), blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(_("odwołano"), null=True, blank=True)
    cancel_reason = models.TextField(_("powód odwołania"), blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Registration(BaseModel, ActChannel):
    """A place at a meeting: signed up online, or by a clerk for a caller (``channel``,
    ``keyed_by``)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_registrations"
    )
    needs = models.CharField(
        _("potrzeby (np. tłumacz PJM, pętla indukcyjna)"), max_length=300, blank=True
    )
    # When this person was reminded of the meeting (a letter goes days ahead, the rest a day).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="registration_once")
        ]


class Remark(BaseModel):
    class Channel(models.TextChoices):
        PLATFORM = "platform", _("platforma")
        MAP = "map", _("mapa")
        MEETING = "meeting", _("spotkanie lub warsztaty")
        EMAIL = "email", _("e-mail")
        POST = "post", _("poczta")
        EPUAP = "epuap", _("ePUAP")
        PHONE = "phone", _("dyżur telefoniczny")
        COUNTER = "counter", _("punkt obsługi mieszkańców")

    class Disposition(models.TextChoices):
        PENDING = "pending", _("czeka na odpowiedź")
        ACCEPTED = "accepted", _("uwzględniona")
        PARTLY = "partly", _("uwzględniona częściowo")
        REJECTED = "rejected", _("nieuwzględniona")
        NOT_APPLICABLE = "not_applicable", _("nie dotyczy przedmiotu konsultacji")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="remarks")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("autor"), max_length=150, blank=True)
    channel = models.CharField(_("kanał"), max_length=20, choices=Channel.choices)
    section = models.ForeignKey(
        Section,
        verbose_name=_("fragment dokumentu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("treść uwagi"), max_length=5000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("data wpływu"), null=True, blank=True)
    posted_on = models.DateField(_("data stempla pocztowego"), null=True, blank=True)
    disposition = models.CharField(
        _("rozstrzygnięcie"),
        max_length=20,
        choices=Disposition.choices,
        default=Disposition.PENDING,
    )
    reason = models.TextField(_("uzasadnienie"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(_("powód ukrycia"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "disposition"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:60]}"

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class Survey(BaseModel):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("tytuł"), max_length=200)
    intro = models.TextField(_("wstęp"), blank=True)
    verified = models.BooleanField(
        _("tylko dla zalogowanych (jedna odpowiedź na osobę)"), default=False
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class SurveyCodes(BaseModel):
    """A survey opened to pupils by single-use class codes (issue 22): the schools app's code box
    (``schools.codes``, kind "youth consultation") with a group per class. The box's window is
    the consultation's period; the answers are sealed, mixed and stored in the box as ballots
    that name nobody, not as ``Response`` rows (which may hold an account)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="class_codes")
    box = models.OneToOneField(
        "schools.CodeBox", on_delete=models.PROTECT, related_name="youth_survey"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("ankieta z kodami klasowymi")
        verbose_name_plural = _("ankiety z kodami klasowymi")

    def __str__(self) -> str:
        return f"codes of {self.survey_id}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("jednokrotny wybór")
        MULTIPLE = "multiple", _("wielokrotny wybór")
        SCALE = "scale", _("skala 1–5")
        RANKING = "ranking", _("ranking")
        TEXT = "text", _("odpowiedź otwarta")
        MATRIX = "matrix", _("macierz")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.CharField(max_length=500)
    options = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["survey", "number"]

    def __str__(self) -> str:
        return self.text


class Response(BaseModel, ActChannel):
    """One answer to a survey: online, or keyed in from a paper form or a call by a clerk."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="one_response_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Participant(models.Model):
    """Someone on the opinion map: a signed-in resident, or a participant imported from Polis."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="opinion_participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_id = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "user"],
                condition=Q(user__isnull=False),
                name="opinion_participant_once",
            )
        ]

    def __str__(self) -> str:
        return self.external_id or f"participant {self.pk}"


class Statement(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("czeka na moderację")
        ACCEPTED = "accepted", _("przyjęte")
        REJECTED = "rejected", _("odrzucone")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="statements"
    )
    author = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    text = models.CharField(_("stwierdzenie"), max_length=280)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    moderation_reason = models.CharField(max_length=300, blank=True)
    external_id = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text


class StatementVote(models.Model):
    class Choice(models.IntegerChoices):
        AGREE = 1, _("zgadzam się")
        DISAGREE = -1, _("nie zgadzam się")
        PASS = 0, _("pomiń")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    choice = models.SmallIntegerField(choices=Choice.choices)
    voted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "participant"], name="one_vote_per_statement"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_id}:{self.statement_id}={self.choice}"


class OpinionMap(models.Model):
    """The latest opinion map of a consultation, computed from all its votes in the background."""

    consultation = models.OneToOneField(
        Consultation, on_delete=models.CASCADE, related_name="opinion_map"
    )
    result = models.JSONField(default=dict)
    votes_counted = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # Every vote and moderation decision adds one to ``version`` in its own transaction; a
    # computation notes the version it read before reading the votes.
    version = models.PositiveBigIntegerField(default=0)
    computed_version = models.PositiveBigIntegerField(default=0)
    recompute_after = models.DateTimeField(null=True, blank=True)  # a recomputation is queued

    def __str__(self) -> str:
        return f"opinion map of {self.consultation_id}"

    @property
    def stale(self) -> bool:
        """Votes or moderation came after the last computation (a new one is on its way)."""
        return self.version > self.computed_version


class OpinionMapImport(models.Model):
    """A Polis export uploaded by an official, imported by the background worker."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("czeka w kolejce")
        DONE = "done", _("zaimportowano")
        FAILED = "failed", _("błąd importu")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="opinion_map_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    comments_csv = models.TextField(blank=True)
    votes_csv = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.WAITING)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    statements = models.PositiveIntegerField(default=0)
    participants = models.PositiveIntegerField(default=0)
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.consultation_id}"
