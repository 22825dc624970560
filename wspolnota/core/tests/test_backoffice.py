"""The operator's back office (Django's admin): administrators only, read-only where a service
owns the invariant, every write in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from wspolnota.conftest import PERSONAS
from wspolnota.core.backoffice import operator_site
from wspolnota.core.models import AuditLogEntry
from wspolnota.organisations.models import Organisation, VerificationStatus
from wspolnota.tests_support.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "administrator"])
def test_nobody_but_an_administrator_enters_the_back_office(persona, request, krakow):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = _client(user)
    for url in (
        reverse("backoffice:index"),
        reverse("backoffice:accounts_user_changelist"),
        reverse("backoffice:core_auditlogentry_changelist"),
    ):
        response = client.get(url)
        if user is None:
            assert response.status_code == 302
            onward = client.get(response["Location"])
            assert onward.status_code == 302
            assert "/konto/" in onward["Location"]  # the platform's own log-in
        else:
            assert response.status_code == 403, (persona, url)


def test_an_administrator_finds_a_person_and_fixes_a_typo_in_their_name(krakow, administrator):
    person = UserFactory(district=krakow[1], full_name="Anna Kowlaska", email="anna@example.org")
    client = _client(administrator)
    found = client.get(reverse("backoffice:accounts_user_changelist"), {"q": "kowlaska"})
    assert found.status_code == 200
    assert "anna@example.org" in found.content.decode()
    url = reverse("backoffice:accounts_user_change", args=[person.pk])
    response = client.post(
        url,
        {
            "full_name": "Anna Kowalska",
            "district": krakow[1].pk,
            "preferred_language": person.preferred_language,
            "email": "przejete@example.org",  # read-only: ignored
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.full_name == "Anna Kowalska"
    assert person.email == "anna@example.org"
    entry = AuditLogEntry.objects.get(action="backoffice.user_changed")
    assert entry.actor == administrator
    assert entry.object_id == str(person.pk)  # personal data itself is masked in the log


def test_what_a_service_owns_is_read_only_even_for_an_administrator(krakow, administrator):
    client = _client(administrator)
    from wspolnota.core.services import audit_log_append

    entry = audit_log_append(actor=administrator, action="test.something", reason="pierwotny")
    url = reverse("backoffice:core_auditlogentry_change", args=[entry.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "podmieniony", "action": "test.other"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.reason == "pierwotny"
    for name in (
        "voting_ballot",
        "voting_voterrollentry",
        "voting_count",
        "voting_poolresult",
        "core_auditlogentry",
        "budget_project",
        "accounts_roleassignment",
    ):
        assert client.get(reverse(f"backoffice:{name}_changelist")).status_code == 200
        model_admin = next(
            a
            for m, a in operator_site._registry.items()
            if m._meta.label_lower.replace(".", "_") == name
        )
        assert not model_admin.has_change_permission(_request(administrator)), name
        assert not model_admin.has_delete_permission(_request(administrator)), name
        assert not model_admin.has_add_permission(_request(administrator)), name


def _request(user: Any) -> Any:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_an_administrator_merges_a_duplicate_registry_entry(krakow, administrator):
    target = Organisation.objects.create(
        kind="ngo",
        name="Fundacja Zielony Kraków",
        status=VerificationStatus.VERIFIED,
        created_by=administrator,
    )
    duplicate = Organisation.objects.create(
        kind="ngo", name="Fundacja Zielony Krakow", created_by=administrator
    )
    response = _client(administrator).post(
        reverse("backoffice:organisations_organisation_changelist"),
        {"action": "merge_duplicate", "_selected_action": [target.pk, duplicate.pk]},
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target
    assert AuditLogEntry.objects.filter(action="organisations.merged", actor=administrator).exists()


def test_every_back_office_page_answers_every_persona_without_a_server_error(request, krakow):
    from wspolnota.core.services import audit_log_append

    admin_user = request.getfixturevalue("administrator")
    audit_log_append(actor=admin_user, action="test.sweep")
    failures = []
    for persona in PERSONAS:
        user = None if persona == "anonymous" else request.getfixturevalue(persona)
        client = _client(user)
        for model, _admin in operator_site._registry.items():
            meta = model._meta
            base = f"backoffice:{meta.app_label}_{meta.model_name}"
            first = model._default_manager.order_by("pk").first()
            urls = [reverse(f"{base}_changelist"), reverse(f"{base}_changelist") + "?q=a&o=1"]
            if first is not None:
                urls += [
                    reverse(f"{base}_change", args=[first.pk]),
                    reverse(f"{base}_history", args=[first.pk]),
                ]
            for url in urls:
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    if response.status_code >= 500:
                        failures.append(f"{method} {url} as {persona}: {response.status_code}")
    assert failures == []
