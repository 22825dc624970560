"""Audit entries keep the chain but not the personal data: it is kept apart and erasable."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.core.models import (
    GENESIS_HASH,
    PERSONAL_PLACEHOLDER,
    AuditLogEntry,
    AuditPersonalData,
)
from wspolnota.core.selectors import audit_chain_verify
from wspolnota.core.services import audit_log_append, audit_personal_data_erase

EMAIL = "anna.nowak@example.org"


@pytest.fixture
def anna(db):
    return User.objects.create_user(EMAIL, "x-Secret-123", full_name="Anna Nowak")


def _chain_text(entry: AuditLogEntry) -> str:
    return json.dumps(entry.canonical_payload(), ensure_ascii=False, default=str)


@pytest.mark.django_db
def test_the_hashed_payload_holds_no_name_or_address_of_the_actor(anna):
    entry = audit_log_append(
        actor=anna, action="test.changed", obj=anna, after={"email": EMAIL, "status": "ok"}
    )
    entry.refresh_from_db()
    text = _chain_text(entry)
    assert EMAIL not in text and "Anna Nowak" not in text
    assert entry.actor_label == f"user:{anna.pk}"
    assert entry.after == {"email": PERSONAL_PLACEHOLDER, "status": "ok"}
    # The auditor still reads them while they are kept.
    assert entry.who() == f"Anna Nowak <{EMAIL}>"
    assert entry.what() == "Anna Nowak"
    assert entry.shown("after") == {"email": EMAIL, "status": "ok"}
    assert audit_chain_verify().valid


@pytest.mark.django_db
def test_erasing_a_persons_audit_data_keeps_the_chain_valid(anna):
    other = User.objects.create_user(
        "urzednik@example.org", "x-Secret-123", full_name="Jan Urzędnik"
    )
    audit_log_append(actor=anna, action="test.did", object_type="x.y", object_id="1")
    about = audit_log_append(
        actor=other, action="test.about", obj=anna, before={"phone": "+48600100200"}
    )
    mention = audit_log_append(
        actor=other,
        action="test.mention",
        object_type="x.z",
        object_id="2",
        after={"contact_email": EMAIL, "status": "new"},
    )
    untouched = audit_log_append(actor=other, action="test.other", object_type="x.y", object_id="3")
    erased = audit_personal_data_erase(
        actor_user=anna,
        subjects=[("accounts.user", str(anna.pk))],
        needles=[EMAIL, "Anna Nowak"],
        reason="test",
    )
    assert about.pk in erased and mention.pk in erased and untouched.pk not in erased
    everything = json.dumps(
        list(AuditPersonalData.objects.values("actor_label", "object_repr", "values")),
        ensure_ascii=False,
    ) + "".join(_chain_text(e) for e in AuditLogEntry.objects.all())
    assert (
        EMAIL not in everything and "Anna Nowak" not in everything and "600100200" not in everything
    )
    # The official who acted stays named; the resident's own row no longer says who she is.
    assert AuditLogEntry.objects.get(pk=about.pk).who() == "Jan Urzędnik <urzednik@example.org>"
    assert AuditLogEntry.objects.get(pk=mention.pk).shown("after")["status"] == "new"
    report = audit_chain_verify()
    assert report.valid, report
    assert AuditLogEntry.objects.last().action == "core.personal_data_erased"


@pytest.mark.django_db
def test_altering_the_kept_personal_data_is_found(anna):
    entry = audit_log_append(actor=anna, action="test.did", object_type="x.y", object_id="1")
    AuditPersonalData.objects.filter(pk=entry.pk).update(actor_label="Someone Else <s@e.org>")
    report = audit_chain_verify()
    assert not report.valid and report.first_bad_id == entry.pk and report.problem == "personal"


@pytest.mark.django_db
def test_an_erasure_the_chain_does_not_record_is_found(anna):
    entry = audit_log_append(actor=anna, action="test.did", object_type="x.y", object_id="1")
    AuditPersonalData.objects.filter(pk=entry.pk).update(actor_label="", erased_at=timezone.now())
    report = audit_chain_verify()
    assert not report.valid and report.first_bad_id == entry.pk and report.problem == "personal"


@pytest.mark.django_db
def test_deleting_the_kept_personal_data_is_found(anna):
    entry = audit_log_append(actor=anna, action="test.did", object_type="x.y", object_id="1")
    AuditPersonalData.objects.filter(pk=entry.pk).delete()
    report = audit_chain_verify()
    assert not report.valid and report.problem == "personal"


@pytest.mark.django_db
def test_entries_written_before_the_split_still_verify():
    legacy = AuditLogEntry(
        created_at=timezone.now(),
        actor_label="Old Name <old@example.org>",
        action="test.legacy",
        object_type="x.y",
        object_id="1",
        object_repr="thing",
        prev_hash=GENESIS_HASH,
    )
    legacy.entry_hash = legacy.compute_hash()
    legacy.save(force_insert=True)
    audit_log_append(actor=None, action="test.new", object_type="x.y", object_id="2")
    assert audit_chain_verify().valid
    assert AuditLogEntry.objects.get(pk=legacy.pk).who() == "Old Name <old@example.org>"
