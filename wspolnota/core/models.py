"""Base model and the append-only, hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wspolnota.core.onbehalf import Channel


class BaseModel(models.Model):
    """Every domain model records when it was created and last changed (aware datetimes)."""

    created_at = models.DateTimeField(_("utworzono"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("zmieniono"), auto_now=True)

    class Meta:
        abstract = True


class ActChannel(models.Model):
    """An act a resident does, online or through a clerk (see ``core.onbehalf``): the channel it
    came by and the clerk who keyed it (``None`` when the person did it themself). Declare
    ``keyed_by`` in the app's ``personaldata.py`` under ``official_fields``."""

    channel = models.CharField(
        _("kanał"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("wprowadził(a) urzędnik"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


GENESIS_HASH = "0" * 64


class AuditLogEntry(models.Model):
    """One state change made by an official (or the system), never edited, never deleted.

    Each entry stores the hash of the previous one and its own hash over its content, so any
    later edit, deletion or insertion in the middle breaks the chain and is found by
    ``selectors.audit_chain_verify``. The unique constraint on ``prev_hash`` forbids forks.
    Database triggers (see migration 0002) refuse UPDATE and DELETE on the table.
    """

    created_at = models.DateTimeField(_("kiedy"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kto"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("opis wykonawcy"), max_length=200)
    action = models.CharField(_("czynność"), max_length=100, db_index=True)
    object_type = models.CharField(_("rodzaj obiektu"), max_length=100, db_index=True)
    object_id = models.CharField(_("identyfikator obiektu"), max_length=64, db_index=True)
    object_repr = models.CharField(_("obiekt"), max_length=300)
    before = models.JSONField(_("przed"), null=True, blank=True)
    after = models.JSONField(_("po"), null=True, blank=True)
    reason = models.TextField(_("uzasadnienie"), blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # Entries written since personal data is kept apart (see AuditPersonalData): the hash of
    # that data (salted), so the chain covers it without holding it. Empty on older entries,
    # whose payload is hashed as it always was.
    personal_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    # (nullable: SQLite adds the column in place, keeping the append-only triggers)

    class Meta:
        ordering = ["id"]
        verbose_name = _("wpis dziennika zdarzeń")
        verbose_name_plural = _("dziennik zdarzeń")
        constraints = [
            models.UniqueConstraint(fields=["prev_hash"], name="audit_chain_no_fork"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Audit log entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit log entries are append-only")

    def canonical_payload(self) -> dict[str, Any]:
        payload = {
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "prev_hash": self.prev_hash,
        }
        if self.personal_digest:
            payload["personal_digest"] = self.personal_digest
        return payload

    def _personal(self) -> AuditPersonalData | None:
        try:
            return self.personal  # type: ignore[no-any-return]
        except AuditPersonalData.DoesNotExist:
            return None

    def who(self) -> str:
        """Who acted, as an auditor reads it: the name kept apart, or the pseudonym once erased."""
        personal = self._personal()
        if personal is not None and personal.actor_label:
            return personal.actor_label
        return self.actor_label

    def what(self) -> str:
        personal = self._personal()
        if personal is not None and personal.object_repr:
            return personal.object_repr
        return self.object_repr

    def shown(self, side: str) -> dict[str, Any] | None:
        """``before`` or ``after`` with the personal values put back where they were kept apart
        (an erased value stays as the placeholder)."""
        data: dict[str, Any] | None = getattr(self, side)
        personal = self._personal()
        if data is None or personal is None:
            return data
        merged = json.loads(json.dumps(data))
        for path, value in personal.values.items():
            head, _sep, key = path.partition(".")
            if head == side and isinstance(merged, dict) and key in merged:
                merged[key] = value
        return merged

    def compute_hash(self) -> str:
        data = json.dumps(self.canonical_payload(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


PERSONAL_PLACEHOLDER = "[dane osobowe]"


class AuditPersonalData(models.Model):
    """The personal data of one audit entry, kept apart from the chain so it can be erased.

    The entry's hashed payload holds only a pseudonym for the actor (``user:<id>``), no object
    description, and a placeholder wherever a before/after value is personal (an e-mail, a
    phone, a name, an address…); the real values are here, with a random salt, and the entry
    carries ``sha256`` over them (``personal_digest``). While the row is whole, the chain check
    proves it unchanged; erasing it (GDPR art. 17, retention) blanks the values and sets
    ``erased_at``, which the chain check accepts only when a ``core.personal_data_erased`` entry
    of the chain names that entry. The chain itself is never rewritten.
    """

    # No database constraint: an entry deleted behind the platform's back (an attack the chain
    # check finds) must not be hidden by a refusal here, nor cascade.
    entry = models.OneToOneField(
        AuditLogEntry,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="personal",
    )
    actor_label = models.CharField(max_length=200, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    values = models.JSONField(default=dict, blank=True)
    salt = models.CharField(max_length=64)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("dane osobowe wpisu dziennika")
        verbose_name_plural = _("dane osobowe wpisów dziennika")

    def __str__(self) -> str:
        return f"#{self.entry_id}"

    def compute_digest(self) -> str:
        return compute_personal_digest(
            salt=self.salt,
            actor_label=self.actor_label,
            object_repr=self.object_repr,
            values=self.values,
        )


def compute_personal_digest(
    *, salt: str, actor_label: str, object_repr: str, values: dict[str, Any]
) -> str:
    data = json.dumps(
        {"salt": salt, "actor_label": actor_label, "object_repr": object_repr, "values": values},
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class DailySendCount(models.Model):
    """How many messages one destination got today at someone's request (codes, links).

    The destination is a keyed hash of the phone number or e-mail address, never the address
    itself, and rows older than yesterday are deleted as new ones are counted
    (``core.ratelimit.send_quota_take``).
    """

    digest = models.CharField(max_length=64)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["digest", "day"], name="daily_send_count_once"),
        ]
        indexes = [models.Index(fields=["day"], name="daily_send_count_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.digest[:8]}… {self.count}"
