"""JSON API: current notices, and the SMS gateway's callbacks (delivery reports, replies)."""

from __future__ import annotations

import hmac
import os
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from ninja import Router, Schema

from wspolnota.communication import selectors, services
from wspolnota.core.errors import PermissionDeniedError

API_PREFIX = "/notices"
router = Router()


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    easy_read: str
    language: str
    author: str
    urgency: str
    scope: str
    districts: list[int]
    valid_from: datetime
    valid_until: datetime | None
    event_start: datetime | None


@router.get(
    "", response=list[NoticeOut], summary="Notices valid now (Accept-Language picks the text)"
)
def notices(request: HttpRequest, district: int | None = None) -> list[NoticeOut]:
    from wspolnota.territory.selectors import district_get

    language = translation.get_language() or "pl"
    where = district_get(number=district) if district else None
    result = []
    for notice in selectors.notice_board(at=timezone.now(), district=where)[:200]:
        text = selectors.text_for(notice, language)
        if text is None:
            continue
        result.append(
            NoticeOut(
                id=notice.pk,
                title=text.title,
                body=text.body,
                easy_read=text.easy_read,
                language=text.language,
                author=notice.author_label,
                urgency=notice.urgency,
                scope=notice.scope,
                districts=[d.number for d in notice.districts.all()],
                valid_from=notice.valid_from,
                valid_until=notice.valid_until,
                event_start=notice.event_start,
            )
        )
    return result


def _check_secret(request: HttpRequest) -> None:
    """SMSAPI calls the URLs set in its panel (or sent as ``notify_url``) and signs nothing, so
    ``SMSAPI_CALLBACK_SECRET`` must be in each of them (``?secret=``); without it, nothing is
    accepted."""
    expected = os.environ.get("SMSAPI_CALLBACK_SECRET", "")
    given = request.GET.get("secret", "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise PermissionDeniedError("callback secret missing or wrong", code="bad_secret")


def _reports(request: HttpRequest, gateway: str) -> HttpResponse:
    """SMSAPI sends ``MsgId``, ``status_name`` and ``idx`` (comma-separated for batches)."""
    _check_secret(request)
    data = request.POST if request.method == "POST" else request.GET
    ids = data.get("MsgId", "").split(",")
    idxs = data.get("idx", "").split(",")
    statuses = data.get("status_name", "").split(",")
    for position, status in enumerate(statuses):
        services.outbox_status_callback(
            gateway=gateway,
            idx=idxs[position] if position < len(idxs) else "",
            gateway_id=ids[position] if position < len(ids) else "",
            gateway_status=status,
        )
    return HttpResponse("OK", content_type="text/plain")


@router.api_operation(
    ["GET", "POST"],
    "/callbacks/smsapi/status",
    summary="SMSAPI delivery reports of SMS",
    include_in_schema=False,
)
def smsapi_status(request: HttpRequest) -> HttpResponse:
    return _reports(request, "smsapi")


@router.api_operation(
    ["GET", "POST"],
    "/callbacks/smsapi/vms-status",
    summary="SMSAPI delivery reports of voice messages",
    include_in_schema=False,
)
def smsapi_vms_status(request: HttpRequest) -> HttpResponse:
    return _reports(request, "smsapi-vms")


@router.api_operation(
    ["GET", "POST"],
    "/callbacks/smsapi/inbound",
    summary="SMS replies to the two-way number (STOP, START)",
    include_in_schema=False,
)
def smsapi_inbound(request: HttpRequest) -> HttpResponse:
    """SMSAPI forwards replies with ``sms_from`` and ``sms_text``; STOP and START apply at once."""
    _check_secret(request)
    data = request.POST if request.method == "POST" else request.GET
    services.sms_inbound(from_number=data.get("sms_from", ""), text=data.get("sms_text", ""))
    return HttpResponse("OK", content_type="text/plain")
