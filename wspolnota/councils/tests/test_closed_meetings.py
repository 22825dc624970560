"""A meeting marked closed (niejawne) publishes neither its minutes, documents nor votes to the
public; those who run the body still see them (issue 21: they were published; failed before)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from wspolnota.councils.models import MeetingDocument, Vote, VoteKind
from wspolnota.councils.tests.factories import MeetingFactory


@pytest.mark.django_db
def test_a_closed_meeting_publishes_no_minutes_documents_or_votes(client, krakow, administrator):
    meeting = MeetingFactory(
        body__district=krakow[1],
        is_public=False,
        minutes="Treść protokołu posiedzenia niejawnego",
        minutes_published_at=timezone.now(),
    )
    document = MeetingDocument.objects.create(
        meeting=meeting, title="Dokument posiedzenia niejawnego", url="https://example.org/t.pdf"
    )
    Vote.objects.create(
        meeting=meeting, subject="Głosowanie niejawne nad wnioskiem", kind=VoteKind.OPEN
    )
    body = client.get(f"/pl/rady/posiedzenia/{meeting.pk}/").content.decode()
    for secret in (
        "Treść protokołu posiedzenia niejawnego",
        "Dokument posiedzenia niejawnego",
        "Głosowanie niejawne nad wnioskiem",
    ):
        assert secret not in body
    assert "posiedzenie niejawne" in body
    url = f"/pl/rady/posiedzenia/{meeting.pk}/dokumenty/{document.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(administrator)
    body = client.get(f"/pl/rady/posiedzenia/{meeting.pk}/").content.decode()
    assert "Treść protokołu posiedzenia niejawnego" in body
    assert client.get(url).status_code == 302
