"""A caller phones to say they will not come: the clerk cancels their meeting place from the
person's page (issue 17, gap: the service allowed it, no page did), and the confirmation goes
back the way the person chose (``reply_to_person``: a letter for someone without an account).
"""

from __future__ import annotations

import pytest

from wspolnota.communication.models import OutboxMessage
from wspolnota.consultations import services
from wspolnota.consultations.models import Registration
from wspolnota.consultations.tests.factories import ConsultationFactory, MeetingFactory
from wspolnota.consultations.tests.test_on_behalf import kept_person, now
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.onbehalf import Channel, OnBehalf
from wspolnota.tests_support.factories import CityUnitFactory
from wspolnota.tests_support.scopes import counter_access, counter_clerk_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit(official):  # type: ignore[no-untyped-def]
    return official.role_assignments.get().city_unit


@pytest.fixture
def clerk(unit):  # type: ignore[no-untyped-def]
    """A counter clerk of the unit that runs the consultation."""
    return counter_clerk_of(unit)


@pytest.fixture
def consultation(unit, official):  # type: ignore[no-untyped-def]
    return ConsultationFactory(initiating_unit=unit, created_by=official)


def _registered(consultation, clerk, person):  # type: ignore[no-untyped-def]
    meeting = MeetingFactory(consultation=consultation)
    services.meeting_register(
        user=person, meeting=meeting, at=now(), on_behalf=OnBehalf(clerk=clerk, channel="phone")
    )
    return meeting


def test_a_clerk_cancels_a_callers_place_and_the_letter_confirms_it(
    client, consultation, clerk, django_capture_on_commit_callbacks
):
    person = kept_person()
    meeting = _registered(consultation, clerk, person)
    counter_access(clerk, person)
    client.force_login(clerk)
    url = f"/pl/konsultacje/{consultation.pk}/w-imieniu/{person.pk}/"
    page = client.get(url).content.decode()
    assert 'name="action" value="unregister"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "unregister", "w-meeting": meeting.pk, "w-channel": "phone"}
        )
    assert response.status_code == 302
    assert not Registration.objects.filter(meeting=meeting, user=person).exists()
    entry = AuditLogEntry.objects.get(action="consultations.registration_cancelled_for_person")
    assert entry.actor == clerk
    letter = OutboxMessage.objects.get(user=person)
    assert letter.channel == "letter" and meeting.title in letter.body


def test_another_units_clerk_or_a_meeting_the_person_is_not_on_changes_nothing(
    client, consultation, clerk
):
    person = kept_person()
    meeting = _registered(consultation, clerk, person)
    other_meeting = MeetingFactory(consultation=consultation)
    stranger = counter_clerk_of(CityUnitFactory())
    counter_access(stranger, person)
    client.force_login(stranger)
    url = f"/pl/konsultacje/{consultation.pk}/w-imieniu/{person.pk}/"
    response = client.post(
        url, {"action": "unregister", "w-meeting": meeting.pk, "w-channel": "phone"}
    )
    assert response.status_code == 403
    client.force_login(clerk)
    counter_access(clerk, person)
    bad = client.post(
        url, {"action": "unregister", "w-meeting": other_meeting.pk, "w-channel": "phone"}
    )
    assert bad.status_code in (400, 404)
    bogus = client.post(url, {"action": "unregister", "w-meeting": "abc", "w-channel": "phone"})
    assert bogus.status_code in (400, 404)
    assert Registration.objects.filter(meeting=meeting, user=person).count() == 1
    assert not OutboxMessage.objects.filter(user=person).exists()


def test_the_service_confirms_the_cancellation_to_the_person(
    consultation, clerk, django_capture_on_commit_callbacks
):
    person = kept_person()
    meeting = _registered(consultation, clerk, person)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_unregister(
            user=person, meeting=meeting, on_behalf=OnBehalf(clerk=clerk, channel=Channel.PHONE)
        )
    assert OutboxMessage.objects.filter(user=person).count() == 1
