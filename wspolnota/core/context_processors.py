from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

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


def platform(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
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
