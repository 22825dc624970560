"""Kraków's rules keep holding after a consultation is announced.

A change that breaks a rule (notice, length, required forms) needs the same published,
audit-logged justification as at announcement, and the residents already taking part are told.
A remark's received date must fall within the consultation.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from wspolnota.consultations import services
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import ConsultationChange, Remark
from wspolnota.consultations.tests.factories import ConsultationFactory, MeetingFactory
from wspolnota.core.models import AuditLogEntry


@pytest.fixture
def announced(official):
    """Announced 14 days ago, open since 5 days, 26 days long, with a planned open meeting."""
    consultation = ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit,
        created_by=official,
        forms=["document", "meeting", "survey"],
    )
    MeetingFactory(consultation=consultation)
    return consultation


@pytest.mark.django_db
def test_an_announced_consultation_cannot_be_shortened_to_two_days_without_a_justification(
    announced, official
):
    ends_on = announced.ends_on
    with pytest.raises(ConsultationsError):
        services.consultation_update(
            actor=official, consultation=announced, ends_on=announced.starts_on + timedelta(days=1)
        )
    announced.refresh_from_db()
    assert announced.ends_on == ends_on


@pytest.mark.django_db
def test_an_announced_consultation_cannot_drop_its_open_meeting_without_a_justification(
    announced, official
):
    with pytest.raises(ConsultationsError):
        services.consultation_update(
            actor=official, consultation=announced, forms=["document", "survey", "map"]
        )
    announced.refresh_from_db()
    assert "meeting" in announced.forms


@pytest.mark.django_db
def test_a_remark_dated_2001_is_refused(announced, official):
    with pytest.raises(ConsultationsError) as error:
        services.remark_enter(
            actor=official,
            consultation=announced,
            channel=Remark.Channel.POST,
            text="List z uwagami o placu",
            received_on=date(2001, 1, 1),
        )
    assert error.value.field == "received_on"
    assert not Remark.objects.exists()


JUSTIFICATION = "Ustawowy termin przyjęcia studium upływa 30 marca; skracamy konsultacje."


@pytest.mark.django_db
def test_a_justified_change_is_published_logged_and_told_to_those_taking_part(
    announced, official, resident, client, django_capture_on_commit_callbacks
):
    services.remark_submit(
        author=resident, consultation=announced, text="Więcej zieleni", at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.consultation_update(
            actor=official,
            consultation=announced,
            ends_on=announced.starts_on + timedelta(days=9),
            change_reason=JUSTIFICATION,
        )
    change = ConsultationChange.objects.get(consultation=announced)
    assert change.fields == ["ends_on"] and change.rule_problems == ["duration"]
    assert change.reason == JUSTIFICATION and change.participants_told == 1
    entry = AuditLogEntry.objects.get(action="consultations.changed_with_override")
    assert "duration" in entry.reason and JUSTIFICATION in entry.reason
    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert JUSTIFICATION in mail.outbox[0].body
    page = client.get(f"/pl/konsultacje/{announced.pk}/").content.decode()
    assert "Zmiany po ogłoszeniu" in page and JUSTIFICATION in page
    assert "Odstępstwo od zasad konsultacji." in page


@pytest.mark.django_db
def test_every_change_after_the_announcement_needs_a_published_reason(announced, official):
    with pytest.raises(ConsultationsError) as error:
        services.consultation_update(
            actor=official, consultation=announced, title="Nowy tytuł", change_reason="typo"
        )
    assert error.value.field == "change_reason"
    services.consultation_update(
        actor=official,
        consultation=announced,
        title="Nowy tytuł",
        change_reason="Poprawiamy literówkę w przedmiocie konsultacji.",
    )
    change = ConsultationChange.objects.get()
    assert change.fields == ["title"] and change.rule_problems == []
    assert change.participants_told == 0  # a wording change is not worth a message


@pytest.mark.django_db
def test_the_start_of_an_opened_consultation_cannot_move(announced, official):
    with pytest.raises(ConsultationsError) as error:
        services.consultation_update(
            actor=official,
            consultation=announced,
            starts_on=announced.starts_on + timedelta(days=1),
            change_reason=JUSTIFICATION,
        )
    assert error.value.field == "starts_on"
    with pytest.raises(ConsultationsError) as error:
        services.consultation_update(
            actor=official,
            consultation=announced,
            ends_on=timezone.localdate() - timedelta(days=1),
            change_reason=JUSTIFICATION,
        )
    assert error.value.field == "ends_on"


@pytest.mark.django_db
def test_calling_off_the_only_meeting_is_a_departure_that_needs_a_reason(
    announced, official, resident, django_capture_on_commit_callbacks
):
    meeting = announced.meetings.get()
    services.meeting_register(user=resident, meeting=meeting, at=timezone.now())
    with pytest.raises(ConsultationsError) as error:
        services.meeting_cancel(
            actor=official, meeting=meeting, reason="choroba", at=timezone.now()
        )
    assert error.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(
            actor=official,
            meeting=meeting,
            reason="Sala niedostępna z powodu awarii; nowy termin podamy w ciągu tygodnia.",
            at=timezone.now(),
        )
    change = ConsultationChange.objects.get()
    assert change.rule_problems == ["meeting"] and change.participants_told == 1
    assert [m.to for m in mail.outbox] == [[resident.email]]
    with pytest.raises(ConsultationsError):
        services.meeting_register(user=resident, meeting=meeting, at=timezone.now())


@pytest.mark.django_db
def test_a_remark_received_during_the_consultation_is_entered(announced, official):
    remark = services.remark_enter(
        actor=official,
        consultation=announced,
        channel=Remark.Channel.POST,
        text="List z uwagami o placu",
        received_on=announced.starts_on,
    )
    assert remark.received_on == announced.starts_on
    with pytest.raises(ConsultationsError) as error:
        services.remark_enter(
            actor=official,
            consultation=announced,
            channel=Remark.Channel.POST,
            text="List z przyszłości",
            received_on=timezone.localdate() + timedelta(days=1),
        )
    assert error.value.field == "received_on"


@pytest.mark.django_db
def test_the_official_edits_an_announced_consultation_through_the_form_with_a_reason(
    client_for, announced
):
    client = client_for("official")
    url = f"/pl/konsultacje/{announced.pk}/zmien/"
    page = client.get(url).content.decode()
    assert "Uzasadnienie zmiany" in page
    data = {
        "title": announced.title,
        "summary": announced.summary,
        "initiating_unit": announced.initiating_unit_id,
        "legal_basis": announced.legal_basis,
        "citywide": "on",
        "languages": ["pl"],
        "forms": ["document", "meeting", "survey"],
        "information_from": announced.information_from.isoformat(),
        "starts_on": announced.starts_on.isoformat(),
        "ends_on": (announced.starts_on + timedelta(days=1)).isoformat(),
        "title_uk": "Консультації щодо парку",
        "change_reason": "",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "co najmniej 20 znaków" in refused.content.decode()
    announced.refresh_from_db()
    assert announced.ends_on != announced.starts_on + timedelta(days=1)
    assert "Консультації щодо парку" in refused.content.decode()  # nothing typed is lost
