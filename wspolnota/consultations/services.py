"""Writes of the consultations app. Every change made by an official or moderator is audit-logged."""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.models import CityUnit, ReplyChannel, User
from wspolnota.communication.notifications import notify
from wspolnota.consultations import class_codes, errors, permissions, selectors
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import (
    TEXT_LANGUAGES,
    TRANSLATED_FIELDS,
    Consultation,
    ConsultationChange,
    Document,
    Meeting,
    OpinionMap,
    OpinionMapImport,
    Participant,
    Question,
    Registration,
    Remark,
    Response,
    Section,
    Statement,
    StatementVote,
    Survey,
)
from wspolnota.consultations.opinionmap import pipeline, polis_io
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District
from wspolnota.territory.selectors import district_for_point


def _deny(allowed: bool) -> None:
    if not allowed:
        raise ConsultationsError(errors.NOT_ALLOWED, code="permission_denied")


def _tell(
    *,
    recipient: User,
    kind: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    key: str | None = None,
    sender_unit: CityUnit | None = None,
) -> None:
    """Tell one person: an account holder by the notification (e-mail), a person without an
    account kept by the city the way they chose (letter, voice call, SMS or e-mail) through
    ``communication.services.reply_to_person``, from ``sender_unit`` (the consultation's)."""
    notify(
        recipient=recipient,
        kind=kind,
        subject_template=subject_template,
        body_template=body_template,
        context=context,
        key=key,
        sender_unit=sender_unit,
    )


# --- Consultations -------------------------------------------------------------------------------


def consultation_create(
    *,
    actor: User,
    title: str,
    summary: str,
    initiating_unit: CityUnit,
    legal_basis: str,
    information_from: date,
    starts_on: date,
    ends_on: date,
    forms: list[str],
    languages: list[str],
    citywide: bool = True,
    districts: list[District] | None = None,
    description: str = "",
    contact: str = "",
    expert_hours: str = "",
    **translations: str,
) -> Consultation:
    """An official plans a consultation; it stays a draft until announced.

    ``translations`` are the English and Ukrainian texts (``title_en``, ``summary_uk``, …).
    """
    _deny(permissions.can_create_consultation(actor, unit=initiating_unit))
    if ends_on < starts_on:
        raise ConsultationsError(errors.DATES_ORDER, field="ends_on")
    consultation = Consultation(
        title=title.strip(),
        summary=summary.strip(),
        description=description.strip(),
        initiating_unit=initiating_unit,
        legal_basis=legal_basis.strip(),
        information_from=min(information_from, starts_on),
        starts_on=starts_on,
        ends_on=ends_on,
        forms=sorted(set(forms)),
        languages=sorted(set(languages)) or ["pl"],
        citywide=citywide or not districts,
        contact=contact.strip(),
        expert_hours=expert_hours.strip(),
        created_by=actor,
    )
    for name, value in translations.items():
        if (
            name.rsplit("_", 1)[0] not in TRANSLATED_FIELDS
            or name.rsplit("_", 1)[-1] not in TEXT_LANGUAGES
        ):
            raise TypeError(f"unexpected argument {name}")
        setattr(consultation, name, (value or "").strip())
    consultation.full_clean()
    with transaction.atomic():
        consultation.save()
        if districts and not consultation.citywide:
            consultation.districts.set(districts)
        audit_log_append(
            actor=actor,
            action="consultations.created",
            obj=consultation,
            after=snapshot(consultation),
        )
    return consultation


# Fields whose change after the announcement residents are told about (their plans depend on them).
SCHEDULE_FIELDS = ("information_from", "starts_on", "ends_on", "forms")
CHANGE_REASON_MIN = 20


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def _tell_participants(
    *, consultation: Consultation, change: ConsultationChange, meeting: Meeting | None = None
) -> int:
    """Notify everyone taking part with an account of a change to the consultation's plan."""
    user_ids = selectors.consultation_participant_ids(consultation=consultation)
    if meeting is not None:
        user_ids |= set(meeting.registrations.values_list("user_id", flat=True))
    told = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        _tell(
            recipient=user,
            kind="consultations.changed",
            subject_template="consultations/email/changed_subject.txt",
            body_template="consultations/email/changed.txt",
            context={"consultation": consultation, "change": change, "meeting": meeting},
            key=f"consultations.changed.{change.pk}",
            sender_unit=consultation.initiating_unit,
        )
        told += 1
    return told


def _record_change(
    *,
    actor: User,
    consultation: Consultation,
    obj: Consultation | Meeting,
    action: str,
    audit: tuple[dict[str, Any], dict[str, Any]],
    reason: str,
    problems: list[selectors.RuleProblem],
    at: datetime,
    public: bool,
    fields: list[str],
    before: dict[str, Any],
    after: dict[str, Any],
    tell: bool,
    meeting: Meeting | None = None,
) -> None:
    """Audit-log a change of the plan and, once announced, publish it and tell participants.

    A change that breaks one of Kraków's rules is logged as ``<action>_with_override``, with the
    rules it breaks before the reason, as at the announcement.
    """
    audit_log_append(
        actor=actor,
        action=f"{action}_with_override" if problems else action,
        obj=obj,
        before=audit[0],
        after=audit[1],
        reason=("; ".join(p.code for p in problems) + ": " if problems else "") + reason,
    )
    if not public:
        return
    change = ConsultationChange.objects.create(
        consultation=consultation,
        changed_at=at,
        actor=actor,
        reason=reason,
        fields=fields,
        before=before,
        after=after,
        rule_problems=[p.code for p in problems],
    )
    if tell:
        change.participants_told = _tell_participants(
            consultation=consultation, change=change, meeting=meeting
        )
        change.save(update_fields=["participants_told"])


def consultation_update(
    *,
    actor: User,
    consultation: Consultation,
    change_reason: str = "",
    at: datetime | None = None,
    **fields: Any,
) -> Consultation:
    """Change the plan. Once announced, every change is part of the public record.

    A draft changes freely. After the announcement the change needs a written reason (at least
    20 characters), published in the consultation's list of changes and kept in the audit log;
    Kraków's rules (notice, length, forms, an open meeting) are checked again, as at the
    announcement, and a change that breaks one is marked as a departure from the rules. The
    start of an opened consultation cannot move, nor its end into the past, and everyone taking
    part is told when the dates or the forms change.
    """
    _deny(permissions.can_manage_consultation(actor, consultation))
    new_unit = fields.get("initiating_unit")
    if new_unit is not None and new_unit.pk != consultation.initiating_unit_id:
        # Handing a consultation over needs the right to act for the receiving unit too.
        _deny(permissions.can_create_consultation(actor, unit=new_unit))
    at = at or timezone.now()
    announced = consultation.published_at is not None
    if consultation.report_published_at is not None:
        raise ConsultationsError(errors.CHANGE_AFTER_REPORT)
    before = snapshot(consultation)
    before_problems = {p.code for p in selectors.consultation_rule_problems(consultation, at=at)}
    old_values = {
        name: _plain(getattr(consultation, name)) for name in fields if name != "districts"
    }
    old_start, old_information = consultation.starts_on, consultation.information_from
    districts = fields.pop("districts", None)
    old_districts = sorted(consultation.districts.values_list("pk", flat=True))
    for name, value in fields.items():
        setattr(consultation, name, value)
    if consultation.ends_on < consultation.starts_on:
        raise ConsultationsError(errors.DATES_ORDER, field="ends_on")
    consultation.information_from = min(consultation.information_from, consultation.starts_on)
    consultation.forms = sorted(set(consultation.forms))
    consultation.full_clean()
    changed = [n for n in fields if _plain(getattr(consultation, n)) != old_values.get(n)]
    if districts is not None:
        new_districts = [] if consultation.citywide else sorted(d.pk for d in districts)
        if new_districts != old_districts:
            changed.append("districts")
    problems: list[selectors.RuleProblem] = []
    reason = change_reason.strip()
    if announced:
        today = selectors.local_date(at)
        started = old_start <= today
        if started and (
            consultation.starts_on != old_start or consultation.information_from != old_information
        ):
            consultation.refresh_from_db()
            raise ConsultationsError(errors.CHANGE_PAST_START, field="starts_on")
        if "ends_on" in changed and consultation.ends_on < today:
            consultation.refresh_from_db()
            raise ConsultationsError(errors.CHANGE_PAST_END, field="ends_on")
        if not changed:
            return consultation
        problems = [
            p
            for p in selectors.consultation_rule_problems(consultation, at=at)
            if p.code not in before_problems or set(changed) & set(SCHEDULE_FIELDS)
        ]
        if len(reason) < CHANGE_REASON_MIN:
            consultation.refresh_from_db()
            if problems:
                raise ConsultationsError(
                    errors.CHANGE_BREAKS_RULES,
                    field="change_reason",
                    code="rules",
                    params={"problems": " ".join(p.message for p in problems)},
                )
            raise ConsultationsError(errors.CHANGE_NEEDS_REASON, field="change_reason")
    with transaction.atomic():
        consultation.save()
        if districts is not None:
            consultation.districts.set([] if consultation.citywide else districts)
        _record_change(
            actor=actor,
            consultation=consultation,
            obj=consultation,
            action="consultations.changed" if announced else "consultations.updated",
            audit=(before, snapshot(consultation)),
            reason=reason,
            problems=problems,
            at=at,
            public=announced,
            fields=changed,
            before={n: old_values.get(n, old_districts) for n in changed},
            after={
                n: _plain(getattr(consultation, n))
                if n != "districts"
                else sorted(consultation.districts.values_list("pk", flat=True))
                for n in changed
            },
            tell=bool(set(changed) & set(SCHEDULE_FIELDS) or problems),
        )
    return consultation


def consultation_publish(
    *, actor: User, consultation: Consultation, override_reason: str = "", at: datetime
) -> Consultation:
    """Announce the consultation, which starts its information campaign.

    Kraków's rules are checked here: 7 days of notice, 21 days of consultation, three forms with
    an open meeting or workshop among them. An official may depart from them only with a written
    justification, which is published with the consultation and kept in the audit log.
    """
    _deny(permissions.can_manage_consultation(actor, consultation))
    if consultation.published_at is not None:
        raise ConsultationsError(errors.ALREADY_PUBLISHED)
    problems = selectors.consultation_rule_problems(consultation, at=at)
    reason = override_reason.strip()
    if problems and len(reason) < 20:
        raise ConsultationsError(
            " ".join([p.message for p in problems] + [str(errors.OVERRIDE_NEEDS_REASON)]),
            field="override_reason",
            code="rules",
        )
    before = snapshot(consultation)
    with transaction.atomic():
        consultation.published_at = at
        consultation.information_from = max(consultation.information_from, selectors.local_date(at))
        consultation.information_from = min(consultation.information_from, consultation.starts_on)
        consultation.rules_override_reason = reason if problems else ""
        consultation.save()
        audit_log_append(
            actor=actor,
            action="consultations.published_with_override"
            if problems
            else "consultations.published",
            obj=consultation,
            before=before,
            after=snapshot(consultation),
            reason="; ".join(p.code for p in problems) + (f": {reason}" if problems else ""),
        )
    return consultation


def document_add(
    *, actor: User, consultation: Consultation, title: str, text: str, link: str = ""
) -> Document:
    """Add a consulted document; blank lines split it into numbered sections for remarks."""
    _deny(permissions.can_manage_consultation(actor, consultation))
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    with transaction.atomic():
        document = Document(consultation=consultation, title=title.strip(), link=link.strip())
        document.full_clean()
        document.save()
        Section.objects.bulk_create(
            Section(document=document, number=i, text=part) for i, part in enumerate(parts, 1)
        )
        audit_log_append(
            actor=actor,
            action="consultations.document_added",
            obj=document,
            after={**snapshot(document), "sections": len(parts)},
        )
    return document


# --- Meetings ------------------------------------------------------------------------------------


def meeting_add(
    *,
    actor: User,
    consultation: Consultation,
    kind: str,
    mode: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int,
    accessibility: str = "",
) -> Meeting:
    _deny(permissions.can_manage_consultation(actor, consultation))
    if ends_at <= starts_at:
        raise ConsultationsError(errors.DATES_ORDER, field="ends_at")
    meeting = Meeting(
        consultation=consultation,
        kind=kind,
        mode=mode,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        capacity=capacity,
        accessibility=accessibility.strip(),
    )
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        audit_log_append(
            actor=actor, action="consultations.meeting_added", obj=meeting, after=snapshot(meeting)
        )
    return meeting


def meeting_minutes_save(*, actor: User, meeting: Meeting, minutes: str) -> Meeting:
    _deny(permissions.can_manage_consultation(actor, meeting.consultation))
    before = snapshot(meeting, fields=["minutes"])
    meeting.minutes = minutes.strip()
    with transaction.atomic():
        meeting.save(update_fields=["minutes", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.minutes_saved",
            obj=meeting,
            before=before,
            after=snapshot(meeting, fields=["minutes"]),
        )
    return meeting


def meeting_cancel(*, actor: User, meeting: Meeting, reason: str, at: datetime) -> Meeting:
    """Call off a meeting. After the announcement this is a change of the published plan.

    The reason (at least 20 characters) is published in the consultation's list of changes
    and the audit log; when no open meeting or workshop is left, the change departs from
    Kraków's rules and is marked so. Everyone registered and everyone taking part is told.
    """
    consultation = meeting.consultation
    _deny(permissions.can_manage_consultation(actor, consultation))
    if meeting.cancelled_at is not None:
        raise ConsultationsError(errors.MEETING_CANCELLED)
    if consultation.report_published_at is not None:
        raise ConsultationsError(errors.CHANGE_AFTER_REPORT)
    reason = reason.strip()
    announced = consultation.published_at is not None
    if announced and len(reason) < CHANGE_REASON_MIN:
        raise ConsultationsError(errors.CANCEL_NEEDS_REASON, field="reason")
    before_problems = {p.code for p in selectors.consultation_rule_problems(consultation, at=at)}
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        locked.cancelled_at = at
        locked.cancel_reason = reason
        locked.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        meeting.cancelled_at, meeting.cancel_reason = at, reason
        problems = [
            p
            for p in selectors.consultation_rule_problems(consultation, at=at)
            if p.code not in before_problems
        ]
        _record_change(
            actor=actor,
            consultation=consultation,
            obj=meeting,
            action="consultations.meeting_cancelled",
            audit=({}, snapshot(meeting, fields=["cancelled_at", "cancel_reason"])),
            reason=reason,
            problems=problems,
            at=at,
            public=announced,
            fields=["meetings"],
            before={"meeting": meeting.title, "starts_at": meeting.starts_at.isoformat()},
            after={"meeting": None},
            tell=True,
            meeting=meeting,
        )
    return meeting


def meeting_register(
    *,
    user: User,
    meeting: Meeting,
    needs: str = "",
    at: datetime,
    on_behalf: OnBehalf | None = None,
) -> Registration:
    """Sign up for a meeting; the row lock on the meeting keeps the capacity exact.

    ``on_behalf``: a clerk registers ``user`` (a caller, with or without an account) by the same
    rules (announced, not yet begun, not cancelled, a free place, once per person); the channel
    and the clerk are recorded and the act audit-logged.
    """
    if on_behalf is not None:
        _deny(permissions.can_act_for_person(on_behalf.clerk, meeting.consultation))
        if user.pk == on_behalf.clerk.pk:
            raise ConsultationsError(errors.PERSON_REQUIRED, field="person")
    if meeting.cancelled_at is not None:
        raise ConsultationsError(errors.MEETING_CANCELLED)
    if not permissions.can_register_for_meeting(user, meeting, at=at):
        raise ConsultationsError(errors.MEETING_PAST)
    already = errors.PERSON_REGISTERED if on_behalf is not None else errors.ALREADY_REGISTERED
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if Registration.objects.filter(meeting=locked, user=user).exists():
            raise ConsultationsError(already)
        if Registration.objects.filter(meeting=locked).count() >= locked.capacity:
            raise ConsultationsError(errors.MEETING_FULL)
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    meeting=locked, user=user, needs=needs.strip()[:300], **act_fields(on_behalf)
                )
        except IntegrityError:
            raise ConsultationsError(already) from None
        if on_behalf is not None:
            audit_log_append(
                actor=on_behalf.clerk,
                action="consultations.registration_keyed",
                obj=registration,
                after={
                    "meeting": locked.pk,
                    "person": user.pk,
                    "channel": str(on_behalf.channel),
                },
            )
    return registration


def meeting_unregister(*, user: User, meeting: Meeting, on_behalf: OnBehalf | None = None) -> None:
    """Give up one's place (a clerk may do it for a caller; audit-logged then).

    Done by a clerk, the person is sent a confirmation the way they chose
    (``communication.services.reply_to_person``): a caller who cancelled by phone has it in
    writing, and someone who did not ask would learn of it.
    """
    from django.utils import translation
    from django.utils.translation import gettext

    from wspolnota.communication.services import reply_to_person

    if on_behalf is not None:
        _deny(permissions.can_act_for_person(on_behalf.clerk, meeting.consultation))
    with transaction.atomic():
        deleted, _rows = Registration.objects.filter(meeting=meeting, user=user).delete()
        if deleted and on_behalf is not None:
            audit_log_append(
                actor=on_behalf.clerk,
                action="consultations.registration_cancelled_for_person",
                obj=meeting,
                after={"person": user.pk, "channel": str(on_behalf.channel)},
            )
            with translation.override(user.preferred_language or "pl"):
                when = timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y %H:%M")
                reply_to_person(
                    person=user,
                    subject=gettext("Wypisanie ze spotkania"),
                    body=gettext(
                        "Na Pani/Pana prośbę wypisaliśmy Panią/Pana ze spotkania „%(meeting)s” "
                        "(%(when)s, %(place)s) w konsultacjach „%(consultation)s”. Jeśli to "
                        "pomyłka, prosimy o telefon lub wizytę w okienku."
                    )
                    % {
                        "meeting": meeting.title,
                        "when": when,
                        "place": meeting.place,
                        "consultation": meeting.consultation.shown_title,
                    },
                    sender_unit=meeting.consultation.initiating_unit,
                    kind="consultations.registration_cancelled",
                )


def meeting_reminders_send(*, now: datetime, ahead: timedelta = timedelta(hours=24)) -> int:
    """Remind everyone registered for a meeting that starts within ``ahead``, once each.

    A person without an account who chose letters is reminded
    ``CONSULTATION_LETTER_REMINDER_DAYS`` ahead instead: a letter posted the day before would
    arrive after the meeting.
    """
    sent = 0
    letter_ahead = timedelta(days=settings.CONSULTATION_LETTER_REMINDER_DAYS)
    letters = Registration.objects.filter(
        reminded_at__isnull=True,
        meeting__cancelled_at__isnull=True,
        meeting__starts_at__gt=now,
        meeting__starts_at__lte=now + max(letter_ahead, ahead),
        user__kept_by_city=True,
        user__reply_channel=ReplyChannel.LETTER,
    ).select_related("user", "meeting__consultation__initiating_unit")
    for registration in letters:
        with transaction.atomic():
            _remind(registration, now=now)
            sent += 1
    due = Meeting.objects.filter(
        reminder_sent_at__isnull=True,
        cancelled_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + ahead,
    ).select_related("consultation__initiating_unit")
    for meeting in due:
        with transaction.atomic():
            for registration in meeting.registrations.filter(
                reminded_at__isnull=True
            ).select_related("user"):
                registration.meeting = meeting
                _remind(registration, now=now)
                sent += 1
            meeting.reminder_sent_at = now
            meeting.save(update_fields=["reminder_sent_at"])
    return sent


def _remind(registration: Registration, *, now: datetime) -> None:
    meeting = registration.meeting
    _tell(
        recipient=registration.user,
        kind="consultations.meeting_reminder",
        subject_template="consultations/email/reminder_subject.txt",
        body_template="consultations/email/reminder.txt",
        context={"meeting": meeting, "consultation": meeting.consultation},
        key=f"consultations.meeting_reminder.{meeting.pk}",
        sender_unit=meeting.consultation.initiating_unit,
    )
    registration.reminded_at = now
    registration.save(update_fields=["reminded_at"])


# --- Remarks -------------------------------------------------------------------------------------


def _district_of(latitude: Decimal | None, longitude: Decimal | None) -> District | None:
    if latitude is None or longitude is None:
        return None
    district = district_for_point(lat=float(latitude), lon=float(longitude))
    if district is None:
        raise ConsultationsError(errors.OUTSIDE_CITY, field="latitude")
    return district


def remark_submit(
    *,
    author: User,
    consultation: Consultation,
    text: str,
    section: Section | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    at: datetime,
) -> Remark:
    """A resident's remark on the platform (on the document, a section, or a point on the map)."""
    if not permissions.can_participate(author, consultation, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    district = _district_of(latitude, longitude) if latitude is not None else author.district
    remark = Remark(
        consultation=consultation,
        author=author,
        channel=Remark.Channel.MAP if latitude is not None else Remark.Channel.PLATFORM,
        section=section
        if section and section.document.consultation_id == consultation.pk
        else None,
        latitude=latitude,
        longitude=longitude,
        district=district,
        text=text.strip(),
        received_on=selectors.local_date(at),
    )
    remark.full_clean()
    remark.save()
    return remark


# Channels by which a remark reaches the city off the platform (entered by an official or clerk).
OFFLINE_REMARK_CHANNELS = frozenset(
    {
        Remark.Channel.EMAIL,
        Remark.Channel.POST,
        Remark.Channel.EPUAP,
        Remark.Channel.PHONE,
        Remark.Channel.COUNTER,
        Remark.Channel.MEETING,
    }
)


def _check_received(
    *,
    consultation: Consultation,
    channel: str,
    received_on: date,
    posted_on: date | None,
    today: date,
) -> None:
    """Only remarks sent while the consultation ran count.

    The date of receipt lies between the first and the last day and not in the future. A letter
    counts by its post-mark: post-marked within the consultation, it may arrive up to
    ``CONSULTATION_POSTMARK_GRACE_DAYS`` after the last day (and its post-mark is then required).
    """
    period = {
        "start": consultation.starts_on.strftime("%d.%m.%Y"),
        "end": consultation.ends_on.strftime("%d.%m.%Y"),
    }
    if received_on > today or received_on < consultation.starts_on:
        raise ConsultationsError(errors.RECEIVED_OUTSIDE, field="received_on", params=period)
    if channel != Remark.Channel.POST:
        if received_on > consultation.ends_on:
            raise ConsultationsError(errors.RECEIVED_OUTSIDE, field="received_on", params=period)
        return
    grace = settings.CONSULTATION_POSTMARK_GRACE_DAYS
    if received_on > consultation.ends_on + timedelta(days=grace):
        raise ConsultationsError(
            errors.RECEIVED_AFTER_GRACE,
            field="received_on",
            params={"days": grace, "end": period["end"]},
        )
    if posted_on is None:
        if received_on > consultation.ends_on:
            raise ConsultationsError(
                errors.POSTED_REQUIRED, field="posted_on", params={"days": grace}
            )
        return
    if not consultation.starts_on <= posted_on <= min(consultation.ends_on, received_on):
        raise ConsultationsError(errors.POSTED_OUTSIDE, field="posted_on", params=period)


def remark_enter(
    *,
    actor: User,
    consultation: Consultation,
    channel: str,
    text: str,
    author_name: str = "",
    received_on: date,
    posted_on: date | None = None,
    section: Section | None = None,
    meeting: Meeting | None = None,
    district: District | None = None,
    person: User | None = None,
    at: datetime | None = None,
) -> Remark:
    """An official or a counter clerk enters a remark received by e-mail, post, ePUAP, phone,
    at a counter or at a meeting.

    Only remarks sent while the consultation ran count (see ``_check_received``: a letter by
    its post-mark), and none once the report is published: every remark must be answered in it.
    With ``person`` (a person with or without an account) the remark is theirs, and the
    consultation's answer to it reaches them the way they chose when the report is published.
    """
    _deny(
        permissions.can_manage_consultation(actor, consultation)
        or permissions.can_act_for_person(actor, consultation)
    )
    if channel not in OFFLINE_REMARK_CHANNELS:
        raise ConsultationsError(errors.ANSWER_INVALID, field="channel")
    if person is not None and person.pk == actor.pk:
        raise ConsultationsError(errors.PERSON_REQUIRED, field="person")
    if consultation.published_at is None:
        raise ConsultationsError(errors.NOT_ANNOUNCED)
    if consultation.report_published_at is not None:
        raise ConsultationsError(errors.RECEIVED_AFTER_REPORT)
    today = selectors.local_date(at or timezone.now())
    _check_received(
        consultation=consultation,
        channel=channel,
        received_on=received_on,
        posted_on=posted_on if channel == Remark.Channel.POST else None,
        today=today,
    )
    remark = Remark(
        consultation=consultation,
        author=person,
        author_name=author_name.strip() or (person.full_name if person is not None else ""),
        channel=channel,
        text=text.strip(),
        received_on=received_on,
        posted_on=posted_on if channel == Remark.Channel.POST else None,
        section=section,
        meeting=meeting if meeting and meeting.consultation_id == consultation.pk else None,
        district=district or (person.district if person is not None else None),
        entered_by=actor,
    )
    remark.full_clean()
    with transaction.atomic():
        remark.save()
        audit_log_append(
            actor=actor, action="consultations.remark_entered", obj=remark, after=snapshot(remark)
        )
    return remark


ANSWER_MIN_CHARS = 20
ANSWER_MIN_WORDS = 3


def is_real_answer(reason: str) -> bool:
    """An answer explains the decision: at least 20 characters in at least three words."""
    words = re.findall(r"\w+", reason)
    return len(reason.strip()) >= ANSWER_MIN_CHARS and len(words) >= ANSWER_MIN_WORDS


def remark_answer(
    *, actor: User, remark: Remark, disposition: str, reason: str, at: datetime
) -> Remark:
    """Answer a remark: accepted, partly accepted, rejected or not applicable, always with a reason."""
    _deny(permissions.can_manage_consultation(actor, remark.consultation))
    if disposition not in Remark.Disposition.values or disposition == Remark.Disposition.PENDING:
        raise ConsultationsError(errors.REASON_REQUIRED, field="disposition")
    if not reason.strip():
        raise ConsultationsError(errors.REASON_REQUIRED, field="reason")
    if not is_real_answer(reason):
        raise ConsultationsError(
            errors.ANSWER_TOO_THIN,
            field="reason",
            params={"chars": ANSWER_MIN_CHARS, "words": ANSWER_MIN_WORDS},
        )
    before = snapshot(remark, fields=["disposition", "reason", "duplicate_of"])
    remark.disposition = disposition
    remark.reason = reason.strip()
    remark.answered_at = at
    remark.duplicate_of = None
    with transaction.atomic():
        remark.save()
        audit_log_append(
            actor=actor,
            action="consultations.remark_answered",
            obj=remark,
            before=before,
            after=snapshot(remark, fields=["disposition", "reason", "duplicate_of"]),
        )
    return remark


def remark_group_as_duplicate(*, actor: User, remark: Remark, original: Remark) -> Remark:
    """Group a remark under another one saying the same; it shares the original's answer."""
    _deny(permissions.can_manage_consultation(actor, remark.consultation))
    if original.pk == remark.pk or original.consultation_id != remark.consultation_id:
        raise ConsultationsError(errors.DUPLICATE_SELF, field="original")
    root = original.duplicate_of or original
    before = snapshot(remark, fields=["duplicate_of"])
    with transaction.atomic():
        remark.duplicate_of = root
        remark.save(update_fields=["duplicate_of", "updated_at"])
        Remark.objects.filter(duplicate_of=remark).update(duplicate_of=root)
        audit_log_append(
            actor=actor,
            action="consultations.remark_grouped",
            obj=remark,
            before=before,
            after=snapshot(remark, fields=["duplicate_of"]),
        )
    return remark


def remark_hide(*, actor: User, remark: Remark, reason: str, at: datetime) -> Remark:
    """A moderator hides an abusive remark; the reason stays in the audit log."""
    _deny(permissions.can_moderate_consultation(actor, remark.consultation))
    if len(reason.strip()) < 3:
        raise ConsultationsError(errors.HIDE_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        remark.hidden_at = at
        remark.hidden_reason = reason.strip()[:300]
        remark.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.remark_hidden",
            obj=remark,
            before={"text": remark.text},
            after=snapshot(remark, fields=["hidden_at", "hidden_reason"]),
            reason=remark.hidden_reason,
        )
    return remark


# --- Surveys -------------------------------------------------------------------------------------

QUESTION_KINDS = {k.value for k in Question.Kind}


def _question_error(line: int, problem: Any, **params: Any) -> ConsultationsError:
    text = str(problem) % params if params else str(problem)
    return ConsultationsError(
        errors.QUESTION_LINE, field="questions", params={"line": line, "problem": text}
    )


def parse_questions(spec: str) -> list[dict[str, Any]]:
    """Questions written one per line: ``kind | question | option; option || row; row``."""
    questions = []
    for line_number, raw in enumerate(spec.replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue

        parts = [p.strip() for p in line.split("|", 2)]
        kind = parts[0].lower().rstrip("*")
        required = not parts[0].endswith("*")
        if kind not in QUESTION_KINDS:
            raise _question_error(line_number, errors.QUESTION_KIND, kind=parts[0])
        if len(parts) < 2 or not parts[1]:
            raise _question_error(line_number, errors.QUESTION_EMPTY)
        rest = parts[2] if len(parts) > 2 else ""
        options_part, _sep, rows_part = rest.partition("||")
        options = [o.strip() for o in options_part.split(";") if o.strip()]
        rows = [r.strip() for r in rows_part.split(";") if r.strip()]
        if kind in ("single", "multiple", "ranking", "matrix") and len(options) < 2:
            raise _question_error(line_number, errors.QUESTION_OPTIONS)
        if kind == "matrix" and not rows:
            raise _question_error(line_number, errors.QUESTION_ROWS)
        questions.append(
            {
                "kind": kind,
                "text": parts[1][:500],
                "options": options,
                "rows": rows,
                "required": required,
            }
        )
    if not questions:
        raise ConsultationsError(errors.NO_QUESTIONS, field="questions")
    return questions


def survey_create(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    intro: str,
    verified: bool,
    questions: str,
) -> Survey:
    _deny(permissions.can_manage_consultation(actor, consultation))
    parsed = parse_questions(questions)
    with transaction.atomic():
        survey = Survey(
            consultation=consultation, title=title.strip(), intro=intro.strip(), verified=verified
        )
        survey.full_clean()
        survey.save()
        Question.objects.bulk_create(
            Question(survey=survey, number=i, **q) for i, q in enumerate(parsed, start=1)
        )
        audit_log_append(
            actor=actor,
            action="consultations.survey_created",
            obj=survey,
            after={**snapshot(survey), "questions": parsed},
        )
    return survey


def _clean_answer(question: Question, value: Any) -> Any:
    empty = value in (None, "", []) or (isinstance(value, dict) and not any(value.values()))
    if empty:
        if question.required:
            raise ConsultationsError(errors.ANSWER_REQUIRED, field=f"q{question.pk}")
        return None
    ok = True
    if question.kind == "single":
        ok = value in question.options
    elif question.kind == "multiple":
        ok = isinstance(value, list) and all(v in question.options for v in value)
    elif question.kind == "scale":
        ok = str(value) in {"1", "2", "3", "4", "5"}
        value = int(value) if ok else value
    elif question.kind == "ranking":
        ok = isinstance(value, list) and sorted(value) == sorted(question.options)
    elif question.kind == "text":
        value = str(value).strip()[:2000]
    elif question.kind == "matrix":
        ok = isinstance(value, dict) and all(
            k in question.rows and v in question.options for k, v in value.items() if v
        )
        if ok and question.required and set(k for k, v in value.items() if v) != set(question.rows):
            raise ConsultationsError(errors.ANSWER_REQUIRED, field=f"q{question.pk}")
    if not ok:
        raise ConsultationsError(errors.ANSWER_INVALID, field=f"q{question.pk}")
    return value


def survey_respond(
    *,
    respondent: User | None,
    survey: Survey,
    answers: dict[int, Any],
    at: datetime,
    on_behalf: OnBehalf | None = None,
) -> Response:
    """Record one response; verified surveys take one per person, anonymous ones any visitor.

    An anonymous survey stores no account even when the respondent is signed in; its limit of
    one answer per device (and a rate per network address) is applied by the page.

    ``on_behalf``: a clerk keys in a paper form or a call for ``respondent`` (a person, with or
    without an account). The answer is the person's, not the clerk's: one per person, by the
    same deadline as online; the channel and the clerk are recorded and the act audit-logged.
    """
    if on_behalf is not None:
        _deny(permissions.can_act_for_person(on_behalf.clerk, survey.consultation))
        if respondent is None or respondent.pk == on_behalf.clerk.pk:
            raise ConsultationsError(errors.PERSON_REQUIRED, field="person")
    if survey.verified and respondent is None:
        raise ConsultationsError(errors.SURVEY_LOGIN)
    if not permissions.can_respond_to_survey(respondent, survey, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    cleaned = {}
    for question in survey.questions.all():
        value = _clean_answer(question, answers.get(question.pk))
        if value is not None:
            cleaned[str(question.pk)] = value
    # An anonymous survey keeps nothing of the person: no account, no district.
    keep = respondent if survey.verified else None
    try:
        with transaction.atomic():
            response = Response.objects.create(
                survey=survey,
                respondent=keep,
                district=getattr(keep, "district", None),
                answers=cleaned,
                **act_fields(on_behalf),
            )
            if on_behalf is not None:
                audit_log_append(
                    actor=on_behalf.clerk,
                    action="consultations.survey_keyed",
                    obj=response,
                    after={
                        "survey": survey.pk,
                        "respondent": getattr(keep, "pk", None),
                        "channel": str(on_behalf.channel),
                    },
                )
            return response
    except IntegrityError:
        raise ConsultationsError(
            errors.SURVEY_ANSWERED_BY_PERSON if on_behalf is not None else errors.SURVEY_ANSWERED
        ) from None


# --- Opinion map ---------------------------------------------------------------------------------


def _participant_for(user: User, consultation: Consultation) -> Participant:
    participant, _created = Participant.objects.get_or_create(consultation=consultation, user=user)
    return participant


def statement_submit(
    *, author: User, consultation: Consultation, text: str, at: datetime
) -> Statement:
    """A participant proposes a short statement; it waits for moderation before others see it."""
    if not permissions.can_participate(author, consultation, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    statement = Statement(
        consultation=consultation, author=_participant_for(author, consultation), text=text.strip()
    )
    statement.full_clean()
    statement.save()
    return statement


def statement_moderate(
    *,
    actor: User,
    statement: Statement,
    accept: bool,
    reason: str = "",
    at: datetime | None = None,
) -> Statement:
    """Accept a statement (residents may vote on it) or reject it with a reason.

    Rejecting a statement that has votes takes it out of the opinion map, so the map is
    recomputed either way.
    """
    _deny(permissions.can_moderate_consultation(actor, statement.consultation))
    if not accept and len(reason.strip()) < 3:
        raise ConsultationsError(errors.HIDE_REASON_REQUIRED, field="reason")
    before = snapshot(statement, fields=["status", "moderation_reason"])
    statement.status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
    statement.moderation_reason = reason.strip()[:300]
    with transaction.atomic():
        statement.save(update_fields=["status", "moderation_reason", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.statement_moderated",
            obj=statement,
            before=before,
            after=snapshot(statement, fields=["status", "moderation_reason"]),
            reason=statement.moderation_reason,
        )
        opinion_map_schedule(consultation_id=statement.consultation_id, at=at or timezone.now())
    return statement


# The map is recomputed this long after the first change of a burst (votes come in bursts);
# a queued recomputation older than the grace period is taken for lost and queued again.
RECOMPUTE_DELAY = timedelta(seconds=10)
MAP_DOTS = 2000
RECOMPUTE_GRACE = timedelta(minutes=10)
VOTE_CHUNK = 200_000


def opinion_map_schedule(*, consultation_id: int, at: datetime) -> None:
    """Note a change (a vote, a changed vote, a moderation decision) and queue a recomputation.

    The change adds one to the map's version in its own transaction. Once it is committed, a
    recomputation is queued to run a few seconds later, unless one is queued already or the
    map was computed from every change so far (debounced: a burst of votes costs one run,
    which reads every vote as it is when it starts).
    """
    OpinionMap.objects.get_or_create(consultation_id=consultation_id)
    OpinionMap.objects.filter(consultation_id=consultation_id).update(version=F("version") + 1)
    transaction.on_commit(lambda: _queue_recompute(consultation_id, at))


def _queue_recompute(consultation_id: int, at: datetime) -> None:
    run_after = max(at, timezone.now()) + RECOMPUTE_DELAY
    queued = (
        OpinionMap.objects.filter(
            consultation_id=consultation_id, version__gt=F("computed_version")
        )
        .filter(
            Q(recompute_after__isnull=True)
            | Q(recompute_after__lt=timezone.now() - RECOMPUTE_GRACE)
        )
        .update(recompute_after=run_after)
    )
    if queued:
        _enqueue_recompute(consultation_id, run_after)


def _enqueue_recompute(consultation_id: int, run_after: datetime) -> None:
    from wspolnota.consultations.tasks import recompute_opinion_map

    task = recompute_opinion_map
    if task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(consultation_id=consultation_id)


def statement_vote(*, user: User, statement: Statement, choice: int, at: datetime) -> StatementVote:
    """Agree, disagree or pass; a second vote on the same statement replaces the first."""
    if not permissions.can_participate(user, statement.consultation, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    if statement.status != Statement.Status.ACCEPTED:
        raise ConsultationsError(errors.STATEMENT_NOT_ACCEPTED)
    if choice not in (-1, 0, 1):
        raise ConsultationsError(errors.ANSWER_INVALID, field="choice")
    participant = _participant_for(user, statement.consultation)
    with transaction.atomic():
        vote, _created = StatementVote.objects.update_or_create(
            statement=statement,
            participant=participant,
            defaults={"choice": choice, "voted_at": at},
        )
        opinion_map_schedule(consultation_id=statement.consultation_id, at=at)
    return vote


def opinion_map_votes(*, consultation: Consultation) -> pipeline.Votes:
    """Every participant's vote on every statement, as the map and the open data have them.

    Read in chunks straight into arrays (a city-wide consultation has millions of votes).
    Statements moderated out (rejected) are zeroed in the computation, as Polis does and as
    ``manage.py opinionmap`` does with the ``moderated`` column of the published comments.csv.
    """
    chunks: list[np.ndarray] = []
    last = 0
    while True:
        rows = list(
            StatementVote.objects.filter(statement__consultation=consultation, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "participant_id", "statement_id", "choice")[:VOTE_CHUNK]
        )
        if not rows:
            break
        chunk = np.asarray(rows, dtype=np.int64).reshape(-1, 4)
        chunks.append(chunk[:, 1:])
        last = int(chunk[-1, 0])
        if len(rows) < VOTE_CHUNK:
            break
    table = np.concatenate(chunks) if chunks else np.zeros((0, 3), dtype=np.int64)
    rejected = Statement.objects.filter(
        consultation=consultation, status=Statement.Status.REJECTED
    ).values_list("pk", flat=True)
    return pipeline.Votes.from_arrays(
        table[:, 0], table[:, 1], table[:, 2], moderated_out=list(rejected)
    )


def opinion_map_recompute(*, consultation: Consultation, now: datetime | None = None) -> OpinionMap:
    """Compute the map from every vote as it is now (run by the background worker).

    One deterministic computation: no state from earlier runs, no dependence on the order the
    votes came in; anyone can repeat it from the published download with ``manage.py
    opinionmap``. The queued flag is cleared first, so a change during the computation queues
    the next one.
    """
    opinion_map, _created = OpinionMap.objects.get_or_create(consultation=consultation)
    OpinionMap.objects.filter(pk=opinion_map.pk).update(recompute_after=None)
    # the version first: every change counted in it is committed, so the votes read next hold it
    version = OpinionMap.objects.filter(pk=opinion_map.pk).values_list("version", flat=True)[0]
    votes = opinion_map_votes(consultation=consultation)
    result = pipeline.compute(votes)
    data = result.to_json()
    # The page draws at most MAP_DOTS people: every n-th grouped participant by id.
    counted = np.flatnonzero(result.in_conversation)
    step = max(1, math.ceil(len(counted) / MAP_DOTS))
    data["positions"] = {
        str(int(result.participants[row])): [
            round(float(result.positions[row, 0]), 4),
            round(float(result.positions[row, 1]), 4),
        ]
        for row in counted[::step]
    }
    data["positions_step"] = step
    opinion_map.result = data
    opinion_map.votes_counted = len(votes)
    opinion_map.fingerprint = pipeline.fingerprint(votes)
    opinion_map.computed_at = now or timezone.now()
    opinion_map.computed_version = version
    opinion_map.save(
        update_fields=[
            "result",
            "votes_counted",
            "fingerprint",
            "computed_at",
            "computed_version",
        ]
    )
    opinion_map.refresh_from_db()
    return opinion_map


def opinion_map_import_request(
    *,
    actor: User,
    consultation: Consultation,
    comments_csv: str,
    votes_csv: str,
    now: datetime,
) -> OpinionMapImport:
    """Check a Polis export (comments.csv and votes.csv) and queue its import into an empty map.

    Both files are read and checked line by line here, so a malformed file is refused at once
    with the file, line and column named; the import itself (which may be millions of votes)
    and the computation run in the background.
    """
    _deny(permissions.can_manage_consultation(actor, consultation))
    if consultation.statements.exists():
        raise ConsultationsError(errors.IMPORT_NOT_EMPTY)
    if OpinionMapImport.objects.filter(
        consultation=consultation, status=OpinionMapImport.Status.WAITING
    ).exists():
        raise ConsultationsError(errors.IMPORT_RUNNING)
    _parse_export(comments_csv, votes_csv)
    with transaction.atomic():
        job = OpinionMapImport.objects.create(
            consultation=consultation,
            created_by=actor,
            created_at=now,
            comments_csv=comments_csv,
            votes_csv=votes_csv,
        )
        audit_log_append(
            actor=actor,
            action="consultations.opinion_map_import_requested",
            obj=consultation,
            after={"import": job.pk},
        )
        transaction.on_commit(lambda: _enqueue_import(job.pk))
    return job


def _enqueue_import(job_id: int) -> None:
    from wspolnota.consultations.tasks import import_opinion_map

    import_opinion_map.enqueue(import_id=job_id)


def _parse_export(
    comments_csv: str, votes_csv: str
) -> tuple[list[polis_io.PolisComment], list[polis_io.PolisVote]]:
    try:
        comments = polis_io.parse_comments(comments_csv)
        votes = polis_io.parse_votes(votes_csv)
    except polis_io.PolisFormatError as exc:
        raise ConsultationsError(
            errors.IMPORT_FILE,
            field="comments" if exc.file.startswith("comments") else "votes",
            params={"file": exc.file, "line": exc.line, "problem": exc.detail},
        ) from None
    known = {c.id for c in comments}
    for index, vote in enumerate(votes, start=2):
        if vote.statement not in known:
            raise ConsultationsError(
                errors.IMPORT_FILE,
                field="votes",
                params={
                    "file": "votes.csv",
                    "line": index,
                    "problem": f"comment-id {vote.statement}?",
                },
            )
    return comments, votes


def opinion_map_import_run(*, job: OpinionMapImport, now: datetime) -> OpinionMapImport:
    """Load a queued Polis export into its (still empty) consultation and compute the map.

    Statements keep Polis's moderation: 1 accepted, 0 waiting, -1 rejected, and rejected ones
    are zeroed in the computation exactly as ``manage.py opinionmap`` zeroes ``moderated = -1``,
    so the page shows the groups the command prints for the same folder. Each participant's
    latest vote on each statement is kept.
    """
    consultation = job.consultation
    try:
        with transaction.atomic():
            if consultation.statements.exists():
                raise ConsultationsError(errors.IMPORT_NOT_EMPTY)
            comments, votes = _parse_export(job.comments_csv, job.votes_csv)
            people: dict[int, Participant] = {}
            for pid in sorted(
                {v.participant for v in votes} | {c.author for c in comments if c.author >= 0}
            ):
                people[pid] = Participant(consultation=consultation, external_id=str(pid))
            Participant.objects.bulk_create(people.values(), batch_size=5000)
            status = {
                1: Statement.Status.ACCEPTED,
                0: Statement.Status.PENDING,
                -1: Statement.Status.REJECTED,
            }
            out = polis_io.moderated_out(comments)
            statements = {
                c.id: Statement(
                    consultation=consultation,
                    author=people.get(c.author),
                    text=c.body[:280],
                    status=Statement.Status.REJECTED if c.id in out else status[c.moderated],
                    external_id=str(c.id),
                )
                for c in comments
            }
            Statement.objects.bulk_create(statements.values(), batch_size=5000)
            latest: dict[tuple[int, int], polis_io.PolisVote] = {}
            for vote in votes:
                key = (vote.participant, vote.statement)
                if key not in latest or vote.timestamp >= latest[key].timestamp:
                    latest[key] = vote
            StatementVote.objects.bulk_create(
                (
                    StatementVote(
                        statement=statements[v.statement],
                        participant=people[v.participant],
                        choice=v.vote,
                        voted_at=datetime.fromtimestamp(v.timestamp / 1000, tz=UTC),
                    )
                    for v in latest.values()
                ),
                batch_size=5000,
            )
            job.status = OpinionMapImport.Status.DONE
            job.statements, job.participants, job.votes = len(statements), len(people), len(votes)
            job.comments_csv = job.votes_csv = ""
            job.finished_at = now
            job.save()
            audit_log_append(
                actor=job.created_by,
                action="consultations.opinion_map_imported",
                obj=consultation,
                after={
                    "import": job.pk,
                    "statements": len(statements),
                    "participants": len(people),
                    "votes": len(votes),
                },
            )
    except ConsultationsError as exc:
        job.status = OpinionMapImport.Status.FAILED
        job.error = str(exc)
        job.finished_at = now
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    opinion_map_recompute(consultation=consultation, now=now)
    return job


def opinion_map_export(*, consultation: Consultation) -> dict[str, str]:
    """The open data in Polis's format: comments, votes, participants-votes and summary.csv.

    Every vote is published, with each statement's moderation (1 accepted, 0 waiting, -1
    rejected), so that ``manage.py opinionmap`` on the download gives the page's groups. Only
    accepted statements' texts and authors are published: a statement waiting for moderation
    or rejected by it appears as a bare row with its counts.
    """
    statements = list(Statement.objects.filter(consultation=consultation).order_by("id"))
    votes = list(
        StatementVote.objects.filter(statement__consultation=consultation)
        .order_by("voted_at", "id")
        .values("statement_id", "participant_id", "choice", "voted_at")
    )
    opinion_map = selectors.opinion_map_get(consultation=consultation)
    groups = (opinion_map.result.get("groups", {}) if opinion_map else {}) or {}
    moderated = {
        str(Statement.Status.ACCEPTED): 1,
        str(Statement.Status.PENDING): 0,
        str(Statement.Status.REJECTED): -1,
    }
    tally: dict[int, list[int]] = {s.pk: [0, 0] for s in statements}
    per_person: dict[int, dict[int, int]] = {}
    for v in votes:
        if v["choice"] == 1:
            tally[v["statement_id"]][0] += 1
        elif v["choice"] == -1:
            tally[v["statement_id"]][1] += 1
        per_person.setdefault(v["participant_id"], {})[v["statement_id"]] = v["choice"]
    public = {s.pk for s in statements if s.status == Statement.Status.ACCEPTED}
    voted = {v["statement_id"] for v in votes}
    authored: dict[int, int] = {}
    for s in statements:
        if s.author_id and s.pk in public:
            authored[s.author_id] = authored.get(s.author_id, 0) + 1

    def stamp(moment: datetime) -> tuple[int, str]:
        return int(moment.timestamp() * 1000), moment.strftime("%a %b %d %H:%M:%S %Z %Y")

    comments_csv = polis_io.write_comments(
        {
            "timestamp": stamp(s.created_at)[0],
            "datetime": stamp(s.created_at)[1],
            "id": s.pk,
            "author": s.author_id if s.author_id is not None and s.pk in public else "",
            "agrees": tally[s.pk][0],
            "disagrees": tally[s.pk][1],
            "moderated": moderated[s.status],
            "body": s.text if s.pk in public else "",
        }
        for s in statements
        if s.pk in public or s.pk in voted
    )
    votes_csv = polis_io.write_votes(
        {
            "timestamp": stamp(v["voted_at"])[0],
            "datetime": stamp(v["voted_at"])[1],
            "statement": v["statement_id"],
            "participant": v["participant_id"],
            "vote": v["choice"],
        }
        for v in votes
    )
    participants_csv = polis_io.write_participants_votes(
        [s.pk for s in statements if s.pk in public],
        [
            {
                "id": pid,
                "group": groups.get(str(pid)),
                "n_comments": authored.get(pid, 0),
                "votes": {k: c for k, c in choices.items() if k in public},
            }
            for pid, choices in sorted(per_person.items())
        ],
    )
    result = (opinion_map.result if opinion_map else None) or {}
    summary_csv = polis_io.write_summary(
        [
            ("topic", consultation.title),
            (
                "url",
                settings.SITE_URL + reverse("consultations:opinion_map", args=[consultation.pk]),
            ),
            ("voters", len(per_person)),
            ("voters-in-conv", len(groups)),
            ("commenters", len(authored)),
            ("comments", len(public)),
            ("groups", result.get("n_groups", 0)),
            ("conversation-description", consultation.summary),
            (
                "computed-at",
                opinion_map.computed_at.isoformat()
                if opinion_map and opinion_map.computed_at
                else "",
            ),
            ("votes-fingerprint", opinion_map.fingerprint if opinion_map else ""),
        ]
    )
    return {
        "comments.csv": comments_csv,
        "votes.csv": votes_csv,
        "participants-votes.csv": participants_csv,
        "summary.csv": summary_csv,
    }


# --- Report --------------------------------------------------------------------------------------


def report_publish(
    *, actor: User, consultation: Consultation, summary: str, at: datetime
) -> Consultation:
    """Publish the report once the consultation is over and every remark has its answer.

    Everyone who took part is told, with the answer to each of their remarks ("you said, we
    did"): account holders by e-mail, people without an account the way they chose (a letter
    printed in the background's batch, a voice call, an SMS or an e-mail).
    """
    _deny(permissions.can_manage_consultation(actor, consultation))
    if consultation.report_published_at is not None:
        raise ConsultationsError(errors.REPORT_PUBLISHED)
    if selectors.consultation_phase(consultation, at=at) != "closed":
        raise ConsultationsError(errors.REPORT_TOO_EARLY)
    unanswered = selectors.remarks_unanswered(consultation=consultation)
    if unanswered:
        raise ConsultationsError(errors.REPORT_UNANSWERED, params={"count": unanswered})
    before = snapshot(consultation, fields=["report_summary", "report_published_at"])
    with transaction.atomic():
        # pupils' answers by class codes still sealed are mixed in, so the report counts them all
        class_codes.class_codes_close_all(actor=actor, consultation=consultation, at=at)
        consultation.report_summary = summary.strip()
        consultation.report_published_at = at
        consultation.save(update_fields=["report_summary", "report_published_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.report_published",
            obj=consultation,
            before=before,
            after=snapshot(consultation, fields=["report_summary", "report_published_at"]),
        )
        user_ids = selectors.consultation_participant_ids(consultation=consultation)
        for user in User.objects.filter(pk__in=user_ids, is_active=True):
            # "You said, we did": each person's own remarks with the answer to each.
            _tell(
                recipient=user,
                kind="consultations.report_published",
                subject_template="consultations/email/report_subject.txt",
                body_template="consultations/email/report.txt",
                context={
                    "consultation": consultation,
                    "remarks": selectors.remarks_of(consultation=consultation, person=user),
                },
                key=f"consultations.report.{consultation.pk}",
                sender_unit=consultation.initiating_unit,
            )
    return consultation
