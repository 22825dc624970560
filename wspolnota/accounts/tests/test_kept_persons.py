"""A person without an account, kept by the city (issue 17): created by a clerk, never signs in,
covered by export, erasure and retention; consents recorded with channel and clerk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts import permissions, selectors, services
from wspolnota.accounts.errors import AccountsError
from wspolnota.accounts.models import Consent, ConsentPurpose, User
from wspolnota.accounts.roles import Role
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.onbehalf import Channel, OnBehalf, act_fields
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import counter_clerk_of, kept_person, official_of, with_role

pytestmark = pytest.mark.django_db


def _create(clerk: User, **extra: object) -> User:
    data: dict[str, object] = {
        "full_name": "  Janina   Żółkiewska ",
        "address_street": "ul. Długa 5 m. 3",
        "address_postcode": "31147",
        "address_city": "Kraków",
        "landline_phone": "12 616 12 00",
        "reply_channel": "letter",
        "channel": Channel.COUNTER,
    }
    data.update(extra)
    return services.person_create(clerk=clerk, **data)  # type: ignore[arg-type]


def test_a_clerk_creates_a_person_who_can_never_sign_in_nor_reset_a_password(client):
    clerk = counter_clerk_of()
    person = _create(clerk, email="Janina@Example.org")
    assert person.kept_by_city and person.kept_by == clerk
    assert person.full_name == "Janina Żółkiewska"
    assert person.address_postcode == "31-147"
    assert person.landline_phone == "+48126161200"
    assert not person.has_usable_password()
    assert AuditLogEntry.objects.filter(action="accounts.person_created", actor=clerk).exists()
    # Attack: sign in with any password, even after someone set one on the row.
    person.set_password("correct-horse-battery")
    person.save()
    assert authenticate(username="janina@example.org", password="correct-horse-battery") is None
    response = client.post(
        reverse("accounts:login"),
        {"username": "janina@example.org", "password": "correct-horse-battery"},
    )
    assert "_auth_user_id" not in client.session
    # Attack: a forced session is dropped, the backend does not load the person.
    client.force_login(person, backend="wspolnota.accounts.auth.AccountBackend")
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    # Attack: ask for a password reset link to the person's address.
    client.post(reverse("accounts:password_reset"), {"email": "janina@example.org"})
    assert not OutboxMessage.objects.filter(kind="accounts.password_reset").exists()


def test_a_person_needs_no_email_and_many_can_be_without_one():
    clerk = counter_clerk_of()
    first = _create(clerk)
    second = _create(clerk, full_name="Jan Kowalski", address_street="Krótka 1")
    assert first.email is None and second.email is None
    assert str(first) == "Janina Żółkiewska"


def test_the_reply_channel_needs_its_contact_and_an_account_email_is_refused():
    clerk = counter_clerk_of()
    with pytest.raises(AccountsError):
        _create(clerk, reply_channel="sms")  # no mobile
    with pytest.raises(AccountsError):
        _create(clerk, reply_channel="email")
    with pytest.raises(AccountsError):
        _create(clerk, address_street="", address_postcode="", address_city="", landline_phone="")
    with pytest.raises(AccountsError):
        _create(clerk, address_postcode="3114")
    with pytest.raises(AccountsError):
        _create(clerk, address_city="")
    UserFactory(email="holder@example.org")
    with pytest.raises(AccountsError):
        _create(clerk, email="HOLDER@example.org ")
    person = _create(clerk, mobile="600 100 200", reply_channel="sms")
    assert person.phone == "+48600100200"


@pytest.mark.parametrize(
    "who", ["resident", "auditor", "moderator", "ngo_member", "councillor", "kept"]
)
def test_only_clerks_officials_and_administrators_create_people(krakow, who):
    from wspolnota.tests_support.scopes import councillor_of

    actor = {
        "resident": lambda: UserFactory(),
        "auditor": lambda: with_role(Role.AUDITOR),
        "moderator": lambda: with_role(Role.MODERATOR),
        "ngo_member": lambda: with_role(Role.NGO_MEMBER),
        "councillor": lambda: councillor_of(krakow[1]),
        "kept": lambda: kept_person(),
    }[who]()
    with pytest.raises(AccountsError):
        _create(actor)


def test_permission_matrix_a_clerk_acts_for_their_own_unit_only():
    unit, other = CityUnitFactory(), CityUnitFactory()
    clerk, official, admin = (
        counter_clerk_of(unit),
        official_of(unit),
        with_role(Role.ADMINISTRATOR),
    )
    for user in (clerk, official):
        assert permissions.can_act_for_residents(user, city_unit=unit)
        assert permissions.can_act_for_residents(user, city_unit=unit.pk)
        assert not permissions.can_act_for_residents(user, city_unit=other)
    # City-wide acts (the counter): a clerk, not an official of a unit without counter duties.
    assert permissions.can_act_for_residents(clerk)
    assert not permissions.can_act_for_residents(official)
    assert permissions.can_act_for_residents(admin, city_unit=other)
    for user in (UserFactory(), with_role(Role.MODERATOR), with_role(Role.AUDITOR), kept_person()):
        assert not permissions.can_act_for_residents(user)
        assert not permissions.can_act_for_residents(user, city_unit=unit)
    # A counter clerk is not an official of the unit.
    assert not permissions.acts_for_unit(clerk, unit.pk)


def test_person_identify_forgives_spelling_and_suggests_duplicates():
    clerk = counter_clerk_of()
    person = _create(clerk, mobile="600100200")
    other = _create(
        clerk,
        full_name="Adam Nowak",
        address_street="Rynek Główny 1",
        address_postcode="31-042",
        landline_phone="12 430 20 00",
    )

    def find(surname: str, **detail: str) -> list[User]:
        return selectors.person_identify(surname=surname, **detail)[0]

    assert find("ŻÓŁKIEWSKA", phone="12-616-12-00") == [person]
    assert find("zolkiewska", phone="+48 600 100 200") == [person]
    assert find("Zolkiewska", street="Dluga 5/3") == [person]
    assert find("nowak", street="rynek glowny 1", postcode="31042") == [other]
    # A fragment of a surname, or a surname alone, identifies nobody.
    assert find("zolk", phone="126161200") == []
    assert find("zolkiewska") == []
    assert find("nowak", phone="126161200") == []
    # A name alone suggests no duplicate; the same name at the same postcode does.
    assert selectors.person_duplicates(full_name="Żółkiewska Janina") == []
    assert selectors.person_duplicates(full_name="Żółkiewska Janina", postcode="31-147") == [person]
    assert selectors.person_duplicates(
        full_name="Kto Inny", street="Długa 5 m 3", postcode="31 147"
    ) == [person]
    assert selectors.person_duplicates(full_name="Kto Inny", landline_phone="126161200") == [person]


def test_person_update_by_clerk_is_audited_and_an_account_holder_is_not_edited():
    clerk = counter_clerk_of()
    person = _create(clerk)
    services.person_update(
        clerk=clerk,
        person=person,
        full_name="Janina Żółkiewska",
        district=None,
        mobile="600100200",
        reply_channel="sms",
        channel=Channel.PHONE,
    )
    person.refresh_from_db()
    assert person.phone == "+48600100200" and person.address_street == ""
    assert person.search_address == ""
    assert AuditLogEntry.objects.filter(action="accounts.person_updated").exists()
    holder = UserFactory()
    with pytest.raises(AccountsError):
        services.person_update(
            clerk=clerk,
            person=holder,
            full_name="X",
            district=None,
            mobile="600100201",
            reply_channel="sms",
            channel=Channel.PHONE,
        )


def test_consent_records_channel_and_clerk_and_one_in_force_per_purpose():
    clerk = counter_clerk_of()
    person = _create(clerk)
    consent = services.consent_record(
        clerk=clerk,
        person=person,
        purpose=ConsentPurpose.NOTICES,
        channel=Channel.PHONE,
        reply_channel="letter",
    )
    assert consent.taken_by == clerk and consent.channel == "phone" and consent.in_force
    with pytest.raises(AccountsError):
        services.consent_record(
            clerk=clerk, person=person, purpose=ConsentPurpose.NOTICES, channel=Channel.COUNTER
        )
    services.consent_withdraw(clerk=clerk, consent=consent, channel=Channel.POST)
    consent.refresh_from_db()
    assert consent.withdrawn_at and consent.withdrawn_by == clerk
    with pytest.raises(AccountsError):
        services.consent_withdraw(clerk=clerk, consent=consent, channel=Channel.POST)
    services.consent_record(
        clerk=clerk, person=person, purpose=ConsentPurpose.NOTICES, channel=Channel.COUNTER
    )
    assert Consent.objects.filter(person=person).count() == 2


def test_export_and_erasure_of_a_kept_person_reach_contacts_and_consents():
    clerk = counter_clerk_of()
    person = _create(clerk, mobile="600100200", email="janina@example.org")
    services.consent_record(
        clerk=clerk, person=person, purpose=ConsentPurpose.REPLIES, channel=Channel.COUNTER
    )
    data = services.user_export_data(user=person)
    assert data["account"]["kept_by_city"] is True
    assert data["account"]["postal_address"]["street"] == "ul. Długa 5 m. 3"
    assert data["account"]["landline_phone"] == "+48126161200"
    assert data["consents"][0]["purpose"] == "replies"
    assert data["consents"][0]["channel"] == "counter"
    services._erase_everywhere(person, now=timezone.now(), reason="test")
    person.refresh_from_db()
    assert person.deleted_at is not None
    assert (person.full_name, person.address_street, person.landline_phone, person.phone) == (
        "",
        "",
        "",
        "",
    )
    assert person.search_name == "" and person.search_address == ""
    assert not Consent.objects.filter(person=person).exists()
    # The chain keeps no name, phone or address of the person in the clear.
    for entry in AuditLogEntry.objects.filter(
        object_type="accounts.user", object_id=str(person.pk)
    ):
        text = str(entry.before) + str(entry.after)
        assert "Długa" not in text and "+48126161200" not in text


def test_retention_runs_from_the_clerks_last_act_for_a_kept_person(settings):
    clerk = counter_clerk_of()
    person = _create(clerk)
    days = settings.RETENTION_DAYS["inactive_account"]
    User.objects.filter(pk=person.pk).update(date_joined=timezone.now() - timedelta(days=days + 5))
    services.personal_data_purge()
    person.refresh_from_db()
    assert person.deleted_at is None  # a clerk acted for them recently
    User.objects.filter(pk=person.pk).update(
        last_contact_at=timezone.now() - timedelta(days=days + 1)
    )
    services.personal_data_purge()
    person.refresh_from_db()
    assert person.deleted_at is not None


def test_on_behalf_is_a_clerk_channel_and_act_fields():
    clerk = counter_clerk_of()
    with pytest.raises(ValueError):
        OnBehalf(clerk=clerk, channel=Channel.ONLINE)
    assert act_fields(None) == {"channel": "online", "keyed_by": None}
    assert act_fields(OnBehalf(clerk=clerk, channel=Channel.POST)) == {
        "channel": "post",
        "keyed_by": clerk,
    }
