"""Acting on behalf of a resident (issue 17): the channel an act came by and the clerk who keyed it.

Everything a resident does online a clerk can do for them at a counter, on the phone, from a
letter or an e-mail. Apps take it in one way:

- an act's model gets the ``channel`` and ``keyed_by`` columns, by inheriting the abstract
  ``wspolnota.core.models.ActChannel`` (or adding ``**channel_fields()``);
- the service doing the act takes ``on_behalf: OnBehalf | None = None`` and the *person*
  (a ``User``; for a person without an account, one with ``kept_by_city``) as the actor, runs
  the same rules as online (deadlines, limits, one per person), checks
  ``accounts.permissions.can_act_for_residents(on_behalf.clerk, city_unit=<the object's unit>)``
  and stores ``**act_fields(on_behalf)``;
- answers go back by ``communication.services.reply_to_person``.

    from wspolnota.core.onbehalf import Channel, OnBehalf
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

__all__ = ["Channel", "OnBehalf", "act_fields", "channel_fields"]


class Channel(models.TextChoices):
    """How an act reached the city."""

    ONLINE = "online", _("przez internet")
    COUNTER = "counter", _("w okienku")
    PHONE = "phone", _("przez telefon")
    POST = "post", _("listownie")
    EMAIL = "email", _("e-mailem")


# The channels on which a clerk keys an act for someone (``ONLINE`` is the person themself).
CLERK_CHANNELS = frozenset({Channel.COUNTER, Channel.PHONE, Channel.POST, Channel.EMAIL})


@dataclass(frozen=True)
class OnBehalf:
    """A clerk doing an act for a person, and the channel the person used."""

    clerk: User
    channel: Channel

    def __post_init__(self) -> None:
        if self.channel not in CLERK_CHANNELS:
            raise ValueError(
                f"an act on behalf comes by counter, phone, post or e-mail, not {self.channel!r}"
            )


def act_fields(on_behalf: OnBehalf | None) -> dict[str, Any]:
    """The ``channel`` and ``keyed_by`` values of an act: online by the person, or keyed by a clerk."""
    if on_behalf is None:
        return {"channel": Channel.ONLINE, "keyed_by": None}
    return {"channel": on_behalf.channel, "keyed_by": on_behalf.clerk}


def channel_fields() -> dict[str, models.Field[Any, Any]]:
    """Fresh ``channel`` and ``keyed_by`` fields, for a model that cannot inherit ``ActChannel``."""
    from django.conf import settings

    return {
        "channel": models.CharField(
            _("kanał"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
        ),
        "keyed_by": models.ForeignKey(
            settings.AUTH_USER_MODEL,
            verbose_name=_("wprowadził(a) urzędnik"),
            null=True,
            blank=True,
            on_delete=models.SET_NULL,
            related_name="+",
        ),
    }
