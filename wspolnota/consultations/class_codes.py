"""Youth consultations by single-use class codes (issue 22).

Pupils under 16 cannot consent to accounts, so an official of the consultation's unit opens a
survey to them with class codes: the schools app's code box (``schools.codes``, one box per
survey, kind "youth consultation", a group per class or school), sheets of cut-out cards printed
once, voided and reprinted when lost. A pupil answers with a code and no account:

* the answers are checked like any answer to the survey (``services._clean_answer``), then
  ``codes.code_cast`` spends the code and seals them in one transaction, under the code row's
  lock (two pupils with one code give one answer);
* the envelope holds the answers only; the mixer writes them as ballots in a random order, so
  no answer can be tied to its code or its class; only the turnout per class is known;
* the box's window is the consultation's period (local days, Europe/Warsaw) and follows a change
  of its dates; the box is closed (the last envelopes mixed, the seal's salt erased) after the
  end, by the official or when the report is published.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from wspolnota.consultations import errors, permissions, selectors
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import Consultation, Survey, SurveyCodes
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.schools import codes
from wspolnota.schools.models import BoxKind, CodeBox, CodeSheet

if TYPE_CHECKING:
    from wspolnota.accounts.models import User


def _deny(allowed: bool) -> None:
    if not allowed:
        raise ConsultationsError(errors.NOT_ALLOWED, code="permission_denied")


def survey_window(consultation: Consultation) -> tuple[datetime, datetime]:
    """The survey's period as instants: from the first day's midnight to the midnight after the
    last day, in the city's time zone."""
    zone = timezone.get_default_timezone()
    opens = timezone.make_aware(datetime.combine(consultation.starts_on, time.min), zone)
    closes = timezone.make_aware(
        datetime.combine(consultation.ends_on + timedelta(days=1), time.min), zone
    )
    return opens, closes


def _codes_of(survey: Survey) -> SurveyCodes:
    found = SurveyCodes.objects.select_related("box").filter(survey=survey).first()
    if found is None:
        raise ConsultationsError(errors.CLASS_CODES_NONE)
    found.survey = survey  # the caller's, with its consultation already loaded
    return found


def _follow_dates(found: SurveyCodes) -> CodeBox:
    """Keep the box's window on the consultation's dates (changed after the sheets were printed:
    the codes follow). Writes only when they differ, and never to a closed box."""
    opens, closes = survey_window(found.survey.consultation)
    box = found.box
    if not box.closed and (box.opens_at, box.closes_at) != (opens, closes):
        CodeBox.objects.filter(pk=box.pk, closed=False).update(opens_at=opens, closes_at=closes)
        box.refresh_from_db()
    return box


def class_codes_open(*, actor: User, survey: Survey, at: datetime) -> SurveyCodes:
    """Open the survey to pupils with class codes (once; opening again returns the same)."""
    consultation = survey.consultation
    _deny(permissions.can_manage_class_codes(actor, consultation, at=at))
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        found = SurveyCodes.objects.select_related("box").filter(survey=survey).first()
        if found is not None:
            return found
        opens, closes = survey_window(consultation)
        box = codes.code_box_open(
            kind=BoxKind.YOUTH_CONSULTATION,
            title=f"{consultation.title}: {survey.title}"[:200],
            opens_at=opens,
            closes_at=closes,
        )
        found = SurveyCodes.objects.create(survey=survey, box=box, opened_by=actor)
        audit_log_append(
            actor=actor,
            action="consultations.class_codes_opened",
            obj=found,
            after={**snapshot(found), "opens_at": opens, "closes_at": closes},
        )
    return found


def class_sheet_issue(
    *, actor: User, survey: Survey, label: str, size: int, at: datetime
) -> codes.IssuedSheet:
    """A sheet of ``size`` codes for a class or a school (the group is made on first use). The
    codes are in the answer and nowhere else: print them now."""
    _deny(permissions.can_manage_class_codes(actor, survey.consultation, at=at))
    found = _codes_of(survey)
    box = _follow_dates(found)
    if box.closed:
        raise ConsultationsError(errors.CLASS_CODES_CLOSED)
    with transaction.atomic():
        group = codes.code_group_add(box=box, label=label)
        return codes.code_sheet_issue(actor=actor, group=group, size=size)


def _sheet_of(actor: User, survey: Survey, sheet: CodeSheet, at: datetime) -> None:
    _deny(permissions.can_manage_class_codes(actor, survey.consultation, at=at))
    found = _codes_of(survey)
    if sheet.group.box_id != found.box_id:
        raise ConsultationsError(errors.NOT_ALLOWED, code="permission_denied")


def class_sheet_void(
    *, actor: User, survey: Survey, sheet: CodeSheet, reason: str, at: datetime
) -> None:
    """A lost sheet: its unused codes are refused from now on (audit-logged by
    ``codes.code_sheet_void``)."""
    _sheet_of(actor, survey, sheet, at)
    codes.code_sheet_void(actor=actor, sheet=sheet, reason=reason, at=at)


def class_sheet_reprint(
    *, actor: User, survey: Survey, sheet: CodeSheet, reason: str, at: datetime
) -> codes.IssuedSheet:
    """Void a lost sheet and issue its replacement, as many new codes as were still unused."""
    _sheet_of(actor, survey, sheet, at)
    return codes.code_sheet_reprint(actor=actor, sheet=sheet, reason=reason, at=at)


def answer_with_code(*, survey: Survey, code: str, answers: dict[int, Any], at: datetime) -> None:
    """A pupil's answer with a class code: the answers are checked first (a wrong answer does
    not spend the code), then the code is spent and the answers sealed in one transaction. The
    answer names nobody: no account, no district, no class."""
    from wspolnota.consultations.services import _clean_answer

    consultation = survey.consultation
    found = _codes_of(survey)
    if consultation.published_at is None:
        raise ConsultationsError(errors.NOT_OPEN)
    cleaned = {}
    for question in survey.questions.all():
        value = _clean_answer(question, answers.get(question.pk))
        if value is not None:
            cleaned[str(question.pk)] = value
    box = _follow_dates(found)
    codes.code_cast(box=box, code=code, content={"a": cleaned}, at=at)


def class_codes_close(*, actor: User, survey: Survey, at: datetime) -> int:
    """After the consultation: close the box (the last envelopes mixed, the seal's salt erased)
    so every answer is counted in the results. Officials of the consultation's unit."""
    _deny(permissions.can_close_class_codes(actor, survey.consultation, at=at))
    return _close(actor=actor, survey=survey, at=at)


def _close(*, actor: User, survey: Survey, at: datetime) -> int:
    found = _codes_of(survey)
    box = _follow_dates(found)
    if box.closed:
        return 0
    mixed = codes.code_box_close(box=box, at=at)
    audit_log_append(
        actor=actor,
        action="consultations.class_codes_closed",
        obj=found,
        after={"survey": survey.pk, "mixed": mixed},
    )
    return mixed


def class_codes_close_all(*, actor: User, consultation: Consultation, at: datetime) -> None:
    """Close every open code box of the consultation's surveys: called by ``report_publish``
    (which checked the official and that the consultation is over)."""
    if selectors.consultation_phase(consultation, at=at) not in ("closed", "reported"):
        raise ConsultationsError(errors.NOT_ALLOWED, code="permission_denied")
    for found in SurveyCodes.objects.filter(
        survey__consultation=consultation, box__closed=False
    ).select_related("survey__consultation", "box"):
        _close(actor=actor, survey=found.survey, at=at)
