from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

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
        if _carries_nul(request):
            # PostgreSQL cannot store or compare text with a NUL character: refused up front,
            # for every page and the API, instead of a database error deep in a query.
            message = gettext("Adres lub formularz zawiera niedozwolony znak (NUL).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return render(request, "core/domain_error.html", {"error": message}, status=400)
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


def _carries_nul(request: HttpRequest) -> bool:
    """A NUL character in the path, a query parameter or a url-encoded form field."""
    if "\x00" in request.path:
        return True
    params = [request.GET]
    if request.content_type == "application/x-www-form-urlencoded":
        params.append(request.POST)
    for query in params:
        for key, values in query.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False
