"""Attack tests on the single-use class codes (issue 22): each code votes once, a voided sheet's
codes and another school's codes are refused, the codes exist only as keyed hashes, and no
ballot can be tied to its code."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from wspolnota.schools import codes, errors, services
from wspolnota.schools.errors import SchoolsError
from wspolnota.schools.models import (
    BoxKind,
    CodeBallot,
    CodeEnvelope,
    CodeSheet,
    VoteCode,
)
from wspolnota.schools.tests.factories import confirmed_school, edition_in, ideas_on_ballot

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting():
    school, coordinator, _panel = confirmed_school()
    edition = edition_in(school, coordinator, "ideas")
    ideas_on_ballot(edition, coordinator, [300, 400, 500])
    from wspolnota.schools.tests.factories import move_to

    move_to(edition, "voting")
    return edition, coordinator


def _sheet(edition, coordinator, label="5b", size=4):
    return services.class_sheet_issue(
        actor=coordinator, edition=edition, label=label, size=size, at=timezone.now()
    )


def _cast(edition, code, picks=(1,)):
    services.school_vote_cast(edition=edition, code=code, picks=list(picks), at=timezone.now())


def test_it_refuses_a_second_vote_with_the_same_code(voting):
    edition, coordinator = voting
    issued = _sheet(edition, coordinator)
    _cast(edition, issued.codes[0])
    with pytest.raises(SchoolsError) as exc:
        _cast(edition, issued.codes[0], picks=(2,))
    assert exc.value.message == errors.CODE_USED
    # written differently (lower case, spaces) it is still the same code
    with pytest.raises(SchoolsError) as exc:
        _cast(edition, issued.codes[0].lower().replace("-", " "), picks=(2,))
    assert exc.value.message == errors.CODE_USED
    assert CodeEnvelope.objects.count() + CodeBallot.objects.count() == 1


def test_it_refuses_the_codes_of_a_voided_sheet_and_accepts_the_reprint(voting):
    edition, coordinator = voting
    lost = _sheet(edition, coordinator, size=5)
    _cast(edition, lost.codes[0])  # one pupil voted before the sheet went missing
    reprint = services.class_sheet_reprint(
        actor=coordinator, edition=edition, sheet=lost.sheet, reason="zgubiony", at=timezone.now()
    )
    assert len(reprint.codes) == 4  # the unused codes of the lost sheet
    assert not set(reprint.codes) & set(lost.codes)
    for code in lost.codes[1:]:
        with pytest.raises(SchoolsError) as exc:
            _cast(edition, code)
        assert exc.value.message == errors.CODE_VOIDED
    _cast(edition, reprint.codes[0])
    assert CodeEnvelope.objects.count() + CodeBallot.objects.count() == 2
    turnout = {t.label: (t.used, t.issued) for t in codes.code_turnout(box=edition.box)}
    assert turnout == {"5b": (2, 4)}


def test_it_refuses_a_code_of_another_school(voting):
    edition, _coordinator = voting
    other_school, other_coordinator, _ = confirmed_school("Szkoła Podstawowa nr 2")
    other = edition_in(other_school, other_coordinator, "ideas")
    ideas_on_ballot(other, other_coordinator, [100])
    from wspolnota.schools.tests.factories import move_to

    move_to(other, "voting")
    foreign = _sheet(other, other_coordinator).codes[0]
    with pytest.raises(SchoolsError) as exc:
        _cast(edition, foreign)
    assert exc.value.message == errors.CODE_UNKNOWN
    _cast(other, foreign)  # it still works where it belongs


def test_it_refuses_codes_before_the_vote_and_after_it(voting):
    edition, coordinator = voting
    code = _sheet(edition, coordinator).codes[0]
    before = edition.box.opens_at - timedelta(minutes=1)
    with pytest.raises(SchoolsError) as exc:
        services.school_vote_cast(edition=edition, code=code, picks=[1], at=before)
    assert exc.value.message == errors.BOX_NOT_OPEN
    with pytest.raises(SchoolsError) as exc:
        services.school_vote_cast(edition=edition, code=code, picks=[1], at=edition.box.closes_at)
    assert exc.value.message == errors.BOX_CLOSED
    assert not VoteCode.objects.filter(used=True).exists()


def test_an_invalid_ballot_does_not_spend_the_code(voting):
    edition, coordinator = voting
    code = _sheet(edition, coordinator).codes[0]
    for picks, message in (
        ([], errors.PICKS_NONE),
        ([1, 2, 3], errors.PICKS_TOO_MANY),
        ([9], errors.PICKS_UNKNOWN),
        ([1, 1], errors.PICKS_TWICE),
    ):
        with pytest.raises(SchoolsError) as exc:
            _cast(edition, code, picks)
        assert exc.value.message == message
    _cast(edition, code, [1, 2])


def test_codes_are_stored_only_as_keyed_hashes(voting):
    edition, coordinator = voting
    issued = _sheet(edition, coordinator, size=10)
    dump = []
    with connection.cursor() as cursor:
        for table in (
            "schools_votecode",
            "schools_codesheet",
            "schools_codegroup",
            "schools_codebox",
        ):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            dump.append(json.dumps(cursor.fetchall(), default=str))
    text = " ".join(dump).upper()
    for code in issued.codes:
        assert code not in text and code.replace("-", "") not in text
    # the hash is keyed: a plain SHA-256 of the code is not what is stored
    import hashlib

    plain = {hashlib.sha256(c.encode()).hexdigest() for c in issued.codes}
    assert not plain & set(VoteCode.objects.values_list("code_hash", flat=True))


def test_no_column_ties_a_ballot_to_a_code_a_class_or_a_time(
    voting, django_capture_on_commit_callbacks
):
    edition, coordinator = voting
    issued = _sheet(edition, coordinator, size=6)
    for n, code in enumerate(issued.codes):
        with django_capture_on_commit_callbacks(execute=True):
            _cast(edition, code, [1 + n % 3])
    assert CodeBallot.objects.count() == 5 and CodeEnvelope.objects.count() == 1  # batch of 5
    codes.code_box_close(box=edition.box, at=edition.box.closes_at)
    assert CodeBallot.objects.count() == 6 and not CodeEnvelope.objects.exists()
    assert edition.box.envelope_salt == ""  # no copy of the database opens an envelope now
    ballot_fields = {f.name for f in CodeBallot._meta.get_fields()}
    assert ballot_fields == {"id", "box", "content"}
    code_fields = {f.name for f in VoteCode._meta.get_fields()}
    assert code_fields == {"id", "box", "sheet", "code_hash", "used"}
    envelope_fields = {f.name for f in CodeEnvelope._meta.get_fields()}
    assert envelope_fields == {"id", "box", "sealed"}


def test_a_sealed_envelope_does_not_show_the_choices(voting):
    edition, coordinator = voting
    _cast(edition, _sheet(edition, coordinator).codes[0], [3])
    envelope = CodeEnvelope.objects.get()
    assert "ideas" not in envelope.sealed and envelope.sealed != "3"


def test_the_same_box_serves_a_youth_council_election():
    """The documented interface used by another process: a box of another kind, a class, a
    sheet, a cast with that process's own content, the mixer, the ballots to count."""
    now = timezone.now()
    box = codes.code_box_open(
        kind=BoxKind.YOUTH_COUNCIL,
        title="Wybory do Młodzieżowej Rady Krakowa, LO nr 5",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
    )
    group = codes.code_group_add(box=box, label="2a")
    issued = codes.code_sheet_issue(actor=None, group=group, size=3)
    codes.code_cast(box=box, code=issued.codes[0], content={"candidate": "K1"}, at=now)
    codes.code_cast(box=box, code=issued.codes[1], content={"candidate": "K2"}, at=now)
    with pytest.raises(SchoolsError):
        codes.code_cast(box=box, code=issued.codes[0], content={"candidate": "K2"}, at=now)
    codes.code_box_close(box=box, at=box.closes_at)
    assert sorted(c["candidate"] for c in codes.code_ballots(box=box)) == ["K1", "K2"]
    assert [(t.label, t.used, t.issued) for t in codes.code_turnout(box=box)] == [("2a", 2, 3)]


def test_a_sheet_is_voided_once_with_a_reason(voting):
    edition, coordinator = voting
    issued = _sheet(edition, coordinator)
    with pytest.raises(SchoolsError):
        services.class_sheet_void(
            actor=coordinator, edition=edition, sheet=issued.sheet, reason=" ", at=timezone.now()
        )
    services.class_sheet_void(
        actor=coordinator, edition=edition, sheet=issued.sheet, reason="zgubiony", at=timezone.now()
    )
    with pytest.raises(SchoolsError) as exc:
        services.class_sheet_void(
            actor=coordinator, edition=edition, sheet=issued.sheet, reason="x", at=timezone.now()
        )
    assert exc.value.message == errors.SHEET_ALREADY_VOID
    assert CodeSheet.objects.get().voided_at is not None


def test_a_coordinator_cannot_void_another_schools_sheet(voting):
    edition, coordinator = voting
    other_school, other_coordinator, _ = confirmed_school("Szkoła Podstawowa nr 2")
    other = edition_in(other_school, other_coordinator, "voting")
    issued = _sheet(other, other_coordinator)
    with pytest.raises(SchoolsError) as exc:
        services.class_sheet_void(
            actor=coordinator, edition=edition, sheet=issued.sheet, reason="x", at=timezone.now()
        )
    assert exc.value.code == "permission_denied"
    with pytest.raises(SchoolsError):
        services.class_sheet_void(
            actor=coordinator, edition=other, sheet=issued.sheet, reason="x", at=timezone.now()
        )
