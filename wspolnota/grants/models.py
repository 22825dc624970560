"""Grants: programmes (call templates with legal limits), calls, applications, evaluation by a
commission, awards, agreements with payment tranches, and reports that settle them.

Money is Decimal (PLN with grosze). A programme copies the limits of its legal frame
(``limits.LEGAL_FRAMES``) and may only tighten them; a call freezes its own copy of the rubric.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import ActChannel, BaseModel
from wspolnota.organisations.models import PublicBenefitArea

ZERO = Decimal("0.00")


def money(verbose_name: str | object, **kwargs: object) -> models.DecimalField[Decimal]:
    options: dict[str, object] = {
        "max_digits": 12,
        "decimal_places": 2,
        "validators": [MinValueValidator(ZERO)],
    }
    options.update(kwargs)
    return models.DecimalField(verbose_name, **options)  # type: ignore[arg-type]


class ProgrammeKind(models.TextChoices):
    MICRO_GRANT = "micro_grant", _("mikrogranty")
    LOCAL_INITIATIVE = "local_initiative", _("inicjatywa lokalna")
    SMALL_GRANT = "small_grant", _("małe granty (art. 19a)")
    OPEN_COMPETITION = "open_competition", _("otwarty konkurs ofert")


class FormVariant(models.TextChoices):
    SHORT = "short", _("krótki formularz")
    SIMPLIFIED = "simplified", _("uproszczona oferta")
    FULL = "full", _("pełna oferta")
    LOCAL_INITIATIVE = "local_initiative", _("wniosek o inicjatywę lokalną")


class Programme(BaseModel):
    """A configurable call template. Limits left empty do not apply; the legal frame of the kind
    is the outer bound that no programme may loosen (see ``limits.programme_problems``)."""

    kind = models.CharField(_("rodzaj programu"), max_length=30, choices=ProgrammeKind)
    name = models.CharField(_("nazwa"), max_length=200)
    description = models.TextField(_("opis"), blank=True)
    legal_basis = models.CharField(_("podstawa prawna"), max_length=300, blank=True)
    form_variant = models.CharField(_("formularz"), max_length=30, choices=FormVariant)
    min_amount = money(_("najmniejsza kwota wsparcia"), null=True, blank=True)
    max_amount = money(_("największa kwota wsparcia"), null=True, blank=True)
    max_duration_days = models.PositiveIntegerField(
        _("najdłuższy czas realizacji (dni)"), null=True, blank=True
    )
    yearly_cap_per_applicant = money(
        _("limit roczny na jednego wnioskodawcę"), null=True, blank=True
    )
    min_lead_days = models.PositiveIntegerField(
        _("złożenie co najmniej tyle dni przed rozpoczęciem"), null=True, blank=True
    )
    remarks_days = models.PositiveIntegerField(_("publikacja do uwag (dni)"), null=True, blank=True)
    min_announcement_days = models.PositiveIntegerField(
        _("ogłoszenie co najmniej tyle dni przed terminem"), null=True, blank=True
    )
    allow_ngo = models.BooleanField(_("mogą składać organizacje pozarządowe"), default=True)
    allow_informal_group = models.BooleanField(_("mogą składać grupy nieformalne"), default=False)
    allow_individual = models.BooleanField(_("mogą składać osoby fizyczne"), default=False)
    individual_min_age = models.PositiveSmallIntegerField(
        _("najmłodszy wiek osoby fizycznej"), null=True, blank=True
    )
    individual_max_age = models.PositiveSmallIntegerField(
        _("najstarszy wiek osoby fizycznej"), null=True, blank=True
    )
    individual_needs_guardian = models.BooleanField(
        _("osoba fizyczna wskazuje pełnoletniego opiekuna"), default=False
    )
    in_kind_only = models.BooleanField(_("wsparcie tylko rzeczowe (bez przelewów)"), default=False)
    regranting_operator = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("operator regrantingu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "Zweryfikowana organizacja pozarządowa, przez którą idą umowy i wypłaty dla grup "
            "nieformalnych i osób niepełnoletnich (art. 16a ustawy)."
        ),
    )
    requires_own_contribution = models.BooleanField(_("wymagany wkład własny"), default=False)
    min_own_contribution_percent = models.DecimalField(
        _("najmniejszy wkład własny (% kosztów)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    volunteer_hour_rate_max = money(
        _("najwyższa wycena godziny pracy wolontariusza"), null=True, blank=True
    )
    commission_required = models.BooleanField(_("ocena przez komisję"), default=True)
    min_assessors = models.PositiveSmallIntegerField(
        _("najmniej ocen na wniosek"), default=2, validators=[MinValueValidator(1)]
    )
    pass_score = models.DecimalField(
        _("próg punktowy"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rolling = models.BooleanField(_("nabór ciągły do wyczerpania środków"), default=False)
    cost_tolerance_percent = models.DecimalField(
        _("dopuszczalne zwiększenie pozycji kosztorysu (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10.00"),
    )
    is_active = models.BooleanField(_("aktywny"), default=True)
    city_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka prowadząca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Program zmieniają tylko urzędnicy tej jednostki."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("program")
        verbose_name_plural = _("programy")

    def __str__(self) -> str:
        return self.name


class CriterionGroup(models.TextChoices):
    GENERAL = "general", _("ogólne")
    PURPOSE = "purpose", _("celowość i użyteczność")
    CONTRIBUTION = "contribution", _("wkład mieszkańców")
    OTHER = "other", _("inne")


class Criterion(BaseModel):
    """One line of a rubric: of a programme (the template) or of a call (its frozen copy)."""

    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    call = models.ForeignKey(
        "Call", null=True, blank=True, on_delete=models.CASCADE, related_name="criteria"
    )
    position = models.PositiveSmallIntegerField(_("kolejność"), default=1)
    group = models.CharField(
        _("grupa kryteriów"), max_length=20, choices=CriterionGroup, default=CriterionGroup.GENERAL
    )
    name = models.CharField(_("kryterium"), max_length=200)
    description = models.TextField(_("opis"), blank=True)
    max_points = models.DecimalField(
        _("najwięcej punktów"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("kryterium oceny")
        verbose_name_plural = _("kryteria oceny")
        constraints = [
            models.CheckConstraint(
                condition=Q(programme__isnull=True, call__isnull=False)
                | Q(programme__isnull=False, call__isnull=True),
                name="criterion_of_programme_or_call",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("projekt")
    PUBLISHED = "published", _("ogłoszony")
    CLOSED = "closed", _("zamknięty — ocena wniosków")
    RESULTS = "results", _("wyniki ogłoszone")
    ARCHIVED = "archived", _("zarchiwizowany")


class Call(BaseModel):
    """One call for applications (nabór, konkurs) run under a programme with a pool of money."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("program"), on_delete=models.PROTECT, related_name="calls"
    )
    title = models.CharField(_("tytuł"), max_length=200)
    description = models.TextField(_("opis"), blank=True)
    year = models.PositiveSmallIntegerField(_("rok budżetowy"))
    pool_amount = money(_("pula środków"))
    city_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka prowadząca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opens_at = models.DateTimeField(_("początek naboru"))
    closes_at = models.DateTimeField(_("termin składania wniosków"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus, default=CallStatus.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("ogłoszono"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("wyniki ogłoszono"), null=True, blank=True)
    rules = models.JSONField(
        _("zasady naboru zamrożone przy ogłoszeniu"), default=dict, blank=True, editable=False
    )
    version = models.PositiveSmallIntegerField(_("wersja ogłoszenia"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("nabór")
        verbose_name_plural = _("nabory")

    def __str__(self) -> str:
        return self.title

    @cached_property
    def terms(self) -> Programme:
        """The rules applicants rely on: the snapshot frozen when the call was published (and
        changed only by an announced amendment), or the programme's live rules for a draft.
        An unsaved ``Programme`` so every check reads the same attribute names."""
        if not self.rules:
            return self.programme
        return programme_from_rules(self.programme, self.rules)


# The programme fields a call freezes when it is published: limits, eligibility, scoring, pass
# mark, form and documents. Its name, description and activity are not rules.
RULE_FIELDS = (
    "legal_basis",
    "form_variant",
    "min_amount",
    "max_amount",
    "max_duration_days",
    "yearly_cap_per_applicant",
    "min_lead_days",
    "remarks_days",
    "min_announcement_days",
    "allow_ngo",
    "allow_informal_group",
    "allow_individual",
    "individual_min_age",
    "individual_max_age",
    "individual_needs_guardian",
    "in_kind_only",
    "regranting_operator",
    "requires_own_contribution",
    "min_own_contribution_percent",
    "volunteer_hour_rate_max",
    "commission_required",
    "min_assessors",
    "pass_score",
    "rolling",
    "cost_tolerance_percent",
)
DECIMAL_RULES = frozenset(
    name for name in RULE_FIELDS if isinstance(Programme._meta.get_field(name), models.DecimalField)
)
# Rules that name another record: frozen as its primary key (the operator of art. 16a).
FOREIGN_RULES = frozenset(
    name for name in RULE_FIELDS if isinstance(Programme._meta.get_field(name), models.ForeignKey)
)


def rules_of(programme: Programme) -> dict[str, Any]:
    """A JSON-safe copy of a programme's rules (money and percentages as exact strings)."""
    data: dict[str, Any] = {"kind": programme.kind}
    for name in RULE_FIELDS:
        if name in FOREIGN_RULES:
            data[name] = getattr(programme, f"{name}_id")
            continue
        value = getattr(programme, name)
        data[name] = str(value) if isinstance(value, Decimal) else value
    return data


def programme_from_rules(programme: Programme, rules: dict[str, Any]) -> Programme:
    values: dict[str, Any] = {}
    for name in RULE_FIELDS:
        if name in FOREIGN_RULES:
            values[f"{name}_id"] = rules.get(name, getattr(programme, f"{name}_id"))
            continue
        if name not in rules:
            values[name] = getattr(programme, name)
            continue
        value = rules[name]
        values[name] = Decimal(value) if name in DECIMAL_RULES and value is not None else value
    frozen = Programme(
        kind=programme.kind,
        name=programme.name,
        description=programme.description,
        city_unit_id=programme.city_unit_id,
        created_by_id=programme.created_by_id,
        **values,
    )
    frozen.id = programme.pk  # same identity for display and links; never saved
    frozen._state.adding = False
    return frozen


class CallVersion(BaseModel):
    """One announced version of a call's rules: version 1 at publication, then one per
    amendment, each with its reason. Old versions stay public."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("wersja"))
    rules = models.JSONField(_("zasady"))
    criteria = models.JSONField(_("kryteria oceny"), default=list)
    pool_amount = money(_("pula środków"))
    closes_at = models.DateTimeField(_("termin składania wniosków"), null=True, blank=True)
    reason = models.TextField(_("powód zmiany"), blank=True)
    changes = models.JSONField(_("zmiany"), default=dict, blank=True)
    announced_at = models.DateTimeField(_("ogłoszono"))
    announced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["call", "number"]
        verbose_name = _("wersja ogłoszenia naboru")
        verbose_name_plural = _("wersje ogłoszenia naboru")
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="call_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} v{self.number}"


class RuleSource(models.TextChoices):
    STATUTE = "statute", _("ustawa")
    CITY = "city", _("zasady miasta")


class RuleKey(models.TextChoices):
    SMALL_GRANT_MAX_AMOUNT = "small_grant.max_amount", _("małe granty: największa kwota")
    SMALL_GRANT_MAX_DAYS = "small_grant.max_days", _("małe granty: najdłuższy czas realizacji")
    SMALL_GRANT_SHARE_PERCENT = (
        "small_grant.share_percent",
        _("małe granty: największy udział w dotacjach planowanych na rok (%)"),
    )
    SMALL_GRANT_PUBLICATION_WORKING_DAYS = (
        "small_grant.publication_working_days",
        _("małe granty: publikacja oferty w dniach roboczych od wpłynięcia"),
    )
    SMALL_GRANT_REMARKS_DAYS = (
        "small_grant.remarks_days",
        _("małe granty: dni publikacji oferty do uwag"),
    )
    SMALL_GRANT_CITY_YEARLY_CAP = (
        "small_grant.city_yearly_cap",
        _("małe granty: limit roczny na organizację (zasady miasta)"),
    )
    SMALL_GRANT_CITY_LEAD_DAYS = (
        "small_grant.city_lead_days",
        _("małe granty: złożenie przed rozpoczęciem (zasady miasta)"),
    )
    COMPETITION_ANNOUNCEMENT_DAYS = (
        "open_competition.announcement_days",
        _("konkurs: ogłoszenie przed terminem składania ofert"),
    )
    LOCAL_INITIATIVE_PASS_SCORE = (
        "local_initiative.pass_score",
        _("inicjatywa lokalna: próg punktowy"),
    )
    LOCAL_INITIATIVE_PURPOSE_POINTS = (
        "local_initiative.purpose_points",
        _("inicjatywa lokalna: punkty za celowość"),
    )
    LOCAL_INITIATIVE_CONTRIBUTION_POINTS = (
        "local_initiative.contribution_points",
        _("inicjatywa lokalna: punkty za wkład mieszkańców"),
    )
    LOCAL_INITIATIVE_OTHER_POINTS = (
        "local_initiative.other_points",
        _("inicjatywa lokalna: punkty za inne kryteria"),
    )
    CORRECTION_DAYS = (
        "application.correction_days",
        _("uzupełnienie braków formalnych: dni (zasady miasta)"),
    )
    RETURN_DAYS = (
        "agreement.return_days",
        _("zwrot niewykorzystanych środków: dni od końca realizacji"),
    )
    AMENDMENT_MIN_DAYS_LEFT = (
        "call.amendment_min_days_left",
        _("zmiana ogłoszenia: najmniej dni do terminu po zmianie (zasady miasta)"),
    )


class LegalRule(BaseModel):
    """A dated limit: of the statute (with its legal basis) or of the city's own rules. A new act
    is a new row with the date it takes effect — a data change, not a release. A row without
    ``effective_from`` holds the text as known from the start (the consolidated text)."""

    key = models.CharField(_("zasada"), max_length=60, choices=RuleKey)
    value = models.DecimalField(_("wartość"), max_digits=12, decimal_places=2)
    source = models.CharField(_("źródło"), max_length=10, choices=RuleSource)
    legal_basis = models.CharField(_("podstawa"), max_length=300)
    effective_from = models.DateField(_("obowiązuje od"), null=True, blank=True)

    class Meta:
        ordering = ["key", "effective_from"]
        verbose_name = _("zasada z datą obowiązywania")
        verbose_name_plural = _("zasady z datami obowiązywania")
        constraints = [
            models.UniqueConstraint(fields=["key", "effective_from"], name="legal_rule_once"),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(effective_from__isnull=True),
                name="legal_rule_base_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} ({self.legal_basis})"


class YearlyGrantPlan(BaseModel):
    """The grants to NGOs for public tasks planned in one budget year: the base of the ceiling
    on the share of small grants (art. 19a ust. 1a)."""

    year = models.PositiveSmallIntegerField(_("rok budżetowy"), unique=True)
    planned_ngo_grants = money(_("dotacje planowane na zadania publiczne organizacji"))
    basis = models.CharField(_("źródło kwoty (uchwała budżetowa)"), max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year"]
        verbose_name = _("plan dotacji na rok")
        verbose_name_plural = _("plany dotacji na lata")

    def __str__(self) -> str:
        return f"{self.year}: {self.planned_ngo_grants}"


class CommissionRole(models.TextChoices):
    CHAIR = "chair", _("przewodniczący")
    MEMBER = "member", _("członek")


class CommissionMember(BaseModel):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="commission")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="grant_commissions"
    )
    role = models.CharField(
        _("funkcja w komisji"), max_length=10, choices=CommissionRole, default=CommissionRole.MEMBER
    )
    nominated_by = models.CharField(
        _("kto wskazał (art. 15 ust. 2a ustawy)"),
        max_length=300,
        blank=True,
        help_text=_("Np. Prezydent Miasta albo organizacja pozarządowa, która wskazała tę osobę."),
    )
    nominating_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("wskazująca organizacja pozarządowa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointment_notified_at = models.DateTimeField(
        _("powiadomiono o powołaniu"), null=True, blank=True
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["call", "role", "id"]
        verbose_name = _("członek komisji")
        verbose_name_plural = _("komisja")
        constraints = [
            models.UniqueConstraint(fields=["call", "user"], name="commission_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("wersja robocza")
    SUBMITTED = "submitted", _("złożony")
    WITHDRAWN = "withdrawn", _("wycofany")
    FORMALLY_REJECTED = "formally_rejected", _("odrzucony z przyczyn formalnych")
    IN_ASSESSMENT = "in_assessment", _("w ocenie merytorycznej")
    AWARDED = "awarded", _("przyznano wsparcie")
    NOT_AWARDED = "not_awarded", _("nie przyznano wsparcia")
    RESIGNED = "resigned", _("wnioskodawca zrezygnował ze wsparcia")


class Application(BaseModel, ActChannel):
    """An application (wniosek, oferta) of one applicant to one call.

    One filed on paper (by post or at a counter) is keyed in by a clerk of the call's unit
    (``channel``, ``keyed_by``); ``received_at`` is when the paper reached the office, and it is
    that moment — not the keying — that the call's deadline is checked against.
    """

    call = models.ForeignKey(
        Call, verbose_name=_("nabór"), on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("wnioskodawca"),
        on_delete=models.PROTECT,
        related_name="grant_applications",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("numer"), max_length=30, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    title = models.CharField(_("tytuł zadania"), max_length=250)
    summary = models.CharField(_("krótki opis"), max_length=600, blank=True)
    description = models.TextField(_("cel i opis zadania"), blank=True)
    target_group = models.TextField(_("do kogo jest skierowane"), blank=True)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica realizacji"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    location = models.CharField(_("miejsce realizacji"), max_length=300, blank=True)
    start_date = models.DateField(_("data rozpoczęcia"), null=True, blank=True)
    end_date = models.DateField(_("data zakończenia"), null=True, blank=True)
    residents_contribution = models.TextField(_("wkład mieszkańców (opis)"), blank=True)
    experience = models.TextField(_("doświadczenie i zasoby wnioskodawcy"), blank=True)
    requested_amount = money(_("wnioskowana kwota"), default=ZERO)
    total_cost = money(_("koszt całkowity"), default=ZERO)
    submitted_at = models.DateTimeField(_("złożono"), null=True, blank=True, db_index=True)
    received_at = models.DateTimeField(
        _("wpłynęło do urzędu (wniosek papierowy)"), null=True, blank=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField(_("suma kontrolna treści"), max_length=64, blank=True)
    receipt_pdf = models.FileField(_("potwierdzenie złożenia"), blank=True, max_length=300)
    receipt_sha256 = models.CharField(_("suma kontrolna potwierdzenia"), max_length=64, blank=True)
    formal_checked_at = models.DateTimeField(_("ocena formalna"), null=True, blank=True)
    formal_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    formal_note = models.TextField(_("uwagi z oceny formalnej"), blank=True)
    remarks_from = models.DateTimeField(_("publikacja do uwag od"), null=True, blank=True)
    remarks_until = models.DateTimeField(_("publikacja do uwag do"), null=True, blank=True)
    corrections_due = models.DateTimeField(
        _("termin uzupełnienia braków formalnych"), null=True, blank=True
    )
    publication_due = models.DateField(
        _("opublikować do uwag najpóźniej"), null=True, blank=True, db_index=True
    )
    decision_note = models.TextField(_("uzasadnienie decyzji"), blank=True)
    decided_at = models.DateTimeField(_("decyzja"), null=True, blank=True)
    # The statutory offer (regulation of 24 October 2018, Dz.U. 2018 poz. 2057, annex 1).
    public_task_sphere = models.CharField(
        _("rodzaj zadania publicznego (sfera z art. 4 ustawy)"),
        max_length=30,
        choices=PublicBenefitArea,
        blank=True,
    )
    contact_name = models.CharField(_("osoba do kontaktu"), max_length=150, blank=True)
    contact_phone = models.CharField(_("telefon osoby do kontaktu"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail osoby do kontaktu"), blank=True)
    social_change = models.TextField(_("jaka zmiana społeczna zostanie osiągnięta"), blank=True)
    durability = models.TextField(_("trwałość rezultatów"), blank=True)
    resources = models.TextField(_("zasoby kadrowe, rzeczowe i finansowe"), blank=True)
    other_information = models.TextField(_("inne informacje (część VI oferty)"), blank=True)
    declarations = models.JSONField(_("oświadczenia (część VII oferty)"), default=dict, blank=True)

    class Meta:
        ordering = ["call", "submitted_at", "id"]
        verbose_name = _("wniosek")
        verbose_name_plural = _("wnioski")
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="application_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["call", "status"], name="grants_app_call_status")]

    def __str__(self) -> str:
        return f"{self.number or _('wersja robocza')} — {self.title}"


class CostCategory(models.TextChoices):
    PERSONNEL = "personnel", _("wynagrodzenia i honoraria")
    MATERIALS = "materials", _("materiały i wyposażenie")
    SERVICES = "services", _("usługi")
    PREMISES = "premises", _("wynajem i lokal")
    PROMOTION = "promotion", _("promocja")
    TRAVEL = "travel", _("transport i podróże")
    ADMINISTRATION = "administration", _("koszty administracyjne")
    VOLUNTEER = "volunteer", _("praca wolontariuszy (wycena)")
    OTHER = "other", _("inne")


class BudgetLine(models.Model):
    """One cost of the budget and how it is paid for: by the grant (or, for a local initiative,
    the city's in-kind support), own money, in-kind contributions or valued volunteer work."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="budget_lines"
    )
    position = models.PositiveSmallIntegerField(_("lp."))
    category = models.CharField(_("kategoria"), max_length=20, choices=CostCategory)
    description = models.CharField(_("rodzaj kosztu"), max_length=300)
    unit = models.CharField(_("jednostka"), max_length=30)
    quantity = models.DecimalField(
        _("liczba jednostek"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    unit_cost = money(_("koszt jednostkowy"))
    total = money(_("koszt całkowity"))
    grant_amount = money(_("z wnioskowanego wsparcia"), default=ZERO)
    own_amount = money(_("wkład własny finansowy"), default=ZERO)
    in_kind_amount = money(_("wkład rzeczowy"), default=ZERO)
    volunteer_amount = money(_("praca wolontariuszy"), default=ZERO)
    fees_amount = money(_("świadczenia pieniężne od odbiorców zadania"), default=ZERO)
    other_public_amount = money(_("środki z innych źródeł publicznych"), default=ZERO)
    action_position = models.PositiveSmallIntegerField(
        _("działanie z harmonogramu (nr)"),
        null=True,
        blank=True,
        help_text=_(
            "Koszty realizacji działań podaje się przy działaniu; puste — koszty administracyjne."
        ),
    )
    partner_position = models.PositiveSmallIntegerField(
        _("oferent ponoszący koszt (oferta wspólna)"), null=True, blank=True
    )

    class Meta:
        ordering = ["application", "position", "id"]
        verbose_name = _("pozycja kosztorysu")
        verbose_name_plural = _("kosztorys")

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"

    @property
    def contribution(self) -> Decimal:
        return (
            self.own_amount
            + self.in_kind_amount
            + self.volunteer_amount
            + self.fees_amount
            + self.other_public_amount
        )


class OfferPartner(BaseModel):
    """Another offeror of a joint offer (art. 14 ust. 2 of the act): an NGO from the registry,
    with the actions it carries out (part VI of the offer)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="partners")
    position = models.PositiveSmallIntegerField(_("oferent nr"))
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organizacja"),
        on_delete=models.PROTECT,
        related_name="joint_offers",
    )
    actions = models.TextField(_("działania, które wykona ten oferent"))

    class Meta:
        ordering = ["application", "position"]
        verbose_name = _("oferent wspólny")
        verbose_name_plural = _("oferenci wspólni")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "organisation"], name="offer_partner_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.organisation_id}"


class SignatureKind(models.TextChoices):
    QUALIFIED = "qualified", _("kwalifikowany podpis elektroniczny")
    TRUSTED = "trusted", _("podpis zaufany (profil zaufany)")
    PAPER = "paper", _("podpis własnoręczny na papierze")


def _signature_path(instance: Signature, filename: str) -> str:
    return f"grants/signatures/{instance.application_id}/{instance.sha256[:16]}-{filename}"


class Signature(BaseModel):
    """How the offer or the agreement was signed: a signed file uploaded back (XAdES/PAdES from
    a qualified signature or the trusted profile), or paper with the date it was received."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="signatures"
    )
    document = models.CharField(
        _("dokument"),
        max_length=10,
        choices=[("offer", _("oferta")), ("agreement", _("umowa"))],
    )
    kind = models.CharField(_("sposób podpisania"), max_length=10, choices=SignatureKind)
    file = models.FileField(
        _("plik z podpisem"), upload_to=_signature_path, blank=True, max_length=300
    )
    original_name = models.CharField(_("nazwa pliku"), max_length=200, blank=True)
    sha256 = models.CharField(_("suma kontrolna SHA-256"), max_length=64, blank=True)
    received_on = models.DateField(_("data wpływu"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["application", "document", "created_at"]
        verbose_name = _("podpis dokumentu")
        verbose_name_plural = _("podpisy dokumentów")

    def __str__(self) -> str:
        return f"{self.application_id} {self.document}: {self.kind}"


class ScheduleItem(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="schedule_items"
    )
    position = models.PositiveSmallIntegerField(_("lp."))
    action = models.CharField(_("działanie"), max_length=300)
    start_date = models.DateField(_("od"))
    end_date = models.DateField(_("do"))
    responsible = models.CharField(_("kto odpowiada"), max_length=200, blank=True)

    class Meta:
        ordering = ["application", "position", "id"]
        verbose_name = _("działanie w harmonogramie")
        verbose_name_plural = _("harmonogram")

    def __str__(self) -> str:
        return self.action


class ExpectedResult(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="expected_results"
    )
    position = models.PositiveSmallIntegerField(_("lp."))
    description = models.CharField(_("rezultat"), max_length=300)
    target = models.CharField(_("planowany poziom"), max_length=100)
    verification = models.CharField(_("sposób sprawdzenia"), max_length=300, blank=True)

    class Meta:
        ordering = ["application", "position", "id"]
        verbose_name = _("zakładany rezultat")
        verbose_name_plural = _("zakładane rezultaty")

    def __str__(self) -> str:
        return self.description


def _attachment_path(instance: Attachment, filename: str) -> str:
    return f"grants/{instance.application_id}/{instance.sha256[:16]}-{filename}"


class Attachment(BaseModel):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    title = models.CharField(_("tytuł"), max_length=200)
    file = models.FileField(_("plik"), upload_to=_attachment_path, max_length=300)
    original_name = models.CharField(_("nazwa pliku"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("rozmiar (bajty)"))
    sha256 = models.CharField(_("suma kontrolna SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("załącznik")
        verbose_name_plural = _("załączniki")

    def __str__(self) -> str:
        return self.title


class Remark(BaseModel, ActChannel):
    """A remark on a small-grant offer published for comments (art. 19a sec. 3). One sent by
    post or phoned in is keyed in by a clerk; ``received_at`` is when it reached the office."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="remarks")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(_("podpis"), max_length=150)
    author_email = models.EmailField(_("e-mail do odpowiedzi"), blank=True)
    text = models.TextField(_("uwaga"))
    received_at = models.DateTimeField(_("wpłynęła do urzędu"), null=True, blank=True)

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("uwaga do oferty")
        verbose_name_plural = _("uwagi do oferty")

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:40]}"


class ConflictDeclaration(BaseModel):
    """A commission member's statement on one application; a declared conflict bars scoring."""

    member = models.ForeignKey(
        CommissionMember, on_delete=models.PROTECT, related_name="declarations"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="conflict_declarations"
    )
    has_conflict = models.BooleanField(_("zachodzi konflikt interesów"))
    explanation = models.TextField(_("wyjaśnienie"), blank=True)
    history = models.JSONField(_("wcześniejsze brzmienia oświadczenia"), default=list, blank=True)

    class Meta:
        verbose_name = _("oświadczenie o konflikcie interesów")
        verbose_name_plural = _("oświadczenia o konflikcie interesów")
        constraints = [
            models.UniqueConstraint(fields=["member", "application"], name="declaration_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} / {self.application_id}: {self.has_conflict}"


class Assessment(BaseModel):
    """One assessor's scores of one application; ``total`` is fixed when it is submitted."""

    member = models.ForeignKey(
        CommissionMember, on_delete=models.PROTECT, related_name="assessments"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="assessments"
    )
    comment = models.TextField(_("uzasadnienie oceny"), blank=True)
    total = models.DecimalField(
        _("suma punktów"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("ocenę złożono"), null=True, blank=True)

    class Meta:
        verbose_name = _("ocena")
        verbose_name_plural = _("oceny")
        constraints = [
            models.UniqueConstraint(fields=["member", "application"], name="assessment_once"),
        ]
        indexes = [
            models.Index(fields=["application", "submitted_at"], name="grants_assess_app_sub"),
        ]

    def __str__(self) -> str:
        return f"{self.member} / {self.application_id}"


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(
        _("punkty"), max_digits=6, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    comment = models.TextField(_("komentarz"), blank=True)

    class Meta:
        verbose_name = _("punkty za kryterium")
        verbose_name_plural = _("punkty za kryteria")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class AwardStatus(models.TextChoices):
    ACTIVE = "active", _("wiąże pulę")
    RESIGNED = "resigned", _("rezygnacja przed podpisaniem umowy")


class Award(BaseModel):
    """Support granted to an application; the active awards of a call never exceed its pool.
    A resignation before signing releases the money to the pool (the row stays, for the
    record), and the next application on the reserve list may be offered it."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="awards")
    amount = money(_("przyznana kwota"), validators=[MinValueValidator(Decimal("0.01"))])
    justification = models.TextField(_("uzasadnienie"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("stan"), max_length=10, choices=AwardStatus, default=AwardStatus.ACTIVE, db_index=True
    )
    from_reserve = models.BooleanField(_("z listy rezerwowej"), default=False)
    resigned_at = models.DateTimeField(_("rezygnacja"), null=True, blank=True)
    resignation_reason = models.TextField(_("powód rezygnacji"), blank=True)
    updated_budget = models.JSONField(
        _("zaktualizowany kosztorys (przy częściowym dofinansowaniu)"), default=list, blank=True
    )
    budget_confirmed_at = models.DateTimeField(
        _("wnioskodawca potwierdził kosztorys"), null=True, blank=True
    )
    budget_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("przyznane wsparcie")
        verbose_name_plural = _("przyznane wsparcie")

    def __str__(self) -> str:
        return f"{self.application} — {self.amount} PLN"

    @property
    def is_partial(self) -> bool:
        return self.amount < self.application.requested_amount


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("projekt umowy")
    SIGNED = "signed", _("podpisana — w realizacji")
    SETTLED = "settled", _("rozliczona")
    TERMINATED = "terminated", _("rozwiązana")
    CANCELLED = "cancelled", _("nie zawarta — rezygnacja")
    ARCHIVED = "archived", _("w archiwum")


class Agreement(BaseModel):
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="agreement"
    )
    number = models.CharField(_("numer umowy"), max_length=40, unique=True)
    amount = money(_("kwota wsparcia"))
    start_date = models.DateField(_("realizacja od"))
    end_date = models.DateField(_("realizacja do"))
    bank_account = models.CharField(_("numer rachunku bankowego"), max_length=34, blank=True)
    city_signatory = models.CharField(_("w imieniu miasta podpisuje"), max_length=200)
    applicant_signatories = models.CharField(_("w imieniu wnioskodawcy podpisują"), max_length=300)
    report_due_date = models.DateField(_("termin sprawozdania końcowego"))
    signed_on = models.DateField(_("data podpisania"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus, default=AgreementStatus.DRAFT
    )
    settled_at = models.DateTimeField(_("rozliczono"), null=True, blank=True)
    archived_at = models.DateTimeField(_("zarchiwizowano"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("wersja (aneksy)"), default=1)
    operator = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("operator regrantingu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    guardian_name = models.CharField(_("opiekun prawny"), max_length=200, blank=True)
    guardian_consent = models.BooleanField(_("zgoda opiekuna prawnego"), default=False)
    terminated_on = models.DateField(_("rozwiązano"), null=True, blank=True)
    termination_reason = models.TextField(_("powód rozwiązania"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("umowa")
        verbose_name_plural = _("umowy")

    def __str__(self) -> str:
        return self.number


class Annex(BaseModel):
    """A signed change of an agreement (budget, schedule, results, dates or amount): version n+1,
    with what it was before and after, and why."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="annexes")
    number = models.PositiveSmallIntegerField(_("aneks nr"))
    reason = models.TextField(_("powód zmiany"))
    before = models.JSONField(_("przed zmianą"))
    after = models.JSONField(_("po zmianie"))
    signed_on = models.DateField(_("data podpisania"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("aneks")
        verbose_name_plural = _("aneksy")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="annex_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} / A{self.number}"


class ReturnReason(models.TextChoices):
    UNSPENT = "unspent", _("niewykorzystane środki")
    IMPROPER = "improper", _("środki wykorzystane niezgodnie z przeznaczeniem")
    EXCESS = "excess", _("przekroczenie dopuszczalnej zmiany kosztorysu")
    TERMINATION = "termination", _("rozwiązanie umowy")


class FundReturn(BaseModel):
    """Money the grantee owes back, with the date it is due and the date from which interest
    runs (art. 251–252 of the public finance act: unspent money after the deadline; money used
    improperly from the day it was transferred)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="returns")
    reason = models.CharField(_("podstawa zwrotu"), max_length=20, choices=ReturnReason)
    amount = money(_("kwota do zwrotu"), validators=[MinValueValidator(Decimal("0.01"))])
    due_date = models.DateField(_("termin zwrotu"))
    interest_from = models.DateField(_("odsetki liczy się od"))
    note = models.TextField(_("uzasadnienie"), blank=True)
    returned_on = models.DateField(_("zwrócono"), null=True, blank=True)
    returned_amount = money(_("zwrócona kwota"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "due_date", "id"]
        verbose_name = _("zwrot środków")
        verbose_name_plural = _("zwroty środków")

    def __str__(self) -> str:
        return f"{self.agreement}: {self.amount} ({self.reason})"


class Tranche(BaseModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="tranches")
    position = models.PositiveSmallIntegerField(_("transza nr"))
    amount = money(_("kwota"), validators=[MinValueValidator(Decimal("0.01"))])
    due_date = models.DateField(_("termin przekazania"))
    paid_on = models.DateField(_("przekazano"), null=True, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "position", "id"]
        verbose_name = _("transza")
        verbose_name_plural = _("transze")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "position"], name="tranche_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.amount}"


class ReportKind(models.TextChoices):
    INTERIM = "interim", _("sprawozdanie częściowe")
    FINAL = "final", _("sprawozdanie końcowe")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("wersja robocza")
    SUBMITTED = "submitted", _("złożone")
    CORRECTIONS = "corrections", _("do poprawy")
    ACCEPTED = "accepted", _("przyjęte")


class Report(BaseModel):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("rodzaj"), max_length=10, choices=ReportKind)
    period_from = models.DateField(_("okres od"))
    period_to = models.DateField(_("okres do"))
    narrative = models.TextField(_("opis wykonania zadania"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("złożono"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("rozpatrzono"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(_("uwagi urzędu"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agreement", "created_at", "id"]
        verbose_name = _("sprawozdanie")
        verbose_name_plural = _("sprawozdania")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement"], condition=Q(kind="final"), name="one_final_report"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_from}–{self.period_to}"


class ReportLine(models.Model):
    """Actual costs against one planned budget line."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="+")
    actual_grant = money(_("wydano ze wsparcia"), default=ZERO)
    actual_own = money(_("wkład własny finansowy"), default=ZERO)
    actual_in_kind = money(_("wkład rzeczowy"), default=ZERO)
    actual_volunteer = money(_("praca wolontariuszy"), default=ZERO)
    explanation = models.CharField(_("wyjaśnienie różnicy"), max_length=500, blank=True)

    class Meta:
        ordering = ["report", "budget_line__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "budget_line"], name="report_line_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.budget_line_id}"


class ReportResult(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="results")
    expected_result = models.ForeignKey(ExpectedResult, on_delete=models.PROTECT, related_name="+")
    achieved = models.CharField(_("osiągnięty poziom"), max_length=100, blank=True)

    class Meta:
        ordering = ["report", "expected_result__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "expected_result"], name="report_result_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id}/{self.expected_result_id}"
