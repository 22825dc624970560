"""Reads of the grants app: calls and their pools, applications with their checklists, the
ranking, results, the commission's work, settlements, and the figures monitoring needs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from wspolnota.accounts.models import RoleAssignment, User
from wspolnota.accounts.permissions import has_role
from wspolnota.accounts.roles import Role
from wspolnota.core.errors import PermissionDeniedError
from wspolnota.grants import errors, limits, permissions
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    FOREIGN_RULES,
    ZERO,
    Agreement,
    Application,
    ApplicationStatus,
    Assessment,
    Award,
    AwardStatus,
    BudgetLine,
    Call,
    CallStatus,
    CallVersion,
    CommissionMember,
    ConflictDeclaration,
    FundReturn,
    Programme,
    ProgrammeKind,
    Report,
    RuleKey,
    Tranche,
    YearlyGrantPlan,
)
from wspolnota.grants.settlement import Settlement, settle
from wspolnota.organisations.models import Membership, Organisation, OrganisationKind

# --- pools and calls ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pool:
    amount: Decimal
    awarded: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.awarded

    @property
    def percent_used(self) -> int:
        return int(self.awarded * 100 / self.amount) if self.amount else 0


def call_pool(call: Call) -> Pool:
    awarded = (
        Award.objects.filter(call=call, status=AwardStatus.ACTIVE).aggregate(total=Sum("amount"))[
            "total"
        ]
        or ZERO
    )
    return Pool(amount=call.pool_amount, awarded=awarded)


@dataclass(frozen=True)
class PublicCalls:
    open: list[Call]
    upcoming: list[Call]
    past: QuerySet[Call]


@dataclass(frozen=True)
class CallFilters:
    """What the public list of calls is narrowed to: a kind of programme, a budget year and
    words of the title (all of them)."""

    kind: str = ""
    year: int | None = None
    query: str = ""


def call_public_list(
    *, at: datetime | None = None, filters: CallFilters | None = None
) -> PublicCalls:
    """Announced calls, split into open now, announced but not yet open, and past ones (a
    queryset, newest deadline first, for paging)."""
    at = at or timezone.now()
    filters = filters or CallFilters()
    calls = call_public_queryset(kind=filters.kind, year=filters.year)
    for word in filters.query.split()[:10]:
        calls = calls.filter(title__icontains=word)
    published = Q(status=CallStatus.PUBLISHED)
    open_now = published & Q(opens_at__lte=at) & (Q(closes_at__isnull=True) | Q(closes_at__gt=at))
    upcoming = published & Q(opens_at__gt=at)
    return PublicCalls(
        open=list(calls.filter(open_now).order_by("closes_at", "opens_at", "id")),
        upcoming=list(calls.filter(upcoming).order_by("opens_at", "id")),
        past=calls.exclude(open_now | upcoming).order_by(
            Coalesce("closes_at", "opens_at").desc(), "-id"
        ),
    )


def programme_public_list() -> QuerySet[Programme]:
    """Active programmes with their rubrics (for the open-data API)."""
    return (
        Programme.objects.filter(is_active=True)
        .prefetch_related("criteria")
        .order_by("kind", "name", "id")
    )


def call_public_queryset(*, kind: str = "", year: int | None = None) -> QuerySet[Call]:
    """Announced calls with the money awarded so far, newest first (drafts are never public)."""
    calls = Call.objects.exclude(status=CallStatus.DRAFT)
    if kind:
        calls = calls.filter(programme__kind=kind)
    if year is not None:
        calls = calls.filter(year=year)
    return (
        calls.select_related("programme")
        .annotate(awarded=Sum("awards__amount", filter=Q(awards__status=AwardStatus.ACTIVE)))
        .order_by("-opens_at", "-id")
    )


def call_versions(call: Call) -> QuerySet[CallVersion]:
    """Every announced version of a call's rules, the first one first (all stay public)."""
    return call.versions.select_related("announced_by").order_by("number")


@dataclass(frozen=True)
class VersionChange:
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class VersionEntry:
    version: CallVersion
    changes: list[VersionChange]


def _change_label(name: str) -> str:
    for model in (Call, Programme):
        names = {f.name for f in model._meta.get_fields()}
        if name in names:
            return str(getattr(model._meta.get_field(name), "verbose_name", name))
    return name


def _change_value(name: str, value: Any) -> Any:
    """A frozen rule's value for the reader: a named record (the regranting operator) by its
    name, not its number."""
    if name in FOREIGN_RULES and value is not None:
        organisation = Organisation.objects.filter(pk=value).only("name").first()
        return organisation.name if organisation is not None else value
    return value


def call_version_history(call: Call) -> list[VersionEntry]:
    """The announced versions with what each amendment changed, labelled for the reader."""
    return [
        VersionEntry(
            version=version,
            changes=[
                VersionChange(
                    _change_label(name),
                    _change_value(name, change.get("before")),
                    _change_value(name, change.get("after")),
                )
                for name, change in sorted(version.changes.items())
            ],
        )
        for version in call_versions(call)
    ]


def programmes_managed(user: Any) -> QuerySet[Programme]:
    """Programmes the user may change: those of the units where they are an official."""
    if has_role(user, Role.ADMINISTRATOR):
        return programme_list()
    return programme_list().filter(city_unit_id__in=permissions.official_unit_ids(user))


def call_public_get(call_id: int) -> Call:
    """One announced call with its frozen rubric, or 404."""
    call = (
        call_public_queryset()
        .select_related("city_unit")
        .prefetch_related("criteria")
        .filter(pk=call_id)
        .first()
    )
    if call is None:
        raise Http404
    return call


def awards_published(
    *, year: int | None = None, kind: str = "", call_id: int | None = None
) -> QuerySet[Award]:
    """Support awarded in calls whose results are published: who got how much for what."""
    awards = Award.objects.filter(
        call__results_published_at__isnull=False, status=AwardStatus.ACTIVE
    ).exclude(call__status=CallStatus.DRAFT)
    if year is not None:
        awards = awards.filter(call__year=year)
    if kind:
        awards = awards.filter(call__programme__kind=kind)
    if call_id is not None:
        awards = awards.filter(call_id=call_id)
    return awards.select_related("application__applicant", "call__programme").order_by(
        "-call__year", "-call__opens_at", "call_id", "-amount", "id"
    )


def applicant_grant_history(organisation: Organisation) -> QuerySet[Award]:
    """An organisation's grants for its public profile: support awarded in calls whose results
    are published (resigned awards are not grants), newest first."""
    return awards_published().filter(application__applicant=organisation)


def call_get_for(user: Any, call_id: int) -> Call:
    call = (
        Call.objects.select_related("programme", "city_unit")
        .prefetch_related("criteria")
        .filter(pk=call_id)
        .first()
    )
    if call is None or not permissions.can_view_call(user, call):
        raise Http404
    return call


def call_get_managed(user: Any, call_id: int) -> Call:
    call = call_get_for(user, call_id)
    if not permissions.can_manage_call(user, call):
        raise PermissionDeniedError(errors.NOT_ALLOWED)
    return call


def call_officials(call: Call) -> QuerySet[User]:
    """Officials told of a call's new applications: those of the unit that runs it (the
    administrators when no unit is named — they alone manage such a call), active accounts."""
    if call.city_unit_id is not None:
        assignments = RoleAssignment.objects.filter(
            role=Role.OFFICIAL, city_unit_id=call.city_unit_id
        )
    else:
        assignments = RoleAssignment.objects.filter(role=Role.ADMINISTRATOR)
    return User.objects.filter(
        pk__in=assignments.values("user_id"), is_active=True, deleted_at__isnull=True
    ).order_by("pk")


def programme_list() -> QuerySet[Programme]:
    return Programme.objects.annotate(call_count=Count("calls")).order_by("kind", "name", "id")


def office_calls(user: Any) -> list[Call]:
    """Calls an official manages, with their application counts by stage."""
    calls = (
        Call.objects.select_related("programme", "city_unit")
        .annotate(
            submitted=Count("applications", filter=Q(applications__status="submitted")),
            in_assessment=Count("applications", filter=Q(applications__status="in_assessment")),
            total_applications=Count("applications", filter=~Q(applications__status="draft")),
        )
        .order_by("-opens_at", "-id")
    )
    return [c for c in calls if permissions.can_manage_call(user, c)]


# --- applications --------------------------------------------------------------------------------


def _application_queryset() -> QuerySet[Application]:
    return Application.objects.select_related(
        "call__programme", "call__city_unit", "applicant", "district", "award"
    )


def application_get_for(user: Any, application_id: int) -> Application:
    application = _application_queryset().filter(pk=application_id).first()
    if application is None or not permissions.can_view_application(user, application):
        raise Http404
    return application


def application_for_document(application_id: int) -> Application:
    """Everything the receipt prints, loaded at once."""
    return (
        _application_queryset()
        .prefetch_related("budget_lines", "schedule_items", "expected_results", "attachments")
        .get(pk=application_id)
    )


def applications_of(*, user: Any) -> QuerySet[Application]:
    """Applications of every applicant the user acts for."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    organisation_ids = Membership.objects.filter(user=user).values("organisation_id")
    return (
        _application_queryset()
        .filter(applicant_id__in=organisation_ids)
        .order_by("-created_at", "-id")
    )


def awarded_to_applicant(*, applicant: Organisation, year: int, kind: str) -> Decimal:
    """Support awarded to one applicant in a budget year under programmes of one kind."""
    total = Award.objects.filter(
        application__applicant=applicant,
        call__year=year,
        call__programme__kind=kind,
        status=AwardStatus.ACTIVE,
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def small_grants_awarded(*, year: int) -> Decimal:
    """Everything given as small grants (art. 19a) in a budget year, all calls together."""
    total = Award.objects.filter(
        call__year=year, call__programme__kind=ProgrammeKind.SMALL_GRANT, status=AwardStatus.ACTIVE
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


@dataclass(frozen=True)
class ShareUse:
    year: int
    plan: YearlyGrantPlan | None
    percent: Decimal
    ceiling: Decimal | None
    given: Decimal


def small_grant_share(*, year: int) -> ShareUse:
    """How much of the year's small-grant ceiling (art. 19a ust. 1a) is used."""
    from wspolnota.grants import law

    share = law.rule(RuleKey.SMALL_GRANT_SHARE_PERCENT)
    plan = YearlyGrantPlan.objects.filter(year=year).first()
    ceiling = limits.q2(plan.planned_ngo_grants * share.value / 100) if plan else None
    return ShareUse(year, plan, share.value, ceiling, small_grants_awarded(year=year))


def offers_awaiting_publication(user: Any, *, at: datetime | None = None) -> list[Application]:
    """Small-grant offers the user's units must still publish for remarks, the most urgent
    first (art. 19a ust. 3: within 7 working days of receipt); ``overdue`` marks late ones."""
    day = timezone.localdate(at or timezone.now())
    offers = list(
        _application_queryset()
        .filter(status=ApplicationStatus.SUBMITTED, publication_due__isnull=False)
        .order_by("publication_due", "submitted_at", "id")
    )
    visible = [a for a in offers if permissions.can_manage_call(user, a.call)]
    for offer in visible:
        offer.overdue = offer.publication_due is not None and offer.publication_due < day  # type: ignore[attr-defined]
    return visible


def application_context(application: Application, *, at: datetime) -> limits.ApplicationContext:
    call = application.call
    return limits.ApplicationContext(
        day=timezone.localdate(at),
        pool_remaining=call_pool(call).remaining,
        awarded_this_year=awarded_to_applicant(
            applicant=application.applicant, year=call.year, kind=call.programme.kind
        ),
        people=list(application.applicant.people.all()),
        lines=list(application.budget_lines.all()),
        schedule=list(application.schedule_items.all()),
        results=list(application.expected_results.all()),
        partners=list(application.partners.all()),
    )


def application_check(application: Application, *, at: datetime) -> list[GrantsError]:
    """Every limit the application breaks now, in the order of the form."""
    return limits.application_problems(application, application_context(application, at=at))


@dataclass(frozen=True)
class ScoreSummary:
    count: int
    total: Decimal

    @property
    def average(self) -> Decimal | None:
        return limits.q2(self.total / self.count) if self.count else None


def application_score(application: Application) -> ScoreSummary:
    data = Assessment.objects.filter(application=application, submitted_at__isnull=False).aggregate(
        n=Count("id"), total=Sum("total")
    )
    return ScoreSummary(count=data["n"] or 0, total=data["total"] or ZERO)


@dataclass(slots=True)
class RankedApplication:
    """What a ranking shows of an application (read as plain values: no model instances)."""

    pk: int
    number: str
    title: str
    status: str
    requested_amount: Decimal
    applicant_name: str
    applicant_kind: str

    @property
    def status_label(self) -> str:
        return str(ApplicationStatus(self.status).label)


@dataclass(slots=True)
class RankingRow:
    rank: int
    application: RankedApplication
    score: Decimal | None
    assessments: int
    passes: bool
    tied: bool
    award: Decimal | None


RANKED_STATUSES = (
    ApplicationStatus.IN_ASSESSMENT,
    ApplicationStatus.AWARDED,
    ApplicationStatus.NOT_AWARDED,
    ApplicationStatus.RESIGNED,
)


def call_ranking(call: Call) -> list[RankingRow]:
    """Applications in merit assessment or decided, by their average score (the mean of the
    submitted assessments' totals, exact Decimal), highest first; equal scores share a rank and
    the earlier submission is listed first.

    Two queries whatever the number of applications: the totals are summed per application over
    the narrow assessment table, and the applications are read as plain values (no GROUP BY, no
    model instances), already in submission order so that a stable sort keeps ties in it.
    """
    programme = call.terms
    stats = {
        row["application_id"]: (row["n"], row["points"])
        for row in Assessment.objects.filter(
            application__call=call,
            application__status__in=RANKED_STATUSES,
            submitted_at__isnull=False,
        )
        .values("application_id")
        .annotate(n=Count("id"), points=Sum("total"))
        .order_by()
    }
    records = (
        Application.objects.filter(call=call, status__in=RANKED_STATUSES)
        .order_by(F("submitted_at").asc(nulls_last=True), "id")
        .values_list(
            "id",
            "number",
            "title",
            "status",
            "requested_amount",
            "applicant__name",
            "applicant__kind",
            "award__amount",
        )
    )
    scored: list[tuple[RankedApplication, Decimal | None, int, Decimal | None]] = []
    for pk, number, title, status, requested, name, kind, awarded in records:
        n, points = stats.get(pk, (0, None))
        average = limits.q2(points / n) if n and points is not None else None
        scored.append(
            (
                RankedApplication(pk, number, title, status, requested, name, kind),
                average,
                n,
                awarded,
            )
        )
    scored.sort(key=lambda item: (item[1] is None, -(item[1] or ZERO)))
    counts: dict[Decimal | None, int] = {}
    for _application, average, _n, _awarded in scored:
        counts[average] = counts.get(average, 0) + 1
    rows = []
    rank = 0
    previous: object = object()
    pass_score = programme.pass_score
    for position, (application, average, n, awarded) in enumerate(scored, start=1):
        if average != previous:
            rank = position
            previous = average
        rows.append(
            RankingRow(
                rank=rank,
                application=application,
                score=average,
                assessments=n,
                passes=n >= programme.min_assessors
                and (pass_score is None or (average is not None and average >= pass_score)),
                tied=average is not None and counts[average] > 1,
                award=awarded,
            )
        )
    return rows


def call_results(call: Call) -> list[RankingRow]:
    """The published results: decided applications only."""
    return [
        row
        for row in call_ranking(call)
        if row.application.status
        in (ApplicationStatus.AWARDED, ApplicationStatus.NOT_AWARDED, ApplicationStatus.RESIGNED)
    ]


def reserve_list(call: Call) -> list[RankingRow]:
    """The reserve list: applications that passed but were not funded, best first (without a
    commission: in the order they were filed). Money freed by a resignation is offered to the
    first of them."""
    scored = call.terms.commission_required
    return [
        row
        for row in call_ranking(call)
        if row.application.status == ApplicationStatus.NOT_AWARDED and (row.passes or not scored)
    ]


@dataclass(frozen=True)
class PlannedLine:
    position: int
    category: str
    description: str
    total: Decimal
    grant: Decimal
    own: Decimal
    in_kind: Decimal
    volunteer: Decimal

    @property
    def contribution(self) -> Decimal:
        return self.own + self.in_kind + self.volunteer


@dataclass(frozen=True)
class AgreementTerms:
    """What the agreement says now: the original terms, the applicant's confirmed budget after
    partial funding, and every annex on top."""

    version: int
    amount: Decimal
    end_date: Any
    report_due_date: Any
    budget: list[PlannedLine]
    schedule: list[dict[str, Any]]
    results: list[dict[str, Any]]

    @property
    def total(self) -> Decimal:
        return sum((line.total for line in self.budget), ZERO)

    @property
    def grant(self) -> Decimal:
        return sum((line.grant for line in self.budget), ZERO)

    @property
    def contribution(self) -> Decimal:
        return sum((line.contribution for line in self.budget), ZERO)


def _planned(rows: Iterable[dict[str, Any]]) -> list[PlannedLine]:
    return [
        PlannedLine(
            position=int(r["position"]),
            category=str(r.get("category", "")),
            description=str(r.get("description", "")),
            total=Decimal(str(r["total"])),
            grant=Decimal(str(r["grant"])),
            own=Decimal(str(r["own"])),
            in_kind=Decimal(str(r["in_kind"])),
            volunteer=Decimal(str(r["volunteer"])),
        )
        for r in rows
    ]


def budget_as_rows(lines: Iterable[BudgetLine]) -> list[dict[str, Any]]:
    return [
        {
            "position": line.position,
            "category": line.category,
            "description": line.description,
            "total": str(line.total),
            "grant": str(line.grant_amount),
            "own": str(line.own_amount),
            "in_kind": str(line.in_kind_amount),
            "volunteer": str(line.volunteer_amount),
        }
        for line in lines
    ]


def proposed_budget(application: Application) -> list[PlannedLine]:
    """The budget to confirm after partial funding: the confirmed one, or each line's grant cut
    in proportion to the award (the applicant may move money between lines)."""
    award = application.award
    if award.updated_budget:
        return _planned(award.updated_budget)
    rows = budget_as_rows(application.budget_lines.all())
    requested = application.requested_amount
    scale = award.amount / requested if requested else Decimal(1)
    planned = _planned(rows)
    cut = [limits.q2(line.grant * scale) for line in planned]
    if cut:
        cut[-1] += limits.q2(award.amount) - sum(cut, ZERO)
    return [
        PlannedLine(
            line.position,
            line.category,
            line.description,
            line.total - line.grant + grant,
            grant,
            line.own,
            line.in_kind,
            line.volunteer,
        )
        for line, grant in zip(planned, cut, strict=True)
    ]


def agreement_terms(agreement: Agreement) -> AgreementTerms:
    application = agreement.application
    award = application.award
    budget = award.updated_budget or budget_as_rows(application.budget_lines.all())
    schedule: list[dict[str, Any]] = [
        {
            "position": i.position,
            "action": i.action,
            "start_date": i.start_date.isoformat(),
            "end_date": i.end_date.isoformat(),
        }
        for i in application.schedule_items.all()
    ]
    results: list[dict[str, Any]] = [
        {"position": r.position, "description": r.description, "target": r.target}
        for r in application.expected_results.all()
    ]
    latest = agreement.annexes.order_by("-number").first()
    if latest is not None:
        after = latest.after
        budget = after.get("budget", budget)
        schedule = after.get("schedule", schedule)
        results = after.get("results", results)
    return AgreementTerms(
        version=agreement.version,
        amount=agreement.amount,
        end_date=agreement.end_date,
        report_due_date=agreement.report_due_date,
        budget=_planned(budget),
        schedule=schedule,
        results=results,
    )


def offers_for_remarks(*, at: datetime | None = None) -> QuerySet[Application]:
    """Small-grant offers published for public remarks now."""
    at = at or timezone.now()
    return (
        Application.objects.filter(
            remarks_from__lte=at, remarks_until__gt=at, status=ApplicationStatus.IN_ASSESSMENT
        )
        .select_related("applicant", "call", "district")
        .order_by("remarks_until", "id")
    )


@dataclass(frozen=True)
class AssessmentTask:
    member: CommissionMember
    application: Application
    declaration: ConflictDeclaration | None
    assessment: Assessment | None


def assessment_tasks(*, user: Any) -> list[AssessmentTask]:
    """What each of the user's commissions asks of them: a declaration and a score for every
    application in merit assessment (three queries)."""
    if not getattr(user, "is_authenticated", False):
        return []
    members = list(CommissionMember.objects.filter(user=user).select_related("call__programme"))
    if not members:
        return []
    by_call = {m.call_id: m for m in members}
    applications = (
        Application.objects.filter(call_id__in=by_call, status__in=RANKED_STATUSES)
        .select_related("applicant", "call")
        .order_by("call_id", "submitted_at", "id")
    )
    declarations = {
        (d.member_id, d.application_id): d
        for d in ConflictDeclaration.objects.filter(member__in=members)
    }
    assessments = {
        (a.member_id, a.application_id): a for a in Assessment.objects.filter(member__in=members)
    }
    tasks = []
    for application in applications:
        member = by_call[application.call_id]
        tasks.append(
            AssessmentTask(
                member=member,
                application=application,
                declaration=declarations.get((member.pk, application.pk)),
                assessment=assessments.get((member.pk, application.pk)),
            )
        )
    return tasks


def application_assessments(application: Application) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(application=application)
        .select_related("member__user")
        .prefetch_related("scores__criterion")
        .order_by("id")
    )


# --- agreements --------------------------------------------------------------------------------------


def agreement_get_for(user: Any, agreement_id: int) -> Agreement:
    agreement = (
        Agreement.objects.select_related(
            "application__call__programme", "application__applicant", "application__award"
        )
        .prefetch_related(
            "tranches", Prefetch("reports", queryset=Report.objects.order_by("created_at"))
        )
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None or not permissions.can_view_agreement(user, agreement):
        raise Http404
    return agreement


def report_get_for(user: Any, report_id: int) -> Report:
    report = (
        Report.objects.select_related(
            "agreement__application__call__programme", "agreement__application__applicant"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None or not permissions.can_view_agreement(user, report.agreement):
        raise Http404
    return report


def report_settlement(report: Report) -> Settlement:
    agreement = report.agreement
    application = agreement.application
    terms = agreement_terms(agreement)
    return settle(
        amount=agreement.amount,
        requested=application.requested_amount,
        tolerance_percent=application.call.terms.cost_tolerance_percent,
        budget_lines=list(application.budget_lines.all()),
        report_lines=list(report.lines.select_related("budget_line")),
        planned={line.position: (line.grant, line.contribution) for line in terms.budget}
        if (application.award.updated_budget or agreement.annexes.exists())
        else None,
    )


def agreement_returns(agreement: Agreement) -> QuerySet[FundReturn]:
    return agreement.returns.select_related("requested_by").order_by("due_date", "id")


def agreements_of(*, user: Any) -> QuerySet[Agreement]:
    if not getattr(user, "is_authenticated", False):
        return Agreement.objects.none()
    organisation_ids = Membership.objects.filter(user=user).values("organisation_id")
    return Agreement.objects.filter(application__applicant_id__in=organisation_ids).select_related(
        "application"
    )


# --- monitoring -----------------------------------------------------------------------------------------

ORGANISATION_KINDS = (OrganisationKind.NGO, OrganisationKind.INFORMAL_GROUP)


def applying_organisations_count(*, year: int, kinds: Iterable[str] = ORGANISATION_KINDS) -> int:
    """The strategy's indicator: distinct organisations that applied to the city for support
    in a calendar year (an application submitted that year, in Europe/Warsaw time, whatever
    became of it). NGOs and informal groups count; individual applicants do not."""
    return (
        Application.objects.filter(submitted_at__year=year, applicant__kind__in=list(kinds))
        .values("applicant_id")
        .distinct()
        .count()
    )


def applying_organisations_by_kind(*, year: int) -> dict[str, int]:
    """The same figure split by kind of applicant (individuals included, for completeness)."""
    rows = (
        Application.objects.filter(submitted_at__year=year)
        .values("applicant__kind")
        .annotate(n=Count("applicant_id", distinct=True))
    )
    counts = {kind: 0 for kind in OrganisationKind.values}
    for row in rows:
        counts[row["applicant__kind"]] = row["n"]
    return counts


# --- keying in from paper (issue 17) -------------------------------------------------------------

COUNTER_LIMIT = 100


def _clerk_units(clerk: Any) -> set[int] | None:
    """The units a clerk keys in for; ``None`` for administrators (every unit)."""
    from wspolnota.accounts.permissions import is_administrator, unit_ids

    if is_administrator(clerk):
        return None
    return set(unit_ids(clerk) | unit_ids(clerk, Role.COUNTER_CLERK))


def calls_for_keying(*, clerk: Any) -> list[Call]:
    """Published calls of the clerk's units, in which paper applications can still be keyed in."""
    units = _clerk_units(clerk)
    calls = Call.objects.filter(status=CallStatus.PUBLISHED).select_related("programme")
    if units is not None:
        calls = calls.filter(city_unit_id__in=units)
    return list(calls.order_by("closes_at", "id")[:COUNTER_LIMIT])


def offers_for_keyed_remarks(*, clerk: Any) -> list[Application]:
    """Offers published for remarks (the window may have ended: a remark received in time is
    still keyed in until the decision) in calls of the clerk's units."""
    units = _clerk_units(clerk)
    offers = Application.objects.filter(
        remarks_from__isnull=False, status=ApplicationStatus.IN_ASSESSMENT
    ).select_related("applicant", "call")
    if units is not None:
        offers = offers.filter(call__city_unit_id__in=units)
    return list(offers.order_by("remarks_until", "id")[:COUNTER_LIMIT])


def applications_of_person(*, person: Any) -> list[Application]:
    """The applications of the applicants the person represents (a clerk's view at the counter)."""
    return list(
        Application.objects.filter(
            applicant__memberships__user=person, applicant__memberships__role="representative"
        )
        .exclude(status=ApplicationStatus.WITHDRAWN)
        .select_related("call", "applicant", "keyed_by")
        .order_by("-created_at", "-id")
    )


# --- officials' exports ---------------------------------------------------------------------------


def calls_managed(user: Any) -> QuerySet[Call]:
    """Calls the user runs: every call for an administrator, else those of the units where the
    user is an official (a call naming no unit is the administrators')."""
    calls = Call.objects.all()
    if has_role(user, Role.ADMINISTRATOR):
        return calls
    return calls.filter(city_unit_id__in=permissions.official_unit_ids(user))


def export_applications(user: Any, *, call: Call | None = None) -> QuerySet[Application]:
    """Filed applications (drafts are the applicant's own) of the calls the user runs."""
    calls = calls_managed(user) if call is None else Call.objects.filter(pk=call.pk)
    return (
        Application.objects.filter(call__in=calls)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("call__programme", "applicant", "district")
        .annotate(
            assessment_count=Count(
                "assessments", filter=Q(assessments__submitted_at__isnull=False)
            ),
            points=Sum("assessments__total", filter=Q(assessments__submitted_at__isnull=False)),
        )
        .order_by("call_id", "number", "id")
    )


def export_awards(user: Any, *, call: Call | None = None) -> QuerySet[Award]:
    """Awards (active and resigned) of the calls the user runs, with the agreement and the
    money paid out so far."""
    calls = calls_managed(user) if call is None else Call.objects.filter(pk=call.pk)
    return (
        Award.objects.filter(call__in=calls)
        .select_related("call__programme", "application__applicant", "application__agreement")
        .annotate(
            paid=Sum(
                "application__agreement__tranches__amount",
                filter=Q(application__agreement__tranches__paid_on__isnull=False),
            )
        )
        .order_by("call_id", "application__number", "id")
    )


def export_settlements(user: Any, *, call: Call | None = None) -> QuerySet[Agreement]:
    """Agreements of the calls the user runs, with the money asked back and returned."""
    calls = calls_managed(user) if call is None else Call.objects.filter(pk=call.pk)
    paid = (
        Tranche.objects.filter(agreement=OuterRef("pk"), paid_on__isnull=False)
        .values("agreement")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    returns = FundReturn.objects.filter(agreement=OuterRef("pk")).values("agreement")
    return (
        Agreement.objects.filter(application__call__in=calls)
        .select_related("application__applicant", "application__call__programme")
        .annotate(
            paid=Subquery(paid),
            to_return=Subquery(returns.annotate(total=Sum("amount")).values("total")),
            returned=Subquery(returns.annotate(total=Sum("returned_amount")).values("total")),
            final_report=Subquery(
                Report.objects.filter(agreement=OuterRef("pk"), kind="final")
                .order_by("-id")
                .values("status")[:1]
            ),
        )
        .order_by("application__call_id", "number", "id")
    )
