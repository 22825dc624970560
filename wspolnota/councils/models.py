"""District councils and the city's advisory bodies: terms, members, meetings, votes, resolutions,
residents' questions and motions, and opinions on city drafts."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import ActChannel, BaseModel


class BodyKind(models.TextChoices):
    DISTRICT_COUNCIL = "district_council", _("rada dzielnicy")
    YOUTH_COUNCIL = "youth_council", _("Młodzieżowa Rada Krakowa")
    SENIORS_COUNCIL = "seniors_council", _("Rada Krakowskich Seniorów")
    DIALOGUE_COMMISSION = "dialogue_commission", _("Komisja Dialogu Obywatelskiego")


ADVISORY_KINDS = (
    BodyKind.YOUTH_COUNCIL,
    BodyKind.SENIORS_COUNCIL,
    BodyKind.DIALOGUE_COMMISSION,
)


class Body(BaseModel):
    """A district council (one per district) or an advisory body of the city."""

    kind = models.CharField(_("rodzaj"), max_length=30, choices=BodyKind.choices, db_index=True)
    name = models.CharField(_("nazwa"), max_length=200)
    slug = models.SlugField(_("adres strony"), max_length=120, unique=True)
    description = models.TextField(_("opis"), blank=True)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="councils",
    )
    city_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("wydział miasta"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dialogue_commissions",
    )
    seats = models.PositiveSmallIntegerField(
        _("liczba mandatów"), validators=[MinValueValidator(1)]
    )
    min_member_age = models.PositiveSmallIntegerField(
        _("minimalny wiek członka"), null=True, blank=True
    )
    address = models.CharField(_("siedziba"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    answer_days = models.PositiveSmallIntegerField(
        _("termin odpowiedzi na pytania mieszkańców (dni)"), default=30
    )

    class Meta:
        ordering = ["kind", "district__number", "name"]
        verbose_name = _("rada lub ciało doradcze")
        verbose_name_plural = _("rady i ciała doradcze")
        constraints = [
            models.UniqueConstraint(
                fields=["district"],
                condition=Q(kind="district_council"),
                name="one_council_per_district",
            ),
            models.UniqueConstraint(
                fields=["city_unit"],
                condition=Q(kind="dialogue_commission"),
                name="one_commission_per_city_unit",
            ),
            models.CheckConstraint(
                condition=~Q(kind="district_council") | Q(district__isnull=False),
                name="district_council_needs_district",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_district_council(self) -> bool:
        return self.kind == BodyKind.DISTRICT_COUNCIL

    @property
    def quorum(self) -> int:
        """At least half of the statutory seats must be present for a valid vote."""
        return (self.seats + 1) // 2


class Term(BaseModel):
    """A term of office (kadencja)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("nazwa kadencji"), max_length=100)
    starts_on = models.DateField(_("początek"))
    ends_on = models.DateField(_("koniec"), null=True, blank=True)

    class Meta:
        ordering = ["body", "-starts_on"]
        verbose_name = _("kadencja")
        verbose_name_plural = _("kadencje")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="term_ends_after_start",
            ),
            models.UniqueConstraint(fields=["body", "starts_on"], name="term_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.body.name}: {self.name}"

    def is_current_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class SchoolElection(BaseModel):
    """An election in a secondary school that sends its pupils to the Youth Council."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="school_elections")
    school_name = models.CharField(_("szkoła"), max_length=200)
    held_on = models.DateField(_("data wyborów"))
    eligible_voters = models.PositiveIntegerField(_("liczba uprawnionych"))
    votes_cast = models.PositiveIntegerField(_("liczba głosujących"))
    seats = models.PositiveSmallIntegerField(
        _("liczba mandatów"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        ordering = ["held_on", "school_name"]
        verbose_name = _("wybory w szkole")
        verbose_name_plural = _("wybory w szkołach")
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_cast__lte=F("eligible_voters")),
                name="school_election_turnout_at_most_all",
            ),
            models.UniqueConstraint(fields=["term", "school_name"], name="one_election_per_school"),
        ]

    def __str__(self) -> str:
        return f"{self.school_name} ({self.held_on})"

    @property
    def turnout_percent(self) -> float:
        return 100 * self.votes_cast / self.eligible_voters if self.eligible_voters else 0.0


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("przewodniczący(-a)")
    VICE_CHAIR = "vice_chair", _("wiceprzewodniczący(-a)")
    SECRETARY = "secretary", _("sekretarz")
    MEMBER = "member", _("członek / członkini")


class Membership(BaseModel):
    """A seat held by a person during a term. Birth dates are kept only for age rules, never shown."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="memberships")
    person_name = models.CharField(_("imię i nazwisko"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("konto w serwisie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="council_memberships",
    )
    role = models.CharField(
        _("funkcja"), max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    constituency = models.CharField(_("okręg wyborczy"), max_length=100, blank=True)
    school_election = models.ForeignKey(
        SchoolElection,
        verbose_name=_("wybrany(-a) w szkole"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    organisation_name = models.CharField(_("organizacja zgłaszająca"), max_length=200, blank=True)
    birth_date = models.DateField(_("data urodzenia"), null=True, blank=True)
    starts_on = models.DateField(_("od"))
    ends_on = models.DateField(_("do"), null=True, blank=True)
    end_reason = models.CharField(_("powód wygaśnięcia mandatu"), max_length=200, blank=True)

    class Meta:
        ordering = ["term", "role", "person_name"]
        verbose_name = _("członkostwo")
        verbose_name_plural = _("członkowie")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.person_name

    def is_active_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Committee(BaseModel):
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="committees")
    name = models.CharField(_("nazwa komisji"), max_length=200)
    description = models.TextField(_("zakres działania"), blank=True)
    chair = models.ForeignKey(
        Membership,
        verbose_name=_("przewodniczący(-a) komisji"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_committees",
    )
    members = models.ManyToManyField(
        Membership, verbose_name=_("członkowie komisji"), blank=True, related_name="committees"
    )

    class Meta:
        ordering = ["term", "name"]
        verbose_name = _("komisja")
        verbose_name_plural = _("komisje")
        constraints = [
            models.UniqueConstraint(fields=["term", "name"], name="committee_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("zaplanowane")
    HELD = "held", _("odbyło się")
    CANCELLED = "cancelled", _("odwołane")


class Meeting(BaseModel):
    """A session (sesja) of a council or a meeting (posiedzenie) of an advisory body."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    term = models.ForeignKey(
        Term, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("komisja"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    number = models.CharField(_("numer"), max_length=30, blank=True)
    title = models.CharField(_("tytuł"), max_length=200)
    starts_at = models.DateTimeField(_("początek"), db_index=True)
    location = models.CharField(_("miejsce"), max_length=200)
    agenda = models.TextField(_("porządek obrad"))
    status = models.CharField(
        _("stan"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("protokół"), blank=True)
    minutes_published_at = models.DateTimeField(_("protokół opublikowano"), null=True, blank=True)
    recording_url = models.URLField(_("nagranie obrad"), blank=True)
    is_public = models.BooleanField(_("posiedzenie jawne"), default=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("posiedzenie")
        verbose_name_plural = _("posiedzenia")

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})"


class MeetingDocument(BaseModel):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("tytuł dokumentu"), max_length=200)
    file = models.FileField(_("plik"), upload_to="councils/documents/%Y/%m/", blank=True)
    url = models.URLField(_("adres dokumentu"), blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("dokument posiedzenia")
        verbose_name_plural = _("dokumenty posiedzeń")
        constraints = [
            models.CheckConstraint(
                condition=~Q(file="") | ~Q(url=""), name="document_has_file_or_url"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ResolutionStatus(models.TextChoices):
    DRAFT = "draft", _("projekt")
    PUBLISHED = "published", _("podjęta i opublikowana")
    NOT_ADOPTED = "not_adopted", _("projekt nieprzyjęty")
    REPEALED = "repealed", _("uchylona")
    ANNULLED = "annulled", _("unieważniona")


PUBLIC_RESOLUTION_STATUSES = (
    ResolutionStatus.PUBLISHED,
    ResolutionStatus.REPEALED,
    ResolutionStatus.ANNULLED,
)


class Resolution(BaseModel):
    """A resolution (uchwała): a draft until adopted; the public sees it once it is published."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="resolutions")
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("posiedzenie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolutions",
    )
    number = models.CharField(
        _("numer"), max_length=50, blank=True, help_text=_("Np. „XII/123/2025”.")
    )
    adopted_on = models.DateField(_("data podjęcia"), null=True, blank=True)
    subject = models.CharField(_("w sprawie"), max_length=300)
    text = models.TextField(_("treść"))
    status = models.CharField(
        _("stan"),
        max_length=12,
        choices=ResolutionStatus.choices,
        default=ResolutionStatus.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(_("opublikowano"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status_changed_on = models.DateField(_("data zmiany stanu"), null=True, blank=True)
    status_reason = models.TextField(_("podstawa zmiany stanu"), blank=True)

    class Meta:
        ordering = ["-adopted_on", "-id"]
        verbose_name = _("uchwała")
        verbose_name_plural = _("uchwały")
        constraints = [
            models.UniqueConstraint(
                fields=["body", "number"],
                condition=~Q(number=""),
                name="resolution_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(status="not_adopted")
                | (~Q(number="") & Q(adopted_on__isnull=False)),
                name="adopted_resolution_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('projekt')} — {self.subject}"

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_RESOLUTION_STATUSES


class VoteKind(models.TextChoices):
    ROLL_CALL = "roll_call", _("jawne imienne")
    OPEN = "open", _("jawne")
    SECRET = "secret", _("tajne")


class Vote(BaseModel):
    """A vote at a meeting. Only roll-call votes keep (and publish) how each member voted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    resolution = models.ForeignKey(
        Resolution,
        verbose_name=_("uchwała"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="votes",
    )
    subject = models.CharField(_("przedmiot głosowania"), max_length=300)
    kind = models.CharField(_("rodzaj głosowania"), max_length=10, choices=VoteKind.choices)
    votes_for = models.PositiveSmallIntegerField(_("za"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("przeciw"), default=0)
    abstentions = models.PositiveSmallIntegerField(_("wstrzymało się"), default=0)
    present = models.PositiveSmallIntegerField(_("obecnych"), default=0)
    passed = models.BooleanField(_("przyjęto"), default=False)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("głosowanie")
        verbose_name_plural = _("głosowania")

    def __str__(self) -> str:
        return self.subject


class VoteChoice(models.TextChoices):
    FOR = "for", _("za")
    AGAINST = "against", _("przeciw")
    ABSTAIN = "abstain", _("wstrzymał(a) się")
    ABSENT = "absent", _("nieobecny(-a)")


class VoteRecord(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="records")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("głos"), max_length=10, choices=VoteChoice.choices)

    class Meta:
        ordering = ["vote", "membership__person_name"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "membership"], name="one_record_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.choice}"


class QuestionKind(models.TextChoices):
    QUESTION = "question", _("pytanie")
    MOTION = "motion", _("wniosek")


class QuestionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("czeka na odpowiedź")
    ANSWERED = "answered", _("udzielono odpowiedzi")
    HIDDEN = "hidden", _("ukryte przez moderatora")


class ResidentQuestion(BaseModel, ActChannel):
    """A resident's question or motion to a council, answered by a set deadline.

    Asked online, or on paper, by phone or at a counter and recorded by a clerk for the person
    (``channel``, ``keyed_by``); the answer goes back the way the person chose.
    """

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="council_questions"
    )
    kind = models.CharField(
        _("rodzaj"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.QUESTION
    )
    subject = models.CharField(_("temat"), max_length=200)
    text = models.TextField(_("treść"))
    is_public = models.BooleanField(
        _("można opublikować"),
        default=True,
        help_text=_("Treść i odpowiedź będą widoczne dla wszystkich, bez Twojego nazwiska."),
    )
    # The day the question reached the council: asked online, the day it was asked; from paper,
    # by phone or at a counter, the day it came in (the clerk keys it later). The answer
    # deadline runs from it. Empty only on questions recorded before it was kept.
    received_on = models.DateField(_("data wpływu"), null=True, blank=True)
    answer_due_on = models.DateField(_("termin odpowiedzi"))
    status = models.CharField(
        _("stan"),
        max_length=10,
        choices=QuestionStatus.choices,
        default=QuestionStatus.SUBMITTED,
        db_index=True,
    )
    answer = models.TextField(_("odpowiedź"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("data odpowiedzi"), null=True, blank=True)
    hidden_reason = models.CharField(_("powód ukrycia"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("pytanie lub wniosek mieszkańca")
        verbose_name_plural = _("pytania i wnioski mieszkańców")

    def __str__(self) -> str:
        return self.subject

    def is_overdue_on(self, day: date) -> bool:
        return self.status == QuestionStatus.SUBMITTED and day > self.answer_due_on


class OpinionPosition(models.TextChoices):
    POSITIVE = "positive", _("pozytywna")
    WITH_REMARKS = "with_remarks", _("pozytywna z uwagami")
    NEGATIVE = "negative", _("negatywna")
    NONE = "none", _("odstąpiono od opinii")


class OpinionStatus(models.TextChoices):
    REQUESTED = "requested", _("czeka na opinię")
    ADOPTED = "adopted", _("opinia przyjęta")


class Opinion(BaseModel):
    """An advisory body's opinion on a city draft (a resolution, a programme, a consultation)."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="opinions")
    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("posiedzenie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinions",
    )
    draft_title = models.CharField(_("opiniowany projekt"), max_length=300)
    draft_url = models.URLField(_("adres projektu"), blank=True)
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("konsultacje społeczne"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advisory_opinions",
    )
    consultation_url = models.CharField(
        _("konsultacje poza serwisem"),
        max_length=300,
        blank=True,
        help_text=_(
            "Tylko dla konsultacji prowadzonych poza serwisem: pełny adres https:// ich strony."
        ),
    )
    requested_by = models.CharField(_("kto prosi o opinię"), max_length=200, blank=True)
    requested_on = models.DateField(_("data wpływu"))
    due_on = models.DateField(_("termin wydania opinii"), null=True, blank=True)
    status = models.CharField(
        _("stan"), max_length=10, choices=OpinionStatus.choices, default=OpinionStatus.REQUESTED
    )
    position = models.CharField(
        _("stanowisko"), max_length=15, choices=OpinionPosition.choices, blank=True
    )
    text = models.TextField(_("treść opinii"), blank=True)
    adopted_on = models.DateField(_("data przyjęcia"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("opinia")
        verbose_name_plural = _("opinie")

    def __str__(self) -> str:
        return self.draft_title


class SchoolElectionVote(BaseModel):
    """A school's election to the Youth Council held by single-use class codes (the schools
    app's ``CodeBox``): the candidates (public: they stand for a public body), the seats, and —
    once closed — the lot drawn for ties and the recorded ``SchoolElection``."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="school_votes")
    school_name = models.CharField(_("szkoła"), max_length=200)
    box = models.OneToOneField(
        "schools.CodeBox", on_delete=models.PROTECT, related_name="school_election_vote"
    )
    candidates = models.JSONField(_("kandydaci"), default=list)
    seats = models.PositiveSmallIntegerField(
        _("liczba mandatów"), default=1, validators=[MinValueValidator(1)]
    )
    lot = models.JSONField(_("kolejność losowania przy remisie"), default=list, blank=True)
    tally = models.JSONField(_("wyniki"), default=list, blank=True)
    election = models.OneToOneField(
        SchoolElection,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="code_vote",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("głosowanie kodami w szkole")
        verbose_name_plural = _("głosowania kodami w szkołach")

    def __str__(self) -> str:
        return self.school_name
