"""Domain errors: one base type, one subclass per app, messages translated at display time."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain was broken; the message is shown to the user, never a 500.

    ``message`` is a lazily translated string, formatted with ``params`` when shown, so the
    error reads in the language of whoever sees it. ``field`` names the form field at fault.
    """

    default_code = "domain_error"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        field: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.params = params or {}
        super().__init__(str(message))

    def __str__(self) -> str:
        text = str(self.message)
        if self.params:
            try:
                return text % self.params
            except (KeyError, TypeError, ValueError):
                return text
        return text


class PermissionDeniedError(DomainError):
    """The user may not do this (shown as 403)."""

    default_code = "permission_denied"


class NotFoundError(DomainError):
    default_code = "not_found"


class CoreError(DomainError):
    default_code = "core_error"
