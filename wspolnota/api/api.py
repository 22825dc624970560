"""The public JSON API (django-ninja); schema at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from wspolnota.core.errors import DomainError, NotFoundError, PermissionDeniedError

api = NinjaAPI(
    title="Wspólnota API",
    version="1",
    description=(
        "Open data and services of the Wspólnota civic-participation platform (Kraków). "
        "Read endpoints need no key. Errors are JSON objects with a `detail` message in the "
        "language asked for by the Accept-Language header (pl, en, uk). Lists are paged with "
        "`limit` (1–500, default 100) and `offset`; a value out of range or not a number is a "
        "422 that names the parameter."
    ),
    urls_namespace="api",
    docs_decorator=csp_update(
        {"style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:"]}
    ),
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    status = (
        404
        if isinstance(exc, NotFoundError)
        else 403
        if isinstance(exc, PermissionDeniedError)
        else 400
    )
    return api.create_response(request, {"detail": str(exc), "code": exc.code}, status=status)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    from django.utils.translation import gettext as _

    from wspolnota.core.parsing import validation_messages

    return api.create_response(
        request,
        {"detail": _("Niepoprawne dane w zapytaniu."), "errors": validation_messages(exc.errors)},
        status=422,
    )


def _register_app_routers() -> None:
    """Each app may ship ``api.py`` with ``router`` and ``API_PREFIX`` (e.g. ``"/districts"``)."""
    from importlib import import_module

    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("wspolnota.") or config.label == "api":
            continue
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.api":
                continue
            raise
        api.add_router(module.API_PREFIX, module.router, tags=[config.label])


_register_app_routers()
