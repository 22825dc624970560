"""Reads of the consultations app: phases, lists, remarks, survey results and the report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.permissions import has_role, is_official, unit_ids
from wspolnota.accounts.roles import Role
from wspolnota.consultations.models import (
    TEXT_LANGUAGES,
    Consultation,
    ConsultationChange,
    Form,
    Meeting,
    OpinionMap,
    OpinionMapImport,
    Participant,
    Question,
    Registration,
    Remark,
    Response,
    Statement,
    StatementVote,
    Survey,
    SurveyCodes,
)
from wspolnota.schools.codes import GroupTurnout, code_turnout
from wspolnota.schools.models import CodeBallot, CodeSheet

# Kraków's rules (resolution CXI/2904/18); other cities may configure their own.
NOTICE_DAYS: int = getattr(settings, "CONSULTATION_NOTICE_DAYS", 7)
MIN_DAYS: int = getattr(settings, "CONSULTATION_MIN_DAYS", 21)
MIN_FORMS: int = getattr(settings, "CONSULTATION_MIN_FORMS", 3)

PHASE_LABELS = {
    "draft": _("projekt"),
    "announced": _("ogłoszone, akcja informacyjna"),
    "open": _("trwają"),
    "closed": _("zakończone, trwa opracowanie raportu"),
    "reported": _("zakończone, raport opublikowany"),
}


def local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def consultation_phase(consultation: Consultation, *, at: datetime) -> str:
    """draft → announced (information campaign) → open → closed → reported."""
    if consultation.published_at is None:
        return "draft"
    if consultation.report_published_at is not None:
        return "reported"
    today = local_date(at)
    if today < consultation.starts_on:
        return "announced"
    if today <= consultation.ends_on:
        return "open"
    return "closed"


def consultation_duration_days(consultation: Consultation) -> int:
    """Days of consultation, counting the first and the last day."""
    return (consultation.ends_on - consultation.starts_on).days + 1


@dataclass(frozen=True)
class RuleProblem:
    code: str
    message: str


def consultation_rule_problems(consultation: Consultation, *, at: datetime) -> list[RuleProblem]:
    """Which of Kraków's rules the plan breaks if it is announced at ``at``.

    The notice counts from the later of the planned campaign start and the announcement itself:
    a consultation announced today that opens in three days had a three-day campaign. Once
    announced, the announcement's date counts, so a later change is judged by the same rules.
    """
    from wspolnota.consultations import errors

    problems = []
    announced = consultation.published_at or at
    campaign_start = max(consultation.information_from, local_date(announced))
    notice = (consultation.starts_on - campaign_start).days
    if notice < NOTICE_DAYS:
        problems.append(
            RuleProblem(
                "notice",
                str(errors.NOTICE_TOO_SHORT) % {"days": NOTICE_DAYS, "actual": max(notice, 0)},
            )
        )
    duration = consultation_duration_days(consultation)
    if duration < MIN_DAYS:
        problems.append(
            RuleProblem("duration", str(errors.TOO_SHORT) % {"days": MIN_DAYS, "actual": duration})
        )
    forms = set(consultation.forms or [])
    if len(forms) < MIN_FORMS:
        problems.append(
            RuleProblem(
                "forms", str(errors.TOO_FEW_FORMS) % {"count": MIN_FORMS, "actual": len(forms)}
            )
        )
    if not forms & {"meeting", "workshop"}:
        problems.append(RuleProblem("open_form", str(errors.NO_OPEN_FORM)))
    elif consultation.pk and not consultation.meetings.filter(cancelled_at__isnull=True).exists():
        problems.append(RuleProblem("meeting", str(errors.NO_MEETING_PLANNED)))
    return problems


def consultation_list(*, viewer: Any, at: datetime) -> QuerySet[Consultation]:
    """Announced consultations for everyone; officials also see the drafts of their units."""
    consultations = Consultation.objects.select_related("initiating_unit").prefetch_related(
        "districts"
    )
    if has_role(viewer, Role.ADMINISTRATOR):
        return consultations
    if is_official(viewer):
        units = viewer.role_assignments.filter(role=Role.OFFICIAL).values("city_unit_id")
        return consultations.filter(Q(published_at__isnull=False) | Q(initiating_unit_id__in=units))
    return consultations.filter(published_at__isnull=False)


def initiating_unit_choices(*, viewer: Any, current: Consultation | None = None) -> QuerySet[Any]:
    """The city units the viewer may plan a consultation for: their own (all for administrators),
    plus the consultation's current unit when editing."""
    from wspolnota.accounts.models import CityUnit

    if has_role(viewer, Role.ADMINISTRATOR):
        return CityUnit.objects.all()
    units = Q(pk__in=unit_ids(viewer))
    if current is not None:
        units |= Q(pk=current.initiating_unit_id)
    return CityUnit.objects.filter(units)


def consultation_get(*, pk: int) -> Consultation | None:
    return (
        Consultation.objects.select_related("initiating_unit", "created_by")
        .prefetch_related(
            "districts",
            Prefetch("documents__sections"),
            Prefetch(
                "meetings", queryset=Meeting.objects.annotate(registered=Count("registrations"))
            ),
            "surveys",
        )
        .filter(pk=pk)
        .first()
    )


def remark_list(*, consultation: Consultation, include_hidden: bool = False) -> QuerySet[Remark]:
    remarks = Remark.objects.filter(consultation=consultation).select_related(
        "section__document", "district", "meeting", "duplicate_of"
    )
    if not include_hidden:
        remarks = remarks.filter(hidden_at__isnull=True)
    return remarks.order_by("created_at", "id")


def remarks_unanswered(*, consultation: Consultation) -> int:
    return Remark.objects.filter(
        consultation=consultation,
        hidden_at__isnull=True,
        duplicate_of__isnull=True,
        disposition=Remark.Disposition.PENDING,
    ).count()


def survey_get(*, consultation: Consultation, pk: int) -> Survey | None:
    return (
        Survey.objects.select_related("consultation")
        .prefetch_related("questions")
        .filter(consultation=consultation, pk=pk)
        .first()
    )


@dataclass
class QuestionResult:
    question: Question
    answered: int
    rows: list[tuple[str, float, int]]  # label, share 0–1 (or mean score), count
    texts: list[str]
    matrix: list[tuple[str, list[int]]]

    @property
    def chart_height(self) -> int:
        return 12 * len(self.rows) + 4

    @property
    def bars(self) -> list[dict[str, Any]]:
        """Bar geometry for the SVG chart (the page and the PDF draw the same one)."""
        return [
            {"label": label, "count": count, "width": round(300 * share, 1), "y": 12 * i + 2}
            for i, (label, share, count) in enumerate(self.rows)
        ]


def class_code_answers(*, survey: Survey) -> list[dict[str, Any]]:
    """The answers pupils gave with class codes, once the mixer has put them in the box (they
    name nobody: no account, no class)."""
    return [
        content.get("a", {})
        for content in CodeBallot.objects.filter(box__youth_survey__survey=survey)
        .order_by("id")
        .values_list("content", flat=True)
    ]


def survey_codes_get(*, survey: Survey) -> SurveyCodes | None:
    """The survey's class codes, when it was opened to pupils."""
    return SurveyCodes.objects.select_related("box").filter(survey=survey).first()


def class_sheets(*, survey: Survey) -> QuerySet[CodeSheet]:
    """The code sheets printed for the survey, class by class."""
    return (
        CodeSheet.objects.filter(group__box__youth_survey__survey=survey)
        .select_related("group")
        .order_by("group__label", "number")
    )


def class_turnout(*, survey: Survey) -> list[GroupTurnout]:
    """Codes used per class or school (empty when the survey takes no codes)."""
    found = SurveyCodes.objects.select_related("box").filter(survey=survey).first()
    return code_turnout(box=found.box) if found is not None else []


def survey_results(*, survey: Survey) -> list[QuestionResult]:
    """Counts per option, mean scale and ranking points, open answers, matrix tallies: the
    responses and the answers given with class codes."""
    responses = list(survey.responses.values_list("answers", flat=True))
    responses += class_code_answers(survey=survey)
    results = []
    for question in survey.questions.all():
        key = str(question.pk)
        given = [r[key] for r in responses if r.get(key) not in (None, "", [])]
        rows: list[tuple[str, float, int]] = []
        texts: list[str] = []
        matrix: list[tuple[str, list[int]]] = []
        if question.kind in ("single", "multiple"):
            counter: Counter[str] = Counter()
            for answer in given:
                counter.update(answer if isinstance(answer, list) else [answer])
            rows = [
                (option, counter[option] / len(given) if given else 0.0, counter[option])
                for option in question.options
            ]
        elif question.kind == "scale":
            counter = Counter(str(a) for a in given)
            rows = [
                (str(v), counter[str(v)] / len(given) if given else 0.0, counter[str(v)])
                for v in range(1, 6)
            ]
        elif question.kind == "ranking":
            points: Counter[str] = Counter()
            n = len(question.options)
            for answer in given:
                for place, option in enumerate(answer):
                    points[option] += n - place
            top = max(points.values(), default=0) or 1
            rows = sorted(
                ((o, points[o] / top, points[o]) for o in question.options), key=lambda r: -r[2]
            )
        elif question.kind == "text":
            texts = [str(a) for a in given]
        elif question.kind == "matrix":
            for row in question.rows:
                tallies = Counter(a.get(row) for a in given if isinstance(a, dict))
                matrix.append((row, [tallies[o] for o in question.options]))
        results.append(QuestionResult(question, len(given), rows, texts, matrix))
    return results


def statement_list(*, consultation: Consultation, status: str | None = None) -> QuerySet[Statement]:
    statements = Statement.objects.filter(consultation=consultation)
    if status:
        statements = statements.filter(status=status)
    return statements.annotate(
        agrees=Count("votes", filter=Q(votes__choice=1)),
        disagrees=Count("votes", filter=Q(votes__choice=-1)),
        passes=Count("votes", filter=Q(votes__choice=0)),
    ).order_by("id")


def opinion_map_get(*, consultation: Consultation) -> OpinionMap | None:
    return OpinionMap.objects.filter(consultation=consultation).first()


def opinion_map_import_latest(*, consultation: Consultation) -> OpinionMapImport | None:
    return (
        OpinionMapImport.objects.filter(consultation=consultation)
        .defer("comments_csv", "votes_csv")
        .first()
    )


@dataclass
class ReportData:
    consultation: Consultation
    remarks: list[Remark]
    by_channel: list[tuple[str, int]]
    by_district: list[tuple[str, int]]
    by_disposition: list[tuple[str, int]]
    surveys: list[tuple[Survey, list[QuestionResult]]]
    meetings: list[Meeting]
    participants: int
    responses: int
    registrations: int
    voters: int
    statements: list[Statement]
    forms: list[str]  # the forms' labels, in the language of the reader
    hidden: list[tuple[str, int]]  # remarks hidden by moderation: (reason, how many)
    changes: list[ConsultationChange]
    # surveys answered with class codes: (survey, codes used per class)
    class_turnout: list[tuple[Survey, list[GroupTurnout]]] = field(default_factory=list)

    @property
    def hidden_total(self) -> int:
        return sum(n for _reason, n in self.hidden)


def form_labels(codes: list[str]) -> list[str]:
    """Human labels of the forms of participation (codes stay in the API only)."""
    labels = dict(Form.choices)
    return [str(labels[c]) for c in codes if c in labels]


def report_data(*, consultation: Consultation) -> ReportData:
    """Everything the published report shows, read in a fixed number of queries."""
    remarks = list(remark_list(consultation=consultation))
    labels = dict(Remark.Channel.choices)
    by_channel = Counter(str(labels[r.channel]) for r in remarks)
    by_district = Counter(r.district.full_name if r.district else None for r in remarks)
    disposition_labels = dict(Remark.Disposition.choices)
    by_disposition = Counter(
        str(disposition_labels[(r.duplicate_of or r).disposition]) for r in remarks
    )
    surveys = [
        (s, survey_results(survey=s))
        for s in consultation.surveys.prefetch_related("questions").all()
    ]
    class_turnout = [
        (s, code_turnout(box=found.box))
        for s, _r in surveys
        if (found := SurveyCodes.objects.select_related("box").filter(survey=s).first())
    ]
    responses = sum(s.responses.count() for s, _r in surveys) + sum(
        t.used for _s, rows in class_turnout for t in rows
    )
    authors = {r.author_id or f"offline-{r.pk}" for r in remarks}
    registrations = sum(m.registrations.count() for m in consultation.meetings.all())
    statements = list(statement_list(consultation=consultation, status=Statement.Status.ACCEPTED))
    voters = consultation.opinion_participants.filter(votes__isnull=False).distinct().count()
    hidden = Counter(
        Remark.objects.filter(consultation=consultation, hidden_at__isnull=False).values_list(
            "hidden_reason", flat=True
        )
    )
    return ReportData(
        consultation=consultation,
        remarks=remarks,
        by_channel=sorted(by_channel.items(), key=lambda kv: -kv[1]),
        by_district=sorted(
            ((name, n) for name, n in by_district.items() if name), key=lambda kv: -kv[1]
        ),
        by_disposition=sorted(by_disposition.items(), key=lambda kv: -kv[1]),
        surveys=surveys,
        meetings=list(consultation.meetings.annotate(registered=Count("registrations"))),
        participants=len(authors) + responses + registrations + voters,
        responses=responses,
        registrations=registrations,
        voters=voters,
        statements=statements,
        forms=form_labels(list(consultation.forms or [])),
        hidden=sorted(hidden.items(), key=lambda kv: (-kv[1], kv[0])),
        changes=list(consultation_changes(consultation=consultation)),
        class_turnout=class_turnout,
    )


def consultation_changes(*, consultation: Consultation) -> QuerySet[ConsultationChange]:
    """The public record of changes made after the announcement, oldest first."""
    return ConsultationChange.objects.filter(consultation=consultation).order_by("changed_at", "id")


def consultation_missing_translations(consultation: Consultation) -> list[str]:
    """Declared languages (English, Ukrainian) whose title or summary is not given yet."""
    return [
        code
        for code in TEXT_LANGUAGES
        if code in (consultation.languages or [])
        and not (
            getattr(consultation, f"title_{code}") and getattr(consultation, f"summary_{code}")
        )
    ]


def consultation_participant_ids(*, consultation: Consultation) -> set[int]:
    """Accounts of everyone taking part: remarks, named survey answers, meetings, opinion map."""
    ids = set(
        Remark.objects.filter(consultation=consultation, author__isnull=False).values_list(
            "author_id", flat=True
        )
    )
    ids |= set(
        Response.objects.filter(
            survey__consultation=consultation, respondent__isnull=False
        ).values_list("respondent_id", flat=True)
    )
    ids |= set(
        Registration.objects.filter(meeting__consultation=consultation).values_list(
            "user_id", flat=True
        )
    )
    ids |= set(
        Participant.objects.filter(consultation=consultation, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    return {int(i) for i in ids if i is not None}


def remarks_of(*, consultation: Consultation, person: Any) -> list[Remark]:
    """A person's own remarks in a consultation with their answers (a grouped duplicate carries
    its original's answer), for the "you said, we did" message."""
    remarks = list(
        Remark.objects.filter(consultation=consultation, author=person)
        .select_related("duplicate_of")
        .order_by("created_at", "id")
    )
    for remark in remarks:
        answered = remark.duplicate_of or remark
        remark.shown_disposition = answered.get_disposition_display()  # type: ignore[attr-defined]
        remark.shown_reason = answered.reason  # type: ignore[attr-defined]
    return remarks


def statement_next(*, consultation: Consultation, user: Any) -> Statement | None:
    """The next accepted statement this person has not voted on: the least voted first.

    Everyone is offered the statements that have the fewest votes so far (then the oldest), so
    new statements get seen.
    """
    statements = statement_list(consultation=consultation, status=Statement.Status.ACCEPTED)
    if getattr(user, "is_authenticated", False):
        statements = statements.exclude(votes__participant__user=user)
    return statements.annotate(seen=Count("votes")).order_by("seen", "id").first()


def statement_votes_of(*, consultation: Consultation, user: Any) -> dict[int, int]:
    """This person's votes: statement id → 1, 0 or -1."""
    if not getattr(user, "is_authenticated", False):
        return {}
    return dict(
        StatementVote.objects.filter(
            statement__consultation=consultation, participant__user=user
        ).values_list("statement_id", "choice")
    )


# --- A person at the counter (issue 17) ----------------------------------------------------------


def person_participation(*, person: Any) -> dict[str, list[Any]]:
    """What a person takes part in: their remarks (with the answer), their named survey answers
    and their meeting registrations, newest first."""
    return {
        "remarks": list(
            Remark.objects.filter(author=person)
            .select_related("consultation")
            .order_by("-created_at", "-id")[:50]
        ),
        "responses": list(
            Response.objects.filter(respondent=person)
            .select_related("survey__consultation")
            .order_by("-created_at", "-id")[:50]
        ),
        "registrations": list(
            Registration.objects.filter(user=person)
            .select_related("meeting__consultation")
            .order_by("-meeting__starts_at", "-id")[:50]
        ),
    }


def consultations_to_act_in(*, clerk: Any, at: datetime) -> list[Consultation]:
    """Announced consultations, not yet reported, in which the clerk may act for a person (the
    units they work for; every one for an administrator)."""
    consultations = Consultation.objects.filter(
        published_at__isnull=False, report_published_at__isnull=True
    ).select_related("initiating_unit")
    if not has_role(clerk, Role.ADMINISTRATOR):
        units = unit_ids(clerk, Role.OFFICIAL) | unit_ids(clerk, Role.COUNTER_CLERK)
        consultations = consultations.filter(initiating_unit_id__in=units)
    today = local_date(at)
    # open ones, and announced ones with meetings to register for
    return list(
        consultations.filter(ends_on__gte=today - timedelta(days=postmark_grace_days())).order_by(
            "ends_on", "id"
        )[:50]
    )


def postmark_grace_days() -> int:
    """Read at call time (tests change the setting)."""
    return int(getattr(settings, "CONSULTATION_POSTMARK_GRACE_DAYS", 14))
