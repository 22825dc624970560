"""Builders for grants tests: programmes with their legal defaults, calls, applications with a
budget, commissions with scores. They write through the ORM (no audit entries) so that each
test starts from the state it is about; the behaviour itself goes through the services."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from wspolnota.accounts.models import CityUnit, RoleAssignment, User
from wspolnota.grants import limits
from wspolnota.grants.models import (
    Application,
    ApplicationStatus,
    Assessment,
    BudgetLine,
    Call,
    CallStatus,
    CallVersion,
    CommissionMember,
    ConflictDeclaration,
    CostCategory,
    Criterion,
    ExpectedResult,
    Programme,
    ProgrammeKind,
    ScheduleItem,
    Score,
    YearlyGrantPlan,
    rules_of,
)
from wspolnota.organisations.models import Organisation
from wspolnota.tests_support.factories import UserFactory


def _unit_of(user: User | None) -> CityUnit | None:
    if user is None:
        return None
    return CityUnit.objects.filter(
        pk__in=RoleAssignment.objects.filter(user=user, city_unit__isnull=False).values(
            "city_unit_id"
        )
    ).first()


def make_programme(kind: str = ProgrammeKind.MICRO_GRANT, **overrides: Any) -> Programme:
    """A programme of its creator's unit (when the creator is an official of one)."""
    values = {**limits.PROGRAMME_DEFAULTS[kind], **overrides}
    creator = values.pop("created_by", None) or UserFactory()
    values.setdefault("city_unit", _unit_of(creator))
    programme = Programme.objects.create(
        kind=kind, name=values.pop("name", f"Program {kind}"), created_by=creator, **values
    )
    for i, (group, name, points) in enumerate(limits.DEFAULT_RUBRICS[kind], start=1):
        Criterion.objects.create(
            programme=programme, position=i, group=group, name=name, max_points=Decimal(points)
        )
    programme.refresh_from_db()
    return programme


def make_call(
    programme: Programme | None = None,
    *,
    status: str = CallStatus.PUBLISHED,
    pool: Decimal | int = 100_000,
    opens_at: datetime | None = None,
    closes_at: datetime | str | None = "default",
    year: int | None = None,
    created_by: User | None = None,
    **extra: Any,
) -> Call:
    """A call of its creator's unit (or the programme's); a published one has its rules frozen
    as version 1, as ``call_publish`` does. A small-grant call's year gets a generous plan of
    NGO grants unless one exists, so the share ceiling does not get in the way."""
    programme = programme or make_programme()
    now = timezone.now()
    if closes_at == "default":
        closes_at = None if programme.rolling else now + timedelta(days=30)
    if "city_unit" not in extra:
        extra["city_unit"] = _unit_of(created_by) or programme.city_unit
    if status != CallStatus.DRAFT:
        extra.setdefault("rules", rules_of(programme))
        extra.setdefault("version", 1)
    if programme.kind == ProgrammeKind.SMALL_GRANT:
        YearlyGrantPlan.objects.get_or_create(
            year=year or timezone.localdate().year,
            defaults={
                "planned_ngo_grants": Decimal(10_000_000),
                "basis": "uchwała budżetowa (test)",
                "set_by": created_by or programme.created_by,
            },
        )
    call = Call.objects.create(
        programme=programme,
        title=extra.pop("title", f"Nabór {programme.get_kind_display()}"),
        year=year or timezone.localdate().year,
        pool_amount=Decimal(pool),
        opens_at=opens_at or now - timedelta(days=1),
        closes_at=closes_at,
        status=status,
        published_at=now - timedelta(days=1) if status != CallStatus.DRAFT else None,
        created_by=created_by or programme.created_by,
        **extra,
    )
    for c in programme.criteria.all():
        Criterion.objects.create(
            call=call, position=c.position, group=c.group, name=c.name, max_points=c.max_points
        )
    if status != CallStatus.DRAFT:
        CallVersion.objects.create(
            call=call,
            number=1,
            rules=call.rules,
            pool_amount=call.pool_amount,
            closes_at=call.closes_at,
            announced_at=call.published_at or now,
            announced_by=call.created_by,
        )
    return call


def budget_line(
    application: Application,
    position: int = 1,
    *,
    grant: Decimal | int = 2_000,
    own: Decimal | int = 0,
    in_kind: Decimal | int = 0,
    volunteer: Decimal | int = 0,
    category: str = CostCategory.MATERIALS,
    quantity: Decimal | int = 1,
    unit_cost: Decimal | int | None = None,
    description: str = "Materiały",
    action: int | None = 1,
) -> BudgetLine:
    total = Decimal(grant) + Decimal(own) + Decimal(in_kind) + Decimal(volunteer)
    if unit_cost is None:
        unit_cost = total / Decimal(quantity)
    return BudgetLine.objects.create(
        application=application,
        position=position,
        category=category,
        description=description,
        unit="szt.",
        quantity=Decimal(quantity),
        unit_cost=Decimal(unit_cost),
        total=limits.q2(Decimal(quantity) * Decimal(unit_cost)),
        grant_amount=Decimal(grant),
        own_amount=Decimal(own),
        in_kind_amount=Decimal(in_kind),
        volunteer_amount=Decimal(volunteer),
        action_position=action,
    )


COMPLETE_DECLARATIONS = {
    "within_statutory_activity": True,
    "registry_data_true": True,
    "information_true": True,
    "gdpr_obligations": True,
    "no_tax_arrears": "yes",
    "no_social_security_arrears": "yes",
}


def make_application(
    call: Call,
    applicant: Organisation,
    *,
    grant: Decimal | int = 2_000,
    own: Decimal | int = 0,
    volunteer_hours: int = 0,
    start: date | None = None,
    days: int = 30,
    status: str = ApplicationStatus.DRAFT,
    submitted_at: datetime | None = None,
    complete: bool = True,
    **fields: Any,
) -> Application:
    """A draft that meets the usual limits: texts filled in, one or two budget lines, one
    schedule item and one expected result."""
    lead = call.programme.min_lead_days or 0
    start = start or timezone.localdate() + timedelta(days=lead + 5)
    application = Application.objects.create(
        call=call,
        applicant=applicant,
        created_by=applicant.created_by,
        title=fields.pop("title", "Podwórkowe lato"),
        summary=fields.pop("summary", "Zajęcia dla dzieci na podwórku przy ul. Mogilskiej."),
        description=fields.pop("description", "Cykl zajęć sportowych i plastycznych."),
        residents_contribution=fields.pop("residents_contribution", "Sąsiedzi malują ławki."),
        experience=fields.pop("experience", "Od 5 lat prowadzimy zajęcia podwórkowe."),
        start_date=start,
        end_date=start + timedelta(days=days - 1),
        public_task_sphere=fields.pop("public_task_sphere", "local_community"),
        contact_name=fields.pop("contact_name", "Anna Kontaktowa"),
        contact_email=fields.pop("contact_email", "kontakt@example.org"),
        social_change=fields.pop("social_change", "Sąsiedzi lepiej się znają."),
        resources=fields.pop("resources", "Dwóch animatorów, sala, projektor."),
        declarations=fields.pop("declarations", dict(COMPLETE_DECLARATIONS)),
        status=status,
        submitted_at=submitted_at,
        number=fields.pop("number", ""),
        **fields,
    )
    if complete:
        budget_line(application, 1, grant=grant, own=own)
        if volunteer_hours:
            budget_line(
                application,
                2,
                grant=0,
                volunteer=Decimal(volunteer_hours * 40),
                category=CostCategory.VOLUNTEER,
                quantity=volunteer_hours,
                unit_cost=40,
                description="Praca wolontariuszy",
            )
        ScheduleItem.objects.create(
            application=application,
            position=1,
            action="Zajęcia",
            start_date=application.start_date,
            end_date=application.end_date,
        )
        ExpectedResult.objects.create(
            application=application, position=1, description="Uczestnicy", target="40 osób"
        )
    totals = limits.budget_totals(application.budget_lines.all())
    application.requested_amount = totals.grant
    application.total_cost = totals.total
    application.save()
    return application


def make_member(call: Call, user: User | None = None, role: str = "member") -> CommissionMember:
    return CommissionMember.objects.create(
        call=call, user=user or UserFactory(), role=role, added_by=call.created_by
    )


def score(
    member: CommissionMember, application: Application, points: list[Decimal | int]
) -> Assessment:
    """A submitted assessment with the given points for the call's criteria, in order."""
    ConflictDeclaration.objects.get_or_create(
        member=member, application=application, defaults={"has_conflict": False}
    )
    assessment = Assessment.objects.create(
        member=member,
        application=application,
        total=sum((Decimal(p) for p in points), Decimal(0)),
        submitted_at=timezone.now(),
    )
    for criterion, value in zip(application.call.criteria.all(), points, strict=True):
        Score.objects.create(assessment=assessment, criterion=criterion, points=Decimal(value))
    return assessment
