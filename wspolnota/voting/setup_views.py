"""The vote's set-up pages for the edition's coordinating unit: the voting rules (ballot kind,
picks, all-six requirement, minimum age, counting rule and options, tie policy) and the voting
points with their coordinators. Nothing about the vote changes once it has started (the
services refuse it; the page shows the fields locked with the reason)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wspolnota.accounts.models import User
from wspolnota.budget import selectors as budget_selectors
from wspolnota.budget.formviews import form_post, form_status
from wspolnota.budget.models import Edition
from wspolnota.core.errors import DomainError
from wspolnota.voting import errors, permissions, selectors, services
from wspolnota.voting.errors import VotingError
from wspolnota.voting.models import VotingPoint, VotingRules
from wspolnota.voting.setup_forms import PointForm, SetupRulesForm, copied_rules
from wspolnota.voting.views import _apply


def _setup_edition(request: HttpRequest, vote_year: int) -> tuple[User, Edition]:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    edition = budget_selectors.edition_get_for(viewer=user, year=vote_year, details=False)
    edition = Edition.objects.select_related("city").prefetch_related("phases").get(pk=edition.pk)
    if not permissions.coordinates_edition(user, edition):
        raise PermissionDenied
    return user, edition


def _rules_lock(edition: Edition, rules: VotingRules | None, *, at: Any) -> Any:
    if permissions.voting_has_started(edition, at=at):
        return errors.RULES_TOO_LATE
    if rules is not None and rules.fixed_at is not None:
        return errors.RULES_FIXED
    return None


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, vote_year: int) -> HttpResponse:
    user, edition = _setup_edition(request, vote_year)
    now = timezone.now()
    current = selectors.rules_for(edition)
    lock = _rules_lock(edition, current, at=now)
    initial: dict[str, Any] = {}
    if current is None:
        previous = (
            VotingRules.objects.filter(edition__city=edition.city, edition__year__lt=edition.year)
            .order_by("-edition__year")
            .first()
        )
        initial = copied_rules(previous)
    post = request.POST
    form = SetupRulesForm(
        post if "save" in post else None, instance=current, initial=initial, locked=lock
    )
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if "fix" in post:
                if current is None:
                    raise VotingError(errors.NO_VOTING)
                services.voting_rules_fix(actor=user, rules=current, at=now)
                messages.success(request, _("Zasady głosowania i liczenia są ustalone."))
                return redirect("voting:setup_rules", vote_year)
            if lock is not None:
                raise VotingError(lock)
            if form.is_valid():
                services.voting_rules_set(actor=user, edition=edition, at=now, **form.values())
                messages.success(request, _("Zasady głosowania zapisane."))
                return redirect("voting:setup_rules", vote_year)
        except DomainError as exc:
            if form.is_bound:
                _apply(form, exc)
            else:
                messages.error(request, str(exc))
    return render(
        request,
        "voting/setup/rules.html",
        {
            "edition": edition,
            "form": form,
            "rules": current,
            "lock": lock,
            "copied": bool(initial),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def points(request: HttpRequest, vote_year: int) -> HttpResponse:
    user, edition = _setup_edition(request, vote_year)
    now = timezone.now()
    can_add = permissions.can_create_point(user, edition, at=now)
    form = PointForm(request.POST or None, edition=edition)
    done = form_post(
        request,
        form,
        lambda _data: services.voting_point_set_up(
            actor=user, edition=edition, at=now, **form.values()
        ),
        apply=_apply,
        success=_("Punkt do głosowania dodany."),
        then=lambda _point: redirect("voting:setup_points", vote_year),
    )
    if done is not None:
        return done
    status = form_status(request)
    rows = selectors.voting_points(edition=edition).prefetch_related("coordinators")
    return render(
        request,
        "voting/setup/points.html",
        {
            "edition": edition,
            "form": form,
            "rows": rows,
            "can_add": can_add,
            "add_lock": None if can_add else errors.POINTS_AFTER_CLOSE,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request: HttpRequest, vote_year: int, vote_point: int) -> HttpResponse:
    user, edition = _setup_edition(request, vote_year)
    point = (
        VotingPoint.objects.select_related("district", "edition")
        .filter(edition=edition, pk=vote_point)
        .first()
    )
    if point is None:
        raise Http404
    now = timezone.now()
    initial = {
        "name": point.name,
        "address": point.address,
        "district": point.district_id,
        "hours": point.hours,
        "step_free": point.step_free,
        "latitude": point.latitude,
        "longitude": point.longitude,
        "coordinators": "\n".join(point.coordinators.values_list("email", flat=True)),
    }
    district_lock = (
        errors.POINT_DISTRICT_LOCKED if permissions.voting_has_started(edition, at=now) else None
    )
    form = PointForm(
        request.POST or None, initial=initial, edition=edition, district_locked=district_lock
    )
    done = form_post(
        request,
        form,
        lambda _data: services.voting_point_update(
            actor=user, point=point, at=now, **form.values()
        ),
        apply=_apply,
        success=_("Punkt do głosowania zapisany."),
        then=lambda _point: redirect("voting:setup_points", vote_year),
    )
    if done is not None:
        return done
    status = form_status(request)
    return render(
        request,
        "voting/setup/point_edit.html",
        {"edition": edition, "form": form, "point": point},
        status=status,
    )
