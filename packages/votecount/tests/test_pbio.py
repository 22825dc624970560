"""Reading and writing the Pabulib format."""

from __future__ import annotations

from decimal import Decimal

import pytest

from votecount import Ballot, Instance, PbFormatError, Project, parse_pb, read_pb, write_pb
from votecount.model import VoteType
from votecount_testdata import every_file_params

SMALL = (
    "META\r\n"
    "key;value\r\n"
    "description;Test\r\n"
    "num_projects;3\r\n"
    "num_votes;3\r\n"
    "budget;1000.50\r\n"
    "vote_type;approval\r\n"
    "rule;greedy\r\n"
    "PROJECTS\r\n"
    "project_id;cost;votes;name;selected\r\n"
    '01;400.25;2;"Park; with a semicolon";1\r\n'
    '2;600;2;"A ""quoted"" name";1\r\n'
    "3;700;1;Plain;0\r\n"
    "VOTES\r\n"
    "voter_id;vote;age\r\n"
    "v1;01,2;30\r\n"
    "v2;2,01;41\r\n"
    "v3;3;\r\n"
)


def test_it_reads_sections_quotes_crlf_and_keeps_ids_as_strings() -> None:
    inst = parse_pb(SMALL)
    assert list(inst.projects) == ["01", "2", "3"]
    assert inst.projects["01"].name == "Park; with a semicolon"
    assert inst.projects["2"].name == 'A "quoted" name'
    assert inst.projects["01"].cost == Decimal("400.25")
    assert isinstance(inst.projects["01"].cost, Decimal)
    assert inst.budget == Decimal("1000.50")
    assert inst.vote_type == VoteType.APPROVAL
    assert inst.ballots[0].projects == ("01", "2")
    assert inst.ballots[0].extra == {"age": "30"}
    assert inst.projects["01"].declared_selected == 1


def test_write_then_read_gives_the_same_instance() -> None:
    inst = parse_pb(SMALL)
    text = write_pb(inst)
    again = parse_pb(text)
    assert again == inst
    assert write_pb(again) == text


def test_columns_are_found_by_the_header_not_by_position() -> None:
    text = (
        SMALL.replace("voter_id;vote;age", "age;vote;voter_id")
        .replace("v1;01,2;30", "30;01,2;v1")
        .replace("v2;2,01;41", "41;2,01;v2")
        .replace("v3;3;", ";3;v3")
    )
    inst = parse_pb(text)
    assert [b.voter_id for b in inst.ballots] == ["v1", "v2", "v3"]
    assert inst.ballots[1].projects == ("2", "01")


def test_cumulative_ballots_need_points_and_keep_them_exact() -> None:
    text = (
        "META\nkey;value\nnum_projects;2\nnum_votes;2\nbudget;10\nvote_type;cumulative\n"
        "max_sum_points;5\nPROJECTS\nproject_id;cost\na;5\nb;6\nVOTES\nvoter_id;vote;points\n"
        "1;a,b;3,2\n2;b;5\n"
    )
    inst = parse_pb(text)
    assert inst.ballots[0].points == (Decimal(3), Decimal(2))
    with pytest.raises(PbFormatError) as err:
        parse_pb(text.replace("1;a,b;3,2", "1;a,b;3,3"))
    assert err.value.line == 14
    assert err.value.field == "points"
    with pytest.raises(PbFormatError, match="points"):
        parse_pb(text.replace("voter_id;vote;points", "voter_id;vote;pts"))


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("v3;3;", "v3;9;"), 18, "vote"),
        (("3;700;1;Plain;0", "3;7x0;1;Plain;0"), 13, "cost"),
        (("3;700;1;Plain;0", "3;700;1;Plain"), 13, None),
        (("num_votes;3", "num_votes;4"), 5, "num_votes"),
        (("num_projects;3", "num_projects;2"), 4, "num_projects"),
        (("v3;3;", "v1;3;"), 18, "voter_id"),
        (("3;700;1;Plain;0", "2;700;1;Plain;0"), 13, "project_id"),
        (("budget;1000.50", "budget;1,000.50"), 6, "budget"),
        (("budget;1000.50", "budget;NaN"), 6, "budget"),
        (("vote_type;approval", "vote_type;borda"), 7, "vote_type"),
        (('2;600;2;"A ""quoted"" name";1', '2;600;2;"A quoted name;1'), 12, None),
    ],
)
def test_malformed_input_names_the_line_and_the_field(
    change: tuple[str, str], line: int | None, field: str | None
) -> None:
    text = SMALL.replace(*change)
    assert text != SMALL
    with pytest.raises(PbFormatError) as err:
        parse_pb(text)
    if line is not None:
        assert err.value.line == line
        assert f"line {line}" in str(err.value)
    assert err.value.field == field


def test_a_missing_section_is_an_error() -> None:
    with pytest.raises(PbFormatError, match="VOTES"):
        parse_pb(SMALL.split("VOTES")[0])


def test_a_project_twice_on_one_ballot_is_reported_and_counted_once() -> None:
    inst = parse_pb(SMALL.replace("v1;01,2;30", "v1;01,2,01;30"))
    assert inst.ballots[0].projects == ("01", "2")
    assert len(inst.issues) == 1
    assert inst.issues[0].line == 16
    assert "twice" in inst.issues[0].message


def test_constraint_violations_raise_in_strict_mode_and_are_listed_otherwise() -> None:
    text = SMALL.replace("rule;greedy", "rule;greedy\r\nmax_length;1")
    with pytest.raises(PbFormatError, match="max_length") as err:
        parse_pb(text)
    assert err.value.line == 17
    inst = parse_pb(text, strict=False)
    assert [i.line for i in inst.issues if i.severity == "error"] == [17, 18]


def test_choose_1_ballots_hold_exactly_one_project() -> None:
    text = SMALL.replace("vote_type;approval", "vote_type;choose-1")
    with pytest.raises(PbFormatError, match="max_length"):
        parse_pb(text)


def test_an_instance_built_in_memory_round_trips() -> None:
    inst = Instance.build(
        budget=Decimal("100"),
        projects=[Project("p1", Decimal("60"), "Trees"), Project("p2", Decimal("50.5"), "Bench")],
        ballots=[Ballot.of("a", ["p1"]), Ballot.of("b", ["p1", "p2"], None, age="20")],
        rule="greedy",
    )
    assert parse_pb(write_pb(inst)) == inst
    with pytest.raises(PbFormatError, match="unknown project"):
        Instance.build(
            budget=1, projects=[Project("x", Decimal(1))], ballots=[Ballot.of("a", ["y"])]
        )


@pytest.mark.parametrize("path", every_file_params())
def test_every_pabulib_file_reads_and_round_trips(path: object) -> None:
    inst = read_pb(path)  # type: ignore[arg-type]
    assert len(inst.projects) == int(inst.meta["num_projects"])
    assert len(inst.ballots) == int(inst.meta["num_votes"])
    assert parse_pb(write_pb(inst)) == inst
