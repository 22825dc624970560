"""Reads of the implementation app: lists with filters, details, the map, open data."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from wspolnota.implementation.models import Implementation


def implementation_absolute_url(implementation: Implementation, language: str = "pl") -> str:
    with translation.override(language):
        path = reverse("implementation:detail", kwargs={"pk": implementation.pk})
    return f"{settings.SITE_URL.rstrip('/')}{path}"
