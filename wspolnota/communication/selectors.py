"""Reads of the communication app: notice boards, audiences, reports and estimates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.prepared import prep

from wspolnota.accounts.models import postal_key
from wspolnota.communication.choices import Channel, Scope
from wspolnota.communication.conf import get_config
from wspolnota.communication.models import Notice, NoticeText, OutboxMessage, Subscription
from wspolnota.communication.permissions import can_edit_notice, can_view_notice_report
from wspolnota.communication.rendering import sms_text
from wspolnota.communication.segments import count_segments, estimate_cost
from wspolnota.territory.models import District


def _with_texts(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.select_related("author").prefetch_related(
        Prefetch("texts", queryset=NoticeText.objects.order_by("language")),
        Prefetch("districts", queryset=District.objects.order_by("number")),
    )


def notice_board(*, at: datetime, district: District | None = None) -> QuerySet[Notice]:
    """Published notices valid at ``at``; for a district, city-wide ones and its own."""
    notices = Notice.objects.filter(status=Notice.Status.PUBLISHED, valid_from__lte=at).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=at)
    )
    if district is not None:
        notices = notices.filter(Q(scope=Scope.CITY) | Q(districts=district)).distinct()
    return _with_texts(notices).order_by("-valid_from", "-id")


def notice_archive(*, at: datetime) -> QuerySet[Notice]:
    """Published notices whose validity has ended, newest first."""
    return _with_texts(
        Notice.objects.filter(status=Notice.Status.PUBLISHED, valid_until__lte=at)
    ).order_by("-valid_until", "-id")


def dated_notices(*, at: datetime, district: District | None = None) -> QuerySet[Notice]:
    return notice_board(at=at, district=district).filter(event_start__isnull=False)


def notice_get_visible(*, viewer: Any, pk: int, at: datetime) -> Notice | None:
    """A published or withdrawn notice for anyone; a draft only for who may edit it."""
    notice = _with_texts(Notice.objects.filter(pk=pk)).first()
    if notice is None:
        return None
    if notice.status == Notice.Status.DRAFT and not (
        can_edit_notice(viewer, notice, at=at) or can_view_notice_report(viewer, notice)
    ):
        return None
    return notice


def notice_list_managed(*, user: Any) -> QuerySet[Notice]:
    """Notices the user wrote and those of the units they are an official of, drafts first."""
    from wspolnota.communication.permissions import is_administrator, official_unit_ids

    notices = Notice.objects.all()
    if not is_administrator(user):
        notices = notices.filter(Q(author=user) | Q(city_unit_id__in=official_unit_ids(user)))
    return _with_texts(notices).order_by(F("published_at").desc(nulls_first=True), "-created_at")[
        :200
    ]


def text_for(notice: Notice, language: str) -> NoticeText | None:
    texts = {t.language: t for t in notice.texts.all()}
    return texts.get(language) or texts.get(notice.source_language)


# --- Audience -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    subscription_id: int
    channel: str
    address: str
    language: str
    district_id: int | None
    user_id: int | None


def _postal(row: dict[str, Any]) -> str:
    lines = [
        row["postal_name"],
        row["postal_street"],
        f"{row['postal_code']} {row['postal_city']}".strip(),
    ]
    return "\n".join(line for line in lines if line)


def notice_audience(*, notice: Notice) -> list[Recipient]:
    """Active subscribers the notice reaches, one per subscription and channel it uses.

    A subscriber is reached when the notice is city-wide or touches one of their districts, and
    when their topics and groups overlap the notice's (an empty choice means "everything").
    """
    channels = notice.channels
    if not channels:
        return []
    subs = Subscription.objects.filter(status=Subscription.Status.ACTIVE, channel__in=channels)
    if notice.topics_mask:
        subs = subs.annotate(topic_hit=F("topics_mask").bitand(notice.topics_mask)).filter(
            Q(topics_mask=0) | Q(topic_hit__gt=0)
        )
    if notice.groups_mask:
        subs = subs.annotate(group_hit=F("groups_mask").bitand(notice.groups_mask)).filter(
            Q(groups_mask=0) | Q(group_hit__gt=0)
        )
    if notice.scope == Scope.AREA and notice.area:
        west, south, east, north = shape(notice.area).bounds
        subs = subs.filter(
            point_lat__gte=south, point_lat__lte=north, point_lon__gte=west, point_lon__lte=east
        )
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in subs.order_by("id").values(
            "id",
            "channel",
            "email",
            "phone",
            "language",
            "user_id",
            "postal_name",
            "postal_street",
            "postal_code",
            "postal_city",
            "point_lat",
            "point_lon",
        )
    ]
    through = Subscription.districts.through
    links = through.objects.filter(subscription__in=subs)
    target = set(notice.districts.values_list("id", flat=True))
    by_subscription: dict[int, list[int]] = {}
    for sub_id, link_district_id in links.values_list("subscription_id", "district_id"):
        by_subscription.setdefault(sub_id, []).append(link_district_id)
    available = {t.language for t in notice.texts.all()}
    letter_addresses: set[str] = set()
    city_wide = notice.scope == Scope.CITY
    # An area reaches the subscribers whose address point lies inside it, not whole districts.
    area = prep(shape(notice.area)) if notice.scope == Scope.AREA and notice.area else None
    recipients = []
    for row in rows:
        districts = sorted(by_subscription.get(row["id"], []))
        district_id: int | None
        if city_wide:
            district_id = districts[0] if districts else None
        elif area is not None:
            if row["point_lat"] is None or row["point_lon"] is None:
                continue
            if not area.covers(Point(row["point_lon"], row["point_lat"])):
                continue
            hits = [d for d in districts if d in target]
            district_id = hits[0] if hits else (districts[0] if districts else None)
        else:
            hits = [d for d in districts if d in target]
            if not hits:
                continue
            district_id = hits[0]
        channel = row["channel"]
        if channel == Channel.EMAIL:
            address = row["email"]
        elif channel == Channel.LETTER:
            # One letter per postal address, however it was typed (issue 17): the household
            # that subscribed twice, at two counters or in two spellings, gets one letter.
            key = postal_key(row["postal_street"], row["postal_code"]) or _postal(row)
            if key in letter_addresses:
                continue
            letter_addresses.add(key)
            address = _postal(row)
        else:
            address = row["phone"]
        language = row["language"] if row["language"] in available else notice.source_language
        recipients.append(
            Recipient(row["id"], channel, address, language, district_id, row["user_id"])
        )
    return recipients


@dataclass(frozen=True)
class SmsEstimate:
    language: str
    recipients: int
    encoding: str
    characters: int
    segments_each: int
    segments_total: int
    cost: Decimal


@dataclass(frozen=True)
class AudienceSummary:
    by_channel: dict[str, int]
    sms: list[SmsEstimate]
    sms_segments: int
    sms_cost: Decimal


def notice_audience_summary(*, notice: Notice) -> AudienceSummary:
    """How many people each channel reaches and what the SMS will cost, before sending."""
    recipients = notice_audience(notice=notice)
    by_channel: dict[str, int] = {}
    sms_by_language: dict[str, int] = {}
    for r in recipients:
        by_channel[r.channel] = by_channel.get(r.channel, 0) + 1
        if r.channel == Channel.SMS:
            sms_by_language[r.language] = sms_by_language.get(r.language, 0) + 1
    price = get_config().sms_price_per_segment
    estimates = []
    for language, count in sorted(sms_by_language.items()):
        text = sms_text(notice, language)
        seg = count_segments(text)
        estimates.append(
            SmsEstimate(
                language=language,
                recipients=count,
                encoding=seg.encoding,
                characters=len(text),
                segments_each=seg.segments,
                segments_total=seg.segments * count,
                cost=estimate_cost(segments=seg.segments * count, price_per_segment=price),
            )
        )
    total_segments = sum(e.segments_total for e in estimates)
    return AudienceSummary(
        by_channel=by_channel,
        sms=estimates,
        sms_segments=total_segments,
        sms_cost=estimate_cost(segments=total_segments, price_per_segment=price),
    )


def paid_send_estimate(*, notice: Notice) -> Decimal:
    """What the notice's SMS, calls and letters cost, for the audience it has now."""
    if not notice.paid_channels:
        return Decimal("0.00")
    summary = notice_audience_summary(notice=notice)
    config = get_config()
    voice = summary.by_channel.get(Channel.VOICE, 0) * config.voice_price_per_call
    letters = summary.by_channel.get(Channel.LETTER, 0) * config.letter_price
    return (summary.sms_cost + voice + letters).quantize(Decimal("0.01"))


def paid_send_spent(*, city_unit: Any, year: int) -> Decimal:
    """What the unit's published notices of the year cost (withdrawn ones included: sent is sent)."""
    from django.db.models import Sum

    total = Notice.objects.filter(
        city_unit=city_unit,
        published_at__year=year,
        status__in=[Notice.Status.PUBLISHED, Notice.Status.WITHDRAWN],
    ).aggregate(total=Sum("paid_cost"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class BudgetRow:
    unit: Any
    year: int
    amount: Decimal | None
    spent: Decimal
    left: Decimal | None


def paid_send_budgets_for(*, user: Any, year: int) -> list[BudgetRow]:
    """The budgets of the units the user is an official of, for one year."""
    from wspolnota.accounts.models import CityUnit
    from wspolnota.communication.models import PaidSendBudget
    from wspolnota.communication.permissions import official_unit_ids

    rows = []
    amounts = {
        b.city_unit_id: b.amount
        for b in PaidSendBudget.objects.filter(city_unit_id__in=official_unit_ids(user), year=year)
    }
    for unit in CityUnit.objects.filter(pk__in=official_unit_ids(user)).order_by("name"):
        amount = amounts.get(unit.pk)
        spent = paid_send_spent(city_unit=unit, year=year)
        rows.append(
            BudgetRow(unit, year, amount, spent, None if amount is None else amount - spent)
        )
    return rows


def notices_awaiting_approval(*, user: Any) -> QuerySet[Notice]:
    """Drafts whose authors asked the user's units to approve their paid sends."""
    from wspolnota.communication.permissions import official_unit_ids

    return _with_texts(
        Notice.objects.filter(
            status=Notice.Status.DRAFT,
            approval_requested_at__isnull=False,
            city_unit_id__in=official_unit_ids(user),
        )
    ).order_by("approval_requested_at")


# --- Reports --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    channel: str
    district: str
    counts: dict[str, int]
    total: int


def notice_delivery_report(*, notice: Notice) -> list[ReportRow]:
    """Messages of a notice by channel and district, counted by status."""
    districts = {d.pk: str(d) for d in District.objects.all()}
    grouped = (
        OutboxMessage.objects.filter(notice=notice)
        .values("channel", "district_id", "status")
        .annotate(n=Count("id"))
        .order_by("channel", "district_id", "status")
    )
    table: dict[tuple[str, int | None], dict[str, int]] = {}
    for row in grouped:
        key = (row["channel"], row["district_id"])
        table.setdefault(key, {})[row["status"]] = row["n"]
    rows = []
    for (channel, district_id), counts in sorted(
        table.items(), key=lambda item: (item[0][0], item[0][1] or 0)
    ):
        rows.append(
            ReportRow(
                channel=channel,
                district=districts.get(district_id, "") if district_id else "",
                counts=counts,
                total=sum(counts.values()),
            )
        )
    return rows


def notice_delivery_totals(*, notice: Notice) -> dict[str, int]:
    return {
        row["status"]: row["n"]
        for row in OutboxMessage.objects.filter(notice=notice)
        .values("status")
        .annotate(n=Count("id"))
        .order_by("status")
    }


def subscription_list_for_user(*, user: Any) -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(user=user)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .prefetch_related(Prefetch("districts", queryset=District.objects.order_by("number")))
        .order_by("channel", "id")
    )


def subscription_by_token(*, token: str) -> Subscription | None:
    if not token or len(token) > 64:
        return None
    return (
        Subscription.objects.filter(manage_token=token)
        .prefetch_related(Prefetch("districts", queryset=District.objects.order_by("number")))
        .first()
    )


def subscription_counter_list(*, registered_by: Any) -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        registered_by=registered_by, source=Subscription.Source.COUNTER
    ).order_by("-created_at")[:50]


def now() -> datetime:
    return timezone.now()


def subscriptions_of_person(*, person: Any) -> list[Subscription]:
    """A person's subscriptions, for a clerk at the counter (issue 17): those tied to them, and
    those to their e-mail, mobile, landline or postal address (a subscription made before the
    person was recorded, or by the person on the web)."""
    q = Q(user=person)
    if person.email:
        q |= Q(channel=Channel.EMAIL, email__iexact=person.email)
    phones = [p for p in (person.phone, getattr(person, "landline_phone", "")) if p]
    if phones:
        q |= Q(channel__in=[Channel.SMS, Channel.VOICE], phone__in=phones)
    key = postal_key(getattr(person, "address_street", ""), getattr(person, "address_postcode", ""))
    found = list(
        Subscription.objects.filter(q).prefetch_related("districts").order_by("-created_at")
    )
    seen = {s.pk for s in found}
    if key:
        code = getattr(person, "address_postcode", "")
        for candidate in Subscription.objects.filter(
            channel=Channel.LETTER, postal_code=code
        ).exclude(pk__in=seen):
            if postal_key(candidate.postal_street, candidate.postal_code) == key:
                found.append(candidate)
    return found


def reply_batches_for(user: Any, *, limit: int = 50) -> list[Any]:
    """The batches of reply letters (issue 17) the user may print, newest first: those of the
    units they are an official or counter clerk of; every batch for an administrator."""
    from wspolnota.accounts.permissions import unit_ids
    from wspolnota.accounts.roles import Role
    from wspolnota.communication.models import LetterBatch
    from wspolnota.communication.permissions import can_print_reply_batch, is_administrator

    batches = LetterBatch.objects.filter(notice__isnull=True).order_by("-created_at")
    if not is_administrator(user):
        units = unit_ids(user, Role.OFFICIAL) | unit_ids(user, Role.COUNTER_CLERK)
        batches = batches.filter(city_unit_id__in=units)
    return [batch for batch in batches[:limit] if can_print_reply_batch(user, batch)]
