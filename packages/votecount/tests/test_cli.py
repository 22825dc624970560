"""The command line: a file whose ballots break its own limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from votecount.cli import main

TOO_LONG = """META
key;value
description;A ballot breaks the file's own max_length
num_projects;2
num_votes;2
budget;100
vote_type;approval
rule;greedy
max_length;1
PROJECTS
project_id;cost;name
a;60;A
b;50;B
VOTES
voter_id;vote
1;a,b
2;a
"""


def test_count_refuses_a_file_whose_ballots_break_its_limits_and_names_lenient(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "too_long.pb"
    path.write_text(TOO_LONG, encoding="utf-8")
    assert main(["count", str(path)]) == 2
    error = capsys.readouterr().err
    assert "max_length" in error or "at most" in error
    assert "--lenient counts it anyway" in error
    assert main(["count", str(path), "--lenient", "--json"]) == 0
    assert '"selected"' in capsys.readouterr().out


def test_a_broken_file_gets_no_lenient_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.pb"
    path.write_text(TOO_LONG.replace("budget;100", "budget;lots"), encoding="utf-8")
    assert main(["count", str(path)]) == 2
    assert "--lenient" not in capsys.readouterr().err
