from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language

from wspolnota.accounts import permissions

DISPLAY_COOKIE = "wspolnota_display"


def display_preferences(request: HttpRequest) -> dict[str, bool]:
    """Larger text, high contrast and easy-read: from the profile, or a cookie for visitors."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {
            "large_text": user.pref_large_text,
            "high_contrast": user.pref_high_contrast,
            "easy_read": user.pref_easy_read,
        }
    raw = request.COOKIES.get(DISPLAY_COOKIE, "")
    flags = set(raw.split("."))
    return {
        "large_text": "large" in flags,
        "high_contrast": "contrast" in flags,
        "easy_read": "easy" in flags,
    }


def nav_items() -> list[tuple[str, Any]]:
    """Main-menu entries declared by each app as ``nav_items = [(url_name, label), …]`` on its AppConfig."""
    items: list[tuple[str, Any]] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "nav_items", []))
    return items


@lru_cache(maxsize=16)
def _nav_urls(language: str) -> tuple[tuple[str, str, Any], ...]:
    """The main menu's (url name, url, label) in one language; URLs are fixed at start-up."""
    entries = []
    for url_name, label in nav_items():
        try:
            entries.append((url_name, reverse(url_name), label))
        except NoReverseMatch:
            continue
    return tuple(entries)


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    current_app = match.app_name if match else ""
    app_nav = [
        {"url": url, "label": label, "current": url_name.split(":")[0] == current_app}
        for url_name, url, label in _nav_urls(get_language() or settings.LANGUAGE_CODE)
    ]
    return {
        "app_nav": app_nav,
        "platform": {
            "city_name": settings.CITY_NAME,
            "help_phone": settings.HELP_PHONE,
            "help_email": settings.HELP_EMAIL,
            "help_address": settings.HELP_ADDRESS,
            "help_hours": settings.HELP_HOURS,
            "language_names": settings.LANGUAGE_NATIVE_NAMES,
        },
        "display": display_preferences(request),
        "nav": {
            "audit": permissions.can_view_audit_log(user),
            "roles": permissions.can_manage_roles(user),
        },
    }
