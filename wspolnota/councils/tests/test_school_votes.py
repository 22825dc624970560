"""A school's Youth Council election by single-use codes, through the pages (issue 22): an
official of the unit that keeps the council opens it, prints a class's code sheet (the PDF read
back), pupils vote (a used code and another school's code refused), the close counts the ballots
(ties by a published lot) and records the ``SchoolElection`` and the winners' seats."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wspolnota.accounts.roles import Role
from wspolnota.core.models import AuditLogEntry
from wspolnota.councils import school_votes
from wspolnota.councils.errors import CouncilsError
from wspolnota.councils.models import BodyKind, Membership, SchoolElection, SchoolElectionVote
from wspolnota.councils.tests.factories import BodyFactory, TermFactory
from wspolnota.schools.models import CodeBallot, CodeBox, CodeSheet
from wspolnota.tests_support.factories import CityUnitFactory, UserFactory
from wspolnota.tests_support.scopes import official_of, with_role

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def _pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF back")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _youth_council():
    unit = CityUnitFactory()
    body = BodyFactory(
        kind=BodyKind.YOUTH_COUNCIL, name="Młodzieżowa Rada Krakowa", seats=40, city_unit=unit
    )
    term = TermFactory(body=body, starts_on=timezone.localdate() - timedelta(days=30))
    return unit, body, term


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _open(
    actor, term, school="XII LO", candidates=("Anna Nowak", "Jan Kowalski", "Ola Wiśniewska")
):
    now = timezone.now()
    return school_votes.school_vote_open(
        actor=actor,
        term=term,
        school_name=school,
        candidates=list(candidates),
        seats=1,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=1),
    )


def _end(vote):
    CodeBox.objects.filter(pk=vote.box_id).update(closes_at=timezone.now() - timedelta(minutes=1))


def test_an_official_runs_a_school_election_by_codes_through_the_pages(client):
    unit, body, term = _youth_council()
    official = official_of(unit)
    client.force_login(official)
    now = timezone.now()
    response = client.post(
        reverse("councils:school_vote_open", args=[body.slug, term.pk]),
        {
            "school_name": "V LO im. Witkowskiego",
            "candidates": "Anna Nowak\nJan Kowalski\n\nOla Wiśniewska\n",
            "seats": "2",
            "opens_at": _local(now - timedelta(hours=1)),
            "closes_at": _local(now + timedelta(hours=2)),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    vote = SchoolElectionVote.objects.get()
    assert vote.candidates == ["Anna Nowak", "Jan Kowalski", "Ola Wiśniewska"]
    assert vote.box.kind == "youth_council"

    office = reverse("councils:school_vote_office", args=[vote.pk])
    assert client.get(office).status_code == 200
    response = client.post(office, {"label": "3a", "size": "5"})
    assert response["Content-Type"] == "application/pdf"
    codes = CODE.findall(_pdf_text(response.content))
    assert len(codes) == 5

    # pupils vote, without an account
    client.logout()
    page = reverse("councils:school_vote", args=[vote.pk])
    assert client.get(page).status_code == 200
    picks = [[0, 1], [0], [1, 2], [0, 2]]
    for code, chosen in zip(codes, picks, strict=False):
        response = client.post(page, {"code": code.lower(), "picks": chosen})
        assert response.status_code == 200 and response.context["done"], response.content.decode()
    # a used code is refused, and so are three picks for two seats
    response = client.post(page, {"code": codes[0], "picks": [2]})
    assert response.status_code == 400
    assert "użyty" in response.content.decode() or "wykorzystany" in response.content.decode()
    response = client.post(page, {"code": codes[4], "picks": [0, 1, 2]})
    assert response.status_code == 400

    # the close counts: Anna 3, Jan 2, Ola 2 — the lot decides the second seat
    client.force_login(official)
    assert client.post(reverse("councils:school_vote_close", args=[vote.pk])).status_code == 302
    assert SchoolElection.objects.count() == 0  # not ended yet: nothing recorded
    _end(vote)
    assert client.post(reverse("councils:school_vote_close", args=[vote.pk])).status_code == 302
    vote.refresh_from_db()
    election = SchoolElection.objects.get()
    assert vote.election == election
    assert (election.eligible_voters, election.votes_cast, election.seats) == (5, 4, 2)
    tally = {row["name"]: row for row in vote.tally}
    assert tally["Anna Nowak"]["votes"] == 3 and tally["Anna Nowak"]["elected"]
    second = min(("Jan Kowalski", "Ola Wiśniewska"), key=vote.lot.index)
    assert tally[second]["elected"] and sum(r["elected"] for r in vote.tally) == 2
    assert sorted(
        Membership.objects.filter(school_election=election).values_list("person_name", flat=True)
    ) == sorted(["Anna Nowak", second])
    # the result and the lot are public on the vote's page
    client.logout()
    text = client.get(page).content.decode()
    assert "Anna Nowak" in text and "losowanie" in text
    # every official act is in the audit log
    actions = set(AuditLogEntry.objects.values_list("action", flat=True))
    assert {
        "councils.school_vote_opened",
        "schools.code_sheet_issued",
        "councils.school_vote_closed",
        "councils.school_election_recorded",
        "councils.membership_added",
    } <= actions
    # the ballots hold the candidates' names and no code
    for content in CodeBallot.objects.filter(box=vote.box).values_list("content", flat=True):
        assert set(content) == {"c"}
        assert not any(code in str(content) for code in codes)


def test_a_code_of_another_schools_election_is_refused():
    unit, _body, term = _youth_council()
    official = official_of(unit)
    one = _open(official, term, school="XII LO")
    other = _open(official, term, school="V LO")
    issued = school_votes.school_vote_sheet_issue(actor=official, vote=other, label="1a", size=1)
    with pytest.raises(Exception) as refused:
        school_votes.school_vote_cast(vote=one, code=issued.codes[0], picks=[0], at=timezone.now())
    assert "Nie ma takiego kodu" in str(refused.value)
    # the same code still works where it belongs
    school_votes.school_vote_cast(vote=other, code=issued.codes[0], picks=[0], at=timezone.now())


def test_a_tie_is_broken_by_the_published_lot():
    unit, _body, term = _youth_council()
    official = official_of(unit)
    vote = _open(official, term, candidates=("A", "B"))
    issued = school_votes.school_vote_sheet_issue(actor=official, vote=vote, label="1a", size=2)
    for code, pick in zip(issued.codes, (0, 1), strict=True):
        school_votes.school_vote_cast(vote=vote, code=code, picks=[pick], at=timezone.now())
    _end(vote)
    vote.refresh_from_db()
    school_votes.school_vote_close(
        actor=official, vote=vote, at=timezone.now(), rng=random.Random(1)
    )
    winner = [r["name"] for r in vote.tally if r["elected"]]
    assert winner == [vote.lot[0]]
    with pytest.raises(CouncilsError):  # counted once
        school_votes.school_vote_close(actor=official, vote=vote, at=timezone.now())


PERSONAS = {
    "official_of_unit": True,
    "administrator": True,
    "official_of_another_unit": False,
    "moderator": False,
    "resident": False,
}


def _persona(name, unit):
    if name == "official_of_unit":
        return official_of(unit)
    if name == "official_of_another_unit":
        return official_of(CityUnitFactory())
    if name == "resident":
        return UserFactory()
    return with_role(Role(name))


@pytest.mark.parametrize("action", ["open", "sheet", "close"])
@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_who_runs_a_school_election_by_codes(persona, action, client):
    unit, body, term = _youth_council()
    vote = _open(official_of(unit), term)
    _end(vote)
    vote.refresh_from_db()
    actor = _persona(persona, unit)
    run = {
        "open": lambda: _open(actor, term, school="Inna szkoła"),
        "sheet": lambda: school_votes.school_vote_sheet_issue(
            actor=actor, vote=vote, label="2b", size=1
        ),
        "close": lambda: school_votes.school_vote_close(actor=actor, vote=vote, at=timezone.now()),
    }[action]
    if PERSONAS[persona]:
        run()
    else:
        with pytest.raises(CouncilsError):
            run()
        client.force_login(actor)
        pages = {
            "open": ("get", reverse("councils:school_vote_open", args=[body.slug, term.pk])),
            "sheet": ("get", reverse("councils:school_vote_office", args=[vote.pk])),
            "close": ("post", reverse("councils:school_vote_close", args=[vote.pk])),
        }
        method, url = pages[action]
        assert getattr(client, method)(url).status_code == 403
        assert SchoolElection.objects.count() == 0


# --- A lost sheet voided and reprinted through the pages -----------------------------------------


def test_the_organiser_voids_a_lost_sheet_and_reprints_it_through_the_pages(client):
    """The voided sheet's unused codes are refused at the vote; the reprint (the PDF read back)
    carries new codes, as many as were still unused, and they vote."""
    unit, _body, term = _youth_council()
    official = official_of(unit)
    vote = _open(official, term)
    client.force_login(official)
    office = reverse("councils:school_vote_office", args=[vote.pk])
    lost = CODE.findall(_pdf_text(client.post(office, {"label": "3a", "size": "4"}).content))
    assert len(lost) == 4
    page = reverse("councils:school_vote", args=[vote.pk])
    client.logout()
    assert client.post(page, {"code": lost[0], "picks": [0]}).context["done"]

    client.force_login(official)
    sheet = CodeSheet.objects.get(group__box=vote.box)
    void_page = reverse("councils:school_vote_sheet_void", args=[vote.pk, sheet.pk])
    assert void_page in client.get(office).content.decode()  # the office links to it
    assert client.get(void_page).status_code == 200
    # a reason is required
    assert client.post(void_page, {"reason": "", "reprint": "on"}).status_code == 400
    response = client.post(void_page, {"reason": "arkusz zgubiony na korytarzu", "reprint": "on"})
    assert response["Content-Type"] == "application/pdf"
    reprinted = CODE.findall(_pdf_text(response.content))
    assert len(reprinted) == 3 and not set(reprinted) & set(lost)
    sheet.refresh_from_db()
    assert sheet.voided_at is not None and sheet.void_reason == "arkusz zgubiony na korytarzu"

    client.logout()
    for code in lost[1:]:
        response = client.post(page, {"code": code, "picks": [1]})
        assert response.status_code == 400
        assert "unieważniony" in response.content.decode()
    assert client.post(page, {"code": reprinted[0], "picks": [1]}).context["done"]
    actions = list(AuditLogEntry.objects.values_list("action", flat=True))
    assert actions.count("schools.code_sheet_voided") == 1
    assert actions.count("schools.code_sheet_issued") == 2
    assert CodeBallot.objects.filter(box=vote.box).count() + vote.box.envelopes.count() == 2


def test_a_sheet_can_be_voided_without_a_reprint_and_only_once(client):
    unit, _body, term = _youth_council()
    official = official_of(unit)
    vote = _open(official, term)
    issued = school_votes.school_vote_sheet_issue(actor=official, vote=vote, label="2b", size=2)
    client.force_login(official)
    void_page = reverse("councils:school_vote_sheet_void", args=[vote.pk, issued.sheet.pk])
    response = client.post(void_page, {"reason": "skradziony"})
    assert response.status_code == 302
    assert response["Location"] == reverse("councils:school_vote_office", args=[vote.pk])
    with pytest.raises(Exception) as refused:
        school_votes.school_vote_cast(vote=vote, code=issued.codes[0], picks=[0], at=timezone.now())
    assert "unieważniony" in str(refused.value)
    # a second void is a form error, not a 500
    assert client.post(void_page, {"reason": "jeszcze raz"}).status_code == 400


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_who_voids_and_reprints_a_school_elections_sheet(persona, client):
    unit, _body, term = _youth_council()
    vote = _open(official_of(unit), term)
    issued = school_votes.school_vote_sheet_issue(
        actor=official_of(unit), vote=vote, label="2b", size=2
    )
    actor = _persona(persona, unit)
    client.force_login(actor)
    void_page = reverse("councils:school_vote_sheet_void", args=[vote.pk, issued.sheet.pk])
    if PERSONAS[persona]:
        assert client.get(void_page).status_code == 200
        school_votes.school_vote_sheet_reprint(
            actor=actor, vote=vote, sheet=issued.sheet, reason="zgubiony", at=timezone.now()
        )
    else:
        assert client.get(void_page).status_code == 403
        assert client.post(void_page, {"reason": "zgubiony", "reprint": "on"}).status_code == 403
        with pytest.raises(CouncilsError):
            school_votes.school_vote_sheet_void(
                actor=actor, vote=vote, sheet=issued.sheet, reason="zgubiony", at=timezone.now()
            )
        issued.sheet.refresh_from_db()
        assert issued.sheet.voided_at is None


def test_a_sheet_of_another_election_is_not_found_through_this_one(client):
    unit, _body, term = _youth_council()
    official = official_of(unit)
    one = _open(official, term, school="XII LO")
    other = _open(official, term, school="V LO")
    foreign = school_votes.school_vote_sheet_issue(actor=official, vote=other, label="1a", size=1)
    client.force_login(official)
    void_page = reverse("councils:school_vote_sheet_void", args=[one.pk, foreign.sheet.pk])
    assert client.post(void_page, {"reason": "zgubiony"}).status_code == 404
    with pytest.raises(CouncilsError):
        school_votes.school_vote_sheet_void(
            actor=official, vote=one, sheet=foreign.sheet, reason="zgubiony", at=timezone.now()
        )
    foreign.sheet.refresh_from_db()
    assert foreign.sheet.voided_at is None
