"""Writes of the registry: registering applicants, their people, members and documents, and
verification by officials (every official's decision goes to the audit log)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from stdnum.pl import nip as stdnum_nip
from stdnum.pl import regon as stdnum_regon

from wspolnota.accounts.models import User
from wspolnota.communication.notifications import notify
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.parsing import MAX_ID, is_number
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.organisations import errors, permissions, rules
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.files import check_upload
from wspolnota.organisations.models import (
    KRS_LEGAL_FORMS,
    Membership,
    MembershipRole,
    Organisation,
    OrganisationArea,
    OrganisationDocument,
    OrganisationKind,
    OrganisationPerson,
    PersonRole,
    VerificationStatus,
)
from wspolnota.territory.models import District

_POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$")
# Changing one of these on a verified entry sends it back for verification.
KEY_FIELDS = ("name", "kind", "legal_form", "krs", "nip", "regon")
ROLES_BY_KIND = {
    OrganisationKind.NGO: {PersonRole.BOARD_MEMBER},
    OrganisationKind.INFORMAL_GROUP: {PersonRole.GROUP_LEADER, PersonRole.GROUP_MEMBER},
    OrganisationKind.INDIVIDUAL: {PersonRole.APPLICANT, PersonRole.GUARDIAN},
}


def _digits(value: str) -> str:
    return re.sub(r"[\s\-.]", "", value or "")


def krs_normalise(krs: str, *, legal_form: str) -> str:
    """KRS: 10 digits, zero-padded, no check digit; required for forms in the court register."""
    krs = _digits(krs)
    if krs:
        if len(krs) > 10 or not is_number(krs, max_value=MAX_ID) or int(krs) == 0:
            raise OrganisationsError(errors.KRS_INVALID, field="krs", code="krs_invalid")
        return krs.zfill(10)
    if legal_form in KRS_LEGAL_FORMS:
        raise OrganisationsError(errors.KRS_REQUIRED, field="krs", code="krs_required")
    return ""


def nip_normalise(nip: str) -> str:
    """NIP: 10 digits with a weighted check digit (python-stdnum), an optional PL prefix."""
    nip = _digits(nip).upper().removeprefix("PL")
    if not nip:
        raise OrganisationsError(errors.NIP_REQUIRED, field="nip", code="nip_required")
    if not stdnum_nip.is_valid(nip):
        raise OrganisationsError(errors.NIP_INVALID, field="nip", code="nip_invalid")
    return str(stdnum_nip.compact(nip))


def regon_normalise(regon: str) -> str:
    """REGON: 9 or 14 digits with a check digit; a 14-digit one padded with 00000 becomes 9."""
    regon = _digits(regon)
    if not regon:
        raise OrganisationsError(errors.REGON_REQUIRED, field="regon", code="regon_required")
    # The court register prints a 9-digit REGON padded with 00000 to 14 digits.
    if len(regon) == 14 and regon.endswith("00000") and stdnum_regon.is_valid(regon[:9]):
        return regon[:9]
    if not stdnum_regon.is_valid(regon):
        raise OrganisationsError(errors.REGON_INVALID, field="regon", code="regon_invalid")
    return str(stdnum_regon.compact(regon))


def identifiers_normalise(
    *, kind: str, legal_form: str, krs: str, nip: str, regon: str
) -> tuple[str, str, str, str]:
    """Check the legal form, KRS, NIP and REGON and return them in their compact form.

    Only NGOs carry identifiers; informal groups and individuals have none.
    """
    if kind != OrganisationKind.NGO:
        return "", "", "", ""
    if not legal_form:
        raise OrganisationsError(errors.LEGAL_FORM_REQUIRED, field="legal_form")
    return (
        legal_form,
        krs_normalise(krs, legal_form=legal_form),
        nip_normalise(nip),
        regon_normalise(regon),
    )


HOLDS_IDENTIFIERS = (VerificationStatus.VERIFIED, VerificationStatus.SUSPENDED)


def _check_unique(organisation_id: int | None, *, krs: str, nip: str) -> None:
    """KRS and NIP are unique among verified entries only: an unverified entry with the same
    number does not block the real organisation, whose entry the office then verifies."""
    others = (
        Organisation.objects.exclude(pk=organisation_id)
        if organisation_id
        else Organisation.objects
    ).filter(status__in=HOLDS_IDENTIFIERS)
    if krs and others.filter(krs=krs).exists():
        raise OrganisationsError(errors.KRS_TAKEN, field="krs", code="krs_taken")
    if nip and others.filter(nip=nip).exists():
        raise OrganisationsError(errors.NIP_TAKEN, field="nip", code="nip_taken")


def _validate(obj: Any, *, exclude: list[str] | None = None) -> None:
    """``full_clean()`` whose errors become the app's domain error, naming the first bad field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise OrganisationsError(
            " ".join(messages), field=None if field == NON_FIELD_ERRORS else field
        ) from None


def _check_postal_code(postal_code: str) -> str:
    postal_code = postal_code.strip()
    if postal_code and not _POSTAL_CODE.match(postal_code):
        raise OrganisationsError(errors.POSTAL_CODE_INVALID, field="postal_code")
    return postal_code


def _set_areas(organisation: Organisation, areas: Iterable[str]) -> None:
    wanted = set(areas)
    organisation.areas.exclude(area__in=wanted).delete()
    existing = set(organisation.areas.values_list("area", flat=True))
    OrganisationArea.objects.bulk_create(
        [OrganisationArea(organisation=organisation, area=a) for a in sorted(wanted - existing)]
    )


def _check_birth_date(birth_date: date | None, *, required: bool) -> None:
    if birth_date is None:
        if required:
            raise OrganisationsError(errors.BIRTH_DATE_REQUIRED, field="birth_date")
        return
    if birth_date > timezone.localdate():
        raise OrganisationsError(errors.BIRTH_DATE_FUTURE, field="birth_date")


def organisation_register(
    *,
    user: User,
    kind: str,
    name: str,
    legal_form: str = "",
    krs: str = "",
    nip: str = "",
    regon: str = "",
    public_benefit_status: bool = False,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    email: str = "",
    phone: str = "",
    website: str = "",
    description: str = "",
    districts: Iterable[District] = (),
    areas: Iterable[str] = (),
    birth_date: date | None = None,
    on_behalf: OnBehalf | None = None,
) -> Organisation:
    """Enter an applicant in the registry; the person registering becomes its representative.

    An individual applicant is entered together with the person themself (their birth date
    decides eligibility for youth micro-grants). The entry starts as ``new``: its people and
    documents are added before asking officials to verify it.

    With ``on_behalf`` a clerk keys in a registration that came on paper or at a counter, for
    ``user`` — the person who represents the NGO or leads the group, often without an
    account. The same checks apply (identifiers, address, birth date); the channel and the
    clerk are recorded and the act is audit-logged. The clerks may then go on keying the
    entry's people and documents for the person (``permissions.can_manage_organisation``).
    """
    if on_behalf is not None:
        if not permissions.can_register_for_person(on_behalf.clerk):
            raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    elif not permissions.can_register_organisation(user):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    legal_form, krs, nip, regon = identifiers_normalise(
        kind=kind, legal_form=legal_form, krs=krs, nip=nip, regon=regon
    )
    if kind == OrganisationKind.INDIVIDUAL:
        _check_birth_date(birth_date, required=True)
    organisation = Organisation(
        kind=kind,
        name=name.strip(),
        legal_form=legal_form,
        krs=krs,
        nip=nip,
        regon=regon,
        public_benefit_status=public_benefit_status and kind == OrganisationKind.NGO,
        street_address=street_address.strip(),
        postal_code=_check_postal_code(postal_code),
        city=city.strip(),
        email=email.strip(),
        phone=phone.strip(),
        website=website.strip(),
        description=description.strip(),
        created_by=user,
        **act_fields(on_behalf),
    )
    _check_unique(None, krs=krs, nip=nip)
    _validate(organisation, exclude=["created_by", "keyed_by"])
    try:
        with transaction.atomic():
            organisation.save()
            organisation.districts.set(list(districts))
            _set_areas(organisation, areas)
            Membership.objects.create(
                organisation=organisation,
                user=user,
                role=MembershipRole.REPRESENTATIVE,
                added_by=on_behalf.clerk if on_behalf else user,
            )
            if kind == OrganisationKind.INDIVIDUAL:
                OrganisationPerson.objects.create(
                    organisation=organisation,
                    full_name=organisation.name,
                    role=PersonRole.APPLICANT,
                    may_represent=True,
                    birth_date=birth_date,
                    email=user.email or "",
                    # The person without an account is reached by the phone they gave.
                    phone=(user.phone or user.landline_phone) if on_behalf else "",
                    user=user,
                )
            if on_behalf is not None:
                audit_log_append(
                    actor=on_behalf.clerk,
                    action="organisations.registered_on_behalf",
                    obj=organisation,
                    after={**snapshot(organisation), "channel": str(on_behalf.channel)},
                    reason=f"for person #{user.pk}",
                )
    except IntegrityError:
        _check_unique(None, krs=krs, nip=nip)
        raise
    return organisation


def organisation_update(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    legal_form: str = "",
    krs: str = "",
    nip: str = "",
    regon: str = "",
    public_benefit_status: bool = False,
    street_address: str = "",
    postal_code: str = "",
    city: str = "",
    email: str = "",
    phone: str = "",
    website: str = "",
    description: str = "",
    districts: Iterable[District] = (),
    areas: Iterable[str] = (),
) -> Organisation:
    """Change the profile. A change of name or identifiers of a verified entry sends it back
    to officials for verification, because grants are awarded on the strength of that check."""
    if not permissions.can_manage_organisation(actor, organisation):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    legal_form, krs, nip, regon = identifiers_normalise(
        kind=organisation.kind, legal_form=legal_form, krs=krs, nip=nip, regon=regon
    )
    before = snapshot(organisation)
    organisation.name = name.strip()
    organisation.legal_form = legal_form
    organisation.krs = krs
    organisation.nip = nip
    organisation.regon = regon
    organisation.public_benefit_status = public_benefit_status and organisation.is_ngo
    organisation.street_address = street_address.strip()
    organisation.postal_code = _check_postal_code(postal_code)
    organisation.city = city.strip()
    organisation.email = email.strip()
    organisation.phone = phone.strip()
    organisation.website = website.strip()
    organisation.description = description.strip()
    key_changed = any(before.get(f) != getattr(organisation, f) for f in KEY_FIELDS)
    reverify = key_changed and organisation.status == VerificationStatus.VERIFIED
    if reverify:
        organisation.status = VerificationStatus.PENDING
        organisation.status_changed_at = timezone.now()
    _check_unique(organisation.pk, krs=krs, nip=nip)
    _validate(organisation, exclude=["created_by"])
    with transaction.atomic():
        organisation.save()
        organisation.districts.set(list(districts))
        _set_areas(organisation, areas)
        if organisation.kind == OrganisationKind.INDIVIDUAL:
            organisation.people.filter(role=PersonRole.APPLICANT).update(
                full_name=organisation.name
            )
        if reverify:
            audit_log_append(
                actor=actor,
                action="organisations.reverification_required",
                obj=organisation,
                before=before,
                after=snapshot(organisation),
                reason="key data changed by the applicant",
            )
    return organisation


def person_add(
    *,
    actor: User,
    organisation: Organisation,
    full_name: str,
    role: str,
    function: str = "",
    may_represent: bool = False,
    birth_date: date | None = None,
    email: str = "",
    phone: str = "",
) -> OrganisationPerson:
    """Name a person in the applicant's records: a board member, a group member, a guardian."""
    if not permissions.can_manage_organisation(actor, organisation):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    if (
        role not in ROLES_BY_KIND[OrganisationKind(organisation.kind)]
        or role == PersonRole.APPLICANT
    ):
        raise OrganisationsError(errors.ROLE_NOT_FOR_KIND, field="role")
    needs_birth_date = organisation.kind != OrganisationKind.NGO
    _check_birth_date(birth_date, required=needs_birth_date)
    person = OrganisationPerson(
        organisation=organisation,
        full_name=full_name.strip(),
        role=role,
        function=function.strip(),
        may_represent=may_represent or role == PersonRole.GROUP_LEADER,
        birth_date=birth_date,
        email=email.strip(),
        phone=phone.strip(),
    )
    if role == PersonRole.GUARDIAN and not rules.is_adult(person, timezone.localdate()):
        raise OrganisationsError(errors.GUARDIAN_ADULT, field="birth_date")
    if role == PersonRole.GROUP_LEADER and organisation.people.filter(role=role).exists():
        raise OrganisationsError(errors.GROUP_NEEDS_ONE_LEADER, field="role")
    _validate(person)
    person.save()
    return person


def person_remove(*, actor: User, person: OrganisationPerson) -> None:
    if not permissions.can_manage_organisation(actor, person.organisation):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    if person.role == PersonRole.APPLICANT:
        raise OrganisationsError(errors.ROLE_NOT_FOR_KIND, code="applicant_stays")
    person.delete()


def membership_add(*, actor: User, organisation: Organisation, email: str, role: str) -> Membership:
    """Let another account act for the applicant (the person must have an account already)."""
    if not permissions.can_manage_organisation(actor, organisation):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise OrganisationsError(errors.USER_NOT_FOUND, field="email", code="user_not_found")
    if Membership.objects.filter(organisation=organisation, user=user).exists():
        raise OrganisationsError(errors.ALREADY_MEMBER, field="email", code="already_member")
    membership = Membership(organisation=organisation, user=user, role=role, added_by=actor)
    _validate(membership)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError:
        raise OrganisationsError(errors.ALREADY_MEMBER, field="email") from None
    return membership


def membership_remove(*, actor: User, membership: Membership) -> None:
    """Remove a member; a representative may leave too, but never the last one."""
    organisation = membership.organisation
    leaving_self = membership.user_id == actor.pk
    if not (permissions.can_manage_organisation(actor, organisation) or leaving_self):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    with transaction.atomic():
        representatives = list(
            Membership.objects.select_for_update()
            .filter(organisation=organisation, role=MembershipRole.REPRESENTATIVE)
            .values_list("pk", flat=True)
        )
        if membership.role == MembershipRole.REPRESENTATIVE and representatives == [membership.pk]:
            raise OrganisationsError(errors.LAST_REPRESENTATIVE, code="last_representative")
        membership.delete()


def document_add(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    title: str,
    upload: UploadedFile[bytes],
    is_public: bool = False,
) -> OrganisationDocument:
    """File a document (statute, register extract, group declaration, guardian's consent…)."""
    if not permissions.can_manage_organisation(actor, organisation):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    checked = check_upload(upload)
    document = OrganisationDocument(
        organisation=organisation,
        kind=kind,
        title=title.strip() or checked.name,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        is_public=is_public,
        uploaded_by=actor,
    )
    _validate(document, exclude=["file"])
    document.file.save(checked.name, upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


def document_remove(*, actor: User, document: OrganisationDocument) -> None:
    if not permissions.can_manage_organisation(actor, document.organisation):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    stored = document.file.name or ""
    storage = document.file.storage
    document.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def organisation_request_verification(
    *, actor: User, organisation: Organisation, at: datetime | None = None
) -> Organisation:
    """Ask officials to verify the entry once nothing required is missing."""
    if not permissions.can_manage_organisation(actor, organisation):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    if organisation.status not in (VerificationStatus.NEW, VerificationStatus.REJECTED):
        raise OrganisationsError(errors.ALREADY_PENDING, code="already_pending")
    day = timezone.localdate(at or timezone.now())
    problems = rules.completeness_problems(
        organisation,
        people=list(organisation.people.all()),
        documents=list(organisation.documents.all()),
        day=day,
    )
    if problems:
        raise OrganisationsError(" ".join(str(p) for p in problems), code="incomplete")
    organisation.status = VerificationStatus.PENDING
    organisation.status_changed_at = at or timezone.now()
    organisation.save(update_fields=["status", "status_changed_at", "updated_at"])
    return organisation


def _notify_representatives(
    organisation: Organisation, *, kind: str, context: dict[str, Any]
) -> None:
    memberships = organisation.memberships.select_related("user").filter(
        role=MembershipRole.REPRESENTATIVE
    )
    for membership in memberships:
        notify(
            recipient=membership.user,
            kind=kind,
            subject_template="organisations/email/status_subject.txt",
            body_template="organisations/email/status_body.txt",
            context={"organisation": organisation, **context},
        )


def organisation_verify(
    *, actor: User, organisation: Organisation, approve: bool, note: str = ""
) -> Organisation:
    """An official confirms the entry against the registers and documents, or returns it with
    the reasons. Either way the decision is audit-logged and the representatives are told."""
    if not permissions.can_verify_organisations(actor):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    note = note.strip()
    if not approve and not note:
        raise OrganisationsError(errors.REASON_REQUIRED, field="note", code="reason_required")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if locked.status != VerificationStatus.PENDING:
            raise OrganisationsError(errors.VERIFICATION_STATE, code="not_pending")
        before = snapshot(locked)
        now = timezone.now()
        if approve:
            _check_unique(locked.pk, krs=locked.krs, nip=locked.nip)
        locked.status = VerificationStatus.VERIFIED if approve else VerificationStatus.REJECTED
        locked.status_changed_at = now
        locked.verification_note = note
        if approve:
            locked.verified_at = now
            locked.verified_by = actor
        locked.save()
        if approve:
            _reject_duplicates(actor=actor, verified=locked)
        audit_log_append(
            actor=actor,
            action="organisations.verified" if approve else "organisations.rejected",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=note,
        )
        _notify_representatives(
            locked, kind="organisations.verification", context={"approved": approve, "note": note}
        )
    return locked


def _reject_duplicates(*, actor: User, verified: Organisation) -> None:
    """Once the real organisation is verified, unverified entries with its KRS or NIP are
    closed as duplicates (their people are told whom to ask), so they cannot apply."""
    numbers = Q()
    if verified.krs:
        numbers |= Q(krs=verified.krs)
    if verified.nip:
        numbers |= Q(nip=verified.nip)
    if not numbers:
        return
    duplicates = (
        Organisation.objects.select_for_update()
        .filter(numbers)
        .exclude(pk=verified.pk)
        .exclude(status__in=[*HOLDS_IDENTIFIERS, VerificationStatus.REJECTED])
    )
    for duplicate in duplicates:
        before = snapshot(duplicate)
        duplicate.status = VerificationStatus.REJECTED
        duplicate.status_changed_at = timezone.now()
        duplicate.verification_note = str(errors.DUPLICATE_OF_VERIFIED % {"name": verified.name})
        duplicate.save(
            update_fields=["status", "status_changed_at", "verification_note", "updated_at"]
        )
        audit_log_append(
            actor=actor,
            action="organisations.duplicate_rejected",
            obj=duplicate,
            before=before,
            after=snapshot(duplicate),
            reason=duplicate.verification_note,
        )
        _notify_representatives(
            duplicate,
            kind="organisations.verification",
            context={"approved": False, "note": duplicate.verification_note},
        )


def organisation_merge(
    *, actor: User, source: Organisation, target: Organisation, reason: str
) -> Organisation:
    """An official merges a duplicate entry into the verified one: its members, people and
    documents move over (memberships already there are kept once), its grant applications are
    re-pointed, and the duplicate is closed with a pointer to the target."""
    if not permissions.can_verify_organisations(actor):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    reason = reason.strip()
    if not reason:
        raise OrganisationsError(errors.REASON_REQUIRED, field="reason", code="reason_required")
    if source.pk == target.pk:
        raise OrganisationsError(errors.MERGE_SAME, code="merge_same")
    with transaction.atomic():
        locked_target = Organisation.objects.select_for_update().get(pk=target.pk)
        locked_source = Organisation.objects.select_for_update().get(pk=source.pk)
        if (
            locked_target.status != VerificationStatus.VERIFIED
            or locked_target.kind != locked_source.kind
        ):
            raise OrganisationsError(errors.MERGE_TARGET, code="merge_target")
        before = snapshot(locked_source)
        existing = set(locked_target.memberships.values_list("user_id", flat=True))
        for membership in locked_source.memberships.all():
            if membership.user_id in existing:
                membership.delete()
            else:
                membership.organisation = locked_target
                membership.save(update_fields=["organisation", "updated_at"])
        locked_source.people.update(organisation=locked_target)
        locked_source.documents.update(organisation=locked_target)
        from wspolnota.grants.models import Application

        moved = Application.objects.filter(applicant=locked_source).update(applicant=locked_target)
        locked_source.status = VerificationStatus.REJECTED
        locked_source.status_changed_at = timezone.now()
        locked_source.verification_note = reason
        locked_source.merged_into = locked_target
        locked_source.save()
        audit_log_append(
            actor=actor,
            action="organisations.merged",
            obj=locked_source,
            before=before,
            after={**snapshot(locked_source), "applications_moved": moved},
            reason=reason,
        )
    return locked_target


def organisation_transfer(
    *, actor: User, organisation: Organisation, email: str, reason: str
) -> Membership:
    """An official hands an entry to the people who really represent the organisation (after
    checking the court register): the named account becomes its representative and every
    other representative is demoted to a member."""
    if not permissions.can_verify_organisations(actor):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    reason = reason.strip()
    if not reason:
        raise OrganisationsError(errors.REASON_REQUIRED, field="reason", code="reason_required")
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise OrganisationsError(errors.TRANSFER_USER, field="email", code="transfer_user")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {
            "representatives": list(
                locked.memberships.filter(role=MembershipRole.REPRESENTATIVE).values_list(
                    "user_id", flat=True
                )
            )
        }
        locked.memberships.filter(role=MembershipRole.REPRESENTATIVE).exclude(user=user).update(
            role=MembershipRole.MEMBER
        )
        membership, _created = Membership.objects.update_or_create(
            organisation=locked,
            user=user,
            defaults={"role": MembershipRole.REPRESENTATIVE, "added_by": actor},
        )
        audit_log_append(
            actor=actor,
            action="organisations.transferred",
            obj=locked,
            before=before,
            after={"representatives": [user.pk]},
            reason=reason,
        )
    return membership


def organisation_set_suspended(
    *, actor: User, organisation: Organisation, suspended: bool, reason: str
) -> Organisation:
    """Suspend an entry (e.g. the organisation is in liquidation) or lift the suspension."""
    if not permissions.can_verify_organisations(actor):
        raise OrganisationsError(errors.NOT_ALLOWED, code="not_allowed")
    reason = reason.strip()
    if not reason:
        raise OrganisationsError(errors.REASON_REQUIRED, field="reason", code="reason_required")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if suspended == (locked.status == VerificationStatus.SUSPENDED):
            raise OrganisationsError(errors.VERIFICATION_STATE, code="suspension_state")
        before = snapshot(locked)
        if suspended:
            locked.status = VerificationStatus.SUSPENDED
        else:
            locked.status = (
                VerificationStatus.VERIFIED if locked.verified_at else VerificationStatus.PENDING
            )
        locked.status_changed_at = timezone.now()
        locked.verification_note = reason
        locked.save()
        audit_log_append(
            actor=actor,
            action="organisations.suspended" if suspended else "organisations.reinstated",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
        _notify_representatives(
            locked,
            kind="organisations.suspension",
            context={"suspended": suspended, "note": reason},
        )
    return locked
