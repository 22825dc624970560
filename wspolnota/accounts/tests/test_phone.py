from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from wspolnota.accounts import services
from wspolnota.accounts.errors import AccountsError
from wspolnota.accounts.models import PhoneVerification
from wspolnota.communication.transports import memory_outbox


def _sent_code() -> str:
    match = re.search(r"\b(\d{6})\b", memory_outbox[-1].text)
    assert match
    return match.group(1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("600 100 200", "+48600100200"),
        ("+48 600-100-200", "+48600100200"),
        ("+380 67 123 4567", "+380671234567"),
    ],
)
def test_polish_and_ukrainian_mobiles_are_normalised(raw, expected):
    assert services.normalise_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12 616 12 00", "abc", "123", ""])
def test_landlines_and_nonsense_are_refused(raw):
    with pytest.raises(AccountsError):
        services.normalise_mobile(raw)


@pytest.mark.django_db(transaction=True)
def test_a_mobile_is_confirmed_with_the_code_sent_by_sms(resident):
    services.phone_verification_start(user=resident, phone="600100200")
    assert memory_outbox[-1].to == "+48600100200"
    code = _sent_code()
    stored = PhoneVerification.objects.get(user=resident)
    assert code not in stored.code_hash
    services.phone_verification_confirm(user=resident, code=code)
    resident.refresh_from_db()
    assert resident.phone == "+48600100200" and resident.phone_confirmed


@pytest.mark.django_db(transaction=True)
def test_wrong_codes_are_counted_and_the_code_dies_after_the_limit(resident, settings):
    settings.SMS_CODE_MAX_ATTEMPTS = 3
    services.phone_verification_start(user=resident, phone="600100200")
    code = _sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        with pytest.raises(AccountsError, match="niepoprawny"):
            services.phone_verification_confirm(user=resident, code=wrong)
    assert PhoneVerification.objects.get(user=resident).attempts == 3
    with pytest.raises(AccountsError, match="wygasł"):
        services.phone_verification_confirm(user=resident, code=code)


@pytest.mark.django_db(transaction=True)
def test_an_expired_code_is_refused(resident):
    services.phone_verification_start(user=resident, phone="600100200")
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(AccountsError, match="wygasł"):
        services.phone_verification_confirm(user=resident, code=_sent_code())


@pytest.mark.django_db(transaction=True)
def test_a_new_code_cancels_the_previous_one(resident):
    services.phone_verification_start(user=resident, phone="600100200")
    first = _sent_code()
    services.phone_verification_start(user=resident, phone="600100200")
    second = _sent_code()
    if first != second:
        with pytest.raises(AccountsError):
            services.phone_verification_confirm(user=resident, code=first)
    services.phone_verification_confirm(user=resident, code=second)


@pytest.mark.django_db(transaction=True)
def test_the_phone_page_sends_and_confirms_and_limits_requests(client, resident, settings):
    settings.RATE_LIMIT_SMS_CODE = "2/10m"
    client.force_login(resident)
    url = "/pl/konto/profil/telefon/"
    bad = client.post(url, {"phone-phone": "12 616 12 00", "send": "1"})
    assert bad.status_code == 400
    assert 'value="12 616 12 00"' in bad.content.decode()
    assert client.post(url, {"phone-phone": "600100200", "send": "1"}).status_code == 302
    limited = client.post(url, {"phone-phone": "600100200", "send": "1"})
    assert limited.status_code == 429
    assert len(memory_outbox) == 1
    done = client.post(url, {"code-code": _sent_code(), "confirm": "1"})
    assert done.status_code == 302
    resident.refresh_from_db()
    assert resident.phone_confirmed


@pytest.mark.django_db(transaction=True)
def test_codes_go_only_to_numbers_of_the_allowed_countries(resident, settings):
    with pytest.raises(AccountsError, match=r"\+48, \+380"):
        services.phone_verification_start(user=resident, phone="+1 202 555 0143")
    settings.SMS_ALLOWED_COUNTRIES = frozenset({"PL", "UA", "US"})
    services.phone_verification_start(user=resident, phone="+1 202 555 0143")
    assert [m.to for m in memory_outbox] == ["+12025550143"]


@pytest.mark.django_db(transaction=True)
def test_one_number_gets_at_most_the_daily_cap_of_codes_whoever_asks(krakow, settings):
    from wspolnota.tests_support.factories import UserFactory

    settings.SMS_DAILY_LIMIT_PER_NUMBER = 3
    refused = 0
    for _ in range(5):
        try:
            services.phone_verification_start(user=UserFactory(), phone="600 100 500")
        except AccountsError as exc:
            assert "dziś" in str(exc)
            refused += 1
    assert refused == 2
    assert [m.to for m in memory_outbox] == ["+48600100500"] * 3


@pytest.mark.django_db(transaction=True)
def test_one_address_cannot_have_codes_sent_to_many_numbers(krakow, settings):
    from django.test import Client

    from wspolnota.tests_support.factories import UserFactory

    settings.RATE_LIMIT_SMS_PER_ADDRESS = "2/h"
    statuses = []
    for n in range(3):
        client = Client()
        client.force_login(UserFactory())
        response = client.post(
            "/pl/konto/profil/telefon/", {"phone-phone": f"60010060{n}", "send": "1"}
        )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert len(memory_outbox) == 2
