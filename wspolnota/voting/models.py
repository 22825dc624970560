"""Voting in the participatory budget: rules, the voter roll, secret ballots, the paper channel,
counts and published results.

Ballot secrecy is a property of the schema: ``Ballot`` and ``BallotChoice`` have no foreign key,
timestamp or sequence that could join them to ``VoterRollEntry`` or to users (random UUID keys,
random receipt codes, no creation time). ``tests/test_schema.py`` walks ``_meta`` to prove it.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import BaseModel


class BallotKind(models.TextChoices):
    KRAKOW = "krakow", _("krakowska: 3 projekty ogólnomiejskie i 3 dzielnicowe, 3-2-1 punkty")
    APPROVAL = "approval", _("aprobująca: do k projektów w puli")
    CUMULATIVE = "cumulative", _("punktowa: rozdziel punkty między projekty")
    KNAPSACK = "knapsack", _("koszyk: projekty mieszczące się w kwocie puli")


class CountingRule(models.TextChoices):
    """Rule names as Pabulib's META ``rule`` writes them (votecount's ``from-file`` presets)."""

    GREEDY = "greedy", _("zachłanna: według punktów, dopóki starcza pieniędzy")
    GREEDY_THRESHOLD = "greedy-threshold", _("zachłanna z progiem punktów")
    EQUAL_SHARES = "equalshares", _("metoda równych udziałów (MES)")
    EQUAL_SHARES_ADD1 = "equalshares/add1", _("MES z dopełnieniem Add1")
    EQUAL_SHARES_ADD1_CMP = (
        "equalshares/add1-comparison",
        _("MES z dopełnieniem Add1 i porównaniem z metodą zachłanną"),
    )


class Channel(models.TextChoices):
    ONLINE = "online", _("internetowo")
    PAPER = "paper", _("na papierze")


class VotingRules(BaseModel):
    """How one edition votes and counts. Fixed (``fixed_at``) before voting opens; then read-only."""

    edition = models.OneToOneField(
        "budget.Edition", on_delete=models.CASCADE, related_name="voting_rules"
    )
    slug = models.SlugField(_("identyfikator edycji"), max_length=60, unique=True)
    ballot_kind = models.CharField(
        _("rodzaj karty"), max_length=12, choices=BallotKind.choices, default=BallotKind.KRAKOW
    )
    picks_per_pool = models.PositiveSmallIntegerField(_("projektów w puli (Kraków: 3)"), default=3)
    require_all_picks = models.BooleanField(
        _("trzeba wybrać wszystkie projekty (3 + 3)"), default=False
    )
    approval_max = models.PositiveSmallIntegerField(_("najwięcej projektów (k)"), default=5)
    cumulative_points = models.PositiveSmallIntegerField(_("punktów do rozdzielenia"), default=10)
    minimum_age = models.PositiveSmallIntegerField(
        _("najniższy wiek głosującego"),
        null=True,
        blank=True,
        help_text=_("Puste: głosować może każdy mieszkaniec, bez względu na wiek."),
    )
    counting_rule = models.CharField(
        _("reguła liczenia"), max_length=40, choices=CountingRule.choices, default="greedy"
    )
    counting_options = models.JSONField(_("opcje liczenia"), default=dict, blank=True)
    tie_breaking = models.CharField(
        _("rozstrzyganie remisów"),
        max_length=120,
        blank=True,
        help_text=_(
            "Puste: domyślna kolejność pakietu votecount (Kraków: więcej głosów za 3 pkt)."
        ),
    )
    extra_meta = models.JSONField(_("dodatkowe pola META pliku .pb"), default=dict, blank=True)
    fixed_at = models.DateTimeField(_("zasady ustalone"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("wyniki ogłoszone"), null=True, blank=True)

    class Meta:
        verbose_name = _("zasady głosowania")
        verbose_name_plural = _("zasady głosowania")

    def __str__(self) -> str:
        return self.slug


class VoterDistrict(BaseModel):
    """The district of residence a signed-in person chose for an edition: chosen once."""

    edition = models.ForeignKey("budget.Edition", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["edition", "user"], name="voting_district_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.district_id}"


class VotingPoint(BaseModel):
    """A place where residents vote on paper (library, culture centre, district office)."""

    edition = models.ForeignKey(
        "budget.Edition", on_delete=models.CASCADE, related_name="voting_points"
    )
    name = models.CharField(_("nazwa"), max_length=200)
    address = models.CharField(_("adres"), max_length=300)
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    hours = models.CharField(_("godziny otwarcia"), max_length=300)
    step_free = models.BooleanField(_("dostępny bez schodów"), default=False)
    latitude = models.DecimalField(
        _("szerokość geograficzna"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("długość geograficzna"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("koordynatorzy"), blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("punkt zamknięty"), null=True, blank=True)

    class Meta:
        ordering = ["edition", "district__number", "name"]
        verbose_name = _("punkt do głosowania")
        verbose_name_plural = _("punkty do głosowania")

    def __str__(self) -> str:
        return self.name


class VoterRollEntry(BaseModel):
    """One person who has voted in an edition, in any channel. The unique constraint on
    (edition, identity_hash) is the final arbiter of one person, one vote."""

    edition = models.ForeignKey("budget.Edition", on_delete=models.PROTECT, related_name="+")
    identity_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    point = models.ForeignKey(
        VotingPoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("wpis w spisie głosujących")
        verbose_name_plural = _("spis głosujących")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "identity_hash"], name="voting_roll_one_person_one_vote"
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "district", "channel"], name="voting_roll_turnout")
        ]

    def __str__(self) -> str:
        return f"{self.edition_id}: {self.channel}"


def new_receipt_code() -> str:
    """12 characters from an alphabet without look-alikes, e.g. ``K7QX-M2HD-9TPA``."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


class BallotStatus(models.TextChoices):
    VALID = "valid", _("ważny")
    INVALID = "invalid", _("nieważny")


class AgeBand(models.TextChoices):
    UNDER_18 = "0-17", "0–17"
    A18 = "18-29", "18–29"
    A30 = "30-44", "30–44"
    A45 = "45-59", "45–59"
    A60 = "60-74", "60–74"
    A75 = "75+", "75+"


class Ballot(models.Model):
    """A cast ballot. Deliberately NOT a BaseModel: no creation time, no sequence, no link to the
    roll or to a user. Age band and sex only where the voter agreed to publish them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey("budget.Edition", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    receipt_code = models.CharField(max_length=14, default=new_receipt_code)
    status = models.CharField(
        max_length=8, choices=BallotStatus.choices, default=BallotStatus.VALID
    )
    age_band = models.CharField(max_length=6, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=1, choices=[("F", "F"), ("M", "M")], blank=True)

    class Meta:
        verbose_name = _("karta do głosowania")
        verbose_name_plural = _("karty do głosowania")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "receipt_code"], name="voting_receipt_unique"
            )
        ]

    def __str__(self) -> str:
        return self.receipt_code


class BallotChoice(models.Model):
    """One project on a ballot with its points (Kraków: 3, 2, 1) and its place on the ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="choices")
    pool = models.ForeignKey("budget.Pool", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("budget.Project", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    points = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "project"], name="voting_choice_once"),
        ]
        indexes = [models.Index(fields=["pool", "ballot"], name="voting_choice_pool")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.points}"


class RefusedAttempt(BaseModel):
    """A refused attempt to vote (already on the roll, too young, …), recorded without a ballot."""

    edition = models.ForeignKey("budget.Edition", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    reason = models.CharField(max_length=40)
    point = models.ForeignKey(
        VotingPoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("odmowa oddania głosu")
        verbose_name_plural = _("odmowy oddania głosu")

    def __str__(self) -> str:
        return f"{self.channel}: {self.reason}"


class CardStatus(models.TextChoices):
    AWAITING_SECOND = "awaiting_second", _("czeka na drugie wprowadzenie")
    MISMATCH = "mismatch", _("wprowadzenia się różnią: do wyjaśnienia")
    COUNTED = "counted", _("policzona")
    INVALID_DUPLICATE = "invalid_duplicate", _("nieważna: osoba już głosowała")
    INVALID_RULES = "invalid_rules", _("nieważna: karta niezgodna z zasadami")


class DocumentKind(models.TextChoices):
    ID_CARD = "id_card", _("dowód osobisty")
    PASSPORT = "passport", _("paszport")
    RESIDENCE = "residence", _("karta pobytu")
    OTHER = "other", _("inny dokument ze zdjęciem")


class PaperCard(BaseModel):
    """A paper ballot card handed in at a voting point, entered twice before it counts."""

    edition = models.ForeignKey("budget.Edition", on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(VotingPoint, on_delete=models.PROTECT, related_name="cards")
    number = models.CharField(_("numer karty"), max_length=30)
    status = models.CharField(
        max_length=20, choices=CardStatus.choices, default=CardStatus.AWAITING_SECOND
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("uwagi"), max_length=300, blank=True)

    class Meta:
        ordering = ["point", "number"]
        verbose_name = _("karta papierowa")
        verbose_name_plural = _("karty papierowe")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="voting_card_number_unique")
        ]

    def __str__(self) -> str:
        return self.number


class PaperEntry(BaseModel):
    """One keying of a paper card. Once the card is counted its choices are erased here, so no
    table keeps both a person's identity and their votes."""

    card = models.ForeignKey(PaperCard, on_delete=models.CASCADE, related_name="entries")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    identity_hash = models.CharField(max_length=64)
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    document_checked = models.BooleanField(default=False)
    document_kind = models.CharField(max_length=12, choices=DocumentKind.choices, blank=True)
    choices = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["card", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["card", "entered_by"], name="voting_entry_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.card_id}/{self.entered_by_id}"


class PointProtocol(BaseModel):
    """The closing protocol of a voting point: cards received, unused, and the tallies."""

    point = models.OneToOneField(VotingPoint, on_delete=models.PROTECT, related_name="protocol")
    cards_received = models.PositiveIntegerField(_("kart otrzymanych"))
    cards_unused = models.PositiveIntegerField(_("kart niewykorzystanych"))
    cards_counted = models.PositiveIntegerField(default=0)
    cards_invalid = models.PositiveIntegerField(default=0)
    cards_pending = models.PositiveIntegerField(default=0)
    notes = models.TextField(_("uwagi"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.point}"


class PoolResult(BaseModel):
    """The stored count of one pool: rule, options, package version and SHA-256 of the input."""

    pool = models.OneToOneField("budget.Pool", on_delete=models.CASCADE, related_name="result")
    rule = models.CharField(max_length=40)
    options = models.JSONField(default=dict)
    votecount_version = models.CharField(max_length=20)
    input_sha256 = models.CharField(max_length=64)
    ballots_counted = models.PositiveIntegerField(default=0)
    outcome = models.JSONField(default=dict)
    tally = models.JSONField(default=dict)
    selected = models.JSONField(default=list)
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.pool_id}: {self.rule}"


class TieLot(BaseModel):
    """A lot drawn to break a tie: its seed and the witnesses, so anyone can redo it."""

    result = models.ForeignKey(PoolResult, on_delete=models.CASCADE, related_name="lots")
    tied = models.JSONField(default=list)
    order = models.JSONField(default=list)
    seed = models.BigIntegerField()
    witnesses = models.TextField()

    def __str__(self) -> str:
        return f"{self.result_id}: {self.seed}"


class PublishedReceipt(models.Model):
    """The receipt codes of counted ballots, published after the close apart from the ballots."""

    edition = models.ForeignKey("budget.Edition", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=14)

    class Meta:
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="voting_published_code_unique")
        ]

    def __str__(self) -> str:
        return self.code
