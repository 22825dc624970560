"""The opinion map: Polis-style grouping of participants by how they vote on short statements.

Plain Python, numpy and scipy, no Django, so the algorithm is tested on its own and against the
Polis open data. ``pipeline`` holds the maths, ``polis_io`` the open-data format.
"""

from wspolnota.consultations.opinionmap.pipeline import (
    OpinionMapResult,
    Votes,
    adjusted_rand_index,
    compute,
)

__all__ = ["OpinionMapResult", "Votes", "adjusted_rand_index", "compute"]
