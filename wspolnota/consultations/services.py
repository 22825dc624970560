"""Writes of the consultations app. Every change made by an official or moderator is audit-logged."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from wspolnota.accounts.models import CityUnit, User
from wspolnota.communication.notifications import notify
from wspolnota.consultations import errors, permissions, selectors
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import (
    Consultation,
    Document,
    Meeting,
    OpinionMap,
    Participant,
    Question,
    Registration,
    Remark,
    Response,
    Section,
    Statement,
    StatementVote,
    Survey,
)
from wspolnota.consultations.opinionmap import pipeline, polis_io
from wspolnota.core.services import audit_log_append, snapshot
from wspolnota.territory.models import District
from wspolnota.territory.selectors import district_for_point


def _deny(allowed: bool) -> None:
    if not allowed:
        raise ConsultationsError(errors.NOT_ALLOWED, code="permission_denied")


# --- Consultations -------------------------------------------------------------------------------


def consultation_create(
    *,
    actor: User,
    title: str,
    summary: str,
    initiating_unit: CityUnit,
    legal_basis: str,
    information_from: date,
    starts_on: date,
    ends_on: date,
    forms: list[str],
    languages: list[str],
    citywide: bool = True,
    districts: list[District] | None = None,
    description: str = "",
    contact: str = "",
    expert_hours: str = "",
) -> Consultation:
    """An official plans a consultation; it stays a draft until announced."""
    _deny(permissions.can_create_consultation(actor))
    if ends_on < starts_on:
        raise ConsultationsError(errors.DATES_ORDER, field="ends_on")
    consultation = Consultation(
        title=title.strip(),
        summary=summary.strip(),
        description=description.strip(),
        initiating_unit=initiating_unit,
        legal_basis=legal_basis.strip(),
        information_from=min(information_from, starts_on),
        starts_on=starts_on,
        ends_on=ends_on,
        forms=sorted(set(forms)),
        languages=sorted(set(languages)) or ["pl"],
        citywide=citywide or not districts,
        contact=contact.strip(),
        expert_hours=expert_hours.strip(),
        created_by=actor,
    )
    consultation.full_clean()
    with transaction.atomic():
        consultation.save()
        if districts and not consultation.citywide:
            consultation.districts.set(districts)
        audit_log_append(
            actor=actor,
            action="consultations.created",
            obj=consultation,
            after=snapshot(consultation),
        )
    return consultation


def consultation_update(*, actor: User, consultation: Consultation, **fields: Any) -> Consultation:
    """Change the plan; once announced, the dates and forms are part of the public record too."""
    _deny(permissions.can_manage_consultation(actor, consultation))
    before = snapshot(consultation)
    districts = fields.pop("districts", None)
    for name, value in fields.items():
        setattr(consultation, name, value)
    if consultation.ends_on < consultation.starts_on:
        raise ConsultationsError(errors.DATES_ORDER, field="ends_on")
    consultation.information_from = min(consultation.information_from, consultation.starts_on)
    consultation.forms = sorted(set(consultation.forms))
    consultation.full_clean()
    with transaction.atomic():
        consultation.save()
        if districts is not None:
            consultation.districts.set([] if consultation.citywide else districts)
        audit_log_append(
            actor=actor,
            action="consultations.updated",
            obj=consultation,
            before=before,
            after=snapshot(consultation),
        )
    return consultation


def consultation_publish(
    *, actor: User, consultation: Consultation, override_reason: str = "", at: datetime
) -> Consultation:
    """Announce the consultation, which starts its information campaign.

    Kraków's rules are checked here: 7 days of notice, 21 days of consultation, three forms with
    an open meeting or workshop among them. An official may depart from them only with a written
    justification, which is published with the consultation and kept in the audit log.
    """
    _deny(permissions.can_manage_consultation(actor, consultation))
    if consultation.published_at is not None:
        raise ConsultationsError(errors.ALREADY_PUBLISHED)
    problems = selectors.consultation_rule_problems(consultation, at=at)
    reason = override_reason.strip()
    if problems and len(reason) < 20:
        raise ConsultationsError(
            " ".join([p.message for p in problems] + [str(errors.OVERRIDE_NEEDS_REASON)]),
            field="override_reason",
            code="rules",
        )
    before = snapshot(consultation)
    with transaction.atomic():
        consultation.published_at = at
        consultation.information_from = max(consultation.information_from, selectors.local_date(at))
        consultation.information_from = min(consultation.information_from, consultation.starts_on)
        consultation.rules_override_reason = reason if problems else ""
        consultation.save()
        audit_log_append(
            actor=actor,
            action="consultations.published_with_override"
            if problems
            else "consultations.published",
            obj=consultation,
            before=before,
            after=snapshot(consultation),
            reason="; ".join(p.code for p in problems) + (f": {reason}" if problems else ""),
        )
    return consultation


def document_add(
    *, actor: User, consultation: Consultation, title: str, text: str, link: str = ""
) -> Document:
    """Add a consulted document; blank lines split it into numbered sections for remarks."""
    _deny(permissions.can_manage_consultation(actor, consultation))
    parts = [p.strip() for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    with transaction.atomic():
        document = Document(consultation=consultation, title=title.strip(), link=link.strip())
        document.full_clean()
        document.save()
        Section.objects.bulk_create(
            Section(document=document, number=i, text=part) for i, part in enumerate(parts, 1)
        )
        audit_log_append(
            actor=actor,
            action="consultations.document_added",
            obj=document,
            after={**snapshot(document), "sections": len(parts)},
        )
    return document


# --- Meetings ------------------------------------------------------------------------------------


def meeting_add(
    *,
    actor: User,
    consultation: Consultation,
    kind: str,
    mode: str,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    capacity: int,
    accessibility: str = "",
) -> Meeting:
    _deny(permissions.can_manage_consultation(actor, consultation))
    if ends_at <= starts_at:
        raise ConsultationsError(errors.DATES_ORDER, field="ends_at")
    meeting = Meeting(
        consultation=consultation,
        kind=kind,
        mode=mode,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        capacity=capacity,
        accessibility=accessibility.strip(),
    )
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        audit_log_append(
            actor=actor, action="consultations.meeting_added", obj=meeting, after=snapshot(meeting)
        )
    return meeting


def meeting_minutes_save(*, actor: User, meeting: Meeting, minutes: str) -> Meeting:
    _deny(permissions.can_manage_consultation(actor, meeting.consultation))
    before = snapshot(meeting, fields=["minutes"])
    meeting.minutes = minutes.strip()
    with transaction.atomic():
        meeting.save(update_fields=["minutes", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.minutes_saved",
            obj=meeting,
            before=before,
            after=snapshot(meeting, fields=["minutes"]),
        )
    return meeting


def meeting_register(
    *, user: User, meeting: Meeting, needs: str = "", at: datetime
) -> Registration:
    """Sign up for a meeting; the row lock on the meeting keeps the capacity exact."""
    if not permissions.can_register_for_meeting(user, meeting, at=at):
        raise ConsultationsError(errors.MEETING_PAST)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if Registration.objects.filter(meeting=locked, user=user).exists():
            raise ConsultationsError(errors.ALREADY_REGISTERED)
        if Registration.objects.filter(meeting=locked).count() >= locked.capacity:
            raise ConsultationsError(errors.MEETING_FULL)
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    meeting=locked, user=user, needs=needs.strip()[:300]
                )
        except IntegrityError:
            raise ConsultationsError(errors.ALREADY_REGISTERED) from None
    return registration


def meeting_unregister(*, user: User, meeting: Meeting) -> None:
    Registration.objects.filter(meeting=meeting, user=user).delete()


def meeting_reminders_send(*, now: datetime, ahead: timedelta = timedelta(hours=24)) -> int:
    """Remind everyone registered for a meeting that starts within ``ahead``; once per meeting."""
    sent = 0
    due = Meeting.objects.filter(
        reminder_sent_at__isnull=True, starts_at__gt=now, starts_at__lte=now + ahead
    ).select_related("consultation")
    for meeting in due:
        with transaction.atomic():
            for registration in meeting.registrations.select_related("user"):
                notify(
                    recipient=registration.user,
                    kind="consultations.meeting_reminder",
                    subject_template="consultations/email/reminder_subject.txt",
                    body_template="consultations/email/reminder.txt",
                    context={"meeting": meeting, "consultation": meeting.consultation},
                )
                sent += 1
            meeting.reminder_sent_at = now
            meeting.save(update_fields=["reminder_sent_at"])
    return sent


# --- Remarks -------------------------------------------------------------------------------------


def _district_of(latitude: Decimal | None, longitude: Decimal | None) -> District | None:
    if latitude is None or longitude is None:
        return None
    district = district_for_point(lat=float(latitude), lon=float(longitude))
    if district is None:
        raise ConsultationsError(errors.OUTSIDE_CITY, field="latitude")
    return district


def remark_submit(
    *,
    author: User,
    consultation: Consultation,
    text: str,
    section: Section | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    at: datetime,
) -> Remark:
    """A resident's remark on the platform (on the document, a section, or a point on the map)."""
    if not permissions.can_participate(author, consultation, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    district = _district_of(latitude, longitude) if latitude is not None else author.district
    remark = Remark(
        consultation=consultation,
        author=author,
        channel=Remark.Channel.MAP if latitude is not None else Remark.Channel.PLATFORM,
        section=section
        if section and section.document.consultation_id == consultation.pk
        else None,
        latitude=latitude,
        longitude=longitude,
        district=district,
        text=text.strip(),
        received_on=selectors.local_date(at),
    )
    remark.full_clean()
    remark.save()
    return remark


def remark_enter(
    *,
    actor: User,
    consultation: Consultation,
    channel: str,
    text: str,
    author_name: str = "",
    received_on: date,
    section: Section | None = None,
    meeting: Meeting | None = None,
    district: District | None = None,
) -> Remark:
    """An official enters a remark received by e-mail, post, ePUAP, phone or at a meeting."""
    _deny(permissions.can_manage_consultation(actor, consultation))
    remark = Remark(
        consultation=consultation,
        author_name=author_name.strip(),
        channel=channel,
        text=text.strip(),
        received_on=received_on,
        section=section,
        meeting=meeting if meeting and meeting.consultation_id == consultation.pk else None,
        district=district,
        entered_by=actor,
    )
    remark.full_clean()
    with transaction.atomic():
        remark.save()
        audit_log_append(
            actor=actor, action="consultations.remark_entered", obj=remark, after=snapshot(remark)
        )
    return remark


def remark_answer(
    *, actor: User, remark: Remark, disposition: str, reason: str, at: datetime
) -> Remark:
    """Answer a remark: accepted, partly accepted, rejected or not applicable, always with a reason."""
    _deny(permissions.can_manage_consultation(actor, remark.consultation))
    if disposition not in Remark.Disposition.values or disposition == Remark.Disposition.PENDING:
        raise ConsultationsError(errors.REASON_REQUIRED, field="disposition")
    if len(reason.strip()) < 3:
        raise ConsultationsError(errors.REASON_REQUIRED, field="reason")
    before = snapshot(remark, fields=["disposition", "reason", "duplicate_of"])
    remark.disposition = disposition
    remark.reason = reason.strip()
    remark.answered_at = at
    remark.duplicate_of = None
    with transaction.atomic():
        remark.save()
        audit_log_append(
            actor=actor,
            action="consultations.remark_answered",
            obj=remark,
            before=before,
            after=snapshot(remark, fields=["disposition", "reason", "duplicate_of"]),
        )
    return remark


def remark_group_as_duplicate(*, actor: User, remark: Remark, original: Remark) -> Remark:
    """Group a remark under another one saying the same; it shares the original's answer."""
    _deny(permissions.can_manage_consultation(actor, remark.consultation))
    if original.pk == remark.pk or original.consultation_id != remark.consultation_id:
        raise ConsultationsError(errors.DUPLICATE_SELF, field="original")
    root = original.duplicate_of or original
    before = snapshot(remark, fields=["duplicate_of"])
    with transaction.atomic():
        remark.duplicate_of = root
        remark.save(update_fields=["duplicate_of", "updated_at"])
        Remark.objects.filter(duplicate_of=remark).update(duplicate_of=root)
        audit_log_append(
            actor=actor,
            action="consultations.remark_grouped",
            obj=remark,
            before=before,
            after=snapshot(remark, fields=["duplicate_of"]),
        )
    return remark


def remark_hide(*, actor: User, remark: Remark, reason: str, at: datetime) -> Remark:
    """A moderator hides an abusive remark; the reason stays in the audit log."""
    _deny(permissions.can_moderate_consultation(actor, remark.consultation))
    if len(reason.strip()) < 3:
        raise ConsultationsError(errors.HIDE_REASON_REQUIRED, field="reason")
    with transaction.atomic():
        remark.hidden_at = at
        remark.hidden_reason = reason.strip()[:300]
        remark.save(update_fields=["hidden_at", "hidden_reason", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.remark_hidden",
            obj=remark,
            before={"text": remark.text},
            after=snapshot(remark, fields=["hidden_at", "hidden_reason"]),
            reason=remark.hidden_reason,
        )
    return remark


# --- Surveys -------------------------------------------------------------------------------------

QUESTION_KINDS = {k.value for k in Question.Kind}


def _question_error(line: int, problem: Any, **params: Any) -> ConsultationsError:
    text = str(problem) % params if params else str(problem)
    return ConsultationsError(
        errors.QUESTION_LINE, field="questions", params={"line": line, "problem": text}
    )


def parse_questions(spec: str) -> list[dict[str, Any]]:
    """Questions written one per line: ``kind | question | option; option || row; row``."""
    questions = []
    for line_number, raw in enumerate(spec.replace("\r\n", "\n").split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue

        parts = [p.strip() for p in line.split("|", 2)]
        kind = parts[0].lower().rstrip("*")
        required = not parts[0].endswith("*")
        if kind not in QUESTION_KINDS:
            raise _question_error(line_number, errors.QUESTION_KIND, kind=parts[0])
        if len(parts) < 2 or not parts[1]:
            raise _question_error(line_number, errors.QUESTION_EMPTY)
        rest = parts[2] if len(parts) > 2 else ""
        options_part, _sep, rows_part = rest.partition("||")
        options = [o.strip() for o in options_part.split(";") if o.strip()]
        rows = [r.strip() for r in rows_part.split(";") if r.strip()]
        if kind in ("single", "multiple", "ranking", "matrix") and len(options) < 2:
            raise _question_error(line_number, errors.QUESTION_OPTIONS)
        if kind == "matrix" and not rows:
            raise _question_error(line_number, errors.QUESTION_ROWS)
        questions.append(
            {
                "kind": kind,
                "text": parts[1][:500],
                "options": options,
                "rows": rows,
                "required": required,
            }
        )
    if not questions:
        raise ConsultationsError(errors.NO_QUESTIONS, field="questions")
    return questions


def survey_create(
    *,
    actor: User,
    consultation: Consultation,
    title: str,
    intro: str,
    verified: bool,
    questions: str,
) -> Survey:
    _deny(permissions.can_manage_consultation(actor, consultation))
    parsed = parse_questions(questions)
    with transaction.atomic():
        survey = Survey(
            consultation=consultation, title=title.strip(), intro=intro.strip(), verified=verified
        )
        survey.full_clean()
        survey.save()
        Question.objects.bulk_create(
            Question(survey=survey, number=i, **q) for i, q in enumerate(parsed, start=1)
        )
        audit_log_append(
            actor=actor,
            action="consultations.survey_created",
            obj=survey,
            after={**snapshot(survey), "questions": parsed},
        )
    return survey


def _clean_answer(question: Question, value: Any) -> Any:
    empty = value in (None, "", []) or (isinstance(value, dict) and not any(value.values()))
    if empty:
        if question.required:
            raise ConsultationsError(errors.ANSWER_REQUIRED, field=f"q{question.pk}")
        return None
    ok = True
    if question.kind == "single":
        ok = value in question.options
    elif question.kind == "multiple":
        ok = isinstance(value, list) and all(v in question.options for v in value)
    elif question.kind == "scale":
        ok = str(value) in {"1", "2", "3", "4", "5"}
        value = int(value) if ok else value
    elif question.kind == "ranking":
        ok = isinstance(value, list) and sorted(value) == sorted(question.options)
    elif question.kind == "text":
        value = str(value).strip()[:2000]
    elif question.kind == "matrix":
        ok = isinstance(value, dict) and all(
            k in question.rows and v in question.options for k, v in value.items() if v
        )
        if ok and question.required and set(k for k, v in value.items() if v) != set(question.rows):
            raise ConsultationsError(errors.ANSWER_REQUIRED, field=f"q{question.pk}")
    if not ok:
        raise ConsultationsError(errors.ANSWER_INVALID, field=f"q{question.pk}")
    return value


def survey_respond(
    *, respondent: User | None, survey: Survey, answers: dict[int, Any], at: datetime
) -> Response:
    """Record one response; verified surveys take one per account, anonymous ones any visitor."""
    if survey.verified and respondent is None:
        raise ConsultationsError(errors.SURVEY_LOGIN)
    if not permissions.can_respond_to_survey(respondent, survey, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    cleaned = {}
    for question in survey.questions.all():
        value = _clean_answer(question, answers.get(question.pk))
        if value is not None:
            cleaned[str(question.pk)] = value
    keep = respondent if survey.verified or respondent is not None else None
    try:
        with transaction.atomic():
            return Response.objects.create(
                survey=survey,
                respondent=keep,
                district=getattr(respondent, "district", None),
                answers=cleaned,
            )
    except IntegrityError:
        raise ConsultationsError(errors.SURVEY_ANSWERED) from None


# --- Opinion map ---------------------------------------------------------------------------------


def _participant_for(user: User, consultation: Consultation) -> Participant:
    participant, _created = Participant.objects.get_or_create(consultation=consultation, user=user)
    return participant


def statement_submit(
    *, author: User, consultation: Consultation, text: str, at: datetime
) -> Statement:
    """A participant proposes a short statement; it waits for moderation before others see it."""
    if not permissions.can_participate(author, consultation, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    statement = Statement(
        consultation=consultation, author=_participant_for(author, consultation), text=text.strip()
    )
    statement.full_clean()
    statement.save()
    return statement


def statement_moderate(
    *, actor: User, statement: Statement, accept: bool, reason: str = ""
) -> Statement:
    _deny(permissions.can_moderate_consultation(actor, statement.consultation))
    if not accept and len(reason.strip()) < 3:
        raise ConsultationsError(errors.HIDE_REASON_REQUIRED, field="reason")
    before = snapshot(statement, fields=["status", "moderation_reason"])
    statement.status = Statement.Status.ACCEPTED if accept else Statement.Status.REJECTED
    statement.moderation_reason = reason.strip()[:300]
    with transaction.atomic():
        statement.save(update_fields=["status", "moderation_reason", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.statement_moderated",
            obj=statement,
            before=before,
            after=snapshot(statement, fields=["status", "moderation_reason"]),
            reason=statement.moderation_reason,
        )
        _enqueue_recompute(statement.consultation_id)
    return statement


def _enqueue_recompute(consultation_id: int) -> None:
    from wspolnota.consultations.tasks import recompute_opinion_map

    transaction.on_commit(lambda: recompute_opinion_map.enqueue(consultation_id=consultation_id))


def statement_vote(*, user: User, statement: Statement, choice: int, at: datetime) -> StatementVote:
    """Agree, disagree or pass; a second vote on the same statement replaces the first."""
    if not permissions.can_participate(user, statement.consultation, at=at):
        raise ConsultationsError(errors.NOT_OPEN)
    if statement.status != Statement.Status.ACCEPTED:
        raise ConsultationsError(errors.STATEMENT_NOT_ACCEPTED)
    if choice not in (-1, 0, 1):
        raise ConsultationsError(errors.ANSWER_INVALID, field="choice")
    participant = _participant_for(user, statement.consultation)
    with transaction.atomic():
        vote, _created = StatementVote.objects.update_or_create(
            statement=statement,
            participant=participant,
            defaults={"choice": choice, "voted_at": at},
        )
        _enqueue_recompute(statement.consultation_id)
    return vote


def _vote_log(consultation: Consultation) -> tuple[pipeline.VoteLog, set[int]]:
    rows = np.asarray(
        list(
            StatementVote.objects.filter(statement__consultation=consultation)
            .order_by("voted_at", "id")
            .values_list("participant_id", "statement_id", "choice")
        ),
        dtype=np.int64,
    ).reshape(-1, 3)
    log = pipeline.VoteLog()
    if len(rows):
        log.add_arrays(rows[:, 0], rows[:, 1], rows[:, 2])
    mod_out = set(
        Statement.objects.filter(consultation=consultation)
        .exclude(status=Statement.Status.ACCEPTED)
        .values_list("pk", flat=True)
    )
    return log, mod_out


def opinion_map_recompute(*, consultation: Consultation, now: datetime | None = None) -> OpinionMap:
    """Recompute the map from every vote, continuing from the stored state (run in the background).

    Skipped when no vote arrived since the last computation, so a burst of votes that enqueued
    many tasks costs one computation.
    """
    opinion_map, _created = OpinionMap.objects.get_or_create(consultation=consultation)
    votes = StatementVote.objects.filter(statement__consultation=consultation).count()
    moderated = Statement.objects.filter(consultation=consultation).aggregate(n=Count("id"))["n"]
    marker = votes * 100_000 + moderated
    if opinion_map.computed_at is not None and opinion_map.votes_counted == marker:
        return opinion_map
    log, mod_out = _vote_log(consultation)
    if len(log.participants) == 0:
        return opinion_map
    state = pipeline.OpinionState.from_json(opinion_map.state) if opinion_map.state else None
    new_state, result = pipeline.recompute(log, state, mod_out=mod_out)
    _store(opinion_map, new_state, result, marker, now or timezone.now())
    return opinion_map


def _store(
    opinion_map: OpinionMap,
    state: pipeline.OpinionState,
    result: pipeline.OpinionMapResult,
    marker: int,
    now: datetime,
) -> None:
    data = result.to_json()
    data["positions"] = {
        str(p): [round(float(x), 4), round(float(y), 4)]
        for p, (x, y) in zip(result.participants, result.positions, strict=True)
    }
    opinion_map.state = state.to_json()
    opinion_map.result = data
    opinion_map.votes_counted = marker
    opinion_map.computed_at = now
    opinion_map.save()


def opinion_map_import(
    *,
    actor: User,
    consultation: Consultation,
    comments_csv: str,
    votes_csv: str,
    now: datetime,
) -> OpinionMap:
    """Load a Polis export (comments.csv and votes.csv) into an empty opinion map.

    The votes are replayed in time order, recomputing as Polis did while the conversation ran, so
    the groups come out as Polis published them rather than from a single cold computation.
    """
    _deny(permissions.can_manage_consultation(actor, consultation))
    if consultation.statements.exists():
        raise ConsultationsError(errors.IMPORT_NOT_EMPTY)
    try:
        comments = polis_io.parse_comments(comments_csv)
        votes = polis_io.parse_votes(votes_csv)
    except polis_io.PolisFormatError as exc:
        raise ConsultationsError(
            errors.IMPORT_FILE,
            field="comments" if exc.file.startswith("comments") else "votes",
            params={"file": exc.file, "line": exc.line, "problem": exc.detail},
        ) from None
    known = {c.id for c in comments}
    for index, vote in enumerate(votes, start=2):
        if vote.statement not in known:
            raise ConsultationsError(
                errors.IMPORT_FILE,
                field="votes",
                params={
                    "file": "votes.csv",
                    "line": index,
                    "problem": f"comment-id {vote.statement}?",
                },
            )
    with transaction.atomic():
        people: dict[int, Participant] = {}
        for pid in sorted(
            {v.participant for v in votes} | {c.author for c in comments if c.author >= 0}
        ):
            people[pid] = Participant(consultation=consultation, external_id=str(pid))
        Participant.objects.bulk_create(people.values())
        status = {
            1: Statement.Status.ACCEPTED,
            0: Statement.Status.PENDING,
            -1: Statement.Status.REJECTED,
        }
        statements = {
            c.id: Statement(
                consultation=consultation,
                author=people.get(c.author),
                text=c.body[:280],
                status=status[c.moderated],
                external_id=str(c.id),
            )
            for c in comments
        }
        Statement.objects.bulk_create(statements.values())
        latest: dict[tuple[int, int], polis_io.PolisVote] = {}
        for vote in sorted(votes, key=lambda v: v.timestamp):
            latest[(vote.participant, vote.statement)] = vote
        StatementVote.objects.bulk_create(
            StatementVote(
                statement=statements[v.statement],
                participant=people[v.participant],
                choice=v.vote,
                voted_at=datetime.fromtimestamp(v.timestamp / 1000, tz=UTC),
            )
            for v in latest.values()
        )
        mod_out = {statements[c.id].pk for c in comments if c.moderated != 1}
        replay_votes = [
            (v.timestamp, people[v.participant].pk, statements[v.statement].pk, float(v.vote))
            for v in votes
        ]
        state, result, _log = pipeline.replay(replay_votes, mod_out=mod_out)
        opinion_map, _created = OpinionMap.objects.get_or_create(consultation=consultation)
        marker = len(latest) * 100_000 + len(statements)
        _store(opinion_map, state, result, marker, now)
        audit_log_append(
            actor=actor,
            action="consultations.opinion_map_imported",
            obj=consultation,
            after={"statements": len(statements), "participants": len(people), "votes": len(votes)},
        )
    return opinion_map


def opinion_map_export(*, consultation: Consultation) -> dict[str, str]:
    """comments.csv, votes.csv and participants-votes.csv in the Polis open-data format."""
    statements = list(
        Statement.objects.filter(consultation=consultation).select_related("author").order_by("id")
    )
    votes = list(
        StatementVote.objects.filter(statement__consultation=consultation)
        .order_by("voted_at", "id")
        .values("statement_id", "participant_id", "choice", "voted_at")
    )
    opinion_map = selectors.opinion_map_get(consultation=consultation)
    groups = (opinion_map.result.get("groups", {}) if opinion_map else {}) or {}
    moderated = {
        str(Statement.Status.ACCEPTED): 1,
        str(Statement.Status.PENDING): 0,
        str(Statement.Status.REJECTED): -1,
    }
    tally: dict[int, list[int]] = {s.pk: [0, 0] for s in statements}
    per_person: dict[int, dict[int, int]] = {}
    for v in votes:
        if v["choice"] == 1:
            tally[v["statement_id"]][0] += 1
        elif v["choice"] == -1:
            tally[v["statement_id"]][1] += 1
        per_person.setdefault(v["participant_id"], {})[v["statement_id"]] = v["choice"]
    authored: dict[int, int] = {}
    for s in statements:
        if s.author_id:
            authored[s.author_id] = authored.get(s.author_id, 0) + 1

    def stamp(moment: datetime) -> tuple[int, str]:
        return int(moment.timestamp() * 1000), moment.strftime("%a %b %d %H:%M:%S %Z %Y")

    comments_csv = polis_io.write_comments(
        {
            "timestamp": stamp(s.created_at)[0],
            "datetime": stamp(s.created_at)[1],
            "id": s.pk,
            "author": s.author_id if s.author_id is not None else "",
            "agrees": tally[s.pk][0],
            "disagrees": tally[s.pk][1],
            "moderated": moderated[s.status],
            "body": s.text,
        }
        for s in statements
    )
    votes_csv = polis_io.write_votes(
        {
            "timestamp": stamp(v["voted_at"])[0],
            "datetime": stamp(v["voted_at"])[1],
            "statement": v["statement_id"],
            "participant": v["participant_id"],
            "vote": v["choice"],
        }
        for v in votes
    )
    participants_csv = polis_io.write_participants_votes(
        [s.pk for s in statements],
        [
            {
                "id": pid,
                "group": groups.get(str(pid)),
                "n_comments": authored.get(pid, 0),
                "votes": choices,
            }
            for pid, choices in sorted(per_person.items())
        ],
    )
    return {
        "comments.csv": comments_csv,
        "votes.csv": votes_csv,
        "participants-votes.csv": participants_csv,
    }


# --- Report --------------------------------------------------------------------------------------


def report_publish(
    *, actor: User, consultation: Consultation, summary: str, at: datetime
) -> Consultation:
    """Publish the report once the consultation is over and every remark has its answer.

    Everyone who took part with an account is told ("you said, we did").
    """
    _deny(permissions.can_manage_consultation(actor, consultation))
    if consultation.report_published_at is not None:
        raise ConsultationsError(errors.REPORT_PUBLISHED)
    if selectors.consultation_phase(consultation, at=at) != "closed":
        raise ConsultationsError(errors.REPORT_TOO_EARLY)
    unanswered = selectors.remarks_unanswered(consultation=consultation)
    if unanswered:
        raise ConsultationsError(errors.REPORT_UNANSWERED, params={"count": unanswered})
    before = snapshot(consultation, fields=["report_summary", "report_published_at"])
    with transaction.atomic():
        consultation.report_summary = summary.strip()
        consultation.report_published_at = at
        consultation.save(update_fields=["report_summary", "report_published_at", "updated_at"])
        audit_log_append(
            actor=actor,
            action="consultations.report_published",
            obj=consultation,
            before=before,
            after=snapshot(consultation, fields=["report_summary", "report_published_at"]),
        )
        user_ids = set(
            Remark.objects.filter(consultation=consultation, author__isnull=False).values_list(
                "author_id", flat=True
            )
        )
        user_ids |= set(
            Response.objects.filter(
                survey__consultation=consultation, respondent__isnull=False
            ).values_list("respondent_id", flat=True)
        )
        user_ids |= set(
            Registration.objects.filter(meeting__consultation=consultation).values_list(
                "user_id", flat=True
            )
        )
        user_ids |= set(
            Participant.objects.filter(consultation=consultation, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        for user in User.objects.filter(pk__in=user_ids, is_active=True):
            notify(
                recipient=user,
                kind="consultations.report_published",
                subject_template="consultations/email/report_subject.txt",
                body_template="consultations/email/report.txt",
                context={"consultation": consultation},
            )
    return consultation
