"""Writes of the accounts app: sign-up, profile, phone confirmation, roles, GDPR rights."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts import errors
from wspolnota.accounts.errors import AccountsError
from wspolnota.accounts.models import (
    AccountConversion,
    CityUnit,
    Consent,
    ConversionMethod,
    CounterAccess,
    CounterPurpose,
    PhoneVerification,
    RoleAssignment,
    User,
    normalise_email,
)
from wspolnota.accounts.permissions import can_manage_roles
from wspolnota.accounts.roles import Role
from wspolnota.core.ratelimit import send_quota_take, sms_allowed_prefixes, sms_country_allowed
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District


def user_sign_up(
    *,
    email: str,
    password: str,
    full_name: str = "",
    district: District | None = None,
    preferred_language: str = "pl",
) -> User:
    """Create a resident's account. E-mail is unique regardless of letter case and spaces."""
    email = normalise_email(email)
    if User.objects.filter(email=email).exists():
        raise AccountsError(errors.EMAIL_TAKEN, field="email", code="email_taken")
    candidate = User(email=email, full_name=full_name.strip())
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise AccountsError(" ".join(str(m) for m in exc.messages), field="password1") from None
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name.strip(),
                district=district,
                preferred_language=preferred_language,
            )
    except IntegrityError:
        raise AccountsError(errors.EMAIL_TAKEN, field="email", code="email_taken") from None


def user_profile_update(
    *,
    user: User,
    full_name: str,
    district: District | None,
    preferred_language: str,
    pref_large_text: bool,
    pref_high_contrast: bool,
    pref_easy_read: bool,
) -> User:
    user.full_name = full_name.strip()
    user.district = district
    user.preferred_language = preferred_language
    user.pref_large_text = pref_large_text
    user.pref_high_contrast = pref_high_contrast
    user.pref_easy_read = pref_easy_read
    user.full_clean(exclude=["password", "email"])
    user.save()
    return user


def normalise_mobile(raw: str) -> str:
    """E.164 form of a mobile number; a number without a country code is taken as Polish."""
    try:
        number = phonenumbers.parse(raw, "PL")
    except phonenumbers.NumberParseException:
        raise AccountsError(errors.PHONE_INVALID, field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise AccountsError(errors.PHONE_INVALID, field="phone")
    kind = phonenumbers.number_type(number)
    if kind not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise AccountsError(errors.PHONE_INVALID, field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _code_hash(verification_key: str, code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{verification_key}:{code}".encode(), hashlib.sha256
    ).hexdigest()


def phone_verification_start(*, user: User, phone: str) -> PhoneVerification:
    """Send a 6-digit one-time code by SMS; only a keyed hash of the code is stored.

    The city pays for every SMS and anyone can type any number, so a code goes only to the
    countries in SMS_ALLOWED_COUNTRIES and one number gets at most SMS_DAILY_LIMIT_PER_NUMBER
    messages a day, whoever asks (the views also limit requests per account and per address).
    Earlier pending codes of the user stop working. The SMS leaves after the transaction commits.
    """
    e164 = normalise_mobile(phone)
    if not sms_country_allowed(e164):
        raise AccountsError(
            errors.PHONE_COUNTRY_NOT_ALLOWED,
            params={"prefixes": sms_allowed_prefixes()},
            field="phone",
            code="country_not_allowed",
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        if not send_quota_take(kind="sms", address=e164):
            raise AccountsError(errors.SMS_DAILY_LIMIT, field="phone", code="daily_limit")
        PhoneVerification.objects.filter(user=user, confirmed_at__isnull=True).update(
            expires_at=now
        )
        verification = PhoneVerification(
            user=user,
            phone=e164,
            code_hash="",
            expires_at=now + timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
        verification.save()
        verification.code_hash = _code_hash(str(verification.pk), code)
        verification.save(update_fields=["code_hash"])
        text = str(_("Wspólnota: Twój kod potwierdzający to %(code)s. Nie podawaj go nikomu.")) % {
            "code": code
        }
        # Through the outbox (retried, recorded, sent right after commit); the row's text is
        # erased once it has gone out.
        from wspolnota.communication.services import outbox_enqueue_direct

        outbox_enqueue_direct(
            kind="accounts.phone_code",
            channel="sms",
            to=e164,
            subject="",
            body=text,
            language=user.preferred_language,
            key=f"accounts.phone_code:{verification.pk}",
            user=user,
            urgent=True,
            sensitive=True,
        )
    return verification


def phone_verification_confirm(*, user: User, code: str) -> User:
    """Check the code against the latest pending verification; count every wrong attempt."""
    now = timezone.now()
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, confirmed_at__isnull=True)
            .order_by("-created_at", "-id")
            .first()
        )
        if verification is None:
            raise AccountsError(errors.NO_PENDING_CODE, field="code")
        if (
            verification.expires_at <= now
            or verification.attempts >= settings.SMS_CODE_MAX_ATTEMPTS
        ):
            raise AccountsError(errors.CODE_EXPIRED, field="code")
        expected = _code_hash(str(verification.pk), code.strip())
        if not hmac.compare_digest(expected, verification.code_hash):
            verification.attempts += 1
            verification.save(update_fields=["attempts", "updated_at"])
            wrong = True  # raised below, after the attempt count is committed
        else:
            wrong = False
            verification.confirmed_at = now
            verification.save(update_fields=["confirmed_at", "updated_at"])
            user.phone = verification.phone
            user.phone_confirmed_at = now
            user.save(update_fields=["phone", "phone_confirmed_at"])
    if wrong:
        raise AccountsError(errors.CODE_WRONG, field="code")
    return user


def phone_remove(*, user: User) -> User:
    user.phone = ""
    user.phone_confirmed_at = None
    user.save(update_fields=["phone", "phone_confirmed_at"])
    return user


def role_grant(
    *,
    actor: User,
    user: User,
    role: Role,
    district: District | None = None,
    city_unit: CityUnit | None = None,
) -> RoleAssignment:
    """An administrator gives a role, scoped to a district or a city unit where the role needs it."""
    if not can_manage_roles(actor):
        raise AccountsError(errors.NOT_ALLOWED, code="permission_denied")
    if role == Role.DISTRICT_COUNCILLOR and district is None:
        raise AccountsError(errors.ROLE_SCOPE_DISTRICT, field="district")
    if role in (Role.OFFICIAL, Role.COUNTER_CLERK) and city_unit is None:
        raise AccountsError(errors.ROLE_SCOPE_UNIT, field="city_unit")
    if role != Role.DISTRICT_COUNCILLOR:
        district = None
    if role not in (Role.OFFICIAL, Role.COUNTER_CLERK):
        city_unit = None
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, district=district, city_unit=city_unit, granted_by=actor
            )
            audit_log_append(
                actor=actor,
                action="accounts.role_granted",
                obj=assignment,
                after=snapshot(assignment),
            )
    except IntegrityError:
        raise AccountsError(errors.ROLE_EXISTS, field="role") from None
    return assignment


def _active_administrators_locked() -> list[int]:
    """Ids of the active administrators' role assignments, locked until the transaction ends.

    Locking them all makes two revocations that would each leave one administrator wait for
    each other, so together they cannot leave none.
    """
    return list(
        RoleAssignment.objects.select_for_update()
        .filter(role=Role.ADMINISTRATOR, user__is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def role_revoke(*, actor: User, assignment: RoleAssignment, reason: str = "") -> None:
    """An administrator takes a role back; the platform never ends up without an administrator.

    Nobody revokes their own administrator role (another administrator does, so a slip of the
    mouse cannot lock its holder out), and the last active administrator keeps theirs.
    """
    if not can_manage_roles(actor):
        raise AccountsError(errors.NOT_ALLOWED, code="permission_denied")
    with transaction.atomic():
        if assignment.role == Role.ADMINISTRATOR:
            if assignment.user_id == actor.pk:
                raise AccountsError(errors.OWN_ADMINISTRATOR_ROLE, code="own_administrator_role")
            others = [pk for pk in _active_administrators_locked() if pk != assignment.pk]
            if not others:
                raise AccountsError(errors.LAST_ADMINISTRATOR, code="last_administrator")
        before = snapshot(assignment)
        audit_log_append(
            actor=actor,
            action="accounts.role_revoked",
            object_type="accounts.roleassignment",
            object_id=str(assignment.pk),
            before=before,
            reason=reason,
        )
        assignment.delete()


def administrator_bootstrap(
    *, email: str, password: str | None, full_name: str = "", allow_more: bool = False
) -> User:
    """The first administrator, from the server (``manage.py createadmin``), never from the web.

    A new platform has nobody to grant roles on the Roles page, so whoever runs the server
    creates the first administrator (or makes an existing account one). Once one exists, further
    administrators are granted by an administrator, with their name in the audit log; this path
    then needs ``allow_more`` (all administrators gone). The grant is audit-logged as the system's.
    """
    address = normalise_email(email)
    try:
        validate_email(address)
    except ValidationError:
        raise AccountsError(errors.EMAIL_INVALID, field="email") from None
    with transaction.atomic():
        if _active_administrators_locked() and not allow_more:
            raise AccountsError(errors.ADMINISTRATOR_EXISTS, code="administrator_exists")
        user = User.objects.select_for_update().filter(email=address).first()
        if user is None:
            if not password:
                raise AccountsError(errors.PASSWORD_REQUIRED, field="password")
            candidate = User(email=address, full_name=full_name.strip())
            try:
                validate_password(password, user=candidate)
            except ValidationError as exc:
                raise AccountsError(
                    " ".join(str(m) for m in exc.messages), field="password"
                ) from None
            user = User.objects.create_user(
                email=address, password=password, full_name=full_name.strip()
            )
        elif not user.is_active or user.deleted_at is not None:
            raise AccountsError(errors.ACCOUNT_INACTIVE, field="email")
        if RoleAssignment.objects.filter(user=user, role=Role.ADMINISTRATOR).exists():
            raise AccountsError(errors.ROLE_EXISTS, field="role")
        assignment = RoleAssignment.objects.create(user=user, role=Role.ADMINISTRATOR)
        audit_log_append(
            actor=None,
            action="accounts.role_granted",
            obj=assignment,
            after=snapshot(assignment),
            reason="manage.py createadmin (server operator)",
        )
    return user


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything the platform holds about the person (GDPR art. 15 and 20), as plain data."""
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "full_name": user.full_name,
            "phone": user.phone,
            "phone_confirmed_at": user.phone_confirmed_at.isoformat()
            if user.phone_confirmed_at
            else None,
            "district": str(user.district) if user.district else None,
            "preferred_language": user.preferred_language,
            "accessibility": {
                "large_text": user.pref_large_text,
                "high_contrast": user.pref_high_contrast,
                "easy_read": user.pref_easy_read,
            },
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "kept_by_city": user.kept_by_city,
            "postal_address": {
                "street": user.address_street,
                "postcode": user.address_postcode,
                "city": user.address_city,
            },
            "landline_phone": user.landline_phone,
            "reply_channel": user.reply_channel,
            "last_contact_at": user.last_contact_at.isoformat() if user.last_contact_at else None,
        },
        "roles": [
            {
                "role": a.role,
                "district": str(a.district) if a.district else None,
                "city_unit": str(a.city_unit) if a.city_unit else None,
                "since": a.created_at.isoformat(),
            }
            for a in user.role_assignments.select_related("district", "city_unit")
        ],
        "phone_verifications": [
            {
                "phone": v.phone,
                "sent_at": v.created_at.isoformat(),
                "confirmed_at": v.confirmed_at.isoformat() if v.confirmed_at else None,
            }
            for v in user.phone_verifications.all()
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "channel": c.channel,
                "reply_channel": c.reply_channel,
                "given_at": c.given_at.isoformat(),
                "withdrawn_at": c.withdrawn_at.isoformat() if c.withdrawn_at else None,
            }
            for c in user.consents.all()
        ],
        "retention_days": settings.RETENTION_DAYS,
        "audit_log": _audit_export(user),
        **_registry_personal_data(user),
    }


def _registry_personal_data(user: User) -> dict[str, Any]:
    """Every app's declared personal data (``core.personaldata``), merged with the sections an
    app still builds by hand (``personal_data_exporters``)."""
    from wspolnota.core.personaldata import export_all

    sections: dict[str, Any] = export_all(user)
    sections.pop("accounts", None)  # the account, roles and codes are above
    for section, value in _app_personal_data(user).items():
        if isinstance(value, dict) and isinstance(sections.get(section), dict):
            sections[section] = {**sections[section], **value}
        else:
            sections[section] = value
    return sections


def _audit_export(user: User) -> list[dict[str, Any]]:
    """Audit entries the person made or that are about their account."""
    from django.db.models import Q

    from wspolnota.core.models import AuditLogEntry

    entries = (
        AuditLogEntry.objects.filter(
            Q(actor=user) | Q(object_type="accounts.user", object_id=str(user.pk))
        )
        .select_related("personal")
        .order_by("id")
    )
    return [
        {
            "id": e.pk,
            "created_at": e.created_at.isoformat(),
            "action": e.action,
            "object": f"{e.object_type}#{e.object_id}",
            "description": e.what(),
            "before": e.shown("before"),
            "after": e.shown("after"),
            "reason": e.reason,
        }
        for e in entries
    ]


def _app_personal_data(user: User) -> dict[str, Any]:
    """What each app holds about the person, from its AppConfig's ``personal_data_exporters``.

    An app declares ``personal_data_exporters = {"<section>": "dotted.path.to.function"}``; the
    function takes the user and returns JSON-safe data. Like ``nav_items`` and
    ``indicator_providers``, a later app plugs in without touching this one.
    """
    from importlib import import_module

    from django.apps import apps

    sections: dict[str, Any] = {}
    for config in apps.get_app_configs():
        declared: dict[str, str] = getattr(config, "personal_data_exporters", {}) or {}
        for section, path in declared.items():
            module_path, _sep, name = path.rpartition(".")
            exporter = getattr(import_module(module_path), name)
            sections[section] = exporter(user)
    return sections


def _erase_everywhere(user: User, *, now: Any, reason: str) -> None:
    """Erase or pseudonymise the person in every app (``core.personaldata``), in the audit
    log's side table, and in the account row itself.

    The name an official acted under stays on the audit entries of those acts (public records)
    for ``RETENTION_AUDIT_DAYS``; ``personal_data_purge`` erases it afterwards.
    """
    from wspolnota.core.personaldata import audit_subjects, erase_all
    from wspolnota.core.services import audit_personal_data_erase

    acted_as_official = (
        user.role_assignments.exclude(role=Role.NGO_MEMBER).exists() or user.is_superuser
    )
    subjects = audit_subjects(user)
    needles = [n for n in (user.email, user.phone, user.landline_phone, user.address_street) if n]
    if " " in user.full_name.strip():
        needles.append(user.full_name.strip())
    erase_all(user, now=now)
    audit_personal_data_erase(
        actor_user=None if acted_as_official else user,
        subjects=subjects,
        needles=needles,
        keep_actor=acted_as_official,
        reason=reason,
    )
    _erase_personal_data(user, now=now)


def _erase_personal_data(user: User, *, now: Any) -> None:
    user.phone_verifications.all().delete()
    user.role_assignments.all().delete()
    user.email = f"deleted-{user.pk}-{secrets.token_hex(4)}@deleted.invalid"
    user.full_name = ""
    user.phone = ""
    user.phone_confirmed_at = None
    user.district = None
    user.address_street = user.address_postcode = user.address_city = ""
    user.landline_phone = ""
    user.search_name = user.search_address = ""
    user.last_contact_at = None
    user.is_active = False
    user.deleted_at = now
    user.set_unusable_password()
    user.save()


def user_delete(*, user: User, password: str) -> None:
    """Erase the person's data (GDPR art. 17), keeping only what the law requires.

    The row stays, stripped of personal data, because audit-log entries of acts done in an
    official role must keep pointing at the actor (they are public records). Everything else
    that identifies the person is removed now.
    """
    if not user.check_password(password):
        raise AccountsError(errors.WRONG_PASSWORD, field="password")
    with transaction.atomic():
        had_official_role = user.role_assignments.exists()
        if had_official_role:
            audit_log_append(
                actor=user,
                action="accounts.account_deleted",
                obj=user,
                reason="GDPR art. 17 request by the account holder",
            )
        _erase_everywhere(
            user, now=timezone.now(), reason="GDPR art. 17 request by the account holder"
        )


def personal_data_purge(*, now: Any = None) -> dict[str, int]:
    """Apply every retention period the privacy page names; run daily by the worker or cron.

    - SMS codes: deleted after ``RETENTION_SMS_CODES_DAYS``;
    - accounts unused for ``RETENTION_INACTIVE_ACCOUNT_DAYS`` (last log-in, or sign-up for an
      account never logged in to) are erased everywhere, as if their holder deleted them; a
      person without an account (``kept_by_city``) likewise from a clerk's last act for them
      (``last_contact_at``);
    - the voter roll of an edition: ``RETENTION_VOTER_ROLL_DAYS`` after its vote (voting app);
    - the audit log: names of deleted accounts kept beside entries older than
      ``RETENTION_AUDIT_DAYS`` are erased; the chain itself stays whole;
    - sent, failed and cancelled messages: ``RETENTION_MESSAGES_DAYS`` (communication app);
    - written volunteering agreements: their names, signed file and scan
      ``RETENTION_VOLUNTEER_AGREEMENTS_DAYS`` after they end (community app);
    - printed letter batches (names, addresses, texts): their file goes
      ``RETENTION_LETTER_BATCHES_DAYS`` after rendering, or when the one-time code a batch
      holds expires if that is sooner (communication app).
    """
    from django.db.models.functions import Coalesce

    from wspolnota.core.services import audit_personal_data_erase

    now = now or timezone.now()
    days = settings.RETENTION_DAYS
    codes = PhoneVerification.objects.filter(
        created_at__lt=now - timedelta(days=days["sms_codes"])
    ).delete()[0]
    stale = (
        User.objects.filter(
            deleted_at__isnull=True, is_superuser=False, role_assignments__isnull=True
        )
        # A person without an account never logs in: the clerk's last act for them counts.
        .annotate(last_seen=Coalesce("last_login", "last_contact_at", "date_joined"))
        .filter(last_seen__lt=now - timedelta(days=days["inactive_account"]))
    )
    erased = 0
    for user in stale:
        with transaction.atomic():
            _erase_everywhere(
                user, now=now, reason="retention: account unused (RETENTION_INACTIVE_ACCOUNT_DAYS)"
            )
            erased += 1
    from wspolnota.voting.services import voting_personal_data_purge

    rolls = voting_personal_data_purge(now=now)
    deleted_actors = User.objects.filter(deleted_at__isnull=False)
    audit = audit_personal_data_erase(
        actor_user=None,
        subjects=(),
        needles=(),
        old_actors=deleted_actors,
        before=now - timedelta(days=days["deleted_account_audit"]),
        reason="retention: audit log of deleted accounts (RETENTION_AUDIT_DAYS)",
    )
    from wspolnota.communication.personaldata import messages_purge

    messages = messages_purge(now=now, days=days["messages"])
    from wspolnota.community.personaldata import volunteer_agreements_purge

    agreements = volunteer_agreements_purge(now=now, days=days["volunteer_agreements"])
    from wspolnota.communication.personaldata import letter_batches_purge

    letter_batches = letter_batches_purge(
        now=now,
        days=days["letter_batches"],
        sensitive_days=CONVERSION_LINK_DAYS[ConversionMethod.LETTER],
    )
    return {
        "sms_codes": codes,
        "inactive_accounts": erased,
        "voter_rolls": rolls["editions"],
        "audit_entries": len(audit),
        "messages": messages,
        "volunteer_agreements": agreements,
        "letter_batches": letter_batches,
    }


# --- People without an account, kept by the city (issue 17) -------------------------------------


def normalise_landline(raw: str) -> str:
    """E.164 form of any valid phone number (landline or mobile); a number without a country
    code is taken as Polish."""
    try:
        number = phonenumbers.parse(raw, "PL")
    except phonenumbers.NumberParseException:
        raise AccountsError(errors.LANDLINE_INVALID, field="landline_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise AccountsError(errors.LANDLINE_INVALID, field="landline_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _clean_contact(
    *,
    full_name: str,
    address_street: str,
    address_postcode: str,
    address_city: str,
    landline_phone: str,
    mobile: str,
    email: str,
    reply_channel: str,
) -> dict[str, Any]:
    from wspolnota.accounts.models import ReplyChannel, normalise_postcode

    name = " ".join(full_name.split())
    if not name:
        raise AccountsError(errors.PERSON_NAME_REQUIRED, field="full_name")
    street, city = " ".join(address_street.split()), " ".join(address_city.split())
    postcode = normalise_postcode(address_postcode) if address_postcode.strip() else ""
    if any((street, postcode, city)):
        if not all((street, postcode, city)):
            raise AccountsError(errors.POSTAL_ADDRESS_INCOMPLETE, field="address_street")
        if not re.fullmatch(r"\d{2}-\d{3}", postcode):
            raise AccountsError(errors.POSTCODE_INVALID, field="address_postcode")
    landline = normalise_landline(landline_phone) if landline_phone.strip() else ""
    phone = normalise_mobile(mobile) if mobile.strip() else ""
    address = normalise_email(email) if email.strip() else None
    if address is not None:
        try:
            validate_email(address)
        except ValidationError:
            raise AccountsError(errors.EMAIL_INVALID, field="email") from None
    if not any((street, landline, phone, address)):
        raise AccountsError(errors.PERSON_CONTACT_REQUIRED, field="address_street")
    if reply_channel not in ReplyChannel.values:
        raise AccountsError(errors.PERSON_REPLY_CHANNEL_CONTACT, field="reply_channel")
    reachable = {
        ReplyChannel.LETTER: bool(street),
        ReplyChannel.SMS: bool(phone),
        ReplyChannel.VOICE: bool(landline or phone),
        ReplyChannel.EMAIL: address is not None,
    }
    if not reachable[ReplyChannel(reply_channel)]:
        raise AccountsError(errors.PERSON_REPLY_CHANNEL_CONTACT, field="reply_channel")
    return {
        "full_name": name[:150],
        "address_street": street[:200],
        "address_postcode": postcode,
        "address_city": city[:100],
        "landline_phone": landline,
        "phone": phone,
        "email": address,
        "reply_channel": reply_channel,
    }


def _require_clerk(clerk: User) -> None:
    from wspolnota.accounts.permissions import can_act_for_residents

    if not can_act_for_residents(clerk):
        raise AccountsError(errors.NOT_ALLOWED, code="permission_denied")


def person_create(
    *,
    clerk: User,
    full_name: str,
    district: District | None = None,
    address_street: str = "",
    address_postcode: str = "",
    address_city: str = "",
    landline_phone: str = "",
    mobile: str = "",
    email: str = "",
    reply_channel: str,
    channel: str,
    preferred_language: str = "pl",
) -> User:
    """A clerk records a person without an account, who can never sign in (issue 17).

    The clerk should look for the person first (``selectors.person_find``) and reuse them; an
    e-mail address that has an account is refused (the resident acts from their account).
    """
    from wspolnota.core.onbehalf import CLERK_CHANNELS, Channel

    _require_clerk(clerk)
    if channel not in CLERK_CHANNELS:
        channel = Channel.COUNTER
    data = _clean_contact(
        full_name=full_name,
        address_street=address_street,
        address_postcode=address_postcode,
        address_city=address_city,
        landline_phone=landline_phone,
        mobile=mobile,
        email=email,
        reply_channel=reply_channel,
    )
    if data["email"] and User.objects.filter(email=data["email"]).exists():
        raise AccountsError(errors.EMAIL_BELONGS_TO_ACCOUNT, field="email")
    now = timezone.now()
    try:
        with transaction.atomic():
            person = User(
                **data,
                kept_by_city=True,
                kept_by=clerk,
                district=district,
                preferred_language=preferred_language,
                last_contact_at=now,
            )
            person.set_unusable_password()
            person.save()
            audit_log_append(
                actor=clerk,
                action="accounts.person_created",
                obj=person,
                after=snapshot(person),
                reason=f"channel: {channel}",
            )
            _counter_access_grant(clerk=clerk, people=[person], purpose=CounterPurpose.ACT)
    except IntegrityError:
        raise AccountsError(errors.EMAIL_BELONGS_TO_ACCOUNT, field="email") from None
    return person


def person_update(
    *,
    clerk: User,
    person: User,
    full_name: str,
    district: District | None,
    address_street: str = "",
    address_postcode: str = "",
    address_city: str = "",
    landline_phone: str = "",
    mobile: str = "",
    email: str = "",
    reply_channel: str,
    channel: str,
) -> User:
    """A clerk changes the details of a person without an account (an account holder changes
    their own)."""
    _require_clerk(clerk)
    if not person.kept_by_city or person.deleted_at is not None:
        raise AccountsError(errors.NOT_A_KEPT_PERSON, code="permission_denied")
    data = _clean_contact(
        full_name=full_name,
        address_street=address_street,
        address_postcode=address_postcode,
        address_city=address_city,
        landline_phone=landline_phone,
        mobile=mobile,
        email=email,
        reply_channel=reply_channel,
    )
    if data["email"] and User.objects.filter(email=data["email"]).exclude(pk=person.pk).exists():
        raise AccountsError(errors.EMAIL_BELONGS_TO_ACCOUNT, field="email")
    try:
        with transaction.atomic():
            person = User.objects.select_for_update().get(pk=person.pk)
            before = snapshot(person)
            for name, value in data.items():
                setattr(person, name, value)
            person.district = district
            person.last_contact_at = timezone.now()
            person.save()
            audit_log_append(
                actor=clerk,
                action="accounts.person_updated",
                obj=person,
                before=before,
                after=snapshot(person),
                reason=f"channel: {channel}",
            )
    except IntegrityError:
        raise AccountsError(errors.EMAIL_BELONGS_TO_ACCOUNT, field="email") from None
    return person


def person_touch(*, person: User) -> None:
    """A clerk acted for the person: the retention period of a person without an account runs
    again from now. Apps call it from their act-on-behalf services."""
    if person.kept_by_city:
        User.objects.filter(pk=person.pk).update(last_contact_at=timezone.now())


def consent_record(
    *, clerk: User, person: User, purpose: str, channel: str, reply_channel: str = ""
) -> Consent:
    """Record the person's consent for one purpose, the channel it was given on and the clerk."""
    from wspolnota.accounts.models import ConsentPurpose, ReplyChannel
    from wspolnota.core.onbehalf import Channel

    _require_clerk(clerk)
    if purpose not in ConsentPurpose.values or channel not in Channel.values:
        raise AccountsError(errors.NOT_ALLOWED, field="purpose")
    if reply_channel and reply_channel not in ReplyChannel.values:
        raise AccountsError(errors.PERSON_REPLY_CHANNEL_CONTACT, field="reply_channel")
    try:
        with transaction.atomic():
            consent = Consent.objects.create(
                person=person,
                purpose=purpose,
                channel=channel,
                reply_channel=reply_channel,
                taken_by=clerk,
            )
            audit_log_append(
                actor=clerk,
                action="accounts.consent_recorded",
                obj=consent,
                after=snapshot(consent),
            )
    except IntegrityError:
        raise AccountsError(errors.CONSENT_EXISTS, field="purpose") from None
    person_touch(person=person)
    return consent


def consent_withdraw(*, clerk: User, consent: Consent, channel: str) -> Consent:
    _require_clerk(clerk)
    with transaction.atomic():
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is not None:
            raise AccountsError(errors.CONSENT_NOT_IN_FORCE, field="purpose")
        before = snapshot(consent)
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = clerk
        consent.withdrawn_channel = channel
        consent.save(
            update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_channel", "updated_at"]
        )
        audit_log_append(
            actor=clerk,
            action="accounts.consent_withdrawn",
            obj=consent,
            before=before,
            after=snapshot(consent),
        )
    return consent


def person_export(*, clerk: User, person: User, channel: str) -> dict[str, Any]:
    """A person without an account asks at the counter for their data (GDPR art. 15): the
    clerk hands it over; the hand-over is audit-logged."""
    _require_clerk(clerk)
    if not person.kept_by_city or person.deleted_at is not None:
        raise AccountsError(errors.NOT_A_KEPT_PERSON, code="permission_denied")
    audit_log_append(
        actor=clerk,
        action="accounts.person_data_exported",
        obj=person,
        reason=f"GDPR art. 15 request, channel: {channel}",
    )
    return user_export_data(user=person)


def person_erase(*, clerk: User, person: User, channel: str) -> None:
    """A person without an account asks at the counter to be erased (GDPR art. 17): everything
    goes as when an account holder deletes their account."""
    _require_clerk(clerk)
    if not person.kept_by_city or person.deleted_at is not None:
        raise AccountsError(errors.NOT_A_KEPT_PERSON, code="permission_denied")
    reason = f"GDPR art. 17 request of a person without an account, channel: {channel}"
    with transaction.atomic():
        audit_log_append(actor=clerk, action="accounts.person_erased", obj=person, reason=reason)
        _erase_everywhere(person, now=timezone.now(), reason=reason)


# --- Who a clerk may see at the counter (docs/counter.md) ---------------------------------------


def _counter_access_grant(*, clerk: User, people: list[User], purpose: str) -> None:
    expires = timezone.now() + timedelta(minutes=settings.COUNTER_ACCESS_MINUTES)
    CounterAccess.objects.bulk_create(
        [CounterAccess(clerk=clerk, person=p, purpose=purpose, expires_at=expires) for p in people]
    )


def counter_search(
    *,
    clerk: User,
    purpose: str,
    surname: str,
    phone: str = "",
    postcode: str = "",
    street: str = "",
    email: str = "",
) -> tuple[list[User], bool]:
    """A clerk identifies a caller: the surname and at least one more detail must match.

    The people found (at most ``selectors.COUNTER_SEARCH_LIMIT``; more lists nobody) may be
    opened by this clerk for ``COUNTER_ACCESS_MINUTES``. Every search is audit-logged with
    its purpose, which details were given (not their values) and the ids found: the log says
    who looked whom up and why, and holds no personal data. Returns ``(people, too_many)``.
    """
    from wspolnota.accounts.permissions import can_use_counter
    from wspolnota.accounts.selectors import person_identify

    if not can_use_counter(clerk):
        raise AccountsError(errors.NOT_ALLOWED, code="permission_denied")
    purpose = CounterPurpose(purpose)
    given = {"phone": phone, "postcode": postcode, "street": street, "email": email}
    people, too_many = person_identify(
        surname=surname, phone=phone, postcode=postcode, street=street, email=email
    )
    with transaction.atomic():
        _counter_access_grant(clerk=clerk, people=people, purpose=purpose)
        audit_log_append(
            actor=clerk,
            action="accounts.counter_search",
            object_type="accounts.user",
            after={
                "purpose": str(purpose),
                "details": sorted(["surname", *(k for k, v in given.items() if v.strip())]),
                "found": [p.pk for p in people],
                "too_many": too_many,
            },
        )
    return people, too_many


def counter_duplicates_shown(*, clerk: User, people: list[User]) -> None:
    """Possible duplicates shown while recording a person (the clerk typed their name and
    contact: as identifying as a search) may be opened; logged like a search."""
    if not people:
        return
    with transaction.atomic():
        _counter_access_grant(clerk=clerk, people=people, purpose=CounterPurpose.ACT)
        audit_log_append(
            actor=clerk,
            action="accounts.counter_search",
            object_type="accounts.user",
            after={
                "purpose": str(CounterPurpose.ACT),
                "details": ["duplicates"],
                "found": [p.pk for p in people],
                "too_many": False,
            },
        )


def counter_person_open(*, clerk: User, person: User) -> CounterAccess:
    """A clerk opens a person's counter page: allowed only with a live access from their own
    search (``permissions.can_see_person``); audit-logged with the purpose of that search."""
    from wspolnota.accounts.permissions import can_see_person

    if not can_see_person(clerk, person):
        raise AccountsError(errors.COUNTER_FIND_FIRST, code="permission_denied")
    access = (
        CounterAccess.objects.filter(clerk=clerk, person=person, expires_at__gt=timezone.now())
        .order_by("-created_at", "-pk")
        .first()
    )
    assert access is not None
    audit_log_append(
        actor=clerk,
        action="accounts.counter_person_opened",
        object_type="accounts.user",
        object_id=str(person.pk),
        after={"purpose": access.purpose},
    )
    return access


# --- A kept person becomes an account holder (docs/counter.md) ----------------------------------

CONVERSION_LINK_DAYS = {ConversionMethod.COUNTER: 7, ConversionMethod.LETTER: 30}
CONVERSION_CODE_ATTEMPTS = 5
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _secret_hash(value: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"conversion:{value}".encode(), hashlib.sha256).hexdigest()


def _letter_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def _normal_code(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", value.upper())


def person_conversion_start(
    *,
    clerk: User,
    person: User,
    email: str,
    method: str,
    identity_checked: bool = False,
    channel: str,
) -> AccountConversion:
    """A clerk starts turning a person kept by the city into an account holder.

    Nothing changes on the person yet. A link goes to ``email`` (the person proves they read
    it); their identity is confirmed by the clerk at the counter (``method="counter"``, only
    with ``identity_checked``: a document was shown) or by a one-time code sent by letter to
    the postal address on record (``"letter"``: for a caller on the phone). A new start
    cancels an earlier pending one. Audit-logged without the address.
    """
    from wspolnota.accounts.permissions import can_see_person

    if not can_see_person(clerk, person):
        raise AccountsError(errors.COUNTER_FIND_FIRST, code="permission_denied")
    if not person.kept_by_city:
        raise AccountsError(errors.NOT_A_KEPT_PERSON, code="permission_denied")
    method = ConversionMethod(method)
    address = normalise_email(email)
    try:
        validate_email(address)
    except ValidationError:
        raise AccountsError(errors.EMAIL_INVALID, field="email") from None
    if User.objects.filter(email=address).exclude(pk=person.pk).exists():
        raise AccountsError(errors.EMAIL_BELONGS_TO_ACCOUNT, field="email")
    if method == ConversionMethod.COUNTER and not identity_checked:
        raise AccountsError(errors.CONVERSION_IDENTITY_UNCHECKED, field="identity_checked")
    if method == ConversionMethod.LETTER and not person.postal_address_lines:
        raise AccountsError(errors.CONVERSION_NO_POSTAL_ADDRESS, field="method")
    return _conversion_begin(
        person=person,
        address=address,
        method=method,
        started_by=clerk,
        audit_actor=clerk,
        action="accounts.person_conversion_started",
        channel=str(channel),
    )


def _conversion_begin(
    *,
    person: User,
    address: str,
    method: ConversionMethod,
    started_by: User | None,
    audit_actor: User | None,
    action: str,
    channel: str,
) -> AccountConversion:
    """Start a conversion (checks done by the caller): earlier pending ones are cancelled, the
    link goes to ``address`` and, with the letter method, the code by post to the address on
    record. Only hashes of the token and the code are kept; audit-logged without the address."""
    from django.urls import reverse
    from django.utils import translation
    from django.utils.translation import gettext

    from wspolnota.communication.services import outbox_enqueue_direct, reply_to_person

    token = secrets.token_urlsafe(32)
    code = _letter_code() if method == ConversionMethod.LETTER else ""
    now = timezone.now()
    with transaction.atomic():
        AccountConversion.objects.filter(
            person=person, completed_at__isnull=True, cancelled_at__isnull=True
        ).update(cancelled_at=now)
        conversion = AccountConversion.objects.create(
            person=person,
            email=address,
            method=method,
            started_by=started_by,
            confirmed_by=started_by if method == ConversionMethod.COUNTER else None,
            token_hash=_secret_hash(token),
            letter_code_hash=_secret_hash(_normal_code(code)) if code else "",
            expires_at=now + timedelta(days=CONVERSION_LINK_DAYS[method]),
        )
        audit_log_append(
            actor=audit_actor,
            action=action,
            object_type="accounts.user",
            object_id=str(person.pk),
            after={"method": str(method), "channel": channel, "conversion": conversion.pk},
        )
        link = settings.SITE_URL + reverse("accounts:conversion_complete", args=[token])
        with translation.override(person.preferred_language or "pl"):
            outbox_enqueue_direct(
                kind="accounts.conversion_link",
                channel="email",
                to=address,
                subject=gettext("Twoje konto na platformie Wspólnota"),
                body=gettext(
                    "Dzień dobry,\n\nna Pani/Pana prośbę zakładamy konto na platformie "
                    "Wspólnota, z całą historią spraw załatwionych dotąd w okienku lub przez "
                    "telefon. Aby je założyć, otwórz ten link i ustaw hasło:\n\n%(link)s\n\n"
                    "Link jest ważny do %(until)s. Jeśli to nie Ty, zignoruj tę wiadomość."
                )
                % {
                    "link": link,
                    "until": timezone.localtime(conversion.expires_at).strftime("%d.%m.%Y"),
                },
                language=person.preferred_language or "pl",
                user=person,
                urgent=True,
                sensitive=True,
            )
            if code:
                reply_to_person(
                    person=person,
                    subject=gettext("Kod do założenia konta"),
                    body=gettext(
                        "Na Pani/Pana prośbę zakładamy konto na platformie Wspólnota. Link "
                        "wysłaliśmy e-mailem; po jego otwarciu wpisz ten kod: %(code)s\n\n"
                        "Kod potwierdza, że mieszka Pani/Pan pod tym adresem. Jeśli nie prosiła "
                        "Pani/nie prosił Pan o konto, prosimy o telefon do urzędu."
                    )
                    % {"code": code},
                    kind="accounts.conversion_code",
                    by_letter=True,
                    # Erased from the outbox once printed; the batch's file goes with the code.
                    sensitive=True,
                )
    return conversion


def person_conversion_request_online(*, email: str) -> str | None:
    """Someone signs up online with an e-mail address the city keeps for a person without an
    account (given to a clerk at the counter or on the phone).

    The sign-up must neither refuse them for good ("this address has an account": there is no
    password to reset) nor make a second record, nor hand the record to whoever knows the
    address. So it starts the conversion a clerk starts for a caller: the link to the address
    and a one-time code by letter to the postal address on record
    (``ConversionMethod.LETTER``). Returns None when no kept person has the address, else:

    - ``"letter_sent"``: the link and the letter are on their way;
    - ``"pending"``: a conversion is already under way, nothing more is sent (no stream of
      letters to a person's home by anyone who types their address);
    - ``"counter"``: no full postal address on record: come to the counter with a document.
    """
    address = normalise_email(email)
    found = User.objects.filter(
        email=address, kept_by_city=True, deleted_at__isnull=True, is_active=True
    ).first()
    if found is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=found.pk)
        if not person.kept_by_city or person.deleted_at is not None:
            return None
        if AccountConversion.objects.filter(
            person=person,
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now,
        ).exists():
            return "pending"
        if not person.postal_address_lines:
            return "counter"
        _conversion_begin(
            person=person,
            address=address,
            method=ConversionMethod.LETTER,
            started_by=None,
            audit_actor=None,
            action="accounts.person_conversion_requested_online",
            channel="online",
        )
    return "letter_sent"


def person_conversion_get(*, token: str) -> AccountConversion | None:
    """The pending conversion a link stands for (None: unknown, used, cancelled or expired)."""
    return (
        AccountConversion.objects.filter(
            token_hash=_secret_hash(token),
            completed_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=timezone.now(),
            person__deleted_at__isnull=True,
            person__kept_by_city=True,
        )
        .select_related("person")
        .first()
    )


def person_conversion_complete(*, token: str, password: str, letter_code: str = "") -> User:
    """The person opened the link (they control the e-mail) and sets a password; with the
    letter method they also type the code from the letter. The kept row itself becomes the
    account: same id, so every participation, consent and subscription stays theirs, and no
    second user row exists. Audit-logged (the person is the actor)."""
    conversion = person_conversion_get(token=token)
    if conversion is None:
        raise AccountsError(errors.CONVERSION_LINK_INVALID, code="not_found")
    person = conversion.person
    try:
        validate_password(password, user=person)
    except ValidationError as exc:
        raise AccountsError(" ".join(str(m) for m in exc.messages), field="password1") from None
    if conversion.method == ConversionMethod.LETTER:
        if conversion.attempts >= CONVERSION_CODE_ATTEMPTS:
            raise AccountsError(errors.CONVERSION_CODE_ATTEMPTS, field="letter_code")
        if not hmac.compare_digest(
            _secret_hash(_normal_code(letter_code)), conversion.letter_code_hash
        ):
            AccountConversion.objects.filter(pk=conversion.pk).update(attempts=F("attempts") + 1)
            raise AccountsError(errors.CONVERSION_CODE_WRONG, field="letter_code")
    with transaction.atomic():
        locked = (
            AccountConversion.objects.select_for_update()
            .filter(pk=conversion.pk, completed_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        person = User.objects.select_for_update().get(pk=person.pk)
        if locked is None or not person.kept_by_city or person.deleted_at is not None:
            raise AccountsError(errors.CONVERSION_LINK_INVALID, code="not_found")
        if User.objects.filter(email=locked.email).exclude(pk=person.pk).exists():
            raise AccountsError(errors.EMAIL_BELONGS_TO_ACCOUNT, field="password1")
        person.email = locked.email
        person.kept_by_city = False
        person.is_active = True
        person.set_password(password)
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            raise AccountsError(errors.EMAIL_BELONGS_TO_ACCOUNT, field="password1") from None
        locked.completed_at = timezone.now()
        locked.save(update_fields=["completed_at", "updated_at"])
        audit_log_append(
            actor=person,
            action="accounts.person_converted",
            object_type="accounts.user",
            object_id=str(person.pk),
            after={
                "method": locked.method,
                "conversion": locked.pk,
                "confirmed_by": locked.confirmed_by_id,
            },
        )
    return person
