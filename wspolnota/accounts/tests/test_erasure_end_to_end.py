"""The deletion scenario of issue 15, end to end, as the person (and an auditor) would check it.

The whole demo is loaded, the demo resident gets a phone, notice subscriptions and queued
e-mails, then deletes her account. Afterwards her e-mail, name and phone number must appear in
no row of any table, her project page must show "deleted account", and the audit chain must
still verify. Then "Download my data" must cover every app that holds something about her.
"""

from __future__ import annotations

import json
import secrets

import pytest
from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts import services
from wspolnota.accounts.demo import DEMO_PASSWORD
from wspolnota.accounts.models import User
from wspolnota.core.management.commands.demo_load import demo_modules
from wspolnota.core.selectors import audit_chain_verify

EMAIL = "mieszkanka@demo.wspolnota.pl"
PHONE = "+48601234567"


def _demo_with_her_traces() -> User:
    from wspolnota.communication.models import OutboxMessage, Subscription

    for module in demo_modules():
        module.load()
    anna = User.objects.get(email=EMAIL)
    User.objects.filter(pk=anna.pk).update(phone=PHONE, phone_confirmed_at=timezone.now())
    anna.refresh_from_db()
    for channel, kwargs in (("email", {"email": EMAIL}), ("sms", {"phone": PHONE})):
        Subscription.objects.create(
            channel=channel,
            status=Subscription.Status.ACTIVE,
            source=Subscription.Source.PROFILE,
            user=anna,
            manage_token=secrets.token_urlsafe(32),
            **kwargs,
        )
    for i in range(7):
        OutboxMessage.objects.create(
            idempotency_key=f"test-{i}",
            kind="notice",
            channel="email",
            to=EMAIL,
            subject="Ogłoszenie",
            body=f"Dzień dobry, {anna.full_name}!",
            not_before=timezone.now(),
        )
    return anna


def _rows_mentioning(needles: list[str]) -> list[str]:
    """Every row of every table whose text holds one of the needles (case-insensitive)."""
    found = []
    lowered = [n.lower() for n in needles if n]
    for model in apps.get_models(include_auto_created=True):
        names = [f.attname for f in model._meta.concrete_fields]
        for values in model._default_manager.values_list(*names).iterator():
            text = json.dumps(
                values, cls=DjangoJSONEncoder, ensure_ascii=False, default=str
            ).lower()
            hit = [n for n in lowered if n in text]
            if hit:
                found.append(f"{model._meta.label}: {hit}")
    return found


@pytest.mark.django_db
def test_after_deleting_her_account_she_is_nowhere_in_the_database(krakow, client):
    anna = _demo_with_her_traces()
    name = anna.full_name
    needles = [EMAIL, name, PHONE, PHONE[3:]]
    assert _rows_mentioning(needles), "the scenario must leave traces to erase"
    from wspolnota.budget.models import Project

    project = Project.objects.filter(author=anna).exclude(status="draft").first()
    assert project is not None

    services.user_delete(user=anna, password=DEMO_PASSWORD)

    leftover = _rows_mentioning(needles)
    assert leftover == [], "\n".join(leftover)
    assert audit_chain_verify().valid
    url = reverse("budget:project_detail", args=[project.pk])
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert name not in page
    assert "konto usunięte" in page
    from wspolnota.communication.models import Subscription

    assert not Subscription.objects.filter(status=Subscription.Status.ACTIVE, user=anna).exists()


@pytest.mark.django_db
def test_download_my_data_covers_every_app_that_holds_something_about_her(krakow, client):
    anna = _demo_with_her_traces()
    client.force_login(anna)
    response = client.get("/pl/konto/profil/moje-dane.json")
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    text = response.content.decode()
    assert "password" not in text and "manage_token" not in text
    holding = set()
    for model in apps.get_models():
        if model._meta.app_label in {"accounts", "core"} or not model.__module__.startswith(
            "wspolnota"
        ):
            continue
        user_fks = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and f.related_model is User
        ]
        for name in user_fks:
            if model._default_manager.filter(**{name: anna}).exists():
                holding.add(model._meta.app_label)
    assert holding >= {"budget", "communication"}
    missing = sorted(app for app in holding if not data.get(app))
    assert missing == [], f"the download leaves out {missing}"
    assert data["communication"]["Subscription"]
    assert len(data["communication"]["OutboxMessage"]["yours"]) >= 7
