"""An official writes as the City only as a unit they belong to (or as an administrator).

The attack: an official of the Department of Social Communication (unit A) writes a notice paid
from their own unit's budget but signs it "Zarząd Dróg Miasta Krakowa" (unit B, the roads
authority): residents read that the roads authority closed their street. The unit the notice is
charged to was checked; the sender name residents read was not. Now an official's sender name
may not name a unit they are not an official of (by its name, however typed, or by its symbol),
through the service and through the page. An administrator may sign for any unit.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.communication import permissions, services
from wspolnota.communication.choices import AuthorKind, Channel, Scope
from wspolnota.communication.errors import CommunicationError
from wspolnota.communication.models import Notice
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory


@pytest.fixture
def units(krakow):
    mine = CityUnitFactory(code="WKS", name="Wydział Komunikacji Społecznej")
    roads = CityUnitFactory(code="ZDMK", name="Zarząd Dróg Miasta Krakowa")
    return mine, roads


@pytest.fixture
def unit_official(units):
    user = UserFactory()
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=units[0])
    return user


def _official_notice(label, unit):
    return services.NoticeData(
        author_kind=AuthorKind.OFFICIAL,
        author_label=label,
        source_language="pl",
        texts={"pl": services.NoticeContent(title="Zamknięta ulica", body="Od poniedziałku.")},
        valid_from=timezone.now(),
        scope=Scope.CITY,
        channels=[Channel.EMAIL],
        city_unit=unit,
    )


@pytest.mark.parametrize(
    "label",
    [
        "Zarząd Dróg Miasta Krakowa",
        "ZARZĄD DRÓG MIASTA KRAKOWA — komunikat",
        "Zarzad  Drog Miasta Krakowa",
        "Urząd Miasta Krakowa — ZDMK",
        "ZDMK",
    ],
)
def test_an_official_cannot_sign_as_another_unit_through_the_service(unit_official, units, label):
    mine, _roads = units
    with pytest.raises(CommunicationError) as error:
        services.notice_create(author=unit_official, data=_official_notice(label, mine))
    assert error.value.field == "author_label"
    assert not Notice.objects.exists()


def test_an_official_cannot_rename_a_draft_to_another_unit(unit_official, units):
    mine, _roads = units
    notice = services.notice_create(
        author=unit_official, data=_official_notice("Wydział Komunikacji Społecznej", mine)
    )
    with pytest.raises(CommunicationError):
        services.notice_update(
            actor=unit_official,
            notice=notice,
            data=_official_notice("Zarząd Dróg Miasta Krakowa", mine),
        )
    notice.refresh_from_db()
    assert notice.author_label == "Wydział Komunikacji Społecznej"


def test_an_official_cannot_charge_another_unit_either(unit_official, units):
    _mine, roads = units
    with pytest.raises(CommunicationError) as error:
        services.notice_create(
            author=unit_official, data=_official_notice("Urząd Miasta Krakowa", roads)
        )
    assert error.value.field == "city_unit"


@pytest.mark.parametrize(
    "label",
    [
        "Wydział Komunikacji Społecznej",
        "Urząd Miasta Krakowa — Wydział Komunikacji Społecznej (WKS)",
        "Urząd Miasta Krakowa",
        "Prezydent Miasta Krakowa",
    ],
)
def test_an_official_signs_as_their_own_unit_or_the_city(unit_official, units, label):
    mine, _roads = units
    notice = services.notice_create(author=unit_official, data=_official_notice(label, mine))
    assert notice.author_label == label and notice.city_unit == mine


def test_an_official_of_both_units_signs_as_either(unit_official, units):
    _mine, roads = units
    RoleAssignmentFactory(user=unit_official, role=Role.OFFICIAL, city_unit=roads)
    unit_official.__dict__.pop("_communication_units", None)
    notice = services.notice_create(
        author=unit_official, data=_official_notice("Zarząd Dróg Miasta Krakowa", roads)
    )
    assert notice.city_unit == roads


def test_an_administrator_signs_for_any_unit(administrator, units):
    _mine, roads = units
    assert permissions.can_sign_for_unit(administrator, roads)
    notice = services.notice_create(
        author=administrator, data=_official_notice("Zarząd Dróg Miasta Krakowa", roads)
    )
    assert notice.city_unit == roads


def _form(label, unit):
    return {
        "author_kind": "official",
        "author_label": label,
        "source_language": "pl",
        "title_pl": "Zamknięta ulica",
        "body_pl": "Od poniedziałku.",
        "scope": "city",
        "urgency": "normal",
        "valid_from": "2026-05-20T08:00",
        "channels": ["email"],
        "city_unit": unit.pk,
    }


def test_an_official_cannot_sign_as_another_unit_through_the_page(client, unit_official, units):
    mine, roads = units
    client.force_login(unit_official)
    url = reverse("communication:notice_create")
    as_roads = client.post(url, _form("Zarząd Dróg Miasta Krakowa", mine))
    assert as_roads.status_code == 400
    assert "jednostki, do której należysz" in as_roads.content.decode()
    charged_to_roads = client.post(url, _form("Urząd Miasta Krakowa", roads))
    assert charged_to_roads.status_code == 400
    assert not Notice.objects.exists()
    own = client.post(url, _form("Wydział Komunikacji Społecznej", mine))
    assert own.status_code == 302
    notice = Notice.objects.get()
    edit = reverse("communication:notice_edit", kwargs={"notice_id": notice.pk})
    renamed = client.post(edit, _form("Zarząd Dróg Miasta Krakowa", mine))
    assert renamed.status_code == 400
    notice.refresh_from_db()
    assert notice.author_label == "Wydział Komunikacji Społecznej"
