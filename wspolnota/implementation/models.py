"""Implementation of the participatory budget's winning projects ("realizacja projektów BO").

Each winning ``budget.Project`` gets one ``Implementation``: its status, progress, actual cost
against the project's estimate, the responsible city unit, dated milestones, photos (with the
alternative text that screen-reader users need) and a public log of updates. Residents may follow
an implementation and are told of every public update.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wspolnota.core.models import BaseModel

MONEY = {"max_digits": 14, "decimal_places": 2}


class ImplementationStatus(models.TextChoices):
    PLANNED = "planned", _("zaplanowany")
    DESIGN = "design", _("projektowanie")
    PROCUREMENT = "procurement", _("zamówienie publiczne")
    IN_PROGRESS = "in_progress", _("w realizacji")
    COMPLETED = "completed", _("zrealizowany")
    CANCELLED = "cancelled", _("odstąpiono od realizacji")
    MERGED = "merged", _("połączony z innym zadaniem")


IS = ImplementationStatus
# Statuses after which nothing changes any more (a mistake is corrected by an administrator).
FINAL_STATUSES = frozenset({IS.COMPLETED, IS.CANCELLED, IS.MERGED})
# Where each status may go next. Work may go back a step (a failed tender returns to design).
TRANSITIONS: dict[str, frozenset[str]] = {
    IS.PLANNED: frozenset({IS.DESIGN, IS.PROCUREMENT, IS.IN_PROGRESS, IS.CANCELLED, IS.MERGED}),
    IS.DESIGN: frozenset({IS.PLANNED, IS.PROCUREMENT, IS.IN_PROGRESS, IS.CANCELLED, IS.MERGED}),
    IS.PROCUREMENT: frozenset({IS.DESIGN, IS.IN_PROGRESS, IS.CANCELLED, IS.MERGED}),
    IS.IN_PROGRESS: frozenset({IS.PROCUREMENT, IS.COMPLETED, IS.CANCELLED, IS.MERGED}),
    IS.COMPLETED: frozenset(),
    IS.CANCELLED: frozenset(),
    IS.MERGED: frozenset(),
}


class Implementation(BaseModel):
    project = models.OneToOneField(
        "budget.Project",
        verbose_name=_("projekt"),
        on_delete=models.PROTECT,
        related_name="implementation",
    )
    # Copied from the project when opened, so that lists filter on indexed columns of one table.
    edition = models.ForeignKey(
        "budget.Edition", verbose_name=_("edycja"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "territory.District",
        verbose_name=_("dzielnica"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Puste: projekt ogólnomiejski."),
    )
    status = models.CharField(
        _("stan realizacji"),
        max_length=20,
        choices=ImplementationStatus.choices,
        default=IS.PLANNED,
    )
    progress = models.PositiveSmallIntegerField(_("zaawansowanie (%)"), default=0)
    estimated_cost = models.DecimalField(_("koszt szacunkowy (zł)"), **MONEY)
    actual_cost = models.DecimalField(_("koszt rzeczywisty (zł)"), **MONEY, null=True, blank=True)
    responsible_unit = models.ForeignKey(
        "accounts.CityUnit",
        verbose_name=_("jednostka realizująca"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("powód odstąpienia od realizacji"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("połączony z zadaniem"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    completed_on = models.DateField(_("data zakończenia"), null=True, blank=True)
    followers_count = models.PositiveIntegerField(_("liczba obserwujących"), default=0)

    class Meta:
        ordering = ["edition", "project__pool", "project__sequence", "id"]
        verbose_name = _("realizacja projektu")
        verbose_name_plural = _("realizacje projektów")
        indexes = [
            models.Index(fields=["edition", "status"], name="impl_edition_status"),
            models.Index(fields=["district", "status"], name="impl_district_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100), name="impl_progress_range"
            ),
            models.CheckConstraint(
                condition=Q(actual_cost__isnull=True) | Q(actual_cost__gte=0),
                name="impl_actual_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="impl_cancelled_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="impl_merged_has_target",
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def cost_difference(self) -> Decimal | None:
        if self.actual_cost is None:
            return None
        return self.actual_cost - self.estimated_cost

    @property
    def cost_over(self) -> Decimal | None:
        """How much more than estimated it cost (None when not more, or not known)."""
        diff = self.cost_difference
        return diff if diff is not None and diff > 0 else None

    @property
    def cost_under(self) -> Decimal | None:
        diff = self.cost_difference
        return -diff if diff is not None and diff < 0 else None


class Milestone(BaseModel):
    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="milestones"
    )
    description = models.CharField(_("opis etapu"), max_length=300)
    planned_date = models.DateField(_("data planowana"))
    actual_date = models.DateField(_("data faktyczna"), null=True, blank=True)

    class Meta:
        ordering = ["implementation", "planned_date", "id"]
        verbose_name = _("etap realizacji")
        verbose_name_plural = _("etapy realizacji")

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.actual_date is not None


def photo_path(instance: Photo, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"implementation/{instance.implementation_id}/{instance.token}.{extension}"


class Photo(BaseModel):
    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="photos"
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    image = models.ImageField(_("zdjęcie"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=50)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    alt_text = models.CharField(
        _("tekst alternatywny"),
        max_length=300,
        help_text=_("Co widać na zdjęciu — dla osób, które go nie widzą."),
    )
    caption = models.CharField(_("podpis"), max_length=300, blank=True)
    taken_on = models.DateField(_("data zdjęcia"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["implementation", "created_at", "id"]
        verbose_name = _("zdjęcie z realizacji")
        verbose_name_plural = _("zdjęcia z realizacji")
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="impl_photo_alt_required"),
        ]

    def __str__(self) -> str:
        return self.alt_text


class UpdateKind(models.TextChoices):
    OPENED = "opened", _("rozpoczęcie śledzenia realizacji")
    CHANGE = "change", _("zmiana stanu realizacji")
    NOTE = "note", _("informacja")
    MILESTONE = "milestone", _("etap")
    PHOTO = "photo", _("zdjęcie")


class Update(BaseModel):
    """One entry of the public log: what changed (field → [before, after]) and a note.

    The official's name is not published; the responsible unit is, as the city's own pages do.
    """

    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="updates"
    )
    kind = models.CharField(_("rodzaj"), max_length=20, choices=UpdateKind.choices)
    changes = models.JSONField(_("zmiany"), default=dict, blank=True)
    note = models.TextField(_("informacja"), blank=True)
    unit_label = models.CharField(_("jednostka"), max_length=250, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["implementation", "-created_at", "-id"]
        verbose_name = _("aktualizacja realizacji")
        verbose_name_plural = _("aktualizacje realizacji")
        indexes = [
            models.Index(fields=["implementation", "-created_at"], name="impl_update_recent")
        ]

    def __str__(self) -> str:
        return f"{self.implementation_id}: {self.get_kind_display()}"


class Follow(BaseModel):
    implementation = models.ForeignKey(
        Implementation, on_delete=models.CASCADE, related_name="follows"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="implementation_follows"
    )

    class Meta:
        verbose_name = _("obserwowanie realizacji")
        verbose_name_plural = _("obserwowane realizacje")
        constraints = [
            models.UniqueConstraint(fields=["implementation", "user"], name="impl_follow_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.implementation_id}"
