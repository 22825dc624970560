"""Who may act on strategy monitoring: role × scope (the strategy office or another unit) × action.

Values, links, the strategy tree, population tables and surveys are kept by one city unit, the
strategy office (``MONITORING_STRATEGY_UNIT``); its officials enter and approve them, not every
official of every department (issue 15). Unset, only administrators do.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from wspolnota.accounts.roles import Role
from wspolnota.core.errors import PermissionDeniedError
from wspolnota.monitoring import permissions, services
from wspolnota.monitoring.models import Indicator, Measurement, NodeKind, Status, StrategyNode
from wspolnota.monitoring.tests.conftest import STRATEGY_UNIT
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import councillor_of, official_of, with_role


def _enter(actor, indicator, year=2024):
    return services.measurement_enter(
        actor=actor,
        indicator=indicator,
        year=year,
        value=Decimal("3.7"),
        source="MOPS Kraków",
        reference_date=date(2024, 12, 31),
    )


def _act_enter(actor, indicator, entrant):
    _enter(actor, indicator)


def _act_approve(actor, indicator, entrant):
    services.batch_approve(actor=actor, batch=_enter(entrant, indicator).batch)


def _act_reject(actor, indicator, entrant):
    services.batch_reject(actor=actor, batch=_enter(entrant, indicator).batch, reason="błąd")


def _act_add_programme(actor, indicator, entrant):
    action = StrategyNode.objects.filter(kind=NodeKind.ACTION).first()
    services.node_add(actor=actor, parent=action, kind=NodeKind.PROGRAMME, title="Program")


def _act_add_link(actor, indicator, entrant):
    action = StrategyNode.objects.filter(kind=NodeKind.ACTION).first()
    services.link_add(
        actor=actor, node=action, year=2024, title="Zrobione", external_url="https://example.org/"
    )


ACTIONS = {
    "enter_value": _act_enter,
    "approve_value": _act_approve,
    "reject_value": _act_reject,
    "add_programme": _act_add_programme,
    "add_link": _act_add_link,
}

ALLOWED = {
    "anonymous": set(),
    "resident": set(),
    "official_of_strategy_unit": set(ACTIONS),
    "official_of_other_unit": set(),
    "moderator": set(),
    "district_councillor": set(),
    "ngo_member": set(),
    "auditor": set(),
    "administrator": set(ACTIONS),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("persona", sorted(ALLOWED))
def test_permission_matrix(krakow, strategy, persona, action):
    from django.contrib.auth.models import AnonymousUser

    indicator = Indicator.objects.get(code="pomoc-spoleczna")
    unit = CityUnitFactory(code=STRATEGY_UNIT)
    entrant = official_of(unit)
    actor = {
        "anonymous": lambda: AnonymousUser(),
        "resident": lambda: UserFactory(district=krakow[1]),
        "official_of_strategy_unit": lambda: official_of(unit),
        "official_of_other_unit": lambda: official_of(CityUnitFactory()),
        "moderator": lambda: with_role(Role.MODERATOR),
        "district_councillor": lambda: councillor_of(krakow[1]),
        "ngo_member": lambda: with_role(Role.NGO_MEMBER),
        "auditor": lambda: with_role(Role.AUDITOR),
        "administrator": lambda: with_role(Role.ADMINISTRATOR),
    }[persona]()
    if action in ALLOWED[persona]:
        ACTIONS[action](actor, indicator, entrant)
    else:
        with pytest.raises(PermissionDeniedError):
            ACTIONS[action](actor, indicator, entrant)


@pytest.mark.django_db
def test_an_official_of_another_department_cannot_enter_or_approve_a_value(krakow, strategy):
    indicator = Indicator.objects.get(code="pomoc-spoleczna")
    outsider = official_of(CityUnitFactory(code="ZDMK"))
    with pytest.raises(PermissionDeniedError):
        _enter(outsider, indicator)
    pending = _enter(official_of(CityUnitFactory(code=STRATEGY_UNIT)), indicator)
    with pytest.raises(PermissionDeniedError):
        services.batch_approve(actor=outsider, batch=pending.batch)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING
    assert not Measurement.objects.filter(entered_by=outsider).exists()
    assert not permissions.can_decide_measurement(outsider, pending)


@pytest.mark.django_db
def test_with_no_strategy_unit_set_only_administrators_keep_monitoring(krakow, settings):
    settings.MONITORING_STRATEGY_UNIT = ""
    assert not permissions.can_manage_monitoring(official_of(CityUnitFactory(code=STRATEGY_UNIT)))
    assert permissions.can_manage_monitoring(with_role(Role.ADMINISTRATOR))
