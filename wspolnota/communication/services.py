"""Writes of the communication app: notices, subscriptions, fan-out, callbacks, letters.

Every message leaves through the outbox (``OutboxMessage``): a row is written in the same
transaction as the change that causes it, and the delivery task is enqueued after commit.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from wspolnota.accounts.models import CityUnit
from wspolnota.accounts.permissions import is_official
from wspolnota.communication import errors, permissions
from wspolnota.communication.choices import (
    PAID_CHANNELS,
    AuthorKind,
    Channel,
    Group,
    Scope,
    Topic,
    Urgency,
    to_mask,
)
from wspolnota.communication.conf import get_config
from wspolnota.communication.delivery import first_send_time
from wspolnota.communication.errors import CommunicationError
from wspolnota.communication.geo import circle, districts_touching
from wspolnota.communication.models import (
    LetterBatch,
    Notice,
    NoticeAudio,
    NoticeText,
    OutboxMessage,
    PaidSendBudget,
    Subscription,
)
from wspolnota.communication.rendering import unsubscribe_url, voice_script
from wspolnota.communication.selectors import notice_audience
from wspolnota.communication.senders import sender_name_is_another_units, sender_name_is_the_citys
from wspolnota.core.ratelimit import send_quota_take, sms_allowed_prefixes, sms_country_allowed
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

logger = logging.getLogger(__name__)

FAN_OUT_BATCH = 5000
_FAN_OUT_COLUMNS = (
    "idempotency_key",
    "kind",
    "notice_id",
    "subscription_id",
    "user_id",
    "district_id",
    "channel",
    "to",
    "language",
    "urgent",
    "subject",
    "body",
    "status",
    "attempts",
    "not_before",
    "claimed_by",
    "gateway",
    "gateway_id",
    "gateway_status",
    "segments",
    "error",
    "created_at",
)
POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$")


# --- Enqueueing -----------------------------------------------------------------------------------


def delivery_enqueue(*, run_after: datetime | None = None, parallel: int = 1) -> None:
    """Ask the worker(s) to drain the outbox (after commit, so they see the new rows)."""
    from wspolnota.communication.tasks import deliver_outbox

    def enqueue() -> None:
        task = deliver_outbox
        if run_after is not None and task.get_backend().supports_defer:
            task = task.using(run_after=run_after)
        elif run_after is not None and run_after > timezone.now():
            return  # no deferred tasks here: the periodic communication_deliver picks them up
        for _n in range(parallel):
            task.enqueue()

    transaction.on_commit(enqueue)


def outbox_enqueue_direct(
    *,
    kind: str,
    channel: str,
    to: str,
    subject: str,
    body: str,
    language: str,
    key: str | None = None,
    user: User | None = None,
    urgent: bool = False,
    sensitive: bool = False,
) -> OutboxMessage | None:
    """One message outside a notice (notifications, confirmation codes); None if ``key`` was used.

    ``sensitive`` (one-time codes, reset links): the text is erased from the row once the
    message has gone out or been given up."""
    now = timezone.now()
    message = OutboxMessage(
        idempotency_key=(key or f"{kind}:{uuid.uuid4().hex}")[:120],
        kind=kind[:60],
        channel=channel,
        to=to,
        subject=subject[:300],
        body=body,
        language=language,
        user=user,
        urgent=urgent,
        sensitive=sensitive,
        not_before=first_send_time(channel=channel, urgent=urgent, at=now),
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return None
    delivery_enqueue()
    return message


# --- Notices --------------------------------------------------------------------------------------


@dataclass
class NoticeContent:
    """A language version of a notice as the author typed it."""

    title: str
    body: str
    easy_read: str = ""
    sms_text: str = ""


@dataclass
class NoticeData:
    author_kind: str
    author_label: str
    source_language: str
    texts: dict[str, NoticeContent]
    valid_from: datetime
    valid_until: datetime | None = None
    scope: str = Scope.CITY
    districts: list[District] = field(default_factory=list)
    area: dict[str, Any] | None = None
    area_center_lat: float | None = None
    area_center_lon: float | None = None
    area_radius_m: int | None = None
    topics: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    urgency: str = Urgency.NORMAL
    event_start: datetime | None = None
    event_end: datetime | None = None
    event_location: str = ""
    channels: list[str] = field(default_factory=lambda: [Channel.EMAIL.value])
    # The unit that signs an official notice, and whose budget pays for SMS, calls and letters.
    city_unit: CityUnit | None = None


def _resolve_audience(*, author: User, data: NoticeData) -> list[District]:
    if data.author_kind not in permissions.author_kinds_for(author):
        raise CommunicationError(errors.NOT_ALLOWED, field="author_kind", code="permission_denied")
    if data.author_kind == AuthorKind.NGO and data.urgency == Urgency.URGENT:
        raise CommunicationError(errors.NOTICE_NGO_URGENT, field="urgency")
    if data.author_kind != AuthorKind.OFFICIAL and sender_name_is_the_citys(data.author_label):
        # Only officials write as the City; an NGO's free e-mail notice signed "Urząd Miasta"
        # would reach residents as the City's own.
        raise CommunicationError(errors.NOTICE_SENDER_IS_THE_CITY, field="author_label")
    if data.author_kind == AuthorKind.OFFICIAL and data.city_unit is None:
        units = permissions.official_unit_ids(author)
        if len(units) == 1:
            data.city_unit = CityUnit.objects.get(pk=next(iter(units)))
    if data.author_kind == AuthorKind.OFFICIAL and not permissions.can_sign_for_unit(
        author, data.city_unit
    ):
        raise CommunicationError(errors.NOTICE_UNIT_NOT_YOURS, field="city_unit")
    if (
        data.author_kind == AuthorKind.OFFICIAL
        and not permissions.is_administrator(author)
        and sender_name_is_another_units(
            data.author_label, own_unit_ids=permissions.official_unit_ids(author)
        )
    ):
        # An official of one unit signing "Zarząd Dróg Miasta Krakowa" would have residents
        # read that the roads authority wrote it.
        raise CommunicationError(errors.NOTICE_UNIT_NOT_YOURS, field="author_label")
    if any(c in PAID_CHANNELS for c in data.channels) and data.city_unit is None:
        raise CommunicationError(errors.NOTICE_UNIT_MISSING, field="city_unit")
    source = data.texts.get(data.source_language)
    if source is None or not source.title.strip() or not source.body.strip():
        raise CommunicationError(errors.NOTICE_NO_TEXT, field="title_" + data.source_language)
    if data.valid_until is not None and data.valid_until <= data.valid_from:
        raise CommunicationError(errors.NOTICE_DATES, field="valid_until")
    if data.event_end is not None and (
        data.event_start is None or data.event_end < data.event_start
    ):
        raise CommunicationError(errors.NOTICE_DATES, field="event_end")
    districts: list[District] = []
    if data.scope == Scope.DISTRICTS:
        districts = list(data.districts)
        if not districts:
            raise CommunicationError(errors.NOTICE_NO_DISTRICTS, field="districts")
    elif data.scope == Scope.AREA:
        if data.area is None:
            if (
                data.area_center_lat is None
                or data.area_center_lon is None
                or not data.area_radius_m
            ):
                raise CommunicationError(errors.NOTICE_AREA_MISSING, field="area_geojson")
            data.area = circle(
                lat=data.area_center_lat, lon=data.area_center_lon, radius_m=data.area_radius_m
            )
        districts = districts_touching(data.area)
        if not districts:
            raise CommunicationError(errors.NOTICE_AREA_OUTSIDE, field="area_geojson")
    if data.author_kind == AuthorKind.DISTRICT_COUNCIL and not is_official(author):
        own = permissions.councillor_district_ids(author)
        if data.scope == Scope.CITY or any(d.pk not in own for d in districts):
            raise CommunicationError(errors.NOTICE_DISTRICT_NOT_YOURS, field="districts")
    return districts


def _apply(notice: Notice, data: NoticeData) -> None:
    notice.author_kind = data.author_kind
    notice.author_label = data.author_label.strip()
    notice.source_language = data.source_language
    notice.scope = data.scope
    notice.area = data.area if data.scope == Scope.AREA else None
    notice.area_center_lat = data.area_center_lat if data.scope == Scope.AREA else None
    notice.area_center_lon = data.area_center_lon if data.scope == Scope.AREA else None
    notice.area_radius_m = data.area_radius_m if data.scope == Scope.AREA else None
    notice.topics_mask = to_mask(data.topics, Topic)
    notice.groups_mask = to_mask(data.groups, Group)
    notice.urgency = data.urgency
    notice.valid_from = data.valid_from
    notice.valid_until = data.valid_until
    notice.event_start = data.event_start
    notice.event_end = data.event_end
    notice.event_location = data.event_location.strip()
    notice.send_email = Channel.EMAIL in data.channels
    notice.send_sms = Channel.SMS in data.channels
    notice.send_voice = Channel.VOICE in data.channels
    notice.send_letter = Channel.LETTER in data.channels
    notice.city_unit = data.city_unit
    # Any change voids a request for approval: the unit approves what it read.
    notice.approval_requested_at = None


def _save_texts(notice: Notice, texts: dict[str, NoticeContent]) -> None:
    keep = []
    for language, content in texts.items():
        if not content.title.strip() or not content.body.strip():
            continue
        text, _created = NoticeText.objects.update_or_create(
            notice=notice,
            language=language,
            defaults={
                "title": content.title.strip(),
                "body": content.body.strip(),
                "easy_read": content.easy_read.strip(),
                "sms_text": content.sms_text.strip(),
            },
        )
        keep.append(text.pk)
    NoticeText.objects.filter(notice=notice).exclude(pk__in=keep).delete()


def notice_create(*, author: User, data: NoticeData) -> Notice:
    """Save a draft notice; nothing is sent until it is published."""
    if not permissions.can_create_notice(author):
        raise CommunicationError(errors.NOT_ALLOWED, code="permission_denied")
    districts = _resolve_audience(author=author, data=data)
    with transaction.atomic():
        notice = Notice(author=author)
        _apply(notice, data)
        notice.full_clean(exclude=["author"])
        notice.save()
        notice.districts.set(districts)
        _save_texts(notice, data.texts)
        audit_log_append(
            actor=author, action="communication.notice_created", obj=notice, after=snapshot(notice)
        )
    return notice


def notice_update(*, actor: User, notice: Notice, data: NoticeData) -> Notice:
    if not permissions.can_edit_notice(actor, notice, at=timezone.now()):
        raise CommunicationError(errors.NOTICE_NOT_DRAFT, code="permission_denied")
    districts = _resolve_audience(author=actor, data=data)
    with transaction.atomic():
        before = snapshot(notice)
        _apply(notice, data)
        notice.full_clean(exclude=["author"])
        notice.save()
        notice.districts.set(districts)
        _save_texts(notice, data.texts)
        audit_log_append(
            actor=actor,
            action="communication.notice_updated",
            obj=notice,
            before=before,
            after=snapshot(notice),
        )
    return notice


def _money(amount: Decimal) -> str:
    return formats.number_format(amount, 2)


def _charge_budget(*, notice: Notice, at: datetime) -> Decimal:
    """Reserve the cost of the notice's paid sends in its unit's budget for the year.

    Call inside the publishing transaction: the budget row is locked, so two notices published
    at once cannot both spend the last of it.
    """
    from wspolnota.communication.selectors import paid_send_estimate, paid_send_spent

    unit = notice.city_unit
    if unit is None:
        raise CommunicationError(errors.NOTICE_UNIT_MISSING, field="city_unit")
    year = timezone.localtime(at).year
    budget = PaidSendBudget.objects.select_for_update().filter(city_unit=unit, year=year).first()
    if budget is None:
        raise CommunicationError(
            errors.BUDGET_NOT_SET, params={"unit": unit.name, "year": year}, code="budget"
        )
    cost = paid_send_estimate(notice=notice)
    left = budget.amount - paid_send_spent(city_unit=unit, year=year)
    if cost > left:
        raise CommunicationError(
            errors.BUDGET_EXCEEDED,
            params={
                "cost": _money(cost),
                "left": _money(max(left, Decimal(0))),
                "unit": unit.name,
                "year": year,
            },
            code="budget",
        )
    return cost


def notice_request_approval(*, actor: User, notice: Notice) -> Notice:
    """The author of a paid notice asks the officials of the paying unit to approve it."""
    now = timezone.now()
    if not notice.paid_channels:
        raise CommunicationError(errors.NOTICE_NOT_PAID)
    if not permissions.can_request_approval(actor, notice, at=now):
        raise CommunicationError(errors.NOT_ALLOWED, code="permission_denied")
    with transaction.atomic():
        notice.approval_requested_at = now
        notice.save(update_fields=["approval_requested_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="communication.notice_approval_requested",
            obj=notice,
            after={"city_unit": notice.city_unit_id, "channels": notice.paid_channels},
        )
    return notice


def notice_publish(*, actor: User, notice: Notice) -> Notice:
    """Publish on the web and send to every subscriber it concerns (after commit, in the worker).

    A notice with paid channels is published only by an official of the unit that pays (for
    anyone else's notice that is their approval), and only within the unit's budget.
    """
    now = timezone.now()
    if not permissions.can_publish_notice(actor, notice, at=now):
        if notice.status == Notice.Status.DRAFT and notice.paid_channels:
            raise CommunicationError(errors.NOTICE_NEEDS_APPROVAL, code="permission_denied")
        raise CommunicationError(errors.NOTICE_NOT_DRAFT, code="permission_denied")
    from wspolnota.communication.tasks import notice_audio_render, notice_fan_out

    with transaction.atomic():
        locked = Notice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != Notice.Status.DRAFT:
            raise CommunicationError(errors.NOTICE_NOT_DRAFT)
        before = snapshot(locked)
        if locked.paid_channels:
            locked.paid_cost = _charge_budget(notice=locked, at=now)
            if locked.author_id != actor.pk:
                locked.approved_by = actor
                locked.approved_at = now
        locked.status = Notice.Status.PUBLISHED
        locked.published_at = now
        if locked.valid_from < now - timedelta(days=365):
            locked.valid_from = now
        locked.save(
            update_fields=[
                "status",
                "published_at",
                "valid_from",
                "paid_cost",
                "approved_by",
                "approved_at",
                "updated_at",
            ]
        )
        if locked.approved_by_id is not None:
            audit_log_append(
                actor=actor,
                action="communication.notice_approved",
                obj=locked,
                after={
                    "city_unit": locked.city_unit_id,
                    "channels": locked.paid_channels,
                    "paid_cost": str(locked.paid_cost),
                },
            )
        audit_log_append(
            actor=actor,
            action="communication.notice_published",
            obj=locked,
            before=before,
            after=snapshot(locked),
        )
        notice_id = locked.pk
        transaction.on_commit(lambda: notice_fan_out.enqueue(notice_id=notice_id))
        if locked.send_voice:
            transaction.on_commit(lambda: notice_audio_render.enqueue(notice_id=notice_id))
    notice.refresh_from_db()
    return notice


def paid_send_budget_set(
    *, actor: User, city_unit: CityUnit, year: int, amount: Decimal
) -> PaidSendBudget:
    """A unit's officials set what it may spend in a year on SMS, voice calls and letters."""
    if not permissions.can_set_paid_send_budget(actor, city_unit):
        raise CommunicationError(errors.NOT_ALLOWED, code="permission_denied")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise CommunicationError(errors.BUDGET_AMOUNT_INVALID, field="amount")
    with transaction.atomic():
        budget = (
            PaidSendBudget.objects.select_for_update()
            .filter(city_unit=city_unit, year=year)
            .first()
        )
        before = snapshot(budget, fields=["amount", "year"]) if budget else None
        if budget is None:
            budget = PaidSendBudget(city_unit=city_unit, year=year, amount=amount)
        budget.amount = amount.quantize(Decimal("0.01"))
        budget.set_by = actor
        budget.full_clean(exclude=["set_by"])
        budget.save()
        audit_log_append(
            actor=actor,
            action="communication.paid_send_budget_set",
            obj=budget,
            before=before,
            after=snapshot(budget, fields=["amount", "year"]),
        )
    return budget


def notice_withdraw(*, actor: User, notice: Notice, reason: str) -> Notice:
    """Take a notice off the boards and cancel the messages not sent yet."""
    now = timezone.now()
    if not permissions.can_withdraw_notice(actor, notice, at=now):
        raise CommunicationError(errors.NOTICE_NOT_PUBLISHED, code="permission_denied")
    with transaction.atomic():
        before = snapshot(notice)
        notice.status = Notice.Status.WITHDRAWN
        notice.withdrawn_at = now
        notice.save(update_fields=["status", "withdrawn_at", "updated_at"])
        cancelled = OutboxMessage.objects.filter(
            notice=notice, status=OutboxMessage.Status.QUEUED
        ).update(status=OutboxMessage.Status.CANCELLED, status_at=now, error="notice withdrawn")
        audit_log_append(
            actor=actor,
            action="communication.notice_withdrawn",
            obj=notice,
            before=before,
            after={**snapshot(notice), "cancelled_messages": cancelled},
            reason=reason,
        )
    return notice


def notice_fan_out(*, notice: Notice) -> int:
    """Write one outbox row per recipient and channel; safe to run any number of times.

    Rows carry a unique key (notice, channel, subscription), so a repeated or concurrent run
    inserts nothing twice. Returns how many rows exist for the notice afterwards.
    """
    if notice.status != Notice.Status.PUBLISHED:
        return 0
    now = timezone.now()
    urgent = notice.is_urgent
    send_at = {
        channel: first_send_time(channel=channel, urgent=urgent, at=now)
        for channel in Channel.values
    }
    ops = connection.ops
    postgres = connection.vendor == "postgresql"
    adapt = (lambda at: at) if postgres else ops.adapt_datetimefield_value
    send_at_db = {channel: adapt(at) for channel, at in send_at.items()}
    recipients = notice_audience(notice=notice)
    prefix = f"notice:{notice.pk}:"
    # Per row only what differs; everything else is the same for the whole notice.
    varying = [
        (
            f"{prefix}{r.channel}:{r.subscription_id}",
            r.subscription_id,
            r.user_id,
            r.district_id,
            r.channel,
            r.address,
            r.language,
            send_at_db[r.channel],
        )
        for r in recipients
    ]
    constant = [
        "communication.notice",
        notice.pk,
        urgent,
        OutboxMessage.Status.QUEUED.value,
        adapt(now),
    ]
    table = ops.quote_name(OutboxMessage._meta.db_table)
    columns = ", ".join(ops.quote_name(c) for c in _FAN_OUT_COLUMNS)
    key = ops.quote_name("idempotency_key")
    # Only quoted identifiers are interpolated; every value is a query parameter.
    select = "k, %s, %s, s, u, d, c, t, l, %s, '', '', %s, 0, nb, '', '', '', '', 0, '', %s"
    if postgres:
        # One short statement per chunk: the rows travel as eight arrays.
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {select} FROM unnest("  # noqa: S608
            "%s::text[], %s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], "
            "%s::text[], %s::timestamptz[]) AS x(k, s, u, d, c, t, l, nb) "
            f"ON CONFLICT ({key}) DO NOTHING"
        )
        for start in range(0, len(varying), FAN_OUT_BATCH):
            chunk = varying[start : start + FAN_OUT_BATCH]
            arrays = [list(column) for column in zip(*chunk, strict=True)]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [*constant, *arrays])
    else:
        values = (
            "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '', '', %s, 0, %s, '', '', '', '', 0, '', %s"
        )
        sql = f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({key}) DO NOTHING"  # noqa: S608
        kind, notice_id, urgent_value, status, created = constant
        for start in range(0, len(varying), FAN_OUT_BATCH):
            chunk = varying[start : start + FAN_OUT_BATCH]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.executemany(
                    sql,
                    [
                        (k, kind, notice_id, *rest, urgent_value, status, not_before, created)
                        for (k, *rest, not_before) in chunk
                    ],
                )
    Notice.objects.filter(pk=notice.pk, fanned_out_at__isnull=True).update(fanned_out_at=now)
    return OutboxMessage.objects.filter(notice=notice).count()


def notice_audio_ensure(*, notice: Notice, language: str) -> NoticeAudio:
    """The notice spoken by espeak-ng to a WAV file (made once per notice and language)."""
    from wspolnota.communication.transports.voice import synthesize

    existing = NoticeAudio.objects.filter(notice=notice, language=language).first()
    if existing is not None and Path(existing.path).exists():
        return existing
    config = get_config()
    path = config.audio_dir / f"notice-{notice.pk}-{language}.wav"
    duration = synthesize(text=voice_script(notice, language), language=language, path=path)
    try:
        with transaction.atomic():
            audio, _created = NoticeAudio.objects.update_or_create(
                notice=notice,
                language=language,
                defaults={"path": str(path), "duration_seconds": duration},
            )
    except IntegrityError:  # another worker recorded the same file at the same moment
        audio = NoticeAudio.objects.get(notice=notice, language=language)
    return audio


# --- Subscriptions --------------------------------------------------------------------------------


def normalise_phone(raw: str, *, mobile: bool) -> str:
    try:
        number = phonenumbers.parse(raw, "PL")
    except phonenumbers.NumberParseException:
        raise CommunicationError(errors.ADDRESS_PHONE_INVALID, field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise CommunicationError(errors.ADDRESS_PHONE_INVALID, field="phone")
    if mobile and phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise CommunicationError(errors.ADDRESS_MOBILE_ONLY, field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class Address:
    email: str = ""
    phone: str = ""
    postal_name: str = ""
    postal_street: str = ""
    postal_code: str = ""
    postal_city: str = ""


@dataclass
class Preferences:
    language: str = "pl"
    districts: list[District] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    # The address point (WGS84): area notices reach the subscribers whose point is inside.
    point_lat: float | None = None
    point_lon: float | None = None


def _clean_address(channel: str, address: Address) -> Address:
    if channel == Channel.EMAIL:
        email = address.email.strip().lower()
        if not email:
            raise CommunicationError(errors.ADDRESS_EMAIL_MISSING, field="email")
        return Address(email=email)
    if channel in (Channel.SMS, Channel.VOICE):
        if not address.phone.strip():
            raise CommunicationError(errors.ADDRESS_PHONE_MISSING, field="phone")
        phone = normalise_phone(address.phone, mobile=channel == Channel.SMS)
        if not sms_country_allowed(phone):
            # The city pays for every SMS and call; only to the countries it chose.
            raise CommunicationError(
                errors.ADDRESS_COUNTRY_NOT_ALLOWED,
                params={"prefixes": sms_allowed_prefixes()},
                field="phone",
                code="country_not_allowed",
            )
        return Address(phone=phone)
    cleaned = Address(
        postal_name=address.postal_name.strip(),
        postal_street=address.postal_street.strip(),
        postal_code=address.postal_code.strip(),
        postal_city=address.postal_city.strip(),
    )
    if not all(
        (cleaned.postal_name, cleaned.postal_street, cleaned.postal_code, cleaned.postal_city)
    ):
        raise CommunicationError(errors.ADDRESS_POSTAL_MISSING, field="postal_name")
    if not POSTAL_CODE.match(cleaned.postal_code):
        raise CommunicationError(errors.POSTAL_CODE_INVALID, field="postal_code")
    return cleaned


def _secret_hash(subscription_id: int, secret: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(),
        f"subscription:{subscription_id}:{secret}".encode(),
        hashlib.sha256,
    ).hexdigest()


def _clean_point(preferences: Preferences) -> tuple[float | None, float | None]:
    from wspolnota.territory.selectors import district_for_point

    lat, lon = preferences.point_lat, preferences.point_lon
    if lat is None and lon is None:
        return None, None
    if lat is None or lon is None:
        raise CommunicationError(
            errors.POINT_INCOMPLETE, field="point_lat" if lat is None else "point_lon"
        )
    if district_for_point(lat=lat, lon=lon) is None:
        raise CommunicationError(errors.POINT_OUTSIDE, field="point_lat")
    return round(lat, 6), round(lon, 6)


def _set_preferences(subscription: Subscription, preferences: Preferences) -> None:
    subscription.point_lat, subscription.point_lon = _clean_point(preferences)
    subscription.language = preferences.language
    subscription.topics_mask = to_mask(preferences.topics, Topic)
    subscription.groups_mask = to_mask(preferences.groups, Group)


def _find_existing(channel: str, address: Address) -> Subscription | None:
    if channel == Channel.EMAIL:
        return Subscription.objects.filter(channel=channel, email=address.email).first()
    if channel in (Channel.SMS, Channel.VOICE):
        return Subscription.objects.filter(channel=channel, phone=address.phone).first()
    return None


def _send_on_request(
    *,
    kind: str,
    channel: str,
    to: str,
    subject: str,
    body: str,
    language: str,
    sensitive: bool = False,
) -> None:
    """A code or link someone asked for, sent at once (the person is waiting for it).

    Anyone can type anyone's number or address, so at most so many such messages a day go to
    one (SMS_DAILY_LIMIT_PER_NUMBER, EMAIL_DAILY_LIMIT_PER_ADDRESS), whoever asks.
    """
    quota = "email" if channel == Channel.EMAIL else "sms"
    if not send_quota_take(kind=quota, address=to):
        field = "email" if quota == "email" else "phone"
        raise CommunicationError(errors.DAILY_LIMIT, field=field, code="daily_limit")
    outbox_enqueue_direct(
        kind=kind,
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        language=language,
        urgent=True,
        sensitive=sensitive,
    )


def _spoken_code(code: str) -> str:
    """A code read digit by digit, twice, for a voice call: "1, 2, 3, 4, 5, 6"."""
    return ", ".join(code)


def _send_confirmation(subscription: Subscription) -> str:
    """A link by e-mail, a six-digit code by SMS or voice (read as a text message).

    Returns the pairing for a code: a secret kept by the browser that asked (in its session),
    without which the code confirms nothing. So a code can only confirm the attempt it was
    sent for: if someone else starts a new attempt for the number, the earlier page stops
    working instead of confirming a subscription that stranger set up. "" for e-mail, whose
    link is itself the secret.
    """
    with translation.override(subscription.language):
        if subscription.channel == Channel.EMAIL:
            token = secrets.token_urlsafe(24)
            from django.urls import reverse

            link = settings.SITE_URL + reverse(
                "communication:subscription_confirm_email",
                kwargs={"manage_token": subscription.manage_token, "secret": token},
            )
            subject = _("Potwierdź zapis na ogłoszenia")
            body = _(
                "Dzień dobry,\n\nktoś (prawdopodobnie Ty) zapisał ten adres na ogłoszenia "
                "platformy Wspólnota. Aby potwierdzić, otwórz link:\n%(link)s\n\n"
                "Jeśli to nie Ty, zignoruj tę wiadomość — bez potwierdzenia nic nie wyślemy."
            ) % {"link": link}
            secret = token
            pairing = ""
            to = subscription.email
            channel = Channel.EMAIL
        else:
            code = f"{secrets.randbelow(1_000_000):06d}"
            pairing = secrets.token_urlsafe(16)
            secret = f"{pairing}:{code}"
            subject = ""
            to = subscription.phone
            if subscription.channel == Channel.VOICE:
                # Voice notices may go to a landline, which cannot read an SMS: the code is
                # spoken in a call (issue 17), digit by digit and repeated.
                spoken = _spoken_code(code)
                body = _(
                    "Dzień dobry, tu platforma Wspólnota. Kod potwierdzenia zapisu na ogłoszenia "
                    "głosowe to: %(code)s. Powtarzam: %(code)s."
                ) % {"code": spoken}
                channel = Channel.VOICE
            else:
                body = _("Wspólnota: kod potwierdzenia zapisu na ogłoszenia to %(code)s.") % {
                    "code": code
                }
                channel = Channel.SMS
    if channel in (Channel.SMS, Channel.VOICE):
        # A number that unsubscribed earlier may be on the gateway's blacklist, which would
        # refuse the code: it comes off first (the task only asks the gateway; a number that
        # is not on it costs one look-up).
        sms_blacklist_sync(phone=to, lift=True)
    _send_on_request(
        kind="communication.confirm",
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        language=subscription.language,
        sensitive=channel == Channel.VOICE,
    )
    subscription.confirm_hash = _secret_hash(subscription.pk, secret)
    subscription.confirm_expires_at = timezone.now() + timedelta(
        seconds=get_config().confirm_ttl_seconds
    )
    subscription.confirm_attempts = 0
    subscription.save(
        update_fields=["confirm_hash", "confirm_expires_at", "confirm_attempts", "updated_at"]
    )
    return pairing


def _send_manage_link(subscription: Subscription) -> None:
    """Someone asked to subscribe an address that already is: tell the owner, change nothing.

    The link to the subscription's settings goes to the address itself, never to the page of
    whoever typed it: only the owner of the number or mailbox can open it.
    """
    with translation.override(subscription.language):
        link = unsubscribe_url(subscription.manage_token, subscription.language)
        if subscription.channel == Channel.EMAIL:
            channel, to = Channel.EMAIL.value, subscription.email
            subject = _("Ten adres jest już zapisany na ogłoszenia")
            body = _(
                "Ten adres już dostaje ogłoszenia platformy Wspólnota. Ustawienia "
                "(dzielnice, tematy, język) zmienisz lub wypiszesz się tutaj:\n%(link)s"
            ) % {"link": link}
        elif subscription.channel == Channel.VOICE:
            # A landline hears it: no link to read, the city's phone line changes the settings.
            channel, to = Channel.VOICE.value, subscription.phone
            subject = ""
            body = _(
                "Dzień dobry, tu platforma Wspólnota. Ten numer już dostaje ogłoszenia głosowe. "
                "Aby zmienić ustawienia lub zrezygnować, proszę zadzwonić pod numer %(phone)s."
            ) % {"phone": settings.HELP_PHONE}
        else:
            channel, to = Channel.SMS.value, subscription.phone
            subject = ""
            body = _(
                "Wspólnota: ten numer już dostaje ogłoszenia. Ustawienia i wypisanie: %(link)s"
            ) % {"link": link}
    _send_on_request(
        kind="communication.already_subscribed",
        channel=channel,
        to=to,
        subject=subject,
        body=body,
        language=subscription.language,
    )


@dataclass(frozen=True)
class SubscribeResult:
    """What became of a request to subscribe, for the page that answers it.

    ``activated``: active now (the signed-in person's own confirmed number). Otherwise a code,
    a link or, for an address already subscribed, a link to its settings went to the address;
    ``pairing`` is what the asking browser keeps to enter an SMS code ("" when there is no code
    to enter). The same answer is given whether or not the address was subscribed before.
    """

    subscription: Subscription | None
    activated: bool
    pairing: str
    address_label: str


def subscription_start(
    *,
    channel: str,
    address: Address,
    preferences: Preferences,
    user: User | None = None,
) -> SubscribeResult:
    """Sign up without an account; active once the link or code is confirmed.

    Whoever types an address proves nothing, so an address that is already subscribed is not
    changed and nothing about it is handed back: its owner gets a link to the subscription's
    settings instead. A subscription is tied to an account only once the address is proven:
    the account's own confirmed number, or a code or link confirmed while signed in.
    """
    if channel == Channel.LETTER:
        raise CommunicationError(errors.LETTER_ONLY_AT_COUNTER, field="channel")
    cleaned = _clean_address(channel, address)
    _clean_point(preferences)  # checked first: the answer must not depend on who subscribed
    label = Subscription(channel=channel, **cleaned.__dict__).address_label
    own_phone = (
        user is not None
        and channel in (Channel.SMS, Channel.VOICE)
        and user.phone_confirmed
        and user.phone == cleaned.phone
    )
    with transaction.atomic():
        existing = _find_existing(channel, cleaned)
        if existing is not None and existing.status == Subscription.Status.ACTIVE:
            if own_phone:
                existing.user = user
                _set_preferences(existing, preferences)
                existing.save()
                existing.districts.set(preferences.districts)
                return SubscribeResult(existing, activated=True, pairing="", address_label=label)
            _send_manage_link(existing)
            return SubscribeResult(None, activated=False, pairing="", address_label=label)
        subscription = existing or Subscription(
            channel=channel, manage_token=secrets.token_urlsafe(32), **cleaned.__dict__
        )
        subscription.status = Subscription.Status.PENDING
        subscription.source = Subscription.Source.PROFILE if user else Subscription.Source.WEB
        subscription.user = user if own_phone else None
        subscription.unsubscribed_at = None
        _set_preferences(subscription, preferences)
        subscription.consent_at = timezone.now()
        subscription.save()
        subscription.districts.set(preferences.districts)
        if own_phone:
            _activate(subscription)
            return SubscribeResult(subscription, activated=True, pairing="", address_label=label)
        pairing = _send_confirmation(subscription)
    return SubscribeResult(subscription, activated=False, pairing=pairing, address_label=label)


def _activate(subscription: Subscription, *, sync_blacklist: bool = True) -> None:
    now = timezone.now()
    subscription.status = Subscription.Status.ACTIVE
    subscription.confirmed_at = now
    subscription.confirm_hash = ""
    subscription.unsubscribed_at = None
    subscription.save(
        update_fields=["status", "confirmed_at", "confirm_hash", "unsubscribed_at", "updated_at"]
    )
    if sync_blacklist and subscription.channel in (Channel.SMS, Channel.VOICE):
        sms_blacklist_sync(phone=subscription.phone)


def subscription_confirm(
    *, subscription: Subscription, secret: str, user: User | None = None
) -> Subscription:
    """Check the e-mailed link or the paired SMS code; five wrong codes end the attempt.

    ``user`` is whoever is signed in while confirming: having just proven the address is
    theirs, the subscription is listed among their subscriptions from now on.
    """
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if locked.status == Subscription.Status.ACTIVE:
            return locked
        if (
            locked.status != Subscription.Status.PENDING
            or not locked.confirm_hash
            or locked.confirm_expires_at is None
            or locked.confirm_expires_at <= timezone.now()
            or locked.confirm_attempts >= 5
        ):
            raise CommunicationError(errors.CODE_EXPIRED, field="code")
        expected = _secret_hash(locked.pk, secret.strip())
        if hmac.compare_digest(expected, locked.confirm_hash):
            if user is not None:
                locked.user = user
                locked.save(update_fields=["user", "updated_at"])
            _activate(locked)
            return locked
        locked.confirm_attempts += 1
        locked.save(update_fields=["confirm_attempts", "updated_at"])
    raise CommunicationError(errors.CODE_WRONG, field="code")


def subscription_confirm_code(
    *, subscription_id: int | None, pairing: str, code: str, user: User | None = None
) -> Subscription:
    """The SMS code typed on the page of the browser that asked for it (see ``_send_confirmation``).

    Only a pending subscription can be confirmed this way; one that is already active, or an
    attempt for an address that was already subscribed, gets the same answer as a wrong code.
    """
    subscription = (
        Subscription.objects.filter(pk=subscription_id, status=Subscription.Status.PENDING).first()
        if subscription_id is not None and pairing
        else None
    )
    if subscription is None:
        raise CommunicationError(errors.CODE_WRONG, field="code")
    return subscription_confirm(
        subscription=subscription, secret=f"{pairing}:{code.strip()}", user=user
    )


def subscription_update(*, subscription: Subscription, preferences: Preferences) -> Subscription:
    """Change districts, topics, groups and language (by the owner, via link or profile)."""
    with transaction.atomic():
        _set_preferences(subscription, preferences)
        subscription.save()
        subscription.districts.set(preferences.districts)
    return subscription


def subscription_unsubscribe(
    *, subscription: Subscription, via: str, sync_blacklist: bool = True
) -> Subscription:
    """Stop every message of this subscription, including ones already queued; a number with
    nothing left to receive goes on the gateway's blacklist."""
    now = timezone.now()
    with transaction.atomic():
        subscription.status = Subscription.Status.UNSUBSCRIBED
        subscription.unsubscribed_at = now
        subscription.unsubscribe_via = via[:20]
        subscription.confirm_hash = ""
        subscription.save(
            update_fields=[
                "status",
                "unsubscribed_at",
                "unsubscribe_via",
                "confirm_hash",
                "updated_at",
            ]
        )
        OutboxMessage.objects.filter(
            subscription=subscription, status=OutboxMessage.Status.QUEUED
        ).update(status=OutboxMessage.Status.CANCELLED, status_at=now, error="unsubscribed")
        if sync_blacklist and subscription.channel in (Channel.SMS, Channel.VOICE):
            sms_blacklist_sync(phone=subscription.phone)
    return subscription


def subscription_register_at_counter(
    *,
    clerk: User,
    channel: str,
    address: Address,
    preferences: Preferences,
    consent_document: str,
    person: User | None = None,
) -> Subscription:
    """A clerk signs a resident up at a counter; the signed paper form is the consent.

    ``person`` (issue 17): the person the clerk acts for; the subscription is listed on their
    counter page and goes with their data on erasure.
    """
    if not permissions.can_register_at_counter(clerk):
        raise CommunicationError(errors.NOT_ALLOWED, code="permission_denied")
    if not consent_document.strip():
        raise CommunicationError(errors.CONSENT_DOCUMENT_MISSING, field="consent_document")
    cleaned = _clean_address(channel, address)
    now = timezone.now()
    with transaction.atomic():
        existing = _find_existing(channel, cleaned)
        before = snapshot(existing) if existing else None
        subscription = existing or Subscription(
            channel=channel, manage_token=secrets.token_urlsafe(32), **cleaned.__dict__
        )
        subscription.source = Subscription.Source.COUNTER
        subscription.status = Subscription.Status.ACTIVE
        subscription.confirmed_at = now
        subscription.unsubscribed_at = None
        subscription.consent_at = now
        subscription.consent_document = consent_document.strip()[:100]
        subscription.registered_by = clerk
        if person is not None:
            subscription.user = person
        _set_preferences(subscription, preferences)
        subscription.save()
        subscription.districts.set(preferences.districts)
        audit_log_append(
            actor=clerk,
            action="communication.subscription_registered_at_counter",
            obj=subscription,
            before=before,
            after=snapshot(
                subscription,
                fields=["channel", "status", "language", "consent_document", "source"],
            ),
        )
    return subscription


def subscription_update_by_clerk(
    *, clerk: User, subscription: Subscription, preferences: Preferences, channel: str
) -> Subscription:
    """A clerk changes someone's subscription at their request, at a counter or on the phone
    (issue 17): districts, topics, groups, language. Audit-logged with the channel."""
    if not permissions.can_register_at_counter(clerk):
        raise CommunicationError(errors.NOT_ALLOWED, code="permission_denied")
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        before = snapshot(locked, fields=["language", "topics_mask", "groups_mask"])
        before["districts"] = sorted(locked.districts.values_list("id", flat=True))
        subscription_update(subscription=locked, preferences=preferences)
        after = snapshot(locked, fields=["language", "topics_mask", "groups_mask"])
        after["districts"] = sorted(d.pk for d in preferences.districts)
        audit_log_append(
            actor=clerk,
            action="communication.subscription_changed_by_clerk",
            obj=locked,
            before=before,
            after=after,
            reason=f"channel: {channel}",
        )
    return locked


def subscription_cancel_by_clerk(
    *, clerk: User, subscription: Subscription, channel: str
) -> Subscription:
    """A clerk cancels someone's subscription at their request (a letter says "phone us")."""
    if not permissions.can_register_at_counter(clerk):
        raise CommunicationError(errors.NOT_ALLOWED, code="permission_denied")
    with transaction.atomic():
        locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
        before = snapshot(locked, fields=["status"])
        subscription_unsubscribe(subscription=locked, via=channel)
        audit_log_append(
            actor=clerk,
            action="communication.subscription_cancelled_by_clerk",
            obj=locked,
            before=before,
            after=snapshot(locked, fields=["status", "unsubscribe_via"]),
            reason=f"channel: {channel}",
        )
    return locked


STOP_WORDS = frozenset({"STOP", "STOPP", "NIE", "СТОП", "UNSUBSCRIBE", "WYPISZ"})
START_WORDS = frozenset({"START", "СТАРТ", "TAK", "ZAPISZ"})


def sms_inbound(*, from_number: str, text: str) -> int:
    """A reply to our two-way number: STOP unsubscribes the number, START brings it back.

    Both apply at once and are confirmed by an SMS (sent before the number goes on the gateway's
    blacklist, which would refuse it). Returns how many subscriptions changed.
    """
    words = text.strip().upper().split()
    word = words[0].strip(".!") if words else ""
    if word not in STOP_WORDS and word not in START_WORDS:
        return 0
    try:
        phone = normalise_phone(
            from_number if from_number.startswith("+") else "+" + from_number, mobile=False
        )
    except CommunicationError:
        return 0
    phone_subscriptions = Subscription.objects.filter(
        phone=phone, channel__in=[Channel.SMS, Channel.VOICE]
    )
    count = 0
    with transaction.atomic():
        if word in STOP_WORDS:
            for subscription in phone_subscriptions.exclude(
                status=Subscription.Status.UNSUBSCRIBED
            ):
                subscription_unsubscribe(
                    subscription=subscription, via="sms_stop", sync_blacklist=False
                )
                count += 1
            language = _language_of(phone_subscriptions)
            with translation.override(language):
                body = _(
                    "Wspólnota: wypisano ten numer, nie dostanie już ogłoszeń. "
                    "Aby wrócić, odpisz START."
                )
        else:
            for subscription in phone_subscriptions.filter(
                status=Subscription.Status.UNSUBSCRIBED, unsubscribe_via="sms_stop"
            ):
                _activate(subscription, sync_blacklist=False)
                count += 1
            if not count:
                return 0
            sms_blacklist_sync(phone=phone)  # off the blacklist before the confirmation goes
            language = _language_of(phone_subscriptions)
            with translation.override(language):
                body = _(
                    "Wspólnota: ten numer znów dostaje ogłoszenia. Aby się wypisać, odpisz STOP."
                )
        if count or (word in STOP_WORDS and phone_subscriptions.exists()):
            outbox_enqueue_direct(
                kind="communication.sms_reply_confirmation",
                channel=Channel.SMS,
                to=phone,
                subject="",
                body=body,
                language=language,
                urgent=True,
            )
        if word in STOP_WORDS:
            sms_blacklist_sync(phone=phone)  # after the confirmation, which it would refuse
    return count


def _language_of(subscriptions: Any) -> str:
    first = subscriptions.order_by("-updated_at").first()
    return first.language if first is not None else "pl"


def sms_blacklist_sync(*, phone: str, lift: bool = False) -> None:
    """Keep the gateway's blacklist in step with this number's subscriptions (after commit).

    A number with no active SMS or voice subscription goes on the blacklist (the gateway then
    refuses anything sent to it by mistake); a number that is subscribed again comes off it.
    ``lift``: take it off whatever the subscriptions say (a code is about to be sent to it).
    Only with the SMSAPI gateway; the task retries while the gateway cannot be reached.
    """
    if settings.SMS_BACKEND != "smsapi" or not phone:
        return
    from wspolnota.communication.tasks import sms_blacklist_update

    transaction.on_commit(lambda: sms_blacklist_update.enqueue(phone=phone, lift=lift))


def _blacklisted_phone(number: str) -> str:
    """The gateway lists numbers as digits, Polish ones sometimes without the country code."""
    digits = "".join(c for c in number if c.isdigit())
    candidate = "+48" + digits if len(digits) == 9 else "+" + digits
    try:
        return normalise_phone(candidate, mobile=False)
    except CommunicationError:
        return ""


def sms_blacklist_pull(*, now: datetime | None = None) -> int:
    """Bring opt-outs made at the gateway (its blacklist) into the platform's subscriptions.

    A number can land on the gateway's blacklist without us: the person asked the gateway's
    operator, replied STOP to a number the gateway handles, or the city's office added it in the
    gateway's panel. Each SMS and voice subscription of such a number is unsubscribed here, so
    the platform stops queueing messages the gateway would refuse, and the person's choice shows
    on their subscription page. An entry counts only if it is newer than the subscription's
    confirmation (someone who subscribed again after it was made keeps the new subscription: the
    platform is about to take the number off the blacklist) and has not expired; an entry
    without a date counts. Nothing is ever subscribed again from the gateway's side: coming back
    takes the person's own confirmation. Returns how many subscriptions were unsubscribed.
    """
    from wspolnota.communication.transports import sms_smsapi

    if settings.SMS_BACKEND != "smsapi":
        return 0
    now = now or timezone.now()
    added: dict[str, datetime] = {}
    for entry in sms_smsapi.blacklist_entries():
        phone = _blacklisted_phone(entry.number)
        if not phone or (entry.expire_at is not None and entry.expire_at <= now):
            continue
        when = entry.created_at or now
        added[phone] = max(added.get(phone, when), when)
    count = 0
    phones = sorted(added)
    for start in range(0, len(phones), 500):
        chunk = phones[start : start + 500]
        candidates = Subscription.objects.filter(
            phone__in=chunk, channel__in=[Channel.SMS, Channel.VOICE]
        ).exclude(status=Subscription.Status.UNSUBSCRIBED)
        for candidate_id in candidates.order_by("id").values_list("id", flat=True):
            with transaction.atomic():
                subscription = Subscription.objects.select_for_update().get(pk=candidate_id)
                since = subscription.confirmed_at or subscription.created_at
                if subscription.status == Subscription.Status.UNSUBSCRIBED or (
                    since is not None and since >= added[subscription.phone]
                ):
                    continue
                subscription_unsubscribe(
                    subscription=subscription, via="sms_blacklist", sync_blacklist=False
                )
            count += 1
    return count


# Delivery reports: which transport's callback may report on which channel.
GATEWAY_CHANNELS = {"smsapi": Channel.SMS, "smsapi-vms": Channel.VOICE}
GATEWAY_STATUS = {
    "DELIVERED": OutboxMessage.Status.DELIVERED,
    "UNDELIVERED": OutboxMessage.Status.FAILED,
    "FAILED": OutboxMessage.Status.FAILED,
    "EXPIRED": OutboxMessage.Status.FAILED,
    "REJECTED": OutboxMessage.Status.FAILED,
}
# A report moves a message forward only: a final state is never downgraded (a late EXPIRED after
# DELIVERED changes nothing); proof of delivery wins over a failure.
_RANK = {
    OutboxMessage.Status.SENDING: 0,
    OutboxMessage.Status.SENT: 1,
    OutboxMessage.Status.UNKNOWN: 1,
    OutboxMessage.Status.FAILED: 2,
    OutboxMessage.Status.DELIVERED: 3,
}


def outbox_status_callback(*, gateway: str, idx: str, gateway_id: str, gateway_status: str) -> int:
    """A delivery report from ``gateway`` (``smsapi`` for SMS, ``smsapi-vms`` for voice).

    The report names the message by the ``idx`` we gave it (``sms_smsapi.gateway_idx``: the
    outbox row and an HMAC of its key) or by the gateway's message id. It changes only a message
    of that gateway's channel that went through that gateway, and only forward.
    """
    from wspolnota.communication.transports.sms_smsapi import idx_matches, parse_gateway_idx

    channel = GATEWAY_CHANNELS.get(gateway)
    if channel is None:
        return 0
    status_name = gateway_status.strip().upper()[:40]
    rows = OutboxMessage.objects.filter(channel=channel).filter(
        Q(gateway=gateway) | Q(gateway="", status=OutboxMessage.Status.SENDING)
    )
    # A message whose gateway answer was lost (a timeout) waits for a retry under the
    # duplicate check, or was decided "unknown" once the check expired. The gateway's own
    # report about it is proof that it has the message: it settles the row, which is then not
    # sent again (nor called "maybe sent" when the gateway confirmed it).
    in_doubt = Q(status=OutboxMessage.Status.QUEUED, maybe_sent_at__isnull=False) | Q(
        status=OutboxMessage.Status.UNKNOWN
    )
    parsed = parse_gateway_idx(idx) if idx else None
    if parsed is not None:
        # A row whose worker died with it at the gateway was requeued (or marked unknown) by
        # the reaper before any outcome named the gateway: the idx, an HMAC of the row's key,
        # is what ties the report to it.
        row = (
            OutboxMessage.objects.filter(channel=channel)
            .filter(
                Q(gateway=gateway)
                | Q(gateway="", status=OutboxMessage.Status.SENDING)
                | (Q(gateway="") & in_doubt)
            )
            .filter(pk=parsed[0])
            .values("id", "idempotency_key", "gateway_id")
            .first()
        )
        if row is None or not idx_matches(idx, row["id"], row["idempotency_key"]):
            return 0
        known = row["gateway_id"]
        if gateway_id and known and not known.startswith("idx:") and known != gateway_id:
            return 0
        target = OutboxMessage.objects.filter(pk=row["id"])
    elif gateway_id and not idx:
        target = rows.filter(gateway_id=gateway_id)
    else:
        return 0
    now = timezone.now()
    new_status = GATEWAY_STATUS.get(status_name)
    if new_status is None:  # an intermediate report (QUEUE, SENT, ACCEPTED …)
        updated = target.filter(
            status__in=[OutboxMessage.Status.SENDING, OutboxMessage.Status.SENT]
        ).update(gateway_status=status_name, status_at=now)
        updated += target.filter(in_doubt).update(
            status=OutboxMessage.Status.SENT,
            gateway=gateway,
            gateway_status=status_name,
            status_at=now,
            sent_at=Coalesce(F("sent_at"), Value(now)),
        )
    else:
        lower = [status for status, rank in _RANK.items() if rank < _RANK[new_status]]
        updated = target.filter(Q(status__in=lower) | in_doubt).update(
            status=new_status,
            gateway=gateway,
            gateway_status=status_name,
            status_at=now,
            sent_at=Coalesce(F("sent_at"), Value(now)),
        )
    if updated and gateway_id:
        # the gateway's message id, when no outcome recorded it (later reports may give only it)
        target.filter(gateway_id="").update(gateway_id=gateway_id[:100])
    return updated


def letter_batch_request(*, actor: User, notice: Notice) -> LetterBatch:
    """Take every queued letter of the notice into a new batch; the worker prints it.

    The page only records the request: the letters are rendered by ``letter_batch_render`` in
    the background worker (enqueued after commit), which shows its progress on the batch.
    """
    from wspolnota.communication.tasks import letter_batch_render as render_task

    if not permissions.can_print_letters(actor, notice):
        raise CommunicationError(errors.NOT_ALLOWED, code="permission_denied")
    with transaction.atomic():
        queued = list(
            OutboxMessage.objects.select_for_update()
            .filter(
                notice=notice,
                channel=Channel.LETTER,
                status=OutboxMessage.Status.QUEUED,
                letter_batch__isnull=True,
            )
            .values_list("id", flat=True)
        )
        if not queued:
            raise CommunicationError(errors.NOTHING_TO_PRINT)
        batch = LetterBatch.objects.create(
            notice=notice,
            created_by=actor,
            letter_count=len(queued),
            status=LetterBatch.Status.QUEUED,
        )
        OutboxMessage.objects.filter(id__in=queued).update(letter_batch=batch)
        audit_log_append(
            actor=actor,
            action="communication.letters_requested",
            obj=batch,
            after={"notice": notice.pk, "letters": len(queued)},
        )
        batch_id = batch.pk
        transaction.on_commit(lambda: render_task.enqueue(batch_id=batch_id))
    return batch


def _batch_file_name(batch: LetterBatch, extension: str) -> str:
    """The stored name of a batch's file, when first rendered and when printed again."""
    name = f"notice-{batch.notice_id}" if batch.notice_id is not None else "replies"
    return f"{name}-batch-{batch.pk}.{extension}"


def letter_batch_render(*, batch_id: int) -> LetterBatch:
    """Render a requested batch (in the worker): one PDF, or a ZIP of PDFs, then mark it sent.

    Safe to run again: a batch that is done is left alone; one whose worker died is rendered
    anew. A batch that cannot be rendered is marked failed and its letters go back to the queue.
    """
    from wspolnota.communication.printing import letters_file

    with transaction.atomic():
        # Lock the batch row only: ``notice`` is nullable (a batch of replies has none), and
        # PostgreSQL refuses FOR UPDATE on the nullable side of the outer join.
        batch = (
            LetterBatch.objects.select_for_update(of=("self",))
            .select_related("notice")
            .get(pk=batch_id)
        )
        if batch.status == LetterBatch.Status.DONE:
            return batch
        batch.status = LetterBatch.Status.RENDERING
        batch.rendered_count = 0
        batch.error = ""
        batch.save(update_fields=["status", "rendered_count", "error", "updated_at"])
    notice = (
        Notice.objects.prefetch_related("texts").get(pk=batch.notice_id)
        if batch.notice_id is not None
        else None
    )
    messages = list(
        OutboxMessage.objects.filter(letter_batch=batch, status=OutboxMessage.Status.QUEUED)
        .select_related("sender_unit")
        .only("id", "to", "language", "idempotency_key", "subject", "body", "sender_unit__name")
        .order_by("to", "id")
    )

    def progress(done: int) -> None:
        LetterBatch.objects.filter(pk=batch_id).update(rendered_count=done)

    try:
        content, extension = letters_file(notice=notice, messages=messages, progress=progress)
    except Exception as exc:  # any rendering failure is reported on the page
        with transaction.atomic():
            LetterBatch.objects.filter(pk=batch_id).update(
                status=LetterBatch.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
            )
            OutboxMessage.objects.filter(
                letter_batch_id=batch_id, status=OutboxMessage.Status.QUEUED
            ).update(letter_batch=None)
        raise
    with transaction.atomic():
        batch = LetterBatch.objects.select_for_update().get(pk=batch_id)
        batch.pdf.save(_batch_file_name(batch, extension), ContentFile(content), save=False)
        now = timezone.now()
        batch.status = LetterBatch.Status.DONE
        batch.rendered_count = len(messages)
        batch.letter_count = len(messages)
        batch.finished_at = now
        batch.save()
        # A recipient erased while the batch was rendered stays cancelled (handled below).
        OutboxMessage.objects.filter(
            id__in=[m.pk for m in messages], status=OutboxMessage.Status.QUEUED
        ).update(
            status=OutboxMessage.Status.SENT,
            sent_at=now,
            status_at=now,
            gateway="print",
            attempts=1,
        )
        # A one-time code sent by letter: once printed, the batch's file is its only copy (and
        # goes by ``letter_batches_purge``); the row forgets the text, as e-mail and SMS do.
        OutboxMessage.objects.filter(id__in=[m.pk for m in messages], sensitive=True).update(
            body=""
        )
    if OutboxMessage.objects.filter(id__in=[m.pk for m in messages], to="").exists():
        # A recipient was erased while their letter was being rendered (the erasure found no
        # file to print again yet): the file must not keep them.
        letter_batch_reprint_without_erased(batch_id=batch.pk, now=timezone.now())
        batch.refresh_from_db()
    return batch


def letter_batch_pdf_delete(*, batch: LetterBatch, reason: str, now: datetime) -> None:
    """Delete a batch's file (names, addresses, texts) from the storage; the row stays with its
    counts and says why there is no file (``LetterBatch.PdfPurge``)."""
    if batch.pdf:
        batch.pdf.delete(save=False)
    batch.pdf = ""
    batch.pdf_purged_at = now
    batch.pdf_purged_reason = reason
    batch.save(update_fields=["pdf", "pdf_purged_at", "pdf_purged_reason", "updated_at"])


def letter_batch_reprint_without_erased(*, batch_id: int, now: datetime) -> bool:
    """A recipient of a held batch was erased (their outbox rows lost address and text): print
    the batch again from the letters still on record, so the file no longer holds them.

    The erasure itself deletes the file at once (``PdfPurge.ERASURE``) and the worker calls
    this afterwards; the worker also calls it on a file it has just rendered. When the batch
    cannot be printed again faithfully (a reply whose text is gone: a one-time code erased after
    printing, or a message past its retention), nothing is left, or the batch's retention period
    is over, the file stays deleted. Returns True when the batch was printed again.
    """
    from wspolnota.communication.printing import letters_file

    batch = LetterBatch.objects.select_related("notice").get(pk=batch_id)
    awaiting = not batch.pdf and batch.pdf_purged_reason == LetterBatch.PdfPurge.ERASURE
    if not (batch.pdf or awaiting):
        return False
    rendered_at = batch.finished_at or batch.created_at
    days = settings.RETENTION_DAYS["letter_batches"]
    if rendered_at < now - timedelta(days=days):
        letter_batch_pdf_delete(batch=batch, reason=LetterBatch.PdfPurge.RETENTION, now=now)
        return False
    messages = list(
        OutboxMessage.objects.filter(letter_batch=batch, channel=Channel.LETTER)
        .exclude(to="")
        .select_related("sender_unit")
        .only("id", "to", "language", "idempotency_key", "subject", "body", "sender_unit__name")
        .order_by("to", "id")
    )
    faithful = bool(messages) and (
        batch.notice_id is not None or all(message.body for message in messages)
    )
    content: bytes | None = None
    extension = "pdf"
    if faithful:
        notice = (
            Notice.objects.prefetch_related("texts").get(pk=batch.notice_id)
            if batch.notice_id is not None
            else None
        )
        try:
            content, extension = letters_file(notice=notice, messages=messages)
        except Exception:  # a batch that cannot be printed again is not kept as it was
            logger.exception("letter batch %s: could not be printed again", batch_id)
            content = None
    if content is None:
        letter_batch_pdf_delete(batch=batch, reason=LetterBatch.PdfPurge.ERASURE, now=now)
        return False
    if batch.pdf:
        batch.pdf.delete(save=False)
    batch.pdf.save(_batch_file_name(batch, extension), ContentFile(content), save=False)
    batch.letter_count = batch.rendered_count = len(messages)
    batch.pdf_purged_at = None
    batch.pdf_purged_reason = ""
    batch.save(
        update_fields=[
            "pdf",
            "letter_count",
            "rendered_count",
            "pdf_purged_at",
            "pdf_purged_reason",
            "updated_at",
        ]
    )
    return True


def subscriptions_cancel_for_user(*, user: User, ids: Iterable[int]) -> int:
    count = 0
    for subscription in Subscription.objects.filter(user=user, pk__in=list(ids)):
        subscription_unsubscribe(subscription=subscription, via="profile")
        count += 1
    return count


# --- Replies to a person, by the way they chose (issue 17) ----------------------------------------


def _reply_address(person: User) -> tuple[str, str] | None:
    """The channel and address a reply to ``person`` goes to, or None when they cannot be
    reached. An account holder: their e-mail. A person kept by the city: the reply channel
    they chose (letter, voice call, SMS or e-mail)."""
    if not person.kept_by_city:
        return (Channel.EMAIL.value, person.email) if person.email else None
    chosen = person.reply_channel
    if chosen == Channel.LETTER:
        lines = person.postal_address_lines
        return (Channel.LETTER.value, "\n".join(lines)) if lines else None
    if chosen == Channel.VOICE:
        number = person.landline_phone or person.phone
        return (Channel.VOICE.value, number) if number else None
    if chosen == Channel.SMS:
        return (Channel.SMS.value, person.phone) if person.phone else None
    if chosen == Channel.EMAIL:
        return (Channel.EMAIL.value, person.email) if person.email else None
    return None


def reply_to_person(
    *,
    person: User,
    subject: str,
    body: str,
    sender_unit: CityUnit | None = None,
    kind: str = "reply",
    key: str | None = None,
    urgent: bool = False,
    by_letter: bool = False,
    sensitive: bool = False,
) -> list[OutboxMessage]:
    """Send the city's answer to a person the way their question came (issue 17).

    An account holder gets an e-mail. A person without an account gets it by the channel they
    chose: a letter (queued here, printed by the worker in a batch with the address placed for
    a DL window envelope, ``reply_letters_print``), a voice call (the text is spoken), an SMS or
    an e-mail. Call it inside the transaction of the act: a rolled-back act sends nothing.
    ``key`` makes it idempotent (the same key is sent once). ``sensitive`` (a one-time code):
    the row forgets the text once it is sent, or, for a letter, once it is printed into its
    batch. Returns the outbox rows made (none for a deleted person, one who cannot be reached,
    or a key already used).
    """
    if not person.is_active or person.deleted_at is not None:
        return []
    if by_letter:
        # ``by_letter``: to the postal address on record whatever the person chose (a one-time
        # code that proves they live there, ``accounts.services.person_conversion_start``).
        lines = person.postal_address_lines
        address = (Channel.LETTER.value, "\n".join(lines)) if lines else None
    else:
        address = _reply_address(person)
    if address is None:
        logger.warning("reply %s: person %s cannot be reached", kind, person.pk)
        return []
    channel, to = address
    text = body.strip()
    if channel == Channel.SMS:
        text = f"{subject.strip()}: {text}" if subject.strip() else text
    now = timezone.now()
    message = OutboxMessage(
        idempotency_key=(f"{kind}:{key}:{person.pk}" if key else f"{kind}:{uuid.uuid4().hex}")[
            :120
        ],
        kind=kind[:60],
        channel=channel,
        to=to[:400],
        subject=subject.strip()[:300],
        body=text,
        language=person.preferred_language,
        user=person,
        sender_unit=sender_unit,
        urgent=urgent,
        sensitive=sensitive,
        not_before=first_send_time(channel=channel, urgent=urgent, at=now),
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        return []
    if channel == Channel.LETTER:
        from wspolnota.communication.tasks import reply_letters_print

        transaction.on_commit(lambda: reply_letters_print.enqueue())
    else:
        delivery_enqueue()
    return [message]


def reply_letters_batches() -> list[LetterBatch]:
    """Gather every queued reply letter (no notice, no batch yet) into new batches, one per
    sender unit (its clerks print it; replies sent by no unit go into a batch with no unit);
    empty when there is none. The worker renders them (``letter_batch_render``)."""
    batches: list[LetterBatch] = []
    with transaction.atomic():
        queued = list(
            OutboxMessage.objects.select_for_update()
            .filter(
                notice__isnull=True,
                channel=Channel.LETTER,
                status=OutboxMessage.Status.QUEUED,
                letter_batch__isnull=True,
            )
            .values_list("id", "sender_unit_id")
        )
        by_unit: dict[int | None, list[int]] = {}
        for message_id, sender_unit_id in queued:
            by_unit.setdefault(sender_unit_id, []).append(message_id)
        for batch_unit_id, ids in by_unit.items():
            batch = LetterBatch.objects.create(
                notice=None,
                city_unit_id=batch_unit_id,
                created_by=None,
                letter_count=len(ids),
                status=LetterBatch.Status.QUEUED,
            )
            OutboxMessage.objects.filter(id__in=ids).update(letter_batch=batch)
            batches.append(batch)
    return batches


def reply_letters_downloaded(*, actor: User, batch: LetterBatch) -> None:
    """A clerk downloaded a batch of reply letters (names, addresses, answers): logged."""
    audit_log_append(
        actor=actor,
        action="communication.reply_letters_downloaded",
        obj=batch,
        after={"city_unit": batch.city_unit_id, "letter_count": batch.letter_count},
    )
