"""Writes of the participatory budget: every change of a project goes through here.

Each service checks the permission rule (``permissions.*_refusal``), validates, saves inside a
transaction, appends to the audit log when the city (an official or the system) changes state,
and notifies the author after commit through the one notification interface.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from wspolnota.accounts.models import CityUnit, RoleAssignment
from wspolnota.accounts.roles import Role
from wspolnota.budget import errors, permissions
from wspolnota.budget.errors import BudgetError, BudgetErrors, BudgetPermissionError
from wspolnota.budget.models import (
    CHECKLISTS,
    OPEN_CASE_STATUSES,
    TRANSITIONS,
    Appeal,
    AppealDecision,
    Attachment,
    CorrectionRequest,
    CostItem,
    Edition,
    EditionPhase,
    MergeProposal,
    PaperSupportList,
    Phase,
    Pool,
    PoolKind,
    Project,
    ProjectFollow,
    ProjectStatus,
    ProjectVersion,
    Recommendation,
    Review,
    ReviewResult,
    ReviewStage,
    Support,
    SupportCheck,
)
from wspolnota.budget.permissions import Refusal, when
from wspolnota.budget.search import normalise
from wspolnota.communication.notifications import notify
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import City, District
from wspolnota.territory.selectors import address_locate, district_for_point

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

S = ProjectStatus
STATUS_FIELDS = [
    "status",
    "number",
    "pool",
    "cost",
    "verified_cost",
    "verification_unit",
    "verification_official",
    "verification_reasons",
    "verified_at",
    "merged_into",
    "withdrawn_at",
    "supporters_count",
]
CENT = Decimal("0.01")


def _raise(refusal: Refusal | None, *, field: str | None = None) -> None:
    if refusal is None:
        return
    if refusal.message in (errors.NOT_ALLOWED, errors.LOGIN_REQUIRED):
        raise BudgetPermissionError(refusal.message, params=refusal.params)
    raise BudgetError(refusal.message, params=refusal.params, field=field)


def _fresh(project: Project) -> Project:
    """The project as the database has it now (callers may hold an older copy)."""
    return (
        Project.objects.select_related("edition__city", "pool__district", "author")
        .prefetch_related("edition__phases")
        .get(pk=project.pk)
    )


def _now(at: datetime | None) -> datetime:
    return at if at is not None else timezone.now()


def _money(value: Decimal) -> str:
    """An amount as Polish documents write it: 1 500 000,00."""
    whole, _sep, cents = f"{value.quantize(CENT):.2f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return "\u00a0".join(groups) + "," + cents


# --- Editions and pools ---------------------------------------------------------------------------


def edition_create(
    *,
    actor: User | None,
    city: City,
    year: int,
    name: str,
    total_budget: Decimal,
    phases: dict[str, tuple[datetime, datetime]],
    coordinating_unit: CityUnit | None = None,
    is_published: bool = True,
    **rules: Any,
) -> Edition:
    """Open a new edition with its dated phases and the year's rules (Kraków's by default)."""
    with transaction.atomic():
        edition = Edition(
            city=city,
            year=year,
            name=name,
            total_budget=total_budget,
            coordinating_unit=coordinating_unit,
            is_published=is_published,
            **rules,
        )
        edition.full_clean()
        edition.save()
        for kind, (starts_at, ends_at) in phases.items():
            phase = EditionPhase(edition=edition, kind=kind, starts_at=starts_at, ends_at=ends_at)
            phase.full_clean()
            phase.save()
        audit_log_append(
            actor=actor, action="budget.edition_created", obj=edition, after=snapshot(edition)
        )
    return edition


def edition_phases_update(
    *, actor: User, edition: Edition, phases: dict[str, tuple[datetime, datetime]]
) -> Edition:
    """Move an edition's phase dates (administrators and coordinators); every change is logged."""
    if not permissions.is_coordinator(actor, edition):
        raise BudgetPermissionError(errors.NOT_ALLOWED)
    if Phase.VOTING in phases:
        refusal = permissions.voting_phase_change_refusal(
            edition, phases[Phase.VOTING], at=timezone.now()
        )
        if refusal is not None:
            raise BudgetError(refusal.message, field="voting", params=refusal.params)
    with transaction.atomic():
        for kind, (starts_at, ends_at) in phases.items():
            phase = EditionPhase.objects.filter(edition=edition, kind=kind).first()
            before = snapshot(phase) if phase else None
            if phase is None:
                phase = EditionPhase(edition=edition, kind=kind)
            phase.starts_at, phase.ends_at = starts_at, ends_at
            phase.full_clean()
            phase.save()
            if before is None or before != snapshot(phase):
                audit_log_append(
                    actor=actor,
                    action="budget.phase_changed",
                    obj=phase,
                    before=before,
                    after=snapshot(phase),
                )
    return edition


def pool_create(
    *,
    actor: User | None,
    edition: Edition,
    district: District | None,
    budget: Decimal,
    min_project_cost: Decimal,
    max_project_cost: Decimal,
) -> Pool:
    pool = Pool(
        edition=edition,
        kind=PoolKind.CITYWIDE if district is None else PoolKind.DISTRICT,
        district=district,
        budget=budget,
        min_project_cost=min_project_cost,
        max_project_cost=max_project_cost,
    )
    with transaction.atomic():
        pool.full_clean()
        pool.save()
        audit_log_append(actor=actor, action="budget.pool_created", obj=pool, after=snapshot(pool))
    return pool


# --- Setting up an edition (the coordinating unit's pages) ----------------------------------------

# Rules copied from last year's edition when a new one starts from it.
COPIED_RULES = (
    "supporters_required",
    "support_days",
    "supporters_from_district",
    "short_description_min",
    "short_description_max",
    "appeal_days",
    "correction_days",
    "upkeep_years",
    "max_attachments",
    "max_attachment_mb",
    "categories",
)
# What the settings page changes (phases, pools and the vote have their own pages).
EDITION_SETTINGS = (
    "name",
    "total_budget",
    "is_published",
    "supporters_required",
    "support_days",
    "supporters_from_district",
    "short_description_min",
    "short_description_max",
    "appeal_days",
    "withdrawal_deadline",
    "categories",
)


def _validation_problems(exc: ValidationError) -> BudgetErrors:
    """A model's own checks (``full_clean``) as the app's error, each problem on its field."""
    problems: list[BudgetError] = []
    for name, messages in exc.message_dict.items():
        field = None if name == NON_FIELD_ERRORS else name
        problems.extend(BudgetError(message, field=field) for message in messages)
    return BudgetErrors(problems or [BudgetError(errors.NOT_ALLOWED)])


def _years_later(moment: datetime, years: int) -> datetime:
    """The same local date and hour ``years`` later (29 February becomes the 28th)."""
    local = timezone.localtime(moment)
    try:
        moved = local.replace(year=local.year + years)
    except ValueError:
        moved = local.replace(year=local.year + years, day=28)
    return timezone.make_aware(moved.replace(tzinfo=None))


def edition_open(
    *,
    actor: User,
    city: City,
    coordinating_unit: CityUnit | None,
    year: int,
    name: str,
    total_budget: Decimal,
    copy_from: Edition | None = None,
) -> Edition:
    """An official opens a new edition for their own unit, which coordinates it from then on.

    Starting from last year's edition copies its rules, its phase dates (moved to the new year)
    and its pools with their amounts and cost limits; everything can then be changed on the
    set-up pages until the phase that locks it. The new edition is not public until published.
    """
    _raise(permissions.edition_create_refusal(actor, coordinating_unit))
    problems: list[BudgetError] = []
    if coordinating_unit is None:
        problems.append(BudgetError(errors.EDITION_UNIT_REQUIRED, field="coordinating_unit"))
    if not name.strip():
        problems.append(BudgetError(errors.EDITION_NAME_REQUIRED, field="name"))
    if total_budget < 0:
        problems.append(BudgetError(errors.EDITION_BUDGET_NEGATIVE, field="total_budget"))
    if Edition.objects.filter(city=city, year=year).exists():
        problems.append(
            BudgetError(errors.EDITION_YEAR_EXISTS, field="year", params={"year": year})
        )
    if copy_from is not None and copy_from.city_id != city.pk:
        problems.append(BudgetError(errors.EDITION_COPY_OTHER_CITY, field="copy_from"))
    if problems:
        raise BudgetErrors(problems)
    rules: dict[str, Any] = {}
    phases: dict[str, tuple[datetime, datetime]] = {}
    if copy_from is not None:
        shift = year - copy_from.year
        rules = {key: getattr(copy_from, key) for key in COPIED_RULES}
        if copy_from.withdrawal_deadline is not None:
            rules["withdrawal_deadline"] = _years_later(copy_from.withdrawal_deadline, shift)
        phases = {
            phase.kind: (_years_later(phase.starts_at, shift), _years_later(phase.ends_at, shift))
            for phase in copy_from.phases.all()
        }
    try:
        with transaction.atomic():
            edition = edition_create(
                actor=actor,
                city=city,
                year=year,
                name=name.strip(),
                total_budget=total_budget,
                phases=phases,
                coordinating_unit=coordinating_unit,
                is_published=False,
                **rules,
            )
            if copy_from is not None:
                for pool in copy_from.pools.select_related("district"):
                    pool_create(
                        actor=actor,
                        edition=edition,
                        district=pool.district,
                        budget=pool.budget,
                        min_project_cost=pool.min_project_cost,
                        max_project_cost=pool.max_project_cost,
                    )
    except ValidationError as exc:
        raise _validation_problems(exc) from None
    return Edition.objects.prefetch_related("phases").get(pk=edition.pk)


def _setup_edition(actor: User, edition: Edition) -> Edition:
    if not permissions.can_set_up_edition(actor, edition):
        raise BudgetPermissionError(errors.NOT_ALLOWED)
    return Edition.objects.select_related("city").prefetch_related("phases").get(pk=edition.pk)


def edition_settings_update(
    *, actor: User, edition: Edition, at: datetime | None = None, **values: Any
) -> Edition:
    """The coordinating unit changes the edition's rules. A rule residents already rely on is
    refused with the reason (``permissions.setup_locks``); every change is logged."""
    at = _now(at)
    edition = _setup_edition(actor, edition)
    locks = permissions.setup_locks(edition, at=at)
    before = snapshot(edition)
    problems: list[BudgetError] = []
    for key, value in values.items():
        if key not in EDITION_SETTINGS:
            raise ValueError(f"not a setting: {key}")
        if key in locks and getattr(edition, key) != value:
            problems.append(BudgetError(locks[key].message, field=key))
        setattr(edition, key, value)
    if not 0 <= edition.supporters_required <= 1000:
        problems.append(BudgetError(errors.SUPPORTERS_RANGE, field="supporters_required"))
    if problems:
        raise BudgetErrors(problems)
    try:
        edition.full_clean()
    except ValidationError as exc:
        raise _validation_problems(exc) from None
    with transaction.atomic():
        edition.save()
        after = snapshot(edition)
        if after != before:
            audit_log_append(
                actor=actor,
                action="budget.edition_changed",
                obj=edition,
                before=before,
                after=after,
            )
    return edition


def _pool_problems(
    *, budget: Decimal, min_project_cost: Decimal, max_project_cost: Decimal
) -> list[BudgetError]:
    problems: list[BudgetError] = []
    if min(budget, min_project_cost, max_project_cost) < 0:
        problems.append(BudgetError(errors.POOL_AMOUNT_NEGATIVE, field="budget"))
    elif min_project_cost > max_project_cost:
        problems.append(BudgetError(errors.POOL_COST_RANGE, field="min_project_cost"))
    elif max_project_cost > budget:
        problems.append(BudgetError(errors.POOL_MAX_ABOVE_BUDGET, field="max_project_cost"))
    return problems


def pool_add(
    *,
    actor: User,
    edition: Edition,
    district: District | None,
    budget: Decimal,
    min_project_cost: Decimal,
    max_project_cost: Decimal,
    at: datetime | None = None,
) -> Pool:
    """Add the city-wide pool or a district's pool, until submission opens."""
    at = _now(at)
    edition = _setup_edition(actor, edition)
    lock = permissions.setup_locks(edition, at=at).get("pools")
    if lock is not None:
        raise BudgetError(lock.message)
    problems = _pool_problems(
        budget=budget, min_project_cost=min_project_cost, max_project_cost=max_project_cost
    )
    if district is not None and district.city_id != edition.city_id:
        problems.append(BudgetError(errors.POOL_OTHER_EDITION, field="district"))
    existing = (
        edition.pools.filter(district=district)
        if district
        else edition.pools.filter(kind=PoolKind.CITYWIDE)
    )
    if existing.exists():
        label = district.full_name if district else str(_("Pula ogólnomiejska"))
        problems.append(BudgetError(errors.POOL_EXISTS, field="district", params={"pool": label}))
    if problems:
        raise BudgetErrors(problems)
    try:
        return pool_create(
            actor=actor,
            edition=edition,
            district=district,
            budget=budget,
            min_project_cost=min_project_cost,
            max_project_cost=max_project_cost,
        )
    except ValidationError as exc:
        raise _validation_problems(exc) from None


def pool_update(
    *,
    actor: User,
    pool: Pool,
    budget: Decimal,
    min_project_cost: Decimal,
    max_project_cost: Decimal,
    at: datetime | None = None,
) -> Pool:
    """Change a pool's amount (until voting starts) or cost limits (until submission opens)."""
    at = _now(at)
    edition = _setup_edition(actor, pool.edition)
    pool = Pool.objects.select_related("district").get(pk=pool.pk)
    locks = permissions.setup_locks(edition, at=at)
    problems = _pool_problems(
        budget=budget, min_project_cost=min_project_cost, max_project_cost=max_project_cost
    )
    if "pool_budget" in locks and budget != pool.budget:
        problems.append(BudgetError(locks["pool_budget"].message, field="budget"))
    limits_changed = (min_project_cost, max_project_cost) != (
        pool.min_project_cost,
        pool.max_project_cost,
    )
    if "pool_limits" in locks and limits_changed:
        problems.append(BudgetError(locks["pool_limits"].message, field="max_project_cost"))
    if problems:
        raise BudgetErrors(problems)
    before = snapshot(pool)
    pool.budget, pool.min_project_cost, pool.max_project_cost = (
        budget,
        min_project_cost,
        max_project_cost,
    )
    try:
        pool.full_clean()
    except ValidationError as exc:
        raise _validation_problems(exc) from None
    with transaction.atomic():
        pool.save()
        if snapshot(pool) != before:
            audit_log_append(
                actor=actor,
                action="budget.pool_changed",
                obj=pool,
                before=before,
                after=snapshot(pool),
            )
    return pool


def pool_remove(*, actor: User, pool: Pool, at: datetime | None = None) -> None:
    """Remove a pool set up by mistake: before submission opens and while it has no projects."""
    at = _now(at)
    edition = _setup_edition(actor, pool.edition)
    lock = permissions.setup_locks(edition, at=at).get("pools")
    if lock is not None:
        raise BudgetError(lock.message)
    if pool.projects.exists():
        raise BudgetError(errors.POOL_HAS_PROJECTS)
    with transaction.atomic():
        before = snapshot(pool)
        audit_log_append(actor=actor, action="budget.pool_removed", obj=pool, before=before)
        pool.delete()


def verification_assign(
    *,
    actor: User,
    edition: Edition,
    projects: Iterable[Project],
    unit: CityUnit,
    official: User | None = None,
    at: datetime | None = None,
) -> tuple[list[Project], list[tuple[Project, BudgetError]]]:
    """Give many projects their verifying unit (and official) at once.

    A submitted project starts its verification with this unit leading (``verification_start``);
    one already in verification gets a new lead unit or official. Each project is decided on its
    own: those that cannot be assigned come back with the reason, the others are assigned.
    """
    at = _now(at)
    _setup_edition(actor, edition)
    if official is not None and not _is_official_of(official, unit):
        raise BudgetError(errors.REVIEW_OFFICIAL_UNIT, field="official")
    done: list[Project] = []
    refused: list[tuple[Project, BudgetError]] = []
    for project in projects:
        if project.edition_id != edition.pk:
            refused.append((project, BudgetError(errors.POOL_OTHER_EDITION)))
            continue
        try:
            if project.status == S.SUBMITTED:
                done.append(
                    verification_start(
                        actor=actor, project=project, unit=unit, official=official, at=at
                    )
                )
                continue
            fresh = _fresh(project)
            _raise(permissions.verification_refusal(actor, fresh, at=at))
            if fresh.status not in (S.IN_VERIFICATION, S.CORRECTION_REQUESTED):
                raise BudgetError(
                    errors.VERIFICATION_WRONG_STATUS,
                    params={"status": fresh.get_status_display()},
                )
            with transaction.atomic():
                locked = Project.objects.select_for_update().get(pk=fresh.pk)
                before = snapshot(locked, fields=["verification_unit", "verification_official"])
                locked.verification_unit = unit
                locked.verification_official = official
                locked.save(update_fields=["verification_unit", "verification_official"])
                audit_log_append(
                    actor=actor,
                    action="budget.verification_reassigned",
                    obj=locked,
                    before=before,
                    after=snapshot(locked, fields=["verification_unit", "verification_official"]),
                )
            done.append(locked)
        except BudgetError as exc:
            refused.append((project, exc))
    return done, refused


# --- Project content ------------------------------------------------------------------------------


@dataclass
class CostLine:
    name: str
    amount: Decimal


@dataclass
class ProjectContent:
    """What an author writes; the form turns the POST into this, the service checks the rules."""

    pool: Pool
    title: str
    short_description: str = ""
    description: str = ""
    category: str = ""
    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    cost_items: list[CostLine] = field(default_factory=list)
    author_is_minor: bool = False
    guardian_name: str = ""
    guardian_consent: bool = False
    data_protection_accepted: bool = False
    author_name_public: bool = False

    @property
    def total_cost(self) -> Decimal:
        return sum((line.amount for line in self.cost_items), Decimal("0")).quantize(CENT)


def project_content(project: Project) -> ProjectContent:
    """The content of a saved project, as the form would send it."""
    return ProjectContent(
        pool=project.pool,
        title=project.title,
        short_description=project.short_description,
        description=project.description,
        category=project.category,
        address=project.address,
        latitude=project.latitude,
        longitude=project.longitude,
        cost_items=[CostLine(i.name, i.amount) for i in project.cost_items.order_by("position")],
        author_is_minor=project.author_is_minor,
        guardian_name=project.guardian_name,
        guardian_consent=project.guardian_consent,
        data_protection_accepted=project.data_protection_accepted_at is not None,
        author_name_public=bool(project.author_display_name),
    )


def _check_location(
    pool: Pool, latitude: Decimal | None, longitude: Decimal | None
) -> tuple[District | None, BudgetError | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        return None, BudgetError(errors.LOCATION_PAIR, field="latitude")
    found = district_for_point(lat=float(latitude), lon=float(longitude))
    if found is None:
        return None, BudgetError(
            errors.LOCATION_OUTSIDE_CITY, field="latitude", params={"city": pool.edition.city.name}
        )
    if pool.district_id is not None and found.pk != pool.district_id:
        assert pool.district is not None
        return found, BudgetError(
            errors.LOCATION_OUTSIDE_DISTRICT,
            field="latitude",
            params={"found": str(found), "expected": str(pool.district)},
        )
    return found, None


def _validate(
    edition: Edition, content: ProjectContent, *, complete: bool
) -> tuple[list[BudgetError], District | None]:
    """Every broken rule at once, each on its field. ``complete`` adds what submission needs."""
    problems: list[BudgetError] = []
    pool = content.pool
    if pool.edition_id != edition.pk:
        problems.append(BudgetError(errors.POOL_OTHER_EDITION, field="pool"))
    if not content.title.strip():
        problems.append(BudgetError(errors.TITLE_REQUIRED, field="title"))
    length = len(content.short_description.strip())
    if length > edition.short_description_max:
        problems.append(
            BudgetError(
                errors.SHORT_TOO_LONG,
                field="short_description",
                params={"max": edition.short_description_max, "length": length},
            )
        )
    elif complete and length < edition.short_description_min:
        problems.append(
            BudgetError(
                errors.SHORT_TOO_SHORT,
                field="short_description",
                params={"min": edition.short_description_min, "length": length},
            )
        )
    if content.latitude is None and content.longitude is None and content.address.strip():
        # an address the city's address points know places the project on the map by itself
        located = address_locate(text=content.address, city=edition.city)
        if located is not None:
            content.latitude, content.longitude = located.latitude, located.longitude
    district, location_problem = _check_location(pool, content.latitude, content.longitude)
    if location_problem is not None:
        problems.append(location_problem)
    for position, line in enumerate(content.cost_items, start=1):
        if not line.name.strip():
            problems.append(
                BudgetError(errors.COST_ITEM_NAME, field="cost", params={"position": position})
            )
        if line.amount <= 0:
            problems.append(
                BudgetError(errors.COST_ITEM_AMOUNT, field="cost", params={"position": position})
            )
    total = content.total_cost
    if total > pool.max_project_cost:
        problems.append(
            BudgetError(
                errors.COST_ABOVE_MAX,
                field="cost",
                params={
                    "total": _money(total),
                    "pool": pool.label,
                    "max": _money(pool.max_project_cost),
                },
            )
        )
    if content.author_is_minor and content.guardian_name.strip() == "" and complete:
        problems.append(BudgetError(errors.GUARDIAN_REQUIRED, field="guardian_name"))
    elif content.author_is_minor and complete and not content.guardian_consent:
        problems.append(BudgetError(errors.GUARDIAN_REQUIRED, field="guardian_consent"))
    if content.category and edition.categories and content.category not in edition.categories:
        problems.append(
            BudgetError(
                errors.CATEGORY_NOT_OFFERED,
                field="category",
                params={"category": content.category},
            )
        )
    if complete:
        if not content.description.strip():
            problems.append(BudgetError(errors.DESCRIPTION_REQUIRED, field="description"))
        if not content.category:
            problems.append(BudgetError(errors.CATEGORY_REQUIRED, field="category"))
        if not content.address.strip() and content.latitude is None:
            problems.append(BudgetError(errors.LOCATION_REQUIRED, field="address"))
        if not content.cost_items:
            problems.append(BudgetError(errors.COST_ITEMS_REQUIRED, field="cost"))
        elif total < pool.min_project_cost:
            problems.append(
                BudgetError(
                    errors.COST_BELOW_MIN,
                    field="cost",
                    params={
                        "total": _money(total),
                        "pool": pool.label,
                        "min": _money(pool.min_project_cost),
                    },
                )
            )
        if not content.data_protection_accepted:
            problems.append(BudgetError(errors.DATA_PROTECTION_REQUIRED, field="data_protection"))
    return problems, district


def _search_text(project: Project) -> str:
    parts = [
        project.number,
        project.title,
        project.short_description,
        project.description,
        project.address,
    ]
    return normalise(" ".join(p for p in parts if p))


def _apply_content(
    project: Project,
    content: ProjectContent,
    district: District | None,
    *,
    author: User,
    at: datetime,
) -> None:
    project.pool = content.pool
    project.title = content.title.strip()
    project.short_description = content.short_description.strip()
    project.description = content.description.strip()
    project.category = content.category
    project.address = content.address.strip()
    project.latitude = content.latitude
    project.longitude = content.longitude
    project.location_district = district
    project.cost = content.total_cost
    project.author_is_minor = content.author_is_minor
    project.guardian_name = content.guardian_name.strip() if content.author_is_minor else ""
    project.guardian_consent = content.guardian_consent if content.author_is_minor else False
    if content.data_protection_accepted and project.data_protection_accepted_at is None:
        project.data_protection_accepted_at = at
    elif not content.data_protection_accepted:
        project.data_protection_accepted_at = None
    project.author_display_name = (
        (author.get_full_name() or "") if content.author_name_public else ""
    )
    project.search_text = _search_text(project)


def _replace_cost_items(project: Project, lines: Iterable[CostLine]) -> None:
    project.cost_items.all().delete()
    CostItem.objects.bulk_create(
        CostItem(
            project=project, position=n, name=line.name.strip(), amount=line.amount.quantize(CENT)
        )
        for n, line in enumerate(lines, start=1)
    )


def _version(project: Project, *, by: User | None, note: str) -> ProjectVersion:
    """Keep a copy of the current content; drafts' versions stay private to the author."""
    project.version += 1
    Project.objects.filter(pk=project.pk).update(version=project.version)
    return ProjectVersion.objects.create(
        project=project,
        number=project.version,
        created_by=by,
        is_draft=project.status == S.DRAFT,
        note=note[:200],
        title=project.title,
        short_description=project.short_description,
        description=project.description,
        category=project.category,
        address=project.address,
        latitude=project.latitude,
        longitude=project.longitude,
        cost=project.cost,
        cost_items=[
            {"name": i.name, "amount": str(i.amount)}
            for i in project.cost_items.order_by("position")
        ],
        attachments=[
            {"name": a.original_name, "size": a.size, "type": a.content_type}
            for a in project.attachments.order_by("id")
        ],
    )


def project_draft_create(
    *, author: User, edition: Edition, content: ProjectContent, at: datetime | None = None
) -> Project:
    """Save a new project as a draft: only the author sees it until it is submitted."""
    at = _now(at)
    _raise(permissions.submission_refusal(author, edition, at=at))
    problems, district = _validate(edition, content, complete=False)
    if problems:
        raise BudgetErrors(problems)
    with transaction.atomic():
        project = Project(edition=edition, author=author, status=S.DRAFT)
        _apply_content(project, content, district, author=author, at=at)
        project.save()
        _replace_cost_items(project, content.cost_items)
        _version(project, by=author, note=str(_("szkic")))
    return project


def project_update(
    *, actor: User, project: Project, content: ProjectContent, at: datetime | None = None
) -> Project:
    """The author changes the project: a draft freely, a submitted project only so that it stays
    complete, and a project called to correction by sending the corrected version back."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.edit_refusal(actor, project, at=at))
    problems, district = _validate(project.edition, content, complete=project.status != S.DRAFT)
    if project.status != S.DRAFT and content.pool.pk != project.pool_id:
        problems.append(BudgetError(errors.EDIT_CLOSED, field="pool"))
    if problems:
        raise BudgetErrors(problems)
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        _apply_content(project, content, district, author=actor, at=at)
        project.save()
        _replace_cost_items(project, content.cost_items)
        if project.status == S.CORRECTION_REQUESTED:
            version = _version(project, by=actor, note=str(_("poprawki na wezwanie urzędu")))
            request = (
                project.correction_requests.filter(answered_at__isnull=True).order_by("-id").first()
            )
            if request is not None:
                request.answered_at = at
                request.answered_version = version
                request.save(update_fields=["answered_at", "answered_version", "updated_at"])
            _transition(
                project,
                S.IN_VERIFICATION,
                actor=actor,
                at=at,
                reason=str(_("Autor przesłał poprawki.")),
            )
        else:
            _version(
                project,
                by=actor,
                note=str(_("zmiana przed terminem zgłoszeń"))
                if project.status != S.DRAFT
                else str(_("szkic")),
            )
    return project


def _assign_number(project: Project) -> None:
    pool = (
        Pool.objects.select_for_update(of=("self",))
        .select_related("district")
        .get(pk=project.pool_id)
    )
    last = Project.objects.filter(pool=pool).aggregate(top=Max("sequence"))["top"] or 0
    project.sequence = last + 1
    project.number = f"BO.{pool.number_prefix}.{project.sequence}/{project.edition.year % 100:02d}"


def project_submit(*, actor: User, project: Project, at: datetime | None = None) -> Project:
    """Submit a draft: it gets its number, becomes public and starts collecting supporters."""
    at = _now(at)
    project = _fresh(project)
    if project.status != S.DRAFT:
        raise BudgetError(errors.NOT_A_DRAFT)
    _raise(permissions.edit_refusal(actor, project, at=at))
    problems, _district = _validate(project.edition, project_content(project), complete=True)
    if problems:
        raise BudgetErrors(problems)
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("edition").get(pk=project.pk)
        _assign_number(project)
        project.submitted_at = at
        project.support_deadline = at + timedelta(days=project.edition.support_days)
        project.search_text = _search_text(project)
        _transition(project, S.SUBMITTED, actor=actor, at=at)
        _version(project, by=actor, note=str(_("wersja zgłoszona")))
    return project


# --- Attachments -------------------------------------------------------------------------------

_SIGNATURES: list[tuple[bytes, str, frozenset[str]]] = [
    (b"\xff\xd8\xff", "image/jpeg", frozenset({".jpg", ".jpeg"})),
    (b"\x89PNG\r\n\x1a\n", "image/png", frozenset({".png"})),
    (b"%PDF-", "application/pdf", frozenset({".pdf"})),
]


def _sniff(upload: UploadedFile[bytes]) -> str | None:
    """The file's real type from its first bytes, if it is one we accept and its name agrees."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    for magic, content_type, extensions in _SIGNATURES:
        if head.startswith(magic) and any(name.endswith(ext) for ext in extensions):
            return content_type
    return None


def attachment_add(
    *,
    actor: User,
    project: Project,
    upload: UploadedFile[bytes],
    description: str = "",
    at: datetime | None = None,
) -> Attachment:
    """Attach an image (JPEG, PNG) or a PDF within the edition's size and count limits."""
    at = _now(at)
    _raise(permissions.edit_refusal(actor, project, at=at), field="file")
    name = (upload.name or "plik")[-200:]
    edition = project.edition
    if project.attachments.count() >= edition.max_attachments:
        raise BudgetError(
            errors.ATTACHMENT_LIMIT, field="file", params={"max": edition.max_attachments}
        )
    size = upload.size or 0
    if size == 0:
        raise BudgetError(errors.ATTACHMENT_EMPTY, field="file", params={"name": name})
    if size > edition.max_attachment_mb * 1024 * 1024:
        raise BudgetError(
            errors.ATTACHMENT_TOO_BIG,
            field="file",
            params={
                "name": name,
                "size": f"{size / 1024 / 1024:.1f}",
                "max": edition.max_attachment_mb,
            },
        )
    content_type = _sniff(upload)
    if content_type is None:
        raise BudgetError(errors.ATTACHMENT_WRONG_TYPE, field="file", params={"name": name})
    with transaction.atomic():
        attachment = Attachment(
            project=project,
            original_name=name,
            description=description.strip()[:200],
            content_type=content_type,
            size=size,
            uploaded_by=actor,
        )
        attachment.file.save(get_valid_filename(name) or "plik", upload, save=False)
        attachment.save()
        _version(project, by=actor, note=str(_("dodano załącznik: %(name)s")) % {"name": name})
    return attachment


def _delete_files(names: list[str]) -> None:
    """Remove stored files once the rows that named them are gone for good."""
    field = Attachment._meta.get_field("file")
    assert isinstance(field, models.FileField)
    for name in names:
        if name:
            field.storage.delete(name)


def attachment_remove(*, actor: User, attachment: Attachment, at: datetime | None = None) -> None:
    at = _now(at)
    project = attachment.project
    _raise(permissions.edit_refusal(actor, project, at=at))
    with transaction.atomic():
        name = attachment.original_name
        stored = [attachment.file.name or ""]
        attachment.delete()
        _version(project, by=actor, note=str(_("usunięto załącznik: %(name)s")) % {"name": name})
        transaction.on_commit(lambda: _delete_files(stored))


# --- Status machine and notifications --------------------------------------------------------------


def _transition(
    project: Project,
    to: str,
    *,
    actor: User | None,
    at: datetime,
    reason: str = "",
    audit: bool = True,
) -> None:
    """Move the project to ``to`` if the status machine allows it; log it and tell the author."""
    if to not in TRANSITIONS[project.status]:
        raise BudgetError(
            errors.VERIFICATION_WRONG_STATUS, params={"status": project.get_status_display()}
        )
    before = snapshot(project, fields=STATUS_FIELDS) if project.pk else None
    project.status = to
    project.status_changed_at = at
    project.save()
    if audit:
        audit_log_append(
            actor=actor,
            action=f"budget.project_{to}",
            obj=project,
            before=before,
            after=snapshot(project, fields=STATUS_FIELDS),
            reason=reason,
        )
    _notify_author(project, kind="budget.project_status", reason=reason)
    project_followers_tell(
        project_ids=[project.pk], step=to, event=f"{to}:{at.isoformat()}", reason=reason
    )


def _notify_author(
    project: Project, *, kind: str, reason: str = "", extra: dict[str, Any] | None = None
) -> None:
    if project.author is None:
        return
    notify(
        recipient=project.author,
        kind=kind,
        subject_template="budget/email/status_subject.txt",
        body_template="budget/email/status_body.txt",
        context={"project": project, "reason": reason, **(extra or {})},
    )


# --- Supporters ------------------------------------------------------------------------------------


def _recount_supporters(project: Project, at: datetime) -> None:
    # a support waiting for its identity check, or rejected by it, does not count
    online = project.supports.exclude(
        identity_check__in=(SupportCheck.PENDING, SupportCheck.REJECTED)
    ).count()
    paper = project.paper_lists.aggregate(total=Sum("signatures_valid"))["total"] or 0
    project.supporters_count = online + paper
    if project.supporters_count >= project.edition.supporters_required:
        project.supporters_complete_at = project.supporters_complete_at or at
    else:
        project.supporters_complete_at = None
    project.save(update_fields=["supporters_count", "supporters_complete_at", "updated_at"])


def project_support(
    *,
    user: User,
    project: Project,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    full_name: str = "",
    birth_date: date | None = None,
    at: datetime | None = None,
) -> Support:
    """A signed-in resident supports a project online; one support per person and project.

    The person must be told apart from others (a confirmed phone or a verified identity, as the
    city set ``BUDGET_SUPPORT_REQUIRES``), and must live where the project's pool is: the
    district comes from the point of the address they give, looked up in the district
    boundaries, not from a free choice in their profile.

    Under "identity" the supporter gives their name and date of birth; the support waits for
    the unit verifying the project to check them in the register of residents
    (``support_check``) and counts only once confirmed, unless the account's identity was
    already verified (a trusted-profile log-in records ``identity_verified_at``).
    """
    at = _now(at)
    address = " ".join((address or "").split())
    identity = settings.BUDGET_SUPPORT_REQUIRES == "identity"
    full_name = " ".join((full_name or "").split())[:150]
    # The address decides where the person lives when the city's address points know it (a pin
    # on the map cannot move a typed address into another district); the map point is used
    # only for an address the register does not hold.
    located = address_locate(text=address, city=project.edition.city) if address else None
    if located is not None:
        latitude, longitude = located.latitude, located.longitude
    if not address or latitude is None or longitude is None:
        _raise(permissions.support_refusal(user, project, at=at))
        raise BudgetError(
            errors.SUPPORT_ADDRESS_NOT_FOUND if address else errors.SUPPORT_ADDRESS_REQUIRED,
            field="address",
        )
    identity_verified = bool(getattr(user, "identity_verified_at", None))
    if identity and not identity_verified:
        _raise(permissions.support_refusal(user, project, at=at))
        if not full_name:
            raise BudgetError(errors.SUPPORT_IDENTITY_DATA_REQUIRED, field="full_name")
        if birth_date is None:
            raise BudgetError(errors.SUPPORT_IDENTITY_DATA_REQUIRED, field="birth_date")
        if not date(1900, 1, 1) <= birth_date <= timezone.localdate(at):
            raise BudgetError(errors.SUPPORT_BIRTH_DATE_INVALID, field="birth_date")
    district = district_for_point(lat=float(latitude), lon=float(longitude))
    with transaction.atomic():
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("edition", "pool__district")
            .get(pk=project.pk)
        )
        _raise(permissions.support_refusal(user, project, at=at))
        _raise(permissions.support_address_refusal(project, district), field="address")
        try:
            with transaction.atomic():
                support = Support.objects.create(
                    project=project,
                    user=user,
                    address=address[:300],
                    district=district,
                    verified_by=settings.BUDGET_SUPPORT_REQUIRES,
                    **(
                        {}
                        if not identity
                        else {
                            "identity_check": SupportCheck.CONFIRMED,
                            "checked_at": at,
                            "full_name": full_name,
                        }
                        if identity_verified
                        else {
                            "identity_check": SupportCheck.PENDING,
                            "full_name": full_name,
                            "birth_date": birth_date,
                        }
                    ),
                )
        except IntegrityError:
            raise BudgetError(errors.SUPPORT_TWICE, code="support_twice") from None
        _recount_supporters(project, at)
    return support


def _same_person(full_name: str, birth_date: date | None) -> tuple[str, date | None]:
    return (normalise(" ".join(full_name.split())), birth_date)


def support_check(
    *,
    actor: User,
    support: Support,
    confirmed: bool,
    note: str = "",
    at: datetime | None = None,
) -> Support:
    """The unit verifying the project records the outcome of checking one supporter's name and
    date of birth in the register of residents: confirmed, the support counts; rejected (with
    the reason), it does not. One person supporting through two accounts counts once: a second
    support with the same name and date of birth cannot be confirmed."""
    at = _now(at)
    note = " ".join((note or "").split())[:300]
    if not confirmed and not note:
        raise BudgetError(errors.SUPPORT_CHECK_REASON_REQUIRED, field="note")
    with transaction.atomic():
        project = (
            Project.objects.select_for_update(of=("self",))
            .select_related("edition", "pool__district")
            .get(pk=support.project_id)
        )
        _raise(permissions.support_check_refusal(actor, project, at=at))
        support = Support.objects.select_for_update().get(pk=support.pk)
        if support.identity_check != SupportCheck.PENDING:
            raise BudgetError(errors.SUPPORT_CHECK_NOT_PENDING)
        if confirmed:
            person = _same_person(support.full_name, support.birth_date)
            twins = project.supports.filter(
                identity_check=SupportCheck.CONFIRMED, birth_date=support.birth_date
            ).exclude(pk=support.pk)
            if any(_same_person(t.full_name, t.birth_date) == person for t in twins):
                raise BudgetError(errors.SUPPORT_CHECK_SAME_PERSON)
        fields = ["identity_check", "check_note", "checked_at"]
        before = snapshot(support, fields=fields)
        support.identity_check = SupportCheck.CONFIRMED if confirmed else SupportCheck.REJECTED
        support.check_note = note
        support.checked_by = actor
        support.checked_at = at
        support.save(
            update_fields=[
                "identity_check",
                "check_note",
                "checked_by",
                "checked_at",
                "updated_at",
            ]
        )
        project_before = snapshot(project, fields=STATUS_FIELDS)
        _recount_supporters(project, at)
        # the log names the support and the outcome, not the person's name or date of birth
        audit_log_append(
            actor=actor,
            action="budget.support_confirmed" if confirmed else "budget.support_rejected",
            obj=project,
            before=project_before | {"support": support.pk} | before,
            after=snapshot(project, fields=STATUS_FIELDS)
            | {"support": support.pk}
            | snapshot(support, fields=fields),
            reason=note,
        )
    return support


def supporters_personal_data_purge(*, edition: Edition) -> int:
    """Erase the names, dates of birth and home addresses that supporters gave for the
    edition's projects (called by the vote's retention purge once its period is over); the
    supports, their districts and the outcome of their checks stay, so the counts do."""
    return (
        Support.objects.filter(project__edition=edition)
        .exclude(full_name="", birth_date=None, address="")
        .update(full_name="", birth_date=None, address="")
    )


def paper_support_list_record(
    *,
    actor: User,
    project: Project,
    received_on: date,
    signatures_valid: int,
    signatures_rejected: int = 0,
    note: str = "",
    at: datetime | None = None,
) -> PaperSupportList:
    """An official records a paper list that reached the office (within the support period)."""
    at = _now(at)
    project = _fresh(project)
    if not permissions.can_record_paper_support(actor, project, at=at):
        raise BudgetPermissionError(errors.NOT_ALLOWED)
    if received_on > timezone.localdate(at):
        raise BudgetError(errors.PAPER_LIST_FUTURE, field="received_on")
    if project.support_deadline is not None and received_on > timezone.localdate(
        project.support_deadline
    ):
        raise BudgetError(
            errors.PAPER_LIST_LATE,
            field="received_on",
            params={
                "received": received_on.isoformat(),
                "deadline": when(project.support_deadline),
            },
        )
    if signatures_valid < 1:
        raise BudgetError(errors.PAPER_LIST_EMPTY, field="signatures_valid")
    with transaction.atomic():
        project = Project.objects.select_for_update().select_related("edition").get(pk=project.pk)
        before = snapshot(project, fields=STATUS_FIELDS)
        paper = PaperSupportList.objects.create(
            project=project,
            received_on=received_on,
            signatures_valid=signatures_valid,
            signatures_rejected=signatures_rejected,
            note=note.strip()[:300],
            recorded_by=actor,
        )
        _recount_supporters(project, at)
        audit_log_append(
            actor=actor,
            action="budget.paper_support_recorded",
            obj=project,
            before=before,
            after=snapshot(project, fields=STATUS_FIELDS) | {"paper_list": snapshot(paper)},
        )
    return paper


# --- Verification ----------------------------------------------------------------------------------


def _is_official_of(user: User, unit: CityUnit) -> bool:
    return RoleAssignment.objects.filter(user=user, role=Role.OFFICIAL, city_unit=unit).exists()


def verification_start(
    *,
    actor: User,
    project: Project,
    unit: CityUnit,
    official: User | None = None,
    at: datetime | None = None,
) -> Project:
    """Open the verification: the lead unit (and official) takes the formal check first."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.verification_refusal(actor, project, at=at))
    if project.status != S.SUBMITTED:
        raise BudgetError(
            errors.VERIFICATION_WRONG_STATUS, params={"status": project.get_status_display()}
        )
    if (
        project.supporters_complete_at is None
        and project.support_deadline is not None
        and at <= project.support_deadline
    ):
        raise BudgetError(
            errors.VERIFICATION_TOO_EARLY, params={"deadline": when(project.support_deadline)}
        )
    if official is not None and not _is_official_of(official, unit):
        raise BudgetError(errors.REVIEW_OFFICIAL_UNIT, field="official")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        project.verification_unit = unit
        project.verification_official = official
        Review.objects.create(
            project=project, stage=ReviewStage.FORMAL, city_unit=unit, official=official
        )
        _transition(project, S.IN_VERIFICATION, actor=actor, at=at)
    return project


def review_assign(
    *,
    actor: User,
    project: Project,
    unit: CityUnit,
    official: User | None = None,
    stage: str = ReviewStage.MERIT,
    at: datetime | None = None,
) -> Review:
    """Ask a city unit (e.g. the one that would build or maintain it) for its merit opinion."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.verification_refusal(actor, project, at=at))
    if project.status not in (S.IN_VERIFICATION, S.CORRECTION_REQUESTED, S.APPEALED):
        raise BudgetError(
            errors.VERIFICATION_WRONG_STATUS, params={"status": project.get_status_display()}
        )
    if official is not None and not _is_official_of(official, unit):
        raise BudgetError(errors.REVIEW_OFFICIAL_UNIT, field="official")
    if Review.objects.filter(project=project, stage=stage, city_unit=unit).exists():
        raise BudgetError(errors.REVIEW_EXISTS, field="unit")
    with transaction.atomic():
        review = Review.objects.create(
            project=project, stage=stage, city_unit=unit, official=official
        )
        audit_log_append(
            actor=actor, action="budget.review_assigned", obj=review, after=snapshot(review)
        )
    return review


def review_complete(
    *,
    actor: User,
    review: Review,
    checklist: dict[str, bool],
    passed: bool,
    notes: str = "",
    at: datetime | None = None,
) -> Review:
    """Record a unit's formal or merit check. A pass needs every checklist item; a fail, a reason."""
    at = _now(at)
    review = Review.objects.select_related("project__edition", "project__pool").get(pk=review.pk)
    _raise(permissions.review_refusal(actor, review, at=at))
    keys = [key for key, _label in CHECKLISTS[ReviewStage(review.stage)]]
    answers = {key: bool(checklist.get(key)) for key in keys}
    if (
        review.stage == ReviewStage.MERIT
        and not review.project.reviews.filter(
            stage=ReviewStage.FORMAL, result=ReviewResult.PASSED
        ).exists()
    ):
        raise BudgetError(errors.REVIEW_FORMAL_FIRST)
    if passed and not all(answers.values()):
        raise BudgetError(errors.REVIEW_CHECKLIST_INCOMPLETE, field="checklist")
    if not passed and not notes.strip():
        raise BudgetError(errors.REVIEW_REASON_REQUIRED, field="notes")
    with transaction.atomic():
        before = snapshot(review)
        review.checklist = answers
        review.notes = notes.strip()
        review.result = ReviewResult.PASSED if passed else ReviewResult.FAILED
        review.completed_at = at
        review.completed_by = actor
        review.save()
        audit_log_append(
            actor=actor,
            action="budget.review_completed",
            obj=review,
            before=before,
            after=snapshot(review),
        )
    return review


def correction_request(
    *, actor: User, project: Project, message: str, days: int, at: datetime | None = None
) -> CorrectionRequest:
    """Ask the author to correct the project by a deadline; the author is told what and why."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.verification_refusal(actor, project, at=at))
    if project.status != S.IN_VERIFICATION:
        raise BudgetError(
            errors.VERIFICATION_WRONG_STATUS, params={"status": project.get_status_display()}
        )
    if not message.strip():
        raise BudgetError(errors.CORRECTION_MESSAGE_REQUIRED, field="message")
    if not 1 <= days <= 30:
        raise BudgetError(errors.CORRECTION_DAYS, field="days")
    with transaction.atomic():
        request = CorrectionRequest.objects.create(
            project=project,
            requested_by=actor,
            message=message.strip(),
            deadline=at + timedelta(days=days),
        )
        _transition(project, S.CORRECTION_REQUESTED, actor=actor, at=at, reason=request.message)
    return request


def cost_reestimate(
    *,
    actor: User,
    project: Project,
    verified_cost: Decimal,
    reason: str,
    at: datetime | None = None,
) -> Project:
    """Officials set the cost the city would really pay; the author's estimate stays on record."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.verification_refusal(actor, project, at=at))
    if verified_cost <= 0:
        raise BudgetError(errors.COST_NOT_POSITIVE, field="verified_cost")
    if not reason.strip():
        raise BudgetError(errors.COST_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        before = snapshot(project, fields=STATUS_FIELDS)
        project.verified_cost = verified_cost.quantize(CENT)
        project.save(update_fields=["verified_cost", "updated_at"])
        audit_log_append(
            actor=actor,
            action="budget.cost_reestimated",
            obj=project,
            before=before,
            after=snapshot(project, fields=STATUS_FIELDS),
            reason=reason.strip(),
        )
        _notify_author(
            project,
            kind="budget.project_cost",
            reason=reason.strip(),
            extra={"cost_changed": True, "verified_cost": _money(project.verified_cost)},
        )
    return project


def verification_decide(
    *, actor: User, project: Project, positive: bool, reasons: str, at: datetime | None = None
) -> Project:
    """Publish the verification's outcome with public reasons; a negative one opens the appeal."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.verification_refusal(actor, project, at=at))
    if not reasons.strip():
        raise BudgetError(errors.DECISION_REASONS_REQUIRED, field="reasons")
    if project.status == S.CORRECTION_REQUESTED:
        request = (
            project.correction_requests.filter(answered_at__isnull=True).order_by("-id").first()
        )
        if request is not None and at <= request.deadline:
            raise BudgetError(
                errors.DECISION_CORRECTION_OPEN, params={"deadline": when(request.deadline)}
            )
    elif project.status != S.IN_VERIFICATION:
        raise BudgetError(
            errors.VERIFICATION_WRONG_STATUS, params={"status": project.get_status_display()}
        )
    if positive:
        reviews = list(project.reviews.all())
        formal_ok = any(
            r.stage == ReviewStage.FORMAL and r.result == ReviewResult.PASSED for r in reviews
        )
        merit = [r for r in reviews if r.stage == ReviewStage.MERIT]
        if not formal_ok or not merit or any(r.result != ReviewResult.PASSED for r in merit):
            raise BudgetError(errors.DECISION_REVIEWS_PENDING)
        pool = project.pool
        if project.effective_cost > pool.max_project_cost:
            raise BudgetError(
                errors.COST_ABOVE_MAX,
                params={
                    "total": _money(project.effective_cost),
                    "pool": pool.label,
                    "max": _money(pool.max_project_cost),
                },
            )
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        project.verification_reasons = reasons.strip()
        project.verified_at = at
        _transition(
            project,
            S.VERIFIED_POSITIVE if positive else S.VERIFIED_NEGATIVE,
            actor=actor,
            at=at,
            reason=project.verification_reasons,
        )
    return project


# --- Merging ---------------------------------------------------------------------------------------


def merge_propose(
    *, actor: User, source: Project, target: Project, reason: str, at: datetime | None = None
) -> MergeProposal:
    """Propose that ``source`` joins ``target`` (similar projects in one place); authors decide."""
    at = _now(at)
    source, target = _fresh(source), _fresh(target)
    _raise(permissions.verification_refusal(actor, source, at=at))
    _raise(permissions.verification_refusal(actor, target, at=at), field="target")
    if source.pk == target.pk:
        raise BudgetError(errors.MERGE_SAME_PROJECT, field="target")
    if source.pool_id != target.pool_id:
        raise BudgetError(errors.MERGE_OTHER_POOL, field="target")
    if not reason.strip():
        raise BudgetError(errors.REASONS_REQUIRED, field="reason")
    if (
        MergeProposal.objects.filter(source=source, target=target, completed_at__isnull=True)
        .exclude(source_consent=False)
        .exclude(target_consent=False)
        .exists()
    ):
        raise BudgetError(errors.MERGE_PENDING, field="target")
    with transaction.atomic():
        proposal = MergeProposal.objects.create(
            source=source, target=target, proposed_by=actor, reason=reason.strip()
        )
        audit_log_append(
            actor=actor, action="budget.merge_proposed", obj=proposal, after=snapshot(proposal)
        )
        for project in {source.pk: source, target.pk: target}.values():
            _notify_author(
                project,
                kind="budget.merge_proposed",
                reason=proposal.reason,
                extra={"merge": proposal},
            )
    return proposal


def merge_answer(
    *, user: User, proposal: MergeProposal, consent: bool, at: datetime | None = None
) -> MergeProposal:
    """An author agrees or refuses; with both authors' consent the source joins the target."""
    at = _now(at)
    if not proposal.is_pending:
        raise BudgetError(errors.MERGE_ANSWERED)
    if not permissions.can_answer_merge(user, proposal):
        raise BudgetError(errors.MERGE_NOT_AUTHOR)
    with transaction.atomic():
        before = snapshot(proposal)
        if permissions.is_author(user, proposal.source):
            proposal.source_consent = consent
        if permissions.is_author(user, proposal.target):
            proposal.target_consent = consent
        proposal.save()
        audit_log_append(
            actor=user,
            action="budget.merge_answered",
            obj=proposal,
            before=before,
            after=snapshot(proposal),
        )
        if proposal.source_consent and proposal.target_consent:
            source = Project.objects.select_for_update().get(pk=proposal.source_id)
            source.merged_into = proposal.target
            _transition(source, S.MERGED, actor=user, at=at, reason=str(proposal.target))
            proposal.completed_at = at
            proposal.save(update_fields=["completed_at", "updated_at"])
    return proposal


# --- Appeals -------------------------------------------------------------------------------------


def appeal_submit(
    *, actor: User, project: Project, justification: str, at: datetime | None = None
) -> Appeal:
    """The author protests against a negative verification within the appeal period."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.appeal_refusal(actor, project, at=at))
    if not justification.strip():
        raise BudgetError(errors.APPEAL_JUSTIFICATION_REQUIRED, field="justification")
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        try:
            with transaction.atomic():
                appeal = Appeal.objects.create(
                    project=project, author=actor, justification=justification.strip()
                )
        except IntegrityError:
            raise BudgetError(errors.APPEAL_EXISTS) from None
        _transition(project, S.APPEALED, actor=actor, at=at, reason=appeal.justification)
    return appeal


def appeal_recommend(
    *,
    actor: User,
    appeal: Appeal,
    meeting_on: date,
    recommendation: str,
    reasons: str,
    at: datetime | None = None,
) -> Appeal:
    """Record the participatory budget council's recommendation from its meeting."""
    at = _now(at)
    appeal = Appeal.objects.select_related("project__edition").get(pk=appeal.pk)
    _raise(permissions.appeal_handling_refusal(actor, appeal, at=at))
    if recommendation not in Recommendation.values:
        raise BudgetError(errors.CHOICE_REQUIRED, field="recommendation")
    if not reasons.strip():
        raise BudgetError(errors.REASONS_REQUIRED, field="reasons")
    with transaction.atomic():
        before = snapshot(appeal)
        appeal.council_meeting_on = meeting_on
        appeal.council_recommendation = recommendation
        appeal.council_reasons = reasons.strip()
        appeal.save()
        audit_log_append(
            actor=actor,
            action="budget.appeal_recommended",
            obj=appeal,
            before=before,
            after=snapshot(appeal),
        )
    return appeal


def appeal_decide(
    *, actor: User, appeal: Appeal, decision: str, reasons: str, at: datetime | None = None
) -> Appeal:
    """Record the Mayor's decision; an upheld appeal puts the project back among the positive."""
    at = _now(at)
    appeal = Appeal.objects.select_related("project__edition").get(pk=appeal.pk)
    _raise(permissions.appeal_handling_refusal(actor, appeal, at=at))
    if not appeal.council_recommendation:
        raise BudgetError(errors.APPEAL_NO_RECOMMENDATION)
    if decision not in AppealDecision.values:
        raise BudgetError(errors.CHOICE_REQUIRED, field="decision")
    if not reasons.strip():
        raise BudgetError(errors.REASONS_REQUIRED, field="reasons")
    with transaction.atomic():
        before = snapshot(appeal)
        appeal.decision = decision
        appeal.decision_reasons = reasons.strip()
        appeal.decided_at = at
        appeal.decided_by = actor
        appeal.save()
        audit_log_append(
            actor=actor,
            action="budget.appeal_decided",
            obj=appeal,
            before=before,
            after=snapshot(appeal),
        )
        project = Project.objects.select_for_update().get(pk=appeal.project_id)
        accepted = decision == AppealDecision.ACCEPTED
        _transition(
            project,
            S.VERIFIED_POSITIVE if accepted else S.VERIFIED_NEGATIVE,
            actor=actor,
            at=at,
            reason=appeal.decision_reasons,
        )
    return appeal


# --- Final list, withdrawal --------------------------------------------------------------------------


def final_list_publish(*, actor: User, edition: Edition, at: datetime | None = None) -> int:
    """Publish the ballot list: every positively verified project goes on it. Returns how many."""
    at = _now(at)
    _raise(permissions.final_list_refusal(actor, edition, at=at))
    open_cases = Project.objects.filter(edition=edition, status__in=OPEN_CASE_STATUSES).count()
    if open_cases:
        raise BudgetError(errors.FINAL_LIST_OPEN_CASES, params={"count": open_cases})
    negative = Project.objects.filter(
        edition=edition, status=S.VERIFIED_NEGATIVE, appeal__isnull=True
    )
    for project in negative.select_related("edition"):
        deadline = permissions.appeal_deadline(project)
        if deadline is not None and at <= deadline:
            raise BudgetError(
                errors.FINAL_LIST_APPEAL_WINDOW,
                params={"number": project.number, "deadline": when(deadline)},
            )
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.final_list_published_at is not None:
            raise BudgetError(errors.FINAL_LIST_PUBLISHED)
        projects = list(
            Project.objects.select_for_update(of=("self",))
            .filter(edition=edition, status=S.VERIFIED_POSITIVE)
            .select_related("author")
        )
        for project in projects:
            _transition(project, S.ON_BALLOT, actor=actor, at=at)
        before = snapshot(edition)
        edition.final_list_published_at = at
        edition.save(update_fields=["final_list_published_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="budget.final_list_published",
            obj=edition,
            before=before,
            after=snapshot(edition) | {"projects_on_ballot": len(projects)},
        )
    return len(projects)


def project_withdraw(
    *, actor: User, project: Project, reason: str = "", at: datetime | None = None
) -> Project:
    """The author withdraws the project (until the edition's withdrawal date)."""
    at = _now(at)
    project = _fresh(project)
    _raise(permissions.withdraw_refusal(actor, project, at=at))
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        project.withdrawn_at = at
        project.withdrawal_reason = reason.strip()
        _transition(project, S.WITHDRAWN, actor=actor, at=at, reason=project.withdrawal_reason)
    return project


def draft_delete(*, actor: User, project: Project, at: datetime | None = None) -> None:
    """Authors may throw away a draft; nothing of it was ever public."""
    at = _now(at)
    if project.status != S.DRAFT or not permissions.is_author(actor, project):
        raise BudgetPermissionError(errors.NOT_ALLOWED)
    stored = [a.file.name or "" for a in project.attachments.all()]
    with transaction.atomic():
        project.delete()
        transaction.on_commit(lambda: _delete_files(stored))


# --- Following a project (the resident's thread) ---------------------------------------------------


def project_follow(*, user: User, project: Project) -> bool:
    """Follow a public project and hear of each step of its life; False if already following."""
    if not getattr(user, "is_authenticated", False):
        raise BudgetPermissionError(errors.LOGIN_REQUIRED)
    if not project.is_public:
        raise BudgetPermissionError(errors.NOT_ALLOWED)
    try:
        with transaction.atomic():
            ProjectFollow.objects.create(project=project, user=user)
    except IntegrityError:
        return False
    return True


def project_unfollow(*, user: User, project: Project) -> bool:
    """Stop following; False when the person did not follow the project."""
    if not getattr(user, "is_authenticated", False):
        raise BudgetPermissionError(errors.LOGIN_REQUIRED)
    deleted, _count = ProjectFollow.objects.filter(project=project, user=user).delete()
    return bool(deleted)


def project_followers_tell(
    *, project_ids: list[int], step: str, event: str, reason: str = ""
) -> None:
    """Tell the followers of these projects that they reached ``step`` (a project status or a
    ``thread.LaterStage``), once the caller's transaction commits (a rolled-back change tells
    nobody). ``event`` names the occasion, so a retried task sends each message once."""
    if not project_ids:
        return
    from wspolnota.budget.tasks import notify_project_followers

    ids = list(project_ids)
    transaction.on_commit(
        lambda: notify_project_followers.enqueue(
            project_ids=ids, step=step, event=event, reason=reason
        )
    )


def project_followers_notify(
    *, project_ids: list[int], step: str, event: str, reason: str = ""
) -> int:
    """Write the notices to every follower (not the author, who hears of it as the author)."""
    from wspolnota.budget.thread import LaterStage

    labels = dict(ProjectStatus.choices) | dict(LaterStage.choices)
    sent = 0
    projects = Project.objects.filter(pk__in=project_ids).select_related("edition")
    for project in projects:
        follows = ProjectFollow.objects.filter(project=project).select_related("user")
        if project.author_id is not None:
            follows = follows.exclude(user_id=project.author_id)
        for follow in follows.order_by("pk").iterator(chunk_size=500):
            notify(
                recipient=follow.user,
                kind="budget.project_followed",
                subject_template="budget/email/follow_subject.txt",
                body_template="budget/email/follow_body.txt",
                context={"project": project, "step": labels.get(step, step), "reason": reason},
                key=f"budget.follow:{project.pk}:{event}",
            )
            sent += 1
    return sent
