"""Writes of the grants app. Each service checks permission and the rules, saves, writes the
audit log for every official's (and commission member's) act, and enqueues work after commit."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban

from wspolnota.accounts.models import CityUnit, User
from wspolnota.accounts.permissions import has_role
from wspolnota.accounts.roles import Role
from wspolnota.communication.notifications import notify
from wspolnota.communication.rendering import render_template_email
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.grants import errors, law, limits, permissions, selectors
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    RULE_FIELDS,
    ZERO,
    Agreement,
    AgreementStatus,
    Annex,
    Application,
    ApplicationStatus,
    Assessment,
    Attachment,
    Award,
    AwardStatus,
    BudgetLine,
    Call,
    CallStatus,
    CallVersion,
    CommissionMember,
    ConflictDeclaration,
    CostCategory,
    Criterion,
    ExpectedResult,
    FundReturn,
    LegalRule,
    OfferPartner,
    Programme,
    ProgrammeKind,
    Remark,
    Report,
    ReportKind,
    ReportLine,
    ReportResult,
    ReportStatus,
    ReturnReason,
    RuleKey,
    ScheduleItem,
    Score,
    Signature,
    SignatureKind,
    Tranche,
    YearlyGrantPlan,
    programme_from_rules,
    rules_of,
)
from wspolnota.grants.settlement import settlement_problems
from wspolnota.organisations import permissions as registry
from wspolnota.organisations import rules as applicant_rules
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.files import check_upload
from wspolnota.organisations.models import (
    MembershipRole,
    Organisation,
    OrganisationKind,
    VerificationStatus,
)
from wspolnota.territory.models import District

NUMBER_PREFIX: dict[str, str] = {
    ProgrammeKind.MICRO_GRANT: "MG",
    ProgrammeKind.LOCAL_INITIATIVE: "IL",
    ProgrammeKind.SMALL_GRANT: "MZ",
    ProgrammeKind.OPEN_COMPETITION: "OK",
}


def _validate(obj: Any, *, exclude: list[str] | None = None) -> None:
    """``full_clean()`` whose errors become a GrantsError naming the first bad field."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise GrantsError(
            " ".join(messages), field=None if field == NON_FIELD_ERRORS else field
        ) from None


def _snapshot(obj: Any) -> dict[str, Any]:
    """The core snapshot, with file fields written as their stored names (the core one cannot
    serialise them)."""
    file_fields = [f for f in obj._meta.concrete_fields if isinstance(f, models.FileField)]
    data = snapshot(
        obj,
        fields=[f.name for f in obj._meta.concrete_fields if f not in file_fields],
    )
    for field in file_fields:
        data[field.name] = getattr(obj, field.name).name or ""
    return data


def _audit(
    actor: User | None,
    action: str,
    obj: Any,
    before: dict[str, Any] | None,
    *,
    reason: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Write the audit entry of a change: the object's snapshot before and after (with any
    extra facts), by whom and why. The one place every state change of the app is logged."""
    after = _snapshot(obj)
    if extra:
        after.update(json.loads(json.dumps(extra, default=str)))
    audit_log_append(actor=actor, action=action, obj=obj, before=before, after=after, reason=reason)


def _deny(allowed: bool) -> None:
    if not allowed:
        raise GrantsError(errors.NOT_ALLOWED, code="not_allowed")


def _first(problems: Sequence[GrantsError]) -> None:
    if problems:
        raise problems[0]


# --- programmes -----------------------------------------------------------------------------------

PROGRAMME_FIELDS = (
    "name",
    "description",
    "legal_basis",
    "form_variant",
    "min_amount",
    "max_amount",
    "max_duration_days",
    "yearly_cap_per_applicant",
    "min_lead_days",
    "remarks_days",
    "min_announcement_days",
    "allow_ngo",
    "allow_informal_group",
    "allow_individual",
    "individual_min_age",
    "individual_max_age",
    "individual_needs_guardian",
    "in_kind_only",
    "regranting_operator",
    "requires_own_contribution",
    "min_own_contribution_percent",
    "volunteer_hour_rate_max",
    "commission_required",
    "min_assessors",
    "pass_score",
    "rolling",
    "cost_tolerance_percent",
    "is_active",
)


def _check_operator(programme: Programme) -> None:
    """A regranting operator is a verified NGO from the registry (art. 16a)."""
    operator = programme.regranting_operator
    if operator is not None and (
        operator.kind != OrganisationKind.NGO or operator.status != VerificationStatus.VERIFIED
    ):
        raise GrantsError(errors.OPERATOR_KIND, field="regranting_operator", code="operator_kind")


def _unit_for(actor: User, city_unit: CityUnit | None) -> CityUnit | None:
    """The unit a new programme or call belongs to: the one named (where the actor is an
    official, unless an administrator), or the actor's first unit."""
    units = permissions.official_unit_ids(actor)
    if city_unit is None:
        return CityUnit.objects.filter(pk__in=units).order_by("pk").first()
    if city_unit.pk not in units and not has_role(actor, Role.ADMINISTRATOR):
        raise GrantsError(errors.PROGRAMME_UNIT, field="city_unit", code="programme_unit")
    return city_unit


def programme_create(
    *,
    actor: User,
    kind: str,
    name: str,
    city_unit: CityUnit | None = None,
    **overrides: Any,
) -> Programme:
    """A new programme starts from the defaults and the default rubric of its kind; the legal
    frame is checked so no programme can promise what the law forbids. It belongs to the
    actor's unit: only that unit's officials change it later."""
    _deny(permissions.can_create_programme(actor))
    values = {**limits.programme_defaults(kind), **overrides}
    programme = Programme(
        kind=kind, name=name.strip(), created_by=actor, city_unit=_unit_for(actor, city_unit)
    )
    for field_name in PROGRAMME_FIELDS:
        if field_name in values and field_name != "name":
            setattr(programme, field_name, values[field_name])
    rubric = [(group, Decimal(points)) for group, _name, points in limits.DEFAULT_RUBRICS[kind]]
    _first(limits.programme_problems(programme, rubric))
    _check_operator(programme)
    _validate(programme, exclude=["created_by"])
    with transaction.atomic():
        programme.save()
        Criterion.objects.bulk_create(
            [
                Criterion(
                    programme=programme,
                    position=i,
                    group=group,
                    name=criterion_name,
                    max_points=Decimal(points),
                )
                for i, (group, criterion_name, points) in enumerate(
                    limits.DEFAULT_RUBRICS[kind], start=1
                )
            ]
        )
        audit_log_append(
            actor=actor,
            action="grants.programme_created",
            obj=programme,
            after=_snapshot(programme),
        )
    return programme


def programme_update(*, actor: User, programme: Programme, **fields: Any) -> Programme:
    """Change the template. Calls already published keep the rules they were announced with;
    only officials of the programme's unit may change it."""
    _deny(permissions.can_manage_programme(actor, programme))
    before = _snapshot(programme)
    for field_name, value in fields.items():
        if field_name in PROGRAMME_FIELDS:
            setattr(programme, field_name, value.strip() if isinstance(value, str) else value)
    rubric = list(programme.criteria.values_list("group", "max_points"))
    _first(limits.programme_problems(programme, rubric))
    _check_operator(programme)
    _validate(programme, exclude=["created_by"])
    with transaction.atomic():
        programme.save()
        audit_log_append(
            actor=actor,
            action="grants.programme_updated",
            obj=programme,
            before=before,
            after=_snapshot(programme),
        )
    return programme


@dataclass(frozen=True)
class CriterionData:
    name: str
    group: str
    max_points: Decimal
    description: str = ""


def rubric_replace(
    *,
    actor: User,
    criteria: Sequence[CriterionData],
    programme: Programme | None = None,
    call: Call | None = None,
) -> None:
    """Replace the rubric of a programme or of a call that is still a draft."""
    if call is not None:
        _deny(permissions.can_manage_call(actor, call))
        if call.status != CallStatus.DRAFT:
            raise GrantsError(errors.CALL_NOT_DRAFT, code="call_not_draft")
        owner_programme = call.programme
    else:
        assert programme is not None
        _deny(permissions.can_manage_programme(actor, programme))
        owner_programme = programme
    _first(limits.rubric_problems(owner_programme, [(c.group, c.max_points) for c in criteria]))
    owner: dict[str, Any] = {"call": call} if call is not None else {"programme": programme}
    with transaction.atomic():
        before = list(Criterion.objects.filter(**owner).values("name", "group", "max_points"))
        Criterion.objects.filter(**owner).delete()
        created = [
            Criterion(
                position=i,
                name=c.name.strip(),
                group=c.group,
                max_points=c.max_points,
                description=c.description.strip(),
                **owner,
            )
            for i, c in enumerate(criteria, start=1)
        ]
        for criterion in created:
            _validate(criterion)
        Criterion.objects.bulk_create(created)
        target = call if call is not None else programme
        assert target is not None
        audit_log_append(
            actor=actor,
            action="grants.rubric_replaced",
            obj=target,
            before={"criteria": json.loads(json.dumps(before, default=str))},
            after={
                "criteria": [
                    {"name": c.name, "group": c.group, "max_points": str(c.max_points)}
                    for c in created
                ]
            },
        )


# --- the law and the city's rules as data -------------------------------------------------------


def legal_rule_add(
    *,
    actor: User,
    key: str,
    value: Decimal,
    source: str,
    legal_basis: str,
    effective_from: date,
) -> LegalRule:
    """A new act or a new city rule takes effect on a date: a new row, never an edit of the old
    one, so what applied on any past day can still be read."""
    _deny(permissions.can_manage_legal_rules(actor))
    rule = LegalRule(
        key=key,
        value=value,
        source=source,
        legal_basis=legal_basis.strip(),
        effective_from=effective_from,
    )
    _validate(rule)
    with transaction.atomic():
        rule.save()
        _audit(actor, "grants.legal_rule_added", rule, None)
    return rule


def year_plan_set(
    *, actor: User, year: int, planned_ngo_grants: Decimal, basis: str
) -> YearlyGrantPlan:
    """Record the grants planned for NGOs' public tasks in a budget year (from the budget
    resolution): the base of the small-grant share ceiling (art. 19a ust. 1a)."""
    _deny(permissions.can_manage_legal_rules(actor))
    with transaction.atomic():
        plan = YearlyGrantPlan.objects.select_for_update().filter(year=year).first()
        before = _snapshot(plan) if plan else None
        if plan is None:
            plan = YearlyGrantPlan(year=year, set_by=actor)
        plan.planned_ngo_grants = limits.q2(planned_ngo_grants)
        plan.basis = basis.strip()
        plan.set_by = actor
        _validate(plan)
        plan.save()
        _audit(actor, "grants.year_plan_set", plan, before)
    return plan


# --- calls ------------------------------------------------------------------------------------------


def call_create(
    *,
    actor: User,
    programme: Programme,
    title: str,
    year: int,
    pool_amount: Decimal,
    opens_at: datetime,
    closes_at: datetime | None = None,
    description: str = "",
    city_unit: CityUnit | None = None,
) -> Call:
    """A draft call of the programme's unit; it copies the programme's rubric so later edits of
    the template do not change a call under way (its other rules are frozen at publication)."""
    _deny(permissions.can_manage_programme(actor, programme))
    if city_unit is None and programme.city_unit_id is not None:
        city_unit = programme.city_unit
    city_unit = _unit_for(actor, city_unit)
    call = Call(
        programme=programme,
        title=title.strip(),
        description=description.strip(),
        year=year,
        pool_amount=pool_amount,
        opens_at=opens_at,
        closes_at=closes_at,
        city_unit=city_unit,
        created_by=actor,
    )
    _check_call_dates(call)
    _validate(call, exclude=["created_by"])
    with transaction.atomic():
        call.save()
        Criterion.objects.bulk_create(
            [
                Criterion(
                    call=call,
                    position=c.position,
                    group=c.group,
                    name=c.name,
                    description=c.description,
                    max_points=c.max_points,
                )
                for c in programme.criteria.all()
            ]
        )
        audit_log_append(actor=actor, action="grants.call_created", obj=call, after=_snapshot(call))
    return call


def _check_call_dates(call: Call) -> None:
    if call.closes_at is not None and call.closes_at <= call.opens_at:
        raise GrantsError(errors.CALL_DATES, field="closes_at", code="call_dates")
    if call.closes_at is None and not call.terms.rolling:
        raise GrantsError(errors.CALL_NEEDS_DEADLINE, field="closes_at", code="call_deadline")


def call_update(
    *,
    actor: User,
    call: Call,
    title: str,
    description: str,
    year: int,
    pool_amount: Decimal,
    opens_at: datetime,
    closes_at: datetime | None,
) -> Call:
    """A draft changes freely. Once announced, nothing changes under the applicants except by an
    amendment (``call_amend``) with its reason, announced as a new version."""
    _deny(permissions.can_manage_call(actor, call))
    if call.status != CallStatus.DRAFT:
        raise GrantsError(errors.CALL_NOT_DRAFT, code="call_not_draft")
    before = _snapshot(call)
    call.title = title.strip()
    call.year = year
    call.pool_amount = pool_amount
    call.opens_at = opens_at
    call.closes_at = closes_at
    call.description = description.strip()
    _check_call_dates(call)
    _validate(call, exclude=["created_by"])
    with transaction.atomic():
        call.save()
        _audit(actor, "grants.call_updated", call, before)
    return call


def _criteria_of(call: Call) -> list[dict[str, Any]]:
    return [
        {
            "position": c.position,
            "group": c.group,
            "name": c.name,
            "description": c.description,
            "max_points": str(c.max_points),
        }
        for c in call.criteria.all()
    ]


def call_publish(*, actor: User, call: Call, at: datetime | None = None) -> Call:
    """Announce the call. An open competition must be announced at least 21 days (the
    programme's ``min_announcement_days``) before its deadline."""
    _deny(permissions.can_manage_call(actor, call))
    at = at or timezone.now()
    if call.status != CallStatus.DRAFT:
        raise GrantsError(errors.CALL_STATE, code="call_state")
    _check_call_dates(call)
    programme = call.programme
    days = programme.min_announcement_days
    if (
        days is not None
        and call.closes_at is not None
        and call.closes_at - at < timedelta(days=days)
    ):
        latest = timezone.localtime(call.closes_at - timedelta(days=days))
        raise GrantsError(
            errors.CALL_ANNOUNCEMENT_TOO_LATE,
            code="announcement_too_late",
            params={"days": days, "date": latest.strftime("%Y-%m-%d %H:%M")},
        )
    criteria = list(call.criteria.values_list("group", "max_points"))
    _first(limits.programme_problems(programme, criteria, on=timezone.localdate(at)))
    before = _snapshot(call)
    call.status = CallStatus.PUBLISHED
    call.published_at = at
    call.rules = rules_of(programme)
    call.version = 1
    call.__dict__.pop("terms", None)
    with transaction.atomic():
        call.save(update_fields=["status", "published_at", "rules", "version", "updated_at"])
        CallVersion.objects.create(
            call=call,
            number=1,
            rules=call.rules,
            criteria=_criteria_of(call),
            pool_amount=call.pool_amount,
            closes_at=call.closes_at,
            announced_at=at,
            announced_by=actor,
        )
        _audit(actor, "grants.call_published", call, before)
    return call


# Rules an amendment may not change: who the call is for and how it is assessed are its
# identity (a different kind of call is a new call).
AMENDMENT_FIXED = frozenset({"form_variant", "commission_required", "rolling", "legal_basis"})


def call_amend(
    *,
    actor: User,
    call: Call,
    reason: str,
    rules: dict[str, Any] | None = None,
    closes_at: datetime | None = None,
    pool_amount: Decimal | None = None,
    description: str | None = None,
    at: datetime | None = None,
) -> CallVersion:
    """Change a published call: a new numbered version of its rules with the reason, announced
    to everyone with an application under way; the old versions stay public. The new rules stay
    within the legal frame, the pool never drops below what is awarded, and the deadline leaves
    applicants the days the city's rules require after the change."""
    at = at or timezone.now()
    _deny(permissions.can_amend_call(actor, call, at=at))
    reason = reason.strip()
    if not reason:
        raise GrantsError(errors.AMENDMENT_REASON, field="reason", code="amendment_reason")
    with transaction.atomic():
        locked = Call.objects.select_for_update().select_related("programme").get(pk=call.pk)
        if locked.status != CallStatus.PUBLISHED:
            raise GrantsError(errors.AMENDMENT_STATE, code="amendment_state")
        before = _snapshot(locked)
        new_rules = dict(locked.rules or rules_of(locked.programme))
        changes: dict[str, Any] = {}
        for name, value in (rules or {}).items():
            if name not in RULE_FIELDS or name in AMENDMENT_FIXED:
                raise GrantsError(
                    errors.AMENDMENT_FIELD, code="amendment_field", params={"field": name}
                )
            plain = str(value) if isinstance(value, Decimal) else value
            if isinstance(value, models.Model):
                plain = value.pk
            if new_rules.get(name) != plain:
                changes[name] = {"before": new_rules.get(name), "after": plain}
                new_rules[name] = plain
        if closes_at is not None and closes_at != locked.closes_at:
            changes["closes_at"] = {
                "before": locked.closes_at.isoformat() if locked.closes_at else None,
                "after": closes_at.isoformat(),
            }
            locked.closes_at = closes_at
        if pool_amount is not None and limits.q2(pool_amount) != locked.pool_amount:
            awarded = selectors.call_pool(locked).awarded
            if pool_amount < awarded:
                raise GrantsError(
                    errors.AMENDMENT_POOL,
                    field="pool_amount",
                    code="amendment_pool",
                    params={"awarded": limits.pln(awarded)},
                )
            changes["pool_amount"] = {
                "before": str(locked.pool_amount),
                "after": str(limits.q2(pool_amount)),
            }
            locked.pool_amount = limits.q2(pool_amount)
        if description is not None and description.strip() != locked.description:
            changes["description"] = {"before": locked.description, "after": description.strip()}
            locked.description = description.strip()
        if not changes:
            raise GrantsError(errors.AMENDMENT_NOTHING, code="amendment_nothing")
        new_terms = programme_from_rules(locked.programme, new_rules)
        _check_operator(new_terms)
        criteria = list(locked.criteria.values_list("group", "max_points"))
        _first(limits.programme_problems(new_terms, criteria, on=timezone.localdate(at)))
        _check_call_dates(locked)
        rule_changed = any(name in RULE_FIELDS for name in changes)
        if locked.closes_at is not None and (rule_changed or "closes_at" in changes):
            minimum = law.rule(RuleKey.AMENDMENT_MIN_DAYS_LEFT, on=timezone.localdate(at))
            earliest = at + timedelta(days=minimum.days)
            if rule_changed and locked.closes_at < earliest:
                raise GrantsError(
                    errors.AMENDMENT_DEADLINE,
                    field="closes_at",
                    code="amendment_deadline",
                    params={
                        "days": minimum.days,
                        "source": limits.source_phrase(minimum),
                        "date": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M"),
                    },
                )
        locked.rules = new_rules
        locked.version += 1
        locked.__dict__.pop("terms", None)
        _validate(locked, exclude=["created_by"])
        locked.save()
        version = CallVersion.objects.create(
            call=locked,
            number=locked.version,
            rules=new_rules,
            criteria=_criteria_of(locked),
            pool_amount=locked.pool_amount,
            closes_at=locked.closes_at,
            reason=reason,
            changes=changes,
            announced_at=at,
            announced_by=actor,
        )
        _audit(
            actor, "grants.call_amended", locked, before, reason=reason, extra={"changes": changes}
        )
        _notify_call_amended(locked, version)
    call.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    call.__dict__.pop("terms", None)
    return version


def _notify_call_amended(call: Call, version: CallVersion) -> None:
    """Everyone preparing or having filed an application hears of the change and its reason."""
    live = call.applications.filter(
        status__in=[
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.IN_ASSESSMENT,
        ]
    ).select_related("applicant")
    for application in live:
        _notify_applicant(
            application, event="call_amended", note=version.reason, key=f"v{version.number}"
        )


def call_close(*, actor: User, call: Call, at: datetime | None = None) -> Call:
    """Stop accepting applications (a rolling call when its money is spent)."""
    _deny(permissions.can_manage_call(actor, call))
    if call.status != CallStatus.PUBLISHED:
        raise GrantsError(errors.CALL_STATE, code="call_state")
    before = _snapshot(call)
    call.status = CallStatus.CLOSED
    if call.closes_at is None or (at or timezone.now()) < call.closes_at:
        call.closes_at = at or timezone.now()
    with transaction.atomic():
        call.save(update_fields=["status", "closes_at", "updated_at"])
        audit_log_append(
            actor=actor, action="grants.call_closed", obj=call, before=before, after=_snapshot(call)
        )
    return call


def call_publish_results(*, actor: User, call: Call, at: datetime | None = None) -> Call:
    """Publish the results. A closed call needs a decision on every application in merit
    assessment; a rolling call publishes its decisions so far and keeps them updated."""
    _deny(permissions.can_manage_call(actor, call))
    at = at or timezone.now()
    rolling_open = call.status == CallStatus.PUBLISHED and call.terms.rolling
    if call.status != CallStatus.CLOSED and not rolling_open:
        raise GrantsError(errors.CALL_STATE, code="call_state")
    if not rolling_open:
        pending = call.applications.filter(
            status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.IN_ASSESSMENT]
        ).count()
        if pending:
            raise GrantsError(
                errors.CALL_HAS_DECISIONS_PENDING,
                code="decisions_pending",
                params={"count": pending},
            )
    before = _snapshot(call)
    call.results_published_at = call.results_published_at or at
    if not rolling_open:
        call.status = CallStatus.RESULTS
    with transaction.atomic():
        call.save(update_fields=["status", "results_published_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="grants.results_published",
            obj=call,
            before=before,
            after=_snapshot(call),
        )
    return call


def call_archive(*, actor: User, call: Call) -> Call:
    _deny(permissions.can_manage_call(actor, call))
    if call.status != CallStatus.RESULTS:
        raise GrantsError(errors.CALL_STATE, code="call_state")
    before = _snapshot(call)
    call.status = CallStatus.ARCHIVED
    with transaction.atomic():
        call.save(update_fields=["status", "updated_at"])
        audit_log_append(
            actor=actor,
            action="grants.call_archived",
            obj=call,
            before=before,
            after=_snapshot(call),
        )
    return call


def commission_member_add(
    *,
    actor: User,
    call: Call,
    email: str,
    role: str,
    nominated_by: str = "",
    nominating_organisation: Organisation | None = None,
) -> CommissionMember:
    """Appoint an assessor — an official, or a person nominated by NGOs (art. 15 ust. 2a–2d of
    the act) — recording who nominated them, and send the appointment notice."""
    _deny(permissions.can_manage_call(actor, call))
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise GrantsError(errors.COMMISSION_USER, field="email", code="commission_user")
    if CommissionMember.objects.filter(call=call, user=user).exists():
        raise GrantsError(errors.COMMISSION_ALREADY, field="email", code="commission_already")
    member = CommissionMember(
        call=call,
        user=user,
        role=role,
        added_by=actor,
        nominated_by=(nominated_by or "").strip()
        or (nominating_organisation.name if nominating_organisation else ""),
        nominating_organisation=nominating_organisation,
        appointment_notified_at=timezone.now(),
    )
    _validate(member)
    try:
        with transaction.atomic():
            member.save()
            audit_log_append(
                actor=actor, action="grants.commission_added", obj=member, after=_snapshot(member)
            )
            notify(
                recipient=user,
                kind="grants.commission_appointed",
                subject_template="grants/email/appointment_subject.txt",
                body_template="grants/email/appointment_body.txt",
                context={"member": member, "call": call},
                key=f"grants.commission_appointed:{member.pk}",
            )
    except IntegrityError:
        raise GrantsError(errors.COMMISSION_ALREADY, field="email") from None
    return member


def commission_member_remove(*, actor: User, member: CommissionMember) -> None:
    _deny(permissions.can_manage_call(actor, member.call))
    if member.declarations.exists() or member.assessments.exists():
        raise GrantsError(errors.COMMISSION_HAS_WORK, code="commission_has_work")
    with transaction.atomic():
        audit_log_append(
            actor=actor, action="grants.commission_removed", obj=member, before=_snapshot(member)
        )
        member.delete()


# --- applications -----------------------------------------------------------------------------------


def _check_received(call: Call, received_at: datetime | None, *, now: datetime) -> datetime:
    """The moment a paper application reached the office, checked as the online filing moment
    is: inside the call's window. Keying may come later, but only while the call still takes
    applications (before officials close it for assessment) and never for a future moment."""
    if received_at is None:
        raise GrantsError(errors.RECEIVED_REQUIRED, field="received_at", code="received_required")
    if received_at > now:
        raise GrantsError(errors.RECEIVED_IN_FUTURE, field="received_at", code="received_future")
    if call.status != CallStatus.PUBLISHED:
        raise GrantsError(errors.RECEIVED_CALL_CLOSED, code="call_not_open")

    def shown(moment: datetime) -> str:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")

    if received_at < call.opens_at:
        raise GrantsError(
            errors.RECEIVED_BEFORE_OPENING,
            field="received_at",
            code="call_not_open",
            params={"received": shown(received_at), "opens": shown(call.opens_at)},
        )
    if call.closes_at is not None and received_at >= call.closes_at:
        raise GrantsError(
            errors.RECEIVED_AFTER_DEADLINE,
            field="received_at",
            code="call_not_open",
            params={"received": shown(received_at), "deadline": shown(call.closes_at)},
        )
    return received_at


def application_start(
    *,
    user: User,
    call: Call,
    applicant: Organisation,
    title: str,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
    received_at: datetime | None = None,
) -> Application:
    """Open a draft in the applicant's name; one live application per applicant and call.

    With ``on_behalf`` a clerk of the call's unit keys in an application that came on paper,
    for ``user``: the person who represents the applicant and signed it (they may have no
    account). The rules are the online ones, applied at ``received_at`` — when the paper
    reached the office — so a paper received after the deadline is refused however early it
    is keyed, and one received on time may still be keyed after the deadline, until the call
    is closed for assessment.
    """
    at = at or timezone.now()
    if on_behalf is not None:
        _deny(permissions.can_key_in_application(on_behalf.clerk, call))
        if not registry.is_representative(user, applicant):
            raise GrantsError(
                errors.PERSON_NOT_REPRESENTATIVE, field="applicant", code="not_representative"
            )
        at = _check_received(call, received_at, now=at)
    else:
        _deny(registry.is_member(user, applicant))
    if not permissions.is_call_open(call, at=at):
        raise GrantsError(errors.CALL_NOT_OPEN, code="call_not_open")
    existing = (
        Application.objects.filter(call=call, applicant=applicant)
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .first()
    )
    if existing is not None:
        raise GrantsError(
            errors.DUPLICATE_DRAFT,
            field="applicant",
            code="duplicate",
            params={"title": existing.title},
        )
    application = Application(
        call=call,
        applicant=applicant,
        created_by=user,
        title=title.strip(),
        received_at=received_at if on_behalf is not None else None,
        **act_fields(on_behalf),
    )
    _validate(application, exclude=["created_by", "keyed_by"])
    with transaction.atomic():
        application.save()
        if on_behalf is not None:
            _audit(
                on_behalf.clerk,
                "grants.application_keyed_in",
                application,
                None,
                extra={"channel": on_behalf.channel},
            )
            _touch(user)
    return application


def _touch(person: User) -> None:
    """A clerk acted for the person: the retention period of one without an account restarts."""
    from wspolnota.accounts.services import person_touch

    person_touch(person=person)


APPLICATION_FIELDS = (
    "title",
    "summary",
    "description",
    "target_group",
    "district",
    "location",
    "start_date",
    "end_date",
    "residents_contribution",
    "experience",
    "public_task_sphere",
    "contact_name",
    "contact_phone",
    "contact_email",
    "social_change",
    "durability",
    "resources",
    "other_information",
)
OFFER_TEXT_FIELDS = (
    "public_task_sphere",
    "contact_name",
    "contact_phone",
    "contact_email",
    "social_change",
    "durability",
    "resources",
    "other_information",
)


def _editable(user: User, application: Application) -> None:
    if application.status != ApplicationStatus.DRAFT:
        raise GrantsError(errors.NOT_DRAFT, code="not_draft")
    _deny(permissions.can_edit_application(user, application))


def application_update(
    *,
    user: User,
    application: Application,
    title: str,
    summary: str = "",
    description: str = "",
    target_group: str = "",
    district: District | None = None,
    location: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    residents_contribution: str = "",
    experience: str = "",
    **offer: str,
) -> Application:
    """Save the draft's text and dates (and the statutory offer's parts for the simplified and
    full forms); limits are checked on the checklist and at submission."""
    _editable(user, application)
    for name, value in offer.items():
        if name in OFFER_TEXT_FIELDS:
            setattr(application, name, (value or "").strip())
    application.title = title.strip()
    application.summary = summary.strip()
    application.description = description.strip()
    application.target_group = target_group.strip()
    application.district = district
    application.location = location.strip()
    application.start_date = start_date
    application.end_date = end_date
    application.residents_contribution = residents_contribution.strip()
    application.experience = experience.strip()
    _validate(application, exclude=["created_by"])
    application.save()
    return application


@dataclass(frozen=True)
class BudgetRow:
    category: str
    description: str
    unit: str
    quantity: Decimal
    unit_cost: Decimal
    grant_amount: Decimal = ZERO
    own_amount: Decimal = ZERO
    in_kind_amount: Decimal = ZERO
    volunteer_amount: Decimal = ZERO
    fees_amount: Decimal = ZERO
    other_public_amount: Decimal = ZERO
    action_position: int | None = None
    partner_position: int | None = None


def budget_replace(
    *, user: User, application: Application, rows: Sequence[BudgetRow]
) -> list[BudgetLine]:
    """Replace the budget table. The cost of each row is quantity × unit cost; the requested
    amount and the total cost of the application follow from the rows."""
    _editable(user, application)
    lines = []
    for position, row in enumerate(rows, start=1):
        line = BudgetLine(
            application=application,
            position=position,
            category=row.category,
            description=row.description.strip(),
            unit=row.unit.strip(),
            quantity=row.quantity,
            unit_cost=row.unit_cost,
            total=limits.q2(row.quantity * row.unit_cost),
            grant_amount=row.grant_amount,
            own_amount=row.own_amount,
            in_kind_amount=row.in_kind_amount,
            volunteer_amount=row.volunteer_amount,
            fees_amount=row.fees_amount,
            other_public_amount=row.other_public_amount,
            action_position=row.action_position,
            partner_position=row.partner_position,
        )
        try:
            line.full_clean(exclude=["application"])
        except ValidationError as exc:
            _field, messages = next(iter(exc.message_dict.items()))
            raise GrantsError(
                errors.ROW_ERROR,
                code="budget_row",
                params={"line": position, "message": " ".join(messages)},
            ) from None
        lines.append(line)
    totals = limits.budget_totals(lines)
    with transaction.atomic():
        application.budget_lines.all().delete()
        BudgetLine.objects.bulk_create(lines)
        application.requested_amount = totals.grant
        application.total_cost = totals.total
        application.save(update_fields=["requested_amount", "total_cost", "updated_at"])
    return list(application.budget_lines.all())


CSV_COLUMNS = (
    "kategoria",
    "rodzaj kosztu",
    "jednostka",
    "liczba",
    "koszt jednostkowy",
    "dotacja",
    "wkład własny",
    "wkład rzeczowy",
    "wolontariat",
)
_CATEGORY_BY_NAME = {
    **{value: value for value in CostCategory.values},
    **{str(label).lower(): value for value, label in CostCategory.choices},
}


def _csv_number(raw: str, *, line: int, column: str) -> Decimal:
    text = raw.strip().replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not text:
        return ZERO
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise GrantsError(
            errors.CSV_NUMBER,
            field="file",
            code="csv_number",
            params={"line": line, "column": column, "value": raw.strip()[:30]},
        ) from None
    if not value.is_finite():
        raise GrantsError(
            errors.CSV_NUMBER,
            field="file",
            code="csv_number",
            params={"line": line, "column": column, "value": raw.strip()[:30]},
        )
    return value


def budget_rows_from_csv(content: bytes) -> list[BudgetRow]:
    """Parse a budget exported from a spreadsheet (UTF-8, semicolons, a header row). Every
    mistake names its line so the applicant can find it."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GrantsError(errors.CSV_ENCODING, field="file", code="csv_encoding") from None
    reader = csv.reader(io.StringIO(text), delimiter=";")
    rows: list[BudgetRow] = []
    header_seen = False
    for number, record in enumerate(reader, start=1):
        if not any(cell.strip() for cell in record):
            continue
        if not header_seen:
            if [c.strip().lower() for c in record[:2]] != list(CSV_COLUMNS[:2]):
                raise GrantsError(errors.CSV_HEADER, field="file", code="csv_header")
            header_seen = True
            continue
        if len(record) != len(CSV_COLUMNS):
            raise GrantsError(
                errors.CSV_COLUMNS,
                field="file",
                code="csv_columns",
                params={"line": number, "expected": len(CSV_COLUMNS), "found": len(record)},
            )
        category = _CATEGORY_BY_NAME.get(record[0].strip().lower())
        if category is None:
            raise GrantsError(
                errors.CSV_CATEGORY,
                field="file",
                code="csv_category",
                params={"line": number, "value": record[0].strip()[:40]},
            )
        amounts = [_csv_number(record[i], line=number, column=CSV_COLUMNS[i]) for i in range(3, 9)]
        if not record[1].strip() or not record[2].strip():
            raise GrantsError(
                errors.ROW_ERROR,
                field="file",
                code="csv_required",
                params={"line": number, "message": _("uzupełnij rodzaj kosztu i jednostkę.")},
            )
        rows.append(
            BudgetRow(
                category=category,
                description=record[1].strip()[:300],
                unit=record[2].strip()[:30],
                quantity=amounts[0],
                unit_cost=amounts[1],
                grant_amount=amounts[2],
                own_amount=amounts[3],
                in_kind_amount=amounts[4],
                volunteer_amount=amounts[5],
            )
        )
    if not header_seen:
        raise GrantsError(errors.CSV_HEADER, field="file", code="csv_header")
    if not rows:
        raise GrantsError(errors.CSV_EMPTY, field="file", code="csv_empty")
    return rows


def budget_import_csv(
    *, user: User, application: Application, upload: UploadedFile[bytes]
) -> list[BudgetLine]:
    _editable(user, application)
    rows = budget_rows_from_csv(upload.read(2 * 1024 * 1024 + 1)[: 2 * 1024 * 1024])
    try:
        return budget_replace(user=user, application=application, rows=rows)
    except GrantsError as exc:
        exc.field = "file"
        raise


@dataclass(frozen=True)
class ScheduleRow:
    action: str
    start_date: date
    end_date: date
    responsible: str = ""


def schedule_replace(*, user: User, application: Application, rows: Sequence[ScheduleRow]) -> None:
    _editable(user, application)
    with transaction.atomic():
        application.schedule_items.all().delete()
        ScheduleItem.objects.bulk_create(
            [
                ScheduleItem(
                    application=application,
                    position=i,
                    action=row.action.strip(),
                    start_date=row.start_date,
                    end_date=row.end_date,
                    responsible=row.responsible.strip(),
                )
                for i, row in enumerate(rows, start=1)
            ]
        )
        application.save(update_fields=["updated_at"])


@dataclass(frozen=True)
class ResultRow:
    description: str
    target: str
    verification: str = ""


def results_replace(*, user: User, application: Application, rows: Sequence[ResultRow]) -> None:
    _editable(user, application)
    with transaction.atomic():
        application.expected_results.all().delete()
        ExpectedResult.objects.bulk_create(
            [
                ExpectedResult(
                    application=application,
                    position=i,
                    description=row.description.strip(),
                    target=row.target.strip(),
                    verification=row.verification.strip(),
                )
                for i, row in enumerate(rows, start=1)
            ]
        )
        application.save(update_fields=["updated_at"])


DECLARATION_KEYS = (
    "within_statutory_activity",
    "fees_only_paid_activity",
    "no_tax_arrears",
    "no_social_security_arrears",
    "registry_data_true",
    "information_true",
    "gdpr_obligations",
)


def declarations_save(
    *, user: User, application: Application, declarations: dict[str, Any]
) -> Application:
    """Part VII of the statutory offer: the offeror's statements, kept with the draft and
    vouched for by the checksum once filed."""
    _editable(user, application)
    application.declarations = {
        key: declarations.get(key)
        for key in DECLARATION_KEYS
        if declarations.get(key) not in ("", None)
    }
    application.save(update_fields=["declarations", "updated_at"])
    return application


def partner_add(
    *, user: User, application: Application, organisation: Organisation, actions: str
) -> OfferPartner:
    """A joint offer (art. 14 ust. 2): another NGO with a verified registry entry joins, with
    the actions it carries out."""
    _editable(user, application)
    if (
        organisation.pk == application.applicant_id
        or organisation.kind != OrganisationKind.NGO
        or organisation.status != VerificationStatus.VERIFIED
    ):
        raise GrantsError(errors.PARTNER_INVALID, field="organisation", code="partner_invalid")
    if not actions.strip():
        raise GrantsError(errors.PARTNER_ACTIONS, field="actions", code="partner_actions")
    if application.partners.filter(organisation=organisation).exists():
        raise GrantsError(errors.PARTNER_TWICE, field="organisation", code="partner_twice")
    position = (application.partners.aggregate(m=models.Max("position"))["m"] or 1) + 1
    partner = OfferPartner(
        application=application,
        organisation=organisation,
        actions=actions.strip(),
        position=position,
    )
    _validate(partner)
    partner.save()
    return partner


def partner_remove(*, user: User, partner: OfferPartner) -> None:
    _editable(user, partner.application)
    partner.delete()


def attachment_add(
    *, user: User, application: Application, title: str, upload: UploadedFile[bytes]
) -> Attachment:
    _editable(user, application)
    try:
        checked = check_upload(upload)
    except OrganisationsError as exc:
        raise GrantsError(exc.message, field="file", code=exc.code, params=exc.params) from None
    attachment = Attachment(
        application=application,
        title=title.strip() or checked.name,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=user,
    )
    _validate(attachment, exclude=["file"])
    attachment.file.save(checked.name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_remove(*, user: User, attachment: Attachment) -> None:
    _editable(user, attachment.application)
    stored = attachment.file.name or ""
    storage = attachment.file.storage
    attachment.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def application_content(application: Application) -> dict[str, Any]:
    """The content a checksum vouches for: what was filed, by whom, in which call."""
    applicant = application.applicant
    return {
        "number": application.number,
        "call": {"id": application.call_id, "title": application.call.title},
        "applicant": {
            "id": applicant.pk,
            "kind": applicant.kind,
            "name": applicant.name,
            "krs": applicant.krs,
            "nip": applicant.nip,
            "regon": applicant.regon,
        },
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "fields": {
            name: (
                getattr(application, f"{name}_id")
                if name == "district"
                else getattr(application, name)
            )
            for name in APPLICATION_FIELDS
        },
        "budget": [
            {
                "position": line.position,
                "category": line.category,
                "description": line.description,
                "unit": line.unit,
                "quantity": line.quantity,
                "unit_cost": line.unit_cost,
                "total": line.total,
                "grant": line.grant_amount,
                "own": line.own_amount,
                "in_kind": line.in_kind_amount,
                "volunteer": line.volunteer_amount,
                "fees": line.fees_amount,
                "other_public": line.other_public_amount,
                "action": line.action_position,
                "partner": line.partner_position,
            }
            for line in application.budget_lines.order_by("position")
        ],
        "partners": [
            [p.position, p.organisation_id, p.organisation.name, p.actions]
            for p in application.partners.select_related("organisation").order_by("position")
        ],
        "declarations": application.declarations,
        "schedule": [
            [item.position, item.action, item.start_date, item.end_date, item.responsible]
            for item in application.schedule_items.order_by("position")
        ],
        "results": [
            [r.position, r.description, r.target, r.verification]
            for r in application.expected_results.order_by("position")
        ],
        "attachments": [
            [a.original_name, a.sha256] for a in application.attachments.order_by("id")
        ],
        "requested_amount": application.requested_amount,
        "total_cost": application.total_cost,
    }


def content_checksum(application: Application) -> str:
    data = json.dumps(
        application_content(application), sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def application_submit(
    *, user: User, application: Application, at: datetime | None = None
) -> Application:
    """File the application. Every limit of the programme is checked (the first problem is
    raised; the page lists them all beforehand), a number is assigned under a lock on the call,
    and the content is frozen under a SHA-256 checksum printed on the PDF receipt."""
    at = at or timezone.now()
    if application.status != ApplicationStatus.DRAFT:
        raise GrantsError(errors.NOT_DRAFT, code="not_draft")
    # A paper application is filed by the clerk keying it in, for the person who signed it,
    # as of the moment the paper was received (see ``application_start``).
    keyed = permissions.keys_in(user, application)
    filer = user
    if keyed:
        filer = application.created_by
        if not registry.is_representative(filer, application.applicant):
            raise GrantsError(
                errors.PERSON_NOT_REPRESENTATIVE, field="applicant", code="not_representative"
            )
        if application.corrections_due is None:
            _check_received(application.call, application.received_at, now=at)
        assert application.received_at is not None
        at = application.received_at
    elif not registry.is_representative(user, application.applicant):
        raise GrantsError(errors.NOT_ALLOWED, code="not_allowed")
    with transaction.atomic():
        call = (
            Call.objects.select_for_update().select_related("programme").get(pk=application.call_id)
        )
        application.call = call
        if not permissions.is_open_for(application, at=at):
            raise GrantsError(errors.CALL_NOT_OPEN, code="call_not_open")
        if call.terms.rolling and selectors.call_pool(call).remaining <= 0:
            raise GrantsError(errors.POOL_EXHAUSTED, code="pool_exhausted")
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.DRAFT:
            raise GrantsError(errors.NOT_DRAFT, code="not_draft")
        _first(selectors.application_check(application, at=at))
        totals = limits.budget_totals(application.budget_lines.all())
        if not locked.number:
            sequence = Application.objects.filter(call=call).exclude(number="").count() + 1
            prefix = NUMBER_PREFIX[call.programme.kind]
            application.number = f"{prefix}/{call.year}/{call.pk}/{sequence:04d}"
        application.status = ApplicationStatus.SUBMITTED
        application.submitted_at = at
        application.submitted_by = filer
        application.requested_amount = totals.grant
        application.total_cost = totals.total
        application.content_sha256 = content_checksum(application)
        if call.terms.kind == ProgrammeKind.SMALL_GRANT:
            working_days = law.rule(
                RuleKey.SMALL_GRANT_PUBLICATION_WORKING_DAYS, on=timezone.localdate(at)
            )
            application.publication_due = law.add_working_days(
                timezone.localdate(at), working_days.days
            )
        application.save()
        audit_log_append(
            actor=user,
            action="grants.application_submitted",
            obj=application,
            after=_snapshot(application),
            reason=f"keyed in from {application.channel}" if keyed else "",
        )
        if keyed:
            _touch(filer)
        _notify_applicant(application, event="submitted")
        _notify_officials(application)
        application_id = application.pk
        transaction.on_commit(lambda: _enqueue_receipt(application_id))
    return application


def _enqueue_receipt(application_id: int) -> None:
    from wspolnota.grants.tasks import generate_receipt

    generate_receipt.enqueue(application_id=application_id)


def application_receipt_ensure(*, application: Application) -> Application:
    """Render and store the PDF receipt once; the stored file's SHA-256 is kept beside it."""
    if application.receipt_pdf or not application.submitted_at:
        return application
    from wspolnota.grants.pdf import render_pdf

    application = selectors.application_for_document(application.pk)
    pdf = render_pdf(
        "grants/pdf/receipt.html",
        {
            "application": application,
            "totals": limits.budget_totals(application.budget_lines.all()),
            "lines": application.budget_lines.all(),
        },
    )
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.receipt_pdf:
            return locked
        safe = application.number.replace("/", "-")
        locked.receipt_pdf.save(f"grants/receipts/{safe}.pdf", ContentFile(pdf), save=False)
        locked.receipt_sha256 = hashlib.sha256(pdf).hexdigest()
        locked.save(update_fields=["receipt_pdf", "receipt_sha256", "updated_at"])
    return locked


def application_withdraw(*, user: User, application: Application, reason: str = "") -> Application:
    _deny(permissions.can_withdraw_application(user, application))
    before = _snapshot(application)
    was_draft = application.status == ApplicationStatus.DRAFT
    application.status = ApplicationStatus.WITHDRAWN
    application.decision_note = reason.strip()
    with transaction.atomic():
        application.save(update_fields=["status", "decision_note", "updated_at"])
        if not was_draft:
            audit_log_append(
                actor=user,
                action="grants.application_withdrawn",
                obj=application,
                before=before,
                after=_snapshot(application),
                reason=reason,
            )
    return application


def _notify_applicant(
    application: Application,
    *,
    event: str,
    note: str = "",
    key: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """Tell the applicant's representatives: by e-mail those with an account, and one without
    (whose application a clerk keyed in from paper) the way they chose — a letter, a voice call
    or an SMS (``reply_to_person``), so that a decision reaches them as the question came."""
    memberships = application.applicant.memberships.select_related("user").filter(
        role=MembershipRole.REPRESENTATIVE
    )
    context = {"application": application, "event": event, "note": note, **(extra or {})}
    for membership in memberships:
        once = f"grants.{event}:{application.pk}:{key}:{membership.user_id}" if key else None
        if membership.user.kept_by_city:
            _reply_to_person(
                membership.user,
                kind=f"grants.{event}",
                subject_template="grants/email/application_subject.txt",
                body_template="grants/email/application_body.txt",
                context=context,
                key=once,
            )
            continue
        notify(
            recipient=membership.user,
            kind=f"grants.{event}",
            subject_template="grants/email/application_subject.txt",
            body_template="grants/email/application_body.txt",
            context=context,
            key=once,
        )


def _reply_to_person(
    person: User,
    *,
    kind: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    key: str | None,
) -> None:
    """Render a notice in the person's language and send it by their chosen channel."""
    from django.conf import settings

    from wspolnota.communication.services import reply_to_person

    rendered = render_template_email(
        subject_template=subject_template,
        body_template=body_template,
        context={"recipient": person, "site_url": settings.SITE_URL, "kind": kind, **context},
        language=person.preferred_language,
    )
    application = context.get("application")
    reply_to_person(
        person=person,
        subject=rendered.subject,
        body=rendered.text,
        kind=kind,
        key=key,
        # the letter goes out from the unit running the call
        sender_unit=application.call.city_unit if application is not None else None,
    )


def _notify_officials(application: Application) -> None:
    """Tell the officials who run the call that an application is waiting for its formal
    check (sent once per application, whoever retries)."""
    for official in selectors.call_officials(application.call):
        notify(
            recipient=official,
            kind="grants.new_application",
            subject_template="grants/email/new_application_subject.txt",
            body_template="grants/email/new_application_body.txt",
            context={"application": application, "call": application.call},
            key=f"grants.new_application:{application.pk}",
        )


# --- evaluation ---------------------------------------------------------------------------------------


def formal_check(
    *,
    actor: User,
    application: Application,
    passed: bool,
    note: str = "",
    at: datetime | None = None,
) -> Application:
    """The formal check: complete, on time, by an eligible applicant. A small-grant offer that
    passes is published at once for the programme's days of public remarks (art. 19a sec. 3)."""
    _deny(permissions.can_manage_call(actor, application.call))
    at = at or timezone.now()
    note = note.strip()
    if not passed and not note:
        raise GrantsError(errors.FORMAL_REASON, field="note", code="formal_reason")
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("call__programme")
            .get(pk=application.pk)
        )
        if locked.status != ApplicationStatus.SUBMITTED:
            raise GrantsError(errors.NOT_SUBMITTED, code="not_submitted")
        before = _snapshot(locked)
        locked.status = (
            ApplicationStatus.IN_ASSESSMENT if passed else ApplicationStatus.FORMALLY_REJECTED
        )
        locked.formal_checked_at = at
        locked.formal_checked_by = actor
        locked.formal_note = note
        remarks_days = locked.call.terms.remarks_days
        published_late = False
        if passed and remarks_days:
            locked.remarks_from = at
            locked.remarks_until = at + timedelta(days=remarks_days)
            published_late = bool(
                locked.publication_due and timezone.localdate(at) > locked.publication_due
            )
        if not passed:
            locked.decided_at = at
        locked.save()
        audit_log_append(
            actor=actor,
            action="grants.formal_passed" if passed else "grants.formal_rejected",
            obj=locked,
            before=before,
            after={**_snapshot(locked), "published_late": published_late},
            reason=note,
        )
        _notify_applicant(locked, event="formal_passed" if passed else "formal_rejected", note=note)
    return locked


def formal_corrections(
    *, actor: User, application: Application, note: str, at: datetime | None = None
) -> Application:
    """The formal check found gaps that can be fixed: the application goes back to its
    applicant (keeping its number) with what to correct and a deadline set by the city's rules,
    and may be filed again until then even if the call has closed."""
    _deny(permissions.can_manage_call(actor, application.call))
    at = at or timezone.now()
    note = note.strip()
    if not note:
        raise GrantsError(errors.FORMAL_REASON, field="note", code="formal_reason")
    days = law.rule(RuleKey.CORRECTION_DAYS, on=timezone.localdate(at)).days
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.SUBMITTED:
            raise GrantsError(errors.NOT_SUBMITTED, code="not_submitted")
        before = _snapshot(locked)
        locked.status = ApplicationStatus.DRAFT
        locked.formal_note = note
        locked.formal_checked_at = at
        locked.formal_checked_by = actor
        locked.corrections_due = at + timedelta(days=days)
        locked.save()
        _audit(actor, "grants.formal_corrections", locked, before, reason=note)
        _notify_applicant(locked, event="corrections_requested", note=note, key=str(at.timestamp()))
    return locked


def remark_add(
    *,
    user: User | None,
    application: Application,
    text: str,
    author_name: str,
    author_email: str = "",
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
    received_at: datetime | None = None,
) -> Remark:
    """A remark on a small-grant offer published for remarks. Art. 19a ust. 4: anyone may send
    one — an account is not needed, a signature is.

    With ``on_behalf`` a clerk of the call's unit keys in a remark that came by post or was
    phoned in, for ``user`` (the person who made it, who may have no account): the remarks
    window is checked against ``received_at`` — when it reached the office — and the offer must
    still be in assessment (no remark is keyed in after the decision).
    """
    now = at or timezone.now()
    at = now
    if on_behalf is not None:
        _deny(permissions.can_key_in_remark(on_behalf.clerk, application))
        if user is None:
            raise GrantsError(errors.REMARK_NAME, field="author_name", code="remark_name")
        if received_at is None:
            raise GrantsError(
                errors.RECEIVED_REQUIRED, field="received_at", code="received_required"
            )
        if received_at > now:
            raise GrantsError(
                errors.RECEIVED_IN_FUTURE, field="received_at", code="received_future"
            )
        at = received_at
        if (
            application.remarks_from is not None
            and application.remarks_until is not None
            and application.status == ApplicationStatus.IN_ASSESSMENT
            and not permissions.is_open_for_remarks(application, at=at)
        ):
            raise GrantsError(
                errors.REMARK_RECEIVED_OUTSIDE,
                field="received_at",
                code="remarks_closed",
                params={
                    "received": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
                    "start": timezone.localtime(application.remarks_from).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "end": timezone.localtime(application.remarks_until).strftime("%Y-%m-%d %H:%M"),
                },
            )
    if not permissions.is_open_for_remarks(application, at=at):
        if application.remarks_until is not None:
            raise GrantsError(
                errors.REMARKS_CLOSED,
                code="remarks_closed",
                params={
                    "date": timezone.localtime(application.remarks_until).strftime("%Y-%m-%d %H:%M")
                },
            )
        raise GrantsError(errors.REMARKS_NOT_PUBLISHED, code="remarks_not_published")
    _deny(permissions.can_remark(user, application, at=at))
    signed_in = user is not None and user.is_authenticated
    name = author_name.strip()
    if not name and signed_in:
        assert user is not None
        # The account's name signs the remark; never its e-mail, which the page would publish.
        name = user.get_full_name()
    if not name:
        raise GrantsError(errors.REMARK_NAME, field="author_name", code="remark_name")
    remark = Remark(
        application=application,
        author=user if signed_in else None,
        author_name=name,
        author_email=author_email.strip(),
        text=text.strip(),
        received_at=received_at if on_behalf is not None else None,
        **act_fields(on_behalf),
    )
    _validate(remark, exclude=["keyed_by"])
    with transaction.atomic():
        remark.save()
        if on_behalf is not None:
            assert user is not None
            _audit(
                on_behalf.clerk,
                "grants.remark_keyed_in",
                remark,
                None,
                extra={"channel": on_behalf.channel},
            )
            _touch(user)
    return remark


def _member_for(user: User, application: Application) -> CommissionMember:
    member = permissions.commission_member(user, application.call)
    if member is None:
        raise GrantsError(errors.NOT_IN_COMMISSION, code="not_in_commission")
    return member


def conflict_declare(
    *, user: User, application: Application, has_conflict: bool, explanation: str = ""
) -> ConflictDeclaration:
    """A commission member states, for each application, whether a conflict of interest exists
    (art. 15 sec. 2d; art. 24 of the administrative procedure code). A member who acts for the
    applicant cannot declare that there is none. A statement can be corrected while the
    application is assessed; every earlier wording is kept."""
    member = _member_for(user, application)
    if application.status != ApplicationStatus.IN_ASSESSMENT:
        raise GrantsError(errors.NOT_IN_ASSESSMENT, code="not_in_assessment")
    if not has_conflict and registry.is_member(user, application.applicant):
        raise GrantsError(
            errors.CONFLICT_MEMBERSHIP, field="has_conflict", code="conflict_membership"
        )
    if has_conflict and not explanation.strip():
        raise GrantsError(
            errors.CONFLICT_EXPLANATION, field="explanation", code="conflict_explanation"
        )
    explanation = explanation.strip()
    with transaction.atomic():
        declaration = (
            ConflictDeclaration.objects.select_for_update()
            .filter(member=member, application=application)
            .first()
        )
        if declaration is None:
            declaration = ConflictDeclaration(
                member=member,
                application=application,
                has_conflict=has_conflict,
                explanation=explanation,
            )
            try:
                with transaction.atomic():
                    declaration.save()
            except IntegrityError:
                raise GrantsError(errors.DECLARATION_EXISTS, code="declaration_exists") from None
            _audit(user, "grants.conflict_declared", declaration, None)
            return declaration
        # A correction: the earlier wording stays in the trail; a newly declared conflict voids
        # the member's assessment of this application (the score no longer counts).
        if declaration.has_conflict == has_conflict and declaration.explanation == explanation:
            raise GrantsError(errors.DECLARATION_EXISTS, code="declaration_exists")
        before = _snapshot(declaration)
        declaration.history = [
            *declaration.history,
            {
                "has_conflict": declaration.has_conflict,
                "explanation": declaration.explanation,
                "until": timezone.now().isoformat(),
            },
        ]
        declaration.has_conflict = has_conflict
        declaration.explanation = explanation
        declaration.save(update_fields=["has_conflict", "explanation", "history", "updated_at"])
        voided = None
        if has_conflict:
            assessment = Assessment.objects.filter(member=member, application=application).first()
            if assessment is not None and assessment.submitted_at is not None:
                voided = str(assessment.total)
                assessment.submitted_at = None
                assessment.total = None
                assessment.save(update_fields=["submitted_at", "total", "updated_at"])
        _audit(
            user,
            "grants.conflict_corrected",
            declaration,
            before,
            extra={"voided_assessment_total": voided},
        )
    return declaration


def assessment_save(
    *,
    user: User,
    application: Application,
    points: dict[int, Decimal | None],
    comments: dict[int, str] | None = None,
    comment: str = "",
    submit: bool = False,
    at: datetime | None = None,
) -> Assessment:
    """Score the application against the call's rubric. Needs a declaration of no conflict;
    a declared conflict blocks scoring. Once submitted, the scores are final."""
    at = at or timezone.now()
    member = _member_for(user, application)
    if not permissions.can_assess(user, application):
        if registry.is_member(user, application.applicant):
            raise GrantsError(errors.CONFLICT_MEMBERSHIP, code="conflict_membership")
        raise GrantsError(errors.NOT_IN_ASSESSMENT, code="not_in_assessment")
    declaration = ConflictDeclaration.objects.filter(member=member, application=application).first()
    if declaration is None:
        raise GrantsError(errors.DECLARATION_MISSING, code="declaration_missing")
    if declaration.has_conflict:
        raise GrantsError(errors.CONFLICT_DECLARED, code="conflict_declared")
    criteria = list(application.call.criteria.all())
    comments = comments or {}
    missing = []
    for criterion in criteria:
        value = points.get(criterion.pk)
        if value is None:
            missing.append(criterion.name)
        elif value < 0 or value > criterion.max_points:
            raise GrantsError(
                errors.POINTS_RANGE,
                field=f"points_{criterion.pk}",
                code="points_range",
                params={"criterion": criterion.name, "max": limits.num(criterion.max_points)},
            )
    if submit and missing:
        raise GrantsError(
            errors.POINTS_MISSING, code="points_missing", params={"criterion": ", ".join(missing)}
        )
    with transaction.atomic():
        assessment, _created = Assessment.objects.select_for_update().get_or_create(
            member=member, application=application
        )
        if assessment.submitted_at is not None:
            raise GrantsError(errors.ASSESSMENT_SUBMITTED, code="assessment_submitted")
        assessment.comment = comment.strip()
        Score.objects.filter(assessment=assessment).delete()
        Score.objects.bulk_create(
            [
                Score(
                    assessment=assessment,
                    criterion=criterion,
                    points=points[criterion.pk] or ZERO,
                    comment=comments.get(criterion.pk, "").strip(),
                )
                for criterion in criteria
                if points.get(criterion.pk) is not None
            ]
        )
        if submit:
            assessment.total = sum((points[c.pk] or ZERO for c in criteria), ZERO)
            assessment.submitted_at = at
        assessment.save()
        if submit:
            audit_log_append(
                actor=user,
                action="grants.assessment_submitted",
                obj=assessment,
                after={
                    **_snapshot(assessment),
                    "scores": {str(c.pk): str(points[c.pk]) for c in criteria},
                },
            )
    return assessment


def _lock_for_decision(application: Application) -> tuple[Call, Application]:
    call = Call.objects.select_for_update().select_related("programme").get(pk=application.call_id)
    locked = (
        Application.objects.select_for_update()
        .select_related("applicant", "call__programme")
        .get(pk=application.pk)
    )
    return call, locked


def award_grant(
    *,
    actor: User,
    application: Application,
    amount: Decimal,
    justification: str = "",
    at: datetime | None = None,
    from_reserve: bool = False,
) -> Award:
    """Grant support, in full or in part, within the call's pool.

    The call's row is locked (SELECT … FOR UPDATE) before the awarded total is summed, so two
    officials awarding the last money of a pool at the same moment are served one after the
    other and the second sees what the first awarded: the pool is never exceeded. The applicant's
    row is locked too, for the yearly limit per organisation (small grants).
    """
    at = at or timezone.now()
    _deny(permissions.can_manage_call(actor, application.call))
    amount = limits.q2(Decimal(amount))
    if amount <= 0:
        raise GrantsError(errors.AWARD_POSITIVE, field="amount", code="award_positive")
    with transaction.atomic():
        call, locked = _lock_for_decision(application)
        applicant = Organisation.objects.select_for_update().get(pk=locked.applicant_id)
        programme = call.terms
        expected = (
            ApplicationStatus.NOT_AWARDED if from_reserve else ApplicationStatus.IN_ASSESSMENT
        )
        if locked.status != expected:
            raise GrantsError(errors.ALREADY_DECIDED, code="already_decided")
        if from_reserve:
            _check_reserve_order(call, locked)
        if applicant.status != VerificationStatus.VERIFIED:
            raise GrantsError(errors.APPLICANT_NOT_VERIFIED, code="applicant_not_verified")
        if locked.remarks_until is not None and at < locked.remarks_until:
            raise GrantsError(
                errors.REMARKS_PERIOD_RUNNING,
                code="remarks_running",
                params={
                    "date": timezone.localtime(locked.remarks_until).strftime("%Y-%m-%d %H:%M")
                },
            )
        if programme.commission_required:
            score = selectors.application_score(locked)
            if score.count < programme.min_assessors:
                raise GrantsError(
                    errors.TOO_FEW_ASSESSMENTS,
                    code="too_few_assessments",
                    params={"count": score.count, "min": programme.min_assessors},
                )
            if programme.pass_score is not None and (score.average or ZERO) < programme.pass_score:
                raise GrantsError(
                    errors.BELOW_PASS_SCORE,
                    code="below_pass_score",
                    params={
                        "score": limits.num(score.average or ZERO),
                        "pass": limits.num(programme.pass_score),
                    },
                )
        if amount > locked.requested_amount:
            raise GrantsError(
                errors.AWARD_ABOVE_REQUEST,
                field="amount",
                code="award_above_request",
                params={"limit": limits.pln(locked.requested_amount)},
            )
        if amount < locked.requested_amount and not justification.strip():
            raise GrantsError(
                errors.AWARD_PARTIAL_REASON, field="justification", code="partial_reason"
            )
        awarded = (
            Award.objects.filter(call=call, status=AwardStatus.ACTIVE).aggregate(
                total=Sum("amount")
            )["total"]
            or ZERO
        )
        remaining = call.pool_amount - awarded
        if amount > remaining:
            raise GrantsError(
                errors.AWARD_ABOVE_POOL,
                field="amount",
                code="award_above_pool",
                params={"remaining": limits.pln(remaining), "amount": limits.pln(amount)},
            )
        if programme.kind == ProgrammeKind.SMALL_GRANT:
            _check_small_grant_share(call=call, amount=amount, at=at)
        cap = programme.yearly_cap_per_applicant
        if cap is not None:
            used = selectors.awarded_to_applicant(
                applicant=applicant, year=call.year, kind=programme.kind
            )
            if used + amount > cap:
                raise GrantsError(
                    errors.YEARLY_CAP,
                    field="amount",
                    code="yearly_cap",
                    params={"year": call.year, "used": limits.pln(used), "limit": limits.pln(cap)},
                )
        before = _snapshot(locked)
        award = Award.objects.create(
            application=locked,
            call=call,
            amount=amount,
            justification=justification.strip(),
            decided_by=actor,
            from_reserve=from_reserve,
        )
        locked.status = ApplicationStatus.AWARDED
        locked.decided_at = at
        locked.decision_note = justification.strip()
        locked.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
        _audit(
            actor,
            "grants.awarded_from_reserve" if from_reserve else "grants.awarded",
            locked,
            before,
            reason=justification,
            extra={"award_amount": str(amount)},
        )
        _notify_applicant(
            locked,
            event="reserve_offered" if from_reserve else "awarded",
            note=justification.strip(),
        )
        if amount < locked.requested_amount:
            _notify_applicant(locked, event="budget_update_needed")
    return award


def _check_reserve_order(call: Call, application: Application) -> None:
    """Freed money goes to the reserve list in order: only its first application is offered."""
    reserve = selectors.reserve_list(call)
    if not reserve or reserve[0].application.pk != application.pk:
        first = reserve[0].application.number if reserve else "—"
        raise GrantsError(errors.RESERVE_ORDER, code="reserve_order", params={"number": first})


def _check_small_grant_share(*, call: Call, amount: Decimal, at: datetime) -> None:
    """Art. 19a ust. 1a: everything given as small grants in a budget year stays within the
    act's share of the grants planned that year for public tasks run by NGOs. The year's plan
    row is locked so awards in different calls are counted one after the other."""
    share = law.rule(RuleKey.SMALL_GRANT_SHARE_PERCENT, on=timezone.localdate(at))
    plan = YearlyGrantPlan.objects.select_for_update().filter(year=call.year).first()
    if plan is None:
        raise GrantsError(
            errors.SHARE_NO_PLAN,
            code="share_no_plan",
            params={"year": call.year, "source": limits.source_phrase(share)},
        )
    ceiling = limits.q2(plan.planned_ngo_grants * share.value / 100)
    given = selectors.small_grants_awarded(year=call.year)
    if given + amount > ceiling:
        raise GrantsError(
            errors.SHARE_CEILING,
            field="amount",
            code="share_ceiling",
            params={
                "year": call.year,
                "total": limits.pln(given + amount),
                "limit": limits.pln(ceiling),
                "percent": limits.num(share.value),
                "planned": limits.pln(plan.planned_ngo_grants),
                "source": limits.source_phrase(share),
            },
        )


def application_refuse(
    *, actor: User, application: Application, reason: str, at: datetime | None = None
) -> Application:
    """Decide not to support an application (below the threshold, out of money, remarks…)."""
    _deny(permissions.can_manage_call(actor, application.call))
    if not reason.strip():
        raise GrantsError(errors.DECISION_REASON, field="reason", code="decision_reason")
    with transaction.atomic():
        _call, locked = _lock_for_decision(application)
        if locked.status != ApplicationStatus.IN_ASSESSMENT:
            raise GrantsError(errors.ALREADY_DECIDED, code="already_decided")
        before = _snapshot(locked)
        locked.status = ApplicationStatus.NOT_AWARDED
        locked.decided_at = at or timezone.now()
        locked.decision_note = reason.strip()
        locked.save(update_fields=["status", "decided_at", "decision_note", "updated_at"])
        audit_log_append(
            actor=actor,
            action="grants.not_awarded",
            obj=locked,
            before=before,
            after=_snapshot(locked),
            reason=reason,
        )
        _notify_applicant(locked, event="not_awarded", note=reason.strip())
    return locked


# --- after the award: resignation, the reserve list, the updated budget ---------------------------


def award_resign(
    *, user: User, application: Application, reason: str, at: datetime | None = None
) -> Award:
    """The applicant gives up the support before the agreement is signed (a representative
    online, or an official recording a letter). The award stops binding the pool, so its money
    can be offered to the first application on the reserve list; an unsigned agreement lapses."""
    at = at or timezone.now()
    allowed = registry.is_representative(
        user, application.applicant
    ) or permissions.can_manage_call(user, application.call)
    _deny(allowed)
    reason = reason.strip()
    if not reason:
        raise GrantsError(errors.RESIGNATION_REASON, field="reason", code="resignation_reason")
    with transaction.atomic():
        _call, locked = _lock_for_decision(application)
        award = Award.objects.select_for_update().filter(application=locked).first()
        if (
            locked.status != ApplicationStatus.AWARDED
            or award is None
            or award.status != AwardStatus.ACTIVE
        ):
            raise GrantsError(errors.NOT_AWARDED, code="not_awarded")
        agreement = Agreement.objects.select_for_update().filter(application=locked).first()
        if agreement is not None and agreement.status != AgreementStatus.DRAFT:
            raise GrantsError(errors.RESIGN_AFTER_SIGNING, code="resign_after_signing")
        before = _snapshot(locked)
        award.status = AwardStatus.RESIGNED
        award.resigned_at = at
        award.resignation_reason = reason
        award.save(update_fields=["status", "resigned_at", "resignation_reason", "updated_at"])
        locked.status = ApplicationStatus.RESIGNED
        locked.save(update_fields=["status", "updated_at"])
        if agreement is not None:
            agreement_before = _snapshot(agreement)
            agreement.status = AgreementStatus.CANCELLED
            agreement.save(update_fields=["status", "updated_at"])
            _audit(user, "grants.agreement_cancelled", agreement, agreement_before, reason=reason)
        _audit(
            user,
            "grants.award_resigned",
            locked,
            before,
            reason=reason,
            extra={"released_amount": str(award.amount)},
        )
        _notify_applicant(locked, event="award_resigned", note=reason)
    return award


@dataclass(frozen=True)
class UpdatedLine:
    """One line of the budget after partial funding or by an annex, by its position."""

    position: int
    grant: Decimal
    own: Decimal = ZERO
    in_kind: Decimal = ZERO
    volunteer: Decimal = ZERO


def _updated_budget(
    application: Application, rows: Sequence[UpdatedLine], *, amount: Decimal
) -> list[dict[str, Any]]:
    """The same lines with new amounts: each line's sources make its cost, the grant adds up to
    the amount, volunteer work stays on volunteer lines, and the call's own-contribution share
    still holds."""
    lines = {line.position: line for line in application.budget_lines.all()}
    by_position = {row.position: row for row in rows}
    unknown = set(by_position) - set(lines)
    if unknown:
        raise GrantsError(
            errors.BUDGET_UPDATE_LINE, code="budget_update_line", params={"line": min(unknown)}
        )
    result: list[dict[str, Any]] = []
    for position, line in sorted(lines.items()):
        row = by_position.get(position, UpdatedLine(position, ZERO))
        values = [limits.q2(v) for v in (row.grant, row.own, row.in_kind, row.volunteer)]
        if any(v < 0 for v in values):
            raise GrantsError(
                errors.BUDGET_UPDATE_LINE, code="budget_update_line", params={"line": position}
            )
        grant, own, in_kind, volunteer = values
        if volunteer and line.category != CostCategory.VOLUNTEER:
            raise GrantsError(
                errors.BUDGET_LINE_VOLUNTEER_ONLY,
                code="budget_volunteer",
                params={"line": position},
            )
        result.append(
            {
                "position": position,
                "category": line.category,
                "description": line.description,
                "total": str(grant + own + in_kind + volunteer),
                "grant": str(grant),
                "own": str(own),
                "in_kind": str(in_kind),
                "volunteer": str(volunteer),
            }
        )
    grant_total = sum((Decimal(str(r["grant"])) for r in result), ZERO)
    if grant_total != limits.q2(amount):
        raise GrantsError(
            errors.BUDGET_UPDATE_SUM,
            code="budget_update_sum",
            params={"sum": limits.pln(grant_total), "amount": limits.pln(amount)},
        )
    share = application.call.terms.min_own_contribution_percent
    total = sum((Decimal(str(r["total"])) for r in result), ZERO)
    contribution = total - grant_total
    if share is not None and total and limits.q2(contribution * 100 / total) < share:
        raise GrantsError(
            errors.CONTRIBUTION_SHARE,
            code="contribution_share",
            params={
                "limit": limits.num(share),
                "share": limits.num(limits.q2(contribution * 100 / total)),
            },
        )
    return result


def award_budget_confirm(
    *, user: User, application: Application, rows: Sequence[UpdatedLine], at: datetime | None = None
) -> Award:
    """After partial funding the applicant's representative confirms the budget the agreement
    will carry: the same lines, the grant cut to the amount awarded (the rest dropped or paid
    otherwise). The agreement cannot be signed before."""
    _deny(registry.is_representative(user, application.applicant))
    with transaction.atomic():
        award = (
            Award.objects.select_for_update()
            .select_related("application")
            .get(application=application)
        )
        if (
            award.status != AwardStatus.ACTIVE
            or award.application.status != ApplicationStatus.AWARDED
        ):
            raise GrantsError(errors.NOT_AWARDED, code="not_awarded")
        agreement = Agreement.objects.filter(application=application).first()
        if agreement is not None and agreement.status != AgreementStatus.DRAFT:
            raise GrantsError(errors.AGREEMENT_NOT_DRAFT, code="agreement_not_draft")
        before = _snapshot(award)
        award.updated_budget = _updated_budget(application, rows, amount=award.amount)
        award.budget_confirmed_at = at or timezone.now()
        award.budget_confirmed_by = user
        award.save(
            update_fields=[
                "updated_budget",
                "budget_confirmed_at",
                "budget_confirmed_by",
                "updated_at",
            ]
        )
        _audit(user, "grants.budget_confirmed", award, before)
    return award


# --- agreements and settlement ---------------------------------------------------------------------


def iban_normalise(raw: str) -> str:
    compact = "".join(raw.split()).upper()
    if compact.isascii() and compact.isdigit() and len(compact) == 26:
        compact = "PL" + compact
    if not stdnum_iban.is_valid(compact):
        raise GrantsError(errors.IBAN_INVALID, field="bank_account", code="iban_invalid")
    return str(stdnum_iban.compact(compact))


def _check_agreement_limits(
    *, application: Application, amount: Decimal, start_date: date, end_date: date
) -> None:
    """What the agreement promises stays within the call's rules and, for small grants, within
    art. 19a ust. 1 on the day the task starts: the amount and the days of the task."""
    terms = application.call.terms
    days = (end_date - start_date).days + 1
    limit_rules: list[tuple[int | None, law.Rule | None]] = []
    if terms.kind == ProgrammeKind.SMALL_GRANT:
        statute_days = law.rule(RuleKey.SMALL_GRANT_MAX_DAYS, on=start_date)
        statute_amount = law.rule(RuleKey.SMALL_GRANT_MAX_AMOUNT, on=start_date)
        limit_rules.append((statute_days.days, statute_days))
        if amount > statute_amount.value:
            raise GrantsError(
                errors.AGREEMENT_AMOUNT,
                code="agreement_amount",
                params={
                    "amount": limits.pln(amount),
                    "limit": limits.pln(statute_amount.value),
                    "source": limits.source_phrase(statute_amount),
                },
            )
    limit_rules.append((terms.max_duration_days, None))
    for limit, rule in limit_rules:
        if limit is not None and days > limit:
            source = (
                limits.source_phrase(rule)
                if rule is not None
                else str(errors.SOURCE_CALL) % {"title": application.call.title}
            )
            raise GrantsError(
                errors.AGREEMENT_DURATION,
                field="end_date",
                code="agreement_duration",
                params={"days": days, "limit": limit, "source": source},
            )


def _paid_through_operator(application: Application, on: date) -> bool:
    """Money for an informal group or a minor goes through a regranting operator (art. 16a);
    in-kind support (no transfer) does not need one."""
    if application.call.terms.in_kind_only:
        return False
    applicant = application.applicant
    if applicant.kind == OrganisationKind.INFORMAL_GROUP:
        return True
    return applicant.kind == OrganisationKind.INDIVIDUAL and _is_minor(applicant, on)


def _is_minor(applicant: Organisation, on: date) -> bool:
    if applicant.kind != OrganisationKind.INDIVIDUAL:
        return False
    person = applicant_rules.applicant_person(list(applicant.people.all()))
    return person is None or not applicant_rules.is_adult(person, on)


def agreement_save(
    *,
    actor: User,
    application: Application,
    start_date: date,
    end_date: date,
    report_due_date: date,
    city_signatory: str,
    applicant_signatories: str,
    bank_account: str = "",
    guardian_consent: bool = False,
) -> Agreement:
    """Prepare (or correct) the agreement of an awarded application, before it is signed.
    Money for an informal group or a minor goes through the programme's regranting operator;
    a minor's agreement records the adult guardian from the registry and their consent."""
    _deny(permissions.can_manage_call(actor, application.call))
    if application.status != ApplicationStatus.AWARDED:
        raise GrantsError(errors.NOT_AWARDED, code="not_awarded")
    operator = None
    if _paid_through_operator(application, start_date):
        operator = application.call.terms.regranting_operator
        if operator is None:
            raise GrantsError(errors.OPERATOR_REQUIRED, code="operator_required")
    guardian_name = ""
    if _is_minor(application.applicant, start_date):
        guardian = applicant_rules.adult_guardian(
            list(application.applicant.people.all()), start_date
        )
        if guardian is None or not guardian_consent:
            raise GrantsError(
                errors.GUARDIAN_CONSENT, field="guardian_consent", code="guardian_consent"
            )
        guardian_name = guardian.full_name
    in_kind = application.call.terms.in_kind_only
    account = ""
    if not in_kind:
        if not bank_account.strip():
            raise GrantsError(errors.IBAN_REQUIRED, field="bank_account", code="iban_required")
        account = iban_normalise(bank_account)
    if end_date < start_date:
        raise GrantsError(errors.AGREEMENT_DATES, field="end_date", code="agreement_dates")
    _check_agreement_limits(
        application=application,
        amount=application.award.amount,
        start_date=start_date,
        end_date=end_date,
    )
    agreement = Agreement.objects.filter(application=application).first()
    before = _snapshot(agreement) if agreement else None
    if agreement is None:
        agreement = Agreement(
            application=application,
            number=f"{application.number}/U",
            amount=application.award.amount,
            created_by=actor,
        )
    elif agreement.status != AgreementStatus.DRAFT:
        raise GrantsError(errors.AGREEMENT_NOT_DRAFT, code="agreement_not_draft")
    agreement.start_date = start_date
    agreement.end_date = end_date
    agreement.report_due_date = report_due_date
    agreement.city_signatory = city_signatory.strip()
    agreement.applicant_signatories = applicant_signatories.strip()
    agreement.bank_account = account
    agreement.operator = operator
    agreement.guardian_name = guardian_name
    agreement.guardian_consent = bool(guardian_name)
    _validate(agreement, exclude=["created_by", "application"])
    with transaction.atomic():
        agreement.save()
        audit_log_append(
            actor=actor,
            action="grants.agreement_saved",
            obj=agreement,
            before=before,
            after=_snapshot(agreement),
        )
    return agreement


def tranches_set(
    *, actor: User, agreement: Agreement, tranches: Sequence[tuple[Decimal, date]]
) -> list[Tranche]:
    """Set the payment schedule of a draft agreement; the tranches add up to its amount."""
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    if agreement.status != AgreementStatus.DRAFT:
        raise GrantsError(errors.AGREEMENT_NOT_DRAFT, code="agreement_not_draft")
    if agreement.application.call.terms.in_kind_only:
        raise GrantsError(errors.TRANCHES_IN_KIND, code="tranches_in_kind")
    total = sum((limits.q2(amount) for amount, _due in tranches), ZERO)
    if total != agreement.amount:
        raise GrantsError(
            errors.TRANCHES_SUM,
            code="tranches_sum",
            params={"sum": limits.pln(total), "amount": limits.pln(agreement.amount)},
        )
    with transaction.atomic():
        before = [
            {"position": t.position, "amount": str(t.amount), "due_date": str(t.due_date)}
            for t in agreement.tranches.all()
        ]
        agreement.tranches.all().delete()
        created = Tranche.objects.bulk_create(
            [
                Tranche(agreement=agreement, position=i, amount=limits.q2(amount), due_date=due)
                for i, (amount, due) in enumerate(tranches, start=1)
            ]
        )
        audit_log_append(
            actor=actor,
            action="grants.tranches_set",
            obj=agreement,
            before={"tranches": before},
            after={
                "tranches": [
                    {"position": t.position, "amount": str(t.amount), "due_date": str(t.due_date)}
                    for t in created
                ]
            },
        )
    return created


SIGNATURE_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class SignedFile:
    name: str
    sha256: str


def check_signature_file(upload: UploadedFile[bytes]) -> SignedFile:
    """A file signed with a qualified signature or the trusted profile, as Poland's tools give
    it back: a PDF with an embedded signature (PAdES: a /ByteRange signature dictionary) or an
    XML signature (XAdES: the xmldsig namespace). The platform keeps the file and its SHA-256;
    validating the certificate chain is the office's signature software's job."""
    content = upload.read(SIGNATURE_MAX_BYTES + 1)
    name = (upload.name or "podpis").rsplit("/", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    signed = False
    if len(content) <= SIGNATURE_MAX_BYTES:
        if extension == "pdf" and content.startswith(b"%PDF-"):
            signed = b"/ByteRange" in content and b"/Contents" in content
        elif extension in ("xml", "xades") and content.lstrip().startswith(b"<"):
            signed = b"http://www.w3.org/2000/09/xmldsig#" in content and b"Signature" in content
    if not signed:
        raise GrantsError(errors.SIGNATURE_FILE, field="file", code="signature_file")
    upload.seek(0)
    return SignedFile(name=name, sha256=hashlib.sha256(content).hexdigest())


def signature_add(
    *,
    actor: User,
    application: Application,
    document: str,
    kind: str,
    received_on: date,
    upload: UploadedFile[bytes] | None = None,
) -> Signature:
    """Record how the offer or the agreement was signed: the signed file uploaded back (by the
    applicant's representative or the office) or paper, with the date it reached the office."""
    allowed = permissions.can_manage_call(actor, application.call) or (
        kind != SignatureKind.PAPER and registry.is_representative(actor, application.applicant)
    )
    _deny(allowed)
    signature = Signature(
        application=application,
        document=document,
        kind=kind,
        received_on=received_on,
        recorded_by=actor,
    )
    if kind != SignatureKind.PAPER:
        if upload is None:
            raise GrantsError(errors.SIGNATURE_FILE, field="file", code="signature_file")
        checked = check_signature_file(upload)
        signature.original_name = checked.name
        signature.sha256 = checked.sha256
        signature.file.save(checked.name, upload, save=False)
    _validate(signature, exclude=["file"])
    with transaction.atomic():
        signature.save()
        _audit(actor, "grants.signature_recorded", signature, None)
    return signature


def agreement_sign(
    *,
    actor: User,
    agreement: Agreement,
    signed_on: date,
    kind: str = SignatureKind.PAPER,
    upload: UploadedFile[bytes] | None = None,
    received_on: date | None = None,
) -> Agreement:
    """Record the signing — on paper with the date the signed copy was received, or a file
    signed with a qualified signature or the trusted profile; money agreements need their
    tranches, in-kind ones have none."""
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    if agreement.status != AgreementStatus.DRAFT:
        raise GrantsError(errors.AGREEMENT_NOT_DRAFT, code="agreement_not_draft")
    award = Award.objects.select_related("application").get(application_id=agreement.application_id)
    if award.is_partial and award.budget_confirmed_at is None:
        raise GrantsError(errors.BUDGET_NOT_CONFIRMED, code="budget_not_confirmed")
    if not agreement.application.call.terms.in_kind_only:
        total = agreement.tranches.aggregate(total=Sum("amount"))["total"] or ZERO
        if total != agreement.amount:
            raise GrantsError(
                errors.TRANCHES_SUM,
                code="tranches_sum",
                params={"sum": limits.pln(total), "amount": limits.pln(agreement.amount)},
            )
    before = _snapshot(agreement)
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_on = signed_on
    with transaction.atomic():
        signature_add(
            actor=actor,
            application=agreement.application,
            document="agreement",
            kind=kind,
            received_on=received_on or signed_on,
            upload=upload,
        )
        agreement.save(update_fields=["status", "signed_on", "updated_at"])
        audit_log_append(
            actor=actor,
            action="grants.agreement_signed",
            obj=agreement,
            before=before,
            after=_snapshot(agreement),
        )
        _notify_applicant(agreement.application, event="agreement_signed")
    return agreement


def tranche_mark_paid(*, actor: User, tranche: Tranche, paid_on: date) -> Tranche:
    agreement = tranche.agreement
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    if agreement.status != AgreementStatus.SIGNED:
        raise GrantsError(errors.TRANCHE_BEFORE_SIGNING, code="tranche_before_signing")
    if tranche.paid_on is not None:
        raise GrantsError(errors.TRANCHE_PAID, code="tranche_paid")
    if agreement.operator_id is None and _paid_through_operator(
        agreement.application, agreement.start_date
    ):
        raise GrantsError(errors.OPERATOR_REQUIRED, code="operator_required")
    before = _snapshot(tranche)
    tranche.paid_on = paid_on
    tranche.paid_recorded_by = actor
    with transaction.atomic():
        tranche.save(update_fields=["paid_on", "paid_recorded_by", "updated_at"])
        audit_log_append(
            actor=actor,
            action="grants.tranche_paid",
            obj=tranche,
            before=before,
            after=_snapshot(tranche),
        )
    return tranche


def report_start(
    *, user: User, agreement: Agreement, kind: str, period_from: date, period_to: date
) -> Report:
    """Open a report with a row for every planned cost and every expected result."""
    _deny(permissions.can_report(user, agreement))
    if not (agreement.start_date <= period_from <= period_to <= agreement.end_date):
        raise GrantsError(errors.REPORT_PERIOD, field="period_from", code="report_period")
    if kind == ReportKind.FINAL and agreement.reports.filter(kind=ReportKind.FINAL).exists():
        raise GrantsError(errors.FINAL_EXISTS, field="kind", code="final_exists")
    application = agreement.application
    with transaction.atomic():
        report = Report.objects.create(
            agreement=agreement,
            kind=kind,
            period_from=period_from,
            period_to=period_to,
            created_by=user,
        )
        ReportLine.objects.bulk_create(
            [ReportLine(report=report, budget_line=line) for line in application.budget_lines.all()]
        )
        ReportResult.objects.bulk_create(
            [
                ReportResult(report=report, expected_result=result)
                for result in application.expected_results.all()
            ]
        )
    return report


@dataclass(frozen=True)
class ActualCost:
    actual_grant: Decimal
    actual_own: Decimal
    actual_in_kind: Decimal
    actual_volunteer: Decimal
    explanation: str = ""


def report_update(
    *,
    user: User,
    report: Report,
    narrative: str,
    costs: dict[int, ActualCost],
    achieved: dict[int, str],
) -> Report:
    """Save the actual costs (by report line id) and results achieved (by report result id)."""
    _deny(permissions.can_report(user, report.agreement))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.CORRECTIONS):
        raise GrantsError(errors.REPORT_NOT_EDITABLE, code="report_not_editable")
    with transaction.atomic():
        report.narrative = narrative.strip()
        report.save(update_fields=["narrative", "updated_at"])
        lines = {line.pk: line for line in report.lines.all()}
        for line_id, cost in costs.items():
            line = lines.get(line_id)
            if line is None:
                continue
            line.actual_grant = limits.q2(cost.actual_grant)
            line.actual_own = limits.q2(cost.actual_own)
            line.actual_in_kind = limits.q2(cost.actual_in_kind)
            line.actual_volunteer = limits.q2(cost.actual_volunteer)
            line.explanation = cost.explanation.strip()
            _validate(line)
        ReportLine.objects.bulk_update(
            list(lines.values()),
            ["actual_grant", "actual_own", "actual_in_kind", "actual_volunteer", "explanation"],
        )
        results = {r.pk: r for r in report.results.all()}
        for result_id, value in achieved.items():
            if result_id in results:
                results[result_id].achieved = value.strip()[:100]
        ReportResult.objects.bulk_update(list(results.values()), ["achieved"])
    return report


def report_submit(*, user: User, report: Report, at: datetime | None = None) -> Report:
    """File the report. Mistakes (more spent than granted, unexplained differences) stop it;
    breaches of the tolerance rule are shown to officials, with the amount to return."""
    _deny(permissions.can_submit_report(user, report))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.CORRECTIONS):
        raise GrantsError(errors.REPORT_NOT_EDITABLE, code="report_not_editable")
    if not report.narrative.strip():
        raise GrantsError(errors.REPORT_NARRATIVE, field="narrative", code="report_narrative")
    settlement = selectors.report_settlement(report)
    _first(settlement_problems(settlement, final=report.kind == ReportKind.FINAL))
    before = _snapshot(report)
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = at or timezone.now()
    report.submitted_by = user
    with transaction.atomic():
        report.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        audit_log_append(
            actor=user,
            action="grants.report_submitted",
            obj=report,
            before=before,
            after={**_snapshot(report), "to_return": str(settlement.to_return)},
        )
    return report


def report_review(
    *, actor: User, report: Report, accept: bool, note: str = "", at: datetime | None = None
) -> Report:
    """Accept the report or return it for corrections. Accepting the final report settles
    the agreement."""
    _deny(permissions.can_review_report(actor, report))
    if report.status != ReportStatus.SUBMITTED:
        raise GrantsError(errors.REPORT_NOT_SUBMITTED, code="report_not_submitted")
    if not accept and not note.strip():
        raise GrantsError(errors.REVIEW_NOTE, field="note", code="review_note")
    at = at or timezone.now()
    before = _snapshot(report)
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.CORRECTIONS
    report.reviewed_at = at
    report.reviewed_by = actor
    report.review_note = note.strip()
    with transaction.atomic():
        report.save(
            update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "updated_at"]
        )
        audit_log_append(
            actor=actor,
            action="grants.report_accepted" if accept else "grants.report_returned",
            obj=report,
            before=before,
            after=_snapshot(report),
            reason=note,
        )
        agreement = report.agreement
        if accept and report.kind == ReportKind.FINAL:
            agreement_before = _snapshot(agreement)
            agreement.status = AgreementStatus.SETTLED
            agreement.settled_at = at
            agreement.save(update_fields=["status", "settled_at", "updated_at"])
            audit_log_append(
                actor=actor,
                action="grants.agreement_settled",
                obj=agreement,
                before=agreement_before,
                after=_snapshot(agreement),
            )
            _return_from_settlement(actor=actor, report=report, at=at)
        _notify_applicant(
            agreement.application,
            event="report_accepted" if accept else "report_returned",
            note=note.strip(),
        )
    return report


def _return_from_settlement(*, actor: User, report: Report, at: datetime) -> None:
    """The accepted final report fixes what is owed back: the unspent grant and any excess
    over the tolerance, due 15 days after the end of the task (art. 251 ust. 1 of the public
    finance act), interest from the day after."""
    agreement = report.agreement
    if agreement.application.call.terms.in_kind_only:
        return  # the city bought the goods and services itself: nothing was paid to return
    settlement = selectors.report_settlement(report)
    if settlement.to_return <= 0:
        return
    days = law.rule(RuleKey.RETURN_DAYS, on=agreement.end_date).days
    due = max(agreement.end_date + timedelta(days=days), timezone.localdate(at))
    excess = any(line.over_tolerance for line in settlement.lines)
    fund_return = FundReturn.objects.create(
        agreement=agreement,
        reason=ReturnReason.EXCESS if excess else ReturnReason.UNSPENT,
        amount=settlement.to_return,
        due_date=due,
        interest_from=due + timedelta(days=1),
        note=str(errors.RETURN_FROM_REPORT),
        requested_by=actor,
    )
    _audit(actor, "grants.return_requested", fund_return, None)
    _notify_applicant(agreement.application, event="return_requested", key=f"r{fund_return.pk}")


def agreement_archive(
    *, actor: User, agreement: Agreement, at: datetime | None = None
) -> Agreement:
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    if agreement.status != AgreementStatus.SETTLED:
        raise GrantsError(errors.FINAL_NOT_ACCEPTED, code="final_not_accepted")
    before = _snapshot(agreement)
    agreement.status = AgreementStatus.ARCHIVED
    agreement.archived_at = at or timezone.now()
    with transaction.atomic():
        agreement.save(update_fields=["status", "archived_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="grants.agreement_archived",
            obj=agreement,
            before=before,
            after=_snapshot(agreement),
        )
    return agreement


# --- annexes, termination and returns ------------------------------------------------------------


def _agreement_state(agreement: Agreement) -> dict[str, Any]:
    terms = selectors.agreement_terms(agreement)
    return {
        "version": terms.version,
        "amount": str(terms.amount),
        "end_date": terms.end_date.isoformat(),
        "report_due_date": terms.report_due_date.isoformat(),
        "budget": [
            {
                "position": line.position,
                "category": line.category,
                "description": line.description,
                "total": str(line.total),
                "grant": str(line.grant),
                "own": str(line.own),
                "in_kind": str(line.in_kind),
                "volunteer": str(line.volunteer),
            }
            for line in terms.budget
        ],
        "schedule": terms.schedule,
        "results": terms.results,
    }


@dataclass(frozen=True)
class ScheduleChange:
    action: str
    start_date: date
    end_date: date


@dataclass(frozen=True)
class ResultChange:
    description: str
    target: str


def agreement_annex(
    *,
    actor: User,
    agreement: Agreement,
    reason: str,
    signed_on: date,
    end_date: date | None = None,
    report_due_date: date | None = None,
    amount: Decimal | None = None,
    budget: Sequence[UpdatedLine] | None = None,
    schedule: Sequence[ScheduleChange] | None = None,
    results: Sequence[ResultChange] | None = None,
) -> Annex:
    """Change a signed agreement by an annex: a new version with the terms before and after.
    The new terms stay within the call's rules and the act (a small grant keeps to 90 days and
    10,000 PLN); the amount may only go down (more needs a new decision), never below what was
    already paid, and unpaid tranches shrink from the last one."""
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    reason = reason.strip()
    if not reason:
        raise GrantsError(errors.ANNEX_REASON, field="reason", code="annex_reason")
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status != AgreementStatus.SIGNED:
            raise GrantsError(errors.ANNEX_STATE, code="annex_state")
        application = locked.application
        before_state = _agreement_state(locked)
        before = _snapshot(locked)
        after_state = dict(before_state)
        new_amount = limits.q2(amount) if amount is not None else locked.amount
        if new_amount > locked.amount:
            raise GrantsError(errors.ANNEX_AMOUNT_UP, field="amount", code="annex_amount_up")
        paid = locked.tranches.filter(paid_on__isnull=False).aggregate(t=Sum("amount"))["t"] or ZERO
        if new_amount < paid:
            raise GrantsError(
                errors.ANNEX_BELOW_PAID,
                field="amount",
                code="annex_below_paid",
                params={"paid": limits.pln(paid)},
            )
        new_end = end_date or locked.end_date
        if new_end < locked.start_date:
            raise GrantsError(errors.AGREEMENT_DATES, field="end_date", code="agreement_dates")
        _check_agreement_limits(
            application=application,
            amount=new_amount,
            start_date=locked.start_date,
            end_date=new_end,
        )
        if budget is not None:
            after_state["budget"] = _updated_budget(application, budget, amount=new_amount)
        elif new_amount != locked.amount:
            raise GrantsError(errors.ANNEX_BUDGET_NEEDED, code="annex_budget_needed")
        if schedule is not None:
            for item in schedule:
                if item.end_date < item.start_date or not (
                    locked.start_date <= item.start_date and item.end_date <= new_end
                ):
                    raise GrantsError(
                        errors.SCHEDULE_OUTSIDE,
                        code="schedule_outside",
                        params={
                            "action": item.action,
                            "start": locked.start_date.isoformat(),
                            "end": new_end.isoformat(),
                        },
                    )
            after_state["schedule"] = [
                {
                    "position": i,
                    "action": item.action.strip(),
                    "start_date": item.start_date.isoformat(),
                    "end_date": item.end_date.isoformat(),
                }
                for i, item in enumerate(schedule, start=1)
            ]
        if results is not None:
            after_state["results"] = [
                {"position": i, "description": r.description.strip(), "target": r.target.strip()}
                for i, r in enumerate(results, start=1)
            ]
        after_state["amount"] = str(new_amount)
        after_state["end_date"] = new_end.isoformat()
        after_state["report_due_date"] = (report_due_date or locked.report_due_date).isoformat()
        after_state["version"] = locked.version + 1
        if {k: v for k, v in after_state.items() if k != "version"} == {
            k: v for k, v in before_state.items() if k != "version"
        }:
            raise GrantsError(errors.AMENDMENT_NOTHING, code="annex_nothing")
        if new_amount != locked.amount:
            _shrink_tranches(locked, locked.amount - new_amount)
        locked.amount = new_amount
        locked.end_date = new_end
        locked.report_due_date = report_due_date or locked.report_due_date
        locked.version += 1
        locked.save()
        annex = Annex.objects.create(
            agreement=locked,
            number=locked.version - 1,
            reason=reason,
            before=before_state,
            after=after_state,
            signed_on=signed_on,
            created_by=actor,
        )
        _audit(actor, "grants.annex_signed", locked, before, reason=reason)
        _notify_applicant(application, event="annex_signed", note=reason, key=f"a{annex.number}")
    agreement.refresh_from_db()
    return annex


def _shrink_tranches(agreement: Agreement, cut: Decimal) -> None:
    """Take ``cut`` off the unpaid tranches, the last first; an emptied tranche is removed."""
    for tranche in agreement.tranches.filter(paid_on__isnull=True).order_by("-position"):
        if cut <= 0:
            break
        take = min(cut, tranche.amount)
        cut -= take
        if take == tranche.amount:
            tranche.delete()
        else:
            tranche.amount -= take
            tranche.save(update_fields=["amount", "updated_at"])


def agreement_terminate(
    *,
    actor: User,
    agreement: Agreement,
    reason: str,
    terminated_on: date,
    return_amount: Decimal | None = None,
) -> Agreement:
    """End a signed agreement early (by mutual consent or for a breach), with the reason; money
    paid and not to be kept is requested back at once (interest from the day after the due
    date, art. 251 of the public finance act)."""
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    reason = reason.strip()
    if not reason:
        raise GrantsError(errors.TERMINATION_REASON, field="reason", code="termination_reason")
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        if locked.status != AgreementStatus.SIGNED:
            raise GrantsError(errors.TERMINATION_STATE, code="termination_state")
        before = _snapshot(locked)
        locked.status = AgreementStatus.TERMINATED
        locked.terminated_on = terminated_on
        locked.termination_reason = reason
        locked.save(update_fields=["status", "terminated_on", "termination_reason", "updated_at"])
        _audit(actor, "grants.agreement_terminated", locked, before, reason=reason)
        _notify_applicant(locked.application, event="agreement_terminated", note=reason)
    if return_amount is not None and return_amount > 0:
        fund_return_request(
            actor=actor,
            agreement=locked,
            reason=ReturnReason.TERMINATION,
            amount=return_amount,
            due_date=terminated_on
            + timedelta(days=law.rule(RuleKey.RETURN_DAYS, on=terminated_on).days),
            note=reason,
        )
    agreement.refresh_from_db()
    return agreement


def fund_return_request(
    *,
    actor: User,
    agreement: Agreement,
    reason: str,
    amount: Decimal,
    due_date: date,
    interest_from: date | None = None,
    note: str = "",
) -> FundReturn:
    """Ask for money back. Interest runs (art. 252 of the public finance act) from the day the
    money was transferred when it was used improperly, otherwise from the day after the due date
    — the date is recorded so the interest can be counted whenever the money comes back."""
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    amount = limits.q2(amount)
    if agreement.status not in (
        AgreementStatus.SIGNED,
        AgreementStatus.SETTLED,
        AgreementStatus.TERMINATED,
    ):
        raise GrantsError(errors.RETURN_STATE, code="return_state")
    paid = agreement.tranches.filter(paid_on__isnull=False).aggregate(t=Sum("amount"))["t"]
    paid = paid or (agreement.amount if agreement.application.call.terms.in_kind_only else ZERO)
    owed = agreement.returns.aggregate(t=Sum("amount"))["t"] or ZERO
    if amount <= 0 or owed + amount > paid:
        raise GrantsError(
            errors.RETURN_AMOUNT,
            field="amount",
            code="return_amount",
            params={"paid": limits.pln(paid), "owed": limits.pln(owed)},
        )
    if interest_from is None:
        if reason == ReturnReason.IMPROPER:
            first_paid = (
                agreement.tranches.filter(paid_on__isnull=False)
                .order_by("paid_on")
                .values_list("paid_on", flat=True)
                .first()
            )
            interest_from = first_paid or due_date + timedelta(days=1)
        else:
            interest_from = due_date + timedelta(days=1)
    fund_return = FundReturn(
        agreement=agreement,
        reason=reason,
        amount=amount,
        due_date=due_date,
        interest_from=interest_from,
        note=note.strip(),
        requested_by=actor,
    )
    _validate(fund_return)
    with transaction.atomic():
        fund_return.save()
        _audit(actor, "grants.return_requested", fund_return, None, reason=note)
        _notify_applicant(
            agreement.application, event="return_requested", note=note, key=f"r{fund_return.pk}"
        )
    return fund_return


def fund_return_record(
    *, actor: User, fund_return: FundReturn, returned_on: date, amount: Decimal
) -> FundReturn:
    """Record the money that came back and when; the interest days follow from the dates."""
    _deny(permissions.can_manage_call(actor, fund_return.agreement.application.call))
    if fund_return.returned_on is not None:
        raise GrantsError(errors.RETURN_RECORDED, code="return_recorded")
    before = _snapshot(fund_return)
    fund_return.returned_on = returned_on
    fund_return.returned_amount = limits.q2(amount)
    _validate(fund_return)
    with transaction.atomic():
        fund_return.save(update_fields=["returned_on", "returned_amount", "updated_at"])
        _audit(actor, "grants.return_recorded", fund_return, before)
    return fund_return


# --- reminders -------------------------------------------------------------------------------------

# Days before a due date on which the grantee is reminded; a late report or return is reminded
# once, on the first run after the date (within LATE_WINDOW_DAYS, so a stopped timer catches up).
REMIND_DAYS_BEFORE = (7, 1)
LATE_WINDOW_DAYS = 14
DEADLINE_NEAR_DAYS = 3


def reminders_send(*, today: date | None = None) -> int:
    """Remind of the deadlines of grants (run daily, by the background task): grantees of a due
    final report and of a due return of funds, applicants of a call closing with their draft
    unfiled, the call's officials of a tranche due and unpaid. Each reminder has its own key, so
    a repeated run sends nothing twice. Returns how many reminders were considered."""
    today = today or timezone.localdate()
    before = [today + timedelta(days=n) for n in REMIND_DAYS_BEFORE]
    late_from = today - timedelta(days=LATE_WINDOW_DAYS)
    count = 0
    final_filed = Report.objects.filter(
        agreement=OuterRef("pk"),
        kind=ReportKind.FINAL,
        status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
    )
    agreements = (
        Agreement.objects.filter(status=AgreementStatus.SIGNED)
        .filter(
            models.Q(report_due_date__in=before)
            | models.Q(report_due_date__lt=today, report_due_date__gte=late_from)
        )
        .exclude(Exists(final_filed))
        .select_related("application__applicant", "application__call")
    )
    for agreement in agreements:
        due = agreement.report_due_date
        late = due < today
        with transaction.atomic():
            _notify_applicant(
                agreement.application,
                event="report_overdue" if late else "report_due",
                key=f"{agreement.pk}:{due.isoformat()}:{'late' if late else (due - today).days}",
                extra={"agreement": agreement, "due": due},
            )
        count += 1
    returns = (
        FundReturn.objects.filter(returned_on__isnull=True)
        .filter(
            models.Q(due_date__in=before) | models.Q(due_date__lt=today, due_date__gte=late_from)
        )
        .select_related("agreement__application__applicant", "agreement__application__call")
    )
    for fund_return in returns:
        due = fund_return.due_date
        late = due < today
        with transaction.atomic():
            _notify_applicant(
                fund_return.agreement.application,
                event="return_overdue" if late else "return_due",
                key=f"r{fund_return.pk}:{due.isoformat()}:{'late' if late else (due - today).days}",
                extra={"agreement": fund_return.agreement, "fund_return": fund_return, "due": due},
            )
        count += 1
    tranches = Tranche.objects.filter(
        paid_on__isnull=True,
        agreement__status=AgreementStatus.SIGNED,
        due_date__lte=today,
        due_date__gte=late_from,
    ).select_related("agreement__application__call", "agreement__application__applicant")
    for tranche in tranches:
        application = tranche.agreement.application
        with transaction.atomic():
            for official in selectors.call_officials(application.call):
                notify(
                    recipient=official,
                    kind="grants.tranche_due",
                    subject_template="grants/email/tranche_due_subject.txt",
                    body_template="grants/email/tranche_due_body.txt",
                    context={
                        "tranche": tranche,
                        "agreement": tranche.agreement,
                        "application": application,
                    },
                    key=f"grants.tranche_due:{tranche.pk}:{tranche.due_date.isoformat()}",
                )
        count += 1
    drafts = Application.objects.filter(
        status=ApplicationStatus.DRAFT,
        call__status=CallStatus.PUBLISHED,
        call__closes_at__gt=timezone.now(),
        call__closes_at__date__lte=today + timedelta(days=DEADLINE_NEAR_DAYS),
    ).select_related("applicant", "call")
    for application in drafts:
        closes_at = application.call.closes_at
        assert closes_at is not None  # filtered above
        with transaction.atomic():
            _notify_applicant(
                application,
                event="deadline_near",
                key=f"{application.call_id}:{closes_at.isoformat()}",
                extra={"closes_at": closes_at},
            )
        count += 1
    return count
