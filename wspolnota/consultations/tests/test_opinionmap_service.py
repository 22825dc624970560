"""The opinion map in the database: recomputed on every change, published without leaks, and
the same whatever order the votes came in."""

from __future__ import annotations

import io
import json
import math
import zipfile
from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone

from wspolnota.consultations import selectors, services
from wspolnota.consultations.models import Participant
from wspolnota.consultations.opinionmap import polis_io
from wspolnota.consultations.tests.factories import ConsultationFactory
from wspolnota.tests_support.data import polis_dir
from wspolnota.tests_support.factories import UserFactory

POLIS = polis_dir()


@pytest.fixture
def consultation(official):
    return ConsultationFactory(
        initiating_unit=official.role_assignments.get().city_unit, created_by=official
    )


def accepted_statements(consultation, official, count, author):
    statements = []
    for index in range(count):
        statement = services.statement_submit(
            author=author,
            consultation=consultation,
            text=f"Stwierdzenie {index}",
            at=timezone.now(),
        )
        services.statement_moderate(actor=official, statement=statement, accept=True)
        statements.append(statement)
    return statements


def camp_votes(people, statements, seed=0, noise=0.2):
    """Three camps with noise and gaps: (person index, statement index, choice)."""
    rng = np.random.default_rng(seed)
    stance = rng.choice([-1, 1], size=(3, len(statements)))
    votes = []
    for p in range(len(people)):
        for s in range(len(statements)):
            if rng.random() < 0.25:
                continue
            choice = int(stance[p % 3, s])
            if rng.random() < noise:
                choice = int(rng.choice([-1, 0, 1]))
            votes.append((p, s, choice))
    return votes


def groups_by_user(consultation):
    stored = selectors.opinion_map_get(consultation=consultation)
    users = dict(Participant.objects.filter(consultation=consultation).values_list("pk", "user_id"))
    return {users[int(p)]: g for p, g in stored.result["groups"].items()}


def same_partition(a, b):
    assert set(a) == set(b)
    pairs = {}
    for person, group in a.items():
        pairs.setdefault(group, set()).add(b[person])
    return all(len(v) == 1 for v in pairs.values()) and len(pairs) == len(set(b.values()))


@pytest.mark.django_db
def test_the_public_statements_file_has_no_text_of_statements_not_accepted(
    client, consultation, official, resident
):
    accepted = services.statement_submit(
        author=resident, consultation=consultation, text="Więcej zieleni", at=timezone.now()
    )
    services.statement_moderate(actor=official, statement=accepted, accept=True)
    services.statement_submit(
        author=resident, consultation=consultation, text="Tekst czekający", at=timezone.now()
    )
    rejected = services.statement_submit(
        author=resident, consultation=consultation, text="Tekst obraźliwy", at=timezone.now()
    )
    services.statement_moderate(
        actor=official, statement=rejected, accept=False, reason="obraża innych"
    )
    body = client.get(
        f"/pl/konsultacje/{consultation.pk}/mapa-opinii/comments.csv"
    ).content.decode()
    assert "Więcej zieleni" in body
    assert "Tekst czekający" not in body
    assert "Tekst obraźliwy" not in body


@pytest.mark.django_db
def test_a_changed_vote_recomputes_the_map(
    consultation, official, django_capture_on_commit_callbacks
):
    people = [UserFactory() for _ in range(16)]
    statements = accepted_statements(consultation, official, 8, people[0])
    with django_capture_on_commit_callbacks(execute=True):
        for p, person in enumerate(people):
            for s, statement in enumerate(statements):
                choice = 1 if s == 0 or (s % 2 == p % 2) else -1
                services.statement_vote(
                    user=person, statement=statement, choice=choice, at=timezone.now()
                )
    before = groups_by_user(consultation)
    turncoat = people[0]
    with django_capture_on_commit_callbacks(execute=True):
        for s, statement in enumerate(statements[1:], start=1):
            choice = 1 if s % 2 == 1 else -1  # now votes as the other camp
            services.statement_vote(
                user=turncoat, statement=statement, choice=choice, at=timezone.now()
            )
    after = groups_by_user(consultation)
    assert before[turncoat.pk] == before[people[2].pk]
    assert after[turncoat.pk] == after[people[1].pk]


@pytest.mark.django_db
def test_the_groups_do_not_depend_on_the_order_the_votes_came_in(
    official, django_capture_on_commit_callbacks
):
    unit = official.role_assignments.get().city_unit
    people = [UserFactory() for _ in range(45)]
    results = []
    for order_seed in (None, 1, 2):
        consultation = ConsultationFactory(initiating_unit=unit, created_by=official)
        # the same participants (and so the same ids, in the same order) every time
        Participant.objects.bulk_create(
            Participant(consultation=consultation, user=person) for person in people
        )
        statements = accepted_statements(consultation, official, 12, people[0])
        votes = camp_votes(people, statements, seed=1, noise=0.7)
        if order_seed is not None:
            votes = [votes[i] for i in np.random.default_rng(order_seed).permutation(len(votes))]
        start = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            for index, (p, s, choice) in enumerate(votes):
                services.statement_vote(
                    user=people[p],
                    statement=statements[s],
                    choice=choice,
                    at=start + timedelta(seconds=index),
                )
        results.append(groups_by_user(consultation))
    assert len(set(results[0].values())) >= 2
    assert same_partition(results[0], results[1])
    assert same_partition(results[0], results[2])


def download(client, consultation, folder):
    """The published ZIP, unpacked as anyone would."""
    response = client.get(f"/pl/konsultacje/{consultation.pk}/mapa-opinii/dane.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(folder)
    return folder / f"opinion-map-{consultation.pk}"


@pytest.mark.django_db
def test_the_command_on_the_published_download_gives_exactly_the_page_groups(
    client, consultation, official, tmp_path, django_capture_on_commit_callbacks
):
    people = [UserFactory() for _ in range(40)]
    with django_capture_on_commit_callbacks(execute=True):
        statements = accepted_statements(consultation, official, 10, people[0])
        for p, s, choice in camp_votes(people, statements, seed=3, noise=0.3):
            services.statement_vote(
                user=people[p], statement=statements[s], choice=choice, at=timezone.now()
            )
        # a statement voted on and then moderated out: zeroed on the page and in the command
        services.statement_moderate(
            actor=official, statement=statements[4], accept=False, reason="poza tematem"
        )
    stored = selectors.opinion_map_get(consultation=consultation)
    assert stored.result["n_groups"] >= 2
    folder = download(client, consultation, tmp_path)
    out = StringIO()
    call_command("opinionmap", str(folder), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    assert printed["groups"] == stored.result["groups"]
    assert printed["representative"] == stored.result["representative"]
    assert printed["consensus"] == stored.result["consensus"]
    assert printed["firmness"] == stored.result["firmness"]
    assert printed["fingerprint"] == stored.fingerprint
    comments = (folder / "comments.csv").read_text()
    assert "Stwierdzenie 4" not in comments and ",-1," in comments
    summary = polis_io.read_folder(folder).summary
    assert summary["votes-fingerprint"] == stored.fingerprint
    assert summary["groups"] == str(stored.result["n_groups"])


@pytest.mark.django_db
def test_moderating_out_a_statement_recomputes_the_map(
    consultation, official, django_capture_on_commit_callbacks
):
    people = [UserFactory() for _ in range(30)]
    with django_capture_on_commit_callbacks(execute=True):
        statements = accepted_statements(consultation, official, 8, people[0])
        for p, s, choice in camp_votes(people, statements, seed=2):
            services.statement_vote(
                user=people[p], statement=statements[s], choice=choice, at=timezone.now()
            )
    before = selectors.opinion_map_get(consultation=consultation)
    with django_capture_on_commit_callbacks(execute=True):
        services.statement_moderate(
            actor=official, statement=statements[0], accept=False, reason="narusza regulamin"
        )
    after = selectors.opinion_map_get(consultation=consultation)
    assert after.fingerprint != before.fingerprint and not after.stale
    shown = {
        item["statement"] for items in after.result["representative"].values() for item in items
    }
    assert statements[0].pk not in shown and str(statements[0].pk) not in after.result["tallies"]


@pytest.mark.django_db
def test_a_burst_of_votes_queues_one_recomputation(consultation, official, resident, monkeypatch):
    """Debounced: the first committed change queues a run; later ones only raise the version."""
    statements = accepted_statements(consultation, official, 3, resident)
    queued = []
    monkeypatch.setattr(
        services, "_enqueue_recompute", lambda pk, run_after: queued.append((pk, run_after))
    )
    for statement in statements:
        services.statement_vote(user=resident, statement=statement, choice=1, at=timezone.now())
        services._queue_recompute(consultation.pk, timezone.now())  # what each commit runs
    assert len(queued) == 1 and queued[0][1] > timezone.now()
    stored = selectors.opinion_map_get(consultation=consultation)
    assert stored.stale and stored.version == 3 + 3  # three moderations, three votes


@pytest.mark.skipif(not (POLIS / "london.youth.policing").is_dir(), reason="Polis data not present")
@pytest.mark.django_db
def test_a_web_import_of_a_polis_export_shows_the_groups_the_command_prints(
    client_for, consultation, django_capture_on_commit_callbacks
):
    folder = POLIS / "london.youth.policing"
    client = client_for("official")
    with (
        django_capture_on_commit_callbacks(execute=True),
        (folder / "comments.csv").open("rb") as comments,
        (folder / "votes.csv").open("rb") as votes,
    ):
        response = client.post(
            f"/pl/konsultacje/{consultation.pk}/mapa-opinii/import/",
            {"comments": comments, "votes": votes},
        )
    assert response.status_code == 302
    out = StringIO()
    call_command("opinionmap", str(folder), "--json", stdout=out)
    printed = json.loads(out.getvalue())
    stored = selectors.opinion_map_get(consultation=consultation)
    external = dict(
        Participant.objects.filter(consultation=consultation).values_list("pk", "external_id")
    )
    page = {external[int(p)]: g for p, g in stored.result["groups"].items()}
    assert page == printed["groups"]


@pytest.mark.django_db
def test_a_large_map_draws_every_nth_person_and_says_so(
    client, consultation, official, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "MAP_DOTS", 10)
    people = [UserFactory() for _ in range(30)]
    with django_capture_on_commit_callbacks(execute=True):
        statements = accepted_statements(consultation, official, 8, people[0])
        for p, s, choice in camp_votes(people, statements, seed=2):
            services.statement_vote(
                user=people[p], statement=statements[s], choice=choice, at=timezone.now()
            )
    stored = selectors.opinion_map_get(consultation=consultation)
    grouped = stored.result["in_conversation"]
    step = math.ceil(grouped / 10)
    drawn = math.ceil(grouped / step)
    assert step > 1 and stored.result["positions_step"] == step
    assert len(stored.result["positions"]) == drawn
    page = client.get(f"/pl/konsultacje/{consultation.pk}/mapa-opinii/").content.decode()
    assert page.count('<use href="#mk-') == drawn + stored.result["n_groups"]  # marks + legend
    assert f"pokazujemy co {step}. uczestnika" in page
