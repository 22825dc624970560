"""The authentication backend: a person kept by the city (no account) never signs in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    """Django's model backend, refusing people without an account (``User.kept_by_city``).

    Their password is unusable anyway; this also ends any session that would name one
    (``get_user`` asks ``user_can_authenticate`` too).
    """

    def user_can_authenticate(self, user: Any) -> bool:
        if getattr(user, "kept_by_city", False):
            return False
        return super().user_can_authenticate(user)
