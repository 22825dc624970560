"""The whole school process through the pages (issue 22's "what to show", without a browser):
a school registered and confirmed, an edition from a template, ideas keyed and checked, a
code sheet printed (the PDF read back), pupils voting with codes (a used code and a voided
sheet's code refused), results published with explanations, recounted from the open data."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone, translation

from wspolnota.accounts.roles import Role
from wspolnota.conftest import PASSWORD
from wspolnota.schools import services
from wspolnota.schools.documents import vote_url
from wspolnota.schools.models import (
    CodeSheet,
    Idea,
    IdeaStatus,
    School,
    SchoolEdition,
    SchoolResult,
    SchoolStatus,
)
from wspolnota.schools.tests.factories import EDUCATION, education_official, move_to
from wspolnota.tests_support.factories import CityUnitFactory, RoleAssignmentFactory, UserFactory
from wspolnota.tests_support.qr import qr_codes_in_pdf

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is needed to read the PDF back")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


CODE = re.compile(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}\b")


def test_a_teacher_runs_a_school_budget_from_registration_to_a_recount(
    client, django_capture_on_commit_callbacks, tmp_path
):
    official = education_official()
    teacher = UserFactory(password=PASSWORD)
    other_official = UserFactory()
    RoleAssignmentFactory(user=other_official, role=Role.OFFICIAL, city_unit=CityUnitFactory())

    # 1. The coordinator registers the school; only the education unit confirms it.
    c = _client(client, teacher)
    response = c.post(
        reverse("schools:school_register"),
        {"name": "SP 7 im. Kopernika", "kind": "school", "location": "ul. Długa 7"},
    )
    assert response.status_code == 302
    school = School.objects.get()
    assert school.status == SchoolStatus.PENDING and school.unit.code == EDUCATION
    assert c.get(reverse("schools:edition_create", args=[school.pk])).status_code == 403
    c.force_login(other_official)
    assert (
        c.post(
            reverse("schools:school_decide", args=[school.pk]), {"decision": "confirm"}
        ).status_code
        == 403
    )
    c.force_login(official)
    assert c.get(reverse("schools:pending")).content.decode().count("SP 7 im. Kopernika") == 1
    response = c.post(reverse("schools:school_decide", args=[school.pk]), {"decision": "confirm"})
    assert response.status_code == 302
    school.refresh_from_db()
    assert school.status == SchoolStatus.CONFIRMED

    # 2. An edition from a template: the form is filled in, the teacher saves it.
    c.force_login(teacher)
    start = timezone.localdate() + timedelta(days=1)
    page = c.get(
        reverse("schools:edition_create", args=[school.pk]),
        {"template": "szkolny", "start": start.isoformat()},
    )
    assert page.status_code == 200
    form = page.context["form"]
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if hasattr(value, "strftime") and hasattr(value, "hour"):
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        data[name] = value
    data["amount"] = "1000"
    response = c.post(reverse("schools:edition_create", args=[school.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    edition = SchoolEdition.objects.get()
    assert edition.ballot_kind == "krakow" and edition.counting_rule == "greedy"
    assert edition.box.opens_at.date() >= start

    # 3. Ideas keyed by the teacher, checked by the panel with reasons shown.
    move_to(edition, "ideas")
    for title, cost in (
        ("Ławki na boisku", 600),
        ("Gry planszowe", 300),
        ("Rośliny", 200),
        ("Basen", 5000),
    ):
        response = c.post(
            reverse("schools:idea_create", args=[edition.pk]),
            {
                "title": title,
                "description": "Opis.",
                "cost": str(min(cost, 1000)),
                "class_label": "5b",
            },
        )
        assert response.status_code == 302
    move_to(edition, "checking")
    for idea in Idea.objects.filter(edition=edition):
        accept = idea.title != "Rośliny"
        response = c.post(
            reverse("schools:idea_check", args=[edition.pk, idea.pk]),
            {
                "decision": "accept" if accept else "reject",
                "reason": "Zgodny z zasadami." if accept else "Szkoła ma już rośliny w klasach.",
            },
        )
        assert response.status_code == 302
    public = c.get(reverse("schools:edition_detail", args=[edition.pk])).content.decode()
    assert "Szkoła ma już rośliny w klasach." in public
    assert Idea.objects.filter(status=IdeaStatus.ACCEPTED).count() == 3

    # 4. Code sheets: the PDF carries the codes, the class and the vote's address.
    move_to(edition, "voting")
    response = c.post(reverse("schools:codes", args=[edition.pk]), {"label": "5b", "size": "6"})
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    sheet_codes = CODE.findall(text)
    assert len(sheet_codes) == 6 and "5b" in text
    assert "/glosuj/" in text.replace("\n", "")
    # every card's QR code opens the vote's page, and carries no code (the code is typed)
    assert set(qr_codes_in_pdf(response.content)) == {vote_url(edition)}
    response = c.post(reverse("schools:codes", args=[edition.pk]), {"label": "6a", "size": "3"})
    lost_codes = CODE.findall(_pdf_text(response.content))
    lost = CodeSheet.objects.get(group__label="6a")
    response = c.post(
        reverse("schools:sheet_void", args=[edition.pk, lost.pk]),
        {"reason": "Arkusz zgubiony", "reprint": "on"},
    )
    assert response["Content-Type"] == "application/pdf"
    new_codes = CODE.findall(_pdf_text(response.content))
    assert len(new_codes) == 3

    # 5. Pupils vote without accounts.
    c.logout()
    ideas = {i.title: i.number for i in Idea.objects.all()}
    url = reverse("schools:vote", args=[edition.pk])
    ballots = [
        [ideas["Ławki na boisku"], ideas["Gry planszowe"]],
        [ideas["Ławki na boisku"]],
        [ideas["Gry planszowe"], ideas["Basen"]],
        [ideas["Basen"], ideas["Ławki na boisku"]],
        [ideas["Gry planszowe"]],
        [ideas["Ławki na boisku"], ideas["Basen"], ideas["Gry planszowe"]],
    ]
    for code, picks in zip(sheet_codes, ballots, strict=True):
        data = {"code": code.lower()}
        for place, number in enumerate(picks, start=1):
            data[f"place_{place}"] = str(number)
        with django_capture_on_commit_callbacks(execute=True):
            response = c.post(url, data)
        assert response.status_code == 200 and "vote_done" in response.templates[0].name
    again = c.post(url, {"code": sheet_codes[0], "place_1": str(ideas["Basen"])})
    assert again.status_code == 400 and "już użyty" in again.content.decode()
    voided = c.post(url, {"code": lost_codes[0], "place_1": str(ideas["Basen"])})
    assert voided.status_code == 400 and "unieważniony" in voided.content.decode()
    response = c.post(url, {"code": new_codes[0], "place_1": str(ideas["Gry planszowe"])})
    assert response.status_code == 200

    # 6. After the vote the coordinator publishes; everyone reads why.
    move_to(edition, "results")
    c.force_login(teacher)
    response = c.post(reverse("schools:results", args=[edition.pk]))
    assert response.status_code == 302
    result = SchoolResult.objects.get()
    assert result.ballots == 7
    assert c.post(reverse("schools:results", args=[edition.pk])).status_code == 302
    assert SchoolResult.objects.count() == 1  # no second count
    c.logout()
    with translation.override("pl"):
        results_url = reverse("schools:results", args=[edition.pk])
        pb_url = reverse("schools:results_pb", args=[edition.pk])
    for language in ("pl", "en", "uk"):
        page = c.get(results_url.replace("/pl/", f"/{language}/"))
        assert page.status_code == 200
        assert len(page.context["outcomes"]) == 3
    page = c.get(results_url)
    body = page.content.decode()
    assert "Wygrał" in body and "Nie wygrał" in body
    turnout = {row.label: (row.used, row.issued) for row in page.context["turnout"]}
    assert turnout == {"5b": (6, 6), "6a": (1, 3)}

    # 7. Anyone recounts from the open data with votecount and gets the published winners.
    pb = c.get(pb_url).content.decode()
    from votecount import count, parse_pb

    instance = parse_pb(pb)
    command = page.context["command"].split()
    seed = int(command[command.index("--seed") + 1])
    recount = count(instance, rule="from-file", ties=f"{result.options['tie_breaking']}")
    assert list(recount.selected) == result.selected
    assert seed == result.seed
    pb_file = tmp_path / f"szkola-{edition.pk}.pb"
    pb_file.write_text(pb, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "votecount", *command[1:], "--json"],
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )
    assert json.loads(done.stdout)["selected"] == result.selected


def _pupils_tables():
    """Every table a pupil's code, class or answer reaches: the schools app's, and the code
    votes built on it in youth consultations and the Youth Council's school elections."""
    from wspolnota.consultations.models import SurveyCodes
    from wspolnota.councils.models import SchoolElectionVote

    return [*apps.get_app_config("schools").get_models(), SurveyCodes, SchoolElectionVote]


def test_no_table_holds_a_pupils_name_email_or_birth_date():
    from wspolnota.core.personaldata import is_personal_field

    models = _pupils_tables()
    for model in models:
        for field in model._meta.concrete_fields:
            if is_personal_field(field):
                assert model is School and field.name == "location", (model, field.name)
            assert "birth" not in field.name and "email" not in field.name
            if "name" in field.name:  # the school's own name, never a pupil's
                assert (model._meta.label, field.name) in {
                    ("schools.School", "name"),
                    ("councils.SchoolElectionVote", "school_name"),
                }, (model, field.name)
            # a foreign key from a pupil's table to an account would be a pupil's identity;
            # only officials' and teachers' acts point at accounts
            if field.is_relation and field.related_model is get_user_model():
                assert field.name in OFFICIALS_ACTS, (model, field.name)
    # ideas and codes name a class, never a pupil
    assert {f.name for f in Idea._meta.concrete_fields} >= {"class_label"}
    assert "pupil" not in " ".join(f.name for m in models for f in m._meta.concrete_fields)


OFFICIALS_ACTS = {
    "registered_by",
    "decided_by",
    "user",  # a teacher's membership of the school's team
    "keyed_by",
    "checked_by",
    "issued_by",
    "voided_by",
    "opened_by",
}


def test_results_explain_equal_shares_in_plain_words(django_capture_on_commit_callbacks):
    from wspolnota.schools.tests.factories import confirmed_school, edition_in, ideas_on_ballot

    school, coordinator, _ = confirmed_school()
    edition = edition_in(
        school, coordinator, "ideas", counting_rule="equalshares", amount=Decimal("900")
    )
    a, b, c = ideas_on_ballot(edition, coordinator, [600, 300, 300])
    move_to(edition, "voting")
    issued = services.class_sheet_issue(
        actor=coordinator, edition=edition, label="3c", size=9, at=timezone.now()
    )
    # six pupils want the big idea, three the two small ones
    for n, code in enumerate(issued.codes):
        picks = [a.number] if n < 6 else [b.number, c.number]
        services.school_vote_cast(edition=edition, code=code, picks=picks, at=timezone.now())
    move_to(edition, "results")
    result = services.school_results_publish(actor=coordinator, edition=edition, at=timezone.now())
    from wspolnota.schools.explain import easy_read

    rows = {r.idea.number: r for r in easy_read(edition=edition, result=result, ideas=[a, b, c])}
    assert rows[a.number].won and "taką samą część budżetu: 100 zł" in rows[a.number].text
    assert all(str(r.text) for r in rows.values())


def test_a_template_start_gives_phases_in_order():
    values = services.edition_template_values(template="klasowy", start=date(2027, 3, 1))
    assert values["ideas_from"] < values["ideas_until"] <= values["checking_until"]
    assert values["checking_until"] <= values["vote_from"] < values["vote_until"]
    assert values["amount"] == Decimal("2000")


def test_the_corridor_poster_names_the_ideas_and_the_votes_address(client):
    from wspolnota.schools.tests.factories import confirmed_school, edition_in, ideas_on_ballot

    school, coordinator, _ = confirmed_school()
    edition = edition_in(school, coordinator, "ideas")
    ideas_on_ballot(edition, coordinator, [300])
    response = client.get(reverse("schools:poster", args=[edition.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content)
    assert "Pomysł 1" in text and "/glosuj/" in text.replace("\n", "")
    assert qr_codes_in_pdf(response.content) == [vote_url(edition)]


def test_an_idea_nobody_chose_is_not_funded_by_the_greedy_count():
    """Attack on the count: with money left over, plain greedy funds every idea that fits, even
    one without a single vote; the school's greedy count needs at least one."""
    from wspolnota.schools.explain import easy_read
    from wspolnota.schools.tests.factories import confirmed_school, edition_in, ideas_on_ballot

    school, coordinator, _ = confirmed_school()
    edition = edition_in(school, coordinator, "ideas", amount=Decimal("1000"))
    liked, ignored = ideas_on_ballot(edition, coordinator, [300, 300])
    move_to(edition, "voting")
    issued = services.class_sheet_issue(
        actor=coordinator, edition=edition, label="1a", size=2, at=timezone.now()
    )
    for code in issued.codes:
        services.school_vote_cast(
            edition=edition, code=code, picks=[liked.number], at=timezone.now()
        )
    move_to(edition, "results")
    result = services.school_results_publish(actor=coordinator, edition=edition, at=timezone.now())
    assert result.selected == [str(liked.number)]
    rows = {
        r.idea.number: r for r in easy_read(edition=edition, result=result, ideas=[liked, ignored])
    }
    assert rows[ignored.number].text == "Nie wygrał: nikt na niego nie zagłosował."
