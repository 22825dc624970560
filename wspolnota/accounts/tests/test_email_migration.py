"""Migration 0002 normalises the e-mail addresses already stored, then keeps them so."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from wspolnota.accounts.models import User

BEFORE = [("accounts", "0001_initial")]
AFTER = [("accounts", "0002_email_normalised")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_stored_addresses_are_normalised_and_a_clash_stops_the_migration():
    old = _migrate(BEFORE).get_model("accounts", "User")
    try:
        old.objects.create(email=" Mieszkanka@Demo.Wspolnota.PL ", password="x")
        old.objects.create(email="urzednik@demo.wspolnota.pl", password="x")
        _migrate(AFTER)
        assert sorted(User.objects.values_list("email", flat=True)) == [
            "mieszkanka@demo.wspolnota.pl",
            "urzednik@demo.wspolnota.pl",
        ]
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.filter(email="urzednik@demo.wspolnota.pl").update(
                email="Urzednik@demo.wspolnota.pl"
            )

        old = _migrate(BEFORE).get_model("accounts", "User")
        old.objects.create(email="urzednik@demo.wspolnota.pl ", password="x")
        with pytest.raises(RuntimeError, match="share one e-mail address"):
            _migrate(AFTER)
        old.objects.filter(email="urzednik@demo.wspolnota.pl ").delete()
    finally:
        # Back to every app's latest migration: going back to 0001 also unapplied the other
        # apps' migrations that depend on later accounts migrations (a unit on places, notices).
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
