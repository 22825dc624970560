"""Database triggers that refuse UPDATE and DELETE on the audit log, on PostgreSQL and SQLite."""

from django.conf import settings
from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditlogentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditlogentry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditlogentry_no_update BEFORE UPDATE OR DELETE ON core_auditlogentry
    FOR EACH ROW EXECUTE FUNCTION core_auditlogentry_append_only();
CREATE TRIGGER core_auditlogentry_no_truncate BEFORE TRUNCATE ON core_auditlogentry
    FOR EACH STATEMENT EXECUTE FUNCTION core_auditlogentry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditlogentry_no_truncate ON core_auditlogentry;
DROP TRIGGER IF EXISTS core_auditlogentry_no_update ON core_auditlogentry;
DROP FUNCTION IF EXISTS core_auditlogentry_append_only();
"""
SQLITE_FORWARD = [
    "CREATE TRIGGER core_auditlogentry_no_update BEFORE UPDATE ON core_auditlogentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditlogentry is append-only'); END;",
    "CREATE TRIGGER core_auditlogentry_no_delete BEFORE DELETE ON core_auditlogentry "
    "BEGIN SELECT RAISE(ABORT, 'core_auditlogentry is append-only'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditlogentry_no_update;",
    "DROP TRIGGER IF EXISTS core_auditlogentry_no_delete;",
]


def install(vendor, execute):
    if vendor == "postgresql":
        execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            execute(statement)


def uninstall(vendor, execute):
    if vendor == "postgresql":
        execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            execute(statement)


def forward(apps, schema_editor):
    # The test suite flushes tables between live-server tests, so it installs the triggers
    # only inside the test that proves they work (AUDIT_LOG_DB_TRIGGERS is off there).
    if settings.AUDIT_LOG_DB_TRIGGERS:
        install(schema_editor.connection.vendor, schema_editor.execute)


def backward(apps, schema_editor):
    uninstall(schema_editor.connection.vendor, schema_editor.execute)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
