"""votecount: exact, fast and explainable counting of participatory budgets."""

__version__ = "1.0.0"

from votecount.errors import PbFormatError, RuleError, TieError, VotecountError
from votecount.explain import Explanation
from votecount.model import Ballot, Instance, Issue, Project, VoteType
from votecount.pbio import parse_pb, read_pb, save_pb, write_pb
from votecount.rules import CountOptions, Outcome, count
from votecount.ties import Criterion, TiePolicy, TieRecord

__all__ = [
    "Ballot",
    "CountOptions",
    "Criterion",
    "Explanation",
    "Instance",
    "Issue",
    "Outcome",
    "PbFormatError",
    "Project",
    "RuleError",
    "TieError",
    "TiePolicy",
    "TieRecord",
    "VoteType",
    "VotecountError",
    "__version__",
    "count",
    "parse_pb",
    "read_pb",
    "save_pb",
    "write_pb",
]
