"""Administration: the first administrator, the last one, and demo data kept out of production."""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from wspolnota.accounts import services
from wspolnota.accounts.errors import AccountsError
from wspolnota.accounts.models import RoleAssignment, User
from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

STRONG = "Wawel-smok-2030-krakow"


def _admins() -> int:
    return RoleAssignment.objects.filter(role=Role.ADMINISTRATOR).count()


# --- demo data ------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("env", ["production", "test"])
def test_demo_data_with_its_public_password_cannot_be_loaded_outside_the_demo(
    krakow, settings, env
):
    settings.ENV = env
    with pytest.raises(CommandError, match="WSPOLNOTA_ENV=demo"):
        call_command("demo_load", stdout=io.StringIO())
    assert not User.objects.filter(email="admin@demo.wspolnota.pl").exists()


@pytest.mark.django_db
def test_the_demo_loads_its_log_ins_in_the_demo(krakow, settings, monkeypatch):
    from wspolnota.accounts import demo as accounts_demo
    from wspolnota.core.management.commands import demo_load

    settings.ENV = "demo"
    monkeypatch.setattr(demo_load, "demo_modules", lambda: [accounts_demo])
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    assert User.objects.filter(email="admin@demo.wspolnota.pl").exists()
    assert "Krakow2030-demo" in out.getvalue()


# --- the first administrator ----------------------------------------------------------------------


@pytest.mark.django_db
def test_createadmin_makes_the_first_administrator_and_logs_it(krakow, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG + "\n"))
    out = io.StringIO()
    call_command(
        "createadmin",
        "--email",
        " Szefowa.IT@Krakow.pl ",
        "--full-name",
        "Szefowa IT",
        "--password-stdin",
        stdout=out,
    )
    user = User.objects.get(email="szefowa.it@krakow.pl")
    assert user.check_password(STRONG) and user.full_name == "Szefowa IT"
    assert user.role_assignments.get().role == Role.ADMINISTRATOR
    entry = AuditLogEntry.objects.get(action="accounts.role_granted")
    assert entry.actor is None and "createadmin" in entry.reason
    assert "szefowa.it@krakow.pl" in out.getvalue()


@pytest.mark.django_db
def test_createadmin_refuses_a_weak_password_and_a_second_administrator(
    krakow, administrator, monkeypatch
):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n"))
    with pytest.raises(CommandError):
        call_command("createadmin", "--email", "nowy@krakow.pl", "--password-stdin")
    assert not User.objects.filter(email="nowy@krakow.pl").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG + "\n"))
    with pytest.raises(CommandError, match="--force"):
        call_command("createadmin", "--email", "nowy@krakow.pl", "--password-stdin")
    assert _admins() == 1


@pytest.mark.django_db
def test_createadmin_promotes_an_existing_account_without_touching_its_password(
    krakow, resident, administrator
):
    call_command("createadmin", "--email", resident.email.upper(), "--force", stdout=io.StringIO())
    resident.refresh_from_db()
    assert resident.check_password("correct-horse-battery")
    assert resident.role_assignments.filter(role=Role.ADMINISTRATOR).exists()


# --- the last administrator -----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_only_administrator_cannot_revoke_their_own_role(administrator):
    assignment = administrator.role_assignments.get(role=Role.ADMINISTRATOR)
    with pytest.raises(AccountsError, match="samemu sobie"):
        services.role_revoke(actor=administrator, assignment=assignment)
    assert _admins() == 1


@pytest.mark.django_db
def test_the_last_administrator_keeps_the_role_even_against_a_superuser(administrator, krakow):
    root = UserFactory(is_superuser=True)
    assignment = administrator.role_assignments.get(role=Role.ADMINISTRATOR)
    with pytest.raises(AccountsError, match="jedyny administrator"):
        services.role_revoke(actor=root, assignment=assignment)
    assert _admins() == 1


@pytest.mark.django_db
def test_an_administrator_revokes_another_and_the_page_explains_a_refusal(
    client, administrator, krakow
):
    other = RoleAssignmentFactory(role=Role.ADMINISTRATOR).user
    client.force_login(administrator)
    mine = administrator.role_assignments.get(role=Role.ADMINISTRATOR)
    response = client.post(f"/pl/konto/role/{mine.pk}/odbierz/", follow=True)
    assert response.status_code == 200
    assert "samemu sobie" in response.content.decode()
    theirs = other.role_assignments.get(role=Role.ADMINISTRATOR)
    assert client.post(f"/pl/konto/role/{theirs.pk}/odbierz/").status_code == 302
    assert _admins() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_administrators_revoking_each_other_at_once_leave_one(krakow):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")
    first = RoleAssignmentFactory(role=Role.ADMINISTRATOR)
    second = RoleAssignmentFactory(role=Role.ADMINISTRATOR)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def revoke(actor: User, assignment: RoleAssignment) -> None:
        try:
            barrier.wait()
            services.role_revoke(actor=actor, assignment=assignment)
            outcomes.append("revoked")
        except AccountsError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=revoke, args=(first.user, second)),
        threading.Thread(target=revoke, args=(second.user, first)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["last_administrator", "revoked"]
    assert _admins() == 1
