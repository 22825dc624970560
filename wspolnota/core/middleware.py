from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wspolnota.core.errors import DomainError, NotFoundError, PermissionDeniedError
from wspolnota.core.ratelimit import address_from_headers


class ClientAddressMiddleware:
    """Works out once who is asking and keeps it as ``request.client_address``.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies the connecting address is the proxy's, shared
    by the whole city; the client's is in ``X-Forwarded-For``, trusted only as far as the
    proxies wrote it (see ``core.ratelimit``). ``REMOTE_ADDR`` is left as it is, so logs still
    show which proxy passed the request on.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.client_address = address_from_headers(  # type: ignore[attr-defined]
            remote_addr=request.META.get("REMOTE_ADDR", ""),
            forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
            trusted_proxies=settings.TRUSTED_PROXY_COUNT,
        )
        return self.get_response(request)


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
