"""Every URL pattern, as every persona, in every language: never a server error."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from wspolnota.conftest import PERSONAS

# Sample values for URL arguments, by name. An app adds its own in
# ``wspolnota/<app>/tests/url_samples.py``: ``def url_samples(request) -> dict[str, Any]`` creates the
# objects (with fixtures from ``request.getfixturevalue``) and returns argument values. A URL
# argument without a sample fails the first test, so no pattern escapes the sweep.
SAMPLES: dict[str, Any] = {
    "number": 1,
    "pk": "first",
    "uidb64": "MQ",
    "token": "set-password",
}
SKIP_PREFIXES = ("api/",)  # the API is swept by its own schema tests
# Django's admin (the operator's back office) has regex routes the sweep cannot fill in; it is
# swept model by model, as every persona, in core/tests/test_backoffice.py.
SKIP_PARTS = ("zaplecze/",)
# Every persona sweeps every URL in Polish (GET and POST). English and Ukrainian (GET) are swept
# by the personas that see the public pages, a resident's, an official's and every page there is
# (the administrator): a page fails in one language for reasons of its own (a translation, a date
# format, a language-specific branch), not of who opens it. The other personas differ from these
# in which objects they may see, which the Polish sweep covers. This halves their sweeps and
# keeps CI's two passes inside their time.
EVERY_LANGUAGE_PERSONAS = ("anonymous", "resident", "official", "administrator")


def _skipped(route: str) -> bool:
    route = route.lstrip("^")
    return route.startswith(SKIP_PREFIXES) or any(part in route for part in SKIP_PARTS)


def _app_sample_providers() -> list[Any]:
    from importlib import import_module

    from django.apps import apps

    providers = []
    for config in apps.get_app_configs():
        if not config.name.startswith("wspolnota."):
            continue
        try:
            module = import_module(f"{config.name}.tests.url_samples")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(config.name):
                continue
            raise
        providers.append(module.url_samples)
    return providers


def _samples(request: Any) -> dict[str, Any]:
    samples = dict(SAMPLES)
    for provider in _app_sample_providers():
        samples.update(provider(request))
    return samples


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, str, list[str]]]:
    found = []
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append((prefix + route, entry.name or "", list(entry.pattern.regex.groupindex)))
    return found


def _concrete(route: str, args: list[str], pk: int, samples: dict[str, Any]) -> str:
    path = route.lstrip("^").rstrip("$").replace("\\Z", "")
    for arg in args:
        value = samples[arg]
        if value == "first":
            value = pk
        for form in (
            f"<int:{arg}>",
            f"<str:{arg}>",
            f"<slug:{arg}>",
            f"<uuid:{arg}>",
            f"<path:{arg}>",
            f"<{arg}>",
        ):
            path = path.replace(form, str(value))
    return path


@pytest.mark.django_db
def test_every_url_argument_has_a_sample(request, krakow):
    names = {
        arg
        for route, _name, args in _walk(get_resolver().url_patterns)
        if not _skipped(route)
        for arg in args
    }
    missing = names - set(_samples(request))
    assert not missing, f"add samples for URL arguments: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_no_url_gives_a_server_error(persona, request, krakow, administrator, resident):
    from django.test import Client

    from wspolnota.accounts.roles import Role
    from wspolnota.accounts.services import role_grant

    assignment = role_grant(actor=administrator, user=resident, role=Role.AUDITOR)
    samples = _samples(request)
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = Client(raise_request_exception=False)
    failures = []
    swept = 0
    languages = [
        code
        for code, _name in settings.LANGUAGES
        if code == settings.LANGUAGE_CODE or persona in EVERY_LANGUAGE_PERSONAS
    ]
    for code in languages:
        with translation.override(code):
            routes = _walk(get_resolver().url_patterns)
        for route, _name, args in routes:
            if _skipped(route):
                continue
            path = _concrete(route, args, assignment.pk, samples)
            # GET in each language; POST (form handling does not depend on the language) in Polish
            for method in ("get", "post") if code == settings.LANGUAGE_CODE else ("get",):
                if user is not None:
                    client.force_login(user)  # a swept log-out must not end the sweep
                response = getattr(client, method)("/" + path)
                swept += 1
                if response.status_code >= 500:
                    failures.append(
                        f"{method.upper()} /{path} as {persona}: {response.status_code}"
                    )
    assert swept > 60
    assert failures == []
