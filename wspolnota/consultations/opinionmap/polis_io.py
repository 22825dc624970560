"""The Polis open-data format: comments.csv, votes.csv, participants-votes.csv (and summary.csv).

Readers check every line and raise ``PolisFormatError`` naming the file, the line and the column,
so an official importing a malformed export knows where to look.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wspolnota.consultations.opinionmap.pipeline import Votes, latest_votes


class PolisFormatError(ValueError):
    def __init__(self, file: str, line: int, message: str) -> None:
        self.file, self.line, self.detail = file, line, message
        super().__init__(f"{file}, line {line}: {message}")


@dataclass
class PolisComment:
    id: int
    author: int
    body: str
    moderated: int  # 1 accepted, 0 waiting, -1 moderated out
    timestamp: int = 0


@dataclass
class PolisVote:
    timestamp: int
    statement: int
    participant: int
    vote: int  # 1 agree, -1 disagree, 0 pass


@dataclass
class PolisConversation:
    name: str
    comments: list[PolisComment] = field(default_factory=list)
    votes: list[PolisVote] = field(default_factory=list)
    published_groups: dict[int, int] = field(default_factory=dict)
    summary: dict[str, str] = field(default_factory=dict)

    @property
    def moderated_out(self) -> set[int]:
        return moderated_out(self.comments)

    def vote_tuples(self) -> list[tuple[int, int, int, float]]:
        return [(v.timestamp, v.participant, v.statement, float(v.vote)) for v in self.votes]

    def latest_votes(self) -> Votes:
        """What the opinion map is computed from: each participant's latest vote on each statement."""
        participants, statements, values = latest_votes(self.vote_tuples())
        return Votes.from_arrays(participants, statements, values, moderated_out=self.moderated_out)


def moderated_out(comments: Iterable[PolisComment]) -> set[int]:
    """Statements moderated out (``moderated`` = -1): zeroed in the opinion map, as in Polis.

    Statements not yet moderated (0) stay in, as Polis keeps them unless its strict moderation
    is on; the import and the command both decide here.
    """
    return {c.id for c in comments if c.moderated < 0}


def _rows(text: str, name: str, required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise PolisFormatError(name, 1, "missing columns: " + ", ".join(missing))
    for row in reader:
        yield reader.line_num, row


def _int(
    row: dict[str, str], column: str, name: str, line: int, allowed: set[int] | None = None
) -> int:
    raw = (row.get(column) or "").strip()
    try:
        value = int(float(raw)) if raw not in ("",) else None
    except ValueError:
        value = None
    if value is None or (allowed is not None and value not in allowed):
        raise PolisFormatError(name, line, f"bad value {raw!r} in column {column}")
    return value


def parse_comments(text: str, name: str = "comments.csv") -> list[PolisComment]:
    comments = []
    seen: set[int] = set()
    for line, row in _rows(text, name, ("comment-id", "comment-body")):
        comment_id = _int(row, "comment-id", name, line)
        if comment_id in seen:
            raise PolisFormatError(name, line, f"comment {comment_id} appears twice")
        seen.add(comment_id)
        moderated = _int(row, "moderated", name, line, {-1, 0, 1}) if row.get("moderated") else 1
        author = _int(row, "author-id", name, line) if row.get("author-id") else -1
        timestamp = _int(row, "timestamp", name, line) if row.get("timestamp") else 0
        comments.append(
            PolisComment(comment_id, author, row.get("comment-body") or "", moderated, timestamp)
        )
    return comments


def parse_votes(text: str, name: str = "votes.csv") -> list[PolisVote]:
    votes = []
    for line, row in _rows(text, name, ("comment-id", "voter-id", "vote")):
        votes.append(
            PolisVote(
                timestamp=_int(row, "timestamp", name, line) if row.get("timestamp") else line,
                statement=_int(row, "comment-id", name, line),
                participant=_int(row, "voter-id", name, line),
                vote=_int(row, "vote", name, line, {-1, 0, 1}),
            )
        )
    return votes


def parse_participant_groups(text: str, name: str = "participants-votes.csv") -> dict[int, int]:
    groups = {}
    for line, row in _rows(text, name, ("participant", "group-id")):
        participant = _int(row, "participant", name, line)
        if (row.get("group-id") or "").strip():
            groups[participant] = _int(row, "group-id", name, line)
    return groups


def read_folder(folder: Path) -> PolisConversation:
    """Read a Polis export folder; comments.csv and votes.csv are required."""
    folder = Path(folder)
    conversation = PolisConversation(name=folder.name)
    for required in ("comments.csv", "votes.csv"):
        if not (folder / required).is_file():
            raise PolisFormatError(required, 0, "file not found in " + str(folder))
    conversation.comments = parse_comments(
        (folder / "comments.csv").read_text(encoding="utf-8-sig")
    )
    conversation.votes = parse_votes((folder / "votes.csv").read_text(encoding="utf-8-sig"))
    participants = folder / "participants-votes.csv"
    if participants.is_file():
        conversation.published_groups = parse_participant_groups(
            participants.read_text(encoding="utf-8-sig")
        )
    summary = folder / "summary.csv"
    if summary.is_file():
        for row in csv.reader(io.StringIO(summary.read_text(encoding="utf-8-sig"))):
            if len(row) >= 2:
                conversation.summary[row[0]] = row[1]
    return conversation


def write_comments(comments: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "timestamp",
            "datetime",
            "comment-id",
            "author-id",
            "agrees",
            "disagrees",
            "moderated",
            "comment-body",
        ]
    )
    for c in comments:
        writer.writerow(
            [
                c["timestamp"],
                c["datetime"],
                c["id"],
                c["author"],
                c["agrees"],
                c["disagrees"],
                c["moderated"],
                c["body"],
            ]
        )
    return out.getvalue()


def write_votes(votes: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["timestamp", "datetime", "comment-id", "voter-id", "vote"])
    for v in votes:
        writer.writerow(
            [v["timestamp"], v["datetime"], v["statement"], v["participant"], v["vote"]]
        )
    return out.getvalue()


def write_participants_votes(
    statements: list[int],
    participants: list[dict[str, Any]],
) -> str:
    """One row per participant: group, counts and the vote on each statement (blank if none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree", *statements]
    )
    for p in participants:
        votes: dict[int, int] = p["votes"]
        writer.writerow(
            [
                p["id"],
                "" if p.get("group") is None else p["group"],
                p.get("n_comments", 0),
                len(votes),
                sum(1 for v in votes.values() if v > 0),
                sum(1 for v in votes.values() if v < 0),
                *[votes.get(s, "") for s in statements],
            ]
        )
    return out.getvalue()


def write_summary(rows: Iterable[tuple[str, Any]]) -> str:
    """summary.csv: one ``key,value`` line each (topic, url, voters, groups, …)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for key, value in rows:
        writer.writerow([key, "" if value is None else value])
    return out.getvalue()
