from __future__ import annotations

import pytest
from django.urls import reverse

from wspolnota.accounts.roles import Role
from wspolnota.accounts.services import role_grant


@pytest.mark.django_db
def test_an_auditor_sees_who_changed_what_with_before_and_after(
    client_for, administrator, resident, krakow
):
    assignment = role_grant(actor=administrator, user=resident, role=Role.MODERATOR)
    client = client_for("auditor")
    response = client.get(reverse("core:audit_log"))
    assert response.status_code == 200
    assert "accounts.role_granted" in response.content.decode()
    detail = client.get(reverse("core:audit_entry", args=[response.context["page"][0].pk]))
    body = detail.content.decode()
    assert administrator.email in body
    assert f"#{assignment.pk}" in body
    assert "moderator" in body


@pytest.mark.django_db
def test_the_auditor_view_verifies_the_chain_on_request(client_for, krakow):
    response = client_for("auditor").get(reverse("core:audit_log"), {"verify": "1"})
    assert response.context["chain"].valid
    assert response.context["chain"].checked >= 18  # the district loads were logged


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["resident", "official", "moderator", "district_councillor"])
def test_other_roles_may_not_read_the_audit_log(client_for, persona):
    assert client_for(persona).get(reverse("core:audit_log")).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("core:audit_log"))
    assert response.status_code == 302
    assert "/konto/logowanie/" in response["Location"]


@pytest.mark.django_db
def test_bad_dates_in_the_filter_are_reported_not_a_crash(client_for):
    response = client_for("auditor").get(reverse("core:audit_log"), {"from": "31-31-2026"})
    assert response.status_code == 200
    assert response.context["bad_dates"] == ["from"]
