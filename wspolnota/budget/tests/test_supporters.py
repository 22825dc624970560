"""Supporters: 15 residents (of the district) within 10 days, online or on a paper list."""

from __future__ import annotations

import contextlib
import threading
from datetime import date, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from wspolnota.budget import services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.models import Support
from wspolnota.budget.tests.factories import point_in, pool_for, submitted_project, support
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_district_residents_support_online_until_the_project_has_enough(edition, resident, krakow):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    for _ in range(14):
        support(user=UserFactory(district=krakow[1]), project=project)
    project.refresh_from_db()
    assert project.supporters_count == 14 and project.supporters_complete_at is None
    support(user=UserFactory(district=krakow[1]), project=project)
    project.refresh_from_db()
    assert project.supporters_count == 15 and project.supporters_complete_at is not None


def test_residents_of_another_district_cannot_support_a_district_project(
    edition, resident, resident_other_district
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError, match="mogą poprzeć mieszkańcy: Dzielnica I Stare Miasto"):
        support(user=resident_other_district, project=project)
    citywide = submitted_project(
        author=resident, pool=pool_for(edition, None), latitude=None, longitude=None
    )
    support(user=resident_other_district, project=citywide)


def test_nobody_supports_twice_or_their_own_project(edition, resident, krakow):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with pytest.raises(BudgetError, match="Autor nie może"):
        support(user=resident, project=project)
    neighbour = UserFactory(district=krakow[1])
    support(user=neighbour, project=project)
    with pytest.raises(BudgetError, match="Już popierasz"):
        support(user=neighbour, project=project)
    assert Support.objects.count() == 1


def test_a_support_after_the_deadline_gets_a_clear_message(
    client_for, edition, resident, resident_other_district, krakow
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    late = project.support_deadline + timedelta(minutes=1)
    with pytest.raises(BudgetError, match="Termin zbierania poparcia minął"):
        support(user=UserFactory(district=krakow[1]), project=project, at=late)
    project.support_deadline = timezone.now() - timedelta(hours=1)
    project.save()
    neighbour = UserFactory(district=krakow[1])
    client = client_for("anonymous")
    client.force_login(neighbour)
    response = client.post(f"/pl/budzet-obywatelski/projekty/{project.pk}/poprzyj/")
    assert response.status_code == 400
    assert "Termin zbierania poparcia minął" in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_anonymous_supporters_are_sent_to_log_in(client_for, edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    response = client_for("anonymous").post(
        f"/pl/budzet-obywatelski/projekty/{project.pk}/poprzyj/"
    )
    assert response.status_code == 302 and "/konto/logowanie/" in response["Location"]


def test_an_official_records_a_paper_list_and_it_counts(client_for, edition, resident, official):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    services.paper_support_list_record(
        actor=official,
        project=project,
        received_on=timezone.localdate(),
        signatures_valid=16,
        signatures_rejected=2,
    )
    project.refresh_from_db()
    assert project.supporters_count == 16 and project.supporters_complete_at is not None
    entry = AuditLogEntry.objects.get(action="budget.paper_support_recorded")
    assert entry.actor == official and entry.after["supporters_count"] == 16
    with pytest.raises(BudgetError):
        services.paper_support_list_record(
            actor=resident, project=project, received_on=timezone.localdate(), signatures_valid=3
        )


def test_a_paper_list_received_after_the_deadline_is_refused(edition, resident, official):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    too_late = timezone.localdate(project.support_deadline) + timedelta(days=1)
    with pytest.raises(BudgetError, match="po terminie"):
        services.paper_support_list_record(
            actor=official,
            project=project,
            received_on=too_late,
            signatures_valid=15,
            at=project.support_deadline + timedelta(days=2),
        )
    with pytest.raises(BudgetError, match="w przyszłości"):
        services.paper_support_list_record(
            actor=official,
            project=project,
            received_on=date.today() + timedelta(days=3),
            signatures_valid=15,
        )


def test_the_paper_list_pdf_has_the_number_and_a_qr_code(client_for, edition, resident):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    response = client_for("anonymous").get(
        f"/pl/budzet-obywatelski/projekty/{project.pk}/lista-poparcia.pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from wspolnota.budget import documents
    from wspolnota.tests_support.qr import qr_codes_in_pdf

    # a supporter scans the list's code and lands on the project's page
    assert qr_codes_in_pdf(response.content) == [documents.project_url(project.pk)]

    html = documents.render_to_string(
        "budget/pdf/support_list.html",
        {
            "project": project,
            "qr": documents.qr_data_uri("https://example.org"),
            "url": "u",
            "rows": range(1, 3),
        },
    )
    assert project.number in html and "data:image/svg+xml" in html


def _at_once(*calls, hold=None):
    """Run each call in its own thread (so on its own database connection), all released together.

    ``hold`` (a ``(module, name)`` pair) makes that function wait after it returns until every
    thread has got past it too: the race window is wide open, and only a real database guard (a
    lock, a constraint) keeps the outcome right.
    """
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        barrier.wait()
        try:
            call()
            outcomes.append("ok")
        except BudgetError as exc:
            outcomes.append(exc.code or "refused")
        finally:
            connection.close()

    patcher = None
    if hold is not None:
        module, name = hold
        original = getattr(module, name)

        meet = threading.Barrier(len(calls))

        def slow(*args, **kwargs):
            result = original(*args, **kwargs)
            # Wait (at most five seconds) until every thread got here too. A thread held back by
            # a lock never arrives in time: the barrier breaks and everyone goes on. One second was
            # too short on a loaded machine once the address look-up ran before the transaction:
            # the other thread had not reached this point, so the unguarded run lost no update.
            with contextlib.suppress(threading.BrokenBarrierError):
                meet.wait(timeout=5)
            return result

        patcher = mock.patch.object(module, name, slow)
        patcher.start()
    try:
        threads = [threading.Thread(target=run, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        if patcher is not None:
            patcher.stop()
    return sorted(outcomes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_supports_by_one_person_count_once(krakow, resident):
    """Both requests pass every check before either writes; the unique constraint keeps one."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from wspolnota.budget import permissions
    from wspolnota.budget.tests.factories import make_edition

    edition = make_edition(districts=krakow)
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    neighbour = UserFactory(district=krakow[1])

    def attempt():
        support(user=neighbour, project=project)

    outcomes = _at_once(attempt, attempt, hold=(permissions, "support_refusal"))
    project.refresh_from_db()
    assert outcomes == ["ok", "support_twice"]
    assert project.supporters_count == 1 and Support.objects.filter(project=project).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_neighbours_supporting_at_once_are_both_counted(krakow, resident):
    """The row lock makes the second recount wait for the first commit: no lost update."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from wspolnota.budget.tests.factories import make_edition

    edition = make_edition(districts=krakow)
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    first, second = UserFactory(district=krakow[1]), UserFactory(district=krakow[1])

    def supporter(user):
        return lambda: support(user=user, project=project)

    # Each support is written, then (paused) counted: without the lock both counts miss the other.
    outcomes = _at_once(supporter(first), supporter(second), hold=(Support.objects, "create"))
    project.refresh_from_db()
    assert outcomes == ["ok", "ok"]
    assert Support.objects.filter(project=project).count() == 2
    assert project.supporters_count == 2


def test_the_database_refuses_a_second_support_row(edition, resident, krakow):
    """The last guard does not depend on the service: the table itself holds one row per person."""
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    neighbour = UserFactory(district=krakow[1])
    Support.objects.create(project=project, user=neighbour)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(project=project, user=neighbour)


# The two race tests above must fail when their guard is taken away; these run them so.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_row_lock_a_simultaneous_support_goes_uncounted(krakow, resident, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    from django.db.models import QuerySet

    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, *args, **kwargs: self)
    with pytest.raises(AssertionError):
        test_two_neighbours_supporting_at_once_are_both_counted(krakow, resident)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_the_unique_constraint_one_person_supports_twice(krakow, resident):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE budget_support DROP CONSTRAINT budget_support_once")
    try:
        with pytest.raises(AssertionError):
            test_two_simultaneous_supports_by_one_person_count_once(krakow, resident)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM budget_support")
            cursor.execute(
                "ALTER TABLE budget_support ADD CONSTRAINT budget_support_once"
                " UNIQUE (project_id, user_id)"
            )


# --- Supporters that mean something (issue 16) -------------------------------------------------


def _phone(user):
    user.phone = f"+48501{user.pk:06d}"
    user.phone_confirmed_at = timezone.now()
    user.save(update_fields=["phone", "phone_confirmed_at"])
    return user


def test_a_profile_district_does_not_make_a_district_resident(edition, resident, krakow):
    """The attack: choose District I in the profile, live elsewhere, support District I's project."""
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    claims_first = _phone(UserFactory(district=krakow[1]))
    lat, lon = point_in(krakow[18])
    with pytest.raises(BudgetError, match="leży w granicach: Dzielnica XVIII"):
        services.project_support(
            user=claims_first, project=project, address="ul. Odległa 5", latitude=lat, longitude=lon
        )
    assert not Support.objects.exists()
    # and the other way round: the profile says XVIII, the address is in I: that person lives in I
    lives_in_first = _phone(UserFactory(district=krakow[18]))
    lat, lon = point_in(krakow[1])
    made = services.project_support(
        user=lives_in_first,
        project=project,
        address="ul. Floriańska 3",
        latitude=lat,
        longitude=lon,
    )
    assert made.district == krakow[1] and made.address == "ul. Floriańska 3"


def test_an_address_outside_the_city_supports_nothing(edition, resident, krakow):
    citywide = submitted_project(
        author=resident, pool=pool_for(edition, None), latitude=None, longitude=None
    )
    outsider = _phone(UserFactory(district=krakow[1]))
    with pytest.raises(BudgetError, match="poza granicami miasta"):
        services.project_support(
            user=outsider,
            project=citywide,
            address="ul. Marszałkowska 1, Warszawa",
            latitude=Decimal("52.229700"),
            longitude=Decimal("21.012200"),
        )
    with pytest.raises(BudgetError, match="Podaj swój adres"):
        services.project_support(user=outsider, project=citywide)


def test_online_support_needs_a_confirmed_phone_number(edition, resident, krakow):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    unconfirmed = UserFactory(district=krakow[1], phone="+48600700800", phone_confirmed_at=None)
    lat, lon = point_in(krakow[1])
    with pytest.raises(BudgetError, match="potwierdź w profilu swój numer telefonu"):
        services.project_support(
            user=unconfirmed, project=project, address="ul. Rynek 1", latitude=lat, longitude=lon
        )


def test_a_city_that_requires_a_verified_identity_does_not_take_a_phone_alone(
    edition, resident, krakow, settings
):
    """A confirmed phone is not an identity: without a name and date of birth for the
    verifying unit to check (test_support_identity.py) the support is refused; an account
    whose identity a trusted-profile log-in verified counts at once."""
    settings.BUDGET_SUPPORT_REQUIRES = "identity"
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    with_phone = _phone(UserFactory(district=krakow[1]))
    lat, lon = point_in(krakow[1])
    with pytest.raises(BudgetError, match="urząd sprawdzi je w rejestrze"):
        services.project_support(
            user=with_phone, project=project, address="ul. Rynek 1", latitude=lat, longitude=lon
        )
    with_phone.identity_verified_at = timezone.now()  # as a trusted-profile log-in would record
    made = services.project_support(
        user=with_phone, project=project, address="ul. Rynek 1", latitude=lat, longitude=lon
    )
    assert made.verified_by == "identity" and made.identity_check == "confirmed"
    project.refresh_from_db()
    assert project.supporters_count == 1


def test_the_support_form_asks_for_the_address_and_keeps_it_on_error(
    client_for, edition, resident, krakow
):
    project = submitted_project(author=resident, pool=pool_for(edition, 1))
    neighbour = _phone(UserFactory(district=krakow[1]))
    client = client_for("anonymous")
    client.force_login(neighbour)
    page = client.get(f"/pl/budzet-obywatelski/projekty/{project.pk}/").content.decode()
    assert 'name="address"' in page and 'name="latitude"' in page
    url = f"/pl/budzet-obywatelski/projekty/{project.pk}/poprzyj/"
    lat, lon = point_in(krakow[18])
    wrong = client.post(
        url, {"address": "ul. Daleka 9", "latitude": str(lat), "longitude": str(lon)}
    )
    assert wrong.status_code == 400
    assert "leży w granicach: Dzielnica XVIII" in wrong.content.decode()
    assert 'value="ul. Daleka 9"' in wrong.content.decode()
    lat, lon = point_in(krakow[1])
    ok = client.post(
        url,
        {"address": "ul. Bliska 1", "latitude": str(lat).replace(".", ","), "longitude": str(lon)},
    )
    assert ok.status_code == 302
    assert Support.objects.get(project=project).district == krakow[1]
