"""Fixed vocabularies of the communication app: channels, topics, groups, urgency.

Topics and groups are stored as bit masks on notices and subscriptions, so that "does this
subscriber follow any of the notice's topics" is one integer AND in the database, on SQLite and
PostgreSQL alike, even for a hundred thousand subscribers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    VOICE = "voice", _("telefon (nagranie głosowe)")
    LETTER = "letter", _("list papierowy")


# Channels the city pays for per recipient: a notice using them needs the budget of a city unit
# and, unless an official of that unit publishes it, their approval.
PAID_CHANNELS = frozenset({Channel.SMS, Channel.VOICE, Channel.LETTER})

# Channels that may wake people up: no messages in quiet hours unless the notice is urgent.
QUIET_CHANNELS = frozenset({Channel.SMS, Channel.VOICE})


class Topic(models.TextChoices):
    BUDGET = "budget", _("budżet obywatelski")
    CONSULTATIONS = "consultations", _("konsultacje społeczne")
    SENIORS = "seniors", _("seniorzy")
    YOUTH = "youth", _("młodzież")
    CULTURE = "culture", _("kultura")
    SAFETY = "safety", _("bezpieczeństwo")
    ROADS = "roads", _("drogi i komunikacja")
    ENVIRONMENT = "environment", _("zieleń i środowisko")
    GRANTS = "grants", _("granty i inicjatywy lokalne")
    COUNCILS = "councils", _("rady dzielnic")


class Group(models.TextChoices):
    SENIORS = "seniors", _("seniorzy")
    FAMILIES = "families", _("rodziny z dziećmi")
    NGOS = "ngos", _("organizacje pozarządowe")
    MIGRANTS = "migrants", _("migranci")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("zwykłe")
    IMPORTANT = "important", _("ważne")
    URGENT = "urgent", _("pilne (także w godzinach ciszy nocnej)")


class AuthorKind(models.TextChoices):
    OFFICIAL = "official", _("Urząd Miasta")
    DISTRICT_COUNCIL = "district_council", _("rada dzielnicy")
    NGO = "ngo", _("organizacja pozarządowa")


class Scope(models.TextChoices):
    CITY = "city", _("całe miasto")
    DISTRICTS = "districts", _("wybrane dzielnice")
    AREA = "area", _("obszar na mapie")


def to_mask(codes: Iterable[str], choices: type[models.TextChoices]) -> int:
    """Bit mask of the given codes, bit i standing for the i-th choice."""
    values = list(choices.values)
    mask = 0
    for code in codes:
        mask |= 1 << values.index(code)
    return mask


def from_mask(mask: int, choices: type[models.TextChoices]) -> list[str]:
    return [code for i, code in enumerate(choices.values) if mask & (1 << i)]


def labels_for(mask: int, choices: type[models.TextChoices]) -> list[str]:
    labels = dict(choices.choices)
    return [str(labels[code]) for code in from_mask(mask, choices)]
