from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "phrase"),
    [("pl", "Przejdź do treści"), ("en", "Skip to content"), ("uk", "Перейти до вмісту")],
)
def test_each_language_prefix_serves_the_page_in_that_language(client, krakow, language, phrase):
    response = client.get(f"/{language}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}"' in body
    assert phrase in body


@pytest.mark.django_db
def test_the_root_redirects_to_a_language(client, krakow):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 302
    assert response["Location"] == "/uk/"


@pytest.mark.django_db
def test_the_language_switcher_links_to_the_same_page_in_each_language(client, krakow):
    body = client.get("/pl/dzielnice/1/").content.decode()
    assert 'href="/en/dzielnice/1/"' in body
    assert 'href="/uk/dzielnice/1/"' in body
    # the query string (filters, page number) goes along; a page that is not found still renders
    body = client.get("/pl/dzielnice/1/?strona=2").content.decode()
    assert 'href="/uk/dzielnice/1/?strona=2"' in body
    missing = client.get("/pl/nie-ma-takiej-strony/")
    assert missing.status_code == 404 and 'lang="pl"' in missing.content.decode()


@pytest.mark.django_db
def test_display_preferences_work_without_javascript(client, krakow):
    response = client.post(
        reverse("core:display_settings"),
        {"large_text": "1", "high_contrast": "1", "next": "/pl/pomoc/"},
    )
    assert response.status_code == 302 and response["Location"] == "/pl/pomoc/"
    body = client.get("/pl/pomoc/").content.decode()
    assert 'class="large-text high-contrast"' in body


@pytest.mark.django_db
def test_display_preferences_never_redirect_off_site(client):
    response = client.post(reverse("core:display_settings"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_display_preferences_are_saved_on_the_profile(client, resident):
    client.force_login(resident)
    client.post(reverse("core:display_settings"), {"easy_read": "1"})
    resident.refresh_from_db()
    assert resident.pref_easy_read and not resident.pref_large_text


@pytest.mark.django_db
def test_the_accessibility_statement_names_contact_and_enforcement(client):
    body = client.get("/pl/deklaracja-dostepnosci/").content.decode()
    for required in (
        "WCAG",
        "Rzecznika Praw Obywatelskich",
        "7 dni",
        "języku migowym",
        "Dostępność architektoniczna",
    ):
        assert required in body


@pytest.mark.django_db
def test_the_footer_offers_phone_and_in_person_help(client):
    with translation.override("pl"):
        body = client.get(reverse("core:home")).content.decode()
    assert 'href="tel:+48126161200"' in body
    assert "pl. Wszystkich Świętych" in body


@pytest.mark.django_db
def test_unknown_pages_get_a_translated_404(client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_health_check_answers(client, db):
    assert client.get("/healthz").json()["status"] == "ok"
