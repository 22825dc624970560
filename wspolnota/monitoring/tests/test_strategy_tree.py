from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from wspolnota.core.models import AuditLogEntry
from wspolnota.monitoring.models import Indicator, Measurement, NodeKind, Status, StrategyNode
from wspolnota.monitoring.services import node_add, node_move, strategy_load
from wspolnota.monitoring.strategy import STRATEGY_TEXT, load_strategy_text
from wspolnota.monitoring.texts import STRATEGY_STRINGS
from wspolnota.tests_support.data import shared_data_dir

SHIPPED_DIGEST = "06d6f62da0e90624a3adf112c560099609dc4106b89228666ad73785b32e800b"


def test_the_shipped_strategy_text_is_the_documented_copy():
    digest = hashlib.sha256(STRATEGY_TEXT.read_bytes()).hexdigest()
    assert digest == SHIPPED_DIGEST
    assert SHIPPED_DIGEST in (STRATEGY_TEXT.parent / "SOURCE.md").read_text(encoding="utf-8")
    shared = shared_data_dir()
    if shared is not None:  # the project's own copy, beside the repository
        assert (
            shared / "krakow" / "strategy-goal-v.txt"
        ).read_bytes() == STRATEGY_TEXT.read_bytes()


def test_the_text_gives_three_operational_goals_seventeen_actions_and_five_indicators():
    text = load_strategy_text()
    assert text.goal.title == "Silna wspólnota samorządowa mieszkańców Krakowa"
    assert [g.code for g in text.operational_goals] == ["V.1", "V.2", "V.3"]
    assert [a.number for a in text.key_actions] == list(range(1, 18))
    # the first action is broken over blank lines in the source and is joined verbatim
    assert text.key_actions[0].title == (
        "Edukacja mieszkańców - zwłaszcza dzieci i młodzieży - w zakresie budowania poczucia "
        "współodpowiedzialności, więzi, wspólnoty i patriotyzmu."
    )
    assert text.key_actions[15].title.startswith("Utworzenie sieci Centrów Aktywności Seniorów")
    rows = [
        (i.name, i.value_2016.text, i.value_2022.text, i.target_2030.text) for i in text.indicators
    ]
    assert rows == [
        ("Liczba Centrów Aktywności Seniora", "26", "51", "Ok. 70"),
        (
            "Frekwencja w ramach głosowania na budżet obywatelski",
            "5% (2017)",
            "5,35%",
            "Trend wzrostowy",
        ),
        (
            "Liczba organizacji pozarządowych wnioskujących o wsparcie",
            "1 164",
            "797",
            "Trend wzrostowy",
        ),
        (
            "Zadowolenie mieszkańców z możliwości wpływania na władze miasta",
            "22%",
            "40,3%",
            "Trend wzrostowy",
        ),
        (
            "Skala interwencji w ramach zadań pomocy społecznej w Gminie Miejskiej Kraków",
            "4,4%",
            "3,9%",
            "Trend spadkowy",
        ),
    ]
    assert text.indicators[3].footnote == "dane z badań społecznych Barometr Krakowski"


def test_every_string_of_the_strategy_is_marked_for_translation():
    text = load_strategy_text()
    strings = [text.goal.title, text.aim, *[g.title for g in text.operational_goals]]
    strings += [a.title for a in text.key_actions]
    for row in text.indicators:
        strings += [
            row.name,
            row.measures,
            row.value_2016.text,
            row.value_2022.text,
            row.target_2030.text,
        ]
    assert set(strings) - set(STRATEGY_STRINGS) == set()


@pytest.mark.django_db
def test_loading_preloads_the_tree_and_the_indicators_exactly_and_only_once(krakow):
    report = strategy_load()
    assert report.created_nodes == 1 + 3 + 17 and report.created_indicators == 5
    again = strategy_load()
    assert (again.created_nodes, again.created_indicators, again.created_measurements) == (0, 0, 0)
    goal = StrategyNode.objects.get(kind=NodeKind.GOAL)
    assert goal.code == "V" and goal.children.count() == 3
    assert StrategyNode.objects.get(kind=NodeKind.ACTION, number=16).parent.code == "V.3"
    centres = Indicator.objects.get(code="centra-aktywnosci-seniora")
    assert (centres.baseline_value, centres.value_2022, centres.target_value) == (26, 51, 70)
    assert centres.target_kind == "numeric"
    turnout = Indicator.objects.get(code="frekwencja-budzet-obywatelski")
    assert turnout.baseline_text == "5% (2017)" and turnout.baseline_year == 2017
    assert turnout.value_2022 == Decimal("5.35") and turnout.target_kind == "rising"
    assert Indicator.objects.get(code="organizacje-wnioskujace").baseline_value == 1164
    assert Indicator.objects.get(code="pomoc-spoleczna").target_kind == "falling"
    series = list(
        Measurement.objects.filter(indicator=turnout, status=Status.APPROVED).values_list(
            "year", "value"
        )
    )
    assert series == [(2017, Decimal("5")), (2022, Decimal("5.35"))]
    assert AuditLogEntry.objects.filter(action="monitoring.strategy_loaded").count() == 21 + 5 + 10


@pytest.mark.django_db
def test_an_official_adds_a_programme_and_refiles_a_key_action(strategy, official, resident):
    from wspolnota.core.errors import PermissionDeniedError

    action = StrategyNode.objects.get(kind=NodeKind.ACTION, number=16)
    programme = node_add(
        actor=official, parent=action, kind=NodeKind.PROGRAMME, title="Program Senioralny Kraków"
    )
    assert programme.parent == action and not programme.from_strategy
    v1 = StrategyNode.objects.get(code="V.1")
    node_move(
        actor=official,
        node=action,
        parent=v1,
        reason="Działanie dotyczy także partycypacji seniorów",
    )
    action.refresh_from_db()
    assert action.parent == v1
    assert AuditLogEntry.objects.filter(action="monitoring.node_moved").exists()
    with pytest.raises(PermissionDeniedError):
        node_add(actor=resident, parent=action, kind=NodeKind.PROJECT, title="x")
