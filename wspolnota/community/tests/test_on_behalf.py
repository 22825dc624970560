"""Acting for a resident at a counter or on the phone (issue 17): the place's clerks sign a caller
up for an event or a recurring activity and record a volunteer who has no account.

Each finding is an attack on the code as it stood: staff could not sign anyone up but
themselves, a promotion from the waiting list reached only an e-mail inbox, and a volunteer
needed an account. The act on behalf obeys the online rules (capacity, waiting list, one place
per person, deadlines), records the channel and the clerk, and is audit-logged; a clerk of
another unit is refused.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from wspolnota.accounts.models import Consent, ConsentPurpose
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    ActivitySignup,
    EventRegistration,
    RegistrationStatus,
    VolunteerApplication,
    VolunteerProfile,
)
from wspolnota.community.services import (
    activity_sign_up,
    activity_signup_cancel,
    event_register,
    event_registration_cancel,
    volunteer_record,
)
from wspolnota.community.tests.factories import (
    PLACES_UNIT,
    ActivityFactory,
    EventFactory,
    PlaceFactory,
    VolunteerOfferFactory,
)
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.onbehalf import Channel, OnBehalf
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import counter_access, counter_clerk_of, kept_person


@pytest.fixture
def clerk(db: Any) -> Any:
    """A counter clerk of the unit that runs the factories' places."""
    return counter_clerk_of(CityUnitFactory(code=PLACES_UNIT))


@pytest.fixture
def other_clerk(db: Any) -> Any:
    return counter_clerk_of(CityUnitFactory(code="INNA"))


def _letters_to(person: Any) -> list[Any]:
    """The letters queued for the person by ``reply_to_person`` (printed later in batches)."""
    from wspolnota.communication.models import OutboxMessage

    return list(OutboxMessage.objects.filter(user=person, channel="letter").order_by("id"))


# --- Recurring activities -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_signs_a_caller_up_for_an_activity_under_the_online_rules(krakow, clerk):
    activity = ActivityFactory(capacity=1)
    resident = UserFactory()
    person = kept_person()
    phone = OnBehalf(clerk=clerk, channel=Channel.PHONE)
    activity_sign_up(user=resident, activity=activity)
    signup = activity_sign_up(user=person, activity=activity, on_behalf=phone)
    # the same capacity and waiting list as online
    assert signup.status == RegistrationStatus.WAITLISTED
    assert (signup.channel, signup.keyed_by) == (Channel.PHONE, clerk)
    online = ActivitySignup.objects.get(user=resident)
    assert (online.channel, online.keyed_by) == (Channel.ONLINE, None)
    # one place per person, said about the person
    with pytest.raises(CommunityError) as caught:
        activity_sign_up(user=person, activity=activity, on_behalf=phone)
    assert caught.value.code == "already_signed_up"
    assert "Ta osoba" in str(caught.value)
    entry = AuditLogEntry.objects.get(action="community.activity_signup_on_behalf")
    assert entry.actor == clerk and entry.object_id == str(signup.pk)
    assert entry.after["channel"] == "phone"


@pytest.mark.django_db
def test_a_clerk_cannot_sign_a_caller_up_for_an_ended_activity(krakow, clerk):
    activity = ActivityFactory(is_active=False)
    with pytest.raises(CommunityError):
        activity_sign_up(
            user=kept_person(),
            activity=activity,
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.COUNTER),
        )
    assert not ActivitySignup.objects.exists()


@pytest.mark.django_db
def test_a_clerk_of_another_unit_or_a_resident_cannot_sign_anyone_up(krakow, other_clerk):
    activity = ActivityFactory()
    person = kept_person()
    for intruder in (other_clerk, UserFactory(), person):
        with pytest.raises(CommunityError) as caught:
            activity_sign_up(
                user=person,
                activity=activity,
                on_behalf=OnBehalf(clerk=intruder, channel=Channel.PHONE),
            )
        assert caught.value.code == "permission_denied"
    assert not ActivitySignup.objects.exists()


@pytest.mark.django_db
def test_a_waiting_list_promotion_reaches_a_person_without_an_account_by_letter(
    krakow, clerk, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(capacity=1, title="Szachy", place=PlaceFactory(phone="12 300 11 22"))
    resident = UserFactory()
    person = kept_person(reply_channel="letter")
    phone = OnBehalf(clerk=clerk, channel=Channel.PHONE)
    activity_sign_up(user=resident, activity=activity)
    activity_sign_up(user=person, activity=activity, on_behalf=phone)
    with django_capture_on_commit_callbacks(execute=True):
        activity_signup_cancel(user=resident, activity=activity)
    assert ActivitySignup.objects.get(user=person).status == RegistrationStatus.CONFIRMED
    letters = _letters_to(person)
    assert len(letters) == 1
    assert "Szachy" in letters[0].subject
    # a letter tells them how to give the place up: by phone, not a web address
    assert "12 300 11 22" in letters[0].body and "http" not in letters[0].body
    assert mail.outbox == []
    # the clerk cancels for the person in turn: recorded and audit-logged
    activity_signup_cancel(user=person, activity=activity, on_behalf=phone)
    assert AuditLogEntry.objects.filter(
        action="community.activity_signup_cancelled_on_behalf", actor=clerk
    ).exists()


# --- Events --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_registers_a_caller_for_an_event_under_the_online_rules(krakow, clerk):
    event = EventFactory(capacity=1)
    person = kept_person()
    counter = OnBehalf(clerk=clerk, channel=Channel.COUNTER)
    registration = event_register(user=person, event=event, on_behalf=counter)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert (registration.channel, registration.keyed_by) == (Channel.COUNTER, clerk)
    # full: the next caller waits, as online
    second = event_register(user=kept_person(full_name="Jan Nowak"), event=event, on_behalf=counter)
    assert second.status == RegistrationStatus.WAITLISTED
    with pytest.raises(CommunityError) as caught:
        event_register(user=person, event=event, on_behalf=counter)
    assert caught.value.code == "already_registered"
    assert (
        AuditLogEntry.objects.filter(action="community.registration_on_behalf", actor=clerk).count()
        == 2
    )


@pytest.mark.django_db
def test_a_clerk_cannot_register_a_caller_for_an_event_that_has_started(krakow, clerk):
    event = EventFactory(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(CommunityError):
        event_register(
            user=kept_person(),
            event=event,
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.PHONE),
        )
    assert not EventRegistration.objects.exists()


@pytest.mark.django_db
def test_an_event_promotion_reaches_the_person_by_letter(
    krakow, clerk, django_capture_on_commit_callbacks
):
    event = EventFactory(capacity=1, title="Potańcówka")
    resident = UserFactory()
    person = kept_person(reply_channel="letter")
    event_register(user=resident, event=event)
    event_register(user=person, event=event, on_behalf=OnBehalf(clerk=clerk, channel=Channel.PHONE))
    with django_capture_on_commit_callbacks(execute=True):
        event_registration_cancel(user=resident, event=event)
    letters = _letters_to(person)
    assert len(letters) == 1 and "Potańcówka" in letters[0].body


@pytest.mark.django_db
def test_a_clerk_of_another_unit_cannot_register_a_caller_for_an_event(krakow, other_clerk):
    with pytest.raises(CommunityError) as caught:
        event_register(
            user=kept_person(),
            event=EventFactory(),
            on_behalf=OnBehalf(clerk=other_clerk, channel=Channel.PHONE),
        )
    assert caught.value.code == "permission_denied"


# --- Volunteers ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_clerk_records_a_volunteer_without_an_account_with_their_consent(krakow, clerk):
    offer = VolunteerOfferFactory(place=PlaceFactory(), min_age=18)
    person = kept_person()
    phone = OnBehalf(clerk=clerk, channel=Channel.PHONE)
    application = volunteer_record(
        on_behalf=phone,
        person=person,
        offer=offer,
        birth_date=date(1950, 5, 1),
        message="Mogę czytać dzieciom we wtorki.",
    )
    assert (application.channel, application.keyed_by) == (Channel.PHONE, clerk)
    assert application.volunteer == person
    profile = VolunteerProfile.objects.get(user=person)
    assert (profile.channel, profile.keyed_by, profile.birth_date) == (
        Channel.PHONE,
        clerk,
        date(1950, 5, 1),
    )
    consent = Consent.objects.get(person=person, purpose=ConsentPurpose.VOLUNTEERING)
    assert (consent.channel, consent.taken_by) == (Channel.PHONE, clerk)
    assert AuditLogEntry.objects.filter(
        action="community.volunteer_applied_on_behalf", actor=clerk
    ).exists()
    # one application per person, the consent already in force is kept
    with pytest.raises(CommunityError) as caught:
        volunteer_record(on_behalf=phone, person=person, offer=offer, birth_date=date(1950, 5, 1))
    assert caught.value.code == "already_applied"
    assert Consent.objects.filter(person=person).count() == 1


@pytest.mark.django_db
def test_a_volunteer_recorded_by_a_clerk_must_be_old_enough_and_nothing_is_kept_when_refused(
    krakow, clerk
):
    offer = VolunteerOfferFactory(place=PlaceFactory(), min_age=18)
    person = kept_person()
    young = timezone.localdate().replace(year=timezone.localdate().year - 15)
    with pytest.raises(CommunityError) as caught:
        volunteer_record(
            on_behalf=OnBehalf(clerk=clerk, channel=Channel.COUNTER),
            person=person,
            offer=offer,
            birth_date=young,
        )
    assert caught.value.code == "too_young"
    assert not VolunteerApplication.objects.exists()
    assert not VolunteerProfile.objects.exists()
    assert not Consent.objects.filter(person=person).exists()


@pytest.mark.django_db
def test_a_clerk_of_another_unit_cannot_record_a_volunteer(krakow, other_clerk):
    offer = VolunteerOfferFactory(place=PlaceFactory())
    with pytest.raises(CommunityError) as caught:
        volunteer_record(
            on_behalf=OnBehalf(clerk=other_clerk, channel=Channel.PHONE),
            person=kept_person(),
            offer=offer,
            birth_date=date(1960, 1, 1),
        )
    assert caught.value.code == "permission_denied"
    assert not Consent.objects.exists()


# --- The counter pages ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_counter_page_signs_a_caller_up_by_keyboard_and_form_alone(krakow, clerk):
    from django.test import Client
    from django.urls import reverse

    activity = ActivityFactory(title="Joga na krześle")
    offer = VolunteerOfferFactory(place=activity.place, title="Czytanie dzieciom", min_age=18)
    person = kept_person()
    client = Client()
    counter_access(clerk, person)
    client.force_login(clerk)
    url = reverse("community:counter", kwargs={"person_id": person.pk})
    page = client.get(url)
    assert page.status_code == 200
    # plain forms that post without JavaScript
    assert "Joga na krześle" in page.content.decode() and "hx-" not in page.content.decode()
    done = client.post(
        reverse("community:counter_act", kwargs={"person_id": person.pk}),
        {"what": "activity", "target": activity.pk, "channel": "phone"},
    )
    assert done.status_code == 302
    signup = ActivitySignup.objects.get(user=person)
    assert (signup.channel, signup.keyed_by) == (Channel.PHONE, clerk)
    assert "Joga na krześle" in client.get(url).content.decode()
    # a volunteer without the consent box ticked: a 400 that keeps what was typed
    refused = client.post(
        reverse("community:counter_act", kwargs={"person_id": person.pk}),
        {
            "what": "offer",
            "target": offer.pk,
            "channel": "counter",
            "birth_date": "1950-05-01",
            "message": "Wtorki rano",
        },
    )
    assert refused.status_code == 400
    assert "Wtorki rano" in refused.content.decode()
    assert not VolunteerApplication.objects.exists()
    # too young: the rule's message, on the page, in the clerk's language
    young = client.post(
        reverse("community:counter_act", kwargs={"person_id": person.pk}),
        {
            "what": "offer",
            "target": offer.pk,
            "channel": "counter",
            "birth_date": timezone.localdate().replace(year=2015).isoformat(),
            "consent": "on",
        },
    )
    assert young.status_code == 400
    assert "co najmniej 18 lat" in young.content.decode()


@pytest.mark.django_db
def test_residents_cannot_open_the_counter_page_and_other_units_sign_nobody_up(krakow, other_clerk):
    from django.test import Client
    from django.urls import reverse

    activity = ActivityFactory()
    person = kept_person()
    resident = Client()
    resident.force_login(UserFactory())
    assert (
        resident.get(reverse("community:counter", kwargs={"person_id": person.pk})).status_code
        == 404
    )
    client = Client()
    counter_access(other_clerk, person)
    client.force_login(other_clerk)
    page = client.get(reverse("community:counter", kwargs={"person_id": person.pk}))
    assert page.status_code == 200 and activity.title not in page.content.decode()
    client.post(
        reverse("community:counter_act", kwargs={"person_id": person.pk}),
        {"what": "activity", "target": activity.pk, "channel": "phone"},
    )
    assert not ActivitySignup.objects.exists()
    # garbage is a translated 400, never a 500
    bad = client.post(
        reverse("community:counter_act", kwargs={"person_id": person.pk}),
        {"what": "nonsense", "target": "x", "channel": "phone"},
    )
    assert bad.status_code == 400


@pytest.mark.django_db
def test_the_counter_page_lists_what_the_person_takes_part_in_and_links_to_act(krakow, clerk):
    from wspolnota.community.participation import actions, taking_part

    activity = ActivityFactory(title="Brydż")
    person = kept_person()
    activity_sign_up(
        user=person, activity=activity, on_behalf=OnBehalf(clerk=clerk, channel=Channel.PHONE)
    )
    rows = [row for row in taking_part(person=person) if "Brydż" in row.what]
    assert len(rows) == 1 and rows[0].channel == Channel.PHONE.label
    links = [a.url for a in actions(clerk=clerk, person=person, at=timezone.now())]
    assert f"/spolecznosc/okienko/{person.pk}/" in " ".join(links)
    assert not [a for a in actions(clerk=UserFactory(), person=person) if "/spolecznosc/" in a.url]
