"""Reads of the councils app: bodies, terms and members, meetings, resolutions, questions, opinions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from wspolnota.consultations.models import Consultation
from wspolnota.councils import permissions
from wspolnota.councils.models import (
    ADVISORY_KINDS,
    PUBLIC_RESOLUTION_STATUSES,
    Body,
    BodyKind,
    Committee,
    Meeting,
    MeetingStatus,
    Membership,
    Opinion,
    QuestionStatus,
    ResidentQuestion,
    Resolution,
    Term,
    Vote,
    VoteKind,
    VoteRecord,
)
from wspolnota.councils.services import current_term

if TYPE_CHECKING:
    from wspolnota.accounts.models import User
    from wspolnota.territory.models import District


def district_council_list() -> QuerySet[Body]:
    return (
        Body.objects.filter(kind=BodyKind.DISTRICT_COUNCIL)
        .select_related("district")
        .annotate(
            open_questions=Count(
                "questions", filter=Q(questions__status=QuestionStatus.SUBMITTED), distinct=True
            )
        )
        .order_by("district__number")
    )


def advisory_body_list() -> QuerySet[Body]:
    return (
        Body.objects.filter(kind__in=ADVISORY_KINDS)
        .select_related("city_unit")
        .order_by("kind", "name")
    )


def body_get(*, slug: str) -> Body | None:
    return Body.objects.select_related("district", "city_unit").filter(slug=slug).first()


def body_for_district(*, district: District) -> Body | None:
    return (
        Body.objects.select_related("district")
        .filter(kind=BodyKind.DISTRICT_COUNCIL, district=district)
        .first()
    )


def seated_members(*, term: Term, on: date) -> list[Membership]:
    """Members holding a seat on the day, the chair first."""
    order = {"chair": 0, "vice_chair": 1, "secretary": 2, "member": 3}
    members = list(
        term.memberships.select_related("school_election")
        .filter(starts_on__lte=on)
        .exclude(ends_on__lt=on)
    )
    members.sort(key=lambda m: (order.get(m.role, 9), m.person_name))
    return members


def term_memberships(*, term: Term) -> list[Membership]:
    return list(
        term.memberships.select_related("school_election").order_by(
            "ends_on", "role", "person_name"
        )
    )


def committees_of(*, term: Term) -> list[Committee]:
    return list(
        term.committees.select_related("chair").prefetch_related(
            Prefetch("members", queryset=Membership.objects.order_by("person_name"))
        )
    )


@dataclass
class BodyOverview:
    body: Body
    term: Term | None
    members: list[Membership] = field(default_factory=list)
    committees: list[Committee] = field(default_factory=list)
    upcoming: list[Meeting] = field(default_factory=list)
    recent: list[Meeting] = field(default_factory=list)
    resolutions: list[Resolution] = field(default_factory=list)
    opinions: list[Opinion] = field(default_factory=list)
    open_questions: int = 0
    overdue_questions: int = 0


def body_overview(*, body: Body, on: date | None = None, limit: int = 5) -> BodyOverview:
    """Everything a body's page shows, in a fixed number of queries."""
    day = on or timezone.localdate()
    now = timezone.now()
    term = current_term(body, day)
    meetings = body.meetings.select_related("committee")
    questions = body.questions.filter(status=QuestionStatus.SUBMITTED)
    return BodyOverview(
        body=body,
        term=term,
        members=seated_members(term=term, on=day) if term else [],
        committees=committees_of(term=term) if term else [],
        upcoming=list(
            meetings.filter(starts_at__gte=now)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("starts_at")[:limit]
        ),
        recent=list(meetings.filter(starts_at__lt=now).order_by("-starts_at")[:limit]),
        resolutions=list(
            body.resolutions.filter(status__in=PUBLIC_RESOLUTION_STATUSES).order_by(
                "-adopted_on", "-id"
            )[:limit]
        ),
        opinions=list(body.opinions.order_by("-requested_on", "-id")[:limit]),
        open_questions=questions.count(),
        overdue_questions=questions.filter(answer_due_on__lt=day).count(),
    )


@dataclass
class DistrictCouncilPanel:
    """What a district's page shows about its council (see the ``district_council`` tag)."""

    body: Body
    term: Term | None
    members: list[Membership]
    next_meeting: Meeting | None
    resolutions: list[Resolution]
    open_questions: int


def district_council_panel(
    *, district: District, on: date | None = None
) -> DistrictCouncilPanel | None:
    """The council of a district for the district's page, or None when it is not registered."""
    body = body_for_district(district=district)
    if body is None:
        return None
    day = on or timezone.localdate()
    term = current_term(body, day)
    return DistrictCouncilPanel(
        body=body,
        term=term,
        members=seated_members(term=term, on=day) if term else [],
        next_meeting=body.meetings.filter(starts_at__gte=timezone.now())
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .first(),
        resolutions=list(
            body.resolutions.filter(status__in=PUBLIC_RESOLUTION_STATUSES).order_by(
                "-adopted_on", "-id"
            )[:3]
        ),
        open_questions=body.questions.filter(status=QuestionStatus.SUBMITTED).count(),
    )


def meeting_list(*, body: Body) -> QuerySet[Meeting]:
    return (
        body.meetings.select_related("committee")
        .annotate(document_count=Count("documents", distinct=True))
        .order_by("-starts_at", "-id")
    )


def meeting_get(*, pk: int) -> Meeting | None:
    return (
        Meeting.objects.select_related("body", "body__district", "term", "committee")
        .prefetch_related(
            "documents",
            Prefetch(
                "votes",
                queryset=Vote.objects.select_related("resolution").prefetch_related(
                    Prefetch(
                        "records",
                        queryset=VoteRecord.objects.select_related("membership").order_by(
                            "membership__person_name"
                        ),
                    )
                ),
            ),
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.filter(status__in=PUBLIC_RESOLUTION_STATUSES),
            ),
            "opinions",
        )
        .filter(pk=pk)
        .first()
    )


def public_vote_records(vote: Vote) -> list[VoteRecord]:
    """How each member voted: shown for roll-call votes only."""
    return list(vote.records.all()) if vote.kind == VoteKind.ROLL_CALL else []


@dataclass
class ResolutionFilters:
    year: int | None = None
    status: str = ""
    query: str = ""


def resolution_list(
    *, body: Body, viewer: User | Any, filters: ResolutionFilters | None = None
) -> QuerySet[Resolution]:
    """Published (and later repealed or annulled) resolutions; managers also see drafts."""
    filters = filters or ResolutionFilters()
    resolutions = body.resolutions.select_related("meeting")
    if not permissions.can_manage_body(viewer, body, on=timezone.localdate()):
        resolutions = resolutions.filter(status__in=PUBLIC_RESOLUTION_STATUSES)
    if filters.year:
        resolutions = resolutions.filter(adopted_on__year=filters.year)
    if filters.status:
        resolutions = resolutions.filter(status=filters.status)
    if filters.query:
        resolutions = resolutions.filter(
            Q(subject__icontains=filters.query)
            | Q(number__icontains=filters.query)
            | Q(text__icontains=filters.query)
        )
    return resolutions.order_by("-adopted_on", "-id")


def resolution_years(*, body: Body) -> list[int]:
    return sorted(
        {
            d.year
            for d in body.resolutions.filter(adopted_on__isnull=False).values_list(
                "adopted_on", flat=True
            )
            if d is not None
        },
        reverse=True,
    )


def resolution_get(*, pk: int, viewer: User | Any) -> Resolution | None:
    resolution = (
        Resolution.objects.select_related("body", "body__district", "meeting", "published_by")
        .prefetch_related("votes")
        .filter(pk=pk)
        .first()
    )
    if resolution is None:
        return None
    if resolution.is_public or permissions.can_manage_body(
        viewer, resolution.body, on=timezone.localdate()
    ):
        return resolution
    return None


def question_list(*, body: Body, viewer: User | Any) -> QuerySet[ResidentQuestion]:
    """Public questions (without their authors' names), plus the viewer's own; managers see all."""
    questions = body.questions.all()
    if not permissions.can_manage_body(viewer, body, on=timezone.localdate()):
        visible = Q(is_public=True) & ~Q(status=QuestionStatus.HIDDEN)
        if getattr(viewer, "is_authenticated", False):
            visible |= Q(author=viewer)
        questions = questions.filter(visible)
    return questions.order_by("-created_at", "-id")


def question_get(*, pk: int, viewer: User | Any) -> ResidentQuestion | None:
    question = (
        ResidentQuestion.objects.select_related("body", "body__district", "author")
        .filter(pk=pk)
        .first()
    )
    if question is None or not permissions.can_view_question(
        viewer, question, on=timezone.localdate()
    ):
        return None
    return question


def opinion_list(*, body: Body) -> QuerySet[Opinion]:
    return body.opinions.select_related("meeting").order_by("-requested_on", "-id")


def opinion_get(*, pk: int) -> Opinion | None:
    return Opinion.objects.select_related("body", "meeting", "consultation").filter(pk=pk).first()


# A consultation that ended up to this many days ago can still be picked for an opinion.
OPINION_CONSULTATION_RECENT_DAYS = 180


def opinion_consultation_choices(
    *, on: date, current: Consultation | None = None
) -> QuerySet[Consultation]:
    """The consultations a body's secretary may link an opinion to: announced ones that are
    under way, coming, or ended in the last months (plus the one already linked)."""
    recent = Q(published_at__isnull=False) & Q(
        ends_on__gte=on - timedelta(days=OPINION_CONSULTATION_RECENT_DAYS)
    )
    if current is not None:
        recent |= Q(pk=current.pk)
    return Consultation.objects.filter(recent).order_by("-starts_on", "-id")


def opinion_list_for_consultation(*, consultation: Consultation) -> list[Opinion]:
    """The advisory bodies' opinions on one consultation, shown on its public page: adopted
    ones first by adoption date, then those still awaited."""
    opinions = consultation.advisory_opinions.select_related("body").order_by(
        F("adopted_on").asc(nulls_last=True), "requested_on", "id"
    )
    return list(opinions)


# --- A person at the counter (issue 17) ----------------------------------------------------------


def person_questions(*, person: User) -> list[ResidentQuestion]:
    """A person's questions and motions to councils, newest first, with their state."""
    return list(
        ResidentQuestion.objects.filter(author=person)
        .select_related("body")
        .order_by("-created_at", "-id")[:50]
    )


def bodies_to_record_for(*, clerk: Any, on: date) -> list[Body]:
    """The councils and bodies for which the clerk may record a person's question (see
    ``permissions.can_record_question_for``)."""
    from wspolnota.accounts.permissions import district_ids, is_administrator, unit_ids
    from wspolnota.accounts.roles import Role

    bodies = Body.objects.select_related("district")
    if is_administrator(clerk):
        return list(bodies)
    units = unit_ids(clerk, Role.OFFICIAL) | unit_ids(clerk, Role.COUNTER_CLERK)
    candidates = bodies.filter(
        Q(city_unit_id__in=units)
        | Q(kind=BodyKind.DISTRICT_COUNCIL, district_id__in=district_ids(clerk))
        | Q(terms__memberships__user=clerk)
    ).distinct()
    return [b for b in candidates if permissions.can_record_question_for(clerk, b, on=on)]


def school_vote_sheets(*, vote: Any) -> QuerySet[Any]:
    """The code sheets printed for a school's election by codes, class by class."""
    from wspolnota.schools.models import CodeSheet

    return (
        CodeSheet.objects.filter(group__box_id=vote.box_id)
        .select_related("group")
        .order_by("group__label", "number")
    )
