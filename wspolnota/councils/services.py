"""Writes of the councils app: bodies and terms, seats, meetings and documents, votes,
resolutions and their publication, residents' questions, advisory opinions.

Every change made by an official, a councillor or a body's officer is audit-logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from wspolnota.communication.notifications import notify
from wspolnota.consultations.models import Consultation
from wspolnota.core.onbehalf import OnBehalf, act_fields
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.councils import errors, permissions
from wspolnota.councils.errors import CouncilsError
from wspolnota.councils.models import (
    ADVISORY_KINDS,
    Body,
    BodyKind,
    Committee,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Membership,
    Opinion,
    OpinionPosition,
    OpinionStatus,
    QuestionStatus,
    ResidentQuestion,
    Resolution,
    ResolutionStatus,
    SchoolElection,
    Term,
    Vote,
    VoteChoice,
    VoteKind,
    VoteRecord,
)
from wspolnota.territory.models import District

if TYPE_CHECKING:
    from wspolnota.accounts.models import CityUnit, User

ALLOWED_DOCUMENT_SUFFIXES = {".pdf", ".odt", ".docx", ".txt"}
MAX_DOCUMENT_MB = 20
# Kraków's district statutes give larger districts more councillors; the threshold is kept here
# so another city (or a new statute) changes one number. [check: the statute's exact rule]
LARGE_DISTRICT_POPULATION = 50_000


def _deny() -> CouncilsError:
    return CouncilsError(errors.NOT_ALLOWED, code="permission_denied")


def _today() -> date:
    return timezone.localdate()


def _require_manager(actor: User | None, body: Body, *parts: Any) -> None:
    """The actor runs ``body``, and every existing object passed along belongs to it (a record
    of another body is never changed through one's own)."""
    if actor is not None and not permissions.can_manage_body(actor, body, on=_today()):
        raise _deny()
    for part in parts:
        if part is not None and _body_id_of(part) != body.pk:
            raise _deny()


def _body_id_of(obj: Any) -> int | None:
    if isinstance(obj, Term):
        return obj.body_id
    if isinstance(obj, (Committee, Membership)):
        return obj.term.body_id
    return obj.body_id  # type: ignore[no-any-return]


def _clean(obj: Any, **kwargs: Any) -> None:
    try:
        obj.full_clean(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            name, messages = next(iter(exc.error_dict.items()))
            text = " ".join(str(m) for e in messages for m in e.messages)
            raise CouncilsError(text, field=None if name == "__all__" else name) from None
        raise CouncilsError(" ".join(exc.messages)) from None


def _audit(
    actor: User | None, action: str, obj: Any, before: dict[str, Any] | None, reason: str = ""
) -> None:
    audit_log_append(
        actor=actor,
        action=f"councils.{action}",
        obj=obj,
        before=before,
        after=snapshot(obj),
        reason=reason,
    )


# --- Bodies and terms -----------------------------------------------------------------------------


def _unique_slug(base: str) -> str:
    slug = slugify(base.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")))[:100]
    candidate, n = slug or "rada", 2
    while Body.objects.filter(slug=candidate).exists():
        candidate = f"{slug}-{n}"
        n += 1
    return candidate


def body_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    seats: int,
    district: District | None = None,
    city_unit: CityUnit | None = None,
    min_member_age: int | None = None,
    description: str = "",
    slug: str = "",
) -> Body:
    """Register a council or an advisory body (``actor=None`` for set-up commands): see
    ``permissions.can_create_body``."""
    if actor is not None and not permissions.can_create_body(actor, kind=kind, city_unit=city_unit):
        raise _deny()
    with transaction.atomic():
        body = Body(
            kind=kind,
            name=name.strip(),
            seats=seats,
            district=district,
            city_unit=city_unit,
            min_member_age=min_member_age,
            description=description,
            slug=slug or _unique_slug(name),
        )
        _clean(body)
        body.save()
        _audit(actor, "body_created", body, None)
    return body


def district_councils_create(*, actor: User | None, districts: list[District]) -> list[Body]:
    """One council per district that has none yet (idempotent)."""
    created = []
    for district in districts:
        if Body.objects.filter(kind=BodyKind.DISTRICT_COUNCIL, district=district).exists():
            continue
        created.append(
            body_create(
                actor=actor,
                kind=BodyKind.DISTRICT_COUNCIL,
                name=f"Rada Dzielnicy {district.roman} {district.name}",
                seats=21 if district.population >= LARGE_DISTRICT_POPULATION else 15,
                district=district,
                slug=f"rada-dzielnicy-{district.number}",
            )
        )
    return created


def term_create(
    *, actor: User | None, body: Body, name: str, starts_on: date, ends_on: date | None
) -> Term:
    _require_manager(actor, body)
    if ends_on is not None and ends_on <= starts_on:
        raise CouncilsError(errors.TERM_ENDS_BEFORE_START, field="ends_on")
    with transaction.atomic():
        Body.objects.select_for_update().only("id").get(pk=body.pk)
        overlapping = body.terms.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        if ends_on is not None:
            overlapping = overlapping.filter(starts_on__lte=ends_on)
        if overlapping.exists():
            raise CouncilsError(errors.TERM_OVERLAPS, field="starts_on")
        term = Term(body=body, name=name.strip(), starts_on=starts_on, ends_on=ends_on)
        _clean(term)
        term.save()
        _audit(actor, "term_created", term, None)
    return term


def school_election_record(
    *,
    actor: User | None,
    term: Term,
    school_name: str,
    held_on: date,
    eligible_voters: int,
    votes_cast: int,
    seats: int = 1,
) -> SchoolElection:
    """Record an election held in a school for the Youth Council of Kraków."""
    _require_manager(actor, term.body)
    if term.body.kind != BodyKind.YOUTH_COUNCIL:
        raise CouncilsError(errors.SCHOOL_ELECTION_WRONG_BODY)
    if votes_cast > eligible_voters:
        raise CouncilsError(errors.SCHOOL_ELECTION_TURNOUT, field="votes_cast")
    with transaction.atomic():
        election = SchoolElection(
            term=term,
            school_name=school_name.strip(),
            held_on=held_on,
            eligible_voters=eligible_voters,
            votes_cast=votes_cast,
            seats=seats,
        )
        _clean(election)
        election.save()
        _audit(actor, "school_election_recorded", election, None)
    return election


def _age_on(birth: date, day: date) -> int:
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def membership_add(
    *,
    actor: User | None,
    term: Term,
    person_name: str,
    role: str = "member",
    starts_on: date | None = None,
    user: User | None = None,
    constituency: str = "",
    school_election: SchoolElection | None = None,
    organisation_name: str = "",
    birth_date: date | None = None,
) -> Membership:
    """Give a seat in a term, checking the body's rules (seats, age, school, organisation)."""
    body = term.body
    _require_manager(actor, body)
    starts = starts_on or term.starts_on
    if starts < term.starts_on or (term.ends_on is not None and starts > term.ends_on):
        raise CouncilsError(
            errors.MEMBER_OUTSIDE_TERM,
            field="starts_on",
            params={"start": term.starts_on, "end": term.ends_on or "…"},
        )
    if body.min_member_age:
        if birth_date is None:
            raise CouncilsError(errors.MEMBER_BIRTH_DATE_REQUIRED, field="birth_date")
        if _age_on(birth_date, term.starts_on) < body.min_member_age:
            raise CouncilsError(
                errors.MEMBER_TOO_YOUNG, field="birth_date", params={"age": body.min_member_age}
            )
    if body.kind == BodyKind.YOUTH_COUNCIL and school_election is None:
        raise CouncilsError(errors.MEMBER_SCHOOL_REQUIRED, field="school_election")
    if body.kind == BodyKind.DIALOGUE_COMMISSION and not organisation_name.strip():
        raise CouncilsError(errors.MEMBER_ORGANISATION_REQUIRED, field="organisation_name")
    with transaction.atomic():
        Term.objects.select_for_update().only("id").get(pk=term.pk)
        active = term.memberships.filter(starts_on__lte=starts).exclude(ends_on__lt=starts)
        if active.count() >= body.seats:
            raise CouncilsError(errors.SEATS_FULL, params={"seats": body.seats})
        if school_election is not None:
            taken = active.filter(school_election=school_election).count()
            if taken >= school_election.seats:
                raise CouncilsError(
                    errors.MEMBER_SCHOOL_SEATS,
                    field="school_election",
                    params={"school": school_election.school_name, "seats": school_election.seats},
                )
        membership = Membership(
            term=term,
            person_name=person_name.strip(),
            user=user,
            role=role,
            constituency=constituency.strip(),
            school_election=school_election,
            organisation_name=organisation_name.strip(),
            birth_date=birth_date,
            starts_on=starts,
        )
        _clean(membership)
        membership.save()
        _audit(actor, "membership_added", membership, None)
    return membership


def membership_end(
    *, actor: User | None, membership: Membership, ends_on: date, reason: str
) -> Membership:
    """A seat ends early (resignation, death, loss of eligibility); the reason is public."""
    _require_manager(actor, membership.term.body)
    if membership.ends_on is not None and membership.ends_on < _today():
        raise CouncilsError(errors.MEMBER_ALREADY_ENDED)
    if ends_on < membership.starts_on:
        raise CouncilsError(errors.MEMBER_END_BEFORE_START, field="ends_on")
    with transaction.atomic():
        before = snapshot(membership)
        membership.ends_on = ends_on
        membership.end_reason = reason.strip()
        membership.save()
        _audit(actor, "membership_ended", membership, before, reason)
    return membership


def committee_save(
    *,
    actor: User | None,
    term: Term,
    committee: Committee | None,
    name: str,
    description: str,
    members: list[Membership],
    chair: Membership | None,
) -> Committee:
    _require_manager(actor, term.body, committee, chair, *members)
    if committee is not None and committee.term_id != term.pk:
        raise _deny()
    with transaction.atomic():
        before = snapshot(committee) if committee else None
        target = committee or Committee(term=term)
        target.name = name.strip()
        target.description = description
        target.chair = chair
        _clean(target)
        try:
            with transaction.atomic():
                target.save()
        except IntegrityError:
            raise CouncilsError(_committee_name_taken(), field="name") from None
        chosen = [m for m in members if m.term_id == term.pk]
        if chair is not None and chair not in chosen and chair.term_id == term.pk:
            chosen.append(chair)
        target.members.set(chosen)
        _audit(actor, "committee_saved", target, before)
    return target


def _committee_name_taken() -> Any:
    from django.utils.translation import gettext_lazy as _

    return _("Komisja o tej nazwie już istnieje w tej kadencji.")


def current_term(body: Body, on: date) -> Term | None:
    return (
        body.terms.filter(starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("-starts_on")
        .first()
    )


# --- Meetings and documents -----------------------------------------------------------------------

MEETING_FIELDS = (
    "committee",
    "number",
    "title",
    "starts_at",
    "location",
    "agenda",
    "status",
    "minutes",
    "recording_url",
    "is_public",
)


def meeting_save(
    *, actor: User | None, body: Body, meeting: Meeting | None, fields: dict[str, Any]
) -> Meeting:
    """Plan a meeting or record what happened (status, minutes, a link to the recording).

    Minutes are published the first time they are saved for a meeting that has taken place.
    """
    _require_manager(actor, body, meeting)
    with transaction.atomic():
        before = snapshot(meeting) if meeting else None
        target = meeting or Meeting(body=body)
        for name in MEETING_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if target.committee is not None and target.committee.term.body_id != body.pk:
            target.committee = None
        target.term = current_term(body, timezone.localtime(target.starts_at).date())
        if target.minutes.strip() and target.minutes_published_at is None:
            if target.starts_at > timezone.now():
                raise CouncilsError(errors.MEETING_MINUTES_BEFORE, field="minutes")
            target.minutes_published_at = timezone.now()
        _clean(target)
        target.save()
        _audit(actor, "meeting_created" if before is None else "meeting_updated", target, before)
    return target


def meeting_document_add(
    *,
    actor: User | None,
    meeting: Meeting,
    title: str,
    upload: UploadedFile[Any] | None = None,
    url: str = "",
) -> MeetingDocument:
    """Attach an agenda item, a draft or the minutes as a file or a link."""
    _require_manager(actor, meeting.body)
    if upload is None and not url.strip():
        raise CouncilsError(errors.DOCUMENT_FILE_OR_URL, field="upload")
    if upload is not None:
        if PurePath(upload.name or "").suffix.lower() not in ALLOWED_DOCUMENT_SUFFIXES:
            raise CouncilsError(errors.DOCUMENT_TYPE, field="upload")
        if (upload.size or 0) > MAX_DOCUMENT_MB * 1024 * 1024:
            raise CouncilsError(
                errors.DOCUMENT_TOO_LARGE, field="upload", params={"size": MAX_DOCUMENT_MB}
            )
    with transaction.atomic():
        document = MeetingDocument(meeting=meeting, title=title.strip(), url=url.strip())
        if upload is not None:
            document.file.save(PurePath(upload.name or "dokument").name, upload, save=False)
        _clean(document)
        document.save()
        # core's snapshot() cannot serialise a FieldFile, so the file is logged by its name
        audit_log_append(
            actor=actor,
            action="councils.document_added",
            obj=document,
            after={
                **snapshot(document, fields=["id", "meeting", "title", "url", "created_at"]),
                "file": document.file.name,
            },
        )
    return document


# --- Votes ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteCounts:
    votes_for: int
    votes_against: int
    abstentions: int


def members_on(body: Body, day: date) -> list[Membership]:
    return list(
        Membership.objects.filter(term__body=body, starts_on__lte=day)
        .exclude(ends_on__lt=day)
        .order_by("person_name", "id")
    )


def vote_record(
    *,
    actor: User | None,
    meeting: Meeting,
    subject: str,
    kind: str,
    resolution: Resolution | None = None,
    choices: dict[int, str] | None = None,
    counts: VoteCounts | None = None,
) -> Vote:
    """Record a vote. A roll-call vote takes every seated member's choice (by membership id)
    and its counts follow from them; open and secret votes take the counts only, so no one's
    secret ballot is ever stored. A motion passes with a quorum and more votes for than against.
    """
    body = meeting.body
    _require_manager(actor, body, resolution)
    if meeting.status != MeetingStatus.HELD and meeting.starts_at > timezone.now():
        raise CouncilsError(errors.VOTE_NOT_HELD)
    day = timezone.localtime(meeting.starts_at).date()
    seated = {m.pk: m for m in members_on(body, day)}
    records: list[tuple[Membership, str]] = []
    if kind == VoteKind.ROLL_CALL:
        choices = choices or {}
        unknown = set(choices) - set(seated)
        if unknown:
            raise CouncilsError(errors.VOTE_UNKNOWN_MEMBER)
        if set(seated) - set(choices) or any(c not in VoteChoice.values for c in choices.values()):
            raise CouncilsError(errors.VOTE_MISSING_MEMBERS)
        records = [(seated[pk], choice) for pk, choice in choices.items()]
        tally = VoteCounts(
            votes_for=sum(1 for _m, c in records if c == VoteChoice.FOR),
            votes_against=sum(1 for _m, c in records if c == VoteChoice.AGAINST),
            abstentions=sum(1 for _m, c in records if c == VoteChoice.ABSTAIN),
        )
    else:
        if counts is None:
            raise CouncilsError(errors.VOTE_COUNTS_REQUIRED, field="votes_for")
        tally = counts
    present = tally.votes_for + tally.votes_against + tally.abstentions
    if present > body.seats:
        raise CouncilsError(errors.VOTE_MORE_THAN_SEATS, params={"seats": body.seats})
    with transaction.atomic():
        vote = Vote.objects.create(
            meeting=meeting,
            resolution=resolution,
            subject=subject.strip(),
            kind=kind,
            votes_for=tally.votes_for,
            votes_against=tally.votes_against,
            abstentions=tally.abstentions,
            present=present,
            passed=present >= body.quorum and tally.votes_for > tally.votes_against,
        )
        VoteRecord.objects.bulk_create(
            VoteRecord(vote=vote, membership=m, choice=c) for m, c in records
        )
        _audit(actor, "vote_recorded", vote, None)
    return vote


# --- Resolutions ----------------------------------------------------------------------------------


def resolution_draft_save(
    *,
    actor: User | None,
    body: Body,
    resolution: Resolution | None,
    subject: str,
    text: str,
    meeting: Meeting | None = None,
) -> Resolution:
    """Write or change a draft resolution of a district council (drafts are not public)."""
    _require_manager(actor, body, resolution, meeting)
    if not body.is_district_council:
        raise CouncilsError(errors.RESOLUTIONS_ONLY_COUNCILS)
    if resolution is not None and resolution.status != ResolutionStatus.DRAFT:
        raise CouncilsError(
            errors.RESOLUTION_NOT_DRAFT, params={"status": resolution.get_status_display()}
        )
    with transaction.atomic():
        before = snapshot(resolution) if resolution else None
        target = resolution or Resolution(body=body)
        target.subject = subject.strip()
        target.text = text
        target.meeting = meeting if meeting is None or meeting.body_id == body.pk else None
        _clean(target)
        target.save()
        _audit(
            actor, "resolution_drafted" if before is None else "resolution_updated", target, before
        )
    return target


def resolution_publish(
    *,
    actor: User | None,
    resolution: Resolution,
    number: str,
    adopted_on: date,
    meeting: Meeting | None = None,
) -> Resolution:
    """Publish an adopted resolution with its number and date; from now on anyone can read it.

    Refused when a vote on it was recorded and did not pass, when the number is already used in
    this council, or when the text is empty. The publication is audit-logged.
    """
    _require_manager(actor, resolution.body)
    number = number.strip()
    if not number:
        raise CouncilsError(errors.RESOLUTION_NUMBER_REQUIRED, field="number")
    if adopted_on > _today():
        raise CouncilsError(errors.RESOLUTION_DATE_FUTURE, field="adopted_on")
    with transaction.atomic():
        locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if locked.status != ResolutionStatus.DRAFT:
            raise CouncilsError(
                errors.RESOLUTION_NOT_DRAFT, params={"status": locked.get_status_display()}
            )
        if not locked.text.strip():
            raise CouncilsError(errors.RESOLUTION_TEXT_REQUIRED, field="text")
        last_vote = locked.votes.order_by("-id").first()
        if last_vote is not None and not last_vote.passed:
            raise CouncilsError(errors.RESOLUTION_VOTE_NOT_PASSED)
        if (
            Resolution.objects.filter(body=locked.body, number=number)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise CouncilsError(
                errors.RESOLUTION_NUMBER_TAKEN, field="number", params={"number": number}
            )
        before = snapshot(locked)
        locked.number = number
        locked.adopted_on = adopted_on
        if meeting is not None and meeting.body_id == locked.body_id:
            locked.meeting = meeting
        locked.status = ResolutionStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor
        _clean(locked)
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise CouncilsError(
                errors.RESOLUTION_NUMBER_TAKEN, field="number", params={"number": number}
            ) from None
        _audit(actor, "resolution_published", locked, before)
    return locked


def resolution_not_adopted(*, actor: User | None, resolution: Resolution, on: date) -> Resolution:
    """The council voted a draft down; it stays on record, not published as a resolution."""
    _require_manager(actor, resolution.body)
    with transaction.atomic():
        locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if locked.status != ResolutionStatus.DRAFT:
            raise CouncilsError(
                errors.RESOLUTION_NOT_DRAFT, params={"status": locked.get_status_display()}
            )
        before = snapshot(locked)
        locked.status = ResolutionStatus.NOT_ADOPTED
        locked.status_changed_on = on
        locked.save()
        _audit(actor, "resolution_not_adopted", locked, before)
    return locked


def resolution_end(
    *, actor: User | None, resolution: Resolution, status: str, on: date, reason: str
) -> Resolution:
    """A published resolution is repealed by a later one or annulled by the supervisory body."""
    _require_manager(actor, resolution.body)
    if status not in (ResolutionStatus.REPEALED, ResolutionStatus.ANNULLED):
        raise CouncilsError(errors.RESOLUTION_NOT_PUBLISHED)
    if not reason.strip():
        raise CouncilsError(errors.RESOLUTION_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        locked = Resolution.objects.select_for_update().get(pk=resolution.pk)
        if locked.status != ResolutionStatus.PUBLISHED:
            raise CouncilsError(errors.RESOLUTION_NOT_PUBLISHED)
        before = snapshot(locked)
        locked.status = status
        locked.status_changed_on = on
        locked.status_reason = reason.strip()
        locked.save()
        _audit(actor, f"resolution_{status}", locked, before, reason.strip())
    return locked


# --- Residents' questions and motions -------------------------------------------------------------


def question_ask(
    *,
    user: User,
    body: Body,
    kind: str,
    subject: str,
    text: str,
    is_public: bool,
    at: datetime | None = None,
    on_behalf: OnBehalf | None = None,
    received_on: date | None = None,
) -> ResidentQuestion:
    """A resident asks a council a question or files a motion; the answer is due
    ``body.answer_days`` days after the question was received.

    ``on_behalf``: a question that came on paper, by phone or at a counter, recorded by a clerk
    for ``user`` (a person with or without an account): the same rules, the channel and the
    clerk recorded, the act audit-logged; the answer goes back the way the person chose.
    ``received_on`` is then the day it came in (default: today), not in the future and not
    before the start of the council's current term, and the deadline runs from it, not from
    the day it was keyed. Online the question is received the day it is asked.
    """
    if on_behalf is not None:
        if not permissions.can_record_question_for(on_behalf.clerk, body, on=_today()):
            raise _deny()
        if user.pk == on_behalf.clerk.pk:
            raise CouncilsError(errors.PERSON_REQUIRED, field="person")
    if not permissions.can_ask_question(user, body):
        raise _deny()
    submitted = timezone.localtime(at or timezone.now()).date()
    if on_behalf is not None and received_on is not None:
        _check_question_received(body, received_on, today=submitted)
        submitted = received_on
    question = ResidentQuestion(
        received_on=submitted,
        body=body,
        author=user,
        kind=kind,
        subject=subject.strip(),
        text=text.strip(),
        is_public=is_public,
        answer_due_on=submitted + timedelta(days=body.answer_days),
        **act_fields(on_behalf),
    )
    _clean(question)
    with transaction.atomic():
        question.save()
        if on_behalf is not None:
            _audit(on_behalf.clerk, "question_recorded", question, None)
    return question


def _check_question_received(body: Body, received_on: date, *, today: date) -> None:
    if received_on > today:
        raise CouncilsError(errors.QUESTION_RECEIVED_FUTURE, field="received_on")
    term = next(
        (t for t in body.terms.order_by("-starts_on") if t.is_current_on(today)),
        None,
    )
    if term is not None and received_on < term.starts_on:
        raise CouncilsError(
            errors.QUESTION_RECEIVED_BEFORE_TERM,
            field="received_on",
            params={"start": term.starts_on.strftime("%d.%m.%Y")},
        )


def _tell(
    *,
    recipient: User,
    kind: str,
    subject_template: str,
    body_template: str,
    context: dict[str, Any],
    key: str | None = None,
    sender_unit: CityUnit | None = None,
) -> None:
    """An account holder by the notification (e-mail); a person without an account kept by the
    city the way they chose (letter, voice call, SMS, e-mail) by ``reply_to_person``."""
    notify(
        recipient=recipient,
        kind=kind,
        subject_template=subject_template,
        body_template=body_template,
        context=context,
        key=key,
        sender_unit=sender_unit,
    )


def question_answer(*, actor: User, question: ResidentQuestion, answer: str) -> ResidentQuestion:
    """Answer a question; the author is told by e-mail, or, without an account, the way they
    chose (a letter, a voice call, an SMS)."""
    if not permissions.can_answer_question(actor, question, on=_today()):
        raise _deny()
    if not answer.strip():
        raise CouncilsError(errors.QUESTION_ANSWER_REQUIRED, field="answer")
    with transaction.atomic():
        locked = ResidentQuestion.objects.select_for_update().get(pk=question.pk)
        if locked.status != QuestionStatus.SUBMITTED:
            raise CouncilsError(errors.QUESTION_ALREADY_ANSWERED)
        before = snapshot(locked)
        locked.answer = answer.strip()
        locked.answered_by = actor
        locked.answered_at = timezone.now()
        locked.status = QuestionStatus.ANSWERED
        locked.save()
        _audit(actor, "question_answered", locked, before)
        _tell(
            recipient=locked.author,
            kind="councils.question_answered",
            subject_template="councils/email/question_answered_subject.txt",
            body_template="councils/email/question_answered.txt",
            context={"question": locked, "body": locked.body},
            key=f"councils.question_answered.{locked.pk}",
            sender_unit=locked.body.city_unit,
        )
    return locked


def question_hide(*, actor: User, question: ResidentQuestion, reason: str) -> ResidentQuestion:
    """A moderator hides an abusive question from the public list (the author still sees it)."""
    if not permissions.can_hide_question(actor, question):
        raise _deny()
    if not reason.strip():
        raise CouncilsError(errors.QUESTION_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        before = snapshot(question)
        question.status = QuestionStatus.HIDDEN
        question.hidden_reason = reason.strip()
        question.save()
        _audit(actor, "question_hidden", question, before, reason.strip())
    return question


# --- Opinions of advisory bodies ------------------------------------------------------------------

OPINION_FIELDS = (
    "draft_title",
    "draft_url",
    "consultation",
    "consultation_url",
    "requested_by",
    "requested_on",
    "due_on",
    "meeting",
)


def opinion_save(
    *, actor: User | None, body: Body, opinion: Opinion | None, fields: dict[str, Any]
) -> Opinion:
    """Register a city draft sent to an advisory body for its opinion."""
    _require_manager(actor, body, opinion)
    if body.kind not in ADVISORY_KINDS:
        raise CouncilsError(errors.OPINION_ONLY_ADVISORY)
    if opinion is not None and opinion.status == OpinionStatus.ADOPTED:
        raise CouncilsError(errors.OPINION_ALREADY_ADOPTED)
    with transaction.atomic():
        before = snapshot(opinion) if opinion else None
        target = opinion or Opinion(body=body)
        for name in OPINION_FIELDS:
            if name in fields:
                setattr(target, name, fields[name])
        if target.meeting is not None and target.meeting.body_id != body.pk:
            target.meeting = None
        _opinion_link_consultation(target, was=before.get("consultation_id") if before else None)
        _clean(target)
        target.save()
        _audit(actor, "opinion_registered" if before is None else "opinion_updated", target, before)
    return target


def consultation_pk_from_url(url: str) -> int | None:
    """The id of the consultation whose page on this site ``url`` points at, or ``None``.

    Accepts a path (``/pl/konsultacje/12/``, with or without a language prefix, any sub-page)
    or a full address on this site's own host (``SITE_URL``); any other host is external.
    """
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc:
        own = urlsplit(settings.SITE_URL)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != own.netloc.lower():
            return None
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[0] in {code for code, _name in settings.LANGUAGES}:
        segments = segments[1:]
    if len(segments) >= 2 and segments[0] == "konsultacje" and segments[1].isdigit():
        return int(segments[1])
    return None


def _opinion_link_consultation(opinion: Opinion, *, was: Any) -> None:
    """A consultation on this platform is linked by its record, never by a typed address: an
    address pasted for one becomes the link; what is left must be an external https:// page.
    A newly chosen consultation must have been announced (a draft has no public page)."""
    url = (opinion.consultation_url or "").strip()
    opinion.consultation_url = url
    if url:
        pk = consultation_pk_from_url(url)
        if pk is not None:
            found = Consultation.objects.filter(pk=pk, published_at__isnull=False).first()
            if found is None:
                raise CouncilsError(errors.OPINION_CONSULTATION_URL, field="consultation_url")
            opinion.consultation = found
            opinion.consultation_url = ""
        elif not url.startswith("https://"):
            raise CouncilsError(errors.OPINION_CONSULTATION_URL, field="consultation_url")
    consultation = opinion.consultation
    if consultation is not None and consultation.pk != was and consultation.published_at is None:
        raise CouncilsError(errors.OPINION_CONSULTATION_NOT_ANNOUNCED, field="consultation")


def opinion_adopt(
    *,
    actor: User | None,
    opinion: Opinion,
    position: str,
    text: str,
    adopted_on: date,
    meeting: Meeting | None = None,
) -> Opinion:
    """The body adopts its opinion; it becomes public with its position and text."""
    _require_manager(actor, opinion.body)
    if position not in OpinionPosition.values:
        raise CouncilsError(errors.OPINION_POSITION_REQUIRED, field="position")
    if position != OpinionPosition.NONE and not text.strip():
        raise CouncilsError(errors.OPINION_TEXT_REQUIRED, field="text")
    with transaction.atomic():
        locked = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if locked.status == OpinionStatus.ADOPTED:
            raise CouncilsError(errors.OPINION_ALREADY_ADOPTED)
        before = snapshot(locked)
        locked.position = position
        locked.text = text.strip()
        locked.adopted_on = adopted_on
        locked.status = OpinionStatus.ADOPTED
        if meeting is not None and meeting.body_id == locked.body_id:
            locked.meeting = meeting
        locked.save()
        _audit(actor, "opinion_adopted", locked, before)
    return locked
