"""The opinion-map computation on its own (no database) and its Polis open-data format."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from wspolnota.consultations.opinionmap import pipeline, polis_io
from wspolnota.consultations.opinionmap.pipeline import (
    GREEDY_PARTICIPANTS,
    Votes,
    VotesError,
    adjusted_rand_index,
    compute,
    fingerprint,
    latest_votes,
)
from wspolnota.tests_support.data import polis_dir

POLIS = polis_dir()


def camps(
    seed: int = 0,
    per_camp: int = 30,
    statements: int = 12,
    n_camps: int = 2,
    noise: float = 0.05,
    gaps: float = 0.15,
) -> tuple[list[int], list[int], list[float]]:
    """Each camp agrees with its own statements and rejects the others'; statement 0 is agreed
    by everyone. A few votes are missing or flipped."""
    rng = np.random.default_rng(seed)
    stance = rng.choice([-1.0, 1.0], size=(n_camps, statements))
    if n_camps == 2:
        stance[1] = -stance[0]
    stance[:, 0] = 1.0
    people, items, values = [], [], []
    for person in range(n_camps * per_camp):
        for s in range(statements):
            if s > 0 and rng.random() < gaps:
                continue
            vote = stance[person % n_camps, s]
            if s > 0 and rng.random() < noise:
                vote = -vote
            people.append(person)
            items.append(s)
            values.append(vote)
    return people, items, values


def result_json(votes: Votes) -> str:
    result = compute(votes)
    data = result.to_json()
    data["positions"] = np.round(result.positions, 10).tolist()
    return json.dumps(data, sort_keys=True)


def test_adjusted_rand_index_matches_known_values():
    assert adjusted_rand_index([0, 0, 1, 1], [5, 5, 9, 9]) == pytest.approx(1.0)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    # a textbook example: 6 items, one moved
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]) == pytest.approx(
        0.3243, abs=1e-4
    )


def test_two_camps_become_two_groups_and_the_shared_statement_is_consensus():
    result = compute(Votes.from_arrays(*camps()))
    assert result.n_groups == 2
    truth = [p % 2 for p in result.groups]
    assert adjusted_rand_index(truth, list(result.groups.values())) == pytest.approx(1.0)
    assert result.consensus[0]["statement"] == 0
    assert [g["seen"] for g in result.consensus[0]["groups"]] == [30, 30]
    for group, statements in result.representative.items():
        assert statements, f"group {group} has no representative statement"
        top = statements[0]
        yes = top.agree if top.direction == "agree" else top.disagree
        rest = top.rest_agree if top.direction == "agree" else top.rest_disagree
        assert yes / top.seen > 0.8 > 0.2 > rest / top.rest_seen
    assert result.firmness.verdict == "firm"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_same_votes_in_any_order_give_exactly_the_same_map(seed):
    people, items, values = camps(seed=seed, n_camps=3, noise=0.35, gaps=0.3)
    votes = Votes.from_arrays(people, items, values, moderated_out=[5])
    order = np.random.default_rng(seed).permutation(len(values))
    shuffled = Votes.from_arrays(
        np.asarray(people)[order],
        np.asarray(items)[order],
        np.asarray(values)[order],
        moderated_out=[5],
    )
    assert result_json(shuffled) == result_json(votes)
    assert fingerprint(shuffled) == fingerprint(votes)


def test_the_groups_are_numbered_from_the_largest():
    people, items, values = camps(per_camp=10)
    extra = [p for p in range(200, 230)]  # 30 more people voting as camp 0
    for p in extra:
        for s in range(12):
            people.append(p)
            items.append(s)
            values.append(1.0 if s == 0 else float(np.sign(np.cos(s * 1.7)) or 1.0))
    result = compute(Votes.from_arrays(people, items, values))
    assert result.group_sizes[0] >= result.group_sizes[1]


def test_a_changed_vote_changes_the_fingerprint():
    people, items, values = camps()
    changed = list(values)
    changed[-1] = -changed[-1]
    assert fingerprint(Votes.from_arrays(people, items, values)) != fingerprint(
        Votes.from_arrays(people, items, changed)
    )


def test_two_votes_of_one_person_on_one_statement_are_refused():
    with pytest.raises(VotesError):
        Votes.from_arrays([1, 1], [7, 7], [1.0, -1.0])
    with pytest.raises(VotesError):
        Votes.from_arrays([1], [7], [2.0])


def test_the_latest_vote_of_each_pair_counts():
    participants, statements, values = latest_votes(
        [(2000, 1, 7, -1.0), (1000, 1, 7, 1.0), (1500, 2, 7, 0.0)]
    )
    pairs = zip(participants.tolist(), statements.tolist(), strict=True)
    votes = dict(zip(pairs, values.tolist(), strict=True))
    assert votes == {(1, 7): -1.0, (2, 7): 0.0}


def test_a_moderated_out_statement_carries_nothing_and_is_never_shown():
    people, items, values = camps()
    votes = Votes.from_arrays(people, items, values, moderated_out=[0, 3])
    _positions, components = pipeline.project(votes)
    assert np.all(components[:, [0, 3]] == 0)
    result = compute(votes)
    shown = {s.statement for items_ in result.representative.values() for s in items_}
    shown |= {c["statement"] for c in result.consensus + result.consensus_disagree}
    assert shown and not shown & {0, 3}
    assert 0 not in result.tallies and 3 not in result.tallies


def test_participants_with_few_votes_are_not_grouped():
    people, items, values = camps()
    people.append(999)
    items.append(1)
    values.append(1.0)  # a newcomer with one vote
    result = compute(Votes.from_arrays(people, items, values))
    assert 999 not in result.groups and 999 in result.participants.tolist()


def test_while_few_people_vote_enough_the_most_active_are_grouped():
    # 20 people voted on 3 to 6 statements each (the threshold is 7 of 12)
    rng = np.random.default_rng(5)
    people, items, values = [], [], []
    for person in range(20):
        for s in rng.choice(12, size=3 + person % 4, replace=False):
            people.append(person)
            items.append(int(s))
            values.append(float(rng.choice([-1, 1])))
    result = compute(Votes.from_arrays(people, items, values))
    assert int(result.in_conversation.sum()) == GREEDY_PARTICIPANTS


def test_a_split_of_random_votes_is_called_weak_or_moderate():
    rng = np.random.default_rng(11)
    people = np.repeat(np.arange(80), 10)
    items = np.concatenate([rng.choice(20, size=10, replace=False) for _ in range(80)])
    values = rng.choice([-1.0, 0.0, 1.0], size=len(items))
    result = compute(Votes.from_arrays(people, items, values))
    assert result.firmness.verdict in ("weak", "moderate")
    assert result.firmness.folds == 10


def test_a_malformed_polis_file_names_the_line_and_column():
    with pytest.raises(polis_io.PolisFormatError, match=r"line 3.*vote"):
        polis_io.parse_votes(
            "timestamp,datetime,comment-id,voter-id,vote\n1,x,0,0,1\n2,x,0,1,maybe\n"
        )
    with pytest.raises(polis_io.PolisFormatError, match="missing columns: comment-body"):
        polis_io.parse_comments("comment-id,author-id\n1,2\n")


def test_the_open_data_writers_produce_what_the_readers_read():
    comments = polis_io.write_comments(
        [
            {
                "timestamp": 1,
                "datetime": "x",
                "id": 7,
                "author": 3,
                "agrees": 1,
                "disagrees": 0,
                "moderated": 1,
                "body": "Więcej drzew, mniej aut",
            }
        ]
    )
    votes = polis_io.write_votes(
        [{"timestamp": 2, "datetime": "x", "statement": 7, "participant": 3, "vote": -1}]
    )
    people = polis_io.write_participants_votes([7], [{"id": 3, "group": 0, "votes": {7: -1}}])
    assert polis_io.parse_comments(comments)[0].body == "Więcej drzew, mniej aut"
    assert polis_io.parse_votes(votes)[0].vote == -1
    assert polis_io.parse_participant_groups(people) == {3: 0}


@pytest.mark.skipif(not (POLIS / "london.youth.policing").is_dir(), reason="Polis data not present")
def test_the_command_prints_groups_consensus_firmness_and_fingerprint_as_json():
    folder = POLIS / "london.youth.policing"
    out = StringIO()
    call_command("opinionmap", str(folder), "--json", stdout=out)
    data = json.loads(out.getvalue())
    conversation = polis_io.read_folder(folder)
    voters = {v.participant for v in conversation.votes}
    assert {int(p) for p in data["groups"]} <= voters
    assert set(data["groups"].values()) == set(range(data["n_groups"]))
    assert isinstance(data["consensus"], list)
    assert data["firmness"]["folds"] == 10 and data["firmness"]["verdict"] in (
        "firm",
        "moderate",
        "weak",
    )
    assert data["fingerprint"] == fingerprint(conversation.latest_votes())


def test_the_command_refuses_a_folder_without_the_csv_files(tmp_path):
    with pytest.raises(CommandError, match=r"votes\.csv|comments\.csv"):
        call_command("opinionmap", str(tmp_path), "--json")


@pytest.mark.parametrize(
    ("people", "items", "values"),
    [
        ([], [], []),
        ([1], [1], [1.0]),
        ([1, 2, 3], [1, 1, 1], [1.0, 1.0, 1.0]),  # no variance at all
        ([1, 2, 3, 4], [1, 2, 3, 4], [1.0, -1.0, 0.0, 1.0]),  # nobody shares a statement
    ],
)
def test_the_first_few_votes_compute_without_groups_or_errors(people, items, values):
    result = compute(Votes.from_arrays(people, items, values))
    assert result.n_groups in (0, 2) and np.isfinite(result.positions).all()
    assert result.to_json()["firmness"]["verdict"] == "none"


def test_large_conversations_take_the_lanczos_path_and_agree_with_the_exact_one(monkeypatch):
    people, items, values = camps(per_camp=60, statements=30, n_camps=3, noise=0.2)
    votes = Votes.from_arrays(people, items, values)
    exact = pipeline.project(votes)[1]
    monkeypatch.setattr(pipeline, "DENSE_PAIR_WORK", 0)
    lanczos = pipeline.project(votes)[1]
    assert np.allclose(exact, lanczos, atol=1e-9)
    assert compute(votes).groups == pipeline.compute(votes).groups


def test_k_means_with_bounds_assigns_exactly_as_plain_lloyd():
    rng = np.random.default_rng(8)
    points = np.concatenate([rng.normal(c, 1.0, size=(400, 2)) for c in ((0, 0), (4, 1), (1, 5))])
    weights = rng.integers(1, 5, len(points)).astype(float)
    labels, centres = pipeline.kmeans(points, 12, weights=weights)
    # the same start, then every point looked up every round
    mean = (points * weights[:, None]).sum(axis=0) / weights.sum()
    first = int(np.argmax(((points - mean) ** 2).sum(axis=1)))
    expected = pipeline.farthest_point_centres(points, 12, first)
    plain = np.full(len(points), -1)
    for _ in range(pipeline.MAX_ITERATIONS):
        new = pipeline._squared_distances(points, expected).argmin(axis=1)
        if np.array_equal(new, plain):
            break
        plain = new
        for j in range(len(expected)):
            if (plain == j).any():
                expected[j] = np.average(points[plain == j], axis=0, weights=weights[plain == j])
    assert adjusted_rand_index(labels.tolist(), plain.tolist()) == 1.0
    assert np.allclose(np.sort(centres, axis=0), np.sort(expected[np.unique(plain)], axis=0))
