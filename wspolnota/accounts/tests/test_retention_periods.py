"""Every retention period the privacy page shows is applied by the daily purge (issue 15)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from wspolnota.accounts import services
from wspolnota.accounts.models import User
from wspolnota.accounts.roles import Role
from wspolnota.communication.models import OutboxMessage
from wspolnota.core.models import AuditLogEntry
from wspolnota.core.selectors import audit_chain_verify
from wspolnota.core.services import audit_log_append
from wspolnota.tests_support.factories import RoleAssignmentFactory, UserFactory

# Which figure of ``personal_data_purge`` applies which period of ``RETENTION_DAYS``.
APPLIED_BY = {
    "inactive_account": "inactive_accounts",
    "sms_codes": "sms_codes",
    "voter_roll": "voter_rolls",
    "deleted_account_audit": "audit_entries",
    "messages": "messages",
    "volunteer_agreements": "volunteer_agreements",
    "letter_batches": "letter_batches",
}


@pytest.mark.django_db
def test_every_period_on_the_privacy_page_is_applied_by_the_purge(client):
    page = client.get("/pl/prywatnosc/").content.decode()
    shown = {key for key, days in settings.RETENTION_DAYS.items() if f"<td>{days}</td>" in page}
    assert shown == set(settings.RETENTION_DAYS)
    result = services.personal_data_purge()
    assert set(APPLIED_BY) == set(settings.RETENTION_DAYS)
    assert {APPLIED_BY[key] for key in settings.RETENTION_DAYS} <= set(result)


@pytest.mark.django_db
def test_an_account_never_logged_in_to_is_erased_after_the_inactive_period(krakow):
    days = settings.RETENTION_DAYS["inactive_account"]
    never = UserFactory(full_name="Nigdy Niezalogowana")
    User.objects.filter(pk=never.pk).update(
        last_login=None, date_joined=timezone.now() - timedelta(days=days + 1)
    )
    fresh = UserFactory()
    User.objects.filter(pk=fresh.pk).update(last_login=None)
    result = services.personal_data_purge()
    assert result["inactive_accounts"] == 1
    never.refresh_from_db()
    assert never.deleted_at is not None and never.full_name == ""
    assert User.objects.get(pk=fresh.pk).deleted_at is None


@pytest.mark.django_db
def test_a_deleted_officials_name_leaves_the_audit_log_after_its_period_and_the_chain_holds(
    krakow,
):
    official = UserFactory(full_name="Piotr Urzędniczy", password="correct-horse-battery")
    RoleAssignmentFactory(user=official, role=Role.MODERATOR)
    act = audit_log_append(actor=official, action="test.decided", object_type="x.y", object_id="1")
    services.user_delete(user=official, password="correct-horse-battery")
    # An act in office stays attributed while the period runs…
    assert "Piotr Urzędniczy" in AuditLogEntry.objects.get(pk=act.pk).who()
    days = settings.RETENTION_DAYS["deleted_account_audit"]
    assert services.personal_data_purge()["audit_entries"] == 0
    # …and the name goes once it is over; the chain is not rewritten.
    result = services.personal_data_purge(now=timezone.now() + timedelta(days=days + 1))
    assert result["audit_entries"] >= 1
    assert AuditLogEntry.objects.get(pk=act.pk).who() == f"user:{official.pk}"
    assert audit_chain_verify().valid


@pytest.mark.django_db
def test_sent_messages_lose_their_address_and_text_after_their_period(krakow):
    days = settings.RETENTION_DAYS["messages"]
    now = timezone.now()

    def message(key: str, status: str, age: int) -> OutboxMessage:
        row = OutboxMessage.objects.create(
            idempotency_key=key,
            kind="notice",
            channel="email",
            to="stara@example.org",
            body="Treść",
            status=status,
            not_before=now,
        )
        OutboxMessage.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=age))
        return row

    old_sent = message("a", OutboxMessage.Status.SENT, days + 1)
    recent = message("b", OutboxMessage.Status.SENT, days - 1)
    queued = message("c", OutboxMessage.Status.QUEUED, days + 1)
    assert services.personal_data_purge()["messages"] == 1
    old_sent.refresh_from_db()
    assert (old_sent.to, old_sent.body) == ("", "")
    assert OutboxMessage.objects.get(pk=recent.pk).to == "stara@example.org"
    assert OutboxMessage.objects.get(pk=queued.pk).to == "stara@example.org"


def test_the_privacy_page_names_each_period_in_words():
    template = (settings.BASE_DIR / "wspolnota/core/templates/core/privacy.html").read_text()
    for key in settings.RETENTION_DAYS:
        assert re.search(rf"retention\.{key}\b", template), key
