"""A sender name that impersonates the city or one of its units.

The attack: an NGO member wrote a free, e-mail-only notice (no approval needed) and typed
"Urząd Miasta Krakowa" as the sender: residents got an e-mail whose subject and first line said
the City wrote it. Now only officials write as the City; anyone else's sender name is compared,
normalised (case, diacritics, spacing, punctuation, look-alike letters), with the city's name,
its units' names and the usual titles of the city's offices, and refused with a translated error.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from wspolnota.communication import services
from wspolnota.communication.choices import AuthorKind, Channel, Scope
from wspolnota.communication.errors import CommunicationError
from wspolnota.communication.models import Notice
from wspolnota.tests_support.factories import CityUnitFactory


def _free_notice(label, kind=AuthorKind.NGO, districts=None):
    return services.NoticeData(
        author_kind=kind,
        author_label=label,
        source_language="pl",
        texts={"pl": services.NoticeContent(title="Festyn", body="W sobotę festyn.")},
        valid_from=timezone.now(),
        scope=Scope.DISTRICTS if districts else Scope.CITY,
        districts=districts or [],
        channels=[Channel.EMAIL],
    )


IMPERSONATIONS = [
    "Urząd Miasta Krakowa",
    "URZĄD MIASTA",
    "urzad miasta krakowa",
    "Urząd  Miasta\u200b Krakowa",  # a zero-width space
    "U r z ą d   M i a s t a",
    "Urząd.Miasta.Krakowa",
    "Urzаd Miasta",  # a Cyrillic "а"
    "Ｕｒｚąｄ Ｍｉａｓｔａ",  # full-width letters
    "Urząd Miejski w Krakowie",
    "Urzędu Miasta Krakowa — informacja",
    "Prezydent Miasta Krakowa",
    "Gmina Miejska Kraków",
    "Miasto Kraków",
    "Kraków",
    "KRAKOW",
    "Magistrat",
    "City of Kraków",
    "Kraków City Hall",
    "Wydział Komunikacji Społecznej",
    "wydzial komunikacji spolecznej UMK",
]


@pytest.mark.parametrize("label", IMPERSONATIONS)
def test_an_ngo_cannot_sign_a_free_notice_as_the_city_or_one_of_its_units(
    ngo_member, krakow, label
):
    CityUnitFactory(code="WKS", name="Wydział Komunikacji Społecznej")
    with pytest.raises(CommunicationError) as error:
        services.notice_create(author=ngo_member, data=_free_notice(label))
    assert error.value.field == "author_label"
    assert not Notice.objects.exists()


def test_a_district_council_cannot_sign_as_the_city_either(district_councillor, krakow):
    with pytest.raises(CommunicationError):
        services.notice_create(
            author=district_councillor,
            data=_free_notice(
                "Urząd Miasta Krakowa", AuthorKind.DISTRICT_COUNCIL, districts=[krakow[1]]
            ),
        )


def test_an_ngo_cannot_rename_its_draft_to_the_city_afterwards(ngo_member, krakow):
    notice = services.notice_create(author=ngo_member, data=_free_notice("Fundacja Sąsiedzi"))
    with pytest.raises(CommunicationError):
        services.notice_update(
            actor=ngo_member, notice=notice, data=_free_notice("Urząd Miasta Krakowa")
        )
    notice.refresh_from_db()
    assert notice.author_label == "Fundacja Sąsiedzi"


@pytest.mark.parametrize(
    "label",
    [
        "Fundacja Sąsiedzi",
        "Stowarzyszenie Przyjaciół Krakowa",
        "Krakowski Alarm Smogowy",
        "Fundacja Miasto Ludzi",
        "Klub Seniora przy Urzędzie Pracy",
    ],
)
def test_an_ngo_keeps_its_own_name_even_when_it_mentions_the_city(ngo_member, krakow, label):
    notice = services.notice_create(author=ngo_member, data=_free_notice(label))
    assert notice.author_label == label


def test_a_district_council_names_itself_with_its_districts_name(district_councillor, krakow):
    label = f"Rada Dzielnicy I {krakow[1].name} Kraków"
    notice = services.notice_create(
        author=district_councillor,
        data=_free_notice(label, AuthorKind.DISTRICT_COUNCIL, districts=[krakow[1]]),
    )
    assert notice.author_label == label


def test_an_official_signs_as_the_city(official, krakow):
    notice = services.notice_create(
        author=official, data=_free_notice("Urząd Miasta Krakowa", AuthorKind.OFFICIAL)
    )
    assert notice.author_label == "Urząd Miasta Krakowa"


@pytest.mark.parametrize("language", ["pl", "en", "uk"])
def test_the_form_shows_the_refusal_in_the_users_language(client_for, krakow, language):
    client = client_for("ngo_member")
    with translation.override(language):
        response = client.post(
            reverse("communication:notice_create"),
            {
                "author_kind": "ngo",
                "author_label": "Urząd Miasta Krakowa",
                "source_language": "pl",
                "title_pl": "Festyn",
                "body_pl": "W sobotę.",
                "scope": "city",
                "urgency": "normal",
                "valid_from": "2026-05-20T08:00",
                "channels": ["email"],
            },
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 400
    expected = {
        "pl": "nie może podszywać się",
        "en": "cannot pass itself off",
        "uk": "не може видавати себе",
    }[language]
    assert expected in response.content.decode()
    assert not Notice.objects.exists()


# --- Ukrainian (and its Latin transliterations) ---------------------------------------------------
#
# The attack: a notice in Ukrainian for the city's Ukrainian residents, signed "Міська рада
# Кракова" (City Council of Kraków) by an NGO. The comparison saw Cyrillic letters only as
# look-alikes of Latin ones ("Краків" read as "kpakib"), so nothing matched.

UKRAINIAN_IMPERSONATIONS = [
    "Міська рада Кракова",
    "Краківська міська рада",
    "Мерія Кракова",
    "Управління міста Краків",
    "Krakivska miska rada",
    "Kraківська міська рада",  # Latin and Cyrillic mixed
    "МІСЬКА РАДА",
    "міської ради Кракова — інформація",
    "Місто Краків",
    "Краків",
    "Кракова",
    "Miskа rada Krakova",
    "Адміністрація міста Кракова",
    "Міський голова Кракова",
    "Мерія",
    "Мэрия Кракова",  # Russian
]


@pytest.mark.parametrize("label", UKRAINIAN_IMPERSONATIONS)
def test_an_ngo_cannot_sign_as_the_city_in_ukrainian_or_its_transliteration(
    ngo_member, krakow, label
):
    with pytest.raises(CommunicationError) as error:
        services.notice_create(author=ngo_member, data=_free_notice(label))
    assert error.value.field == "author_label"
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "label", ["Міська рада Кракова", "Krakivska miska rada", "Управління міста Краків"]
)
def test_a_district_council_cannot_sign_as_the_city_in_ukrainian(
    district_councillor, krakow, label
):
    with pytest.raises(CommunicationError):
        services.notice_create(
            author=district_councillor,
            data=_free_notice(label, AuthorKind.DISTRICT_COUNCIL, districts=[krakow[1]]),
        )
    assert not Notice.objects.exists()


@pytest.mark.parametrize(
    "label",
    [
        "Фундація «Українці в Кракові»",
        "Українська громада Кракова",
        "Союз українців Польщі",
        "Fundacja Ukraiński Dom",
        "Краківський клуб шахістів",
        "Miska Radości",  # a food bank: "miska" is a bowl in Polish
    ],
)
def test_an_ngo_keeps_its_genuine_ukrainian_name(ngo_member, krakow, label):
    notice = services.notice_create(author=ngo_member, data=_free_notice(label))
    assert notice.author_label == label
