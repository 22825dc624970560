"""The coordinating unit's set-up pages: a new edition, its rules, pools and verifying units.

Thin: each page checks ``permissions.can_set_up_edition`` (only the edition's coordinating
unit and administrators), parses the form and calls a service; locked fields are shown with
their reason (``permissions.setup_locks``). The vote's rules and points are set up on the voting
app's pages, linked from here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wspolnota.accounts.models import CityUnit, User
from wspolnota.accounts.roles import Role
from wspolnota.budget import errors, permissions, selectors, services
from wspolnota.budget.errors import BudgetError
from wspolnota.budget.formviews import form_post, form_status
from wspolnota.budget.models import Edition, Pool
from wspolnota.budget.setup_forms import (
    BulkAssignForm,
    EditionNewForm,
    EditionSettingsForm,
    PoolForm,
)
from wspolnota.budget.views import _apply, _signed_in
from wspolnota.core.errors import DomainError
from wspolnota.territory.selectors import default_city


def _edition_for_setup(request: HttpRequest, bo_year: int) -> tuple[User, Edition]:
    user = _signed_in(request)
    edition = selectors.edition_get_for(viewer=user, year=bo_year)
    if not permissions.can_set_up_edition(user, edition):
        raise PermissionDenied
    return user, edition


def _units_for(user: User) -> QuerySet[CityUnit]:
    units = CityUnit.objects.order_by("name")
    if permissions.is_administrator(user):
        return units
    return units.filter(pk__in=permissions.official_unit_ids(user))


@login_required
@require_http_methods(["GET", "POST"])
def edition_new(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if not permissions.can_create_edition(user):
        raise PermissionDenied
    city = default_city()
    editions = Edition.objects.filter(city=city).prefetch_related("phases").order_by("-year")
    form = EditionNewForm(request.POST or None, units=_units_for(user), editions=editions)
    done = form_post(
        request,
        form,
        lambda data: services.edition_open(
            actor=user,
            city=city,
            coordinating_unit=data["coordinating_unit"],
            year=data["year"],
            name=data["name"],
            total_budget=data["total_budget"],
            copy_from=data["copy_from"],
        ),
        refusal=errors.EDITION_NO_CITY if city is None else None,
        apply=_apply,
        success=_("Edycja utworzona. Nie jest jeszcze publiczna: ustaw ją i opublikuj."),
        then=lambda edition: redirect("budget:edition_setup", bo_year=edition.year),
    )
    if done is not None:
        return done
    status = form_status(request)
    return render(request, "budget/setup/edition_new.html", {"form": form}, status=status)


def _checklist(edition: Edition) -> list[dict[str, Any]]:
    """What the edition still lacks before residents can use it."""
    from wspolnota.voting.models import VotingPoint, VotingRules

    kinds = {phase.kind for phase in edition.phases.all()}
    pools = list(edition.pools.all())
    return [
        {"label": _("daty wszystkich etapów"), "done": len(kinds) >= 8},
        {"label": _("pula ogólnomiejska i pule dzielnicowe"), "done": len(pools) > 1},
        {
            "label": _("zasady głosowania"),
            "done": VotingRules.objects.filter(edition=edition).exists(),
        },
        {
            "label": _("punkty do głosowania"),
            "done": VotingPoint.objects.filter(edition=edition).exists(),
        },
        {"label": _("edycja opublikowana"), "done": edition.is_published},
    ]


@login_required
@require_http_methods(["GET", "POST"])
def edition_setup(request: HttpRequest, bo_year: int) -> HttpResponse:
    user, edition = _edition_for_setup(request, bo_year)
    now = timezone.now()
    locks = permissions.setup_locks(edition, at=now)
    form = EditionSettingsForm(request.POST or None, instance=edition, locks=locks)
    done = form_post(
        request,
        form,
        lambda data: services.edition_settings_update(
            actor=user, edition=edition, at=now, **form.values()
        ),
        apply=_apply,
        success=_("Ustawienia edycji zapisane."),
        then=lambda _edition: redirect("budget:edition_setup", bo_year=edition.year),
    )
    if done is not None:
        return done
    status = form_status(request)
    if request.method == "POST":
        edition.refresh_from_db()
    return render(
        request,
        "budget/setup/edition_setup.html",
        {
            "edition": edition,
            "form": form,
            "checklist": _checklist(edition),
            "locked": bool(locks),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pools(request: HttpRequest, bo_year: int) -> HttpResponse:
    user, edition = _edition_for_setup(request, bo_year)
    now = timezone.now()
    locks = permissions.setup_locks(edition, at=now)
    form = PoolForm(request.POST or None, edition=edition, locks={})
    done = form_post(
        request,
        form,
        lambda data: services.pool_add(
            actor=user,
            edition=edition,
            district=data["district"],
            budget=data["budget"],
            min_project_cost=data["min_project_cost"],
            max_project_cost=data["max_project_cost"],
            at=now,
        ),
        refusal=locks["pools"].message if "pools" in locks else None,
        apply=_apply,
        success=_("Pula dodana."),
        then=lambda _pool: redirect("budget:setup_pools", bo_year=edition.year),
    )
    if done is not None:
        return done
    status = form_status(request)
    rows = list(edition.pools.select_related("district").order_by("kind", "district__number"))
    return render(
        request,
        "budget/setup/pools.html",
        {
            "edition": edition,
            "form": form,
            "rows": rows,
            "pools_total": sum(p.budget for p in rows),
            "add_lock": locks.get("pools"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def pool_edit(request: HttpRequest, bo_year: int, bo_pool: int) -> HttpResponse:
    user, edition = _edition_for_setup(request, bo_year)
    pool = Pool.objects.select_related("district", "edition").filter(edition=edition, pk=bo_pool)
    found = pool.first()
    if found is None:
        raise Http404
    now = timezone.now()
    locks = permissions.setup_locks(edition, at=now)
    initial = {
        "district": found.district_id,
        "budget": found.budget,
        "min_project_cost": found.min_project_cost,
        "max_project_cost": found.max_project_cost,
    }
    form = PoolForm(
        request.POST if "save" in request.POST else None,
        initial=initial,
        edition=edition,
        locks=locks,
        existing=True,
    )
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "remove" in request.POST:
                services.pool_remove(actor=user, pool=found, at=now)
                messages.success(request, _("Pula usunięta."))
                return redirect("budget:setup_pools", bo_year=edition.year)
            if form.is_valid():
                data = form.cleaned_data
                services.pool_update(
                    actor=user,
                    pool=found,
                    budget=data["budget"],
                    min_project_cost=data["min_project_cost"],
                    max_project_cost=data["max_project_cost"],
                    at=now,
                )
                messages.success(request, _("Pula zapisana."))
                return redirect("budget:setup_pools", bo_year=edition.year)
        except DomainError as exc:
            if not form.is_bound:
                messages.error(request, str(exc))
            else:
                _apply(form, exc)
    return render(
        request,
        "budget/setup/pool_edit.html",
        {
            "edition": edition,
            "pool": found,
            "form": form,
            "remove_lock": locks.get("pools"),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def verification_assign(request: HttpRequest, bo_year: int) -> HttpResponse:
    user, edition = _edition_for_setup(request, bo_year)
    officials = (
        User.objects.filter(role_assignments__role=Role.OFFICIAL, is_active=True)
        .distinct()
        .order_by("full_name", "email")
    )
    form = BulkAssignForm(request.POST or None, edition=edition, officials=officials)
    refused: list[tuple[Any, BudgetError]] = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                done, refused = services.verification_assign(
                    actor=user,
                    edition=edition,
                    projects=list(data["projects"]),
                    unit=data["unit"],
                    official=data["official"],
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                if done:
                    messages.success(
                        request,
                        _("Przydzielono projektów: %(count)d.") % {"count": len(done)},
                    )
                if not refused:
                    return redirect("budget:setup_verification", bo_year=edition.year)
                form = BulkAssignForm(None, edition=edition, officials=officials)
    return render(
        request,
        "budget/setup/verification_assign.html",
        {"edition": edition, "form": form, "refused": refused},
        status=status,
    )
