"""URL argument values for the core every-URL sweep."""

from __future__ import annotations

from typing import Any

from wspolnota.communication.choices import Channel


def url_samples(request: Any) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    from wspolnota.communication.models import LetterBatch, Subscription
    from wspolnota.communication.tests.factories import NoticeFactory, SubscriptionFactory

    krakow = request.getfixturevalue("krakow")
    official = request.getfixturevalue("official")
    notice = NoticeFactory(author=official, districts=[krakow[1]], send_letter=True)
    subscription = SubscriptionFactory(
        channel=Channel.SMS, email="", phone="+48600999001", status=Subscription.Status.PENDING
    )
    batch = LetterBatch.objects.create(notice=notice, created_by=official, letter_count=0)
    batch.pdf.save("sweep.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {
        "notice_id": notice.pk,
        "manage_token": subscription.manage_token,
        "secret": "not-the-secret",
        "batch_id": batch.pk,
        "subscription_id": subscription.pk,
    }
