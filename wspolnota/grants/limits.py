"""The legal frame of each kind of programme, the defaults of a new programme, and the checks of
an application against every limit of its programme.

The frame is read from dated rules (``law.rule``): the act on public-benefit activity and
volunteering, consolidated text Dz.U. 2023 poz. 571 — art. 19a (small grants: at most 10,000 PLN
and 90 days, ust. 1; a yearly ceiling on their share, ust. 1a; publication of the offer within
7 working days for 7 days of remarks from anyone, ust. 3–4), art. 13 (open competitions announced
at least 21 days ahead) — and, as the city's own rules, Kraków's resolution CXIX/1874/14 (local
initiatives scored out of 100: purpose up to 45, residents' contribution up to 45, other up to
10; 60 to pass). A yearly cap per organisation and a lead time before the start are not in the
act: a programme may set them as the city's rules, and the messages say so. Micro-grants have no
statutory frame; Wrocław and Łódź run them for 500–10,000 PLN.

Every check here is a pure function of loaded objects that returns a list of ``GrantsError``
(message, field, code), so the same rules show as a live checklist and block a submission.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats

from wspolnota.grants import errors, law
from wspolnota.grants.errors import GrantsError
from wspolnota.grants.models import (
    ZERO,
    Application,
    BudgetLine,
    CostCategory,
    CriterionGroup,
    ExpectedResult,
    FormVariant,
    OfferPartner,
    Programme,
    ProgrammeKind,
    RuleKey,
    ScheduleItem,
)
from wspolnota.organisations import rules as applicant_rules
from wspolnota.organisations.models import (
    Organisation,
    OrganisationKind,
    OrganisationPerson,
    VerificationStatus,
)

CENT = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def num(value: Decimal | int) -> str:
    """A number without needless zeros in the reader's format: 45, 7,5 (Polish), 7.5 (English)."""
    plain = Decimal(format(Decimal(value).normalize(), "f"))
    return str(formats.number_format(plain, use_l10n=True))


def pln(value: Decimal | int) -> str:
    """Money in the reader's number format, e.g. 10 000,00 (Polish) or 10,000.00 (English)."""
    return str(formats.number_format(q2(Decimal(value)), 2, use_l10n=True, force_grouping=True))


def source_phrase(found: law.Rule) -> str:
    """Who sets a limit, for the end of a message: the act or the city's own rules."""
    template = errors.SOURCE_STATUTE if found.is_statute else errors.SOURCE_CITY
    return str(template) % {"basis": found.legal_basis}


@dataclass(frozen=True)
class LegalFrame:
    max_amount: law.Rule | None = None
    max_duration_days: law.Rule | None = None
    remarks_days: law.Rule | None = None
    min_announcement_days: law.Rule | None = None
    in_kind_only: bool = False
    requires_own_contribution: bool = False
    min_pass_score: law.Rule | None = None
    group_caps: dict[str, law.Rule] = field(default_factory=dict)
    total_points: Decimal | None = None


def legal_frame(kind: str, *, on: date | None = None) -> LegalFrame:
    """The outer bounds of a kind of programme on a day, from the dated rules."""
    if kind == ProgrammeKind.SMALL_GRANT:
        return LegalFrame(
            max_amount=law.rule(RuleKey.SMALL_GRANT_MAX_AMOUNT, on=on),
            max_duration_days=law.rule(RuleKey.SMALL_GRANT_MAX_DAYS, on=on),
            remarks_days=law.rule(RuleKey.SMALL_GRANT_REMARKS_DAYS, on=on),
        )
    if kind == ProgrammeKind.OPEN_COMPETITION:
        return LegalFrame(
            min_announcement_days=law.rule(RuleKey.COMPETITION_ANNOUNCEMENT_DAYS, on=on)
        )
    if kind == ProgrammeKind.LOCAL_INITIATIVE:
        caps: dict[str, law.Rule] = {
            CriterionGroup.PURPOSE: law.rule(RuleKey.LOCAL_INITIATIVE_PURPOSE_POINTS, on=on),
            CriterionGroup.CONTRIBUTION: law.rule(
                RuleKey.LOCAL_INITIATIVE_CONTRIBUTION_POINTS, on=on
            ),
            CriterionGroup.OTHER: law.rule(RuleKey.LOCAL_INITIATIVE_OTHER_POINTS, on=on),
        }
        return LegalFrame(
            in_kind_only=True,
            requires_own_contribution=True,
            min_pass_score=law.rule(RuleKey.LOCAL_INITIATIVE_PASS_SCORE, on=on),
            group_caps=caps,
            total_points=sum((r.value for r in caps.values()), ZERO),
        )
    return LegalFrame()


def programme_defaults(kind: str, *, on: date | None = None) -> dict[str, Any]:
    """The fields of a new programme: the defaults below, with the limits of the dated rules
    in force (the act's and the city's)."""
    values = dict(PROGRAMME_DEFAULTS[kind])
    if kind == ProgrammeKind.SMALL_GRANT:
        values["max_amount"] = law.rule(RuleKey.SMALL_GRANT_MAX_AMOUNT, on=on).value
        values["max_duration_days"] = law.rule(RuleKey.SMALL_GRANT_MAX_DAYS, on=on).days
        values["remarks_days"] = law.rule(RuleKey.SMALL_GRANT_REMARKS_DAYS, on=on).days
        values["yearly_cap_per_applicant"] = law.rule(
            RuleKey.SMALL_GRANT_CITY_YEARLY_CAP, on=on
        ).value
        values["min_lead_days"] = law.rule(RuleKey.SMALL_GRANT_CITY_LEAD_DAYS, on=on).days
    elif kind == ProgrammeKind.OPEN_COMPETITION:
        values["min_announcement_days"] = law.rule(
            RuleKey.COMPETITION_ANNOUNCEMENT_DAYS, on=on
        ).days
    elif kind == ProgrammeKind.LOCAL_INITIATIVE:
        values["pass_score"] = law.rule(RuleKey.LOCAL_INITIATIVE_PASS_SCORE, on=on).value
    return values


# Fields of a new programme of each kind, before the official adjusts them.
PROGRAMME_DEFAULTS: dict[str, dict[str, Any]] = {
    ProgrammeKind.MICRO_GRANT: {
        "form_variant": FormVariant.SHORT,
        "min_amount": Decimal(500),
        "max_amount": Decimal(5_000),
        "max_duration_days": 120,
        "allow_ngo": True,
        "allow_informal_group": True,
        "allow_individual": True,
        "individual_min_age": 13,
        "individual_max_age": 21,
        "individual_needs_guardian": True,
        "volunteer_hour_rate_max": Decimal(50),
        "commission_required": True,
        "min_assessors": 2,
        "rolling": False,
        "legal_basis": "",
    },
    ProgrammeKind.LOCAL_INITIATIVE: {
        "form_variant": FormVariant.LOCAL_INITIATIVE,
        "allow_ngo": True,
        "allow_informal_group": True,
        "allow_individual": True,
        "individual_min_age": 18,
        "in_kind_only": True,
        "requires_own_contribution": True,
        "volunteer_hour_rate_max": Decimal(50),
        "pass_score": Decimal(60),
        "commission_required": True,
        "min_assessors": 2,
        "rolling": True,
        "legal_basis": "art. 19b–19h ustawy o działalności pożytku publicznego i o wolontariacie; uchwała nr CXIX/1874/14 Rady Miasta Krakowa",
    },
    ProgrammeKind.SMALL_GRANT: {
        "form_variant": FormVariant.SIMPLIFIED,
        "max_amount": Decimal(10_000),
        "max_duration_days": 90,
        "yearly_cap_per_applicant": Decimal(20_000),
        "min_lead_days": 30,
        "remarks_days": 7,
        "allow_ngo": True,
        "commission_required": False,
        "min_assessors": 1,
        "rolling": True,
        "legal_basis": "art. 19a ustawy o działalności pożytku publicznego i o wolontariacie",
    },
    ProgrammeKind.OPEN_COMPETITION: {
        "form_variant": FormVariant.FULL,
        "min_announcement_days": 21,
        "allow_ngo": True,
        "requires_own_contribution": False,
        "volunteer_hour_rate_max": Decimal(50),
        "commission_required": True,
        "min_assessors": 2,
        "rolling": False,
        "legal_basis": "art. 11–15 ustawy o działalności pożytku publicznego i o wolontariacie",
    },
}

# (group, name, max points) — the default rubric of a new programme; Polish source text that
# officials edit, like every other content they write.
DEFAULT_RUBRICS: dict[str, list[tuple[str, str, int]]] = {
    ProgrammeKind.MICRO_GRANT: [
        (CriterionGroup.GENERAL, "Pomysł i jego wartość dla społeczności", 10),
        (CriterionGroup.GENERAL, "Realność wykonania i kosztorys", 10),
        (CriterionGroup.GENERAL, "Zaangażowanie uczestników i partnerów", 10),
    ],
    ProgrammeKind.LOCAL_INITIATIVE: [
        (CriterionGroup.PURPOSE, "Celowość i użyteczność dla mieszkańców", 45),
        (CriterionGroup.CONTRIBUTION, "Wkład mieszkańców: praca, rzeczy, pieniądze", 45),
        (CriterionGroup.OTHER, "Inne: trwałość, dostępność, współpraca", 10),
    ],
    ProgrammeKind.SMALL_GRANT: [
        (CriterionGroup.GENERAL, "Celowość zadania", 10),
        (CriterionGroup.GENERAL, "Kosztorys i rezultaty", 10),
    ],
    ProgrammeKind.OPEN_COMPETITION: [
        (CriterionGroup.GENERAL, "Możliwość realizacji zadania przez oferenta", 10),
        (CriterionGroup.GENERAL, "Jakość zadania i kalkulacja kosztów", 20),
        (CriterionGroup.GENERAL, "Wkład własny, praca społeczna i wolontariat", 10),
        (CriterionGroup.GENERAL, "Doświadczenie i rzetelność w poprzednich zadaniach", 10),
    ],
}


def _err(message: Any, field_name: str | None, code: str, **params: Any) -> GrantsError:
    return GrantsError(message, field=field_name, code=code, params=params)


# --- programmes ---------------------------------------------------------------------------------


def programme_problems(
    programme: Programme, criteria: Sequence[tuple[str, Decimal]], *, on: date | None = None
) -> list[GrantsError]:
    """A programme may tighten its legal frame but never loosen it; ``criteria`` are
    (group, max points) of its rubric. Each message names the act or the city's rules."""
    frame = legal_frame(programme.kind, on=on)
    problems: list[GrantsError] = []

    def above(value: Decimal | int | None, limit: law.Rule | None) -> bool:
        return limit is not None and (value is None or value > limit.value)

    def below(value: Decimal | int | None, limit: law.Rule | None) -> bool:
        return limit is not None and (value is None or value < limit.value)

    if above(programme.max_amount, frame.max_amount):
        assert frame.max_amount is not None
        problems.append(
            _err(
                errors.FRAME_MAX_AMOUNT,
                "max_amount",
                "frame_amount",
                limit=pln(frame.max_amount.value),
                source=source_phrase(frame.max_amount),
            )
        )
    if above(programme.max_duration_days, frame.max_duration_days):
        assert frame.max_duration_days is not None
        problems.append(
            _err(
                errors.FRAME_MAX_DURATION,
                "max_duration_days",
                "frame_duration",
                limit=frame.max_duration_days.days,
                source=source_phrase(frame.max_duration_days),
            )
        )
    if below(programme.remarks_days, frame.remarks_days):
        assert frame.remarks_days is not None
        problems.append(
            _err(
                errors.FRAME_REMARKS,
                "remarks_days",
                "frame_remarks",
                limit=frame.remarks_days.days,
                source=source_phrase(frame.remarks_days),
            )
        )
    if below(programme.min_announcement_days, frame.min_announcement_days):
        assert frame.min_announcement_days is not None
        problems.append(
            _err(
                errors.FRAME_ANNOUNCEMENT,
                "min_announcement_days",
                "frame_announcement",
                limit=frame.min_announcement_days.days,
                source=source_phrase(frame.min_announcement_days),
            )
        )
    if frame.in_kind_only and not programme.in_kind_only:
        problems.append(_err(errors.FRAME_IN_KIND, "in_kind_only", "frame_in_kind"))
    if frame.requires_own_contribution and not programme.requires_own_contribution:
        problems.append(
            _err(errors.FRAME_CONTRIBUTION, "requires_own_contribution", "frame_contribution")
        )
    if below(programme.pass_score, frame.min_pass_score):
        assert frame.min_pass_score is not None
        problems.append(
            _err(
                errors.FRAME_PASS_SCORE,
                "pass_score",
                "frame_pass",
                limit=num(frame.min_pass_score.value),
                source=source_phrase(frame.min_pass_score),
            )
        )
    if (
        programme.min_amount is not None
        and programme.max_amount is not None
        and programme.min_amount > programme.max_amount
    ):
        problems.append(_err(errors.MIN_ABOVE_MAX, "min_amount", "min_above_max"))
    if (
        programme.individual_min_age is not None
        and programme.individual_max_age is not None
        and programme.individual_min_age > programme.individual_max_age
    ):
        problems.append(_err(errors.AGE_RANGE, "individual_min_age", "age_range"))
    if not (programme.allow_ngo or programme.allow_informal_group or programme.allow_individual):
        problems.append(_err(errors.NO_APPLICANT_KIND, "allow_ngo", "no_applicant_kind"))
    problems += rubric_problems(programme, criteria, on=on)
    return problems


def rubric_problems(
    programme: Programme, criteria: Sequence[tuple[str, Decimal]], *, on: date | None = None
) -> list[GrantsError]:
    frame = legal_frame(programme.kind, on=on)
    problems: list[GrantsError] = []
    if programme.commission_required and not criteria:
        return [_err(errors.RUBRIC_EMPTY, None, "rubric_empty")]
    total = sum((points for _group, points in criteria), ZERO)
    for group, cap in frame.group_caps.items():
        group_total = sum((p for g, p in criteria if g == group), ZERO)
        if group_total > cap.value:
            problems.append(
                _err(
                    errors.RUBRIC_GROUP_CAP,
                    None,
                    "rubric_group",
                    group=CriterionGroup(group).label,
                    limit=num(cap.value),
                    total=num(group_total),
                    source=source_phrase(cap),
                )
            )
    if frame.total_points is not None and criteria and total != frame.total_points:
        problems.append(
            _err(
                errors.RUBRIC_TOTAL,
                None,
                "rubric_total",
                limit=num(frame.total_points),
                total=num(total),
            )
        )
    if programme.pass_score is not None and criteria and programme.pass_score > total:
        problems.append(
            _err(
                errors.PASS_ABOVE_TOTAL,
                "pass_score",
                "pass_above_total",
                **{"pass": num(programme.pass_score), "total": num(total)},
            )
        )
    return problems


# --- applications ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetTotals:
    total: Decimal
    grant: Decimal
    own: Decimal
    in_kind: Decimal
    volunteer: Decimal
    fees: Decimal = ZERO
    other_public: Decimal = ZERO

    @property
    def contribution(self) -> Decimal:
        return self.own + self.in_kind + self.volunteer + self.fees + self.other_public

    @property
    def contribution_percent(self) -> Decimal:
        if not self.total:
            return ZERO
        return q2(self.contribution * 100 / self.total)


def budget_totals(lines: Iterable[BudgetLine]) -> BudgetTotals:
    total = grant = own = in_kind = volunteer = fees = other_public = ZERO
    for line in lines:
        total += line.total
        grant += line.grant_amount
        own += line.own_amount
        in_kind += line.in_kind_amount
        volunteer += line.volunteer_amount
        fees += line.fees_amount
        other_public += line.other_public_amount
    return BudgetTotals(total, grant, own, in_kind, volunteer, fees, other_public)


def budget_line_problems(line: BudgetLine, programme: Programme) -> list[GrantsError]:
    """The rules of one row: its sources add up to its cost, volunteer work is valued within the
    programme's hourly rate and pays only for volunteer rows."""
    problems = []
    sources = (
        line.grant_amount
        + line.own_amount
        + line.in_kind_amount
        + line.volunteer_amount
        + line.fees_amount
        + line.other_public_amount
    )
    if q2(sources) != q2(line.total):
        problems.append(
            _err(
                errors.BUDGET_LINE_SOURCES,
                None,
                "budget_sources",
                line=line.position,
                sources=pln(sources),
                total=pln(line.total),
            )
        )
    is_volunteer_row = line.category == CostCategory.VOLUNTEER
    if (line.volunteer_amount > 0 and not is_volunteer_row) or (
        is_volunteer_row and line.volunteer_amount != line.total
    ):
        problems.append(
            _err(errors.BUDGET_LINE_VOLUNTEER_ONLY, None, "budget_volunteer", line=line.position)
        )
    rate = programme.volunteer_hour_rate_max
    if is_volunteer_row and rate is not None and line.unit_cost > rate:
        problems.append(
            _err(
                errors.BUDGET_VOLUNTEER_RATE,
                None,
                "volunteer_rate",
                line=line.position,
                limit=pln(rate),
                rate=pln(line.unit_cost),
            )
        )
    return problems


def applicant_problems(
    applicant: Organisation,
    people: Sequence[OrganisationPerson],
    programme: Programme,
    day: date,
) -> list[GrantsError]:
    """Who may apply: the kind of applicant, its registry status, the make-up of a group, the
    age of an individual and their guardian."""
    allowed = {
        OrganisationKind.NGO: programme.allow_ngo,
        OrganisationKind.INFORMAL_GROUP: programme.allow_informal_group,
        OrganisationKind.INDIVIDUAL: programme.allow_individual,
    }
    if not allowed[OrganisationKind(applicant.kind)]:
        return [
            _err(
                errors.APPLICANT_KIND,
                "applicant",
                "applicant_kind",
                kind=OrganisationKind(applicant.kind).label,
            )
        ]
    problems = []
    if applicant.status not in (VerificationStatus.PENDING, VerificationStatus.VERIFIED):
        problems.append(
            _err(
                errors.APPLICANT_STATUS,
                "applicant",
                "applicant_status",
                status=VerificationStatus(applicant.status).label,
            )
        )
    if applicant.kind == OrganisationKind.INFORMAL_GROUP:
        problems += [
            _err(p.message, "applicant", p.code, **p.params)
            for p in applicant_rules.group_problems(people, day)
        ]
    if applicant.kind == OrganisationKind.INDIVIDUAL:
        person = applicant_rules.applicant_person(people)
        age = (
            applicant_rules.age_on(person.birth_date, day)
            if person is not None and person.birth_date
            else None
        )
        low, high = programme.individual_min_age, programme.individual_max_age
        if age is None or (low is not None and age < low) or (high is not None and age > high):
            problems.append(
                _err(
                    errors.APPLICANT_AGE,
                    "applicant",
                    "applicant_age",
                    min=low if low is not None else 0,
                    max=high if high is not None else "—",
                    age=age if age is not None else "—",
                )
            )
        needs_guardian = programme.individual_needs_guardian or (
            age is not None and age < applicant_rules.ADULT_AGE
        )
        if needs_guardian and applicant_rules.adult_guardian(people, day) is None:
            problems.append(_err(errors.APPLICANT_GUARDIAN, "applicant", "applicant_guardian"))
    return problems


@dataclass(frozen=True)
class ApplicationContext:
    """What the checks need beyond the application itself, loaded by the caller."""

    day: date
    pool_remaining: Decimal
    awarded_this_year: Decimal
    people: Sequence[OrganisationPerson]
    lines: Sequence[BudgetLine]
    schedule: Sequence[ScheduleItem]
    results: Sequence[ExpectedResult]
    partners: Sequence[OfferPartner] = ()


def _fmt_date(value: date) -> str:
    return str(formats.date_format(value, "SHORT_DATE_FORMAT"))


def application_problems(application: Application, ctx: ApplicationContext) -> list[GrantsError]:
    """Every limit of the programme, each with a message that says what to change."""
    call = application.call
    programme = call.terms
    problems = applicant_problems(application.applicant, ctx.people, programme, ctx.day)
    variant = programme.form_variant

    # Content required by the form.
    if not application.title.strip():
        problems.append(_err(errors.TITLE_REQUIRED, "title", "title_required"))
    if variant == FormVariant.SHORT:
        if not application.summary.strip():
            problems.append(_err(errors.SUMMARY_REQUIRED, "summary", "summary_required"))
    elif not application.description.strip():
        problems.append(_err(errors.DESCRIPTION_REQUIRED, "description", "description_required"))
    if variant == FormVariant.LOCAL_INITIATIVE and not application.residents_contribution.strip():
        problems.append(
            _err(errors.CONTRIBUTION_TEXT_REQUIRED, "residents_contribution", "contribution_text")
        )
    if variant == FormVariant.FULL and not application.experience.strip():
        problems.append(_err(errors.EXPERIENCE_REQUIRED, "experience", "experience_required"))

    # Dates: order, duration, lead time.
    start, end = application.start_date, application.end_date
    if start is None or end is None:
        problems.append(_err(errors.DATES_REQUIRED, "start_date", "dates_required"))
    elif end < start:
        problems.append(_err(errors.DATES_ORDER, "end_date", "dates_order"))
    else:
        days = (end - start).days + 1
        if programme.max_duration_days is not None and days > programme.max_duration_days:
            problems.append(
                _err(
                    errors.DURATION,
                    "end_date",
                    "duration",
                    limit=programme.max_duration_days,
                    days=days,
                )
            )
        if programme.min_lead_days is not None:
            earliest = ctx.day + timedelta(days=programme.min_lead_days)
            if start < earliest:
                problems.append(
                    _err(
                        errors.LEAD_TIME,
                        "start_date",
                        "lead_time",
                        limit=programme.min_lead_days,
                        date=_fmt_date(earliest),
                    )
                )
        elif start < ctx.day:
            problems.append(_err(errors.START_IN_PAST, "start_date", "start_in_past"))

    # Budget: each row, then the amounts.
    if not ctx.lines:
        problems.append(_err(errors.BUDGET_EMPTY, None, "budget_empty"))
    for line in ctx.lines:
        problems += budget_line_problems(line, programme)
    totals = budget_totals(ctx.lines)
    requested = totals.grant
    if ctx.lines and requested <= 0:
        problems.append(_err(errors.BUDGET_NO_GRANT, None, "no_grant"))
    if programme.min_amount is not None and 0 < requested < programme.min_amount:
        problems.append(
            _err(
                errors.AMOUNT_BELOW_MIN,
                None,
                "amount_below_min",
                amount=pln(requested),
                limit=pln(programme.min_amount),
            )
        )
    if programme.max_amount is not None and requested > programme.max_amount:
        problems.append(
            _err(
                errors.AMOUNT_ABOVE_MAX,
                None,
                "amount_above_max",
                amount=pln(requested),
                limit=pln(programme.max_amount),
            )
        )
    if requested > ctx.pool_remaining:
        problems.append(
            _err(
                errors.AMOUNT_ABOVE_POOL,
                None,
                "amount_above_pool",
                amount=pln(requested),
                limit=pln(max(ctx.pool_remaining, ZERO)),
            )
        )
    cap = programme.yearly_cap_per_applicant
    if cap is not None and ctx.awarded_this_year + requested > cap:
        problems.append(
            _err(
                errors.YEARLY_CAP,
                None,
                "yearly_cap",
                year=call.year,
                used=pln(ctx.awarded_this_year),
                limit=pln(cap),
            )
        )
    if programme.requires_own_contribution and ctx.lines and totals.contribution <= 0:
        problems.append(_err(errors.CONTRIBUTION_REQUIRED, None, "contribution_required"))
    share = programme.min_own_contribution_percent
    if share is not None and ctx.lines and totals.contribution_percent < share:
        problems.append(
            _err(
                errors.CONTRIBUTION_SHARE,
                None,
                "contribution_share",
                limit=num(share),
                share=num(totals.contribution_percent),
            )
        )

    # Schedule and results.
    needs_schedule = variant in (
        FormVariant.SIMPLIFIED,
        FormVariant.FULL,
        FormVariant.LOCAL_INITIATIVE,
    )
    if needs_schedule and not ctx.schedule:
        problems.append(_err(errors.SCHEDULE_REQUIRED, None, "schedule_required"))
    for item in ctx.schedule:
        if item.end_date < item.start_date:
            problems.append(_err(errors.SCHEDULE_ORDER, None, "schedule_order", action=item.action))
        elif start and end and (item.start_date < start or item.end_date > end):
            problems.append(
                _err(
                    errors.SCHEDULE_OUTSIDE,
                    None,
                    "schedule_outside",
                    action=item.action,
                    start=_fmt_date(start),
                    end=_fmt_date(end),
                )
            )
    if variant in (FormVariant.SIMPLIFIED, FormVariant.FULL) and not ctx.results:
        problems.append(_err(errors.RESULTS_REQUIRED, None, "results_required"))
    if variant in (FormVariant.SIMPLIFIED, FormVariant.FULL):
        problems += offer_problems(application, ctx)
    return problems


# Statements of part VII the offeror must make (the arrears ones are answered either way).
REQUIRED_DECLARATIONS: dict[str, Any] = {
    "within_statutory_activity": errors.DECLARATION_WITHIN_ACTIVITY,
    "registry_data_true": errors.DECLARATION_REGISTRY,
    "information_true": errors.DECLARATION_INFORMATION,
    "gdpr_obligations": errors.DECLARATION_GDPR,
}


def offer_problems(application: Application, ctx: ApplicationContext) -> list[GrantsError]:
    """The statutory offer (regulation of 24 October 2018, Dz.U. 2018 poz. 2057): the public
    task's sphere, a contact, the statements of part VII, the social change and the resources
    (full offer), costs of carrying out the task given by action, and each cost of a joint
    offer borne by one of its offerors."""
    problems: list[GrantsError] = []
    full = application.call.terms.form_variant == FormVariant.FULL
    if not application.public_task_sphere:
        problems.append(_err(errors.OFFER_SPHERE, "public_task_sphere", "offer_sphere"))
    if not application.contact_name.strip() or not (
        application.contact_phone.strip() or application.contact_email.strip()
    ):
        problems.append(_err(errors.OFFER_CONTACT, "contact_name", "offer_contact"))
    if full and not application.social_change.strip():
        problems.append(_err(errors.OFFER_SOCIAL_CHANGE, "social_change", "offer_social_change"))
    if not application.resources.strip():
        problems.append(_err(errors.OFFER_RESOURCES, "resources", "offer_resources"))
    declarations = application.declarations or {}
    for key, statement in REQUIRED_DECLARATIONS.items():
        if declarations.get(key) is not True:
            problems.append(
                _err(errors.OFFER_DECLARATION, None, "offer_declaration", statement=statement)
            )
    if declarations.get("no_tax_arrears") not in ("yes", "no") or declarations.get(
        "no_social_security_arrears"
    ) not in ("yes", "no"):
        problems.append(_err(errors.OFFER_ARREARS, None, "offer_arrears"))
    if any(line.fees_amount > 0 for line in ctx.lines) and (
        declarations.get("fees_only_paid_activity") is not True
    ):
        problems.append(_err(errors.OFFER_FEES_DECLARATION, None, "offer_fees_declaration"))
    actions = {item.position for item in ctx.schedule}
    partners = {1} | {p.position for p in ctx.partners}
    for line in ctx.lines:
        if (
            full
            and line.category != CostCategory.ADMINISTRATION
            and (line.action_position not in actions)
        ):
            problems.append(
                _err(
                    errors.OFFER_COST_ACTION,
                    None,
                    "offer_cost_action",
                    line=line.position,
                    known=", ".join(str(a) for a in sorted(actions)) or "—",
                )
            )
        if line.partner_position is not None and line.partner_position not in partners:
            problems.append(
                _err(
                    errors.OFFER_COST_PARTNER,
                    None,
                    "offer_cost_partner",
                    line=line.position,
                    partner=line.partner_position,
                )
            )
    return problems
