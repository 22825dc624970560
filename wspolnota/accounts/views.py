from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wspolnota.accounts import login_limits, permissions, selectors, services
from wspolnota.accounts.forms import (
    DeleteAccountForm,
    EmailAuthenticationForm,
    PhoneCodeForm,
    PhoneForm,
    ProfileForm,
    RoleGrantForm,
    SignUpForm,
)
from wspolnota.accounts.models import RoleAssignment, User, normalise_email
from wspolnota.accounts.roles import Role
from wspolnota.core.errors import DomainError
from wspolnota.core.forms import apply_domain_error
from wspolnota.core.ratelimit import rate_limit_wait, rate_limited, sms_request_limited


def _redirect_in_language(user: User, url_name: str) -> HttpResponseRedirect:
    with translation.override(user.preferred_language):
        url = reverse(url_name)
    response = HttpResponseRedirect(url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        user.preferred_language,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
        max_age=365 * 24 * 3600,
    )
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(
        request.POST or None, initial={"preferred_language": translation.get_language()}
    )
    status = 200
    if request.method == "POST":
        if rate_limited(request, group="signup", key="ip", rate=settings.RATE_LIMIT_SIGNUP):
            form.is_valid()
            form.add_error(
                None, _("Zbyt wiele prób rejestracji z tego adresu. Spróbuj ponownie za godzinę.")
            )
            status = 429
        elif form.is_valid() and (
            kept := services.person_conversion_request_online(email=form.cleaned_data["email"])
        ):
            # The address is on a record the city keeps for a person without an account: the
            # record becomes the account (a link, and a code by post), never a second one.
            return render(
                request,
                "accounts/signup_kept.html",
                {
                    "outcome": kept,
                    "email": services.normalise_email(form.cleaned_data["email"]),
                    "help_phone": settings.HELP_PHONE,
                },
            )
        elif form.is_valid():
            try:
                user = services.user_sign_up(
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password1"],
                    full_name=form.cleaned_data["full_name"],
                    district=form.cleaned_data["district"],
                    preferred_language=form.cleaned_data["preferred_language"],
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                login(request, user, backend="wspolnota.accounts.auth.AccountBackend")
                messages.success(request, _("Witamy! Konto zostało założone."))
                return _redirect_in_language(user, "accounts:profile")
        if form.errors:
            status = max(status, 400) if status != 429 else 429
    return render(request, "accounts/signup.html", {"form": form}, status=status)


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


class LoginView(auth_views.LoginView):
    """Log-in by e-mail; failures slow down the one who fails (see ``login_limits``)."""

    authentication_form = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        typed = request.POST.get("username", "")
        wait = login_limits.login_wait(request, typed)
        if wait:
            # Keep what was typed, do not try the password, and say how long to wait.
            form = self.get_form()
            form._errors = ErrorDict()
            form.cleaned_data = {}
            form.add_error(
                None,
                _("Zbyt wiele nieudanych prób logowania. Spróbuj ponownie za %(minutes)s min.")
                % {"minutes": _minutes(wait)},
            )
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: EmailAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            login_limits.login_failed(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)

    def form_valid(self, form: EmailAuthenticationForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        login(self.request, user)
        redirect_to = self.get_redirect_url()
        response = (
            HttpResponseRedirect(redirect_to)
            if redirect_to
            else _redirect_in_language(user, "accounts:profile")
        )
        login_limits.login_succeeded(self.request, response, user.email)
        return response


class OutboxPasswordResetForm(PasswordResetForm):
    """The reset link leaves through the outbox (retried, recorded), like every other message.

    A person kept by the city (no account) never gets one, even with an e-mail on file.
    """

    def get_users(self, email: str) -> Any:
        return (
            user for user in super().get_users(email) if not getattr(user, "kept_by_city", False)
        )

    def send_mail(  # type: ignore[override]
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, object],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        from django.template import loader

        from wspolnota.communication.services import outbox_enqueue_direct

        user = context.get("user")
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        outbox_enqueue_direct(
            kind="accounts.password_reset",
            channel="email",
            to=to_email,
            subject=subject,
            body=body,
            language=getattr(user, "preferred_language", "pl"),
            user=user if isinstance(user, User) else None,
            urgent=True,
            sensitive=True,
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset by e-mail, limited per address and per account so it cannot flood inboxes.

    Over the per-account limit nothing is sent but the page looks the same as when a message
    goes out, as it does for an address without an account: the page never says which is which.
    """

    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if rate_limited(
            request, group="password-reset", key="ip", rate=settings.RATE_LIMIT_SENSITIVE
        ):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Zbyt wiele prób. Spróbuj ponownie później."))
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = normalise_email(form.cleaned_data["email"])
        if rate_limit_wait(
            self.request,
            group="password-reset-account",
            key="email",
            value=email,
            rate=settings.RATE_LIMIT_PASSWORD_RESET,
        ):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password from the e-mailed link proves the account is yours: the browser is
    remembered, so failures by others do not slow down this device's next log-in."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        login_limits.remember_device(self.request, response, form.user.email)
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(user=user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Zapisano zmiany w profilu."))
            return _redirect_in_language(user, "accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "roles": selectors.role_list_for(user=user)},
        status=400 if form.errors else 200,
    )


@login_required
def phone(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    phone_form = PhoneForm(prefix="phone")
    code_form = PhoneCodeForm(prefix="code")
    status = 200
    if request.method == "POST" and "send" in request.POST:
        phone_form = PhoneForm(request.POST, prefix="phone")
        if rate_limited(request, group="sms-code", key="user", rate=settings.RATE_LIMIT_SMS_CODE):
            phone_form.is_valid()
            phone_form.add_error(
                None, _("Wysłaliśmy już kilka kodów. Odczekaj 10 minut, zanim poprosisz o kolejny.")
            )
            status = 429
        elif sms_request_limited(request):
            phone_form.is_valid()
            phone_form.add_error(
                None, _("Z tego adresu wysłano już wiele kodów SMS. Spróbuj ponownie później.")
            )
            status = 429
        elif phone_form.is_valid():
            try:
                services.phone_verification_start(user=user, phone=phone_form.cleaned_data["phone"])
            except DomainError as exc:
                apply_domain_error(phone_form, exc)
                status = 400
            else:
                messages.success(request, _("Wysłaliśmy SMS z kodem. Wpisz go poniżej."))
                return redirect("accounts:phone")
        else:
            status = 400
    elif request.method == "POST" and "confirm" in request.POST:
        code_form = PhoneCodeForm(request.POST, prefix="code")
        if code_form.is_valid():
            try:
                services.phone_verification_confirm(user=user, code=code_form.cleaned_data["code"])
            except DomainError as exc:
                apply_domain_error(code_form, exc)
                status = 400
            else:
                messages.success(request, _("Numer telefonu został potwierdzony."))
                return redirect("accounts:profile")
        else:
            status = 400
    elif request.method == "POST" and "remove" in request.POST:
        services.phone_remove(user=user)
        messages.success(request, _("Usunęliśmy numer telefonu z konta."))
        return redirect("accounts:profile")
    return render(
        request,
        "accounts/phone.html",
        {
            "phone_form": phone_form,
            "code_form": code_form,
            "pending": selectors.phone_verification_pending(user=user),
        },
        status=status,
    )


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Hasło zostało zmienione."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def data_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    payload = services.user_export_data(user=user)
    response = HttpResponse(
        json.dumps(payload, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="wspolnota-moje-dane.json"'
    return response


@login_required
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST":
        if rate_limited(
            request, group="delete-account", key="user", rate=settings.RATE_LIMIT_SENSITIVE
        ):
            form.is_valid()
            form.add_error(None, _("Zbyt wiele prób. Spróbuj ponownie później."))
        elif form.is_valid():
            try:
                services.user_delete(user=user, password=form.cleaned_data["password"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                logout(request)
                messages.success(request, _("Konto zostało usunięte. Dziękujemy za udział."))
                return redirect("core:home")
    return render(
        request,
        "accounts/delete_account.html",
        {"form": form, "retention": settings.RETENTION_DAYS},
        status=400 if form.errors else 200,
    )


@login_required
def role_admin(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_manage_roles(user):
        return render(request, "core/403.html", status=403)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(
                actor=user,
                user=form.cleaned_data["email"],
                role=Role(form.cleaned_data["role"]),
                district=form.cleaned_data["district"],
                city_unit=form.cleaned_data["city_unit"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Nadano rolę."))
            return redirect("accounts:role_admin")
    return render(
        request,
        "accounts/role_admin.html",
        {"form": form, "assignments": selectors.role_assignment_list()},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not permissions.can_manage_roles(user):
        return render(request, "core/403.html", status=403)
    assignment = get_object_or_404(RoleAssignment, pk=pk)
    try:
        services.role_revoke(
            actor=user, assignment=assignment, reason=request.POST.get("reason", "")[:500]
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Odebrano rolę."))
    return redirect("accounts:role_admin")


def conversion_complete(request: HttpRequest, token: str) -> HttpResponse:
    """A person served at the counter opens the link from their e-mail and sets a password:
    their record becomes their account, with all its history (docs/counter.md)."""
    from wspolnota.accounts.forms import ConversionCompleteForm
    from wspolnota.core.forms import apply_domain_error

    conversion = services.person_conversion_get(token=token[:100])
    if conversion is None:
        raise Http404
    needs_code = conversion.method == "letter"
    form = ConversionCompleteForm(
        request.POST if request.method == "POST" else None, needs_code=needs_code
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_conversion_complete(
                token=token[:100],
                password=form.cleaned_data["password1"],
                letter_code=form.cleaned_data.get("letter_code", ""),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("Konto jest gotowe. Zaloguj się adresem e-mail i nowym hasłem.")
            )
            return redirect("accounts:login")
    return render(
        request,
        "accounts/conversion_complete.html",
        {"form": form, "needs_code": needs_code},
        status=400 if form.errors else 200,
    )
