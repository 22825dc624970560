"""On PostgreSQL, the production database: the pool of a call is never exceeded, even when
officials award its last money at the same moment."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.grants import selectors, services
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import Application, ApplicationStatus, Award
from wspolnota.grants.tests.factories import make_application, make_call, make_member, score
from wspolnota.organisations.tests.factories import OrganisationFactory
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory


def _race(officials: list, application_ids: list[int]) -> list[str]:
    """Each official awards 4,000 PLN to one application, all released at the same moment."""
    outcomes: list[str] = []
    barrier = threading.Barrier(len(officials))

    def award(official, application_id):
        try:
            application = Application.objects.get(pk=application_id)
            barrier.wait()
            services.award_grant(actor=official, application=application, amount=Decimal(4_000))
            outcomes.append("awarded")
        except GrantsError as exc:
            outcomes.append(exc.code)
        except BaseException as exc:  # pragma: no cover - reported by the assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=award, args=(official, application_id))
        for official, application_id in zip(officials, application_ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_officials_awarding_the_last_money_of_a_pool_at_the_same_moment_never_exceed_it(
    monkeypatch,
):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")
    # Widen the race window: every award pauses after taking its locks and before it reads the
    # pool, so without the lock on the call all three would read the same remaining money.
    real_score = selectors.application_score

    def slow_score(application):
        time.sleep(0.2)
        return real_score(application)

    monkeypatch.setattr(selectors, "application_score", slow_score)
    # Three officials of the unit that runs the calls (only that unit may award).
    unit = CityUnitFactory()
    officials = []
    for _ in range(3):
        user = UserFactory()
        RoleAssignmentFactory(user=user, role=Role.OFFICIAL, city_unit=unit)
        officials.append(user)
    for _round in range(3):
        call = make_call(pool=10_000, city_unit=unit)
        members = [make_member(call), make_member(call)]
        applications = []
        for _ in range(3):
            application = make_application(
                call,
                OrganisationFactory(),
                grant=4_000,
                status=ApplicationStatus.IN_ASSESSMENT,
                submitted_at=timezone.now(),
            )
            for member in members:
                score(member, application, [9, 9, 9])
            applications.append(application.pk)
        outcomes = _race(officials, applications)
        assert sorted(outcomes) == ["award_above_pool", "awarded", "awarded"]
        total = Award.objects.filter(call=call).aggregate(total=Sum("amount"))["total"]
        assert total == Decimal(8_000) <= call.pool_amount
