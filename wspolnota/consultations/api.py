"""Read API of public consultations: the consultations with their forms and dates, the remarks
with the city's answers, the published report and the opinion map's aggregates.

Only what the public pages show is served: announced consultations, remarks that were not
hidden by a moderator (without their authors), the report once it is published, and the opinion
map as statements, vote counts and groups — never who is in which group.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from wspolnota.consultations import errors, permissions, selectors
from wspolnota.consultations.models import (
    TEXT_LANGUAGES,
    TRANSLATED_FIELDS,
    Consultation,
    Form,
    Meeting,
    Remark,
    Statement,
)
from wspolnota.core.errors import NotFoundError
from wspolnota.core.parsing import BoundedPagination

API_PREFIX = "/consultations"
router = Router()


def _consultation_for(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = selectors.consultation_get(pk=consultation_id)
    if consultation is None or not permissions.can_view_consultation(request.user, consultation):
        raise NotFoundError(errors.NOT_FOUND)
    return consultation


class FormOut(Schema):
    code: str
    label: str


class ConsultationOut(Schema):
    id: int
    title: str
    summary: str
    initiating_unit: str
    citywide: bool
    district_numbers: list[int]
    phase: str = Field(description="draft, announced, open, closed or reported")
    phase_label: str
    information_from: date = Field(description="the information campaign starts")
    starts_on: date
    ends_on: date
    duration_days: int
    forms: list[FormOut]
    report_published_at: datetime | None
    url: str

    @staticmethod
    def resolve_initiating_unit(obj: Consultation) -> str:
        return str(obj.initiating_unit)

    @staticmethod
    def resolve_district_numbers(obj: Consultation) -> list[int]:
        return sorted(d.number for d in obj.districts.all())

    @staticmethod
    def resolve_phase(obj: Consultation) -> str:
        return selectors.consultation_phase(obj, at=timezone.now())

    @staticmethod
    def resolve_phase_label(obj: Consultation) -> str:
        return str(selectors.PHASE_LABELS[selectors.consultation_phase(obj, at=timezone.now())])

    @staticmethod
    def resolve_duration_days(obj: Consultation) -> int:
        return selectors.consultation_duration_days(obj)

    @staticmethod
    def resolve_forms(obj: Consultation) -> list[dict[str, str]]:
        labels = dict(Form.choices)
        return [{"code": f, "label": str(labels.get(f, f))} for f in obj.forms or []]

    @staticmethod
    def resolve_url(obj: Consultation) -> str:
        return settings.SITE_URL + reverse("consultations:detail", args=[obj.pk])


class DocumentOut(Schema):
    id: int
    title: str
    link: str
    sections: list[dict[str, Any]] = Field(description="number and text of each section")

    @staticmethod
    def resolve_sections(obj: Any) -> list[dict[str, Any]]:
        return [{"number": s.number, "text": s.text} for s in obj.sections.all()]


class MeetingOut(Schema):
    id: int
    kind: str
    mode: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    capacity: int
    registered: int
    accessibility: str
    minutes: str
    cancelled_at: datetime | None = Field(None, description="set when the meeting was called off")
    cancel_reason: str = ""

    @staticmethod
    def resolve_registered(obj: Meeting) -> int:
        return int(getattr(obj, "registered", 0) or 0)


class SurveyRefOut(Schema):
    id: int
    title: str
    verified: bool


class ConsultationDetailOut(ConsultationOut):
    description: str
    legal_basis: str
    languages: list[str]
    contact: str
    expert_hours: str
    rules_override_reason: str = Field(
        description="the recorded justification when the city's rules were not met; empty if met"
    )
    published_at: datetime | None
    translations: dict[str, dict[str, str]] = Field(
        description="title, summary and description in English (en) and Ukrainian (uk), where given"
    )
    documents: list[DocumentOut]
    meetings: list[MeetingOut]
    surveys: list[SurveyRefOut]

    @staticmethod
    def resolve_translations(obj: Consultation) -> dict[str, dict[str, str]]:
        return {
            code: {
                name: getattr(obj, f"{name}_{code}")
                for name in TRANSLATED_FIELDS
                if getattr(obj, f"{name}_{code}")
            }
            for code in TEXT_LANGUAGES
            if any(getattr(obj, f"{name}_{code}") for name in TRANSLATED_FIELDS)
        }

    @staticmethod
    def resolve_documents(obj: Consultation) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_meetings(obj: Consultation) -> list[Meeting]:
        return list(obj.meetings.all())

    @staticmethod
    def resolve_surveys(obj: Consultation) -> list[Any]:
        return list(obj.surveys.all())


class RemarkOut(Schema):
    id: int
    text: str
    channel: str
    channel_label: str
    section: int | None = Field(description="the number of the document section remarked on")
    document_id: int | None
    meeting_id: int | None
    district_number: int | None
    latitude: float | None
    longitude: float | None
    duplicate_of: int | None = Field(description="remarks grouped as duplicates share an answer")
    disposition: str = Field(
        description="pending, accepted, partly, rejected or not_applicable (the original's for a duplicate)"
    )
    disposition_label: str
    reason: str
    answered_at: datetime | None
    submitted_at: datetime

    @staticmethod
    def _answer(obj: Remark) -> Remark:
        return obj.duplicate_of or obj

    @staticmethod
    def resolve_channel_label(obj: Remark) -> str:
        return str(obj.get_channel_display())

    @staticmethod
    def resolve_section(obj: Remark) -> int | None:
        return obj.section.number if obj.section else None

    @staticmethod
    def resolve_document_id(obj: Remark) -> int | None:
        return obj.section.document_id if obj.section else None

    @staticmethod
    def resolve_district_number(obj: Remark) -> int | None:
        return obj.district.number if obj.district else None

    @staticmethod
    def resolve_latitude(obj: Remark) -> float | None:
        return float(obj.latitude) if obj.latitude is not None else None

    @staticmethod
    def resolve_longitude(obj: Remark) -> float | None:
        return float(obj.longitude) if obj.longitude is not None else None

    @staticmethod
    def resolve_duplicate_of(obj: Remark) -> int | None:
        return obj.duplicate_of_id

    @staticmethod
    def resolve_disposition(obj: Remark) -> str:
        return RemarkOut._answer(obj).disposition

    @staticmethod
    def resolve_disposition_label(obj: Remark) -> str:
        return str(RemarkOut._answer(obj).get_disposition_display())

    @staticmethod
    def resolve_reason(obj: Remark) -> str:
        return RemarkOut._answer(obj).reason

    @staticmethod
    def resolve_answered_at(obj: Remark) -> datetime | None:
        return RemarkOut._answer(obj).answered_at

    @staticmethod
    def resolve_submitted_at(obj: Remark) -> datetime:
        return obj.created_at


class CountOut(Schema):
    label: str
    count: int


class AnswerRowOut(Schema):
    label: str
    share: float = Field(description="0–1 of those who answered (ranking: points / top points)")
    count: int


class MatrixRowOut(Schema):
    row: str
    counts: list[int] = Field(description="one count per option, in the question's order")


class QuestionResultOut(Schema):
    number: int
    kind: str
    text: str
    options: list[str]
    answered: int
    rows: list[AnswerRowOut]
    texts: list[str]
    matrix: list[MatrixRowOut]


class SurveyResultOut(Schema):
    id: int
    title: str
    responses: int
    questions: list[QuestionResultOut]


class ReportOut(Schema):
    consultation: ConsultationOut
    summary: str
    published_at: datetime
    participants: int
    remarks: int
    survey_responses: int
    meeting_registrations: int
    opinion_map_voters: int
    by_channel: list[CountOut]
    by_district: list[CountOut]
    by_disposition: list[CountOut]
    hidden_by_reason: list[CountOut] = Field(
        description="remarks hidden by moderation, counted by the reason recorded"
    )
    meetings: list[MeetingOut]
    surveys: list[SurveyResultOut]
    pdf_url: str


class StatementOut(Schema):
    id: int
    text: str
    agrees: int
    disagrees: int
    passes: int


class GroupStatementOut(Schema):
    statement: int
    direction: str = Field(description="agree or disagree: how this group differs from the rest")
    agree: int
    disagree: int
    seen: int
    rest_agree: int = Field(0, description="the same counts among everyone else grouped")
    rest_disagree: int = 0
    rest_seen: int = 0
    probability: float


class GroupOut(Schema):
    number: int
    size: int
    representative: list[GroupStatementOut]


class FirmnessOut(Schema):
    folds: int = Field(description="how many times a different tenth of participants was left out")
    same: int = Field(description="how many of those times the same groups came back")
    verdict: str = Field(description="firm, moderate, weak, or none (too few participants)")


class OpinionMapOut(Schema):
    statements: list[StatementOut]
    participants: int = Field(description="participants who vote enough to be placed in a group")
    groups: list[GroupOut]
    consensus: list[int] = Field(description="statements every group agrees with")
    consensus_disagree: list[int] = Field(description="statements every group rejects")
    firmness: FirmnessOut | None = None
    fingerprint: str = Field(
        "",
        description="SHA-256 of the votes computed on; manage.py opinionmap prints the same for the download",
    )
    computed_at: datetime | None


@router.get("", response=list[ConsultationOut], summary="Announced consultations")
def consultation_list(request: HttpRequest) -> QuerySet[Consultation]:
    return selectors.consultation_list(viewer=request.user, at=timezone.now())


@router.get(
    "/{consultation_id}",
    response=ConsultationDetailOut,
    summary="One consultation: forms, dates, documents, meetings, surveys",
)
def consultation_detail(request: HttpRequest, consultation_id: int) -> Consultation:
    return _consultation_for(request, consultation_id)


@router.get(
    "/{consultation_id}/remarks",
    response=list[RemarkOut],
    summary="Remarks with the city's answer and its reason (hidden remarks left out)",
)
@paginate(BoundedPagination)
def remark_list(request: HttpRequest, consultation_id: int) -> QuerySet[Remark]:
    consultation = _consultation_for(request, consultation_id)
    return selectors.remark_list(consultation=consultation)


@router.get(
    "/{consultation_id}/report",
    response=ReportOut,
    summary="The published report: participation, answers, survey results",
)
def report(request: HttpRequest, consultation_id: int) -> dict[str, Any]:
    consultation = _consultation_for(request, consultation_id)
    if consultation.report_published_at is None:
        raise NotFoundError(errors.REPORT_NOT_PUBLISHED)
    data = selectors.report_data(consultation=consultation)
    return {
        "consultation": consultation,
        "summary": consultation.report_summary,
        "published_at": consultation.report_published_at,
        "participants": data.participants,
        "remarks": len(data.remarks),
        "survey_responses": data.responses,
        "meeting_registrations": data.registrations,
        "opinion_map_voters": data.voters,
        "by_channel": [{"label": label, "count": n} for label, n in data.by_channel],
        "by_district": [{"label": label, "count": n} for label, n in data.by_district],
        "by_disposition": [{"label": label, "count": n} for label, n in data.by_disposition],
        "hidden_by_reason": [{"label": label, "count": n} for label, n in data.hidden],
        "meetings": data.meetings,
        "surveys": [
            {
                "id": survey.id,
                "title": survey.title,
                "responses": survey.responses.count(),
                "questions": [
                    {
                        "number": r.question.number,
                        "kind": r.question.kind,
                        "text": r.question.text,
                        "options": list(r.question.options or []),
                        "answered": r.answered,
                        "rows": [
                            {"label": label, "share": round(share, 4), "count": count}
                            for label, share, count in r.rows
                        ],
                        "texts": r.texts,
                        "matrix": [{"row": row, "counts": counts} for row, counts in r.matrix],
                    }
                    for r in results
                ],
            }
            for survey, results in data.surveys
        ],
        "pdf_url": settings.SITE_URL + reverse("consultations:report_pdf", args=[consultation.pk]),
    }


@router.get(
    "/{consultation_id}/opinion-map",
    response=OpinionMapOut,
    summary="The opinion map: statements with vote counts, groups and consensus (no identities)",
)
def opinion_map(request: HttpRequest, consultation_id: int) -> dict[str, Any]:
    consultation = _consultation_for(request, consultation_id)
    statements = list(
        selectors.statement_list(consultation=consultation, status=Statement.Status.ACCEPTED)
    )
    public = {s.pk for s in statements}
    stored = selectors.opinion_map_get(consultation=consultation)
    result: dict[str, Any] = (stored.result if stored else None) or {}
    sizes: dict[str, int] = result.get("group_sizes", {}) or {}
    representative: dict[str, list[dict[str, Any]]] = result.get("representative", {}) or {}
    groups = [
        {
            "number": int(key),
            "size": int(size),
            "representative": [
                item for item in representative.get(key, []) if item.get("statement") in public
            ],
        }
        for key, size in sorted(sizes.items(), key=lambda kv: int(kv[0]))
    ]
    return {
        "statements": [
            {
                "id": s.pk,
                "text": s.text,
                "agrees": s.agrees,  # type: ignore[attr-defined]
                "disagrees": s.disagrees,  # type: ignore[attr-defined]
                "passes": s.passes,  # type: ignore[attr-defined]
            }
            for s in statements
        ],
        "participants": sum(g["size"] for g in groups),
        "groups": groups,
        "consensus": [
            c["statement"] for c in result.get("consensus", []) if c["statement"] in public
        ],
        "consensus_disagree": [
            c["statement"] for c in result.get("consensus_disagree", []) if c["statement"] in public
        ],
        "firmness": result.get("firmness"),
        "fingerprint": stored.fingerprint if stored else "",
        "computed_at": stored.computed_at if stored else None,
    }
