"""Writes of agreements: drafting, tranches, signatures, signing, payment, archiving, annexes and
termination."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from stdnum import iban as stdnum_iban

from wspolnota.accounts.models import User
from wspolnota.core.services import audit_log_append
from wspolnota.grants import errors, law, limits, permissions, selectors
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ZERO,
    Agreement,
    AgreementStatus,
    Annex,
    Application,
    ApplicationStatus,
    Award,
    ProgrammeKind,
    ReturnReason,
    RuleKey,
    Signature,
    SignatureKind,
    Tranche,
)
from wspolnota.grants.services._common import (
    _audit,
    _change_state,
    _deny,
    _notify_applicant,
    _snapshot,
    _validate,
)
from wspolnota.grants.services.evaluation import UpdatedLine, _updated_budget
from wspolnota.grants.services.settlement import fund_return_request
from wspolnota.organisations import permissions as registry
from wspolnota.organisations import rules as applicant_rules
from wspolnota.organisations.models import (
    Organisation,
    OrganisationKind,
)


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


def agreement_archive(
    *, actor: User, agreement: Agreement, at: datetime | None = None
) -> Agreement:
    _deny(permissions.can_manage_call(actor, agreement.application.call))
    _change_state(
        agreement,
        actor=actor,
        action="grants.agreement_archived",
        allowed=[AgreementStatus.SETTLED],
        error=errors.FINAL_NOT_ACCEPTED,
        code="final_not_accepted",
        changes={"status": AgreementStatus.ARCHIVED, "archived_at": at or timezone.now()},
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
