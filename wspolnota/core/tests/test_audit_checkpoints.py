"""The audit log proves itself: signed checkpoints kept outside the database anchor the chain.

Each attack is what an administrator with database access could do once the append-only
triggers are dropped (the test settings run without them, so raw SQL stands in for that
administrator): delete the newest entries, rewrite one and re-hash everything after it, delete
one in the middle and re-link, forge the checkpoint file, or run without the key.
"""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import connection

from wspolnota.core.models import GENESIS_HASH, AuditLogEntry
from wspolnota.core.services import audit_log_append


def _write_key(path: Path) -> str:
    key = Ed25519PrivateKey.generate()
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@pytest.fixture
def anchor(settings, tmp_path):
    """A signing key and a checkpoint folder outside the database, as a deployment has them."""
    key_file = tmp_path / "keys" / "audit-checkpoint.pem"
    key_file.parent.mkdir()
    settings.AUDIT_CHECKPOINT_KEY_FILE = key_file
    settings.AUDIT_CHECKPOINT_PUBLIC_KEY = _write_key(key_file)
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    settings.AUDIT_CHECKPOINT_EMAILS = []
    return tmp_path


def _checkpoint_file(anchor: Path) -> Path:
    return anchor / "checkpoints" / "checkpoints.jsonl"


def _append(n: int, start: int = 0) -> list[AuditLogEntry]:
    return [
        audit_log_append(
            actor=None,
            action="test.changed",
            object_type="test.thing",
            object_id=str(i),
            after={"i": i},
        )
        for i in range(start, start + n)
    ]


def _run(name: str, *args: str) -> tuple[int, str]:
    """Run a management command; its exit status and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode or 1, out.getvalue() + err.getvalue() + str(exc)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def _sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _rehash_forward(from_id: int) -> None:
    """What a careful forger does: recompute every hash and link from ``from_id`` on."""
    before = AuditLogEntry.objects.filter(id__lt=from_id).order_by("-id").first()
    prev = before.entry_hash if before else GENESIS_HASH
    for entry in AuditLogEntry.objects.filter(id__gte=from_id).order_by("id"):
        entry.prev_hash = prev
        new_hash = entry.compute_hash()
        _sql(
            "UPDATE core_auditlogentry SET prev_hash = %s, entry_hash = %s WHERE id = %s",
            [prev, new_hash, entry.pk],
        )
        prev = new_hash


@pytest.mark.django_db
def test_an_untouched_log_verifies_against_its_checkpoints(anchor):
    _append(3)
    code, output = _run("audit_checkpoint", "--first")
    assert code == 0, output
    _append(2, start=3)
    code, output = _run("audit_verify")
    assert code == 0, output
    assert "OK" in output


@pytest.mark.django_db
def test_deleting_the_newest_entries_is_detected(anchor):
    entries = _append(5)
    assert _run("audit_checkpoint", "--first")[0] == 0
    # the newest entries, the checkpoint's own record included, vanish: the chain alone still holds
    _sql("DELETE FROM core_auditlogentry WHERE id >= %s", [entries[3].pk])
    from wspolnota.core.selectors import audit_chain_verify

    assert audit_chain_verify().valid  # what today's check alone says
    code, output = _run("audit_verify")
    assert code != 0
    assert f"#{entries[4].pk}" in output


@pytest.mark.django_db
def test_rewriting_an_entry_and_rehashing_forward_is_detected(anchor):
    entries = _append(5)
    assert _run("audit_checkpoint", "--first")[0] == 0
    _sql("UPDATE core_auditlogentry SET after = %s WHERE id = %s", ['{"i": 99}', entries[1].pk])
    _rehash_forward(entries[1].pk)
    from wspolnota.core.selectors import audit_chain_verify

    assert audit_chain_verify().valid
    code, output = _run("audit_verify")
    assert code != 0
    assert f"#{entries[4].pk}" in output


@pytest.mark.django_db
def test_deleting_an_entry_in_the_middle_and_relinking_is_detected(anchor):
    entries = _append(5)
    assert _run("audit_checkpoint", "--first")[0] == 0
    _sql("DELETE FROM core_auditlogentry WHERE id = %s", [entries[2].pk])
    _rehash_forward(entries[3].pk)
    code, output = _run("audit_verify")
    assert code != 0
    assert "checkpoint" in output.lower()


@pytest.mark.django_db
def test_a_forged_checkpoint_file_is_detected(anchor):
    entries = _append(3)
    assert _run("audit_checkpoint", "--first")[0] == 0
    # the forger rewrites history and then the checkpoint to match it, without the key
    _sql("UPDATE core_auditlogentry SET after = %s WHERE id = %s", ['{"i": 99}', entries[0].pk])
    _rehash_forward(entries[0].pk)
    path = _checkpoint_file(anchor)
    line = json.loads(path.read_text().splitlines()[0])
    line["entry_hash"] = AuditLogEntry.objects.get(pk=line["entry_id"]).entry_hash
    path.write_text(json.dumps(line) + "\n")
    code, output = _run("audit_verify")
    assert code != 0
    assert "signature" in output.lower()


@pytest.mark.django_db
def test_a_checkpoint_signed_with_another_key_is_refused(anchor, tmp_path, settings):
    _append(2)
    assert _run("audit_checkpoint", "--first")[0] == 0
    stranger = tmp_path / "stranger.pem"
    _write_key(stranger)
    settings.AUDIT_CHECKPOINT_KEY_FILE = stranger  # the forger signs with a key of their own
    code, output = _run("audit_checkpoint")
    assert code != 0
    assert "key" in output.lower()


@pytest.mark.django_db
def test_removing_a_checkpoint_from_the_file_is_detected(anchor):
    _append(2)
    assert _run("audit_checkpoint", "--first")[0] == 0
    _append(2, start=2)
    assert _run("audit_checkpoint")[0] == 0
    _append(1, start=4)
    assert _run("audit_checkpoint")[0] == 0
    path = _checkpoint_file(anchor)
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0], lines[2]]) + "\n")
    code, output = _run("audit_verify")
    assert code != 0
    assert "2" in output


@pytest.mark.django_db
def test_a_missing_checkpoint_file_is_a_failure_not_a_pass(anchor):
    _append(2)
    assert _run("audit_checkpoint", "--first")[0] == 0
    _checkpoint_file(anchor).unlink()
    code, output = _run("audit_verify")
    assert code != 0
    assert "no checkpoint" in output.lower()


@pytest.mark.django_db
def test_the_auditors_copy_catches_a_truncated_checkpoint_file(anchor, tmp_path):
    _append(2)
    assert _run("audit_checkpoint", "--first")[0] == 0
    copy = tmp_path / "mailed-copy.jsonl"
    _append(2, start=2)
    assert _run("audit_checkpoint")[0] == 0
    copy.write_text(_checkpoint_file(anchor).read_text())  # what the auditors received
    # the administrator cuts the log and the server's file back to the first checkpoint
    path = _checkpoint_file(anchor)
    path.write_text(path.read_text().splitlines()[0] + "\n")
    first_record = AuditLogEntry.objects.filter(action="core.audit_checkpoint").order_by("id")[0]
    _sql("DELETE FROM core_auditlogentry WHERE id > %s", [first_record.pk])
    assert _run("audit_verify")[0] == 0  # the server's own file is consistent with the cut log
    code, output = _run("audit_verify", "--checkpoints", str(copy))
    assert code != 0
    assert "the newest entries were deleted" in output


@pytest.mark.django_db
def test_deleting_the_checkpoint_file_does_not_let_history_start_afresh(anchor):
    _append(2)
    assert _run("audit_checkpoint", "--first")[0] == 0
    _checkpoint_file(anchor).unlink()
    code, output = _run("audit_checkpoint")
    assert code != 0
    assert "no checkpoint" in output.lower()
    assert not _checkpoint_file(anchor).exists()


@pytest.mark.django_db
def test_a_checkpoint_is_refused_for_a_chain_that_is_already_broken(anchor):
    entries = _append(3)
    assert _run("audit_checkpoint", "--first")[0] == 0
    _sql("DELETE FROM core_auditlogentry WHERE id >= %s", [entries[1].pk])
    before = _checkpoint_file(anchor).read_text()
    code, output = _run("audit_checkpoint")
    assert code != 0
    assert "BROKEN" in output
    assert _checkpoint_file(anchor).read_text() == before  # the forged head is never signed
    alarm = AuditLogEntry.objects.order_by("-id").first()
    assert alarm is not None and alarm.action == "core.audit_chain_broken"


@pytest.mark.django_db
def test_without_the_key_no_checkpoint_is_written_and_the_command_says_why(anchor, settings):
    _append(1)
    settings.AUDIT_CHECKPOINT_KEY_FILE = None
    code, output = _run("audit_checkpoint", "--first")
    assert code != 0
    assert "AUDIT_CHECKPOINT_KEY_FILE" in output
    assert not _checkpoint_file(anchor).exists()


@pytest.mark.django_db
def test_without_the_public_key_nothing_can_be_verified(anchor, settings):
    _append(1)
    assert _run("audit_checkpoint", "--first")[0] == 0
    settings.AUDIT_CHECKPOINT_KEY_FILE = None
    settings.AUDIT_CHECKPOINT_PUBLIC_KEY = ""
    code, output = _run("audit_verify")
    assert code != 0
    assert "AUDIT_CHECKPOINT_PUBLIC_KEY" in output


@pytest.mark.django_db
def test_the_checkpoint_goes_to_the_auditors_by_e_mail(anchor, settings, auditor):
    from wspolnota.communication.models import OutboxMessage

    settings.AUDIT_CHECKPOINT_EMAILS = ["kontrola@rio.krakow.pl"]
    _append(1)
    assert _run("audit_checkpoint", "--first")[0] == 0
    line = _checkpoint_file(anchor).read_text().strip()
    sent = OutboxMessage.objects.filter(kind="core.audit_checkpoint")
    assert {m.to for m in sent} == {"kontrola@rio.krakow.pl", auditor.email}
    assert all(line in m.body for m in sent)


@pytest.mark.django_db
def test_the_auditors_page_shows_the_last_checkpoint_and_the_verification(anchor, client_for):
    from django.urls import reverse

    _append(2)
    assert _run("audit_checkpoint", "--first")[0] == 0
    client = client_for("auditor")
    page = client.get(reverse("core:audit_log"))
    assert page.context["last_checkpoint"] is not None
    verified = client.get(reverse("core:audit_log"), {"verify": "1"})
    assert verified.context["verification"].ok
    _sql("DELETE FROM core_auditlogentry WHERE id >= %s", [AuditLogEntry.objects.first().pk])
    broken = client.get(reverse("core:audit_log"), {"verify": "1"})
    assert not broken.context["verification"].ok
    assert broken.context["verification"].problems


@pytest.mark.django_db
def test_the_demo_writes_a_checkpoint_when_it_loads(anchor, krakow, settings, monkeypatch):
    from wspolnota.accounts import demo as accounts_demo
    from wspolnota.core.management.commands import demo_load

    settings.ENV = "demo"
    monkeypatch.setattr(demo_load, "demo_modules", lambda: [accounts_demo])
    code, output = _run("demo_load")
    assert code == 0, output
    assert "checkpoint 1" in output
    assert _run("audit_verify")[0] == 0
    assert _run("demo_load")[0] == 0  # loading again adds the next checkpoint
    assert len(_checkpoint_file(anchor).read_text().splitlines()) == 2


@pytest.mark.django_db
def test_a_demo_database_made_afresh_keeps_the_old_checkpoints_apart(
    anchor, krakow, settings, monkeypatch
):
    from wspolnota.accounts import demo as accounts_demo
    from wspolnota.core.management.commands import demo_load

    settings.ENV = "demo"
    monkeypatch.setattr(demo_load, "demo_modules", lambda: [accounts_demo])
    _append(3)
    assert _run("audit_checkpoint", "--first")[0] == 0
    _sql("DELETE FROM core_auditlogentry", [])  # the demo's database made again
    code, output = _run("demo_load")
    assert code == 0, output
    assert "kept in" in output
    assert _run("audit_verify")[0] == 0
    assert len(list((anchor / "checkpoints").glob("checkpoints-*.jsonl"))) == 1


def test_audit_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(tmp_path):
    path = tmp_path / "audit.pem"
    code, output = _run("audit_keygen", str(path))
    assert code == 0, output
    assert path.stat().st_mode & 0o777 == 0o600
    public = output.split("AUDIT_CHECKPOINT_PUBLIC_KEY=")[1].strip()
    assert len(base64.b64decode(public)) == 32
    before = path.read_bytes()
    assert _run("audit_keygen", str(path))[0] != 0
    assert path.read_bytes() == before


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["pl", "uk"])
def test_the_auditors_page_with_checkpoints_and_a_break_has_no_wcag_violations(
    anchor, browser, live_server, krakow, language
):
    from wspolnota.accounts.roles import Role
    from wspolnota.conftest import PASSWORD
    from wspolnota.tests_support.axe import check_urls, log_in
    from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

    auditor = UserFactory(district=krakow[1], password=PASSWORD)
    RoleAssignmentFactory(user=auditor, role=Role.AUDITOR)
    entries = _append(3)
    assert _run("audit_checkpoint", "--first")[0] == 0
    context = browser.new_context()
    page = context.new_page()
    log_in(page, live_server.url, auditor.email, PASSWORD, language)
    base = f"{live_server.url}/{language}/dziennik-zdarzen/"
    failures = check_urls(page, [base, f"{base}?verify=1"])
    _sql("DELETE FROM core_auditlogentry WHERE id >= %s", [entries[1].pk])
    assert _run("audit_checkpoint")[0] != 0  # the break is recorded and shown
    failures += check_urls(page, [base, f"{base}?verify=1"])
    assert page.locator("[role=alert] li").count() >= 1
    context.close()
    assert failures == [], "\n\n".join(failures)
