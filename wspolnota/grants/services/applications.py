"""Writes of applications: starting (online or keyed in from paper), editing the offer (budget,
schedule, results, partners, attachments), submission, receipt and withdrawal."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import User
from wspolnota.communication.notifications import notify
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append
from wspolnota.grants import errors, law, limits, permissions, selectors
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ZERO,
    Application,
    ApplicationStatus,
    Attachment,
    BudgetLine,
    Call,
    CallStatus,
    CostCategory,
    ExpectedResult,
    OfferPartner,
    ProgrammeKind,
    RuleKey,
    ScheduleItem,
)
from wspolnota.grants.services._common import (
    NUMBER_PREFIX,
    _audit,
    _deny,
    _first,
    _notify_applicant,
    _snapshot,
    _touch,
    _validate,
)
from wspolnota.organisations import permissions as registry
from wspolnota.organisations.errors import OrganisationsError
from wspolnota.organisations.files import check_upload
from wspolnota.organisations.models import (
    Organisation,
    OrganisationKind,
    VerificationStatus,
)
from wspolnota.territory.models import District


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
