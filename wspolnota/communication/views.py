from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from wspolnota.accounts.models import User
from wspolnota.communication import permissions, selectors, services
from wspolnota.communication.choices import Channel, Group, Scope, Topic, from_mask, labels_for
from wspolnota.communication.errors import CommunicationError
from wspolnota.communication.forms import (
    BudgetForm,
    CodeForm,
    CounterForm,
    NoticeForm,
    PreferencesForm,
    SubscribeForm,
    WithdrawForm,
)
from wspolnota.communication.geo import parse_geojson_polygon
from wspolnota.communication.models import LetterBatch, Notice, NoticeAudio, Subscription
from wspolnota.core.errors import DomainError, PermissionDeniedError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.parsing import parse_id
from wspolnota.core.ratelimit import rate_limited, sms_request_limited
from wspolnota.territory.selectors import district_get, district_list

# --- Public boards ---------------------------------------------------------------------------------


def _board_items(notices: Any, language: str) -> list[dict[str, Any]]:
    return [
        {
            "notice": n,
            "text": selectors.text_for(n, language),
            "topics": labels_for(n.topics_mask, Topic),
        }
        for n in notices
    ]


def board(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or "pl"
    notices = selectors.notice_board(at=timezone.now())[:100]
    return render(
        request,
        "communication/board.html",
        {
            "items": _board_items(notices, language),
            "districts": district_list(),
            "district": None,
        },
    )


def archive(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or "pl"
    notices = selectors.notice_archive(at=timezone.now())[:100]
    return render(
        request,
        "communication/archive.html",
        {"items": _board_items(notices, language)},
    )


def district_board(request: HttpRequest, number: int) -> HttpResponse:
    district = district_get(number=number)
    if district is None:
        raise Http404
    language = translation.get_language() or "pl"
    notices = selectors.notice_board(at=timezone.now(), district=district)[:100]
    return render(
        request,
        "communication/board.html",
        {
            "items": _board_items(notices, language),
            "districts": district_list(),
            "district": district,
        },
    )


def _visible_notice(request: HttpRequest, notice_id: int) -> Notice:
    notice = selectors.notice_get_visible(viewer=request.user, pk=notice_id, at=timezone.now())
    if notice is None:
        raise Http404
    return notice


def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _visible_notice(request, notice_id)
    language = translation.get_language() or "pl"
    now = timezone.now()
    audio = NoticeAudio.objects.filter(notice=notice, language=language).first()
    return render(
        request,
        "communication/notice_detail.html",
        {
            "notice": notice,
            "text": selectors.text_for(notice, language),
            "texts": list(notice.texts.all()),
            "topics": labels_for(notice.topics_mask, Topic),
            "groups": labels_for(notice.groups_mask, Group),
            "audio": audio,
            "can_edit": permissions.can_edit_notice(request.user, notice, at=now),
            "can_report": permissions.can_view_notice_report(request.user, notice),
        },
    )


def notice_poster(request: HttpRequest, notice_id: int) -> HttpResponse:
    from wspolnota.communication.printing import poster_pdf

    notice = _visible_notice(request, notice_id)
    size = request.GET.get("format", "A4").upper()
    pdf = poster_pdf(notice=notice, size=size, language=translation.get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="plakat-{notice.pk}-{size}.pdf"'
    return response


def notice_audio(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = _visible_notice(request, notice_id)
    language = translation.get_language() or "pl"
    audio = NoticeAudio.objects.filter(notice=notice, language=language).first()
    if audio is None or not Path(audio.path).exists():
        raise Http404
    return FileResponse(Path(audio.path).open("rb"), content_type="audio/wav")


def _map_context() -> dict[str, Any]:
    return {
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


# --- Subscriptions ---------------------------------------------------------------------------------


def _preferences(data: dict[str, Any]) -> services.Preferences:
    return services.Preferences(
        language=data["language"],
        districts=list(data.get("districts") or []),
        topics=list(data.get("topics") or []),
        groups=list(data.get("groups") or []),
        point_lat=data.get("point_lat"),
        point_lon=data.get("point_lon"),
    )


# The SMS-code attempt this browser started: which subscription, the pairing secret the code is
# bound to, and the masked number to show. Never the subscription's manage token.
PENDING_CODE_SESSION_KEY = "communication.subscription_code"


def subscribe(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    initial: dict[str, Any] = {"language": translation.get_language()}
    if isinstance(user, User):
        initial.update(email=user.email, phone=user.phone if user.phone_confirmed else "")
        if user.district_id:
            initial["districts"] = [user.district_id]
    form = SubscribeForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        texts = request.POST.get("channel") in (Channel.SMS, Channel.VOICE)
        if rate_limited(
            request, group="notice-subscribe", key="ip", rate=settings.RATE_LIMIT_SENSITIVE
        ) or (texts and sms_request_limited(request)):
            form.is_valid()
            form.add_error(
                None, _("Zbyt wiele prób zapisu z tego adresu. Spróbuj ponownie za godzinę.")
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                result = services.subscription_start(
                    channel=data["channel"],
                    address=services.Address(
                        email=data.get("email") or "", phone=data.get("phone") or ""
                    ),
                    preferences=_preferences(data),
                    user=user if isinstance(user, User) else None,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                if result.activated:
                    messages.success(
                        request,
                        _("Zapisano. Ogłoszenia będą przychodzić na Twój potwierdzony numer."),
                    )
                    return redirect("communication:my_subscriptions")
                if data["channel"] == Channel.EMAIL:
                    return render(
                        request, "communication/subscribe_sent.html", {"channel": "email"}
                    )
                # The same page whether the number was new or already subscribed: a code or a
                # link to its settings went to the number, and nothing about it comes back here.
                request.session[PENDING_CODE_SESSION_KEY] = {
                    "id": result.subscription.pk if result.subscription else None,
                    "pairing": result.pairing,
                    "label": result.address_label,
                }
                return redirect("communication:subscription_code")
        if form.errors and status == 200:
            status = 400
    return render(
        request, "communication/subscribe.html", {"form": form, **_map_context()}, status=status
    )


def _subscription_or_404(manage_token: str) -> Subscription:
    subscription = selectors.subscription_by_token(token=manage_token)
    if subscription is None:
        raise Http404
    return subscription


def subscription_code(request: HttpRequest) -> HttpResponse:
    """Type the SMS code on the page of the browser that asked for it (and only there)."""
    pending = request.session.get(PENDING_CODE_SESSION_KEY)
    if not isinstance(pending, dict):
        return redirect("communication:subscribe")
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if rate_limited(request, group="notice-code", key="ip", rate=settings.RATE_LIMIT_SENSITIVE):
            form.is_valid()
            form.add_error(None, _("Zbyt wiele prób. Spróbuj ponownie za godzinę."))
            status = 429
        elif form.is_valid():
            user = request.user if isinstance(request.user, User) else None
            try:
                subscription = services.subscription_confirm_code(
                    subscription_id=pending.get("id"),
                    pairing=str(pending.get("pairing") or ""),
                    code=form.cleaned_data["code"],
                    user=user,
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                del request.session[PENDING_CODE_SESSION_KEY]
                # The code proved this browser reads the number's SMS: its settings link is theirs.
                return render(
                    request,
                    "communication/subscription_done.html",
                    {"subscription": subscription},
                )
        if form.errors and status == 200:
            status = 400
    return render(
        request,
        "communication/subscription_code.html",
        {"form": form, "address_label": pending.get("label", "")},
        status=status,
    )


def subscription_confirm_email(
    request: HttpRequest, manage_token: str, secret: str
) -> HttpResponse:
    subscription = _subscription_or_404(manage_token)
    user = request.user if isinstance(request.user, User) else None
    try:
        subscription = services.subscription_confirm(
            subscription=subscription, secret=secret, user=user
        )
    except CommunicationError as exc:
        return render(
            request, "communication/subscription_failed.html", {"error": str(exc)}, status=400
        )
    # The link came to the mailbox and carries the token: showing the settings link adds nothing.
    return render(
        request,
        "communication/subscription_done.html",
        {"subscription": subscription},
    )


@csrf_exempt  # the token in the address is the credential; mail clients post one-click unsubscribes
def subscription_manage(request: HttpRequest, manage_token: str) -> HttpResponse:
    subscription = _subscription_or_404(manage_token)
    one_click = request.POST.get("List-Unsubscribe") == "One-Click"
    if request.method == "POST" and (one_click or "unsubscribe" in request.POST):
        services.subscription_unsubscribe(subscription=subscription, via="link")
        if one_click:
            return HttpResponse(_("Wypisano."), content_type="text/plain; charset=utf-8")
        return render(request, "communication/unsubscribed.html", {"subscription": subscription})
    initial = {
        "language": subscription.language,
        "districts": list(subscription.districts.all()),
        "topics": from_mask(subscription.topics_mask, Topic),
        "groups": from_mask(subscription.groups_mask, Group),
        "point_lat": subscription.point_lat,
        "point_lon": subscription.point_lon,
    }
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if subscription.status != Subscription.Status.ACTIVE:
            form.is_valid()
            form.add_error(None, _("Ta subskrypcja nie jest aktywna. Zapisz się ponownie."))
        elif form.is_valid():
            services.subscription_update(
                subscription=subscription, preferences=_preferences(form.cleaned_data)
            )
            messages.success(request, _("Zapisano ustawienia."))
            return redirect("communication:unsubscribe", manage_token=manage_token)
        if form.errors:
            status = 400
    return render(
        request,
        "communication/subscription_manage.html",
        {"form": form, "subscription": subscription, **_map_context()},
        status=status,
    )


@login_required
def my_subscriptions(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST" and request.POST.get("cancel"):
        ids = [parse_id(request.POST["cancel"], field="cancel")]
        if services.subscriptions_cancel_for_user(user=user, ids=ids):
            messages.success(request, _("Wypisano z subskrypcji."))
        return redirect("communication:my_subscriptions")
    subscriptions = [
        {
            "subscription": s,
            "topics": labels_for(s.topics_mask, Topic),
            "groups": labels_for(s.groups_mask, Group),
        }
        for s in selectors.subscription_list_for_user(user=user)
    ]
    return render(request, "communication/my_subscriptions.html", {"subscriptions": subscriptions})


@login_required
def counter(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_register_at_counter(user):
        raise PermissionDeniedError(_("Zapisy w okienku prowadzą urzędnicy."))
    # Acting for a person found on the counter page (issue 17): their details fill the form
    # and the subscription is tied to them.
    person = None
    person_id = parse_id(request.GET.get("osoba"), default=None, field="osoba")
    if person_id is not None:
        from wspolnota.accounts.permissions import can_see_person

        person = User.objects.filter(pk=person_id).first()
        if person is None or not can_see_person(user, person):
            raise Http404
    initial: dict[str, Any] = {"language": "pl"}
    if person is not None:
        initial.update(
            postal_name=person.full_name,
            postal_street=person.address_street,
            postal_code=person.address_postcode,
            postal_city=person.address_city,
            phone=person.phone or person.landline_phone,
            email=person.email or "",
            language=person.preferred_language,
            districts=[person.district] if person.district else [],
        )
        if person.reply_channel in Channel.values:
            initial["channel"] = person.reply_channel
    form = CounterForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subscription_register_at_counter(
                clerk=user,
                channel=data["channel"],
                address=services.Address(
                    email=data.get("email") or "",
                    phone=data.get("phone") or "",
                    postal_name=data.get("postal_name") or "",
                    postal_street=data.get("postal_street") or "",
                    postal_code=data.get("postal_code") or "",
                    postal_city=data.get("postal_city") or "",
                ),
                preferences=_preferences(data),
                consent_document=data["consent_document"],
                person=person,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Mieszkaniec został zapisany."))
            if person is not None:
                return redirect("counter:person", pk=person.pk)
            return redirect("communication:counter")
    if form.errors:
        status = 400
    return render(
        request,
        "communication/counter.html",
        {
            "form": form,
            "person": person,
            "recent": selectors.subscription_counter_list(registered_by=user),
        },
        status=status,
    )


@login_required
def counter_subscription(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """A clerk changes or cancels someone's subscription at their request (issue 17)."""
    from wspolnota.core.onbehalf import CLERK_CHANNELS
    from wspolnota.core.onbehalf import Channel as ActChannel

    user = request.user
    assert isinstance(user, User)
    if not permissions.can_register_at_counter(user):
        raise PermissionDeniedError(_("Zapisy w okienku prowadzą urzędnicy."))
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        raise Http404
    person_id = parse_id(request.GET.get("osoba"), default=None, field="osoba")
    back = (
        redirect("counter:person", pk=person_id)
        if person_id is not None
        else redirect("communication:counter")
    )
    channel = request.POST.get("act_channel", ActChannel.PHONE)
    if channel not in CLERK_CHANNELS:
        channel = ActChannel.PHONE
    if request.method == "POST" and "cancel" in request.POST:
        services.subscription_cancel_by_clerk(
            clerk=user, subscription=subscription, channel=channel
        )
        messages.success(request, _("Wypisano z subskrypcji."))
        return back
    initial = {
        "language": subscription.language,
        "districts": list(subscription.districts.all()),
        "topics": from_mask(subscription.topics_mask, Topic),
        "groups": from_mask(subscription.groups_mask, Group),
        "point_lat": subscription.point_lat,
        "point_lon": subscription.point_lon,
    }
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if subscription.status != Subscription.Status.ACTIVE:
            form.add_error(None, _("Ta subskrypcja nie jest aktywna. Zapisz się ponownie."))
        else:
            services.subscription_update_by_clerk(
                clerk=user,
                subscription=subscription,
                preferences=_preferences(form.cleaned_data),
                channel=channel,
            )
            messages.success(request, _("Zapisano ustawienia."))
            return back
    return render(
        request,
        "communication/counter_subscription.html",
        {
            "form": form,
            "subscription": subscription,
            "channels": [(c.value, c.label) for c in ActChannel if c in CLERK_CHANNELS],
            "person_id": person_id,
        },
        status=400 if form.errors else 200,
    )


@login_required
def reply_letters(request: HttpRequest) -> HttpResponse:
    """Batches of reply letters to people without an account, printed by the worker (issue 17):
    the clerks who send the post download them here."""
    user = request.user
    if not permissions.can_print_replies(user):
        raise PermissionDeniedError(_("Zapisy w okienku prowadzą urzędnicy."))
    batches = selectors.reply_batches_for(user)
    return render(request, "communication/reply_letters.html", {"batches": batches})


@login_required
def reply_letters_pdf(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = LetterBatch.objects.filter(pk=batch_id, notice__isnull=True).first()
    if (
        batch is None
        or not batch.pdf
        or batch.status != LetterBatch.Status.DONE
        or not isinstance(request.user, User)
        or not permissions.can_print_reply_batch(request.user, batch)
    ):
        raise Http404
    services.reply_letters_downloaded(actor=request.user, batch=batch)
    is_zip = batch.pdf.name.endswith(".zip")
    return FileResponse(
        batch.pdf.open("rb"),
        content_type="application/zip" if is_zip else "application/pdf",
        as_attachment=is_zip,
        filename=Path(batch.pdf.name).name,
    )


# --- Authoring ---------------------------------------------------------------------------------------


def _require_author(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not permissions.can_create_notice(user):
        raise PermissionDeniedError(
            _("Ogłoszenia piszą urzędnicy, rady dzielnic i upoważnione organizacje.")
        )
    return user


def _notice_data(form: NoticeForm) -> services.NoticeData:
    data = form.cleaned_data
    texts = {
        code: services.NoticeContent(
            title=data.get(f"title_{code}") or "",
            body=data.get(f"body_{code}") or "",
            easy_read=data.get(f"easy_read_{code}") or "",
            sms_text=data.get(f"sms_text_{code}") or "",
        )
        for code in ("pl", "en", "uk")
    }
    area = None
    if data["scope"] == Scope.AREA and (data.get("area_geojson") or "").strip():
        area = parse_geojson_polygon(data["area_geojson"])
    return services.NoticeData(
        author_kind=data["author_kind"],
        author_label=data["author_label"],
        source_language=data["source_language"],
        texts=texts,
        valid_from=data["valid_from"],
        valid_until=data.get("valid_until"),
        scope=data["scope"],
        districts=list(data.get("districts") or []),
        area=area,
        area_center_lat=data.get("area_center_lat"),
        area_center_lon=data.get("area_center_lon"),
        area_radius_m=data.get("area_radius_m"),
        topics=list(data.get("topics") or []),
        groups=list(data.get("groups") or []),
        urgency=data["urgency"],
        event_start=data.get("event_start"),
        event_end=data.get("event_end"),
        event_location=data.get("event_location") or "",
        channels=list(data.get("channels") or []),
        city_unit=data.get("city_unit"),
    )


def _local(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


def _initial_from(notice: Notice) -> dict[str, Any]:
    import json

    initial: dict[str, Any] = {
        "author_kind": notice.author_kind,
        "author_label": notice.author_label,
        "source_language": notice.source_language,
        "scope": notice.scope,
        "districts": list(notice.districts.all()),
        "area_geojson": json.dumps(notice.area) if notice.area and not notice.area_radius_m else "",
        "area_center_lat": notice.area_center_lat,
        "area_center_lon": notice.area_center_lon,
        "area_radius_m": notice.area_radius_m,
        "topics": from_mask(notice.topics_mask, Topic),
        "groups": from_mask(notice.groups_mask, Group),
        "urgency": notice.urgency,
        "valid_from": _local(notice.valid_from),
        "valid_until": _local(notice.valid_until),
        "event_start": _local(notice.event_start),
        "event_end": _local(notice.event_end),
        "event_location": notice.event_location,
        "channels": notice.channels,
        "city_unit": notice.city_unit_id,
    }
    for text in notice.texts.all():
        initial[f"title_{text.language}"] = text.title
        initial[f"body_{text.language}"] = text.body
        initial[f"easy_read_{text.language}"] = text.easy_read
        initial[f"sms_text_{text.language}"] = text.sms_text
    return initial


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    user = _require_author(request)
    language = translation.get_language() or "pl"
    notices = selectors.notice_list_managed(user=user)
    return render(
        request,
        "communication/manage_list.html",
        {
            "items": _board_items(notices, language),
            "awaiting": _board_items(selectors.notices_awaiting_approval(user=user), language),
            "has_units": bool(permissions.official_unit_ids(user)),
        },
    )


@login_required
def budgets(request: HttpRequest) -> HttpResponse:
    """A unit's officials set its yearly budget for paid sends and see what is spent."""
    from wspolnota.accounts.models import CityUnit

    user = request.user
    assert isinstance(user, User)
    unit_ids = permissions.official_unit_ids(user)
    if not unit_ids:
        raise PermissionDeniedError(_("Budżet wysyłek ustalają urzędnicy jednostki."))
    year = timezone.localdate().year
    form = BudgetForm(
        request.POST if request.method == "POST" else None,
        units=CityUnit.objects.filter(pk__in=unit_ids).order_by("name"),
        initial={"year": year},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.paid_send_budget_set(
                actor=user, city_unit=data["city_unit"], year=data["year"], amount=data["amount"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano budżet."))
            return redirect("communication:budgets")
    return render(
        request,
        "communication/budgets.html",
        {"form": form, "rows": selectors.paid_send_budgets_for(user=user, year=year)},
        status=400 if form.errors else 200,
    )


def _notice_form_page(request: HttpRequest, user: User, notice: Notice | None) -> HttpResponse:
    kinds = permissions.author_kinds_for(user)
    if notice is None:
        initial: dict[str, Any] = {
            "author_kind": kinds[0] if kinds else "",
            "valid_from": _local(timezone.now()),
            "source_language": translation.get_language(),
        }
        units = permissions.official_unit_ids(user)
        if len(units) == 1:
            initial["city_unit"] = next(iter(units))
    else:
        initial = _initial_from(notice)
    form = NoticeForm(
        request.POST if request.method == "POST" else None, initial=initial, author_kinds=kinds
    )
    if request.method == "POST" and form.is_valid():
        try:
            data = _notice_data(form)
            if notice is None:
                saved = services.notice_create(author=user, data=data)
            else:
                saved = services.notice_update(actor=user, notice=notice, data=data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Zapisano szkic ogłoszenia. Sprawdź odbiorców i opublikuj.")
            )
            return redirect("communication:notice_publish", notice_id=saved.pk)
    return render(
        request,
        "communication/notice_form.html",
        {"form": form, "notice": notice, **_map_context()},
        status=400 if form.errors else 200,
    )


@login_required
def notice_create(request: HttpRequest) -> HttpResponse:
    return _notice_form_page(request, _require_author(request), None)


def _managed_notice(request: HttpRequest, notice_id: int) -> tuple[User, Notice]:
    user = _require_author(request)
    notice = Notice.objects.prefetch_related("texts", "districts").filter(pk=notice_id).first()
    if notice is None or not (
        notice.author_id == user.pk or permissions.can_view_notice_report(user, notice)
    ):
        raise Http404
    return user, notice


@login_required
def notice_edit(request: HttpRequest, notice_id: int) -> HttpResponse:
    user, notice = _managed_notice(request, notice_id)
    if not permissions.can_edit_notice(user, notice, at=timezone.now()):
        messages.error(request, _("Opublikowanego ogłoszenia nie można już zmienić."))
        return redirect("communication:notice_detail", notice_id=notice.pk)
    return _notice_form_page(request, user, notice)


@login_required
def notice_publish(request: HttpRequest, notice_id: int) -> HttpResponse:
    user, notice = _managed_notice(request, notice_id)
    error = ""
    if request.method == "POST" and "request_approval" in request.POST:
        try:
            services.notice_request_approval(actor=user, notice=notice)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _("Przekazano do zatwierdzenia urzędnikom jednostki %(unit)s.")
                % {"unit": notice.city_unit.name if notice.city_unit else ""},
            )
            return redirect("communication:notice_publish", notice_id=notice.pk)
    elif request.method == "POST":
        try:
            services.notice_publish(actor=user, notice=notice)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Opublikowano. Wiadomości są wysyłane w tle."))
            return redirect("communication:notice_report", notice_id=notice.pk)
    language = translation.get_language() or "pl"
    return render(
        request,
        "communication/notice_publish.html",
        {
            "notice": notice,
            "text": selectors.text_for(notice, language),
            "summary": selectors.notice_audience_summary(notice=notice),
            "channel_labels": dict(Channel.choices),
            "can_publish": permissions.can_publish_notice(user, notice, at=timezone.now()),
            "can_request_approval": permissions.can_request_approval(
                user, notice, at=timezone.now()
            ),
            "paid_cost": selectors.paid_send_estimate(notice=notice),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def notice_withdraw(request: HttpRequest, notice_id: int) -> HttpResponse:
    user, notice = _managed_notice(request, notice_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_withdraw(actor=user, notice=notice, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Ogłoszenie wycofano; niewysłane wiadomości anulowano."))
            return redirect("communication:notice_report", notice_id=notice.pk)
    language = translation.get_language() or "pl"
    return render(
        request,
        "communication/notice_withdraw.html",
        {
            "form": form,
            "notice": notice,
            "text": selectors.text_for(notice, language),
            "can_withdraw": permissions.can_withdraw_notice(user, notice, at=timezone.now()),
        },
        status=400 if form.errors else 200,
    )


@login_required
def notice_report(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = request.user
    notice = Notice.objects.prefetch_related("texts").filter(pk=notice_id).first()
    if notice is None or not permissions.can_view_notice_report(user, notice):
        raise Http404
    from wspolnota.communication.models import OutboxMessage

    language = translation.get_language() or "pl"
    statuses = list(OutboxMessage.Status.choices)
    rows = selectors.notice_delivery_report(notice=notice)
    return render(
        request,
        "communication/notice_report.html",
        {
            "notice": notice,
            "text": selectors.text_for(notice, language),
            "statuses": statuses,
            "rows": [
                {"row": r, "cells": [r.counts.get(code, 0) for code, _label in statuses]}
                for r in rows
            ],
            "totals": selectors.notice_delivery_totals(notice=notice),
            "channel_labels": dict(Channel.choices),
            "can_print": permissions.can_print_letters(user, notice),
            "can_withdraw": permissions.can_withdraw_notice(user, notice, at=timezone.now()),
        },
    )


@login_required
def notice_letters(request: HttpRequest, notice_id: int) -> HttpResponse:
    user = request.user
    notice = Notice.objects.prefetch_related("texts").filter(pk=notice_id).first()
    if notice is None or not permissions.can_view_notice_report(user, notice):
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            assert isinstance(user, User)
            batch = services.letter_batch_request(actor=user, notice=notice)
        except DomainError as exc:
            error = str(exc)
        else:
            messages.success(
                request,
                _(
                    "Listy (%(count)s) są przygotowywane w tle. Plik do pobrania pojawi się "
                    "poniżej, gdy będzie gotowy."
                )
                % {"count": batch.letter_count},
            )
            return redirect("communication:notice_letters", notice_id=notice.pk)
    language = translation.get_language() or "pl"
    from wspolnota.communication.models import OutboxMessage

    batches = list(LetterBatch.objects.filter(notice=notice).order_by("-created_at"))
    return render(
        request,
        "communication/notice_letters.html",
        {
            "notice": notice,
            "text": selectors.text_for(notice, language),
            "batches": batches,
            "working": any(
                b.status in (LetterBatch.Status.QUEUED, LetterBatch.Status.RENDERING)
                for b in batches
            ),
            "queued": OutboxMessage.objects.filter(
                notice=notice,
                channel=Channel.LETTER,
                status=OutboxMessage.Status.QUEUED,
                letter_batch__isnull=True,
            ).count(),
            "can_print": permissions.can_print_letters(user, notice),
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
def letter_batch_pdf(request: HttpRequest, notice_id: int, batch_id: int) -> HttpResponse:
    batch = (
        LetterBatch.objects.select_related("notice")
        .filter(pk=batch_id, notice_id=notice_id)
        .first()
    )
    if (
        batch is None
        or batch.notice is None
        or not batch.pdf
        or batch.status != LetterBatch.Status.DONE
        or not permissions.can_print_letters(request.user, batch.notice)
    ):
        raise Http404
    is_zip = batch.pdf.name.endswith(".zip")
    return FileResponse(
        batch.pdf.open("rb"),
        content_type="application/zip" if is_zip else "application/pdf",
        as_attachment=is_zip,
        filename=Path(batch.pdf.name).name,
    )
