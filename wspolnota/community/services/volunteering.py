"""Writes of volunteering: offers, volunteer profiles, applications (also recorded by a clerk
for a person), agreements and logged hours."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from wspolnota.communication.notifications import notify
from wspolnota.community import errors, permissions
from wspolnota.community.errors import CommunityError
from wspolnota.community.models import (
    AgreementSigning,
    ApplicationStatus,
    HoursStatus,
    Skill,
    VolunteerAgreement,
    VolunteerApplication,
    VolunteerHours,
    VolunteerOffer,
    VolunteerProfile,
)
from wspolnota.community.services._common import (
    _already,
    _clerk_act,
    _deny,
    _tell,
    _validation_to_domain,
)
from wspolnota.community.signatures import check_scan, check_signature_file
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from wspolnota.accounts.models import User

OFFER_FIELDS = (
    "title",
    "task",
    "organiser_kind",
    "organiser_name",
    "organiser_address",
    "place",
    "location",
    "district",
    "starts_on",
    "ends_on",
    "time_commitment",
    "min_age",
    "volunteers_needed",
    "status",
    "weekday_mornings",
    "weekday_afternoons",
    "weekday_evenings",
    "weekends",
)


def volunteer_offer_save(
    *, actor: User, offer: VolunteerOffer | None, fields: dict[str, Any], skills: list[Skill]
) -> VolunteerOffer:
    if offer is None and not permissions.can_create_offer(actor):
        raise _deny()
    if offer is not None and not permissions.can_manage_offer(actor, offer):
        raise _deny()
    starts_on = fields.get("starts_on", offer.starts_on if offer else None)
    ends_on = fields.get("ends_on", offer.ends_on if offer else None)
    if starts_on and ends_on and ends_on < starts_on:
        raise CommunityError(errors.OFFER_ENDS_BEFORE_START, field="ends_on")
    with transaction.atomic():
        before = snapshot(offer) if offer is not None else None
        target = offer or VolunteerOffer(created_by=actor)
        for name in OFFER_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if target.place is not None and target.district_id is None:
            target.district = target.place.district
        try:
            target.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        target.save()
        target.skills.set(skills)
        audit_log_append(
            actor=actor,
            action="community.offer_created" if before is None else "community.offer_updated",
            obj=target,
            before=before,
            after=snapshot(target),
        )
    return target


def volunteer_profile_save(
    *,
    user: User,
    birth_date: date,
    district: District | None,
    skills: list[Skill],
    about: str,
    availability: dict[str, bool],
    at: date | None = None,
    on_behalf: OnBehalf | None = None,
) -> VolunteerProfile:
    if birth_date > (at or timezone.localdate()):
        raise CommunityError(errors.BIRTH_DATE_FUTURE, field="birth_date")
    with transaction.atomic():
        profile, _created = VolunteerProfile.objects.get_or_create(
            user=user, defaults={"birth_date": birth_date, **act_fields(on_behalf)}
        )
        before = None if _created else snapshot(profile)
        profile.birth_date = birth_date
        profile.district = district
        profile.about = about.strip()
        for name in VolunteerProfile.AVAILABILITY_FIELDS:
            setattr(profile, name, bool(availability.get(name)))
        if on_behalf is not None:
            profile.channel = on_behalf.channel
            profile.keyed_by = on_behalf.clerk
        profile.save()
        profile.skills.set(skills)
        _clerk_act(
            on_behalf, action="community.volunteer_profile_on_behalf", obj=profile, before=before
        )
    return profile


def volunteer_apply(
    *,
    user: User,
    offer: VolunteerOffer,
    message: str = "",
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
) -> VolunteerApplication:
    """Apply for an offer; the minimum age is checked against the volunteer's profile. With
    ``on_behalf`` a clerk applies for ``user`` (same rules; channel and clerk recorded)."""
    now = at or timezone.now()
    if on_behalf is not None and not permissions.can_record_volunteers(on_behalf.clerk, offer):
        raise _deny()
    if offer.created_by_id == user.pk:
        raise CommunityError(errors.PERSON_OWN_OFFER if on_behalf else errors.OFFER_OWN)
    if not permissions.can_apply_for_offer(user, offer, at=now):
        raise CommunityError(errors.OFFER_NOT_OPEN)
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        raise CommunityError(errors.PROFILE_REQUIRED, code="profile_required")
    start = max(offer.starts_on, timezone.localtime(now).date())
    if profile.age_on(start) < offer.min_age:
        raise CommunityError(errors.TOO_YOUNG, params={"age": offer.min_age}, code="too_young")
    try:
        with transaction.atomic():
            application = VolunteerApplication.objects.create(
                offer=offer, volunteer=user, message=message.strip(), **act_fields(on_behalf)
            )
            _clerk_act(on_behalf, action="community.volunteer_applied_on_behalf", obj=application)
    except IntegrityError:
        raise _already(on_behalf, "already_applied") from None
    notify(
        recipient=offer.created_by,
        kind="community.volunteer_applied",
        subject_template="community/email/volunteer_applied_subject.txt",
        body_template="community/email/volunteer_applied.txt",
        context={"offer": offer, "application": application},
    )
    return application


def volunteer_record(
    *,
    on_behalf: OnBehalf,
    person: User,
    offer: VolunteerOffer,
    birth_date: date,
    message: str = "",
    about: str = "",
    skills: list[Skill] | None = None,
    availability: dict[str, bool] | None = None,
    at: datetime | None = None,
) -> VolunteerApplication:
    """Record a volunteer who phoned or came in — often without an account — for an offer.

    The person's consent to be contacted about volunteering is recorded with the channel it was
    given on and the clerk who took it (kept if one is already in force); their volunteer
    profile (the birth date decides the offer's minimum age) and their application are saved
    as they would be online, under the same rules: an open offer, the minimum age, one
    application per person. Everything happens or nothing does.
    """
    from wspolnota.accounts.models import Consent, ConsentPurpose
    from wspolnota.accounts.services import consent_record

    if not permissions.can_record_volunteers(on_behalf.clerk, offer):
        raise _deny()
    now = at or timezone.now()
    if not permissions.can_apply_for_offer(person, offer, at=now):
        raise CommunityError(errors.OFFER_NOT_OPEN)
    if VolunteerApplication.objects.filter(offer=offer, volunteer=person).exists():
        raise _already(on_behalf, "already_applied")
    with transaction.atomic():
        in_force = Consent.objects.filter(
            person=person, purpose=ConsentPurpose.VOLUNTEERING, withdrawn_at__isnull=True
        ).exists()
        if not in_force:
            consent_record(
                clerk=on_behalf.clerk,
                person=person,
                purpose=ConsentPurpose.VOLUNTEERING,
                channel=on_behalf.channel,
            )
        existing = VolunteerProfile.objects.filter(user=person).first()
        volunteer_profile_save(
            user=person,
            birth_date=birth_date,
            district=existing.district if existing else person.district,
            skills=skills
            if skills is not None
            else (list(existing.skills.all()) if existing else []),
            about=about or (existing.about if existing else ""),
            availability=availability
            or (
                {name: getattr(existing, name) for name in VolunteerProfile.AVAILABILITY_FIELDS}
                if existing
                else {}
            ),
            at=timezone.localtime(now).date(),
            on_behalf=on_behalf,
        )
        return volunteer_apply(
            user=person, offer=offer, message=message, at=now, on_behalf=on_behalf
        )


def volunteer_application_withdraw(
    *, user: User, application: VolunteerApplication
) -> VolunteerApplication:
    if application.volunteer_id != user.pk:
        raise _deny()
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.ACCEPTED):
        raise CommunityError(errors.APPLICATION_NOT_PENDING)
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application


def _agreement_number(application: VolunteerApplication, today: date) -> str:
    return f"POR/{today.year}/{application.offer_id}/{application.pk}"


def volunteer_application_decide(
    *, actor: User, application: VolunteerApplication, accept: bool
) -> VolunteerApplication:
    """The organiser accepts or declines; for more than 30 days an agreement is drawn up."""
    offer = application.offer
    if not permissions.can_manage_offer(actor, offer):
        raise _deny()
    with transaction.atomic():
        locked = VolunteerApplication.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.SUBMITTED:
            raise CommunityError(errors.APPLICATION_NOT_PENDING)
        before = snapshot(locked)
        locked.status = ApplicationStatus.ACCEPTED if accept else ApplicationStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.application_accepted" if accept else "community.application_rejected",
            obj=locked,
            before=before,
            after=snapshot(locked),
        )
        if accept and offer.needs_written_agreement:
            volunteer = locked.volunteer
            profile = VolunteerProfile.objects.filter(user=volunteer).first()
            today = timezone.localdate()
            VolunteerAgreement.objects.create(
                application=locked,
                number=_agreement_number(locked, today),
                scope=offer.task,
                starts_on=max(offer.starts_on, today),
                ends_on=offer.ends_on,
                organiser_name=offer.organiser_name,
                organiser_address=offer.organiser_address,
                volunteer_name=volunteer.get_full_name() or volunteer.email or "",
                volunteer_is_minor=bool(profile and profile.age_on(today) < 18),
            )
        _tell(
            locked.volunteer,
            kind="community.application_decided",
            template="community/email/application_decided",
            context={"offer": offer, "application": locked},
        )
    return locked


def _agreement_signing_checks(
    *, actor: User, agreement: VolunteerAgreement, guardian_name: str
) -> VolunteerAgreement:
    """The organiser's side records the signing once, and a minor's guardian must be named."""
    if not permissions.can_record_agreement_signature(actor, agreement):
        raise _deny()
    locked = VolunteerAgreement.objects.select_for_update().get(pk=agreement.pk)
    if locked.is_signed:
        raise CommunityError(errors.AGREEMENT_ALREADY_SIGNED, code="agreement_already_signed")
    if guardian_name.strip():
        locked.guardian_name = guardian_name.strip()
    if locked.volunteer_is_minor and not locked.guardian_name:
        raise CommunityError(errors.AGREEMENT_GUARDIAN_REQUIRED, field="guardian_name")
    return locked


def volunteer_agreement_sign_with_file(
    *,
    actor: User,
    agreement: VolunteerAgreement,
    upload: UploadedFile[bytes],
    guardian_name: str = "",
) -> VolunteerAgreement:
    """The organiser uploads the agreement signed by both sides with a qualified signature or
    the trusted profile (art. 78¹ of the Civil Code: equivalent to the written form). The file
    must carry a PAdES or XAdES signature; it is kept with its SHA-256, the day of the upload
    is the day recorded, and hours can be logged from then on."""
    checked = check_signature_file(upload)
    with transaction.atomic():
        locked = _agreement_signing_checks(
            actor=actor, agreement=agreement, guardian_name=guardian_name
        )
        before = snapshot(locked)
        locked.signature_file.save(checked.name, upload, save=False)
        locked.signature_sha256 = checked.sha256
        locked.signed_via = AgreementSigning.SIGNATURE_FILE
        locked.signed_on = timezone.localdate()
        locked.signature_recorded_by = actor
        locked.signature_recorded_at = timezone.now()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.agreement_signed_with_file",
            obj=locked,
            before=before,
            after=snapshot(locked),
        )
    return locked


def volunteer_agreement_record_paper(
    *,
    actor: User,
    agreement: VolunteerAgreement,
    signed_on: date,
    scan: UploadedFile[bytes] | None = None,
    guardian_name: str = "",
) -> VolunteerAgreement:
    """The organiser records that both sides signed the paper copies, on which day (not in the
    future, not before the agreement was drawn up); a scan may be kept beside the record."""
    today = timezone.localdate()
    drawn_up = timezone.localtime(agreement.created_at).date()
    if signed_on > today:
        raise CommunityError(errors.AGREEMENT_SIGNED_ON_FUTURE, field="signed_on")
    if signed_on < drawn_up:
        raise CommunityError(
            errors.AGREEMENT_SIGNED_ON_TOO_EARLY,
            field="signed_on",
            params={"date": drawn_up.isoformat()},
        )
    checked = check_scan(scan) if scan is not None else None
    with transaction.atomic():
        locked = _agreement_signing_checks(
            actor=actor, agreement=agreement, guardian_name=guardian_name
        )
        before = snapshot(locked)
        if checked is not None and scan is not None:
            locked.paper_scan.save(checked.name, scan, save=False)
            locked.paper_scan_sha256 = checked.sha256
        locked.signed_via = AgreementSigning.PAPER
        locked.signed_on = signed_on
        locked.signature_recorded_by = actor
        locked.signature_recorded_at = timezone.now()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.agreement_signed_on_paper",
            obj=locked,
            before=before,
            after=snapshot(locked),
        )
    return locked


def volunteer_hours_log(
    *,
    user: User,
    application: VolunteerApplication,
    day: date,
    hours: Decimal,
    description: str,
    at: date | None = None,
) -> VolunteerHours:
    """The volunteer records hours; they count once the organiser confirms them."""
    if application.volunteer_id != user.pk:
        raise _deny()
    if application.status != ApplicationStatus.ACCEPTED:
        raise CommunityError(errors.APPLICATION_NOT_ACCEPTED)
    offer = application.offer
    if offer.needs_written_agreement:
        agreement = VolunteerAgreement.objects.filter(application=application).first()
        if agreement is None or not agreement.is_signed:
            raise CommunityError(errors.AGREEMENT_NOT_SIGNED, code="agreement_not_signed")
    today = at or timezone.localdate()
    if day > today:
        raise CommunityError(errors.HOURS_IN_FUTURE, field="day")
    if not offer.starts_on <= day <= offer.ends_on:
        raise CommunityError(
            errors.HOURS_OUTSIDE_OFFER,
            field="day",
            params={"start": offer.starts_on.isoformat(), "end": offer.ends_on.isoformat()},
        )
    with transaction.atomic():
        VolunteerApplication.objects.select_for_update().only("id").get(pk=application.pk)
        already = application.hours.filter(day=day).exclude(status=HoursStatus.REJECTED).aggregate(
            total=Sum("hours")
        )["total"] or Decimal("0")
        if already + hours > 24:
            raise CommunityError(errors.HOURS_DAY_OVER_24, field="hours")
        entry = VolunteerHours(
            application=application, day=day, hours=hours, description=description.strip()
        )
        try:
            entry.full_clean()
        except ValidationError as exc:
            raise _validation_to_domain(exc) from None
        entry.save()
    return entry


def volunteer_hours_decide(
    *, actor: User, entry: VolunteerHours, confirm: bool, reason: str = ""
) -> VolunteerHours:
    """The organiser confirms (or declines) logged hours; only confirmed hours are certified."""
    if not permissions.can_manage_offer(actor, entry.application.offer):
        raise _deny()
    with transaction.atomic():
        locked = VolunteerHours.objects.select_for_update().get(pk=entry.pk)
        if locked.status != HoursStatus.LOGGED:
            raise CommunityError(errors.HOURS_NOT_PENDING)
        before = snapshot(locked)
        locked.status = HoursStatus.CONFIRMED if confirm else HoursStatus.REJECTED
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.rejection_reason = "" if confirm else reason.strip()
        locked.save()
        audit_log_append(
            actor=actor,
            action="community.hours_confirmed" if confirm else "community.hours_rejected",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason.strip(),
        )
    return locked
