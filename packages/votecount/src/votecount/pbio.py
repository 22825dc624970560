"""Reading and writing Pabulib ``.pb`` files.

The format: three sections (META, PROJECTS, VOTES), each a title line, a header line and rows of
``;``-separated CSV (double quotes around fields that contain ``;`` or quotes, quotes doubled).
Columns are found by the header line, never by position. Ids stay strings, money stays exact.
Lines may end in CRLF or LF, and a file may mix them.
"""

from __future__ import annotations

import csv
import gc
import io
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from operator import itemgetter
from pathlib import Path

from votecount.errors import PbFormatError
from votecount.model import (
    Ballot,
    Instance,
    Issue,
    Project,
    VoteType,
    format_decimal,
    parse_decimal,
)
from votecount.validate import validate_ballots

SECTIONS = ("META", "PROJECTS", "VOTES")


def read_pb(path: str | Path, *, strict: bool = True) -> Instance:
    """Read a .pb file. See :func:`parse_pb`."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PbFormatError("the file is not valid UTF-8 text", line=line) from exc
    return parse_pb(text, strict=strict)


_LINE_BREAK = re.compile(r"\r\n|\n|\r")


def _split_fields(line: str) -> list[str]:
    """Split one line (without quotes) on ';' and strip the fields."""
    fields = line.split(";")
    if " " in line or "\t" in line:
        return [f.strip() for f in fields]
    return fields


def _rows(lines: list[str], issues: list[Issue]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, fields) for every non-blank row.

    Lines without a double quote are split directly (the fast path). A line with quotes is read
    as CSV; a quoted field may run over several lines. A quote that does not open a proper CSV
    field (``"Odkupmy" i my`` in a Częstochowa file) is taken literally, with a warning.
    """
    count = len(lines)
    index = 0
    while index < count:
        line = lines[index]
        number = index + 1
        index += 1
        if '"' not in line:
            if not line or line.strip(" ;\t") == "":
                continue
            yield number, _split_fields(line)
            continue
        chunk = line
        while chunk.count('"') % 2 == 1 and index < count:
            chunk += "\n" + lines[index]
            index += 1
        try:
            parsed = next(csv.reader([chunk], delimiter=";", strict=True))
        except csv.Error:
            if "\n" in chunk:
                raise PbFormatError("a quoted field is never closed", line=number) from None
            issues.append(
                Issue(
                    "warning",
                    "quote characters that do not open a CSV field are kept as text",
                    number,
                )
            )
            parsed = chunk.split(";")
        fields = [f.strip() for f in parsed]
        if all(f == "" for f in fields):
            continue
        yield number, fields


def parse_pb(text: str, *, strict: bool = True) -> Instance:
    """Parse the text of a .pb file; see :func:`_parse_pb`.

    The cyclic garbage collector is paused while parsing: a city-wide file creates a few hundred
    thousand small objects and no cycles, and the collector's passes would double the time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_pb(text, strict=strict)
    finally:
        if was_enabled:
            gc.enable()


def _parse_pb(text: str, *, strict: bool) -> Instance:
    """Parse the text of a .pb file into an :class:`Instance`.

    Malformed input raises :class:`PbFormatError` naming the line and the field: a missing
    section or column, a row with the wrong number of fields, an unknown or repeated project id,
    a number that is not a number, a repeated voter id, ``num_projects``/``num_votes`` that do not
    match the file. A project written twice on one ballot is kept once and reported in
    ``instance.issues``. Ballots that break the election's constraints (lengths, points, costs)
    raise in strict mode; with ``strict=False`` they are reported in ``instance.issues`` instead.
    """
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    projects: dict[str, Project] = {}
    ballots: list[Ballot] = []
    ballot_lines: list[int] = []
    issues: list[Issue] = []
    project_columns: tuple[str, ...] = ()
    vote_columns: tuple[str, ...] = ()
    section: str | None = None
    header: list[str] | None = None
    seen_sections: list[str] = []
    voter_ids: set[str] = set()

    # column positions for the hot VOTES loop
    vote_idx = voter_idx = points_idx = -1
    n_vote_columns = 0
    needs_points = False
    extra_vote_cols: list[tuple[int, str]] = []
    extra_names: tuple[str, ...] = ()
    extra_of = _fields_getter([])

    rows = _rows(_LINE_BREAK.split(text), issues)
    for line, fields in rows:
        first = fields[0]
        if (
            first[:1] in "MPVmpv"
            and first.upper() in SECTIONS
            and (len(fields) == 1 or all(f == "" for f in fields[1:]))
        ):
            name = fields[0].upper()
            if name in seen_sections:
                raise PbFormatError(f"section {name} appears twice", line=line)
            expected = SECTIONS[len(seen_sections)] if len(seen_sections) < 3 else None
            if name != expected:
                raise PbFormatError(
                    f"section {name} found where {expected} was expected "
                    "(the order is META, PROJECTS, VOTES)",
                    line=line,
                )
            seen_sections.append(name)
            section = name
            try:
                header_line, header = next(rows)
            except StopIteration:
                raise PbFormatError(f"section {name} has no header line", line=line) from None
            if len(set(header)) != len(header):
                raise PbFormatError(f"the {name} header repeats a column", line=header_line)
            if name == "META":
                if [h.lower() for h in header[:2]] != ["key", "value"]:
                    raise PbFormatError(
                        "the META header must be 'key;value'", line=header_line, field="key"
                    )
            elif name == "PROJECTS":
                for required in ("project_id", "cost"):
                    if required not in header:
                        raise PbFormatError(
                            "the PROJECTS header lacks this column",
                            line=header_line,
                            field=required,
                        )
                project_columns = tuple(header)
            else:
                for required in ("voter_id", "vote"):
                    if required not in header:
                        raise PbFormatError(
                            "the VOTES header lacks this column", line=header_line, field=required
                        )
                vote_columns = tuple(header)
                voter_idx = header.index("voter_id")
                vote_idx = header.index("vote")
                points_idx = header.index("points") if "points" in header else -1
                extra_vote_cols = [
                    (i, h) for i, h in enumerate(header) if h not in ("voter_id", "vote", "points")
                ]
                extra_names = tuple(h for _, h in extra_vote_cols)
                extra_of = _fields_getter([i for i, _ in extra_vote_cols])
                _check_meta(meta, meta_lines)
                vote_type = VoteType(meta["vote_type"].strip())
                needs_points = vote_type in (VoteType.CUMULATIVE, VoteType.SCORING)
                n_vote_columns = len(vote_columns)
                if vote_type in (VoteType.CUMULATIVE, VoteType.SCORING) and points_idx < 0:
                    raise PbFormatError(
                        f"{vote_type.value} ballots need a 'points' column",
                        line=header_line,
                        field="points",
                    )
            continue
        if section is None or header is None:
            raise PbFormatError("text before the META section", line=line)
        if section == "META":
            if len(fields) < 2:
                raise PbFormatError("a META line needs a key and a value", line=line)
            if any(f != "" for f in fields[2:]):
                raise PbFormatError(
                    "a META line has more than two fields (quote values that contain ';')",
                    line=line,
                    field=fields[0],
                )
            key = fields[0]
            if key in meta:
                raise PbFormatError("META key given twice", line=line, field=key)
            meta[key] = fields[1]
            meta_lines[key] = line
        elif section == "PROJECTS":
            if len(fields) != len(header):
                raise PbFormatError(
                    f"{len(fields)} fields where the header has {len(header)}", line=line
                )
            row = dict(zip(header, fields, strict=True))
            pid = row["project_id"]
            if not pid:
                raise PbFormatError("empty project id", line=line, field="project_id")
            if pid in projects:
                raise PbFormatError(
                    f"project id '{pid}' is used twice", line=line, field="project_id"
                )
            cost = parse_decimal(row["cost"], what="cost", line=line)
            if cost < 0:
                raise PbFormatError("a cost cannot be negative", line=line, field="cost")
            extra = {k: v for k, v in row.items() if v and k not in ("project_id", "cost", "name")}
            projects[pid] = Project(pid, cost, row.get("name", ""), extra)
        else:
            # The hot loop: one iteration per ballot.
            if len(fields) != n_vote_columns:
                raise PbFormatError(
                    f"{len(fields)} fields where the header has {n_vote_columns}", line=line
                )
            voter_id = fields[voter_idx]
            if not voter_id:
                raise PbFormatError("empty voter id", line=line, field="voter_id")
            if voter_id in voter_ids:
                raise PbFormatError(
                    f"voter id '{voter_id}' is used twice", line=line, field="voter_id"
                )
            voter_ids.add(voter_id)
            raw_vote = fields[vote_idx]
            ids = raw_vote.split(",") if raw_vote else []
            if " " in raw_vote:
                ids = [p.strip() for p in ids]
            for pid in ids:
                if pid not in projects:
                    _unknown_project(pid, line)
            points: tuple[Decimal, ...] | None = None
            if points_idx >= 0:
                raw_points = fields[points_idx]
                if raw_points != "":
                    point_texts = raw_points.split(",")
                    if len(point_texts) != len(ids):
                        raise PbFormatError(
                            f"{len(ids)} projects but {len(point_texts)} points",
                            line=line,
                            field="points",
                        )
                    points = tuple(parse_decimal(p, what="points", line=line) for p in point_texts)
                elif ids and needs_points:
                    raise PbFormatError("points are missing", line=line, field="points")
            if len(ids) > 1 and len(set(ids)) != len(ids):
                ids, points = _dedupe(ids, points, voter_id, line, issues)
            # the other columns, empty cells left out (pairs built and filtered in C)
            extra = (
                dict(filter(_value, zip(extra_names, extra_of(fields), strict=True)))
                if extra_names
                else {}
            )
            ballots.append(Ballot(voter_id, tuple(ids), points, extra))
            ballot_lines.append(line)

    missing = [s for s in SECTIONS if s not in seen_sections]
    if missing:
        raise PbFormatError(f"the file has no {', '.join(missing)} section")
    for key, count in (("num_projects", len(projects)), ("num_votes", len(ballots))):
        if key in meta:
            if not meta[key].isdigit():
                raise PbFormatError(
                    f"'{meta[key]}' is not a whole number", line=meta_lines[key], field=key
                )
            declared = parse_decimal(meta[key], what=key, line=meta_lines[key])
            if declared != count:
                raise PbFormatError(
                    f"META says {meta[key]} but the file has {count}",
                    line=meta_lines[key],
                    field=key,
                )
    instance = Instance(
        meta=meta,
        projects=projects,
        ballots=ballots,
        project_columns=project_columns,
        vote_columns=vote_columns,
        issues=issues,
        meta_lines=meta_lines,
    )
    for issue in validate_ballots(instance, ballot_lines):
        if strict and issue.severity == "error":
            raise PbFormatError(issue.message, line=issue.line, field=issue.field)
        issues.append(issue)
    return instance


#: the value of a (key, value) pair
_value = itemgetter(1)


def _fields_getter(positions: list[int]) -> Callable[[list[str]], tuple[str, ...]]:
    """A function giving the fields at these positions of a row, as a tuple."""
    if len(positions) > 1:
        return itemgetter(*positions)
    if positions:
        only = positions[0]
        return lambda fields: (fields[only],)
    return lambda fields: ()


def _unknown_project(pid: str, line: int) -> None:
    if pid.strip() == "":
        raise PbFormatError("empty project id in the list", line=line, field="vote")
    raise PbFormatError(f"unknown project '{pid}'", line=line, field="vote")


def _dedupe(
    ids: list[str],
    points: tuple[Decimal, ...] | None,
    voter_id: str,
    line: int,
    issues: list[Issue],
) -> tuple[list[str], tuple[Decimal, ...] | None]:
    """Keep the first mention of each project on a ballot and report the others."""
    seen: set[str] = set()
    keep: list[int] = []
    for i, pid in enumerate(ids):
        if pid in seen:
            issues.append(
                Issue(
                    "warning",
                    f"voter {voter_id}: project '{pid}' appears twice on one ballot; "
                    "it is counted once (where it first appears)",
                    line,
                    "vote",
                )
            )
        else:
            seen.add(pid)
            keep.append(i)
    new_points = None if points is None else tuple(points[i] for i in keep)
    return [ids[i] for i in keep], new_points


def _check_meta(meta: dict[str, str], meta_lines: dict[str, int]) -> None:
    for key in ("budget", "vote_type"):
        if key not in meta or meta[key] == "":
            raise PbFormatError("META must give this key", field=key)
    try:
        VoteType(meta["vote_type"])
    except ValueError:
        raise PbFormatError(
            f"unknown vote type '{meta['vote_type']}'",
            line=meta_lines.get("vote_type"),
            field="vote_type",
        ) from None
    parse_decimal(meta["budget"], what="budget", line=meta_lines.get("budget"))


def write_pb(instance: Instance) -> str:
    """The text of a .pb file for ``instance`` (LF line ends, minimal quoting).

    ``num_projects`` and ``num_votes`` are written from the data, so a file written from a
    changed instance stays consistent.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    meta = dict(instance.meta)
    if "num_projects" in meta:
        meta["num_projects"] = str(len(instance.projects))
    if "num_votes" in meta:
        meta["num_votes"] = str(len(instance.ballots))
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    writer.writerow(instance.project_columns)
    for project in instance.projects.values():
        row = []
        for column in instance.project_columns:
            if column == "project_id":
                row.append(project.id)
            elif column == "cost":
                row.append(format_decimal(project.cost))
            elif column == "name":
                row.append(project.name)
            else:
                row.append(project.extra.get(column, ""))
        writer.writerow(row)
    out.write("VOTES\n")
    writer.writerow(instance.vote_columns)
    for ballot in instance.ballots:
        row = []
        for column in instance.vote_columns:
            if column == "voter_id":
                row.append(ballot.voter_id)
            elif column == "vote":
                row.append(",".join(ballot.projects))
            elif column == "points":
                row.append(
                    ""
                    if ballot.points is None
                    else ",".join(format_decimal(p) for p in ballot.points)
                )
            else:
                row.append(ballot.extra.get(column, ""))
        writer.writerow(row)
    return out.getvalue()


def save_pb(instance: Instance, path: str | Path) -> None:
    """Write ``instance`` to ``path`` as UTF-8."""
    Path(path).write_text(write_pb(instance), encoding="utf-8", newline="")
