"""Writes of programmes and calls: programmes, rubrics, legal rules, year plans, calls and their
amendments, closing, results, archiving and the commission."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from wspolnota.accounts.models import CityUnit, User
from wspolnota.accounts.permissions import has_role
from wspolnota.accounts.roles import Role
from wspolnota.communication.notifications import notify
from wspolnota.core.services import audit_log_append
from wspolnota.grants import errors, law, limits, permissions, selectors
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    RULE_FIELDS,
    ApplicationStatus,
    Call,
    CallStatus,
    CallVersion,
    CommissionMember,
    Criterion,
    LegalRule,
    Programme,
    RuleKey,
    YearlyGrantPlan,
    programme_from_rules,
    rules_of,
)
from wspolnota.grants.services._common import (
    _audit,
    _change_state,
    _deny,
    _first,
    _notify_applicant,
    _snapshot,
    _validate,
)
from wspolnota.organisations.models import (
    Organisation,
    OrganisationKind,
    VerificationStatus,
)

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
    closes_at = call.closes_at
    if closes_at is None or (at or timezone.now()) < closes_at:
        closes_at = at or timezone.now()
    _change_state(
        call,
        actor=actor,
        action="grants.call_closed",
        allowed=[CallStatus.PUBLISHED],
        error=errors.CALL_STATE,
        code="call_state",
        changes={"status": CallStatus.CLOSED, "closes_at": closes_at},
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
    _change_state(
        call,
        actor=actor,
        action="grants.call_archived",
        allowed=[CallStatus.RESULTS],
        error=errors.CALL_STATE,
        code="call_state",
        changes={"status": CallStatus.ARCHIVED},
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
