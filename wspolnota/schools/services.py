"""Writes of the school budget (issue 22): schools, teams, editions, ideas, code sheets, the
pupils' vote and the published count."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.schools import codes, errors, permissions
from wspolnota.schools.errors import SchoolsError
from wspolnota.schools.models import (
    BoxKind,
    CodeSheet,
    Idea,
    IdeaStatus,
    MemberRole,
    School,
    SchoolBallotKind,
    SchoolEdition,
    SchoolMember,
    SchoolResult,
    SchoolRule,
    SchoolStatus,
)

if TYPE_CHECKING:
    from wspolnota.accounts.models import User

KRAKOW_PLACES = 3


def _deny() -> SchoolsError:
    return SchoolsError(errors.NOT_ALLOWED, code="permission_denied")


def _validated(obj: Any) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise SchoolsError(messages[0], field=None if field == "__all__" else field) from None


# --- Schools and their teams --------------------------------------------------------------------


def education_unit() -> Any:
    from wspolnota.accounts.models import CityUnit

    code = getattr(settings, "SCHOOLS_EDUCATION_UNIT", "")
    return CityUnit.objects.filter(code=code).first() if code else None


def school_register(*, actor: User, name: str, kind: str, location: str) -> School:
    """A coordinator registers their school (youth centre, library); it waits for the city's
    education unit to confirm it, and the coordinator is its first team member."""
    if not permissions.can_register_school(actor):
        raise _deny()
    school = School(
        name=name.strip(),
        kind=kind,
        location=location.strip(),
        unit=education_unit(),
        registered_by=actor,
    )
    _validated(school)
    with transaction.atomic():
        school.save()
        SchoolMember.objects.create(school=school, user=actor, role=MemberRole.COORDINATOR)
        audit_log_append(
            actor=actor, action="schools.school_registered", obj=school, after=snapshot(school)
        )
    return school


def school_decide(*, actor: User, school: School, confirm: bool, reason: str = "") -> School:
    """The education unit confirms the school (it may then run budgets) or refuses it, with a
    reason the coordinator reads."""
    if not permissions.can_decide_school(actor, school):
        raise _deny()
    if not confirm and not reason.strip():
        raise SchoolsError(errors.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = School.objects.select_for_update().get(pk=school.pk)
        if locked.status != SchoolStatus.PENDING:
            raise SchoolsError(errors.SCHOOL_NOT_PENDING)
        before = snapshot(locked)
        locked.status = SchoolStatus.CONFIRMED if confirm else SchoolStatus.REFUSED
        locked.decision_reason = reason.strip()[:500]
        locked.decided_by = actor
        locked.save(update_fields=["status", "decision_reason", "decided_by", "updated_at"])
        audit_log_append(
            actor=actor,
            action="schools.school_confirmed" if confirm else "schools.school_refused",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
    school.refresh_from_db()
    return school


def school_member_add(*, actor: User, school: School, email: str, role: str) -> SchoolMember:
    """A coordinator adds a teacher (who has an account) to the panel or as a co-coordinator."""
    from wspolnota.accounts.models import User as UserModel

    if not permissions.can_manage_school(actor, school):
        raise _deny()
    user = UserModel.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise SchoolsError(errors.MEMBER_UNKNOWN, field="email")
    if SchoolMember.objects.filter(school=school, user=user).exists():
        raise SchoolsError(errors.MEMBER_EXISTS, field="email")
    member = SchoolMember(school=school, user=user, role=role)
    _validated(member)
    with transaction.atomic():
        member.save()
        audit_log_append(
            actor=actor,
            action="schools.member_added",
            obj=school,
            after={"user": user.pk, "role": role},
        )
    return member


# --- Editions ---------------------------------------------------------------------------------

# Templates a teacher starts from: (days of ideas, of checking, of voting), amount, ballot, rule.
TEMPLATES: dict[str, dict[str, Any]] = {
    "klasowy": {
        "label": _("Mały budżet: 2 000 zł, dwa tygodnie pomysłów, głosowanie przez 3 dni"),
        "amount": Decimal("2000"),
        "days": (14, 7, 3),
        "ballot_kind": SchoolBallotKind.APPROVAL,
        "approval_max": 2,
        "counting_rule": SchoolRule.GREEDY,
    },
    "szkolny": {
        "label": _("Budżet szkoły: 10 000 zł, ranking jak w Krakowie, głosowanie przez tydzień"),
        "amount": Decimal("10000"),
        "days": (21, 14, 7),
        "ballot_kind": SchoolBallotKind.KRAKOW,
        "approval_max": 3,
        "counting_rule": SchoolRule.GREEDY,
    },
    "rowne-udzialy": {
        "label": _("Budżet szkoły: 10 000 zł, metoda równych udziałów, do 3 pomysłów"),
        "amount": Decimal("10000"),
        "days": (21, 14, 7),
        "ballot_kind": SchoolBallotKind.APPROVAL,
        "approval_max": 3,
        "counting_rule": SchoolRule.EQUAL_SHARES,
    },
}


def edition_template_values(*, template: str, start: date) -> dict[str, Any]:
    """The form's starting values for a template, with phases from ``start`` (8:00 each day,
    the vote ending at 16:00)."""
    if template not in TEMPLATES:
        raise SchoolsError(errors.TEMPLATE_UNKNOWN, field="template")
    spec = TEMPLATES[template]
    ideas, checking, voting = spec["days"]
    tz = timezone.get_current_timezone()

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=tz)

    ideas_until = start + timedelta(days=ideas)
    vote_from = ideas_until + timedelta(days=checking)
    return {
        "title": str(_("Szkolny budżet obywatelski %(year)s") % {"year": start.year}),
        "amount": spec["amount"],
        "ballot_kind": spec["ballot_kind"],
        "approval_max": spec["approval_max"],
        "counting_rule": spec["counting_rule"],
        "ideas_from": at(start, 8),
        "ideas_until": at(ideas_until, 8),
        "checking_until": at(vote_from, 8),
        "vote_from": at(vote_from, 8),
        "vote_until": at(vote_from + timedelta(days=voting - 1), 16),
    }


def _check_setup(values: dict[str, Any]) -> None:
    if values["amount"] is None or values["amount"] <= 0:
        raise SchoolsError(errors.AMOUNT_POSITIVE, field="amount")
    order = [
        values["ideas_from"],
        values["ideas_until"],
        values["checking_until"],
    ]
    if not (order[0] < order[1] <= order[2] <= values["vote_from"] < values["vote_until"]):
        raise SchoolsError(errors.PHASES_ORDER, field="vote_until")


def school_edition_create(*, actor: User, school: School, **values: Any) -> SchoolEdition:
    """The coordinator sets up an edition (usually from a template's values): the amount, the
    phases, the ballot and the counting rule. The vote is a single-use code box."""
    if not permissions.can_manage_school(actor, school):
        raise _deny()
    _check_setup(values)
    with transaction.atomic():
        box = codes.code_box_open(
            kind=BoxKind.SCHOOL_BUDGET,
            title=f"{school.name}: {values['title']}"[:200],
            opens_at=values["vote_from"],
            closes_at=values["vote_until"],
        )
        edition = SchoolEdition(
            school=school,
            box=box,
            title=values["title"],
            amount=values["amount"],
            ballot_kind=values["ballot_kind"],
            approval_max=values.get("approval_max") or 3,
            counting_rule=values["counting_rule"],
            ideas_from=values["ideas_from"],
            ideas_until=values["ideas_until"],
            checking_until=values["checking_until"],
        )
        _validated(edition)
        edition.save()
        audit_log_append(
            actor=actor,
            action="schools.edition_created",
            obj=edition,
            after={**snapshot(edition), "vote_from": box.opens_at, "vote_until": box.closes_at},
        )
    return edition


def school_edition_update(
    *, actor: User, edition: SchoolEdition, at: datetime, **values: Any
) -> SchoolEdition:
    """Change the set-up until the vote opens; from then on the rules and dates are fixed."""
    if not permissions.can_change_edition_setup(actor, edition, at=at):
        if permissions.is_coordinator(actor, edition.school):
            raise SchoolsError(errors.SETUP_LOCKED)
        raise _deny()
    _check_setup(values)
    with transaction.atomic():
        before = snapshot(edition)
        for name in (
            "title",
            "amount",
            "ballot_kind",
            "approval_max",
            "counting_rule",
            "ideas_from",
            "ideas_until",
            "checking_until",
        ):
            setattr(edition, name, values[name])
        _validated(edition)
        edition.save()
        edition.box.opens_at = values["vote_from"]
        edition.box.closes_at = values["vote_until"]
        edition.box.save(update_fields=["opens_at", "closes_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="schools.edition_updated",
            obj=edition,
            before=before,
            after={**snapshot(edition), "vote_from": edition.box.opens_at},
        )
    return edition


# --- Ideas ------------------------------------------------------------------------------------


def idea_key(
    *,
    actor: User,
    edition: SchoolEdition,
    title: str,
    description: str,
    cost: Decimal,
    class_label: str = "",
    at: datetime,
) -> Idea:
    """A teacher keys a pupils' idea from paper or a class computer: no pupil's name, at most
    the class it came from."""
    if not permissions.can_key_idea(actor, edition, at=at):
        if permissions.is_team_member(actor, edition.school):
            raise SchoolsError(errors.IDEAS_CLOSED)
        raise _deny()
    if cost < 0 or cost > edition.amount:
        raise SchoolsError(errors.IDEA_COST, field="cost", params={"amount": edition.amount})
    with transaction.atomic():
        SchoolEdition.objects.select_for_update().get(pk=edition.pk)
        number = (Idea.objects.filter(edition=edition).aggregate(m=Max("number"))["m"] or 0) + 1
        idea = Idea(
            edition=edition,
            number=number,
            title=title.strip(),
            description=description.strip(),
            cost=cost,
            class_label=" ".join(class_label.split()),
            keyed_by=actor,
        )
        _validated(idea)
        idea.save()
        audit_log_append(actor=actor, action="schools.idea_keyed", obj=idea, after=snapshot(idea))
    return idea


def idea_check(*, actor: User, idea: Idea, accept: bool, reason: str, at: datetime) -> Idea:
    """The school panel puts the idea on the ballot or refuses it; the reason is public either
    way (as in the city's verification)."""
    if not permissions.can_check_idea(actor, idea.edition, at=at):
        if permissions.is_team_member(actor, idea.edition.school):
            raise SchoolsError(errors.CHECKING_CLOSED)
        raise _deny()
    reason = reason.strip()
    if not reason:
        raise SchoolsError(errors.REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        before = snapshot(locked)
        locked.status = IdeaStatus.ACCEPTED if accept else IdeaStatus.REJECTED
        locked.reason = reason[:2000]
        locked.checked_by = actor
        locked.save(update_fields=["status", "reason", "checked_by", "updated_at"])
        audit_log_append(
            actor=actor,
            action="schools.idea_checked",
            obj=locked,
            before=before,
            after=snapshot(locked),
            reason=reason,
        )
    idea.refresh_from_db()
    return idea


# --- Code sheets ------------------------------------------------------------------------------


def class_sheet_issue(
    *, actor: User, edition: SchoolEdition, label: str, size: int, at: datetime
) -> codes.IssuedSheet:
    """A sheet of ``size`` single-use codes for a class (created on first use)."""
    if not permissions.can_manage_codes(actor, edition, at=at):
        raise _deny()
    group = codes.code_group_add(box=edition.box, label=label)
    return codes.code_sheet_issue(actor=actor, group=group, size=size)


def class_sheet_reprint(
    *, actor: User, edition: SchoolEdition, sheet: CodeSheet, reason: str, at: datetime
) -> codes.IssuedSheet:
    """A lost sheet: void it (its unused codes are refused from now on) and print a new one."""
    if sheet.group.box_id != edition.box_id or not permissions.can_manage_codes(
        actor, edition, at=at
    ):
        raise _deny()
    return codes.code_sheet_reprint(actor=actor, sheet=sheet, reason=reason, at=at)


def class_sheet_void(
    *, actor: User, edition: SchoolEdition, sheet: CodeSheet, reason: str, at: datetime
) -> None:
    if sheet.group.box_id != edition.box_id or not permissions.can_manage_codes(
        actor, edition, at=at
    ):
        raise _deny()
    codes.code_sheet_void(actor=actor, sheet=sheet, reason=reason, at=at)


# --- The pupils' vote -------------------------------------------------------------------------


def ballot_ideas(edition: SchoolEdition) -> list[Idea]:
    return list(edition.ideas.filter(status=IdeaStatus.ACCEPTED).order_by("number"))


def school_ballot_validate(*, edition: SchoolEdition, picks: list[int]) -> list[int]:
    """The idea numbers of a ballot, in order (for the Kraków ballot: 3, 2 and 1 point)."""
    on_ballot = {i.number for i in ballot_ideas(edition)}
    if not on_ballot:
        raise SchoolsError(errors.NO_IDEAS)
    if not picks:
        raise SchoolsError(errors.PICKS_NONE)
    limit = (
        KRAKOW_PLACES if edition.ballot_kind == SchoolBallotKind.KRAKOW else edition.approval_max
    )
    if len(picks) > limit:
        raise SchoolsError(errors.PICKS_TOO_MANY, params={"max": limit})
    if len(set(picks)) != len(picks):
        raise SchoolsError(errors.PICKS_TWICE)
    if any(p not in on_ballot for p in picks):
        raise SchoolsError(errors.PICKS_UNKNOWN)
    if edition.ballot_kind == SchoolBallotKind.APPROVAL:
        return sorted(picks)
    return list(picks)


def school_vote_cast(*, edition: SchoolEdition, code: str, picks: list[int], at: datetime) -> None:
    """A pupil votes with a class code: the ballot is checked, then the code is spent and the
    choices sealed in one transaction (``codes.code_cast``)."""
    ideas = school_ballot_validate(edition=edition, picks=picks)
    codes.code_cast(box=edition.box, code=code, content={"ideas": ideas}, at=at)


# --- Counting and results ---------------------------------------------------------------------

# Greedy with a threshold of one vote (or point): an idea nobody chose is not funded just
# because money is left (Pabulib's plain ``greedy`` would fund it).
PB_RULE = {SchoolRule.GREEDY: "greedy-threshold", SchoolRule.EQUAL_SHARES: "equalshares/add1"}


def edition_instance(edition: SchoolEdition, *, result: SchoolResult | None = None) -> Any:
    """The edition as a votecount Instance: ideas on the ballot (ids: their numbers) and the
    ballots in the fixed order of their random keys. With ``result``, the published votes,
    score and selection too (the open-data file)."""
    from votecount import Ballot, Instance, Project

    ideas = ballot_ideas(edition)
    published: dict[str, dict[str, str]] = {}
    if result is not None:
        for idea in ideas:
            pid = str(idea.number)
            tally = result.tally.get(pid, {"votes": "0", "score": "0"})
            published[pid] = {
                "votes": str(tally["votes"]),
                "score": str(tally["score"]),
                "selected": "1" if pid in result.selected else "0",
            }
    projects = [
        Project(str(i.number), i.cost, i.title, published.get(str(i.number), {})) for i in ideas
    ]
    known = {str(i.number) for i in ideas}
    ballots: list[Any] = []
    for content in codes.code_ballots(box=edition.box):
        ids = [str(n) for n in content.get("ideas", []) if str(n) in known]
        if ids:
            ballots.append(Ballot.of(str(len(ballots) + 1), ids))
    krakow = edition.ballot_kind == SchoolBallotKind.KRAKOW
    meta = {
        "description": f"{edition.school.name}: {edition.title}",
        "unit": edition.school.name,
        "instance": str(timezone.localtime(edition.box.opens_at).year),
        "currency": "PLN",
        "min_length": "1",
        "max_length": str(KRAKOW_PLACES if krakow else edition.approval_max),
        "language": "pl",
    }
    if edition.counting_rule == SchoolRule.GREEDY:
        meta["min_project_score_threshold"] = "1"
    return Instance.build(
        budget=edition.amount,
        projects=projects,
        ballots=ballots,
        vote_type="ordinal" if krakow else "approval",
        rule=PB_RULE[SchoolRule(edition.counting_rule)],
        meta=meta,
    )


def _input_sha256(instance: Any) -> str:
    from votecount import write_pb

    return hashlib.sha256(write_pb(instance).encode()).hexdigest()


def school_results_publish(*, actor: User, edition: SchoolEdition, at: datetime) -> SchoolResult:
    """After the vote: close the box (the last envelopes mixed, the seal's salt erased), count
    with votecount once, with a lot seed drawn now and published, and publish. No recount."""
    import votecount
    from votecount import TiePolicy, count

    if not permissions.can_publish_results(actor, edition, at=at):
        if edition.published_at is not None:
            raise SchoolsError(errors.ALREADY_PUBLISHED)
        if permissions.is_coordinator(actor, edition.school) and at < edition.box.closes_at:
            raise SchoolsError(errors.NOT_ENDED)
        raise _deny()
    with transaction.atomic():
        locked = SchoolEdition.objects.select_for_update().get(pk=edition.pk)
        if locked.published_at is not None:
            raise SchoolsError(errors.ALREADY_PUBLISHED)
        codes.code_box_close(box=locked.box, at=at)
        instance = edition_instance(locked)
        seed = secrets.randbelow(2**31)
        default = count(instance, rule="from-file").options.ties
        policy = TiePolicy(default.criteria if default else (), seed=seed)
        outcome = count(instance, rule="from-file", ties=policy)
        points_of = instance.points_reader()
        votes = {pid: 0 for pid in instance.projects}
        score: dict[str, Any] = {pid: 0 for pid in instance.projects}
        for ballot in instance.ballots:
            for pid, pts in zip(ballot.projects, points_of(ballot), strict=True):
                votes[pid] += 1
                score[pid] += pts
        data = outcome.to_dict()
        result = SchoolResult.objects.create(
            edition=locked,
            rule=outcome.rule,
            options=outcome.options.to_json(),
            votecount_version=votecount.__version__,
            input_sha256=_input_sha256(instance),
            ballots=len(instance.ballots),
            seed=seed,
            selected=list(outcome.selected),
            tally={p: {"votes": str(votes[p]), "score": str(score[p])} for p in votes},
            explanations=data.get("explanations", {}),
            ties=data.get("ties", []),
        )
        locked.published_at = at
        locked.save(update_fields=["published_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="schools.results_published",
            obj=locked,
            after={"selected": result.selected, "ballots": result.ballots, "seed": seed},
        )
    edition.refresh_from_db()
    return result
