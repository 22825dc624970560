"""Youth consultations by single-use class codes (issue 22): an official of the consultation's
unit opens a survey to pupils, prints a class's sheet of cut-out cards (the PDF read back: the
codes, the survey's address), and pupils answer without an account. Each code answers once; a
voided sheet's codes, another survey's codes and codes outside the survey's period are refused;
the answers name nobody, only the class counts, so turnout per class is shown to the official
and in the report. The codes are the schools app's (``schools.codes``), not a second mechanism."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.consultations import class_codes, selectors, services
from wspolnota.consultations.documents import survey_code_url
from wspolnota.consultations.errors import ConsultationsError
from wspolnota.consultations.models import Consultation, Response, SurveyCodes
from wspolnota.consultations.tests.factories import ConsultationFactory
from wspolnota.core.models import AuditLogEntry
from wspolnota.schools import errors as code_errors
from wspolnota.schools.errors import SchoolsError
from wspolnota.schools.models import BoxKind, CodeBallot, CodeEnvelope, CodeSheet, VoteCode
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.qr import qr_codes_in_pdf
from wspolnota.tests_support.scopes import official_of, with_role

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _pdf_text(pdf: bytes, *options: str) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF back")
    return subprocess.run(
        ["pdftotext", *(options or ("-layout",)), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def _survey(**consultation):
    unit = CityUnitFactory()
    official = official_of(unit)
    c = ConsultationFactory(initiating_unit=unit, created_by=official, **consultation)
    survey = services.survey_create(
        actor=official,
        consultation=c,
        title="Jak ma wyglądać boisko przy szkole?",
        intro="",
        verified=False,
        questions=(
            "single | Co jest najważniejsze? | zieleń; boisko; ławki\n"
            "text* | Co jeszcze? (nieobowiązkowe)"
        ),
    )
    return official, c, survey


def _answer(survey, option="boisko", text=""):
    first, second = survey.questions.all()
    return {first.pk: option, second.pk: text}


def _form(survey, code, option="boisko"):
    first, _second = survey.questions.all()
    return {"code": code, f"q{first.pk}": option}


def _opened(official, survey, label="SP 12 – 5b", size=4):
    class_codes.class_codes_open(actor=official, survey=survey, at=timezone.now())
    return class_codes.class_sheet_issue(
        actor=official, survey=survey, label=label, size=size, at=timezone.now()
    )


def _end(consultation):
    today = timezone.localdate()
    Consultation.objects.filter(pk=consultation.pk).update(
        information_from=today - timedelta(days=40),
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=1),
    )
    consultation.refresh_from_db()


# --- Through the pages ---------------------------------------------------------------------------


def test_an_official_opens_a_survey_to_pupils_who_answer_with_class_codes(client):
    official, consultation, survey = _survey()
    client.force_login(official)
    office = reverse("consultations:class_codes", args=[consultation.pk, survey.pk])
    assert client.get(office).status_code == 200
    assert client.post(office, {"action": "open"}).status_code == 302
    codes_of = SurveyCodes.objects.get(survey=survey)
    assert codes_of.box.kind == BoxKind.YOUTH_CONSULTATION

    response = client.post(office, {"action": "sheet", "label": "SP 12 – 5b", "size": "4"})
    assert response["Content-Type"] == "application/pdf", response.content.decode()[:2000]
    text = _pdf_text(response.content)
    codes = CODE.findall(text)
    assert len(codes) == 4 and len(set(codes)) == 4
    answer_path = reverse("consultations:survey_by_code", args=[consultation.pk, survey.pk])
    # each card: the class, and the survey's address (the QR code carries the same)
    flowing = "".join(_pdf_text(response.content, "-raw").split())
    assert flowing.count(answer_path) == 4, flowing[:1000]
    decoded = qr_codes_in_pdf(response.content)
    assert decoded == [survey_code_url(survey)] * 4 and not any(c in decoded[0] for c in codes)
    assert text.count("5b") >= 4

    # a pupil answers without an account
    client.logout()
    page = client.get(answer_path)
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    done = client.post(answer_path, _form(survey, codes[0].lower().replace("-", " ")))
    assert done.status_code == 200 and done.context["done"], done.content.decode()[:3000]
    # the same code again is refused, with a message a child understands
    again = client.post(answer_path, _form(survey, codes[0], option="zieleń"))
    assert again.status_code == 400 and "już użyty" in again.content.decode()
    assert client.post(answer_path, _form(survey, codes[1], option="zieleń")).context["done"]
    # nothing lands in the survey's ordinary responses (those may hold an account)
    assert not Response.objects.filter(survey=survey).exists()

    # turnout per class is shown to the official
    client.force_login(official)
    html = client.get(office).content.decode()
    assert "SP 12 – 5b" in html
    assert [(t.label, t.used, t.issued) for t in selectors.class_turnout(survey=survey)] == [
        ("SP 12 – 5b", 2, 4)
    ]

    # after the consultation the box is closed and the answers counted in the results and the
    # report, with the turnout per class
    _end(consultation)
    close = reverse("consultations:class_codes_close", args=[consultation.pk, survey.pk])
    assert client.post(close).status_code == 302
    codes_of.box.refresh_from_db()
    assert codes_of.box.closed and codes_of.box.envelope_salt == ""
    (first, _second) = selectors.survey_results(survey=survey)
    assert dict((label, n) for label, _share, n in first.rows) == {
        "zieleń": 1,
        "boisko": 1,
        "ławki": 0,
    }
    report = client.get(reverse("consultations:report", args=[consultation.pk]))
    html = report.content.decode()
    assert report.status_code == 200
    assert "SP 12 – 5b" in html and "Frekwencja" in html
    assert selectors.report_data(consultation=consultation).responses == 2
    # the official's acts are audit-logged
    actions = list(AuditLogEntry.objects.values_list("action", flat=True))
    assert "consultations.class_codes_opened" in actions
    assert "schools.code_sheet_issued" in actions
    assert "consultations.class_codes_closed" in actions


def test_a_lost_sheet_is_voided_and_reprinted_on_its_page(client):
    official, consultation, survey = _survey()
    lost = _opened(official, survey, size=3)
    class_codes.answer_with_code(
        survey=survey, code=lost.codes[0], answers=_answer(survey), at=timezone.now()
    )
    client.force_login(official)
    office = reverse("consultations:class_codes", args=[consultation.pk, survey.pk])
    void_page = reverse(
        "consultations:class_sheet_void", args=[consultation.pk, survey.pk, lost.sheet.pk]
    )
    assert void_page in client.get(office).content.decode()
    assert client.get(void_page).status_code == 200
    response = client.post(void_page, {"reason": "arkusz zgubiony", "reprint": "on"})
    assert response["Content-Type"] == "application/pdf"
    reprinted = CODE.findall(_pdf_text(response.content))
    assert len(reprinted) == 2 and not set(reprinted) & set(lost.codes)

    client.logout()
    answer_path = reverse("consultations:survey_by_code", args=[consultation.pk, survey.pk])
    for code in lost.codes[1:]:
        refused = client.post(answer_path, _form(survey, code))
        assert refused.status_code == 400 and "unieważniony" in refused.content.decode()
    assert client.post(answer_path, _form(survey, reprinted[0])).context["done"]
    actions = list(AuditLogEntry.objects.values_list("action", flat=True))
    assert actions.count("schools.code_sheet_voided") == 1
    entry = AuditLogEntry.objects.get(action="schools.code_sheet_voided")
    assert entry.actor_id == official.pk


# --- The codes' rules ----------------------------------------------------------------------------


def test_each_code_answers_once_and_an_invalid_answer_does_not_spend_it():
    official, _c, survey = _survey()
    issued = _opened(official, survey)
    code = issued.codes[0]
    with pytest.raises(ConsultationsError):  # a required question left empty
        class_codes.answer_with_code(
            survey=survey, code=code, answers=_answer(survey, option=""), at=timezone.now()
        )
    with pytest.raises(ConsultationsError):  # not an option of the question
        class_codes.answer_with_code(
            survey=survey, code=code, answers=_answer(survey, option="basen"), at=timezone.now()
        )
    class_codes.answer_with_code(
        survey=survey, code=code, answers=_answer(survey), at=timezone.now()
    )
    with pytest.raises(SchoolsError) as exc:
        class_codes.answer_with_code(
            survey=survey, code=code, answers=_answer(survey), at=timezone.now()
        )
    assert exc.value.message == code_errors.CODE_USED
    assert CodeEnvelope.objects.count() + CodeBallot.objects.count() == 1


def test_codes_outside_the_surveys_period_are_refused():
    official, consultation, survey = _survey()
    issued = _opened(official, survey)
    code = issued.codes[0]
    start = timezone.make_aware(datetime.combine(consultation.starts_on, time.min))
    end = timezone.make_aware(datetime.combine(consultation.ends_on + timedelta(days=1), time.min))
    for at, message in (
        (start - timedelta(minutes=1), code_errors.BOX_NOT_OPEN),
        (end, code_errors.BOX_CLOSED),
        (end + timedelta(days=3), code_errors.BOX_CLOSED),
    ):
        with pytest.raises(SchoolsError) as exc:
            class_codes.answer_with_code(survey=survey, code=code, answers=_answer(survey), at=at)
        assert exc.value.message == message
    assert not VoteCode.objects.filter(used=True).exists()
    # the first minute of the period counts, and so does the last
    class_codes.answer_with_code(survey=survey, code=code, answers=_answer(survey), at=start)
    last_second = end - timedelta(seconds=1)
    class_codes.answer_with_code(
        survey=survey, code=issued.codes[1], answers=_answer(survey), at=last_second
    )
    assert VoteCode.objects.filter(used=True).count() == 2


def test_the_codes_follow_a_change_of_the_consultations_dates():
    """The survey's period is the consultation's: extended after the sheets were printed, the
    codes work in the extra days; the box is not a second, stale calendar."""
    official, consultation, survey = _survey()
    code = _opened(official, survey).codes[0]
    Consultation.objects.filter(pk=consultation.pk).update(
        ends_on=consultation.ends_on + timedelta(days=10)
    )
    survey.consultation.refresh_from_db()
    late = timezone.now() + timedelta(days=25)  # after the old end, before the new one
    class_codes.answer_with_code(survey=survey, code=code, answers=_answer(survey), at=late)


def test_a_draft_consultations_codes_do_not_answer():
    official, _consultation, survey = _survey(published_at=None)
    code = _opened(official, survey).codes[0]
    with pytest.raises(ConsultationsError):
        class_codes.answer_with_code(
            survey=survey, code=code, answers=_answer(survey), at=timezone.now()
        )
    assert not VoteCode.objects.filter(used=True).exists()


def test_a_code_of_another_survey_is_refused():
    official, _c, survey = _survey()
    other_official, _oc, other = _survey()
    foreign = _opened(other_official, other).codes[0]
    _opened(official, survey)
    with pytest.raises(SchoolsError) as exc:
        class_codes.answer_with_code(
            survey=survey, code=foreign, answers=_answer(survey), at=timezone.now()
        )
    assert exc.value.message == code_errors.CODE_UNKNOWN
    class_codes.answer_with_code(
        survey=other, code=foreign, answers=_answer(other), at=timezone.now()
    )


def test_a_survey_without_class_codes_takes_no_code(client):
    _official, consultation, survey = _survey()
    with pytest.raises(ConsultationsError):
        class_codes.answer_with_code(
            survey=survey, code="ABCD-2345", answers=_answer(survey), at=timezone.now()
        )
    answer_path = reverse("consultations:survey_by_code", args=[consultation.pk, survey.pk])
    assert client.get(answer_path).status_code == 404


def test_the_answers_name_nobody_and_the_codes_are_only_hashes(
    django_capture_on_commit_callbacks, settings
):
    settings.SCHOOLS_MIX_BATCH = 2
    official, consultation, survey = _survey()
    issued = _opened(official, survey, size=4)
    with django_capture_on_commit_callbacks(execute=True):
        for code in issued.codes[:2]:
            class_codes.answer_with_code(
                survey=survey,
                code=code,
                answers=_answer(survey, text="więcej drzew"),
                at=timezone.now(),
            )
    ballots = list(CodeBallot.objects.values_list("content", flat=True))
    assert len(ballots) == 2  # the mixer ran on a full batch
    for content in ballots:
        assert set(content) == {"a"}
    dump = []
    with connection.cursor() as cursor:
        for table in (
            "schools_votecode",
            "schools_codesheet",
            "schools_codegroup",
            "schools_codebox",
            "schools_codeballot",
            "consultations_surveycodes",
            "core_auditlogentry",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            dump.append(json.dumps(cursor.fetchall(), default=str))
    text = " ".join(dump).upper()
    for code in issued.codes:
        assert code not in text and code.replace("-", "") not in text
    _end(consultation)
    class_codes.class_codes_close(actor=official, survey=survey, at=timezone.now())
    assert [r.texts for r in selectors.survey_results(survey=survey)][1] == [
        "więcej drzew",
        "więcej drzew",
    ]


def test_the_report_closes_the_codes_and_counts_every_answer():
    """Answers still sealed in envelopes (fewer than a mixing batch) are counted when the report
    is published: publishing closes the box first."""
    official, consultation, survey = _survey()
    issued = _opened(official, survey, size=2)
    class_codes.answer_with_code(
        survey=survey, code=issued.codes[0], answers=_answer(survey), at=timezone.now()
    )
    assert CodeEnvelope.objects.count() == 1
    _end(consultation)
    services.report_publish(
        actor=official, consultation=consultation, summary="Dziękujemy.", at=timezone.now()
    )
    assert CodeEnvelope.objects.count() == 0
    data = selectors.report_data(consultation=consultation)
    assert data.responses == 1
    assert [(t.label, t.used) for _s, rows in data.class_turnout for t in rows] == [
        ("SP 12 – 5b", 1)
    ]


# --- Who may do what (role × scope × phase × action) ---------------------------------------------

PERSONAS = {
    "official_of_unit": True,
    "administrator": True,
    "official_of_another_unit": False,
    "moderator": False,
    "resident": False,
    "anonymous": False,
}


def _persona(name, unit):
    if name == "official_of_unit":
        return official_of(unit)
    if name == "official_of_another_unit":
        return official_of(CityUnitFactory())
    if name == "resident":
        return UserFactory()
    if name == "anonymous":
        return None
    return with_role(Role(name))


PHASES = {
    # phase: (starts in days, ends in days, published)
    "draft": (10, 40, False),
    "announced": (3, 30, True),
    "open": (-5, 20, True),
    "closed": (-30, -1, True),
}


@pytest.mark.parametrize("phase", sorted(PHASES))
@pytest.mark.parametrize("action", ["open", "sheet", "void", "close", "office"])
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_who_runs_the_class_codes(persona, action, phase, client):
    starts, ends, published = PHASES[phase]
    today = timezone.localdate()
    official, consultation, survey = _survey(
        information_from=today + timedelta(days=starts - 14),
        starts_on=today + timedelta(days=starts),
        ends_on=today + timedelta(days=ends),
        published_at=timezone.now() - timedelta(days=20) if published else None,
    )
    if phase == "closed":
        # the sheets were printed while it was open
        Consultation.objects.filter(pk=consultation.pk).update(ends_on=today + timedelta(days=1))
        consultation.refresh_from_db()
        issued = _opened(official, survey)
        Consultation.objects.filter(pk=consultation.pk).update(ends_on=today + timedelta(days=ends))
        consultation.refresh_from_db()
        survey.consultation.refresh_from_db()
    else:
        issued = _opened(official, survey)
    actor = _persona(persona, consultation.initiating_unit)
    now = timezone.now()
    run = {
        "open": lambda: class_codes.class_codes_open(actor=actor, survey=survey, at=now),
        "sheet": lambda: class_codes.class_sheet_issue(
            actor=actor, survey=survey, label="6a", size=2, at=now
        ),
        "void": lambda: class_codes.class_sheet_void(
            actor=actor, survey=survey, sheet=issued.sheet, reason="zgubiony", at=now
        ),
        "close": lambda: class_codes.class_codes_close(actor=actor, survey=survey, at=now),
        "office": None,
    }[action]
    allowed_role = PERSONAS[persona]
    # printing and voiding until the consultation ends; closing only after it
    allowed_phase = (phase == "closed") if action == "close" else (phase != "closed")
    if action == "office":
        allowed_phase = True
    allowed = allowed_role and allowed_phase
    if actor is not None:
        client.force_login(actor)
    office = client.get(reverse("consultations:class_codes", args=[consultation.pk, survey.pk]))
    void_page = client.get(
        reverse(
            "consultations:class_sheet_void", args=[consultation.pk, survey.pk, issued.sheet.pk]
        )
    )
    if allowed_role:
        assert office.status_code == 200
    elif actor is None:
        assert office.status_code in (302, 404)
        assert void_page.status_code in (302, 404)
    else:
        assert office.status_code in (403, 404)  # 404: a draft is not visible to them at all
        assert void_page.status_code in (403, 404)
    if run is None:
        return
    if allowed:
        run()
    else:
        with pytest.raises((ConsultationsError, SchoolsError)):
            run()
        issued.sheet.refresh_from_db()
        assert issued.sheet.voided_at is None
        assert CodeSheet.objects.count() == 1
