"""Voting in the participatory budget: rules, the voter roll, secret ballots, the paper channel,
counts and published results.

Ballot secrecy holds down to the storage. A cast writes the roll mark and a *sealed* envelope
(AES-GCM, key outside the database) in one transaction; the mixer later opens envelopes in batches
and writes ballots, choices and receipt codes in shuffled order in its own transactions, then
deletes the envelopes. ``Ballot``, ``BallotChoice`` and ``BallotReceipt`` have no foreign key,
timestamp, sequence or shared transaction with ``VoterRollEntry`` or users; roll entries carry a
day, never a time. ``tests/test_schema.py`` and ``tests/test_secrecy.py`` attack it.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import BaseModel


def new_salt() -> str:
    """A random per-edition salt: keys made with it cannot be linked to another edition's."""
    return secrets.token_hex(32)


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
    # Keys of the roll (person, PESEL, phone, address) are HMACs with PESEL_HASH_KEY and this
    # salt: the same person gets unrelated keys in another edition. Erased with the roll.
    identity_salt = models.CharField(max_length=64, default=new_salt, editable=False)
    # Envelopes and paper entries are sealed with a key derived from PESEL_HASH_KEY and this
    # salt; it is erased once the last envelope is in the ballot box, so no copy of the database
    # (backup, WAL archive, dead tuples) can ever be opened again.
    envelope_salt = models.CharField(max_length=64, default=new_salt, blank=True, editable=False)
    # The ballot box is closed after the end of voting: the tie-lot seed is committed then
    # (its SHA-256 with a nonce is published) and revealed with the results.
    box_closed_at = models.DateTimeField(_("urna zamknięta"), null=True, blank=True)
    tie_seed = models.BigIntegerField(null=True, blank=True, editable=False)
    tie_seed_nonce = models.CharField(max_length=32, blank=True, editable=False)
    tie_seed_commitment = models.CharField(max_length=64, blank=True, editable=False)
    roll_purged_at = models.DateTimeField(null=True, blank=True, editable=False)

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


class VoterRollEntry(models.Model):
    """One person who has voted in an edition, in any channel.

    Two unique keys per edition decide one person, one vote across channels: the person key
    (normalised name, date of birth, sex) always, and the PESEL key when a PESEL was given. An
    account casts one online ballot per edition; a phone number confirms at most
    ``VOTING_BALLOTS_PER_PHONE`` (its slots). No time finer than the day, a random key: nothing
    here orders or dates a cast more finely than the physical order of the table already does.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey("budget.Edition", on_delete=models.PROTECT, related_name="+")
    person_key = models.CharField(max_length=64)
    pesel_key = models.CharField(max_length=64, blank=True)
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
    phone_key = models.CharField(max_length=64, blank=True)
    phone_slot = models.PositiveSmallIntegerField(null=True, blank=True)
    address_key = models.CharField(max_length=64, blank=True)
    minor_without_guardian = models.BooleanField(default=False)
    voted_on = models.DateField()

    class Meta:
        verbose_name = _("wpis w spisie głosujących")
        verbose_name_plural = _("spis głosujących")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "person_key"], name="voting_roll_one_person_one_vote"
            ),
            models.UniqueConstraint(
                fields=["edition", "pesel_key"],
                condition=~models.Q(pesel_key=""),
                name="voting_roll_one_pesel_one_vote",
            ),
            models.UniqueConstraint(
                fields=["edition", "user"],
                condition=models.Q(user__isnull=False),
                name="voting_roll_one_online_ballot_per_account",
            ),
            models.UniqueConstraint(
                fields=["edition", "phone_key", "phone_slot"],
                condition=~models.Q(phone_key=""),
                name="voting_roll_phone_slots",
            ),
        ]
        indexes = [
            models.Index(fields=["edition", "district", "channel"], name="voting_roll_turnout")
        ]

    def __str__(self) -> str:
        return f"{self.edition_id}: {self.channel}"


class Envelope(models.Model):
    """A cast ballot waiting for the mixer: written with the roll mark, in the same transaction,
    so nothing is lost; its only content is sealed (AES-GCM with a key that is not in the
    database), and it is deleted when the mixer puts the ballot in the box."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey("budget.Edition", on_delete=models.PROTECT, related_name="+")
    sealed = models.TextField()

    def __str__(self) -> str:
        return str(self.id)


class VotingExtension(BaseModel):
    """An extension of the end of voting (an outage, say), published with its reason. The end
    can only move later, and only while voting is open."""

    edition = models.ForeignKey(
        "budget.Edition", on_delete=models.PROTECT, related_name="voting_extensions"
    )
    previous_end = models.DateTimeField(_("poprzedni koniec"))
    new_end = models.DateTimeField(_("nowy koniec"))
    reason = models.TextField(_("powód"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["edition", "new_end"]

    def __str__(self) -> str:
        return f"{self.edition_id}: {self.new_end}"


class IdentityClaim(models.Model):
    """Which person an account said it was at the identity step (keys only, one row per account
    and person): many people from one account is a pattern the commission reviews."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey("budget.Edition", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person_key = models.CharField(max_length=64)
    address_key = models.CharField(max_length=64, blank=True)
    claimed_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "user", "person_key"], name="voting_claim_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.person_key[:8]}"


class CastCode(BaseModel):
    """The one-time SMS code that confirms one cast: bound to the account, the edition and the
    person at the identity step; only its keyed hash is kept, and it is deleted by the cast."""

    edition = models.ForeignKey("budget.Edition", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    person_key = models.CharField(max_length=64)
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.edition_id}"


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
    """A ballot in the box. Deliberately NOT a BaseModel: no creation time, no sequence, no link
    to the roll, a user or its receipt code; written by the mixer in shuffled order. Age band and
    sex only where the voter agreed to publish them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey("budget.Edition", on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey(
        "territory.District", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(
        max_length=8, choices=BallotStatus.choices, default=BallotStatus.VALID
    )
    age_band = models.CharField(max_length=6, choices=AgeBand.choices, blank=True)
    sex = models.CharField(max_length=1, choices=[("F", "F"), ("M", "M")], blank=True)

    class Meta:
        verbose_name = _("karta do głosowania")
        verbose_name_plural = _("karty do głosowania")

    def __str__(self) -> str:
        return str(self.id)


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
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person_key = models.CharField(max_length=64, blank=True)
    phone_key = models.CharField(max_length=64, blank=True)
    address_key = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("odmowa oddania głosu")
        verbose_name_plural = _("odmowy oddania głosu")

    def __str__(self) -> str:
        return f"{self.channel}: {self.reason}"


class CardStatus(models.TextChoices):
    AWAITING_SECOND = "awaiting_second", _("czeka na drugie wprowadzenie")
    MISMATCH = "mismatch", _("wprowadzenia się różnią: do rozstrzygnięcia przez komisję")
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
    # A keyed hash of the receipt code printed on the card's tear-off stub: a second card with
    # the same stub (a photocopy) is refused at keying. Receipts never join ballots.
    receipt_key = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["point", "number"]
        verbose_name = _("karta papierowa")
        verbose_name_plural = _("karty papierowe")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="voting_card_number_unique"),
            models.UniqueConstraint(
                fields=["edition", "receipt_key"],
                condition=~models.Q(receipt_key=""),
                name="voting_card_receipt_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class EntryRole(models.TextChoices):
    TYPIST = "typist", _("wprowadzenie w punkcie")
    COMMISSION = "commission", _("wprowadzenie komisji (punkt zamknięty)")
    ADJUDICATION = "adjudication", _("wprowadzenie rozstrzygające komisji")


class PaperEntry(BaseModel):
    """One keying of a paper card. The identity is kept as roll keys; the choices, the receipt
    code and the statistics are sealed (like an envelope) and erased once the card is settled,
    so no table ever keeps a person's keys beside readable votes."""

    card = models.ForeignKey(PaperCard, on_delete=models.CASCADE, related_name="entries")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=12, choices=EntryRole.choices, default=EntryRole.TYPIST)
    person_key = models.CharField(max_length=64)
    pesel_key = models.CharField(max_length=64, blank=True)
    address_key = models.CharField(max_length=64, blank=True)
    district = models.ForeignKey("territory.District", on_delete=models.PROTECT, related_name="+")
    document_checked = models.BooleanField(default=False)
    document_kind = models.CharField(max_length=12, choices=DocumentKind.choices, blank=True)
    sealed = models.TextField(blank=True)
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


class Count(BaseModel):
    """One count of an edition (every pool). Before publication a count may be repeated (the
    committed seed gives the same result); the published one becomes version 1; afterwards only
    a correction publishes a new version with its reason, and the old one stays visible."""

    edition = models.ForeignKey("budget.Edition", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    witnesses = models.TextField(blank=True)
    receipts_sha256 = models.CharField(max_length=64)
    receipts_counted = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["edition", "number"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="voting_count_number"),
            models.UniqueConstraint(
                fields=["edition", "version"],
                condition=models.Q(version__isnull=False),
                name="voting_count_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition_id}#{self.number}"


class PoolResult(BaseModel):
    """The stored count of one pool: rule, options, package version and SHA-256 of the input."""

    count = models.ForeignKey(Count, on_delete=models.CASCADE, related_name="pool_results")
    pool = models.ForeignKey("budget.Pool", on_delete=models.PROTECT, related_name="results")
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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["count", "pool"], name="voting_result_once_per_count")
        ]

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


class BallotReceipt(models.Model):
    """The receipt code of a ballot in the box, written by the mixer in an order shuffled apart
    from the ballots' and with no link to them: it proves a ballot went in, never what it says.
    Public once the results are published."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    edition = models.ForeignKey("budget.Edition", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=14)

    class Meta:
        ordering = ["edition", "code"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="voting_receipt_code_unique")
        ]

    def __str__(self) -> str:
        return self.code
