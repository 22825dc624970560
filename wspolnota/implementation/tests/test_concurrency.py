"""PostgreSQL: the "only once" rules hold when requests arrive at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from wspolnota.core.models import AuditLogEntry
from wspolnota.implementation.models import Follow, Implementation, Update, UpdateKind
from wspolnota.implementation.services import (
    implementation_change,
    implementation_follow,
    implementations_open,
)
from wspolnota.implementation.tests.factories import ballot_project, opened, results_edition
from wspolnota.tests_support.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(calls: list[Callable[[], Any]]) -> list[str]:
    """Run the calls in threads released together; return "ok" or the exception's class name."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            call()
            result = "ok"
        except Exception as exc:
            result = type(exc).__name__
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_ten_simultaneous_openings_create_one_implementation_per_project(krakow: Any) -> None:
    edition = results_edition(krakow)
    projects = [ballot_project(edition) for _ in range(3)]
    ids = [p.pk for p in projects]

    def open_all() -> None:
        implementations_open(edition=edition, project_ids=ids, actor=None)

    outcomes = _at_once([open_all] * 10)
    assert outcomes == ["ok"] * 10
    assert Implementation.objects.filter(project_id__in=ids).count() == 3
    assert Update.objects.filter(kind=UpdateKind.OPENED).count() == 3
    assert AuditLogEntry.objects.filter(action="implementation.open").count() == 3


def test_two_officials_changing_at_once_lose_neither_change(
    krakow: Any, administrator: Any
) -> None:
    edition = results_edition(krakow)
    implementation = opened(edition)
    other = UserFactory()
    from wspolnota.accounts.roles import Role
    from wspolnota.tests_support.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=other, role=Role.ADMINISTRATOR)

    def report(actor: Any, note: str) -> Callable[[], Any]:
        return lambda: implementation_change(
            actor=actor,
            implementation=Implementation.objects.get(pk=implementation.pk),
            status="design",
            progress=10,
            actual_cost=None,
            responsible_unit=implementation.responsible_unit,
            note=note,
        )

    outcomes = _at_once([report(administrator, "pierwsza"), report(other, "druga")])
    assert outcomes == ["ok", "ok"]
    updates = list(Update.objects.filter(implementation=implementation).exclude(kind="opened"))
    # The row lock makes the second see the first: one carries the change, the other only its note.
    assert sorted(u.kind for u in updates) == ["change", "note"]
    assert sorted(u.note for u in updates) == ["druga", "pierwsza"]


def test_one_person_following_twice_at_once_is_one_follower(krakow: Any) -> None:
    edition = results_edition(krakow)
    implementation = opened(edition, author=None)
    person = UserFactory()

    def follow() -> None:
        implementation_follow(user=person, implementation=implementation)

    assert _at_once([follow] * 5) == ["ok"] * 5
    implementation.refresh_from_db()
    assert Follow.objects.filter(implementation=implementation).count() == 1
    assert implementation.followers_count == 1
