"""The operator's back office: Django's admin, for the platform's administrators only.

It is for support work — find a person, fix a typo in a name, merge a duplicate registry
entry. Anything a service owns an invariant on (ballots, the voter roll, counts and results,
the audit log, projects, roles) is read-only here: those change only through their services.
Every write made here goes into the hash-chained audit log, like every official's change.

Access is decided by the platform's administrator role (``accounts.permissions.has_role``),
never by ``is_staff``: an account flagged as staff without the role gets nothing.
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.permissions import has_role
from wspolnota.accounts.roles import Role
from wspolnota.core.errors import DomainError
from wspolnota.core.services import audit_log_append, snapshot


def is_operator(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and has_role(user, Role.ADMINISTRATOR)
    )


class OperatorSite(admin.AdminSite):
    site_header = _("Wspólnota — zaplecze operatora")
    site_title = _("Zaplecze operatora")
    index_title = _("Obsługa zgłoszeń")
    enable_nav_sidebar = False  # the sidebar needs JavaScript to be usable; the index does not

    def has_permission(self, request: HttpRequest) -> bool:
        return is_operator(request.user)

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        """A signed-in person without the role is refused outright (403), not sent to log in."""
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)  # type: ignore[no-any-return]

        return update_wrapper(guarded, view)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The platform's own log-in (limits, delays); a signed-in non-administrator is refused."""
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))


operator_site = OperatorSite(name="backoffice")


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Permissions from the operator's role; every write goes to the audit log."""

    read_only = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_operator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_operator(request.user) and not self.read_only

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # new things are made by the services' own pages

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _action(self, verb: str) -> str:
        return f"backoffice.{self.model._meta.model_name}_{verb}"

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        with transaction.atomic():
            old = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
            before = snapshot(old) if old is not None else None
            obj.save()
            after = snapshot(obj)
            if after != before:
                audit_log_append(
                    actor=request.user,  # type: ignore[arg-type]
                    action=self._action("changed"),
                    obj=obj,
                    before=before,
                    after=after,
                    reason=str(_("zmiana w zapleczu operatora")),
                )

    # Django's own admin log would keep a second, unchained history: ours is the audit log.
    def log_addition(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def log_change(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def log_deletion(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def log_deletions(self, *args: Any, **kwargs: Any) -> Any:
        return None


class ReadOnlyAdmin(AuditedAdmin):
    read_only = True

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


# --- Registrations -----------------------------------------------------------------------------


def _register() -> None:
    from wspolnota.accounts.models import CityUnit, RoleAssignment, User
    from wspolnota.budget.models import Edition, Project
    from wspolnota.core.models import AuditLogEntry
    from wspolnota.organisations import services as organisation_services
    from wspolnota.organisations.models import Organisation, VerificationStatus
    from wspolnota.territory.models import District
    from wspolnota.voting.models import Ballot, Count, PoolResult, VoterRollEntry, VotingPoint

    @admin.register(User, site=operator_site)
    class UserAdmin(AuditedAdmin):
        """Find a person and fix a typo in their name; the rest is theirs or a service's."""

        list_display = ("email", "full_name", "district", "is_active", "date_joined")
        search_fields = ("email", "full_name", "phone")
        list_filter = ("is_active",)
        fields = (
            "email",
            "full_name",
            "district",
            "preferred_language",
            "phone",
            "phone_confirmed_at",
            "is_active",
            "date_joined",
            "deleted_at",
        )
        readonly_fields = (
            "email",
            "phone",
            "phone_confirmed_at",
            "is_active",
            "date_joined",
            "deleted_at",
        )

    @admin.register(CityUnit, site=operator_site)
    class CityUnitAdmin(AuditedAdmin):
        list_display = ("code", "name")
        search_fields = ("code", "name")
        fields = ("code", "name")
        readonly_fields = ("code",)

    @admin.register(District, site=operator_site)
    class DistrictAdmin(AuditedAdmin):
        list_display = ("number", "name")
        search_fields = ("name",)
        fields = ("number", "name")
        readonly_fields = ("number",)

    @admin.action(description=_("Połącz zaznaczony duplikat z wpisem zweryfikowanym"))
    def merge_duplicate(
        modeladmin: Any, request: HttpRequest, queryset: QuerySet[Organisation]
    ) -> None:
        """Exactly two entries: the verified one keeps, the other joins it (the registry's
        own merge service, with its checks and audit entry)."""
        chosen = list(queryset)
        targets = [o for o in chosen if o.status == VerificationStatus.VERIFIED]
        if len(chosen) != 2 or len(targets) != 1:
            modeladmin.message_user(
                request,
                _("Zaznacz dokładnie dwa wpisy, z których jeden jest zweryfikowany."),
                messages.ERROR,
            )
            return
        target = targets[0]
        source = next(o for o in chosen if o.pk != target.pk)
        try:
            organisation_services.organisation_merge(
                actor=request.user,  # type: ignore[arg-type]
                source=source,
                target=target,
                reason=str(_("Duplikat połączony w zapleczu operatora.")),
            )
        except DomainError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
            return
        modeladmin.message_user(
            request,
            _("Wpis „%(source)s” połączono z „%(target)s”.")
            % {"source": source.name, "target": target.name},
        )

    @admin.register(Organisation, site=operator_site)
    class OrganisationAdmin(AuditedAdmin):
        list_display = ("name", "kind", "status", "krs", "nip", "merged_into")
        search_fields = ("name", "krs", "nip", "regon")
        list_filter = ("status", "kind")
        fields = (
            "name",
            "kind",
            "krs",
            "nip",
            "regon",
            "street_address",
            "postal_code",
            "city",
            "email",
            "phone",
            "website",
            "status",
            "merged_into",
        )
        readonly_fields = ("kind", "krs", "nip", "regon", "status", "merged_into")
        actions = [merge_duplicate]

    # Read-only: services own their invariants.
    for model, columns, search in (
        (RoleAssignment, ("user", "role", "district", "city_unit"), ("user__email",)),
        (Edition, ("name", "year", "is_published"), ("name",)),
        (Project, ("number", "title", "status", "pool"), ("number", "title")),
        (VotingPoint, ("name", "address", "district"), ("name", "address")),
        (VoterRollEntry, ("edition", "channel", "district", "voted_on"), ()),
        (Ballot, ("edition", "district", "channel"), ()),
        (Count, ("edition", "number", "version", "published_at"), ()),
        (PoolResult, ("__str__",), ()),
        (
            AuditLogEntry,
            ("created_at", "actor_label", "action", "object_type", "object_repr"),
            ("action", "object_type", "object_id", "actor_label"),
        ),
    ):
        operator_site.register(
            model,
            type(
                f"{model.__name__}ReadOnlyAdmin",
                (ReadOnlyAdmin,),
                {"list_display": columns, "search_fields": search},
            ),
        )


_register()
