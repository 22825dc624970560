"""Pages of implementation tracking. Thin: parse the form, call a service, render or redirect."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts.models import CityUnit, User
from wspolnota.budget.models import Edition, Project
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.implementation import permissions, selectors, services
from wspolnota.implementation.forms import (
    CITYWIDE,
    ChangeForm,
    FilterForm,
    MilestoneForm,
    OpenForm,
    PhotoForm,
)
from wspolnota.implementation.models import Implementation, Milestone, Photo
from wspolnota.territory.selectors import district_list

PAGE_SIZE = 25
MAP_LIMIT = 2000


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _posted(request: HttpRequest) -> Any:
    """The POST data, even when empty (an empty POST must show the form's errors)."""
    return request.POST if request.method == "POST" else None


def _get(request: HttpRequest, impl_id: int) -> Implementation:
    implementation = selectors.implementation_get(impl_id=impl_id, viewer=request.user)
    if implementation is None:
        raise Http404
    return implementation


def _managed(request: HttpRequest, impl_id: int) -> tuple[User, Implementation]:
    implementation = _get(request, impl_id)
    user = _user(request)
    if user is None or not permissions.can_manage_implementation(user, implementation):
        raise PermissionDenied
    return user, implementation


# --- Public lists ------------------------------------------------------------------------------


def _filtered(request: HttpRequest) -> tuple[FilterForm, Any, dict[str, Any]]:
    """The filter form bound to the query string and the implementations it selects.

    A value that is not one of the choices is reported on its field and ignored, so a bad link
    still shows a page.
    """
    editions = selectors.edition_list()
    districts = list(district_list().defer("geometry"))
    form = FilterForm(
        request.GET or None, editions=editions, districts=districts, units=selectors.unit_list()
    )
    chosen: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        year = data.get("edition")
        if year:
            chosen["edition"] = next((e for e in editions if e.year == year), None)
        area = data.get("district") or ""
        if area == CITYWIDE:
            chosen["citywide"] = True
        elif area:
            chosen["district"] = next((d for d in districts if str(d.number) == area), None)
        chosen["status"] = data.get("status") or None
        unit_id = data.get("unit")
        if unit_id:
            chosen["unit"] = CityUnit.objects.filter(pk=unit_id).first()
        chosen["query"] = data.get("q") or ""
    return form, selectors.implementation_list(**chosen), chosen


def index(request: HttpRequest) -> HttpResponse:
    form, qs, _chosen = _filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "implementation/index.html",
        {
            "form": form,
            "page": page,
            "status_counts": selectors.status_counts(qs),
            "totals": selectors.totals(qs),
            "query_string": query.urlencode(),
            "view": "list",
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def map_view(request: HttpRequest) -> HttpResponse:
    form, qs, chosen = _filtered(request)
    implementations = list(qs[:MAP_LIMIT])
    edition = chosen.get("edition")
    city = edition.city if edition is not None else None
    query = request.GET.copy()
    query.pop("page", None)
    the_map = selectors.implementation_map(implementations=implementations, city=city)
    return render(
        request,
        "implementation/map.html",
        {
            "form": form,
            "map": the_map,
            "points_data": [
                {
                    "lat": float(p.implementation.project.latitude or 0),
                    "lon": float(p.implementation.project.longitude or 0),
                    "title": str(p.implementation.project),
                    "status": p.implementation.get_status_display(),
                    "url": reverse("implementation:detail", args=[p.implementation.pk]),
                }
                for p in the_map.points
            ],
            "shown": len(implementations),
            "truncated": len(implementations) >= MAP_LIMIT,
            "query_string": query.urlencode(),
            "view": "map",
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Open data: every public implementation that matches the filters, as UTF-8 CSV."""
    _form, qs, _chosen = _filtered(request)
    writer = csv.writer(_Echo())

    def rows() -> Any:
        yield "\ufeff" + writer.writerow(selectors.CSV_COLUMNS)
        for row in selectors.csv_rows(qs):
            yield writer.writerow(row)

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="realizacja-projektow-{stamp}.csv"'
    return response


def detail(request: HttpRequest, impl_id: int) -> HttpResponse:
    implementation = _get(request, impl_id)
    user = _user(request)
    small_map = None
    if implementation.project.has_location:
        small_map = selectors.implementation_map(
            implementations=[implementation], city=implementation.edition.city, width=360
        )
    return render(
        request,
        "implementation/detail.html",
        {
            "implementation": implementation,
            "project": implementation.project,
            "milestones": list(implementation.milestones.all()),
            "photos": list(implementation.photos.all()),
            "updates": selectors.update_list(implementation),
            "following": selectors.is_following(user, implementation),
            "can_manage": permissions.can_manage_implementation(user, implementation),
            "small_map": small_map,
        },
    )


def photo_file(request: HttpRequest, impl_id: int, impl_photo: int) -> HttpResponse:
    implementation = _get(request, impl_id)
    photo = Photo.objects.filter(pk=impl_photo, implementation=implementation).first()
    if photo is None:
        raise Http404
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Following ---------------------------------------------------------------------------------


@login_required
def follow(request: HttpRequest, impl_id: int) -> HttpResponse:
    implementation = _get(request, impl_id)
    if request.method != "POST":
        return redirect("implementation:detail", impl_id=implementation.pk)
    user = _user(request)
    assert user is not None
    if services.implementation_follow(user=user, implementation=implementation):
        messages.success(
            request, _("Obserwujesz realizację. Powiadomimy Cię o każdej zmianie e-mailem.")
        )
    else:
        messages.info(request, _("Już obserwujesz realizację tego projektu."))
    return redirect("implementation:detail", impl_id=implementation.pk)


@login_required
def unfollow(request: HttpRequest, impl_id: int) -> HttpResponse:
    implementation = _get(request, impl_id)
    if request.method != "POST":
        return redirect("implementation:detail", impl_id=implementation.pk)
    user = _user(request)
    assert user is not None
    if services.implementation_unfollow(user=user, implementation=implementation):
        messages.success(request, _("Nie obserwujesz już tej realizacji."))
    return redirect("implementation:detail", impl_id=implementation.pk)


@login_required
def followed(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user is not None
    page = Paginator(selectors.followed_by(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "implementation/followed.html", {"page": page})


# --- Officials ---------------------------------------------------------------------------------


@login_required
def change(request: HttpRequest, impl_id: int) -> HttpResponse:
    user, implementation = _managed(request, impl_id)
    targets = selectors.merge_targets(implementation)
    initial = {
        "status": implementation.status,
        "progress": implementation.progress,
        "actual_cost": "" if implementation.actual_cost is None else implementation.actual_cost,
        "responsible_unit": implementation.responsible_unit_id,
        "cancel_reason": implementation.cancel_reason,
        "merged_into": implementation.merged_into_id,
        "completed_on": implementation.completed_on,
    }
    form = ChangeForm(_posted(request), initial=initial, merge_targets=targets)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.implementation_change(
                    actor=user,
                    implementation=implementation,
                    status=data["status"],
                    progress=data["progress"],
                    actual_cost=data["actual_cost"],
                    responsible_unit=data["responsible_unit"],
                    cancel_reason=data["cancel_reason"],
                    merged_into=data["merged_into"],
                    completed_on=data["completed_on"],
                    note=data["note"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Zapisano. Zmiana ukazała się w dzienniku realizacji."))
                return redirect("implementation:detail", impl_id=implementation.pk)
        status = 400
    return render(
        request,
        "implementation/change.html",
        {
            "implementation": implementation,
            "form": form,
            "can_assign_unit": permissions.can_assign_unit(user, implementation),
        },
        status=status,
    )


@login_required
def milestone_add(request: HttpRequest, impl_id: int) -> HttpResponse:
    user, implementation = _managed(request, impl_id)
    form = MilestoneForm(_posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.milestone_add(
                    actor=user, implementation=implementation, **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Dodano etap realizacji."))
                return redirect("implementation:detail", impl_id=implementation.pk)
        status = 400
    return render(
        request,
        "implementation/milestone_form.html",
        {"implementation": implementation, "form": form, "milestone": None},
        status=status,
    )


@login_required
def milestone_edit(request: HttpRequest, impl_id: int, impl_milestone: int) -> HttpResponse:
    user, implementation = _managed(request, impl_id)
    milestone = Milestone.objects.filter(pk=impl_milestone, implementation=implementation).first()
    if milestone is None:
        raise Http404
    form = MilestoneForm(
        _posted(request),
        initial={
            "description": milestone.description,
            "planned_date": milestone.planned_date,
            "actual_date": milestone.actual_date,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.milestone_change(actor=user, milestone=milestone, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Zapisano etap realizacji."))
                return redirect("implementation:detail", impl_id=implementation.pk)
        status = 400
    return render(
        request,
        "implementation/milestone_form.html",
        {"implementation": implementation, "form": form, "milestone": milestone},
        status=status,
    )


@login_required
def photo_add(request: HttpRequest, impl_id: int) -> HttpResponse:
    user, implementation = _managed(request, impl_id)
    form = PhotoForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        max_mb=services.photo_max_mb(),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.photo_add(
                    actor=user,
                    implementation=implementation,
                    upload=data["image"],
                    alt_text=data["alt_text"],
                    caption=data["caption"],
                    taken_on=data["taken_on"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Dodano zdjęcie."))
                return redirect("implementation:detail", impl_id=implementation.pk)
        status = 400
    return render(
        request,
        "implementation/photo_form.html",
        {"implementation": implementation, "form": form},
        status=status,
    )


@login_required
@require_POST
def photo_remove(request: HttpRequest, impl_id: int, impl_photo: int) -> HttpResponse:
    user, implementation = _managed(request, impl_id)
    photo = Photo.objects.filter(pk=impl_photo, implementation=implementation).first()
    if photo is None:
        raise Http404
    services.photo_remove(actor=user, photo=photo)
    messages.success(request, _("Usunięto zdjęcie."))
    return redirect("implementation:detail", impl_id=implementation.pk)


def _coordinated(user: User) -> list[Edition]:
    editions = Edition.objects.select_related("city", "coordinating_unit").order_by("-year")
    return [e for e in editions if permissions.can_open_implementations(user, e)]


@login_required
def open_index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assert user is not None
    editions = _coordinated(user)
    if not editions:
        raise PermissionDenied
    return render(request, "implementation/open_index.html", {"editions": editions})


@login_required
def open_edition(request: HttpRequest, impl_year: int) -> HttpResponse:
    user = _user(request)
    assert user is not None
    edition = next((e for e in _coordinated(user) if e.year == impl_year), None)
    if edition is None:
        if Edition.objects.filter(year=impl_year).exists():
            raise PermissionDenied
        raise Http404
    candidates = list(
        Project.objects.filter(edition=edition, implementation__isnull=True)
        .exclude(status__in=services.NOT_IMPLEMENTABLE)
        .select_related("pool", "pool__district")
        .order_by("pool__kind", "pool__district__number", "sequence", "pk")
    )
    form = OpenForm(_posted(request), projects=candidates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                opened = services.implementations_open(
                    edition=edition, project_ids=form.cleaned_data["projects"], actor=user
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Rozpoczęto śledzenie realizacji projektów: %(count)d.")
                    % {"count": len(opened)},
                )
                return redirect(f"{reverse('implementation:index')}?edition={edition.year}")
        status = 400
    already = Implementation.objects.filter(edition=edition).count()
    return render(
        request,
        "implementation/open_edition.html",
        {"edition": edition, "form": form, "candidates": candidates, "already": already},
        status=status,
    )
