"""Attacks on the sign-up and log-in limits: behind a proxy, by locking others out, by spelling.

Each test performs what an attacker (or an unlucky resident) would do; each failed on the code
before the fix (see the commit message that added it).
"""

from __future__ import annotations

import pytest

from wspolnota.accounts.models import User
from wspolnota.conftest import PASSWORD

SIGNUP = "/pl/konto/rejestracja/"
LOGIN = "/pl/konto/logowanie/"
PROXY = "10.0.0.1"  # the reverse proxy the README recommends: every request comes from it


def _signup_data(email: str) -> dict[str, str]:
    return {
        "email": email,
        "full_name": "",
        "password1": "bardzo-dlugie-haslo-42",
        "password2": "bardzo-dlugie-haslo-42",
        "district": "",
        "preferred_language": "pl",
        "accept_terms": "on",
    }


def _via_proxy(forwarded_for: str) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}


@pytest.mark.django_db
def test_twelve_people_behind_the_proxy_can_all_sign_up(client, krakow, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = []
    for n in range(12):
        response = client.post(
            SIGNUP, _signup_data(f"osoba{n}@example.org"), **_via_proxy(f"203.0.113.{n + 1}")
        )
        statuses.append(response.status_code)
        client.logout()
    assert statuses == [302] * 12
    assert User.objects.count() == 12


@pytest.mark.django_db
def test_a_forged_forwarded_for_entry_does_not_escape_the_sign_up_limit(client, krakow, settings):
    """The proxy appends the real address; whatever the client wrote before it is not trusted."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMIT_SIGNUP = "2/h"
    statuses = []
    for n in range(3):
        forged = f"198.51.100.{n + 1}, 203.0.113.7"
        response = client.post(SIGNUP, _signup_data(f"f{n}@example.org"), **_via_proxy(forged))
        statuses.append(response.status_code)
        client.logout()
    assert statuses == [302, 302, 429]


@pytest.mark.django_db
def test_without_trusted_proxies_the_forwarded_for_header_is_ignored(client, krakow, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.RATE_LIMIT_SIGNUP = "2/h"
    statuses = []
    for n in range(3):
        response = client.post(
            SIGNUP,
            _signup_data(f"g{n}@example.org"),
            REMOTE_ADDR="192.0.2.10",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )
        statuses.append(response.status_code)
        client.logout()
    assert statuses == [302, 302, 429]


@pytest.mark.django_db
def test_a_stranger_cannot_lock_a_resident_out_by_failing_to_log_in(client, resident, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(12):
        client.post(
            LOGIN, {"username": resident.email, "password": "guess"}, **_via_proxy("203.0.113.66")
        )
    response = client.post(
        LOGIN, {"username": resident.email, "password": PASSWORD}, **_via_proxy("203.0.113.5")
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


@pytest.mark.django_db
def test_capital_letters_and_spaces_do_not_get_past_the_per_account_limit(client, resident):
    variants = [
        resident.email,
        resident.email.upper(),
        f" {resident.email}",
        f"{resident.email.capitalize()}  ",
        f"\t{resident.email.title()}",
    ]
    for variant in variants:
        client.post(LOGIN, {"username": variant, "password": "guess"})
    response = client.post(LOGIN, {"username": resident.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_capitalised_address_from_a_phone_keyboard_logs_in(client, resident):
    typed = " " + resident.email[0].upper() + resident.email[1:] + " "
    response = client.post(LOGIN, {"username": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(resident.pk)


@pytest.fixture
def clock(monkeypatch):
    """The time the log-in delays count in, moved by hand (no sleeping in tests)."""
    from wspolnota.core import ratelimit

    now = {"t": 1_800_000_000.0}
    monkeypatch.setattr(ratelimit, "_clock", lambda: now["t"])
    return now


@pytest.mark.django_db
def test_each_further_failure_from_one_address_doubles_the_wait_and_the_wait_ends(
    client, resident, clock
):
    for _ in range(5):
        assert client.post(LOGIN, {"username": resident.email, "password": "x"}).status_code == 200
    refused = client.post(LOGIN, {"username": resident.email, "password": PASSWORD})
    assert refused.status_code == 429 and refused["Retry-After"] == "30"
    clock["t"] += 31
    assert client.post(LOGIN, {"username": resident.email, "password": "x"}).status_code == 200
    refused = client.post(LOGIN, {"username": resident.email, "password": PASSWORD})
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Spróbuj ponownie za 1 min." in refused.content.decode()
    clock["t"] += 61
    assert client.post(LOGIN, {"username": resident.email, "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_a_guess_spread_over_many_addresses_slows_new_devices_but_not_the_owners_own(
    client, resident, settings
):
    from django.test import Client

    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_ACCOUNT_FAILURES_BEFORE_DELAY = 3
    owner = {"username": resident.email, "password": PASSWORD}
    assert client.post(LOGIN, owner, **_via_proxy("203.0.113.5")).status_code == 302
    client.post("/pl/konto/wylogowanie/")  # the owner logs out; the browser keeps its cookies
    assert "_auth_user_id" not in client.session
    attacker = Client()
    for n in range(4):
        attacker.post(
            LOGIN, {"username": resident.email, "password": "x"}, **_via_proxy(f"198.51.100.{n}")
        )
    new_device = Client().post(LOGIN, owner, **_via_proxy("203.0.113.99"))
    assert new_device.status_code == 429
    assert client.post(LOGIN, owner, **_via_proxy("203.0.113.5")).status_code == 302


@pytest.mark.django_db
def test_password_reset_mail_to_one_account_is_capped_whatever_address_asks(
    client, resident, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMIT_PASSWORD_RESET = "2/h"
    statuses = []
    for n in range(4):
        with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
            response = client.post(
                "/pl/konto/haslo/reset/",
                {"email": f" {resident.email.upper()}"},
                **_via_proxy(f"198.51.100.{n}"),
            )
        statuses.append(response.status_code)
    assert statuses == [302] * 4  # the page never tells whether a message went out
    assert len(mailoutbox) == 2
