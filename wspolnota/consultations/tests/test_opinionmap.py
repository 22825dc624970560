"""The opinion-map algorithm on its own (no database) and its Polis open-data format."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from wspolnota.consultations.opinionmap import polis_io
from wspolnota.consultations.opinionmap.pipeline import (
    ZEROED_COUNTED_FROM_MS,
    OpinionState,
    VoteLog,
    adjusted_rand_index,
    recompute,
    reloaded,
    replay,
)
from wspolnota.tests_support.data import polis_conversation


def two_camps(
    seed: int = 0, per_camp: int = 30, statements: int = 12
) -> list[tuple[int, int, int, float]]:
    """Camp A agrees with the even statements and rejects the odd ones, camp B the opposite;
    statement 0 is agreed by everyone. A few votes are missing or flipped."""
    rng = np.random.default_rng(seed)
    votes = []
    t = 0
    for person in range(2 * per_camp):
        camp = person % 2
        for s in range(statements):
            if s > 0 and rng.random() < 0.15:
                continue
            if s == 0:
                vote = 1.0
            else:
                vote = 1.0 if (s % 2 == 0) == (camp == 0) else -1.0
                if rng.random() < 0.05:
                    vote = -vote
            t += 1000
            votes.append((t, person, s, vote))
    return votes


def test_adjusted_rand_index_matches_known_values():
    assert adjusted_rand_index([0, 0, 1, 1], [5, 5, 9, 9]) == pytest.approx(1.0)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    # a textbook example: 6 items, one moved
    assert adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]) == pytest.approx(
        0.3243, abs=1e-4
    )


def test_two_camps_become_two_groups_and_the_shared_statement_is_consensus():
    votes = two_camps()
    log = VoteLog()
    for _t, person, statement, vote in votes:
        log.add(person, statement, vote)
    _state, result = recompute(log)
    assert result.n_groups == 2
    truth = [p % 2 for p in result.groups]
    assert adjusted_rand_index(truth, list(result.groups.values())) == pytest.approx(1.0)
    assert result.consensus[0] == 0
    for group, statements in result.representative.items():
        assert statements, f"group {group} has no representative statement"


def test_kept_sums_follow_every_vote_exactly():
    rng = np.random.default_rng(3)
    incremental = VoteLog(keep_sums=True)
    for _ in range(2000):
        incremental.add(
            int(rng.integers(0, 50)), int(rng.integers(0, 30)), float(rng.choice([-1, 0, 1]))
        )
    matrix = incremental.matrix
    mask = (~np.isnan(matrix)).astype(float)
    values = np.nan_to_num(matrix, nan=0.0)
    expected = (values.T @ values, mask.T @ values, mask.T @ mask)
    for kept, computed in zip(incremental.sums(), expected, strict=True):
        assert np.allclose(kept, computed)


def test_state_survives_a_round_trip_through_json_and_keeps_the_groups():
    votes = two_camps(seed=1)
    state, result, log = replay(votes, batch_ms=20_000)
    restored = OpinionState.from_json(json.loads(json.dumps(state.to_json())))
    assert restored.smoothed_k == state.smoothed_k and restored.in_conv == state.in_conv
    _again, result_again = recompute(log, restored)
    assert (
        adjusted_rand_index(list(result.groups.values()), list(result_again.groups.values())) == 1.0
    )


def test_the_group_count_changes_only_after_winning_four_recomputations_in_a_row():
    state = OpinionState(last_k=3, last_k_count=2, smoothed_k=2)
    log = VoteLog()
    for _t, person, statement, vote in two_camps(seed=2):
        log.add(person, statement, vote)
    state, result = recompute(log, state)
    # k = 2 wins this time, but the previous run's k stays until a new k wins 4 times running
    assert state.last_k == 2 and state.last_k_count == 1 and state.smoothed_k == 2
    assert result.n_groups == 2


def test_after_a_day_without_votes_the_replay_reloads_the_conversation_as_polis_does() -> None:
    votes = two_camps(seed=5)
    state, _result, _log = replay(votes, batch_ms=20_000)
    assert state.group_clusterings and state.smoothed_k is not None
    # what Polis stores and reloads: who counts, the components, the base clusters
    fresh = reloaded(state)
    assert fresh.in_conv == state.in_conv and fresh.base_clusters == state.base_clusters
    assert fresh.components.keys() == state.components.keys()
    # what it does not: the grouping for every k and the smoothing of k
    assert fresh.group_clusterings == {} and fresh.smoothed_k is None and fresh.last_k is None
    day = 24 * 60 * 60 * 1000
    end = votes[-1][0]
    later = [*votes, *((end + 2 * day + i * 1000, p, 3, 1.0) for i, p in enumerate(range(5)))]
    with_reload, result, _log = replay(later, batch_ms=20_000)
    without, result_without, _log = replay(later, batch_ms=20_000, reload_ms=None)
    # one more recomputation: the one Polis runs as it loads the conversation
    assert with_reload.updates == without.updates + 1
    assert result.n_groups == result_without.n_groups == 2


def test_in_2017_polis_counted_moderated_out_statements_as_voted_on_by_everyone() -> None:
    votes = two_camps(seed=6)
    votes.append((votes[-1][0] + 1000, 999, 1, 1.0))  # a newcomer with one vote
    mod_out = set(range(5, 12))  # seven statements moderated out, all voted on by the camps
    in_2017 = [(t + ZEROED_COUNTED_FROM_MS + 10**9, p, s, v) for t, p, s, v in votes]
    in_2019 = [(t + ZEROED_COUNTED_FROM_MS + 10**11, p, s, v) for t, p, s, v in votes]
    # 1 vote + 7 zeroed statements reach the threshold of 7 only the way Polis counted in 2017
    assert 999 in replay(in_2017, mod_out=mod_out, batch_ms=50_000)[1].groups
    assert 999 not in replay(in_2019, mod_out=mod_out, batch_ms=50_000)[1].groups


def test_participants_with_few_votes_do_not_count_until_they_have_voted_enough():
    votes = two_camps(seed=4)
    votes.append((10**9, 999, 1, 1.0))  # a newcomer with one vote
    _state, result, _log = replay(votes, batch_ms=50_000)
    assert 999 not in result.groups


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


def test_the_command_prints_groups_and_consensus_as_json_for_a_polis_folder():
    london = polis_conversation("london.youth.policing")
    out = StringIO()
    call_command("opinionmap", str(london), "--json", stdout=out)
    data = json.loads(out.getvalue())
    conversation = polis_io.read_folder(london)
    published = conversation.published_groups
    voters = {v.participant for v in conversation.votes}
    assert {int(p) for p in data["groups"]} <= voters
    assert set(published) <= {int(p) for p in data["groups"]}
    assert isinstance(data["consensus"], list)
    assert set(data["groups"].values()) == set(range(data["n_groups"]))


def test_the_command_refuses_a_folder_without_the_csv_files(tmp_path):
    with pytest.raises(CommandError, match=r"votes\.csv|comments\.csv"):
        call_command("opinionmap", str(tmp_path), "--json")
