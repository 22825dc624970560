"""Participatory budget (budżet obywatelski): editions and their phases, pools, projects.

Part 1 covers an idea's way to the ballot: submission with versions, supporters, verification
with reviews per city unit, corrections, merging, appeals and the final list. Part 2 (voting,
counting, results, implementation) adds its own models pointing at ``Edition``, ``Pool`` and
``Project`` and its statuses to ``ProjectStatus`` and ``TRANSITIONS``; nothing here needs
reshaping for it. The rules that vary by year are fields of ``Edition`` with Kraków's defaults.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import BaseModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class Phase(models.TextChoices):
    """The dated phases of an edition, in order. They may overlap (supporters during submission)."""

    SUBMISSION = "submission", _("zgłaszanie projektów")
    SUPPORT = "support", _("zbieranie poparcia")
    VERIFICATION = "verification", _("weryfikacja projektów")
    APPEALS = "appeals", _("odwołania")
    FINAL_LIST = "final_list", _("lista projektów do głosowania")
    VOTING = "voting", _("głosowanie")
    RESULTS = "results", _("ogłoszenie wyników")
    IMPLEMENTATION = "implementation", _("realizacja")


PHASE_ORDER: list[str] = list(Phase.values)


class Edition(BaseModel):
    """One yearly edition of the participatory budget, with its rules and dated phases."""

    city = models.ForeignKey(
        "territory.City", verbose_name=_("miasto"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("rok"))
    number = models.PositiveSmallIntegerField(_("numer edycji"), null=True, blank=True)
    name = models.CharField(_("nazwa"), max_length=200)
    total_budget = models.DecimalField(_("łączna kwota (zł)"), **MONEY)
    is_published = models.BooleanField(_("opublikowana"), default=False)
    coordinating_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka koordynująca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Jej urzędnicy prowadzą weryfikację i odwołania; bez niej — każdy urzędnik."),
    )
    # Rules that vary by year (Kraków's defaults; see DOMAIN.md).
    supporters_required = models.PositiveSmallIntegerField(_("wymagana liczba poparć"), default=15)
    support_days = models.PositiveSmallIntegerField(_("dni na zebranie poparcia"), default=10)
    supporters_from_district = models.BooleanField(
        _("projekty dzielnicowe popierają mieszkańcy dzielnicy"), default=True
    )
    short_description_min = models.PositiveSmallIntegerField(
        _("krótki opis: najmniej znaków"), default=60
    )
    short_description_max = models.PositiveSmallIntegerField(
        _("krótki opis: najwięcej znaków"), default=250
    )
    appeal_days = models.PositiveSmallIntegerField(_("dni na odwołanie"), default=10)
    correction_days = models.PositiveSmallIntegerField(_("domyślne dni na poprawki"), default=7)
    upkeep_years = models.PositiveSmallIntegerField(_("lata utrzymania do oceny"), default=5)
    max_attachments = models.PositiveSmallIntegerField(_("najwięcej załączników"), default=10)
    max_attachment_mb = models.PositiveSmallIntegerField(_("największy załącznik (MB)"), default=10)
    withdrawal_deadline = models.DateTimeField(_("wycofanie projektu do"), null=True, blank=True)
    final_list_published_at = models.DateTimeField(
        _("lista do głosowania ogłoszona"), null=True, blank=True
    )
    categories = models.JSONField(
        _("kategorie projektów"),
        default=list,
        blank=True,
        help_text=_("Puste: wszystkie kategorie."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("edycja budżetu obywatelskiego")
        verbose_name_plural = _("edycje budżetu obywatelskiego")
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="budget_edition_unique_year"),
            models.CheckConstraint(
                condition=Q(short_description_min__lte=models.F("short_description_max")),
                name="budget_edition_short_description_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def phase_window(self, kind: str) -> tuple[datetime, datetime] | None:
        """Start and end of a phase; reads the prefetched ``phases`` when they are loaded."""
        for phase in self.phases.all():
            if phase.kind == kind:
                return phase.starts_at, phase.ends_at
        return None

    def phase_is_open(self, kind: str, at: datetime) -> bool:
        window = self.phase_window(kind)
        return window is not None and window[0] <= at < window[1]

    def phase_has_started(self, kind: str, at: datetime) -> bool:
        window = self.phase_window(kind)
        return window is not None and window[0] <= at

    def offered_categories(self) -> list[tuple[str, str]]:
        """The categories projects may choose in this edition (all when none are set)."""
        chosen = set(self.categories or [])
        return [
            (value, label) for value, label in Category.choices if not chosen or value in chosen
        ]

    def current_phases(self, at: datetime) -> list[EditionPhase]:
        return [p for p in self.phases.all() if p.starts_at <= at < p.ends_at]


class EditionPhase(BaseModel):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("etap"), max_length=20, choices=Phase.choices)
    starts_at = models.DateTimeField(_("początek"))
    ends_at = models.DateTimeField(_("koniec"))

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("etap edycji")
        verbose_name_plural = _("etapy edycji")
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="budget_phase_unique_kind"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="budget_phase_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition}: {self.get_kind_display()}"


class PoolKind(models.TextChoices):
    CITYWIDE = "citywide", _("ogólnomiejska")
    DISTRICT = "district", _("dzielnicowa")


class Pool(BaseModel):
    """The money for one area: the whole city or one district, with per-project cost limits."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="pools")
    kind = models.CharField(_("rodzaj puli"), max_length=10, choices=PoolKind.choices)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget = models.DecimalField(_("kwota puli (zł)"), **MONEY)
    min_project_cost = models.DecimalField(
        _("najniższy koszt projektu (zł)"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    max_project_cost = models.DecimalField(_("najwyższy koszt projektu (zł)"), **MONEY)

    class Meta:
        ordering = ["edition", "kind", "district__number"]
        verbose_name = _("pula")
        verbose_name_plural = _("pule")
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="district") & Q(district__isnull=False))
                | (Q(kind="citywide") & Q(district__isnull=True)),
                name="budget_pool_district_matches_kind",
            ),
            models.UniqueConstraint(
                fields=["edition", "district"],
                condition=Q(district__isnull=False),
                name="budget_pool_one_per_district",
            ),
            models.UniqueConstraint(
                fields=["edition"],
                condition=Q(kind="citywide"),
                name="budget_pool_one_citywide",
            ),
            models.CheckConstraint(
                condition=Q(min_project_cost__lte=models.F("max_project_cost")),
                name="budget_pool_cost_range",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.district is not None:
            return self.district.full_name
        return gettext("Pula ogólnomiejska")

    @property
    def number_prefix(self) -> str:
        """Kraków's project numbers: BO.OM.12/25 (citywide), BO.D16.5/25 (district XVI)."""
        return "OM" if self.district is None else f"D{self.district.number}"


class Category(models.TextChoices):
    """Project categories as Kraków (and Pabulib's Kraków files) use them."""

    CULTURE = "culture", _("kultura")
    EDUCATION = "education", _("edukacja")
    ENVIRONMENT = "environment", _("ochrona środowiska i zieleń")
    HEALTH = "health", _("zdrowie")
    INFRASTRUCTURE = "infrastructure", _("infrastruktura")
    BICYCLE = "bicycle", _("infrastruktura rowerowa")
    SECURITY = "security", _("bezpieczeństwo")
    SOCIETY = "society", _("sprawy społeczne")
    SPORT = "sport", _("sport i rekreacja")


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("szkic")
    SUBMITTED = "submitted", _("zgłoszony, zbiera poparcie")
    IN_VERIFICATION = "in_verification", _("w weryfikacji")
    CORRECTION_REQUESTED = "correction_requested", _("wezwany do poprawek")
    VERIFIED_POSITIVE = "verified_positive", _("zweryfikowany pozytywnie")
    VERIFIED_NEGATIVE = "verified_negative", _("zweryfikowany negatywnie")
    APPEALED = "appealed", _("odwołanie w toku")
    ON_BALLOT = "on_ballot", _("na liście do głosowania")
    WITHDRAWN = "withdrawn", _("wycofany przez autora")
    MERGED = "merged", _("połączony z innym projektem")


S = ProjectStatus
# The status machine: every change goes through services.project_transition, which checks this.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.IN_VERIFICATION, S.WITHDRAWN, S.MERGED}),
    S.IN_VERIFICATION: frozenset(
        {S.CORRECTION_REQUESTED, S.VERIFIED_POSITIVE, S.VERIFIED_NEGATIVE, S.WITHDRAWN, S.MERGED}
    ),
    S.CORRECTION_REQUESTED: frozenset(
        {S.IN_VERIFICATION, S.VERIFIED_NEGATIVE, S.WITHDRAWN, S.MERGED}
    ),
    S.VERIFIED_POSITIVE: frozenset({S.ON_BALLOT, S.WITHDRAWN, S.MERGED}),
    S.VERIFIED_NEGATIVE: frozenset({S.APPEALED, S.WITHDRAWN}),
    S.APPEALED: frozenset({S.VERIFIED_POSITIVE, S.VERIFIED_NEGATIVE, S.WITHDRAWN}),
    S.ON_BALLOT: frozenset({S.WITHDRAWN}),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
}
# Statuses in which a project is still being decided (verification or appeal pending).
OPEN_CASE_STATUSES = frozenset({S.SUBMITTED, S.IN_VERIFICATION, S.CORRECTION_REQUESTED, S.APPEALED})


class Project(BaseModel):
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="projects")
    pool = models.ForeignKey(
        Pool, verbose_name=_("pula"), on_delete=models.PROTECT, related_name="projects"
    )
    number = models.CharField(_("numer"), max_length=30, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("autor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="budget_projects",
    )
    author_display_name = models.CharField(
        _("autor (do publikacji)"),
        max_length=150,
        blank=True,
        help_text=_("Puste: autor nie zgodził się na publikację nazwiska."),
    )
    author_is_minor = models.BooleanField(_("autor jest niepełnoletni"), default=False)
    guardian_name = models.CharField(_("opiekun prawny"), max_length=150, blank=True)
    guardian_consent = models.BooleanField(_("zgoda opiekuna"), default=False)
    data_protection_accepted_at = models.DateTimeField(null=True, blank=True)

    title = models.CharField(_("tytuł"), max_length=200)
    short_description = models.CharField(_("krótki opis"), max_length=1000, blank=True)
    description = models.TextField(_("opis"), blank=True)
    category = models.CharField(_("kategoria"), max_length=20, choices=Category.choices, blank=True)
    address = models.CharField(_("lokalizacja (adres, działka)"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("szerokość geograficzna"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("długość geograficzna"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    location_district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost = models.DecimalField(_("koszt według autora (zł)"), **MONEY, default=Decimal("0"))
    verified_cost = models.DecimalField(
        _("koszt po weryfikacji (zł)"), **MONEY, null=True, blank=True
    )

    status = models.CharField(
        _("stan"), max_length=24, choices=ProjectStatus.choices, default=S.DRAFT
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(_("zgłoszono"), null=True, blank=True)
    support_deadline = models.DateTimeField(_("poparcie do"), null=True, blank=True)
    supporters_count = models.PositiveIntegerField(_("liczba poparć"), default=0)
    supporters_complete_at = models.DateTimeField(null=True, blank=True)

    verification_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka prowadząca weryfikację"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urzędnik prowadzący"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verification_reasons = models.TextField(_("uzasadnienie wyniku weryfikacji"), blank=True)
    verified_at = models.DateTimeField(_("wynik weryfikacji ogłoszono"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(_("powód wycofania"), blank=True)
    version = models.PositiveIntegerField(_("wersja"), default=0)
    # Lower-case text without diacritics (ł → l too), kept by services for search on any database.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["edition", "pool", "sequence", "id"]
        verbose_name = _("projekt")
        verbose_name_plural = _("projekty")
        indexes = [
            models.Index(fields=["edition", "status"], name="budget_project_edition_status"),
            models.Index(fields=["pool", "status"], name="budget_project_pool_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "number"],
                condition=~Q(number=""),
                name="budget_project_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0), name="budget_project_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title

    @property
    def effective_cost(self) -> Decimal:
        return self.verified_cost if self.verified_cost is not None else self.cost

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_public(self) -> bool:
        return self.status != S.DRAFT


class CostItem(BaseModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cost_items")
    position = models.PositiveSmallIntegerField(_("lp."))
    name = models.CharField(_("pozycja kosztorysu"), max_length=200)
    amount = models.DecimalField(
        _("kwota (zł)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["project", "position"]
        verbose_name = _("pozycja kosztorysu")
        verbose_name_plural = _("kosztorys")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "position"], name="budget_cost_item_position"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_cost_item_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}: {self.amount}"


class ProjectVersion(BaseModel):
    """A copy of the project's content at every save; kept for good and shown on the project page."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("wersja"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_draft = models.BooleanField(_("wersja robocza"), default=True)
    note = models.CharField(_("uwagi"), max_length=200, blank=True)
    title = models.CharField(_("tytuł"), max_length=200)
    short_description = models.CharField(_("krótki opis"), max_length=1000, blank=True)
    description = models.TextField(_("opis"), blank=True)
    category = models.CharField(_("kategoria"), max_length=20, choices=Category.choices, blank=True)
    address = models.CharField(_("lokalizacja"), max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    cost = models.DecimalField(_("koszt (zł)"), **MONEY, default=Decimal("0"))
    cost_items = models.JSONField(_("kosztorys"), default=list)
    attachments = models.JSONField(_("załączniki"), default=list)

    class Meta:
        ordering = ["project", "number"]
        verbose_name = _("wersja projektu")
        verbose_name_plural = _("wersje projektu")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="budget_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.project} v{self.number}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"budget/{instance.project.edition.year}/{instance.project_id}/{filename}"


class Attachment(BaseModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("plik"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("nazwa pliku"), max_length=200)
    description = models.CharField(_("opis załącznika"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("rozmiar (bajty)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("załącznik")
        verbose_name_plural = _("załączniki")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class SupportCheck(models.TextChoices):
    PENDING = "pending", _("do sprawdzenia")
    CONFIRMED = "confirmed", _("potwierdzone")
    REJECTED = "rejected", _("odrzucone")


class Support(BaseModel):
    """One signed-in resident's online support for a project (one per person and project)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_supports"
    )
    # Where the supporter lives, as they gave it: the district is found from the point in the
    # district boundaries, never taken from the profile (issue 16).
    address = models.CharField(_("adres zamieszkania"), max_length=300, blank=True)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica zamieszkania"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_by = models.CharField(_("potwierdzenie osoby"), max_length=10, blank=True)
    # Where the city requires a verified identity (``BUDGET_SUPPORT_REQUIRES = "identity"``), the
    # supporter gives their name and date of birth; the unit verifying the project checks them
    # against the register of residents and confirms or rejects the support, which counts only
    # once confirmed (issue 16). Under "phone" the check is empty and the support counts at once.
    full_name = models.CharField(_("imię i nazwisko"), max_length=150, blank=True)
    birth_date = models.DateField(_("data urodzenia"), null=True, blank=True)
    identity_check = models.CharField(
        _("sprawdzenie tożsamości"), max_length=10, choices=SupportCheck.choices, blank=True
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("sprawdzono"), null=True, blank=True)
    check_note = models.CharField(_("uwagi ze sprawdzenia"), max_length=300, blank=True)

    class Meta:
        ordering = ["project", "created_at"]
        verbose_name = _("poparcie")
        verbose_name_plural = _("poparcia")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="budget_support_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.project_id}"


class PaperSupportList(BaseModel):
    """A paper supporter list received by the office; only the count of valid signatures is kept."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="paper_lists")
    received_on = models.DateField(_("data wpływu"))
    signatures_valid = models.PositiveSmallIntegerField(_("ważne podpisy"))
    signatures_rejected = models.PositiveSmallIntegerField(_("podpisy nieważne"), default=0)
    note = models.CharField(_("uwagi"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project", "received_on", "id"]
        verbose_name = _("papierowa lista poparcia")
        verbose_name_plural = _("papierowe listy poparcia")

    def __str__(self) -> str:
        return f"{self.project} ({self.received_on}: {self.signatures_valid})"


class ReviewStage(models.TextChoices):
    FORMAL = "formal", _("ocena formalna")
    MERIT = "merit", _("ocena merytoryczna")


class ReviewResult(models.TextChoices):
    PENDING = "pending", _("w toku")
    PASSED = "passed", _("pozytywna")
    FAILED = "failed", _("negatywna")


FORMAL_CHECKLIST: list[tuple[str, object]] = [
    ("complete", _("formularz jest kompletny")),
    ("short_description", _("krótki opis ma dopuszczalną długość")),
    ("supporters", _("projekt ma wymaganą liczbę poparć w terminie")),
    ("location", _("lokalizacja leży na obszarze puli")),
    ("cost_limits", _("koszt mieści się w limitach puli")),
    ("data_protection", _("klauzula ochrony danych jest zaakceptowana")),
]
MERIT_CHECKLIST: list[tuple[str, object]] = [
    ("legality", _("projekt jest zgodny z prawem i zadaniami gminy")),
    ("feasibility", _("projekt jest wykonalny w ciągu roku budżetowego")),
    ("city_land", _("teren jest własnością miasta lub miasto nim dysponuje")),
    ("cost", _("koszt jest oszacowany realnie")),
    ("upkeep", _("koszt utrzymania w kolejnych latach jest do przyjęcia")),
]
CHECKLISTS = {ReviewStage.FORMAL: FORMAL_CHECKLIST, ReviewStage.MERIT: MERIT_CHECKLIST}


class Review(BaseModel):
    """One city unit's formal or merit check of a project, with its checklist."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reviews")
    stage = models.CharField(_("etap oceny"), max_length=10, choices=ReviewStage.choices)
    city_unit = models.ForeignKey(
        "accounts.CityUnit", verbose_name=_("jednostka"), on_delete=models.PROTECT, related_name="+"
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("urzędnik"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_reviews",
    )
    checklist = models.JSONField(_("lista kontrolna"), default=dict)
    notes = models.TextField(_("uwagi"), blank=True)
    result = models.CharField(
        _("wynik"), max_length=10, choices=ReviewResult.choices, default=ReviewResult.PENDING
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["project", "stage", "id"]
        verbose_name = _("ocena projektu")
        verbose_name_plural = _("oceny projektów")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stage", "city_unit"], name="budget_review_once_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project}: {self.get_stage_display()} ({self.city_unit.code})"

    def checklist_items(self) -> list[tuple[str, object, bool]]:
        return [
            (key, label, bool(self.checklist.get(key)))
            for key, label in CHECKLISTS[ReviewStage(self.stage)]
        ]


class CorrectionRequest(BaseModel):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="correction_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField(_("co poprawić"))
    deadline = models.DateTimeField(_("termin"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_version = models.ForeignKey(
        ProjectVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project", "created_at"]
        verbose_name = _("wezwanie do poprawek")
        verbose_name_plural = _("wezwania do poprawek")

    def __str__(self) -> str:
        return f"{self.project}: {self.deadline:%Y-%m-%d}"


class MergeProposal(BaseModel):
    """Officials propose to merge ``source`` into ``target``; both authors must consent."""

    source = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="merge_proposals_as_source"
    )
    target = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="merge_proposals_as_target"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("uzasadnienie"))
    source_consent = models.BooleanField(null=True, blank=True)
    target_consent = models.BooleanField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("propozycja połączenia projektów")
        verbose_name_plural = _("propozycje połączenia projektów")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="budget_merge_two_projects"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"

    @property
    def is_declined(self) -> bool:
        return self.source_consent is False or self.target_consent is False

    @property
    def is_pending(self) -> bool:
        return self.completed_at is None and not self.is_declined


class Recommendation(models.TextChoices):
    UPHOLD = "uphold", _("uwzględnić odwołanie")
    REJECT = "reject", _("nie uwzględniać odwołania")


class AppealDecision(models.TextChoices):
    ACCEPTED = "accepted", _("odwołanie uwzględnione: projekt wraca na listę")
    REJECTED = "rejected", _("odwołanie nieuwzględnione")


class Appeal(BaseModel):
    """The author's protest against a negative verification, the Council's view, the Mayor's decision."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="appeal")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    justification = models.TextField(_("uzasadnienie odwołania"))
    council_meeting_on = models.DateField(
        _("posiedzenie Rady Budżetu Obywatelskiego"), null=True, blank=True
    )
    council_recommendation = models.CharField(
        _("rekomendacja Rady"), max_length=10, choices=Recommendation.choices, blank=True
    )
    council_reasons = models.TextField(_("uzasadnienie rekomendacji"), blank=True)
    decision = models.CharField(
        _("decyzja Prezydenta"), max_length=10, choices=AppealDecision.choices, blank=True
    )
    decision_reasons = models.TextField(_("uzasadnienie decyzji"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("odwołanie")
        verbose_name_plural = _("odwołania")

    def __str__(self) -> str:
        return f"{self.project}"


class ProjectFollow(BaseModel):
    """A resident who follows a project hears of each step of its life (the resident's thread)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget_follows"
    )

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("obserwowanie projektu")
        verbose_name_plural = _("obserwowane projekty")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="budget_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.project_id}"
