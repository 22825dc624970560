"""A school's own participatory budget (issue 22) and the single-use class codes it votes with.

Two parts:

* **Class codes** (``CodeBox``, ``CodeGroup``, ``CodeSheet``, ``VoteCode``, ``CodeEnvelope``,
  ``CodeBallot``): a generic, identity-free ballot box. A code is stored only as a keyed hash, it
  names only its class (``CodeGroup``), and a cast writes a sealed envelope, never a ballot; the
  mixer turns envelopes into ballots in a random order with random keys. Nothing here has a time
  or a sequence that could tie a ballot to a code. Youth consultations and the Youth Council's
  elections use the same box (``kind``) through ``schools.codes``.
* **The school's budget** (``School``, ``SchoolMember``, ``SchoolEdition``, ``Idea``,
  ``SchoolResult``): registered by its coordinator, confirmed by the education unit, ideas keyed
  by teachers and checked by the school's panel, counted by ``votecount``.

No table holds a pupil's name, e-mail or date of birth.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import BaseModel


def new_salt() -> str:
    return secrets.token_hex(32)


class BoxKind(models.TextChoices):
    SCHOOL_BUDGET = "school_budget", _("szkolny budżet obywatelski")
    YOUTH_CONSULTATION = "youth_consultation", _("konsultacje młodzieżowe")
    YOUTH_COUNCIL = "youth_council", _("wybory do Młodzieżowej Rady")


class CodeBox(BaseModel):
    """A vote by single-use codes: its window, its key salts (the code hashes' and the envelope
    seal's) and its classes."""

    kind = models.CharField(_("rodzaj"), max_length=30, choices=BoxKind.choices)
    title = models.CharField(_("tytuł"), max_length=200)
    opens_at = models.DateTimeField(_("głosowanie od"))
    closes_at = models.DateTimeField(_("głosowanie do"))
    code_salt = models.CharField(max_length=64, default=new_salt, editable=False)
    envelope_salt = models.CharField(max_length=64, default=new_salt, editable=False, blank=True)
    closed = models.BooleanField(_("urna zamknięta"), default=False)

    class Meta:
        verbose_name = _("urna kodów jednorazowych")
        verbose_name_plural = _("urny kodów jednorazowych")

    def __str__(self) -> str:
        return self.title


class CodeGroup(BaseModel):
    """A class (or a group) that receives codes: only its label, never its pupils."""

    box = models.ForeignKey(CodeBox, on_delete=models.CASCADE, related_name="groups")
    label = models.CharField(_("klasa"), max_length=40)

    class Meta:
        ordering = ["label"]
        verbose_name = _("klasa")
        verbose_name_plural = _("klasy")
        constraints = [
            models.UniqueConstraint(fields=["box", "label"], name="schools_one_group_label"),
        ]

    def __str__(self) -> str:
        return self.label


class CodeSheet(BaseModel):
    """One printed sheet of cut-out cards for a class. A lost sheet is voided: its codes are
    refused from then on, and a new sheet is printed."""

    group = models.ForeignKey(CodeGroup, on_delete=models.CASCADE, related_name="sheets")
    number = models.PositiveIntegerField(_("numer arkusza"))
    size = models.PositiveIntegerField(_("liczba kodów"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voided_at = models.DateTimeField(_("unieważniony"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(_("powód unieważnienia"), max_length=300, blank=True)

    class Meta:
        ordering = ["group__label", "number"]
        verbose_name = _("arkusz kodów")
        verbose_name_plural = _("arkusze kodów")
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="schools_one_sheet_number"),
        ]

    def __str__(self) -> str:
        return f"{self.group.label} / {self.number}"


class VoteCode(models.Model):
    """A single-use code: its keyed hash (HMAC with ``PESEL_HASH_KEY`` and the box's salt), its
    sheet (so its class) and whether it was used. No time, no order of use."""

    box = models.ForeignKey(CodeBox, on_delete=models.CASCADE, related_name="codes")
    sheet = models.ForeignKey(CodeSheet, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["box", "code_hash"], name="schools_one_code_hash"),
        ]

    def __str__(self) -> str:
        return f"code {self.pk}"


class CodeEnvelope(models.Model):
    """A sealed cast waiting for the mixer: only its box and the AES-GCM text."""

    box = models.ForeignKey(CodeBox, on_delete=models.CASCADE, related_name="envelopes")
    sealed = models.TextField()

    def __str__(self) -> str:
        return f"envelope {self.pk}"


class CodeBallot(models.Model):
    """A ballot in the box, written by the mixer in a random order with a random key: no code,
    no class, no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    box = models.ForeignKey(CodeBox, on_delete=models.CASCADE, related_name="ballots")
    content = models.JSONField()

    def __str__(self) -> str:
        return f"ballot {self.pk}"


class InstitutionKind(models.TextChoices):
    SCHOOL = "school", _("szkoła")
    YOUTH_CENTRE = "youth_centre", _("młodzieżowy dom kultury")
    LIBRARY = "library", _("biblioteka")


class SchoolStatus(models.TextChoices):
    PENDING = "pending", _("czeka na potwierdzenie")
    CONFIRMED = "confirmed", _("potwierdzona")
    REFUSED = "refused", _("odrzucona")


class School(BaseModel):
    """A school, youth centre or library that runs its own budget. Registered by its
    coordinator; confirmed by the city's education unit (``SCHOOLS_EDUCATION_UNIT``)."""

    name = models.CharField(_("nazwa"), max_length=200)
    kind = models.CharField(
        _("rodzaj"), max_length=20, choices=InstitutionKind.choices, default=InstitutionKind.SCHOOL
    )
    location = models.CharField(_("ulica i numer"), max_length=200)
    unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka oświaty"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SchoolStatus.choices, default=SchoolStatus.PENDING
    )
    decision_reason = models.CharField(_("uzasadnienie"), max_length=500, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("szkoła")
        verbose_name_plural = _("szkoły")

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    COORDINATOR = "coordinator", _("koordynator")
    PANEL = "panel", _("szkolny zespół")


class SchoolMember(BaseModel):
    """A teacher (an adult with an account) who coordinates the school's budget or sits on its
    panel. Pupils have no accounts."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="school_memberships"
    )
    role = models.CharField(_("rola"), max_length=20, choices=MemberRole.choices)

    class Meta:
        verbose_name = _("członek zespołu szkoły")
        verbose_name_plural = _("członkowie zespołu szkoły")
        constraints = [
            models.UniqueConstraint(fields=["school", "user"], name="schools_one_membership"),
        ]


class SchoolBallotKind(models.TextChoices):
    APPROVAL = "approval", _("zaznacz pomysły, które ci się podobają")
    KRAKOW = "krakow", _("ranking jak w Krakowie: 3, 2 i 1 punkt")


class SchoolRule(models.TextChoices):
    GREEDY = "greedy", _("najwięcej głosów po kolei, dopóki starcza pieniędzy")
    EQUAL_SHARES = "equalshares", _("metoda równych udziałów")


class SchoolEdition(BaseModel):
    """A small budget edition of one school: the amount, the phases, the ballot and the rule."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="editions")
    title = models.CharField(_("tytuł"), max_length=200)
    amount = models.DecimalField(_("kwota (zł)"), max_digits=10, decimal_places=2)
    ballot_kind = models.CharField(
        _("karta do głosowania"),
        max_length=20,
        choices=SchoolBallotKind.choices,
        default=SchoolBallotKind.APPROVAL,
    )
    approval_max = models.PositiveSmallIntegerField(_("najwięcej wybranych pomysłów"), default=3)
    counting_rule = models.CharField(
        _("sposób liczenia"), max_length=20, choices=SchoolRule.choices, default=SchoolRule.GREEDY
    )
    ideas_from = models.DateTimeField(_("zgłaszanie pomysłów od"))
    ideas_until = models.DateTimeField(_("zgłaszanie pomysłów do"))
    checking_until = models.DateTimeField(_("sprawdzanie pomysłów do"))
    box = models.OneToOneField(CodeBox, on_delete=models.PROTECT, related_name="school_edition")
    published_at = models.DateTimeField(_("wyniki opublikowane"), null=True, blank=True)

    class Meta:
        ordering = ["-ideas_from"]
        verbose_name = _("edycja szkolnego budżetu")
        verbose_name_plural = _("edycje szkolnego budżetu")

    def __str__(self) -> str:
        return f"{self.school.name}: {self.title}"


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", _("czeka na sprawdzenie")
    ACCEPTED = "accepted", _("na karcie do głosowania")
    REJECTED = "rejected", _("odrzucony")


class Idea(BaseModel):
    """A pupils' idea, keyed by a teacher (from paper or a class computer). It names a class at
    most, never a pupil."""

    edition = models.ForeignKey(SchoolEdition, on_delete=models.CASCADE, related_name="ideas")
    number = models.PositiveIntegerField(_("numer"))
    title = models.CharField(_("tytuł"), max_length=200)
    description = models.TextField(_("opis"), max_length=3000)
    cost = models.DecimalField(_("koszt (zł)"), max_digits=10, decimal_places=2)
    class_label = models.CharField(_("klasa zgłaszająca"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.SUBMITTED
    )
    reason = models.TextField(_("uzasadnienie"), max_length=2000, blank=True)
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("pomysł")
        verbose_name_plural = _("pomysły")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="schools_one_idea_number"),
            models.CheckConstraint(condition=models.Q(cost__gte=0), name="schools_idea_cost_ge_0"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class SchoolResult(BaseModel):
    """The published count, frozen: what votecount said, with the numbers to recount it."""

    edition = models.OneToOneField(SchoolEdition, on_delete=models.CASCADE, related_name="result")
    rule = models.CharField(max_length=40)
    options = models.JSONField(default=dict)
    votecount_version = models.CharField(max_length=20)
    input_sha256 = models.CharField(max_length=64)
    ballots = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    selected = models.JSONField(default=list)
    tally = models.JSONField(default=dict)
    explanations = models.JSONField(default=dict)
    ties = models.JSONField(default=list)
