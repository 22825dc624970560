"""Who may act on the registry: role × scope (the unit that keeps the registry or another one)
× action. The registry is kept by one city unit (``ORGANISATIONS_REGISTRY_UNIT``); its officials
verify, return, suspend and merge entries and read full files, not every official of every
department (issue 15). An organisation's own representatives manage it; another
organisation's member does not."""

from __future__ import annotations

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.organisations import permissions, services
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.models import VerificationStatus
from wspolnota.organisations.tests.conftest import REGISTRY_UNIT
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import councillor_of, official_of, with_role


def _verify(actor, organisation):
    services.organisation_verify(actor=actor, organisation=organisation, approve=True)


def _suspend(actor, organisation):
    services.organisation_set_suspended(
        actor=actor, organisation=organisation, suspended=True, reason="likwidacja"
    )


def _read_file(actor, organisation):
    if not permissions.can_view_organisation_file(actor, organisation):
        raise OrganisationsError("no")


ACTIONS = {"verify": _verify, "suspend": _suspend, "read_full_file": _read_file}

ALLOWED = {
    "official_of_registry_unit": set(ACTIONS),
    "official_of_other_unit": set(),
    "administrator": set(ACTIONS),
    "auditor": {"read_full_file"},
    "representative": {"read_full_file"},
    "member_of_another_organisation": set(),
    "district_councillor": set(),
    "moderator": set(),
    "resident": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_permission_matrix(krakow, persona, action):
    representative = UserFactory()
    organisation = OrganisationFactory(created_by=representative, status=VerificationStatus.PENDING)
    stranger = UserFactory()
    OrganisationFactory(created_by=stranger)  # its representative: another organisation's
    actor = {
        "official_of_registry_unit": lambda: official_of(CityUnitFactory(code=REGISTRY_UNIT)),
        "official_of_other_unit": lambda: official_of(CityUnitFactory()),
        "administrator": lambda: with_role(Role.ADMINISTRATOR),
        "auditor": lambda: with_role(Role.AUDITOR),
        "representative": lambda: representative,
        "member_of_another_organisation": lambda: stranger,
        "district_councillor": lambda: councillor_of(krakow[1]),
        "moderator": lambda: with_role(Role.MODERATOR),
        "resident": lambda: UserFactory(district=krakow[1]),
    }[persona]()
    if action in ALLOWED[persona]:
        ACTIONS[action](actor, organisation)
    else:
        with pytest.raises(OrganisationsError):
            ACTIONS[action](actor, organisation)


@pytest.mark.django_db
def test_an_official_of_any_department_cannot_verify_an_ngo(krakow):
    organisation = OrganisationFactory(status=VerificationStatus.PENDING)
    with pytest.raises(OrganisationsError):
        _verify(official_of(CityUnitFactory(code="ZDMK")), organisation)
    organisation.refresh_from_db()
    assert organisation.status == VerificationStatus.PENDING
