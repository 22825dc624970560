"""Who may do what with grants, and when. Pure functions: the user, the object and — where the
phase of a call matters — the moment ``at`` are explicit inputs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from wspolnota.accounts.models import RoleAssignment
from wspolnota.accounts.permissions import can_act_for_residents, has_role, is_official
from wspolnota.accounts.roles import Role
from wspolnota.core.onbehalf import Channel
from wspolnota.grants.models import (
    Agreement,
    AgreementStatus,
    ApplicationStatus,
    CallStatus,
    CommissionMember,
)
from wspolnota.organisations import permissions as registry

if TYPE_CHECKING:
    from wspolnota.grants.models import Application, Call, Programme, Report


def _authenticated(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def official_unit_ids(user: Any) -> set[int]:
    """City units in which the user is an official (cached on the user object)."""
    if not _authenticated(user):
        return set()
    cache = user.__dict__.get("_official_units")
    if cache is None:
        cache = set(
            RoleAssignment.objects.filter(
                user_id=user.pk, role=Role.OFFICIAL, city_unit__isnull=False
            ).values_list("city_unit_id", flat=True)
        )
        user.__dict__["_official_units"] = cache
    return set(cache)


def can_create_programme(user: Any) -> bool:
    """An official of some unit (the programme will belong to it), or an administrator."""
    return has_role(user, Role.ADMINISTRATOR) or bool(official_unit_ids(user))


def can_manage_programme(user: Any, programme: Programme) -> bool:
    """Only officials of the unit that owns the programme change it, or open calls under it;
    a programme that names no unit is left to administrators."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return programme.city_unit_id is not None and programme.city_unit_id in official_unit_ids(user)


def can_manage_call(user: Any, call: Call) -> bool:
    """Administrators, and officials of the unit that runs the call; a call that names no unit
    is left to administrators (never to every official)."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return call.city_unit_id is not None and call.city_unit_id in official_unit_ids(user)


def can_edit_call(user: Any, call: Call) -> bool:
    """A draft's title, dates, pool and rubric change freely."""
    return call.status == CallStatus.DRAFT and can_manage_call(user, call)


def can_amend_call(user: Any, call: Call, *, at: datetime) -> bool:
    """A published call still taking applications changes only by an announced amendment."""
    return (
        call.status == CallStatus.PUBLISHED
        and (call.closes_at is None or at < call.closes_at)
        and can_manage_call(user, call)
    )


def can_manage_legal_rules(user: Any) -> bool:
    """The dated rules (the act's limits, the city's rules, the yearly plan of grants) are
    city-wide: administrators keep them."""
    return has_role(user, Role.ADMINISTRATOR)


def is_call_public(call: Call) -> bool:
    return call.status != CallStatus.DRAFT


def can_view_call(user: Any, call: Call) -> bool:
    return is_call_public(call) or can_manage_call(user, call)


def is_call_open(call: Call, *, at: datetime) -> bool:
    """Accepting applications at ``at``: published, started, and before the deadline if any."""
    if call.status != CallStatus.PUBLISHED or at < call.opens_at:
        return False
    return call.closes_at is None or at < call.closes_at


def commission_member(user: Any, call: Call) -> CommissionMember | None:
    if not _authenticated(user):
        return None
    return CommissionMember.objects.filter(call_id=call.pk, user_id=user.pk).first()


def can_start_application(user: Any, call: Call, *, at: datetime) -> bool:
    return _authenticated(user) and is_call_open(call, at=at)


# --- Keying in from paper (issue 17) --------------------------------------------------------------


def _clerk_of(user: Any, unit_id: int | None) -> bool:
    """A clerk (official or counter clerk) of the unit, or an administrator. A call that names no
    unit belongs to no clerk (``can_act_for_residents`` without a unit would mean "any unit")."""
    if unit_id is None:
        return has_role(user, Role.ADMINISTRATOR)
    return can_act_for_residents(user, city_unit=unit_id)


def can_key_in_application(user: Any, call: Call) -> bool:
    """Key in an application that came on paper (by post, at a counter): the officials and
    counter clerks of the unit that runs the call, administrators."""
    return _authenticated(user) and _clerk_of(user, call.city_unit_id)


def is_keyed_in(application: Application) -> bool:
    return application.channel != Channel.ONLINE


def keys_in(user: Any, application: Application) -> bool:
    """The clerks who may go on keying (and file) a paper application of their call."""
    return is_keyed_in(application) and can_key_in_application(user, application.call)


def can_key_in_remark(user: Any, application: Application) -> bool:
    """Key in a remark that came by post or was phoned in: the clerks of the call's unit."""
    return _authenticated(user) and _clerk_of(user, application.call.city_unit_id)


def can_view_application(user: Any, application: Application) -> bool:
    """The applicant's members, the call's managers and commission, auditors, and the clerks
    keying in a paper application."""
    return (
        registry.is_member(user, application.applicant)
        or can_manage_call(user, application.call)
        or keys_in(user, application)
        or (
            application.status != ApplicationStatus.DRAFT
            and commission_member(user, application.call) is not None
        )
        or (application.status != ApplicationStatus.DRAFT and has_role(user, Role.AUDITOR))
    )


def can_edit_application(user: Any, application: Application) -> bool:
    """Drafts are prepared by the applicant's representatives and members; a paper one is
    keyed in by the clerks of the call's unit."""
    return application.status == ApplicationStatus.DRAFT and (
        registry.is_member(user, application.applicant) or keys_in(user, application)
    )


def is_open_for(application: Application, *, at: datetime) -> bool:
    """The call takes this application now: it is open, or the application was returned for
    formal corrections whose deadline has not passed."""
    if is_call_open(application.call, at=at):
        return True
    due = application.corrections_due
    return due is not None and at < due


def can_submit_application(user: Any, application: Application, *, at: datetime) -> bool:
    """Only a representative files it, and only while the call accepts it; a paper one is filed
    by a clerk of the call's unit, as of the moment the paper was received."""
    if application.status != ApplicationStatus.DRAFT:
        return False
    if keys_in(user, application):
        received = application.received_at
        return received is not None and is_open_for(application, at=received)
    return registry.is_representative(user, application.applicant) and is_open_for(
        application, at=at
    )


def can_withdraw_application(user: Any, application: Application) -> bool:
    return registry.is_representative(user, application.applicant) and application.status in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_ASSESSMENT,
    )


def is_open_for_remarks(application: Application, *, at: datetime) -> bool:
    return (
        application.remarks_from is not None
        and application.remarks_until is not None
        and application.remarks_from <= at < application.remarks_until
        and application.status == ApplicationStatus.IN_ASSESSMENT
    )


def can_view_published_offer(user: Any, application: Application) -> bool:
    """A small-grant offer is public once published for remarks."""
    return application.remarks_from is not None or can_view_application(user, application)


def can_remark(user: Any, application: Application, *, at: datetime) -> bool:
    """Art. 19a ust. 4: anyone may send remarks while the offer is published — no account."""
    return is_open_for_remarks(application, at=at)


def can_assess(user: Any, application: Application) -> bool:
    """A commission member of the call, for an application in merit assessment, who does not
    act for the applicant (then the conflict is certain)."""
    return (
        application.status == ApplicationStatus.IN_ASSESSMENT
        and commission_member(user, application.call) is not None
        and not registry.is_member(user, application.applicant)
    )


def can_resign_award(user: Any, application: Application) -> bool:
    """A representative (or the call's official recording a letter) may give up an award until
    the agreement is signed."""
    if application.status != ApplicationStatus.AWARDED:
        return False
    agreement = Agreement.objects.filter(application_id=application.pk).first()
    if agreement is not None and agreement.status != AgreementStatus.DRAFT:
        return False
    return registry.is_representative(user, application.applicant) or can_manage_call(
        user, application.call
    )


def can_view_agreement(user: Any, agreement: Agreement) -> bool:
    application = agreement.application
    return (
        registry.is_member(user, application.applicant)
        or can_manage_call(user, application.call)
        or has_role(user, Role.AUDITOR)
    )


def can_report(user: Any, agreement: Agreement) -> bool:
    return agreement.status == AgreementStatus.SIGNED and registry.is_member(
        user, agreement.application.applicant
    )


def can_submit_report(user: Any, report: Report) -> bool:
    return agreement_representative(user, report.agreement)


def agreement_representative(user: Any, agreement: Agreement) -> bool:
    return agreement.status == AgreementStatus.SIGNED and registry.is_representative(
        user, agreement.application.applicant
    )


def can_review_report(user: Any, report: Report) -> bool:
    return can_manage_call(user, report.agreement.application.call)


def can_see_office(user: Any) -> bool:
    return is_official(user)
