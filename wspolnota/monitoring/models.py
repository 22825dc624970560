"""The strategy tree, its indicators and their measurements, and the data behind them."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import BaseModel


class NodeKind(models.TextChoices):
    GOAL = "goal", _("cel strategiczny")
    OPERATIONAL = "operational", _("cel operacyjny")
    ACTION = "action", _("działanie kluczowe")
    PROGRAMME = "programme", _("program")
    PROJECT = "project", _("projekt")


class StrategyNode(BaseModel):
    """One element of the tree: Goal V → operational goals → key actions → programmes, projects.

    Nodes preloaded from the strategy text keep its Polish wording verbatim and cannot be removed;
    officials add programmes and projects under key actions.
    """

    kind = models.CharField(_("rodzaj"), max_length=20, choices=NodeKind.choices)
    code = models.CharField(_("oznaczenie"), max_length=30, blank=True)
    number = models.PositiveSmallIntegerField(_("numer działania"), null=True, blank=True)
    title = models.TextField(_("nazwa"))
    description = models.TextField(_("opis"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("element nadrzędny"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("kolejność"), default=0)
    responsible_unit = models.CharField(_("jednostka odpowiedzialna"), max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField(_("rok rozpoczęcia"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("rok zakończenia"), null=True, blank=True)
    from_strategy = models.BooleanField(_("z tekstu strategii"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("element strategii")
        verbose_name_plural = _("elementy strategii")
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=~Q(code=""), name="monitoring_node_unique_code"
            ),
            models.UniqueConstraint(
                fields=["number"],
                condition=Q(kind="action"),
                name="monitoring_action_unique_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.title[:80]}"

    @property
    def display_title(self) -> str:
        """The Polish title in the reader's language: the strategy's own wording is translated."""
        return gettext(self.title) if self.from_strategy else self.title

    @property
    def label(self) -> str:
        if self.kind == NodeKind.GOAL:
            return gettext("Cel strategiczny %(code)s") % {"code": self.code}
        if self.kind == NodeKind.OPERATIONAL:
            return gettext("Cel operacyjny %(code)s") % {"code": self.code}
        if self.kind == NodeKind.ACTION:
            return gettext("Działanie kluczowe %(number)s") % {"number": self.number}
        return str(self.get_kind_display()).capitalize()


class LinkKind(models.TextChoices):
    BUDGET = "budget", _("budżet obywatelski")
    CONSULTATION = "consultation", _("konsultacje")
    GRANTS = "grants", _("granty i inicjatywy lokalne")
    ORGANISATION = "organisation", _("organizacje")
    PLACE = "place", _("miejsca i wydarzenia")
    COUNCIL = "council", _("rady")
    NOTICE = "notice", _("ogłoszenia")
    DISTRICT = "district", _("dzielnice")
    OTHER = "other", _("inne")


class ImplementationLink(BaseModel):
    """What was done under a key action or programme in a year, linked to the platform's object.

    ``platform_path`` is the object's address on the platform without the language prefix (for
    example ``/budzet-obywatelski/edycje/2025/``), checked against the URL configuration when
    entered, so a link works in every language; ``external_url`` is for documents elsewhere.
    """

    node = models.ForeignKey(
        StrategyNode,
        verbose_name=_("element strategii"),
        on_delete=models.CASCADE,
        related_name="links",
    )
    year = models.PositiveSmallIntegerField(_("rok"))
    title = models.CharField(_("tytuł"), max_length=300)
    description = models.TextField(_("co zrobiono"), blank=True)
    kind = models.CharField(
        _("rodzaj"), max_length=20, choices=LinkKind.choices, default=LinkKind.OTHER
    )
    platform_path = models.CharField(_("adres na platformie"), max_length=300, blank=True)
    external_url = models.URLField(_("adres zewnętrzny"), max_length=500, blank=True)
    # a sample entry of the demonstration platform, marked as such wherever shown
    demo = models.BooleanField(_("dane demonstracyjne"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("realizacja")
        verbose_name_plural = _("realizacje")

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"


class TargetKind(models.TextChoices):
    NUMERIC = "numeric", _("wartość liczbowa")
    RISING = "rising", _("trend wzrostowy")
    FALLING = "falling", _("trend spadkowy")


class Unit(models.TextChoices):
    COUNT = "count", _("liczba")
    PERCENT = "percent", _("procent")


class Indicator(BaseModel):
    """One of the strategy's indicators, with its values and target exactly as the strategy states.

    The ``*_text`` fields keep the printed wording ("5% (2017)", "Ok. 70"); the numbers beside them
    are what the charts and the assessment use.
    """

    code = models.SlugField(_("kod"), max_length=60, unique=True)
    name = models.TextField(_("nazwa"))
    measures = models.TextField(_("wskaźnik mierzy"))
    footnote = models.TextField(_("przypis"), blank=True)
    node = models.ForeignKey(
        StrategyNode,
        verbose_name=_("cel operacyjny"),
        on_delete=models.PROTECT,
        related_name="indicators",
    )
    position = models.PositiveSmallIntegerField(_("kolejność"), default=0)
    unit = models.CharField(_("jednostka"), max_length=10, choices=Unit.choices)
    decimals = models.PositiveSmallIntegerField(_("miejsca po przecinku"), default=0)
    baseline_text = models.CharField(_("stan w 2016 (jak w strategii)"), max_length=50)
    baseline_value = models.DecimalField(_("stan w 2016"), max_digits=14, decimal_places=4)
    baseline_year = models.PositiveSmallIntegerField(_("rok stanu wyjściowego"))
    value_2022_text = models.CharField(_("stan w 2022 (jak w strategii)"), max_length=50)
    value_2022 = models.DecimalField(_("stan w 2022"), max_digits=14, decimal_places=4)
    target_text = models.CharField(_("wartość docelowa 2030 (jak w strategii)"), max_length=50)
    target_kind = models.CharField(_("rodzaj celu"), max_length=10, choices=TargetKind.choices)
    target_value = models.DecimalField(
        _("wartość docelowa"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    target_year = models.PositiveSmallIntegerField(_("rok docelowy"), default=2030)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("wskaźnik")
        verbose_name_plural = _("wskaźniki")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return gettext(self.name)

    @property
    def display_measures(self) -> str:
        return gettext(self.measures)

    @property
    def display_footnote(self) -> str:
        return gettext(self.footnote) if self.footnote else ""

    @property
    def display_target(self) -> str:
        return gettext(self.target_text)

    @property
    def display_baseline(self) -> str:
        """The strategy's starting value without a year in brackets (that goes in the label):
        "5% (2017)" is shown as "Stan wyjściowy (2017)": "5%", never as "Stan w 2016"."""
        text = gettext(self.baseline_text)
        return re.sub(rf"\s*\(\s*{self.baseline_year}\s*\)\s*$", "", text) or text

    @property
    def baseline_label(self) -> str:
        if self.baseline_year == 2016:
            return gettext("Stan w 2016")
        return gettext("Stan wyjściowy (%(year)s)") % {"year": self.baseline_year}

    @property
    def display_value_2022(self) -> str:
        return gettext(self.value_2022_text)


class Method(models.TextChoices):
    STRATEGY = "strategy", _("z tekstu strategii")
    COMPUTED = "computed", _("obliczony przez platformę")
    MANUAL = "manual", _("wprowadzony ręcznie")
    CSV = "csv", _("zaimportowany z pliku CSV")
    SURVEY = "survey", _("z badania ankietowego (ważony)")


class Series(models.TextChoices):
    """Which line a value belongs to: values of different series are never joined or compared.

    ``official`` is the series the strategy itself reports (its 2016 and 2022 values and later
    values from the same source: the city's count, Barometr Krakowski, the MOPS report);
    ``platform`` is counted from the platform's own records, which cover only what happens on it;
    ``survey`` is the platform's own weighted survey, a different instrument from the Barometr.
    """

    OFFICIAL = "official", _("seria strategii (to samo źródło i metoda co w strategii)")
    PLATFORM = "platform", _("rejestry platformy Wspólnota")
    SURVEY = "survey", _("badanie ankietowe platformy")


# The series a value belongs to when nobody said otherwise, by how it was established.
DEFAULT_SERIES = {
    "strategy": Series.OFFICIAL,
    "computed": Series.PLATFORM,
    "manual": Series.OFFICIAL,
    "csv": Series.OFFICIAL,
    "survey": Series.SURVEY,
}


class Status(models.TextChoices):
    PENDING = "pending", _("czeka na zatwierdzenie")
    APPROVED = "approved", _("zatwierdzony")
    REJECTED = "rejected", _("odrzucony")
    SUPERSEDED = "superseded", _("zastąpiony nowszym")


class Measurement(BaseModel):
    """A value of an indicator for a year, city-wide (no district) or for one district.

    Never edited: a correction is a new measurement that, once approved, supersedes the old one,
    so the history stays. Rows entered together (a city value and its districts, one CSV file)
    share a ``batch`` and are approved or rejected together, by someone other than who entered them.
    """

    batch = models.UUIDField(_("partia"), default=uuid.uuid4, db_index=True)
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("wskaźnik"), on_delete=models.PROTECT, related_name="measurements"
    )
    year = models.PositiveSmallIntegerField(_("rok"))
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.DecimalField(_("wartość"), max_digits=14, decimal_places=4)
    numerator = models.DecimalField(
        _("licznik"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("mianownik"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    ci_low = models.DecimalField(
        _("przedział ufności od"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    ci_high = models.DecimalField(
        _("przedział ufności do"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    source = models.CharField(_("źródło"), max_length=300)
    source_url = models.URLField(_("adres źródła"), max_length=500, blank=True)
    reference_date = models.DateField(_("stan na dzień"))
    method = models.CharField(_("sposób ustalenia"), max_length=10, choices=Method.choices)
    series = models.CharField(
        _("seria (źródło i metoda)"),
        max_length=10,
        choices=Series.choices,
        blank=True,
        help_text=_("Puste: wynika ze sposobu ustalenia."),
    )
    coverage = models.TextField(_("zakres i wyłączenia"), blank=True)
    demo = models.BooleanField(_("dane demonstracyjne"), default=False)
    status = models.CharField(
        _("stan"), max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    note = models.TextField(_("uwagi"), blank=True)
    details = models.JSONField(_("szczegóły obliczenia"), default=dict, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wprowadził(a)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("zdecydował(a)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("data decyzji"), null=True, blank=True)
    decision_reason = models.TextField(_("uzasadnienie decyzji"), blank=True)

    class Meta:
        ordering = ["indicator", "year", "district__number", "-created_at"]
        verbose_name = _("pomiar")
        verbose_name_plural = _("pomiary")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year"],
                condition=Q(status="approved", district__isnull=True),
                name="monitoring_one_approved_city_value",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "district"],
                condition=Q(status="approved", district__isnull=False),
                name="monitoring_one_approved_district_value",
            ),
        ]

    @property
    def series_key(self) -> str:
        """The series this value belongs to (stated, or following from its method)."""
        return self.series or str(DEFAULT_SERIES.get(self.method, Series.OFFICIAL))

    @property
    def line_key(self) -> str:
        """What the chart joins and the assessment compares: the series, with demo values apart.

        A demo value is never the next point of a real series (the strategy's 2016 and 2022
        values are real; a sample value after them would read as the city's next result)."""
        return f"{self.series_key}:demo" if self.demo else self.series_key

    @property
    def series_label(self) -> str:
        return str(Series(self.series_key).label)

    def __str__(self) -> str:
        where = self.district.roman if self.district_id and self.district else "miasto"
        return f"{self.indicator.code} {self.year} {where}: {self.value}"


class PopulationTable(BaseModel):
    """Residents by district, sex and age band at a date, from a statistical source (CSV).

    Used as the margins for weighting surveys, for seniors per district, and, when configured, as
    the population behind the budget turnout.
    """

    title = models.CharField(_("nazwa"), max_length=200)
    reference_date = models.DateField(_("stan na dzień"))
    source = models.CharField(_("źródło"), max_length=300)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reference_date", "-id"]
        verbose_name = _("tabela ludności")
        verbose_name_plural = _("tabele ludności")

    def __str__(self) -> str:
        return f"{self.title} ({self.reference_date})"


class Sex(models.TextChoices):
    FEMALE = "K", _("kobiety")
    MALE = "M", _("mężczyźni")


class PopulationCell(models.Model):
    table = models.ForeignKey(PopulationTable, on_delete=models.CASCADE, related_name="cells")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age_from = models.PositiveSmallIntegerField()
    age_to = models.PositiveSmallIntegerField(null=True, blank=True)
    count = models.PositiveIntegerField()

    class Meta:
        ordering = ["district_id", "sex", "age_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "district", "sex", "age_from"], name="monitoring_population_cell"
            )
        ]

    def __str__(self) -> str:
        upper = self.age_to if self.age_to is not None else "+"
        return f"{self.district_id} {self.sex} {self.age_from}-{upper}: {self.count}"

    def age_band(self) -> str:
        return f"{self.age_from}+" if self.age_to is None else f"{self.age_from}-{self.age_to}"


class Survey(BaseModel):
    """A survey of residents about their influence on the city, imported for weighting."""

    title = models.CharField(_("nazwa badania"), max_length=200)
    year = models.PositiveSmallIntegerField(_("rok"))
    fieldwork_end = models.DateField(_("koniec badania"))
    source = models.CharField(_("źródło"), max_length=300)
    question = models.TextField(_("pytanie"), blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("badanie ankietowe")
        verbose_name_plural = _("badania ankietowe")

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    sex = models.CharField(max_length=1, choices=Sex.choices)
    age = models.PositiveSmallIntegerField()
    satisfied = models.BooleanField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.district_id} {self.sex} {self.age} {self.satisfied}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("projekt")
    ADOPTED = "adopted", _("przyjęty")
    SUPERSEDED = "superseded", _("zastąpiony nowszą wersją")


class ReportEdition(BaseModel):
    """One version of the annual monitoring report for a year.

    The strategy office edits a draft (a summary, commentary per indicator and key action); on
    adoption the report is frozen: the PDF (tagged, PDF/UA-1), the HTML of its body and the data it
    was drawn from are stored and never regenerated, so correcting a value later does not change
    the adopted report. A correction is a new version (a new draft, adopted in its turn), and the
    earlier version stays published as superseded.
    """

    year = models.PositiveSmallIntegerField(_("rok"))
    version = models.PositiveSmallIntegerField(_("wersja"), default=1)
    status = models.CharField(
        _("stan"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    summary = models.TextField(_("podsumowanie"), blank=True)
    commentary = models.JSONField(_("komentarze"), default=dict, blank=True)
    responsible_unit = models.CharField(_("jednostka odpowiedzialna"), max_length=200, blank=True)
    adoption_reference = models.CharField(
        _("dokument przyjęcia (np. zarządzenie)"), max_length=200, blank=True
    )
    version_note = models.TextField(_("co zmieniono w tej wersji"), blank=True)
    adopted_on = models.DateField(_("data przyjęcia"), null=True, blank=True)
    adopted_at = models.DateTimeField(_("zapisano przyjęcie"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("przyjął(-ęła)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    snapshot = models.JSONField(_("dane raportu w chwili przyjęcia"), default=dict, blank=True)
    body_html = models.TextField(_("treść raportu w chwili przyjęcia"), blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("skrót SHA-256 PDF"), max_length=64, blank=True)

    class Meta:
        ordering = ["-year", "-version"]
        verbose_name = _("wydanie raportu")
        verbose_name_plural = _("wydania raportu")
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="monitoring_report_version"),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status="draft"),
                name="monitoring_report_one_draft",
            ),
            models.UniqueConstraint(
                fields=["year"],
                condition=Q(status="adopted"),
                name="monitoring_report_one_adopted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version} ({self.status})"
