"""Helpers shared by the community writes: the domain error for a refusal, model validation
turned into a domain error, telling a person (``_tell``), "already done" errors said to the
resident or the clerk, and the audit entry for an act a clerk did for a person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from wspolnota.accounts.models import CityUnit
from wspolnota.communication.notifications import notify
from wspolnota.community import errors
from wspolnota.community.errors import CommunityError
from wspolnota.core.onbehalf import OnBehalf
from wspolnota.core.services import audit_log_append, snapshot

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def _deny() -> CommunityError:
    return CommunityError(errors.NOT_ALLOWED, code="permission_denied")


def _validation_to_domain(exc: ValidationError) -> CommunityError:
    """The first message of a model validation error, on the field it concerns."""
    if hasattr(exc, "error_dict"):
        name, messages = next(iter(exc.error_dict.items()))
        text = " ".join(str(m) for e in messages for m in e.messages)
        return CommunityError(text, field=None if name == "__all__" else name)
    return CommunityError(" ".join(exc.messages))


def _tell(
    person: User,
    *,
    kind: str,
    template: str,
    context: dict[str, Any],
    key: str | None = None,
    unit: CityUnit | None = None,
) -> None:
    """Tell a person about their place: by e-mail to an account holder (``notify``), and to a
    person without an account the way they chose when a clerk wrote them down — a letter, a
    voice call or an SMS (``reply_to_person``). ``template`` names the pair
    ``<template>_subject.txt`` / ``<template>.txt``."""
    if unit is None:
        # The letter goes out from the unit running the place it is about.
        place = (
            context.get("place")
            or getattr(context.get("event"), "place", None)
            or getattr(context.get("offer"), "place", None)
        )
        unit = getattr(place, "city_unit", None)
    notify(
        recipient=person,
        kind=kind,
        subject_template=f"{template}_subject.txt",
        body_template=f"{template}.txt",
        context=context,
        key=key,
        sender_unit=unit,
    )


_ALREADY = {
    "already_registered": (errors.EVENT_ALREADY_REGISTERED, errors.PERSON_ALREADY_REGISTERED),
    "already_signed_up": (errors.ACTIVITY_ALREADY_SIGNED_UP, errors.PERSON_ALREADY_SIGNED_UP),
    "already_applied": (errors.ALREADY_APPLIED, errors.PERSON_ALREADY_APPLIED),
}


def _already(on_behalf: OnBehalf | None, code: str) -> CommunityError:
    """ "Already done" — said to the resident online, or about the person to the clerk."""
    online, for_person = _ALREADY[code]
    return CommunityError(for_person if on_behalf else online, code=code)


def _clerk_act(
    on_behalf: OnBehalf | None, *, action: str, obj: Any, before: dict[str, Any] | None = None
) -> None:
    """Audit-log an act a clerk did for a person (acts people do themselves online are not)."""
    if on_behalf is None:
        return
    audit_log_append(
        actor=on_behalf.clerk,
        action=action,
        obj=obj,
        before=before,
        after={**snapshot(obj), "channel": str(on_behalf.channel)},
    )
