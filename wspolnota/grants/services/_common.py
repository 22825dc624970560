"""Shared helpers of the grants writes: validation, snapshots, the audit entry, permission and
state checks, and ``_change_state`` - the one "lock the row, check the state, change it, audit it"
helper."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.functional import Promise

from wspolnota.accounts.models import User
from wspolnota.communication.notifications import notify
from wspolnota.communication.rendering import render_template_email
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.grants import errors
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    Application,
    ProgrammeKind,
)
from wspolnota.organisations.models import (
    MembershipRole,
)

NUMBER_PREFIX: dict[str, str] = {
    ProgrammeKind.MICRO_GRANT: "MG",
    ProgrammeKind.LOCAL_INITIATIVE: "IL",
    ProgrammeKind.SMALL_GRANT: "MZ",
    ProgrammeKind.OPEN_COMPETITION: "OK",
}


def _validate(obj: Any, *, exclude: list[str] | None = None) -> None:
    """``full_clean()`` whose errors become a GrantsError naming the first bad field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise GrantsError(
            " ".join(messages), field=None if field == NON_FIELD_ERRORS else field
        ) from None


def _snapshot(obj: Any) -> dict[str, Any]:
    """The core snapshot, with file fields written as their stored names (the core one cannot
    serialise them)."""
    file_fields = [f for f in obj._meta.concrete_fields if isinstance(f, models.FileField)]
    data = snapshot(
        obj,
        fields=[f.name for f in obj._meta.concrete_fields if f not in file_fields],
    )
    for field in file_fields:
        data[field.name] = getattr(obj, field.name).name or ""
    return data


def _audit(
    actor: User | None,
    action: str,
    obj: Any,
    before: dict[str, Any] | None,
    *,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the audit entry of a change: the object's snapshot before and after (with any
    extra facts), by whom and why. The one place every state change of the app is logged."""
    after = _snapshot(obj)
    if extra:
        after.update(json.loads(json.dumps(extra, default=str)))
    audit_log_append(actor=actor, action=action, obj=obj, before=before, after=after, reason=reason)


def _deny(allowed: bool) -> None:
    if not allowed:
        raise GrantsError(errors.NOT_ALLOWED, code="not_allowed")


def _change_state(
    obj: Any,
    *,
    actor: User | None,
    action: str,
    allowed: Collection[str],
    error: str | Promise,
    code: str,
    changes: dict[str, Any],
    reason: str = "",
) -> None:
    """The state transition of one row, written once: check ``obj.status`` is one of ``allowed``
    (raising ``error``/``code`` if not), then in one transaction lock the row, check the locked
    status again (a concurrent change wins), apply ``changes``, save those fields and write the
    audit entry with the snapshot before and after."""
    if obj.status not in allowed:
        raise GrantsError(error, code=code)
    with transaction.atomic():
        locked = (
            type(obj).objects.select_for_update().values_list("status", flat=True).get(pk=obj.pk)
        )
        if locked not in allowed:
            raise GrantsError(error, code=code)
        before = _snapshot(obj)
        for field, value in changes.items():
            setattr(obj, field, value)
        obj.save(update_fields=[*changes, "updated_at"])
        _audit(actor, action, obj, before, reason=reason)


def _first(problems: Sequence[GrantsError]) -> None:
    if problems:
        raise problems[0]


# --- programmes -----------------------------------------------------------------------------------


def _notify_applicant(
    application: Application,
    *,
    event: str,
    note: str = "",
    key: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Tell the applicant's representatives: by e-mail those with an account, and one without
    (whose application a clerk keyed in from paper) the way they chose — a letter, a voice call
    or an SMS (``reply_to_person``), so that a decision reaches them as the question came."""
    memberships = application.applicant.memberships.select_related("user").filter(
        role=MembershipRole.REPRESENTATIVE
    )
    context = {"application": application, "event": event, "note": note, **(extra or {})}
    for membership in memberships:
        once = f"grants.{event}:{application.pk}:{key}:{membership.user_id}" if key else None
        if membership.user.kept_by_city:
            _reply_to_person(
                membership.user,
                kind=f"grants.{event}",
                subject_template="grants/email/application_subject.txt",
                body_template="grants/email/application_body.txt",
                context=context,
                key=once,
            )
            continue
        notify(
            recipient=membership.user,
            kind=f"grants.{event}",
            subject_template="grants/email/application_subject.txt",
            body_template="grants/email/application_body.txt",
            context=context,
            key=once,
        )


def _reply_to_person(
    person: User,
    *,
    kind: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    key: str | None,
) -> None:
    """Render a notice in the person's language and send it by their chosen channel."""
    from django.conf import settings

    from wspolnota.communication.services import reply_to_person

    rendered = render_template_email(
        subject_template=subject_template,
        body_template=body_template,
        context={"recipient": person, "site_url": settings.SITE_URL, "kind": kind, **context},
        language=person.preferred_language,
    )
    application = context.get("application")
    reply_to_person(
        person=person,
        subject=rendered.subject,
        body=rendered.text,
        kind=kind,
        key=key,
        # the letter goes out from the unit running the call
        sender_unit=application.call.city_unit if application is not None else None,
    )


def _touch(person: User) -> None:
    """A clerk acted for the person: the retention period of one without an account restarts."""
    from wspolnota.accounts.services import person_touch

    person_touch(person=person)
