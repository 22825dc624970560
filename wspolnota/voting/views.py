"""Pages of the vote. Thin: parse the form, call a service, render. Everything works without JS."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any

from django import forms
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wspolnota.accounts import services as account_services
from wspolnota.accounts.forms import PhoneCodeForm, PhoneForm
from wspolnota.accounts.models import User
from wspolnota.budget.models import Edition
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.parsing import MAX_ID, is_number
from wspolnota.core.ratelimit import rate_limited
from wspolnota.territory.models import District
from wspolnota.territory.selectors import district_list
from wspolnota.voting import ballot, charts, documents, errors, permissions, selectors, services
from wspolnota.voting.forms import (
    AdjudicationForm,
    BallotDistrictForm,
    BallotForm,
    CastCodeForm,
    CorrectionForm,
    CountForm,
    ExtensionForm,
    IdentityForm,
    PaperEntryForm,
    ProtocolForm,
    ReceiptCheckForm,
    ResolveForm,
    RulesForm,
    selection_to_data,
)
from wspolnota.voting.models import CardStatus, PaperCard, VoterDistrict, VotingPoint, VotingRules
from wspolnota.voting.services import Identity, VotingErrors


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _edition(year: int, *, cached: bool = False) -> tuple[Edition, VotingRules]:
    edition = selectors.edition_for_casting(year) if cached else selectors.edition_for_year(year)
    if edition is None:
        raise Http404
    rules = selectors.rules_for(edition)
    if rules is None:
        raise Http404
    return edition, rules


def _apply(form: forms.BaseForm, exc: DomainError) -> None:
    problems = exc.problems if isinstance(exc, VotingErrors) else [exc]
    for problem in problems:
        if isinstance(form, BallotForm):
            form.add_pool_error(problem.field, str(problem))
        else:
            apply_domain_error(form, problem)


def _session_key(edition: Edition) -> str:
    return f"voting:{edition.pk}"


def _common(edition: Edition, rules: VotingRules, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "edition": edition,
        "rules": rules,
        "window": selectors.voting_window(edition),
        "is_open": permissions.voting_is_open(edition, at=now),
        "has_closed": permissions.voting_has_closed(edition, at=now),
        "results_public": selectors.results_visible(edition, at=now),
        "extensions": selectors.voting_extensions(edition=edition),
        **extra,
    }


# --- Public pages ---------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "voting/index.html", {"editions": selectors.editions_with_voting()})


def edition_detail(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, rules = _edition(vote_year)
    user = _user(request)
    context = _common(
        edition,
        rules,
        turnout=selectors.turnout(edition=edition),
        can_manage=permissions.can_manage_voting(user, edition),
        districts=district_list(city=edition.city),
    )
    return render(request, "voting/edition.html", context)


def turnout(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, rules = _edition(vote_year)
    return render(
        request,
        "voting/turnout.html",
        _common(edition, rules, turnout=selectors.turnout(edition=edition)),
    )


def points(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, rules = _edition(vote_year)
    points = list(selectors.voting_points(edition=edition))
    points_map = selectors.voting_points_map(edition=edition, points=points)
    step_free, stairs = _("bez schodów"), _("wejście ze schodami")
    markers = [
        {
            "lat": float(point.latitude),
            "lon": float(point.longitude),
            "url": reverse("voting:point", args=[point.pk]),
            "title": point.name,
            "status": f"{point.address} — {step_free if point.step_free else stairs}",
            # the legend's colours (implementation.css: completed, planned)
            "colour": "#1e6b31" if point.step_free else "#6b4e00",
        }
        for point, _x, _y in points_map.placed
    ]
    return render(
        request,
        "voting/points.html",
        _common(
            edition,
            rules,
            points=points,
            points_map=points_map,
            markers=markers,
            tile_url=settings.MAP_TILE_URL,
            tile_attribution=settings.MAP_TILE_ATTRIBUTION,
        ),
    )


def point_detail(request: HttpRequest, vote_point: int) -> HttpResponse:
    point = get_object_or_404(
        VotingPoint.objects.select_related("edition", "district"), pk=vote_point
    )
    edition, rules = _edition(point.edition.year)
    user = _user(request)
    can_enter = permissions.can_view_point_staff(user, point)
    return render(
        request,
        "voting/point.html",
        _common(
            edition,
            rules,
            point=point,
            can_enter=can_enter,
            tally=selectors.point_tally(point=point) if can_enter else None,
        ),
    )


# --- Online vote ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def vote_identity(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, rules = _edition(vote_year)
    user = _user(request)
    assert user is not None
    now = timezone.now()
    if not permissions.voting_is_open(edition, at=now):
        return render(request, "voting/closed.html", _common(edition, rules), status=403)
    chosen = (
        VoterDistrict.objects.filter(edition=edition, user=user).select_related("district").first()
    )
    # The district may be changed until the ballot is cast (voter_district_choose says when not).
    districts = district_list(city=edition.city)
    form = IdentityForm(
        request.POST or None,
        districts=districts,
        fixed_district=chosen.district if chosen else user.district,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                identity = services.identity_for(
                    rules=rules,
                    full_name=data["full_name"],
                    pesel=data["pesel"],
                    birth_date=data["birth_date"],
                    sex=data["sex"],
                    address=data["address"],
                    guardian_declared=data["guardian_declared"],
                    consent_to_statistics=data["consent_statistics"],
                    at=now,
                )
                services.voter_district_choose(
                    user=user, edition=edition, district=data["district"]
                )
                services.identity_check_online(
                    edition=edition, rules=rules, identity=identity, user=user, at=now
                )
            except DomainError as exc:
                if exc.code == "already_voted":
                    return render(
                        request,
                        "voting/refused.html",
                        _common(edition, rules, message=str(exc)),
                        status=409,
                    )
                _apply(form, exc)
            else:
                request.session[_session_key(edition)] = {
                    "person": identity.person_key,
                    "pesel": identity.pesel_key,
                    "address": identity.address_key,
                    "age_band": identity.age_band,
                    "sex": identity.sex,
                    "minor": identity.minor_without_guardian,
                    "district": data["district"].pk,
                }
                if not user.phone_confirmed:
                    return redirect("voting:vote_phone", vote_year)
                return redirect("voting:vote_ballot", vote_year)
    return render(
        request,
        "voting/vote_identity.html",
        _common(edition, rules, form=form, chosen=chosen, step=1),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def vote_phone(request: HttpRequest, vote_year: int) -> HttpResponse:
    """Confirm a mobile number by a one-time SMS code (the accounts app's flow)."""
    edition, rules = _edition(vote_year)
    user = _user(request)
    assert user is not None
    phone_form = PhoneForm(prefix="phone")
    code_form = PhoneCodeForm(prefix="code")
    status = 200
    if request.method == "POST" and "send" in request.POST:
        phone_form = PhoneForm(request.POST, prefix="phone")
        status = 400
        if rate_limited(request, group="sms-code", key="user", rate=settings.RATE_LIMIT_SMS_CODE):
            phone_form.is_valid()
            phone_form.add_error(
                None, _("Wysłaliśmy już kilka kodów. Odczekaj 10 minut, zanim poprosisz o kolejny.")
            )
            status = 429
        elif phone_form.is_valid():
            try:
                account_services.phone_verification_start(
                    user=user, phone=phone_form.cleaned_data["phone"]
                )
            except DomainError as exc:
                apply_domain_error(phone_form, exc)
            else:
                messages.success(request, _("Wysłaliśmy SMS z kodem. Wpisz go poniżej."))
                return redirect("voting:vote_phone", vote_year)
    elif request.method == "POST" and "confirm" in request.POST:
        code_form = PhoneCodeForm(request.POST, prefix="code")
        status = 400
        if code_form.is_valid():
            try:
                account_services.phone_verification_confirm(
                    user=user, code=code_form.cleaned_data["code"]
                )
            except DomainError as exc:
                apply_domain_error(code_form, exc)
            else:
                messages.success(request, _("Numer telefonu został potwierdzony."))
                return redirect("voting:vote_ballot", vote_year)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "voting/vote_phone.html",
        _common(edition, rules, phone_form=phone_form, code_form=code_form, step=2),
        status=status,
    )


_districts: dict[int, District] = {}


def _district(pk: Any) -> District | None:
    """Districts never change while a vote runs: kept per process after the first read."""
    if not isinstance(pk, int):
        return None
    if pk not in _districts:
        found = District.objects.filter(pk=pk).first()
        if found is None:
            return None
        _districts[pk] = found
    return _districts[pk]


def _voter_state(request: HttpRequest, edition: Edition) -> tuple[Identity, District] | None:
    """The identity step's keys (never a ballot, never a receipt) kept in the session until the
    cast, which removes them."""
    state = request.session.get(_session_key(edition))
    if not isinstance(state, dict) or not isinstance(state.get("person"), str):
        return None
    district = _district(state.get("district"))
    if district is None:
        return None
    identity = Identity(
        state["person"],
        str(state.get("pesel", "")),
        str(state.get("address", "")),
        str(state.get("age_band", "")),
        str(state.get("sex", "")),
        bool(state.get("minor", False)),
    )
    return identity, district


def _ballot_gate(request: HttpRequest, edition: Edition, rules: VotingRules) -> HttpResponse | None:
    user = _user(request)
    assert user is not None
    if not permissions.voting_is_open(edition, at=timezone.now()):
        return render(request, "voting/closed.html", _common(edition, rules), status=403)
    if _voter_state(request, edition) is None:
        messages.info(request, str(errors.IDENTITY_STEP_FIRST))
        return redirect("voting:vote_identity", edition.year)
    if not user.phone_confirmed:
        return redirect("voting:vote_phone", edition.year)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def vote_ballot(request: HttpRequest, vote_year: int) -> HttpResponse:
    """The ballot: each pool's projects with search, category filter, pick and remove buttons
    (all of them buttons of this one form, so picks never leave the POST body), then the review.
    """
    edition, rules = _edition(vote_year)
    gate = _ballot_gate(request, edition, rules)
    if gate is not None:
        return gate
    state = _voter_state(request, edition)
    assert state is not None
    _identity, district = state
    pools = services.pools_for_voter(edition, district)
    data = request.POST.copy() if request.method == "POST" else None
    notice = ""
    browsing = data is not None and any(
        name in data for name in ("_edit", "_filter", "_pick", "_unpick")
    )
    if data is not None and "_pick" in data:
        notice = ballot.pick(data, rules=rules, pools=pools, value=data.get("_pick", ""))
    elif data is not None and "_unpick" in data:
        ballot.pick(data, rules=rules, pools=pools, value=data.get("_unpick", ""), remove=True)
    form = BallotForm(data, rules=rules, pools=pools)
    status = 200
    if browsing:
        form.is_valid()  # searching, filtering, picking: show the choices again, no errors yet
        form.errors.clear()
    elif data is not None:
        status = 400
        if form.is_valid():
            selection = form.selection()
            try:
                lines = services.ballot_validate(
                    rules=rules, edition=edition, district=district, selection=selection
                )
            except DomainError as exc:
                _apply(form, exc)
            else:
                identity = state[0]
                sent = _send_cast_code(request, edition, identity)
                return _review(
                    request, edition, rules, selection, pools, district, sent=sent, lines=lines
                )
    filters = ballot.filters_from(data if data is not None else request.GET, pools)
    pool_views = ballot.pool_views(
        rules=rules, pools=pools, data=data or QueryDict(), filters=filters
    )
    for view, fieldset in zip(pool_views, form.fieldsets(), strict=True):
        view.errors = fieldset["errors"]
        if rules.ballot_kind == "krakow":
            view.fields = fieldset["fields"]
    return render(
        request,
        "voting/vote_ballot.html",
        _common(
            edition,
            rules,
            form=form,
            district=district,
            step=3,
            pool_views=pool_views,
            notice=notice,
            district_form=BallotDistrictForm(
                districts=district_list(city=edition.city), initial={"district": district.pk}
            ),
        ),
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def vote_district(request: HttpRequest, vote_year: int) -> HttpResponse:
    """Change the district of residence before the ballot is cast (issue 16)."""
    edition, rules = _edition(vote_year)
    gate = _ballot_gate(request, edition, rules)
    if gate is not None:
        return gate
    user = _user(request)
    assert user is not None
    form = BallotDistrictForm(request.POST, districts=district_list(city=edition.city))
    if form.is_valid():
        chosen = form.cleaned_data["district"]
        try:
            services.voter_district_choose(user=user, edition=edition, district=chosen)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            state = dict(request.session.get(_session_key(edition)) or {})
            state["district"] = chosen.pk
            request.session[_session_key(edition)] = state
            messages.success(
                request,
                _("Zmieniono dzielnicę na: %(district)s.") % {"district": chosen.full_name},
            )
    else:
        messages.error(request, _("Wybierz dzielnicę z listy."))
    return redirect("voting:vote_ballot", vote_year)


CAST_CODE_SESSION = "voting:cast-code"


def _send_cast_code(request: HttpRequest, edition: Edition, identity: Identity) -> bool:
    """Send the one-time code that confirms this cast (rate limited per account)."""
    user = _user(request)
    assert user is not None
    if rate_limited(request, group="vote-code", key="user", rate=settings.RATE_LIMIT_SMS_CODE):
        messages.error(
            request,
            _("Wysłaliśmy już kilka kodów. Odczekaj 10 minut, zanim poprosisz o kolejny."),
        )
        return False
    cast_code = services.cast_code_send(
        user=user, edition=edition, identity=identity, at=timezone.now()
    )
    request.session[CAST_CODE_SESSION] = cast_code.pk
    return True


def _review(
    request: HttpRequest,
    edition: Edition,
    rules: VotingRules,
    selection: Any,
    pools: Any,
    district: District,
    *,
    sent: bool,
    code_form: CastCodeForm | None = None,
    status: int = 200,
    lines: list[Any] | None = None,
) -> HttpResponse:
    hidden = [
        (name, item)
        for name, value in selection_to_data(selection, rules).items()
        for item in (value if isinstance(value, list) else [value])
    ]
    return render(
        request,
        "voting/vote_review.html",
        _common(
            edition,
            rules,
            hidden=hidden,
            lines=_review_lines(selection, pools, rules, lines),
            district=district,
            code_form=code_form or CastCodeForm(),
            sent=sent,
            step=4,
        ),
        status=status,
    )


def _review_lines(
    selection: Any, pools: Any, rules: VotingRules, lines: list[Any] | None
) -> list[dict[str, Any]]:
    """Per pool, each pick with its cost and its points (Kraków: 3-2-1 by place), as the
    validated ballot will count them, and the pool's total cost."""
    points: dict[tuple[int, int], int] = {}
    for line in lines or []:
        points[(line.pool_id, line.project_id)] = line.points
    out = []
    for pool, projects in pools:
        entries = []
        for rank, (pid, pts) in enumerate(selection.get(pool.pk, []), start=1):
            if pid not in projects:
                continue
            if (pool.pk, pid) in points:
                pts = points[(pool.pk, pid)]
            elif rules.ballot_kind == "krakow":
                pts = rules.picks_per_pool - rank + 1
            entries.append((projects[pid], pts))
        total = sum((project.effective_cost for project, _pts in entries), Decimal(0))
        out.append({"pool": pool, "entries": entries, "total": total})
    return out


# The receipt code travels from the cast to the receipt page in a short-lived signed cookie in the
# voter's own browser: kept on the server (in the session, say) it would join the voter to the
# ballot. Post/redirect/get: reloading the receipt page shows the code again instead of casting
# the ballot a second time (which the roll would refuse, hiding the code).
RECEIPT_COOKIE = "wsp_receipt"
RECEIPT_MAX_AGE = 15 * 60


def _receipt_salt(edition: Edition) -> str:
    return f"voting-receipt-{edition.pk}"


@login_required
@require_http_methods(["POST"])
def vote_cast(request: HttpRequest, vote_year: int) -> HttpResponse:
    """Cast the ballot carried by the review page's hidden fields, then show the receipt code."""
    edition, rules = _edition(vote_year, cached=True)
    gate = _ballot_gate(request, edition, rules)
    if gate is not None:
        return gate
    state = _voter_state(request, edition)
    assert state is not None
    identity, district = state
    user = _user(request)
    assert user is not None
    pools = services.pools_for_voter(edition, district)
    form = BallotForm(request.POST, rules=rules, pools=pools)
    code_form = CastCodeForm(request.POST)
    if form.is_valid() and code_form.is_valid():
        selection = form.selection()
        if "resend" in request.POST:
            sent = _send_cast_code(request, edition, identity)
            return _review(request, edition, rules, selection, pools, district, sent=sent)
        cast_code_id = request.session.get(CAST_CODE_SESSION)
        try:
            receipt = services.ballot_cast_online(
                user=user,
                edition=edition,
                rules=rules,
                identity=identity,
                district=district,
                selection=selection,
                cast_code_id=cast_code_id if isinstance(cast_code_id, int) else None,
                code=code_form.cleaned_data["code"],
                at=timezone.now(),
            )
        except DomainError as exc:
            if exc.code == "already_voted":
                return render(
                    request,
                    "voting/refused.html",
                    _common(edition, rules, message=str(exc)),
                    status=409,
                )
            if exc.field == "code":
                code_form.add_error("code", str(exc))
                return _review(
                    request,
                    edition,
                    rules,
                    selection,
                    pools,
                    district,
                    sent=True,
                    code_form=code_form,
                    status=400,
                )
            _apply(form, exc)
        else:
            # The session forgets the identity step: nothing server-side is left of this cast.
            request.session.pop(_session_key(edition), None)
            request.session.pop(CAST_CODE_SESSION, None)
            response = HttpResponseRedirect(reverse("voting:vote_receipt", args=[edition.year]))
            response.status_code = 303  # See Other: the receipt page is fetched with GET
            response.set_signed_cookie(
                RECEIPT_COOKIE,
                f"{user.pk}:{receipt}",
                salt=_receipt_salt(edition),
                max_age=RECEIPT_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
    return render(
        request,
        "voting/vote_ballot.html",
        _common(edition, rules, form=form, district=district, step=3),
        status=400,
    )


@login_required
@require_http_methods(["GET"])
def vote_receipt(request: HttpRequest, vote_year: int) -> HttpResponse:
    """The receipt code of the ballot just cast, from the cookie the cast set (this voter only)."""
    edition, rules = _edition(vote_year)
    user = _user(request)
    value = request.get_signed_cookie(
        RECEIPT_COOKIE, default="", salt=_receipt_salt(edition), max_age=RECEIPT_MAX_AGE
    )
    owner, _sep, receipt = value.partition(":")
    if user is None or not receipt or owner != str(user.pk):
        messages.info(request, str(errors.RECEIPT_GONE))
        return redirect("voting:edition", edition.year)
    return render(request, "voting/receipt.html", _common(edition, rules, receipt=receipt, step=5))


# --- Paper channel ----------------------------------------------------------------------------


def ballot_card_pdf(request: HttpRequest, vote_year: int, vote_district: int) -> HttpResponse:
    """A printable ballot card in large print, in the page's language (pl, en or uk)."""
    edition, rules = _edition(vote_year)
    district = District.objects.filter(city=edition.city, number=vote_district).first()
    if district is None:
        raise Http404
    pools = services.pools_for_voter(edition, district)
    pdf = documents.ballot_card_pdf(edition=edition, rules=rules, district=district, pools=pools)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="karta-{edition.year}-{district.number}-{get_language()}.pdf"'
    )
    return response


def _point_for_staff(request: HttpRequest, vote_point: int) -> tuple[VotingPoint, User]:
    point = get_object_or_404(
        VotingPoint.objects.select_related("edition", "district"), pk=vote_point
    )
    user = _user(request)
    if user is None or not permissions.can_view_point_staff(user, point):
        raise PermissionDenied
    return point, user


def _keyed_identity(rules: VotingRules, data: dict[str, Any]) -> Identity:
    return services.identity_for(
        rules=rules,
        full_name=data["full_name"],
        pesel=data["pesel"],
        birth_date=data["birth_date"],
        sex=data["sex"],
        address=data["address"],
        guardian_declared=data["guardian_declared"],
        consent_to_statistics=data["consent_statistics"],
        at=timezone.now(),
    )


def _chosen_district(request: HttpRequest, edition: Edition, fallback: District) -> District:
    district_id = request.POST.get("district") or request.GET.get("dzielnica") or ""
    district = (
        District.objects.filter(city=edition.city, pk=district_id).first()
        if is_number(district_id, max_value=MAX_ID)
        else None
    )
    return district or fallback


DISTRICT_CHANGED = gettext_lazy(
    "Zmieniono dzielnicę: sprawdź listę projektów dzielnicowych i wprowadź kartę ponownie."
)


@login_required
@require_http_methods(["GET", "POST"])
def paper_entry(request: HttpRequest, vote_point: int) -> HttpResponse:
    point, user = _point_for_staff(request, vote_point)
    edition, rules = _edition(point.edition.year)
    if not permissions.is_point_coordinator(user, point):
        raise PermissionDenied
    district = _chosen_district(request, edition, point.district)
    pools = services.pools_for_voter(edition, district)
    identity_form = PaperEntryForm(
        request.POST or None, districts=district_list(city=edition.city), fixed_district=district
    )
    ballot_form = BallotForm(request.POST or None, rules=rules, pools=pools)
    status = 200
    if request.method == "POST":
        status = 400
        if identity_form.is_valid() and ballot_form.is_valid():
            data = identity_form.cleaned_data
            if data["district"] != district:
                identity_form.add_error("district", str(DISTRICT_CHANGED))
            else:
                try:
                    card = services.paper_entry_add(
                        actor=user,
                        point=point,
                        number=data["number"],
                        identity=_keyed_identity(rules, data),
                        district=district,
                        document_kind=data["document_kind"],
                        selection=ballot_form.selection(),
                        receipt_code=data["receipt_code"],
                        at=timezone.now(),
                    )
                except DomainError as exc:
                    _apply(identity_form, exc)
                else:
                    messages.success(
                        request,
                        _("Karta %(number)s: %(status)s.")
                        % {"number": card.number, "status": card.get_status_display()},
                    )
                    return redirect("voting:paper_entry", point.pk)
    return render(
        request,
        "voting/paper_entry.html",
        _common(
            edition,
            rules,
            point=point,
            district=district,
            identity_form=identity_form,
            form=ballot_form,
            tally=selectors.point_tally(point=point),
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def paper_review(request: HttpRequest, vote_year: int) -> HttpResponse:
    """The commission's desk: cards the typists keyed differently, and cards left half-keyed at
    points that have since closed."""
    edition, rules = _edition(vote_year)
    if not permissions.can_review_paper(_user(request), edition):
        raise PermissionDenied
    return render(
        request,
        "voting/paper_review.html",
        _common(
            edition,
            rules,
            cards=selectors.mismatched_cards(edition=edition),
            to_finish=selectors.cards_to_finish(edition=edition),
        ),
    )


def _entry_views(entries: list[Any]) -> list[dict[str, Any]]:
    from wspolnota.budget.models import Project

    opened = [services.paper_entry_view(entry=e) for e in entries]
    ids = {
        pid
        for content in opened
        for _pool, items in content.get("selection", [])
        for pid, _pts in items
        if pid
    }
    titles = {p.pk: f"{p.number} {p.title}" for p in Project.objects.filter(pk__in=ids)}
    out = []
    for position, (entry, content) in enumerate(zip(entries, opened, strict=True), start=1):
        choices = [
            (titles.get(pid, "—") if pid else "—", pts)
            for _pool, items in content.get("selection", [])
            for pid, pts in items
        ]
        out.append(
            {
                "position": position,
                "entry": entry,
                "choices": choices,
                "receipt": content.get("r", ""),
                "identity_short": entry.person_key[:8],
            }
        )
    return out


@login_required
@require_http_methods(["GET", "POST"])
def paper_resolve(request: HttpRequest, vote_card: int) -> HttpResponse:
    """One card at the commission: pick the right keying, declare it invalid, or key it a
    third time from the paper (the adjudicating entry); for a half-keyed card of a closed point,
    key its second entry."""
    card = get_object_or_404(
        PaperCard.objects.select_related("edition", "point", "point__district"), pk=vote_card
    )
    edition, rules = _edition(card.edition.year)
    user = _user(request)
    now = timezone.now()
    if user is None or not permissions.can_review_paper(user, edition):
        raise PermissionDenied
    district = _chosen_district(request, edition, card.point.district)
    pools = services.pools_for_voter(edition, district)
    keying = request.method == "POST" and "key" in request.POST
    form = ResolveForm(request.POST if request.method == "POST" and not keying else None)
    key_form = AdjudicationForm(
        request.POST if keying else None,
        districts=district_list(city=edition.city),
        fixed_district=district,
    )
    ballot_form = BallotForm(request.POST if keying else None, rules=rules, pools=pools)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if keying and key_form.is_valid() and ballot_form.is_valid():
                data = key_form.cleaned_data
                if data["district"] != district:
                    key_form.add_error("district", str(DISTRICT_CHANGED))
                else:
                    service = (
                        services.paper_card_adjudicate
                        if card.status == CardStatus.MISMATCH
                        else services.paper_card_finish
                    )
                    extra = {"note": data["note"]} if card.status == CardStatus.MISMATCH else {}
                    service(
                        actor=user,
                        card=card,
                        identity=_keyed_identity(rules, data),
                        district=district,
                        document_kind=data["document_kind"],
                        selection=ballot_form.selection(),
                        receipt_code=data["receipt_code"],
                        at=now,
                        **extra,
                    )
                    messages.success(request, _("Karta została rozpatrzona."))
                    return redirect("voting:paper_review", edition.year)
            elif not keying and form.is_valid():
                services.paper_card_resolve(
                    actor=user,
                    card=card,
                    choice=form.cleaned_data["choice"],
                    note=form.cleaned_data["note"],
                    at=now,
                )
                messages.success(request, _("Karta została rozpatrzona."))
                return redirect("voting:paper_review", edition.year)
        except DomainError as exc:
            _apply(key_form if keying else form, exc)
    entries = list(
        card.entries.select_related("district", "entered_by").order_by("created_at", "id")
    )
    return render(
        request,
        "voting/paper_resolve.html",
        _common(
            edition,
            rules,
            card=card,
            entries=_entry_views(entries),
            form=form,
            key_form=key_form,
            ballot_form=ballot_form,
            district=district,
            can_act=permissions.can_work_as_commission(user, edition, at=now),
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_close(request: HttpRequest, vote_point: int) -> HttpResponse:
    point, user = _point_for_staff(request, vote_point)
    edition, rules = _edition(point.edition.year)
    form = ProtocolForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.point_close(
                    actor=user, point=point, at=timezone.now(), **form.cleaned_data
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Punkt został zamknięty; protokół jest gotowy."))
                return redirect("voting:point", point.pk)
    return render(
        request,
        "voting/point_close.html",
        _common(edition, rules, point=point, form=form, tally=selectors.point_tally(point=point)),
        status=status,
    )


def point_protocol_pdf(request: HttpRequest, vote_point: int) -> HttpResponse:
    point, _staff = _point_for_staff(request, vote_point)
    protocol = getattr(point, "protocol", None)
    if protocol is None:
        raise Http404
    pdf = documents.point_protocol_pdf(point=point, protocol=protocol)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="protokol-punktu-{point.pk}.pdf"'
    return response


# --- Office: rules, dates, the box, count, publication, corrections -----------------------------


@login_required
@require_http_methods(["GET", "POST"])
def office(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, rules = _edition(vote_year)
    user = _user(request)
    if user is None or not permissions.can_manage_voting(user, edition):
        raise PermissionDenied
    now = timezone.now()
    post = request.POST
    rules_form = RulesForm(post if "save_rules" in post else None, instance=rules)
    count_form = CountForm(post if "count" in post else None)
    extension_form = ExtensionForm(post if "extend" in post else None)
    correction_form = CorrectionForm(post if "correct" in post else None)
    status = 200
    if request.method == "POST":
        status = 400
        target: forms.BaseForm | None = rules_form if "save_rules" in post else None
        try:
            if "save_rules" in post and rules_form.is_valid():
                values = {f: rules_form.cleaned_data[f] for f in rules_form.Meta.fields}
                services.voting_rules_set(actor=user, edition=edition, at=now, **values)
                messages.success(request, _("Zasady głosowania zapisane."))
                return redirect("voting:office", vote_year)
            if "fix_rules" in post:
                services.voting_rules_fix(actor=user, rules=rules, at=now)
                messages.success(request, _("Zasady głosowania i liczenia są ustalone."))
                return redirect("voting:office", vote_year)
            if "extend" in post:
                target = extension_form
                if extension_form.is_valid():
                    services.voting_extend(
                        actor=user, edition=edition, at=now, **extension_form.cleaned_data
                    )
                    messages.success(
                        request, _("Koniec głosowania przedłużony; powód opublikowano.")
                    )
                    return redirect("voting:office", vote_year)
            if "close_box" in post:
                services.ballot_box_close(actor=user, edition=edition, at=now)
                messages.success(request, _("Urna zamknięta; zobowiązanie do ziarna opublikowane."))
                return redirect("voting:office", vote_year)
            if "count" in post:
                target = count_form
                if count_form.is_valid():
                    services.edition_count(
                        actor=user,
                        edition=edition,
                        at=now,
                        witnesses=count_form.cleaned_data["witnesses"],
                    )
                    messages.success(request, _("Głosy policzone we wszystkich pulach."))
                    return redirect("voting:office", vote_year)
            if "publish" in post:
                services.results_publish(actor=user, edition=edition, at=now)
                messages.success(request, _("Wyniki ogłoszone."))
                return redirect("voting:results", vote_year)
            if "correct" in post:
                target = correction_form
                if correction_form.is_valid():
                    services.results_correct(
                        actor=user, edition=edition, at=now, **correction_form.cleaned_data
                    )
                    messages.success(request, _("Korekta ogłoszona jako nowa wersja wyników."))
                    return redirect("voting:results", vote_year)
        except DomainError as exc:
            if target is None:  # a button without fields: the reason goes above the page
                messages.error(request, str(exc))
            else:
                _apply(target, exc)
    rules.refresh_from_db()
    latest = services.latest_count(edition=edition)
    return render(
        request,
        "voting/office.html",
        _common(
            edition,
            rules,
            rules_form=rules_form,
            count_form=count_form,
            extension_form=extension_form,
            correction_form=correction_form,
            latest=latest,
            versions=selectors.published_versions(edition=edition),
            open_points=selectors.voting_points(edition=edition).filter(closed_at__isnull=True),
            refused=selectors.refused_counts(edition=edition),
            can_extend=permissions.can_extend_voting(user, edition, at=now),
            can_close_box=permissions.can_close_box(user, edition, at=now),
            can_count=permissions.can_count(user, edition, at=now),
            can_correct=permissions.can_correct_results(user, edition, at=now),
            now=now,
        ),
        status=status,
    )


@login_required
@require_http_methods(["GET"])
def suspicious(request: HttpRequest, vote_year: int) -> HttpResponse:
    """Patterns for the commission to review: never anyone's choices."""
    edition, rules = _edition(vote_year)
    if not permissions.can_view_refusals(_user(request), edition):
        raise PermissionDenied
    return render(
        request,
        "voting/suspicious.html",
        _common(
            edition,
            rules,
            patterns=selectors.suspicious_patterns(edition=edition),
            refused=selectors.refused_counts(edition=edition),
        ),
    )


def results(request: HttpRequest, vote_year: int, version: int | None = None) -> HttpResponse:
    edition, rules = _edition(vote_year)
    views = selectors.pool_results(
        edition=edition, at=timezone.now(), language=get_language() or "pl", version=version
    )
    if version is not None and not views:
        raise Http404
    shown = (
        selectors.published_count(edition=edition, version=version)
        if selectors.results_visible(edition, at=timezone.now())
        else None
    )
    return render(
        request,
        "voting/results.html",
        _common(
            edition,
            rules,
            pools=views,
            shown=shown,
            versions=selectors.published_versions(edition=edition) if shown else [],
        ),
    )


def _pool_view(edition: Edition, vote_pool: int, version: int | None = None) -> Any:
    views = selectors.pool_results(
        edition=edition, at=timezone.now(), language=get_language() or "pl", version=version
    )
    for view in views:
        if view.pool.pk == vote_pool:
            return view
    raise Http404


def pool_results(request: HttpRequest, vote_year: int, vote_pool: int) -> HttpResponse:
    edition, rules = _edition(vote_year)
    view = _pool_view(edition, vote_pool)
    return render(
        request,
        "voting/pool_results.html",
        _common(
            edition,
            rules,
            view=view,
            votes_chart=charts.bar_chart(
                [(line.code, line.votes, line.selected) for line in view.lines],
                title=_("Głosy na projekty"),
            ),
            spending_chart=charts.spending_chart(view),
            command=documents.recount_command(rules=rules, view=view),
            implementations=_implementation_links(view),
        ),
    )


def _implementation_links(view: Any) -> dict[int, str]:
    """Project id → its implementation page, for the winners the results list (one query)."""
    if not django_apps.is_installed("wspolnota.implementation"):
        return {}
    from wspolnota.implementation.models import Implementation

    ids = [line.project.pk for line in view.lines if line.project is not None and line.selected]
    return {
        project_id: reverse("implementation:detail", args=[pk])
        for pk, project_id in Implementation.objects.filter(project_id__in=ids).values_list(
            "pk", "project_id"
        )
    }


def pool_protocol_pdf(request: HttpRequest, vote_year: int, vote_pool: int) -> HttpResponse:
    edition, _rules = _edition(vote_year)
    view = _pool_view(edition, vote_pool)
    pdf = documents.results_protocol_pdf(edition=edition, view=view)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="protokol-wynikow-{edition.year}-{vote_pool}.pdf"'
    )
    return response


def receipts(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, rules = _edition(vote_year)
    form = ReceiptCheckForm(request.GET or None)
    found = None
    if form.is_valid() and form.cleaned_data["kod"] and rules.results_published_at:
        found = selectors.receipt_is_published(edition=edition, code=form.cleaned_data["kod"])
    codes = selectors.published_receipts(edition=edition)
    return render(
        request,
        "voting/receipts.html",
        _common(edition, rules, form=form, found=found, codes=codes[:2000], codes_total=len(codes)),
    )


# --- Open data ----------------------------------------------------------------------------------


def open_data_pb(request: HttpRequest, vote_year: int, vote_pool: int) -> HttpResponse:
    """The pool's ballots as counted, with the published votes, score and selection of the
    latest version: with the published seed, ``votecount count`` gives the same winners."""
    edition, rules = _edition(vote_year)
    view = _pool_view(edition, vote_pool)
    text = documents.published_pb(rules=rules, result=view.result)
    if text is None:
        raise Http404
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{rules.slug}-{vote_pool}.pb"'
    return response


def open_data_results_json(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, _rules = _edition(vote_year)
    if not selectors.results_visible(edition, at=timezone.now()):
        raise Http404
    payload = documents.results_payload(edition=edition)
    return HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2), content_type="application/json"
    )


def open_data_results_csv(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, _rules = _edition(vote_year)
    if not selectors.results_visible(edition, at=timezone.now()):
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["pool", "project", "title", "cost", "votes", "score", "selected", "order"])
    for pool in documents.results_payload(edition=edition)["pools"]:
        for line in pool["projects"]:
            writer.writerow(
                [
                    pool["name"],
                    line["id"],
                    line["title"],
                    line["cost"],
                    line["votes"],
                    line["score"],
                    int(line["selected"]),
                    line["order"] or "",
                ]
            )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="wyniki-{edition.year}.csv"'
    return response


def open_data_turnout_csv(request: HttpRequest, vote_year: int) -> HttpResponse:
    edition, _rules = _edition(vote_year)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["district_number", "district", "online", "paper", "total"])
    data = selectors.turnout(edition=edition)
    for row in data.rows:
        writer.writerow([row.number or "", row.name, row.online, row.paper, row.total])
    writer.writerow(["", "razem", data.online, data.paper, data.total])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="frekwencja-{edition.year}.csv"'
    return response


def ballot_card_link(edition: Edition, district: District) -> str:
    return reverse("voting:ballot_card_pdf", args=[edition.year, district.number])
