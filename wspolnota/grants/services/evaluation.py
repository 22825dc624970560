"""Writes of evaluation: formal check and corrections, remarks, conflicts of interest, assessments,
awards, refusals, resignations and the updated budget."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from wspolnota.accounts.models import User
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append
from wspolnota.grants import errors, law, limits, permissions, selectors
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ZERO,
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    Assessment,
    Award,
    AwardStatus,
    Call,
    CommissionMember,
    ConflictDeclaration,
    CostCategory,
    ProgrammeKind,
    Remark,
    RuleKey,
    Score,
    YearlyGrantPlan,
)
from wspolnota.grants.services._common import (
    _audit,
    _deny,
    _notify_applicant,
    _snapshot,
    _touch,
    _validate,
)
from wspolnota.organisations import permissions as registry
from wspolnota.organisations.models import (
    Organisation,
    VerificationStatus,
)


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
