"""The coordinating unit sets up the vote from its pages: rules and voting points."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.accounts.roles import Role
from wspolnota.budget.models import Phase
from wspolnota.budget.tests.factories import make_edition
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.voting import services
from wspolnota.voting.errors import VotingError, VotingPermissionError
from wspolnota.voting.models import VotingPoint, VotingRules
from wspolnota.voting.tests.factories import make_point, make_voting_edition

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _unit(user: Any) -> Any:
    return user.role_assignments.get(role=Role.OFFICIAL).city_unit


@pytest.fixture
def other_official(krakow: Any) -> Any:
    user = UserFactory(district=krakow[2])
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    return user


RULES = {
    "save": "1",
    "ballot_kind": "krakow",
    "picks_per_pool": "3",
    "require_all_picks": "on",
    "approval_max": "5",
    "cumulative_points": "10",
    "minimum_age": "",
    "counting_rule": "greedy",
    "tie_breaking": "",
    "counting_options_text": "",
}


def test_the_coordinator_sets_the_voting_rules_of_a_new_edition_which_had_none(krakow, official):
    edition = make_edition(
        districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=_unit(official)
    )
    client = _client(official)
    url = reverse("voting:setup_rules", args=[edition.year])
    assert client.get(url).status_code == 200  # the office answered 404 without rules
    response = client.post(url, {**RULES, "minimum_age": "16"})
    assert response.status_code == 302, response.content.decode()[:3000]
    rules = VotingRules.objects.get(edition=edition)
    assert rules.require_all_picks and rules.minimum_age == 16
    assert AuditLogEntry.objects.filter(action="voting.rules_set", actor=official).exists()
    assert client.post(url, {"fix": "1"}).status_code == 302
    rules.refresh_from_db()
    assert rules.fixed_at is not None
    again = client.post(url, {**RULES, "picks_per_pool": "5"})
    assert again.status_code == 400
    rules.refresh_from_db()
    assert rules.picks_per_pool == 3


def test_counting_options_that_are_not_json_or_unknown_are_refused_on_their_field(krakow, official):
    edition = make_edition(
        districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=_unit(official)
    )
    url = reverse("voting:setup_rules", args=[edition.year])
    bad = _client(official).post(url, {**RULES, "counting_options_text": "{nie json"})
    assert bad.status_code == 400
    assert "obiekt JSON" in bad.content.decode()
    unknown = _client(official).post(url, {**RULES, "counting_options_text": '{"bogus": 1}'})
    assert unknown.status_code == 400
    assert not VotingRules.objects.filter(edition=edition).exists()


def test_nothing_about_the_vote_changes_once_it_has_started_and_the_page_says_why(krakow, official):
    edition = make_voting_edition(
        districts=krakow, phase=Phase.VOTING, fixed=False, coordinator=official
    )
    client = _client(official)
    url = reverse("voting:setup_rules", args=[edition.year])
    page = client.get(url).content.decode()
    assert "Głosowanie już się rozpoczęło" in page
    response = client.post(url, {**RULES, "picks_per_pool": "5"})
    assert response.status_code == 400
    assert VotingRules.objects.get(edition=edition).picks_per_pool == 3


def test_an_official_of_another_unit_cannot_set_the_rules_or_points(
    krakow, official, other_official
):
    edition = make_edition(
        districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=_unit(official)
    )
    client = _client(other_official)
    for name in ("voting:setup_rules", "voting:setup_points"):
        url = reverse(name, args=[edition.year])
        assert client.get(url).status_code == 403
        assert client.post(url, RULES).status_code == 403
    assert not VotingRules.objects.filter(edition=edition).exists()
    with pytest.raises(VotingPermissionError):
        services.voting_rules_set(actor=other_official, edition=edition, at=edition.created_at)


POINT = {
    "name": "Biblioteka Kraków, filia 1",
    "address": "ul. Rajska 1, 31-124 Kraków",
    "hours": "pon.–pt. 10:00–19:00",
    "step_free": "on",
    "latitude": "50,0640",
    "longitude": "19,9300",
}


def test_the_coordinator_adds_a_voting_point_with_its_place_hours_access_and_coordinators(
    krakow, official
):
    edition = make_edition(
        districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=_unit(official)
    )
    librarian = UserFactory(district=krakow[1], email="bibliotekarka@example.org")
    response = _client(official).post(
        reverse("voting:setup_points", args=[edition.year]),
        {**POINT, "district": krakow[1].pk, "coordinators": "Bibliotekarka@example.org"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    point = VotingPoint.objects.get(edition=edition)
    assert point.step_free and point.latitude == Decimal("50.064000")
    assert list(point.coordinators.all()) == [librarian]
    assert AuditLogEntry.objects.filter(action="voting.point_created", actor=official).exists()


def test_a_point_placed_on_the_map_outside_its_district_is_refused(krakow, official):
    edition = make_edition(
        districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=_unit(official)
    )
    response = _client(official).post(
        reverse("voting:setup_points", args=[edition.year]),
        {**POINT, "district": krakow[18].pk},
    )
    assert response.status_code == 400
    assert "poza dzielnicą" in response.content.decode()
    unknown = _client(official).post(
        reverse("voting:setup_points", args=[edition.year]),
        {**POINT, "district": krakow[1].pk, "coordinators": "nikt@example.org"},
    )
    assert unknown.status_code == 400
    assert "nikt@example.org" in unknown.content.decode()
    assert not VotingPoint.objects.filter(edition=edition).exists()


def test_a_points_district_is_locked_once_voting_has_started_but_its_hours_can_be_fixed(
    krakow, official
):
    edition = make_voting_edition(districts=krakow, phase=Phase.VOTING, coordinator=official)
    point = make_point(edition, krakow[1])
    with pytest.raises(VotingError):
        services.voting_point_update(actor=official, point=point, district=krakow[2])
    url = reverse("voting:setup_point", args=[edition.year, point.pk])
    client = _client(official)
    assert "oddane w nim głosy" in client.get(url).content.decode()
    response = client.post(
        url, {**POINT, "district": krakow[2].pk, "hours": "codziennie 9:00–20:00"}
    )
    assert response.status_code == 302
    point.refresh_from_db()
    assert point.district == krakow[1]  # the disabled field keeps its value
    assert point.hours == "codziennie 9:00–20:00"
    entry = AuditLogEntry.objects.get(action="voting.point_changed")
    assert entry.before["hours"] != entry.after["hours"]


def test_a_point_without_a_map_position_takes_it_from_its_address(krakow, official):
    """The office types the address; the city's address points place it on the map, and an
    address in another district than the one chosen is refused on the address."""
    from wspolnota.territory.services import KRAKOW_ADDRESS_SAMPLE, address_points_load

    address_points_load(city=krakow[1].city, path=KRAKOW_ADDRESS_SAMPLE)
    edition = make_edition(
        districts=krakow, phase=Phase.SUBMISSION, coordinating_unit=_unit(official)
    )
    url = reverse("voting:setup_points", args=[edition.year])
    unplaced = {**POINT, "latitude": "", "longitude": ""}
    wrong = _client(official).post(
        url, {**unplaced, "address": "os. Zgody 2, Kraków", "district": krakow[1].pk}
    )
    assert wrong.status_code == 400 and "poza dzielnicą" in wrong.content.decode()
    response = _client(official).post(
        url, {**unplaced, "address": "ul. Rajska 1, Kraków", "district": krakow[1].pk}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    point = VotingPoint.objects.get(edition=edition)
    assert (point.latitude, point.longitude) == (Decimal("50.064000"), Decimal("19.930600"))
