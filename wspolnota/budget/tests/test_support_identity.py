"""A city that requires a verified identity for online support (``BUDGET_SUPPORT_REQUIRES =
"identity"``): the supporter gives their name and date of birth, the unit verifying the project
checks them in the register of residents, and only a confirmed support counts (issue 16)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError, BudgetPermissionError
from wspolnota.budget.models import Support, SupportCheck
from wspolnota.budget.tests.factories import point_in, pool_for, submitted_project
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _identity(settings: Any) -> None:
    settings.BUDGET_SUPPORT_REQUIRES = "identity"


def _support(project: Any, user: Any, district: Any, **identity: Any) -> Support:
    lat, lon = point_in(district)
    identity.setdefault("full_name", user.full_name or "Anna Nowak")
    identity.setdefault("birth_date", date(1980, 5, 17))
    return services.project_support(
        user=user, project=project, address="ul. Rynek 1", latitude=lat, longitude=lon, **identity
    )


def _verifier(krakow: Any) -> tuple[Any, Any]:
    unit = CityUnitFactory(name="Zarząd Zieleni Miejskiej")
    user = UserFactory(district=krakow[2])
    RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
    return unit, user


def test_a_support_waits_for_the_identity_check_and_counts_once_confirmed(
    edition, resident, krakow, official
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    neighbour = UserFactory(district=krakow[1], full_name="Jan Kowalski")  # no phone needed
    made = _support(project, neighbour, krakow[1], birth_date=date(1975, 1, 2))
    assert made.identity_check == SupportCheck.PENDING and made.verified_by == "identity"
    assert (made.full_name, made.birth_date) == ("Jan Kowalski", date(1975, 1, 2))
    project.refresh_from_db()
    assert project.supporters_count == 0  # given, not yet counted

    services.support_check(actor=official, support=made, confirmed=True)
    project.refresh_from_db()
    assert project.supporters_count == 1
    made.refresh_from_db()
    assert made.identity_check == SupportCheck.CONFIRMED and made.checked_by == official
    entry = AuditLogEntry.objects.get(action="budget.support_confirmed")
    assert "Kowalski" not in str(entry.before) + str(entry.after)  # the log holds no identity


def test_a_support_without_name_or_date_of_birth_is_refused_on_its_field(edition, resident, krakow):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    neighbour = UserFactory(district=krakow[1])
    with pytest.raises(BudgetError) as missing_name:
        _support(project, neighbour, krakow[1], full_name=" ")
    assert missing_name.value.field == "full_name"
    with pytest.raises(BudgetError) as missing_date:
        _support(project, neighbour, krakow[1], birth_date=None)
    assert missing_date.value.field == "birth_date"
    with pytest.raises(BudgetError, match="prawdziwą datę"):
        _support(project, neighbour, krakow[1], birth_date=timezone.localdate() + timedelta(1))
    assert not Support.objects.exists()


def test_a_rejected_support_does_not_count_and_needs_a_reason(edition, resident, krakow, official):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    made = _support(project, UserFactory(district=krakow[1]), krakow[1])
    with pytest.raises(BudgetError, match="powód"):
        services.support_check(actor=official, support=made, confirmed=False)
    services.support_check(
        actor=official, support=made, confirmed=False, note="Brak osoby w rejestrze mieszkańców"
    )
    project.refresh_from_db()
    assert project.supporters_count == 0
    with pytest.raises(BudgetError, match="już sprawdzone"):
        services.support_check(actor=official, support=made, confirmed=True)
    assert AuditLogEntry.objects.filter(action="budget.support_rejected").count() == 1


def test_one_person_supporting_through_two_accounts_is_confirmed_once(
    edition, resident, krakow, official
):
    """The attack: a second account, the same person, a second support of the same project."""
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    first = _support(project, UserFactory(district=krakow[1]), krakow[1], full_name="Ewa Zając")
    second = _support(
        project, UserFactory(district=krakow[1]), krakow[1], full_name="  EWA   ZAJĄC "
    )
    services.support_check(actor=official, support=first, confirmed=True)
    with pytest.raises(BudgetError, match="liczy się raz"):
        services.support_check(actor=official, support=second, confirmed=True)
    project.refresh_from_db()
    assert project.supporters_count == 1


def test_only_the_verifying_unit_and_the_coordinators_check_the_supporters(
    edition, resident, krakow, official
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    made = _support(project, UserFactory(district=krakow[1]), krakow[1])
    unit, verifier = _verifier(krakow)
    _, stranger = _verifier(krakow)
    stranger.role_assignments.update(city_unit=CityUnitFactory())
    later = project.support_deadline + timedelta(minutes=1)
    services.verification_start(actor=official, project=project, unit=unit, at=later)
    for outsider in (stranger, resident):
        with pytest.raises(BudgetPermissionError):
            services.support_check(actor=outsider, support=made, confirmed=True, at=later)
    services.support_check(actor=verifier, support=made, confirmed=True, at=later)
    project.refresh_from_db()
    assert project.supporters_count == 1


def test_the_verification_page_lists_supporters_with_their_identity_to_check(
    edition, resident, krakow, official
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    made = _support(
        project, UserFactory(district=krakow[1]), krakow[1], full_name="Maria Wiśniewska"
    )
    client = Client()
    client.force_login(official)
    url = f"/pl/budzet-obywatelski/projekty/{project.pk}/weryfikacja/"
    page = client.get(url).content.decode()
    assert "Maria Wiśniewska" in page and "17.05.1980" in page and "ul. Rynek 1" in page
    check_url = f"/pl/budzet-obywatelski/projekty/{project.pk}/poparcia/{made.pk}/"
    refused = client.post(check_url, {"decision": "rejected", "note": ""})
    assert refused.status_code == 400 and "powód" in refused.content.decode()
    assert client.post(check_url, {"decision": "confirmed"}).status_code == 302
    made.refresh_from_db()
    assert made.identity_check == SupportCheck.CONFIRMED
    # the page is the verifying unit's: a resident gets nothing, not even the list
    outsider = Client()
    outsider.force_login(resident)
    assert outsider.get(url).status_code == 403
    assert outsider.post(check_url, {"decision": "confirmed"}).status_code == 403


def test_the_support_form_asks_for_name_and_date_of_birth_and_keeps_them_on_error(
    client_for, edition, resident, krakow
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    neighbour = UserFactory(district=krakow[1], full_name="Piotr Lis")
    client = client_for("anonymous")
    client.force_login(neighbour)
    page = client.get(f"/pl/budzet-obywatelski/projekty/{project.pk}/").content.decode()
    assert 'name="full_name"' in page and 'name="birth_date"' in page
    assert 'value="Piotr Lis"' in page
    url = f"/pl/budzet-obywatelski/projekty/{project.pk}/poprzyj/"
    lat, lon = point_in(krakow[1])
    address = {"address": "ul. Bliska 1", "latitude": str(lat), "longitude": str(lon)}
    wrong = client.post(url, {**address, "full_name": "Piotr Lis", "birth_date": ""})
    assert wrong.status_code == 400
    assert "datę urodzenia" in wrong.content.decode()
    assert 'value="Piotr Lis"' in wrong.content.decode()
    ok = client.post(url, {**address, "full_name": "Piotr Lis", "birth_date": "1990-03-04"})
    assert ok.status_code == 302
    made = Support.objects.get(project=project)
    assert made.identity_check == SupportCheck.PENDING and made.birth_date == date(1990, 3, 4)
    detail = client.get(f"/pl/budzet-obywatelski/projekty/{project.pk}/").content.decode()
    assert "czeka na sprawdzenie" in detail


MATRIX_ROLES = [
    "anonymous",
    "resident",
    "official_of_the_unit",
    "official_verifying",
    "official_other_unit",
    "district_councillor",
    "moderator",
    "ngo_member",
    "auditor",
    "administrator",
]
CHECKS = {"official_of_the_unit", "official_verifying", "administrator"}


def test_the_identity_check_permission_matrix(edition, resident, krakow, official, request):
    """Every role confirms one pending support of a project in verification: only the
    coordinating unit, the verifying unit and administrators can; for everybody else nothing
    changes (anonymous visitors go to log in)."""
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    verifying_unit, verifier = _verifier(krakow)
    later = project.support_deadline + timedelta(minutes=1)
    services.verification_start(actor=official, project=project, unit=verifying_unit, at=later)
    people: dict[str, Any] = {
        "anonymous": None,
        "official_of_the_unit": official,
        "official_verifying": verifier,
    }
    other = UserFactory(district=krakow[1])
    RoleAssignmentFactory(user=other, role=Role.OFFICIAL, city_unit=CityUnitFactory())
    people["official_other_unit"] = other
    for role in MATRIX_ROLES:
        if role not in people:
            people[role] = request.getfixturevalue(role)
    mismatches = []
    for role in MATRIX_ROLES:
        made = Support.objects.create(
            project=project,
            user=UserFactory(district=krakow[1]),
            address="ul. Rynek 1",
            district=krakow[1],
            verified_by="identity",
            identity_check=SupportCheck.PENDING,
            full_name=f"Osoba {role}",
            birth_date=date(1970, 1, 1),
        )
        client = Client()
        if people[role] is not None:
            client.force_login(people[role])
        url = f"/pl/budzet-obywatelski/projekty/{project.pk}/poparcia/{made.pk}/"
        got = client.post(url, {"decision": "confirmed"}).status_code
        made.refresh_from_db()
        allowed = role in CHECKS
        expected = 302 if allowed or people[role] is None else 403
        confirmed = made.identity_check == SupportCheck.CONFIRMED
        if got != expected or confirmed != allowed:
            mismatches.append(f"{role}: {got}, confirmed={confirmed}")
    assert mismatches == []
