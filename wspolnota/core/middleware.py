from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wspolnota.core.errors import DomainError, NotFoundError, PermissionDeniedError


class DomainErrorMiddleware:
    """A domain error that escapes a view becomes a translated error page, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        status = 400
        if isinstance(exception, PermissionDeniedError):
            status = 403
        elif isinstance(exception, NotFoundError):
            status = 404
        return render(request, "core/domain_error.html", {"error": str(exception)}, status=status)
