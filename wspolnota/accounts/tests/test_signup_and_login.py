from __future__ import annotations

import pytest
from django.urls import reverse

from wspolnota.accounts.models import User

SIGNUP = "/pl/konto/rejestracja/"
LOGIN = "/pl/konto/logowanie/"


def _signup_data(**overrides):
    data = {
        "email": "Nowa.Osoba@Example.org",
        "full_name": "Nowa Osoba",
        "password1": "bardzo-dlugie-haslo-42",
        "password2": "bardzo-dlugie-haslo-42",
        "district": "",
        "preferred_language": "uk",
        "accept_terms": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_a_resident_signs_up_and_lands_on_the_profile_in_their_language(client, krakow):
    response = client.post(SIGNUP, _signup_data(district=str(krakow[18].pk)))
    assert response.status_code == 302
    assert response["Location"] == "/uk/konto/profil/"
    user = User.objects.get(email="nowa.osoba@example.org")
    assert user.district == krakow[18]
    assert user.password.startswith("md5$")  # the test hasher; production uses argon2
    assert client.get("/uk/konto/profil/").status_code == 200


@pytest.mark.django_db
def test_a_sign_up_form_with_errors_keeps_what_was_typed_and_lists_errors_at_the_top(
    client, krakow
):
    response = client.post(
        SIGNUP,
        _signup_data(
            password2="something-else-entirely", accept_terms="", full_name="Żaneta Źdźbło"
        ),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'value="Nowa.Osoba@Example.org"' in body
    assert 'value="Żaneta Źdźbło"' in body
    summary = body.index('class="error-summary"')
    assert summary < body.index('name="email"')
    assert "Hasła nie są takie same." in body[summary:]
    assert "Zaznacz, że znasz informację o przetwarzaniu danych osobowych." in body[summary:]
    assert 'aria-invalid="true"' in body
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_errors_are_translated(client, krakow):
    body = client.post("/en/konto/rejestracja/", _signup_data(password2="x")).content.decode()
    assert "The passwords do not match." in body


@pytest.mark.django_db
def test_the_same_email_in_other_letter_case_cannot_sign_up_twice(client, resident):
    response = client.post(SIGNUP, _signup_data(email=resident.email.upper()))
    assert response.status_code == 400
    assert "Konto z tym adresem e-mail już istnieje" in response.content.decode()


@pytest.mark.django_db
def test_weak_passwords_are_refused_with_the_reason(client, krakow):
    response = client.post(SIGNUP, _signup_data(password1="12345678", password2="12345678"))
    assert response.status_code == 400
    assert User.objects.count() == 0
    assert "password1" in response.context["form"].errors


@pytest.mark.django_db
def test_a_resident_logs_in_with_email_and_password(client, resident):
    response = client.post(LOGIN, {"username": resident.email, "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"].endswith("/konto/profil/")


@pytest.mark.django_db
def test_log_in_is_slowed_per_account_and_address_and_keeps_the_typed_address(client, resident):
    for _ in range(5):
        response = client.post(LOGIN, {"username": resident.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"username": resident.email, "password": "correct-horse-battery"})
    body = response.content.decode()
    assert response.status_code == 429
    assert "Zbyt wiele nieudanych prób logowania" in body
    assert f'value="{resident.email}"' in body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_up_is_rate_limited_per_address(client, krakow, settings):
    settings.RATE_LIMIT_SIGNUP = "2/h"
    for n in range(2):
        client.post(SIGNUP, _signup_data(email=f"a{n}@example.org"))
        client.logout()
    response = client.post(SIGNUP, _signup_data(email="third@example.org"))
    assert response.status_code == 429
    assert 'value="third@example.org"' in response.content.decode()
    assert not User.objects.filter(email="third@example.org").exists()


@pytest.mark.django_db
def test_a_password_reset_mail_is_sent_in_the_users_language(
    client, resident, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post("/pl/konto/haslo/reset/", {"email": resident.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/pl/konto/haslo/reset/" in mailoutbox[0].body
    assert reverse("accounts:password_reset_done") in response["Location"]


@pytest.mark.django_db
def test_password_reset_requests_are_rate_limited(
    client, resident, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.RATE_LIMIT_SENSITIVE = "2/h"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
            client.post("/pl/konto/haslo/reset/", {"email": resident.email})
    response = client.post("/pl/konto/haslo/reset/", {"email": resident.email})
    assert response.status_code == 429
    assert len(mailoutbox) == 2
    assert f'value="{resident.email}"' in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_sign_ups_with_one_address_make_one_account(krakow):
    import threading

    from django.db import connection

    from wspolnota.accounts.errors import AccountsError
    from wspolnota.accounts.services import user_sign_up

    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            user_sign_up(
                email="Same@Example.org" if n % 2 else "same@example.org",
                password="bardzo-dlugie-haslo-42",
            )
            outcomes.append("created")
        except AccountsError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["created", "email_taken", "email_taken", "email_taken"]
    assert User.objects.filter(email__iexact="same@example.org").count() == 1
