"""PDF documents of volunteering: the certificate of confirmed hours and the written agreement."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from wspolnota.community.errors import NO_CONFIRMED_HOURS, CommunityError
from wspolnota.community.models import VolunteerAgreement, VolunteerApplication
from wspolnota.community.selectors import confirmed_hours


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, {"city_name": settings.CITY_NAME, **context})
    result: bytes = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return result


def certificate_pdf(*, application: VolunteerApplication) -> bytes:
    """Zaświadczenie o wykonywaniu świadczeń wolontariusza (art. 44 ust. 5 of the act).

    Lists only the hours the organiser confirmed; the document carries a SHA-256 fingerprint of
    its content so a copy can be checked against the platform.
    """
    entries = confirmed_hours(application=application)
    if not entries:
        raise CommunityError(NO_CONFIRMED_HOURS)
    total = sum((e.hours for e in entries), Decimal("0"))
    issued = timezone.localdate()
    content = "|".join(
        [str(application.pk), application.volunteer.email or "", issued.isoformat()]
        + [f"{e.day.isoformat()}:{e.hours}" for e in entries]
    )
    return _pdf(
        "community/pdf/certificate.html",
        {
            "application": application,
            "offer": application.offer,
            "volunteer": application.volunteer,
            "entries": entries,
            "total": total,
            "issued": issued,
            "first_day": entries[0].day,
            "last_day": entries[-1].day,
            "fingerprint": hashlib.sha256(content.encode()).hexdigest(),
        },
    )


def agreement_pdf(*, agreement: VolunteerAgreement) -> bytes:
    return _pdf(
        "community/pdf/agreement.html",
        {
            "agreement": agreement,
            "application": agreement.application,
            "offer": agreement.application.offer,
        },
    )
