from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts import permissions
from wspolnota.accounts.models import User
from wspolnota.core import selectors
from wspolnota.core.context_processors import DISPLAY_COOKIE
from wspolnota.core.models import AuditLogEntry
from wspolnota.territory.selectors import default_city, district_list


def home(request: HttpRequest) -> HttpResponse:
    city = default_city()
    return render(request, "core/home.html", {"city": city, "districts": district_list(city=city)})


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accessibility.html",
        {
            "published": date.fromisoformat(settings.ACCESSIBILITY_STATEMENT_PUBLISHED),
            "updated": date.fromisoformat(settings.ACCESSIBILITY_STATEMENT_UPDATED),
            "coordinator": settings.ACCESSIBILITY_COORDINATOR,
        },
    )


def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/help.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html", {"retention": settings.RETENTION_DAYS})


@require_POST
def display_settings(request: HttpRequest) -> HttpResponse:
    """Switch larger text / high contrast / easy-read; works without JavaScript (plain POST)."""
    flags = [
        name
        for name, key in (
            ("large", "large_text"),
            ("contrast", "high_contrast"),
            ("easy", "easy_read"),
        )
        if request.POST.get(key)
    ]
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    # a URL, never a view name: redirect() would try to reverse "next=9223…" and fail
    response = HttpResponseRedirect(next_url)
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        user.pref_large_text = "large" in flags
        user.pref_high_contrast = "contrast" in flags
        user.pref_easy_read = "easy" in flags
        user.save(update_fields=["pref_large_text", "pref_high_contrast", "pref_easy_read"])
    response.set_cookie(
        DISPLAY_COOKIE,
        ".".join(flags),
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


def _require_auditor(request: HttpRequest) -> None:
    if not permissions.can_view_audit_log(request.user):
        raise PermissionDenied


def _parse_date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    filters = {
        "action": request.GET.get("action", "").strip()[:100],
        "object_type": request.GET.get("object_type", "").strip()[:100],
        "actor_query": request.GET.get("actor", "").strip()[:100],
        "date_from": _parse_date(request.GET.get("from")),
        "date_to": _parse_date(request.GET.get("to")),
    }
    bad_dates = [
        k for k in ("from", "to") if request.GET.get(k) and _parse_date(request.GET.get(k)) is None
    ]
    entries = selectors.audit_log_list(**filters)  # type: ignore[arg-type]
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    verify = bool(request.GET.get("verify"))
    chain = selectors.audit_chain_verify() if verify else None
    verification = selectors.audit_log_verify() if verify else None
    return render(
        request,
        "core/audit/list.html",
        {
            "page": page,
            "filters": request.GET,
            "object_types": selectors.audit_object_types(),
            "chain": chain,
            "verification": verification,
            "last_checkpoint": selectors.audit_checkpoint_last(),
            "bad_dates": bad_dates,
        },
    )


@login_required
def audit_entry(request: HttpRequest, pk: int) -> HttpResponse:
    _require_auditor(request)
    entry = get_object_or_404(AuditLogEntry.objects.select_related("actor", "personal"), pk=pk)
    before, after = entry.shown("before") or {}, entry.shown("after") or {}
    keys = sorted(set(before.keys()) | set(after.keys()))
    rows = [
        {
            "field": key,
            "before": before.get(key),
            "after": after.get(key),
            "changed": before.get(key) != after.get(key),
        }
        for key in keys
    ]
    return render(request, "core/audit/detail.html", {"entry": entry, "rows": rows})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/429.html", status=429)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(
        request, "core/500.html", {"message": _("Przepraszamy, wystąpił błąd.")}, status=500
    )
