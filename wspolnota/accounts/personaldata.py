"""Personal data held by the accounts and core apps (see ``core.personaldata``)."""

from __future__ import annotations

from typing import Any

from wspolnota.core.personaldata import DELETE, KEEP, PSEUDONYMISE, PersonalData, register


def _nothing(*_args: Any) -> Any:
    return []


def _erase_admin_log(user: Any, now: Any) -> int:
    """The back office's own log: entries about the person's account go (the audit log keeps
    the chain); entries the person made as an operator stay, under the nameless account."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType

    about = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()), object_id=str(user.pk)
    )
    return int(about.delete()[0])


register(
    PersonalData(
        "admin.LogEntry",
        official_fields=("user",),
        erase=KEEP,
        reason="the operator's acts in the back office; entries about the person's own account "
        "are deleted",
        eraser=_erase_admin_log,
    ),
    PersonalData(
        "accounts.User",
        personal_fields=(
            "email",
            "full_name",
            "phone",
            "phone_confirmed_at",
            "address_street",
            "address_postcode",
            "address_city",
            "landline_phone",
            "search_name",
            "search_address",
            "last_contact_at",
        ),
        official_fields=("kept_by",),
        erase=PSEUDONYMISE,
        reason=(
            "The row stays as a pseudonymous id, stripped of e-mail, name, phones and postal "
            "address by "
            "accounts.services._erase_personal_data, so public records and audit entries keep "
            "pointing at one 'deleted account'. Exported in the 'account' section."
        ),
        exporter=_nothing,
        eraser=lambda user, now: 0,
    ),
    PersonalData(
        "accounts.RoleAssignment",
        user_fields=("user",),
        official_fields=("granted_by",),
        erase=DELETE,
        exporter=_nothing,  # exported in the 'roles' section
    ),
    PersonalData(
        "accounts.Consent",
        user_fields=("person",),
        official_fields=("taken_by", "withdrawn_by"),
        erase=DELETE,
        reason="a consent is proof only while the person's data is kept",
        exporter=_nothing,  # exported in the 'consents' section
    ),
    PersonalData(
        "accounts.AccountConversion",
        user_fields=("person",),
        personal_fields=("email",),
        official_fields=("started_by", "confirmed_by"),
        erase=DELETE,
        reason="a pending or finished change of a kept person into an account holder",
    ),
    PersonalData(
        "accounts.CounterAccess",
        user_fields=("person",),
        official_fields=("clerk",),
        erase=DELETE,
        reason="which clerk may open the person's counter page, for an hour; the audit log "
        "keeps who looked them up and why",
    ),
    PersonalData(
        "accounts.PhoneVerification",
        user_fields=("user",),
        match_fields=(("phone", "phone"),),
        personal_fields=("phone",),
        erase=DELETE,
        exporter=_nothing,  # exported in the 'phone_verifications' section
    ),
    PersonalData(
        "core.AuditLogEntry",
        official_fields=("actor",),
        erase=KEEP,
        reason=(
            "The chain is never rewritten; the names, addresses and other personal values of "
            "an entry live in core.AuditPersonalData and are erased there "
            "(core.services.audit_personal_data_erase). Exported in the 'audit_log' section."
        ),
        exporter=_nothing,
    ),
)
