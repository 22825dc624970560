from __future__ import annotations

import importlib
import threading

import pytest
from django.db import DatabaseError, connection, transaction

from wspolnota.core.models import GENESIS_HASH, AuditLogEntry
from wspolnota.core.selectors import audit_chain_verify
from wspolnota.core.services import audit_log_append, snapshot


def _append(n: int, actor=None) -> list[AuditLogEntry]:
    return [
        audit_log_append(
            actor=actor,
            action="test.changed",
            object_type="test.thing",
            object_id=str(i),
            after={"i": i},
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_entries_form_a_hash_chain_starting_at_the_genesis_hash():
    entries = _append(3)
    assert entries[0].prev_hash == GENESIS_HASH
    assert entries[1].prev_hash == entries[0].entry_hash
    assert entries[2].prev_hash == entries[1].entry_hash
    report = audit_chain_verify()
    assert report.valid and report.checked == 3


@pytest.mark.django_db
def test_an_edited_entry_breaks_the_chain_at_that_entry():
    entries = _append(4)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditlogentry SET after = %s WHERE id = %s", ['{"i": 99}', entries[2].pk]
        )
    report = audit_chain_verify()
    assert not report.valid
    assert report.first_bad_id == entries[2].pk
    assert report.problem == "content"


@pytest.mark.django_db
def test_a_deleted_entry_breaks_the_link_of_the_next_one():
    entries = _append(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlogentry WHERE id = %s", [entries[1].pk])
    report = audit_chain_verify()
    assert not report.valid
    assert report.first_bad_id == entries[2].pk
    assert report.problem == "link"


@pytest.mark.django_db
def test_the_model_refuses_to_update_or_delete_an_entry():
    entry = _append(1)[0]
    entry.action = "forged"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.django_db
def test_database_triggers_refuse_update_and_delete():
    triggers = importlib.import_module("wspolnota.core.migrations.0002_audit_log_append_only")

    entry = _append(1)[0]
    with connection.cursor() as cursor:
        triggers.install(connection.vendor, cursor.execute)
    try:
        for statement in (
            "UPDATE core_auditlogentry SET action = 'forged' WHERE id = %s",
            "DELETE FROM core_auditlogentry WHERE id = %s",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [entry.pk])
    finally:
        with connection.cursor() as cursor:
            triggers.uninstall(connection.vendor, cursor.execute)
    assert AuditLogEntry.objects.get(pk=entry.pk).action == "test.changed"


@pytest.mark.django_db
def test_snapshot_never_copies_secrets(resident):
    data = snapshot(resident)
    assert "password" not in data
    assert data["email"] == resident.email


@pytest.mark.django_db
def test_snapshot_records_a_files_name_not_the_file():
    from django.core.files.base import ContentFile

    from wspolnota.councils.models import BodyKind, MeetingDocument
    from wspolnota.councils.tests.factories import MeetingFactory

    meeting = MeetingFactory(body__kind=BodyKind.SENIORS_COUNCIL)
    document = MeetingDocument(meeting=meeting, title="Porządek obrad")
    document.file.save("porzadek.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    data = snapshot(document)
    assert data["file"].startswith("councils/documents/") and data["file"].endswith(".pdf")
    document.file = None
    assert snapshot(document)["file"] == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL, the production database")
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                audit_log_append(
                    actor=None, action="test.concurrent", object_type="t", object_id=f"{n}-{i}"
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditLogEntry.objects.count() == 80
    report = audit_chain_verify()
    assert report.valid and report.checked == 80
