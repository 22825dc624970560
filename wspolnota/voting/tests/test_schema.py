"""Ballot secrecy is a property of the schema: nothing joins a ballot to the roll or a person."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

from wspolnota.voting.models import (
    Ballot,
    BallotChoice,
    BallotReceipt,
    Envelope,
    VoterRollEntry,
)

BALLOT_TABLES = [Ballot, BallotChoice, BallotReceipt]
# Shared reference data a ballot may point at (what was on the ballot and where).
REFERENCE = {"budget.edition", "budget.pool", "budget.project", "territory.district"}


def _forward_targets(model: type[models.Model]) -> set[str]:
    return {
        f.related_model._meta.label_lower
        for f in model._meta.get_fields()
        if f.is_relation and f.concrete and f.related_model is not None
    }


def test_ballot_tables_point_only_at_reference_data_and_each_other():
    for model in BALLOT_TABLES:
        assert _forward_targets(model) <= REFERENCE | {"voting.ballot"}, model


def test_ballot_tables_have_no_time_or_sequence_columns():
    for model in [*BALLOT_TABLES, Envelope]:
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateField | models.TimeField), field  # DateTime too
            assert not isinstance(field, models.AutoField | models.BigAutoField), field
        assert isinstance(model._meta.pk, models.UUIDField)


def test_roll_entries_carry_no_time_finer_than_the_day_and_no_sequence():
    for field in VoterRollEntry._meta.concrete_fields:
        assert not isinstance(field, models.DateTimeField | models.TimeField), field
        assert not isinstance(field, models.AutoField | models.BigAutoField), field
    assert isinstance(VoterRollEntry._meta.pk, models.UUIDField)


def test_envelopes_hold_nothing_readable_but_their_edition():
    fields = {f.name for f in Envelope._meta.concrete_fields}
    assert fields == {"id", "edition", "sealed"}


def test_no_model_links_the_roll_or_a_user_to_a_ballot():
    """No path exists: no model has relations to both a ballot table and the roll or users,
    the roll has no relation to ballots, and the reference data has none to the roll."""
    ballot_labels = {m._meta.label_lower for m in BALLOT_TABLES}
    person_labels = {"voting.voterrollentry", "accounts.user"}
    for model in apps.get_models():
        label = model._meta.label_lower
        targets = _forward_targets(model)
        if label in ballot_labels:
            assert not targets & person_labels, label
        if label in person_labels:
            assert not targets & ballot_labels, label
        if targets & ballot_labels and label not in ballot_labels:
            pytest.fail(f"{label} points at a ballot table")
    for label in REFERENCE:
        assert "voting.voterrollentry" not in _forward_targets(apps.get_model(label))
    # the receipt codes are apart from the ballots: no relation to them
    assert not _forward_targets(BallotReceipt) & {"voting.ballot", "voting.ballotchoice"}
    assert not _forward_targets(VoterRollEntry) & ballot_labels


@pytest.mark.django_db
def test_the_database_itself_has_no_foreign_key_from_ballots_to_the_roll_or_users():
    roll = VoterRollEntry._meta.db_table
    users = apps.get_model("accounts", "User")._meta.db_table
    with connection.cursor() as cursor:
        for model in BALLOT_TABLES:
            table = model._meta.db_table
            relations = connection.introspection.get_relations(cursor, table)
            referenced = {target_table for _col, (_target_col, target_table) in relations.items()}
            assert roll not in referenced and users not in referenced, (table, referenced)
            columns = {
                c.name for c in connection.introspection.get_table_description(cursor, table)
            }
            assert not {"created_at", "updated_at", "cast_at", "voter_id", "user_id"} & columns
        roll_relations = connection.introspection.get_relations(cursor, roll)
        referenced = {t for _c, (_tc, t) in roll_relations.items()}
        assert not referenced & {m._meta.db_table for m in BALLOT_TABLES}
