"""Helpers shared by the community pages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from wspolnota.accounts.models import User

PAGE_SIZE = 25


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _signed_in(request: HttpRequest) -> User:
    user = _user(request)
    if user is None:  # login_required runs first; this narrows the type
        raise PermissionDenied
    return user


def _status(form: Any) -> int:
    return 400 if form.errors else 200
