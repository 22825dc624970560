"""The opinion map: Polis's method as one deterministic computation from the votes as they are now.

``compute(votes)`` takes the latest vote of each participant on each statement and:

1. builds the participants × statements matrix (rows and columns sorted by id, so the order in
   which votes arrived cannot matter); a moderated-out statement's column is zeroed, as Polis
   does: it carries nothing into the PCA, but counts as seen by everyone in step 3;
2. fills each missing vote with its statement's mean vote and finds the two principal
   components exactly (Lanczos, ``scipy.sparse.linalg.eigsh``, from a fixed starting vector;
   after centring, the filled cells are zeros, so the matrix stays sparse);
3. projects every participant using the votes they cast, pushed out from the centre by
   ``sqrt(statements / statements voted on)`` so that people who voted on little are not all
   piled up in the middle;
4. decides who counts ("in the conversation"): everyone who voted on ``min(7, statements)``
   statements, topped up with the most active voters while fewer than 15 count;
5. groups them into at most 100 *base clusters* by k-means, and the base clusters (weighted by
   their size) into k = 2 … min(5, 2 + base clusters / 12) *groups*, k chosen by the silhouette;
   every k-means starts from a farthest-point choice of centres, never from chance;
6. finds each group's representative statements and the statements all groups agree on;
7. measures how firm the groups are: ten times, a different tenth of the participants is left
   out (fixed seeds) and the groups are formed again from the rest.

The same votes always give the same groups, numbered by size. Votes: 1 agree, -1 disagree,
0 pass. No Django here: the management command, the background task and the benchmark all call
``compute``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sparse
from numpy.typing import NDArray
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, LinearOperator, eigsh
from scipy.spatial import cKDTree

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

BASE_K = 100
MAX_K = 5
MAX_ITERATIONS = 100
MIN_VOTES = 7
GREEDY_PARTICIPANTS = 15
Z_90 = 1.2816
PER_GROUP = 5
FIRMNESS_FOLDS = 10
FIRMNESS_SEED = 2030
# A fold "brings the same groups back" when it finds as many groups and places the remaining
# participants the same way (adjusted Rand index at least this high).
SAME_GROUPS_ARI = 0.8


class VotesError(ValueError):
    """The votes cannot be computed on (e.g. two votes of one person on one statement)."""


# --- Votes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Votes:
    """The latest vote of each participant on each statement, in a canonical order.

    ``participants`` and ``statements`` are sorted ids; ``rows``/``cols``/``values`` are sorted
    by row, then column. Two collections of the same votes give equal arrays, whatever order the
    votes came in.
    """

    participants: IntArray
    statements: IntArray
    rows: IntArray
    cols: IntArray
    values: FloatArray
    moderated_out: NDArray[np.bool_]  # per column
    indptr: IntArray  # where each row's votes start (compressed sparse row layout)

    @classmethod
    def from_arrays(
        cls,
        participants: Sequence[int] | NDArray[Any],
        statements: Sequence[int] | NDArray[Any],
        values: Sequence[float] | NDArray[Any],
        *,
        moderated_out: Iterable[int] = (),
    ) -> Votes:
        p = np.asarray(participants, dtype=np.int64).reshape(-1)
        s = np.asarray(statements, dtype=np.int64).reshape(-1)
        v = np.asarray(values, dtype=np.float64).reshape(-1)
        if not (len(p) == len(s) == len(v)):
            raise VotesError("participants, statements and values differ in length")
        if len(v) and not np.isin(v, (-1.0, 0.0, 1.0)).all():
            raise VotesError("a vote is not 1, 0 or -1")
        participant_ids, rows = _index(p)
        statement_ids, cols = _index(s)
        # A compressed sparse row matrix sorts the votes by row (a counting sort) and then by
        # column within each row: the canonical order, found in linear time. It adds up
        # duplicates, so fewer cells than votes means two votes on one pair. Votes are stored
        # as 1, 2, 3 so that none is an (implicit) zero.
        shape = (len(participant_ids), len(statement_ids))
        matrix = sparse.csr_matrix((v + 2.0, (rows, cols)), shape=shape)
        matrix.sort_indices()
        if matrix.nnz != len(v):
            raise VotesError("two votes of one participant on one statement")
        canonical_rows = np.repeat(
            np.arange(shape[0], dtype=np.int64), np.diff(matrix.indptr).astype(np.int64)
        )
        canonical_cols = matrix.indices.astype(np.int64)
        out = np.asarray(sorted({int(x) for x in moderated_out}), dtype=np.int64)
        return cls(
            participants=participant_ids,
            statements=statement_ids,
            rows=canonical_rows,
            cols=canonical_cols,
            values=matrix.data - 2.0,
            moderated_out=np.isin(statement_ids, out),
            indptr=matrix.indptr.astype(np.int64),
        )

    def __len__(self) -> int:
        return len(self.values)


def _index(ids: IntArray) -> tuple[IntArray, IntArray]:
    """The sorted distinct ids, and each id's position among them.

    Database ids are dense enough for a lookup table (linear time); otherwise ``np.unique``.
    """
    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low, high = int(ids.min()), int(ids.max())
    if high - low <= 4 * len(ids) + 1_000_000:
        present = np.zeros(high - low + 1, dtype=bool)
        present[ids - low] = True
        distinct = np.flatnonzero(present).astype(np.int64) + low
        position = np.cumsum(present, dtype=np.int64) - 1
        return distinct, position[ids - low]
    distinct, inverse = np.unique(ids, return_inverse=True)
    return distinct.astype(np.int64), inverse.astype(np.int64).reshape(-1)


def fingerprint(votes: Votes) -> str:
    """SHA-256 of the votes in canonical form: equal for equal votes, whatever their order.

    The page prints it and ``manage.py opinionmap`` prints it for a downloaded folder, so
    anyone can check that the download holds the votes the map was computed from.
    """
    digest = hashlib.sha256()
    for array in (
        votes.participants,
        votes.statements,
        votes.statements[votes.moderated_out],
        votes.rows,
        votes.cols,
    ):
        digest.update(np.ascontiguousarray(array, dtype="<i8").tobytes())
        digest.update(b"|")
    digest.update(np.ascontiguousarray(votes.values, dtype="<i1").tobytes())
    return digest.hexdigest()


def latest_votes(
    records: Iterable[tuple[int, int, int, float]],
) -> tuple[IntArray, IntArray, FloatArray]:
    """``(timestamp, participant, statement, vote)`` records → the latest vote of each pair.

    A later timestamp replaces an earlier vote; of two votes with the same timestamp the one
    listed later wins (Polis exports list each vote once, so this only matters for broken files).
    """
    latest: dict[tuple[int, int], tuple[int, float]] = {}
    for timestamp, participant, statement, vote in records:
        key = (int(participant), int(statement))
        previous = latest.get(key)
        if previous is None or timestamp >= previous[0]:
            latest[key] = (int(timestamp), float(vote))
    pairs = list(latest.items())
    return (
        np.fromiter((k[0] for k, _v in pairs), dtype=np.int64, count=len(pairs)),
        np.fromiter((k[1] for k, _v in pairs), dtype=np.int64, count=len(pairs)),
        np.fromiter((v[1] for _k, v in pairs), dtype=np.float64, count=len(pairs)),
    )


# --- Result --------------------------------------------------------------------------------------


@dataclass
class GroupStatement:
    """How a group voted on a statement that sets it apart, against everyone else grouped."""

    statement: int
    direction: str  # "agree" or "disagree"
    agree: int
    disagree: int
    seen: int
    rest_agree: int
    rest_disagree: int
    rest_seen: int
    probability: float
    z_score: float
    ratio: float

    def to_json(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "direction": self.direction,
            "agree": self.agree,
            "disagree": self.disagree,
            "seen": self.seen,
            "rest_agree": self.rest_agree,
            "rest_disagree": self.rest_disagree,
            "rest_seen": self.rest_seen,
            "probability": round(self.probability, 4),
        }


@dataclass
class Firmness:
    """How often the same groups come back when a tenth of the participants is left out."""

    folds: int = 0
    same: int = 0  # folds that found the same number of groups and placed people the same way
    same_k: int = 0  # folds that found the same number of groups
    median_ari: float = 1.0

    @property
    def verdict(self) -> str:
        """``firm``, ``moderate`` or ``weak`` (``none`` when nothing was measured)."""
        if self.folds == 0:
            return "none"
        if self.same >= math.ceil(0.9 * self.folds):
            return "firm"
        if self.same >= math.ceil(0.6 * self.folds):
            return "moderate"
        return "weak"

    def to_json(self) -> dict[str, Any]:
        return {
            "folds": self.folds,
            "same": self.same,
            "same_k": self.same_k,
            "median_ari": round(self.median_ari, 4),
            "verdict": self.verdict,
        }


@dataclass
class OpinionMapResult:
    participants: IntArray  # every participant with a vote, sorted by id
    positions: FloatArray  # one (x, y) row per participant
    in_conversation: NDArray[np.bool_]
    groups: dict[int, int]  # participant id -> group 0…k-1 (group 0 the largest)
    n_groups: int
    group_sizes: dict[int, int]
    representative: dict[int, list[GroupStatement]]
    consensus: list[dict[str, Any]]
    consensus_disagree: list[dict[str, Any]]
    silhouettes: dict[int, float]
    firmness: Firmness = field(default_factory=Firmness)
    statements: int = 0
    votes: int = 0
    # statement id -> per group [agree, disagree, seen] (moderated-out statements left out)
    tallies: dict[int, list[list[int]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "groups": {str(p): g for p, g in sorted(self.groups.items())},
            "n_groups": self.n_groups,
            "group_sizes": {str(g): n for g, n in sorted(self.group_sizes.items())},
            "representative": {
                str(g): [s.to_json() for s in items]
                for g, items in sorted(self.representative.items())
            },
            "consensus": self.consensus,
            "consensus_disagree": self.consensus_disagree,
            "silhouettes": {str(k): round(v, 4) for k, v in sorted(self.silhouettes.items())},
            "firmness": self.firmness.to_json(),
            "participants": len(self.participants),
            "in_conversation": int(self.in_conversation.sum()),
            "statements": self.statements,
            "votes": self.votes,
            "tallies": {str(s): t for s, t in sorted(self.tallies.items())},
        }


# --- PCA and projection --------------------------------------------------------------------------


def _centred(votes: Votes) -> tuple[sparse.csr_matrix, FloatArray]:
    """The votes minus each statement's mean vote (moderated-out columns zeroed), and the means."""
    width = len(votes.statements)
    counts = np.bincount(votes.cols, minlength=width)
    sums = np.bincount(votes.cols, weights=votes.values, minlength=width)
    means = np.divide(sums, counts, out=np.zeros(width), where=counts > 0)
    means[votes.moderated_out] = 0.0
    centred = votes.values - means[votes.cols]
    centred[votes.moderated_out[votes.cols]] = 0.0
    matrix = sparse.csr_matrix(
        (centred, votes.cols, votes.indptr), shape=(len(votes.participants), width)
    )
    return matrix, means


def _unit_sign(vector: FloatArray) -> FloatArray:
    """The eigenvector's sign fixed so that its largest entry (by size, first of equals) is positive."""
    index = int(np.argmax(np.abs(vector)))
    return -vector if vector[index] < 0 else vector


# Up to this many products of pairs of one person's votes, XᵀX is formed outright and solved
# exactly (LAPACK); beyond it, Lanczos works on XᵀXv without forming it.
DENSE_PAIR_WORK = 20_000_000


def _leading_of(gram: FloatArray) -> FloatArray:
    values, vectors = np.linalg.eigh(gram)
    components = np.zeros((2, gram.shape[0]))
    order = np.argsort(-values, kind="stable")[:2]
    for slot, index in enumerate(order):
        if values[index] > 1e-12 * max(float(values.max()), 1.0):
            components[slot] = _unit_sign(vectors[:, index])
    return components


def principal_components(matrix: sparse.csr_matrix) -> FloatArray:
    """The two leading eigenvectors of XᵀX (2 × statements), exact to machine precision.

    Small conversations: XᵀX formed from the sparse votes and solved by LAPACK. Large ones:
    Lanczos iteration (ARPACK) on the implicit product XᵀXv from a fixed starting vector, so the
    result is the same on every run; should ARPACK not converge, the exact solver takes over.
    A component with no variance left is all zeros.
    """
    width = matrix.shape[1]
    matrix = matrix.copy()
    matrix.eliminate_zeros()
    if width == 0 or matrix.nnz == 0:
        return np.zeros((2, width))
    empty = np.bincount(matrix.indices, minlength=width) == 0  # zeroed or unvoted columns
    per_row = np.diff(matrix.indptr).astype(np.int64)
    if width <= 3 or int((per_row * per_row).sum()) <= DENSE_PAIR_WORK:
        components = _leading_of((matrix.T @ matrix).toarray())
    else:
        transposed = matrix.T.tocsr()
        operator = LinearOperator(
            (width, width), matvec=lambda v: transposed @ (matrix @ v), dtype=np.float64
        )
        try:
            values, vectors = eigsh(operator, k=2, which="LA", v0=np.ones(width), tol=0)
        except (ArpackError, ArpackNoConvergence):
            components = _leading_of((transposed @ matrix).toarray())
        else:
            components = np.zeros((2, width))
            order = np.argsort(-values, kind="stable")
            for slot, index in enumerate(order):
                if values[index] > 1e-12 * max(float(values.max()), 1.0):
                    components[slot] = _unit_sign(vectors[:, index])
    components[:, empty] = 0.0
    return components


def project(votes: Votes) -> tuple[FloatArray, FloatArray]:
    """Each participant's (x, y), and the statements' principal components (2 × statements).

    Polis's sparsity-aware projection: the votes a participant cast, centred, times the
    components, scaled by ``sqrt(columns / columns seen)``; a moderated-out column counts as
    seen by everyone, as in Polis, where it is zeroed rather than emptied.
    """
    matrix, _means = _centred(votes)
    components = principal_components(matrix)
    width = len(votes.statements)
    cast = np.bincount(votes.rows[~votes.moderated_out[votes.cols]], minlength=matrix.shape[0])
    seen = cast + int(votes.moderated_out.sum())
    scale = np.sqrt(width / np.maximum(seen, 1))
    positions = np.asarray(matrix @ components.T) * scale[:, None]
    return positions, components


def in_conversation(votes: Votes) -> NDArray[np.bool_]:
    """Who is grouped: at least ``min(7, statements)`` votes, topped up to 15 by the most active.

    Votes on moderated-out statements count here, as in Polis (it counts the votes cast).
    Among equally active people, the lower participant id is taken first.
    """
    counts = np.bincount(votes.rows, minlength=len(votes.participants))
    chosen = counts >= min(MIN_VOTES, len(votes.statements))
    if chosen.sum() < GREEDY_PARTICIPANTS:
        order = np.lexsort((np.arange(len(counts)), -counts))
        chosen[order[:GREEDY_PARTICIPANTS]] = True
    chosen &= counts > 0
    return np.asarray(chosen)


# --- k-means -------------------------------------------------------------------------------------


def _squared_distances(points: FloatArray, centres: FloatArray) -> FloatArray:
    out = (points[:, 0, None] - centres[None, :, 0]) ** 2
    out += (points[:, 1, None] - centres[None, :, 1]) ** 2
    return out


def farthest_point_centres(points: FloatArray, k: int, first: int) -> FloatArray:
    """``first``, then repeatedly the point farthest from every centre chosen (first of equals)."""
    chosen = [first]
    distance = ((points - points[first]) ** 2).sum(axis=1)
    while len(chosen) < k:
        index = int(np.argmax(distance))
        if distance[index] <= 0:
            break
        chosen.append(index)
        distance = np.minimum(distance, ((points - points[index]) ** 2).sum(axis=1))
    return np.asarray(points[chosen], dtype=np.float64).copy()


def kmeans(
    points: FloatArray,
    k: int,
    *,
    weights: FloatArray | None = None,
    max_iterations: int = MAX_ITERATIONS,
) -> tuple[IntArray, FloatArray]:
    """Weighted Lloyd k-means from farthest-point centres; labels 0… and the non-empty centres.

    The first centre is the point farthest from the (weighted) mean, so nothing depends on the
    order of the points except between exactly equal distances.
    """
    n = len(points)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2))
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    mean = (points * w[:, None]).sum(axis=0) / w.sum()
    first = int(np.argmax(((points - mean) ** 2).sum(axis=1)))
    centres = farthest_point_centres(points, k, first)
    labels = np.full(n, -1, dtype=np.int64)
    # Hamerly's bounds: ``upper`` ≥ the distance to the own centre, ``lower`` ≤ the distance to
    # any other; only points whose bounds overlap are looked up again. Same assignments as
    # looking every point up every round (Lloyd), in a fraction of the time.
    upper = np.full(n, np.inf)
    lower = np.zeros(n)
    for _ in range(max_iterations):
        tree = cKDTree(centres)
        new = labels.copy()
        check = upper * (1 + 1e-12) + 1e-12 >= lower
        if check.any():
            rows = np.flatnonzero(check)
            if labels[0] >= 0:
                own = np.sqrt(((points[rows] - centres[labels[rows]]) ** 2).sum(axis=1))
                upper[rows] = own
                rows = rows[own * (1 + 1e-12) + 1e-12 >= lower[rows]]
            if len(rows):
                distance, index = tree.query(points[rows], k=min(2, len(centres)))
                distance = distance.reshape(len(rows), -1)
                index = index.reshape(len(rows), -1)
                new[rows] = index[:, 0]
                upper[rows] = distance[:, 0]
                lower[rows] = distance[:, 1] if distance.shape[1] > 1 else np.inf
        if np.array_equal(new, labels):
            break
        labels = new
        size = np.bincount(labels, weights=w, minlength=len(centres))
        alive = size > 0
        previous = centres.copy()
        for axis in range(2):
            total = np.bincount(labels, weights=w * points[:, axis], minlength=len(centres))
            centres[alive, axis] = total[alive] / size[alive]
        shift = np.sqrt(((centres - previous) ** 2).sum(axis=1))
        upper += shift[labels]
        # another centre came at most the largest shift closer (the second largest for the
        # points of the centre that moved most)
        largest = int(np.argmax(shift))
        others = np.sort(shift)[-2] if len(shift) > 1 else 0.0
        lower -= np.where(labels == largest, others, shift[largest])
    used = np.unique(labels)
    remap = np.full(len(centres), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return remap[labels], centres[used]


def silhouette(points: FloatArray, labels: IntArray, weights: FloatArray) -> float:
    """Mean silhouette of the participants, each standing at their base cluster's centre.

    Computed on the (at most 100) base clusters, each counted as many times as it has members;
    a lone member of a group scores 0, as usual.
    """
    n = len(labels)
    groups, index = np.unique(labels, return_inverse=True)
    if n == 0 or len(groups) < 2:
        return 0.0
    distances = np.sqrt(_squared_distances(points, points))
    member = np.zeros((n, len(groups)))
    member[np.arange(n), index] = weights
    sums = distances @ member
    sizes = member.sum(axis=0)
    own = sizes[index] - 1.0
    a = np.divide(sums[np.arange(n), index], own, out=np.zeros(n), where=own > 0)
    means = sums / sizes[None, :]
    means[np.arange(n), index] = np.inf
    b = means.min(axis=1)
    top = np.maximum(a, b)
    values = np.where((own > 0) & (top > 0), (b - a) / np.where(top > 0, top, 1.0), 0.0)
    return float((values * weights).sum() / weights.sum())


@dataclass
class _Grouping:
    labels: IntArray  # group of each base cluster
    silhouettes: dict[int, float]


def group_base_clusters(centres: FloatArray, weights: FloatArray) -> _Grouping:
    """k-means of the base clusters for each k, and the k with the best silhouette (smaller on ties)."""
    count = len(centres)
    if count < 2:
        return _Grouping(np.zeros(count, dtype=np.int64), {})
    best: tuple[float, int, IntArray] | None = None
    silhouettes: dict[int, float] = {}
    for k in range(2, min(MAX_K, 2 + count // 12, count) + 1):
        labels, _centres = kmeans(centres, k, weights=weights)
        if labels.max() + 1 < k:
            continue
        score = silhouette(centres, labels, weights)
        silhouettes[k] = score
        if best is None or score > best[0]:
            best = (score, k, labels)
    if best is None:
        return _Grouping(np.zeros(count, dtype=np.int64), silhouettes)
    return _Grouping(best[2], silhouettes)


def _numbered_by_size(labels: IntArray, ids: IntArray) -> IntArray:
    """Renumber groups 0, 1, … from the largest; equal sizes by their lowest participant id."""
    if len(labels) == 0:
        return labels
    count = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=count)
    lowest = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(lowest, labels, ids)
    order = np.lexsort((lowest, -sizes))
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.arange(count)
    return rank[labels]


# --- Statements ----------------------------------------------------------------------------------


def _prop_z(successes: FloatArray, n: FloatArray) -> FloatArray:
    s, m = successes + 1, n + 1
    return np.asarray(2 * np.sqrt(m) * (s / m - 0.5))


def _two_prop_z(s1: FloatArray, n1: FloatArray, s2: FloatArray, n2: FloatArray) -> FloatArray:
    s1, n1, s2, n2 = s1 + 1, n1 + 1, s2 + 1, n2 + 1
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(np.maximum(pooled * (1 - pooled) * (1 / n1 + 1 / n2), 1e-12))
    return np.asarray(np.where(pooled >= 1, 0.0, (p1 - p2) / spread))


def _tallies(votes: Votes, vote_group: IntArray, n_groups: int) -> FloatArray:
    """Agree, disagree and seen counts per group and statement: shape (groups, 3, statements)."""
    width = len(votes.statements)
    grouped = vote_group >= 0
    # 1 - vote: agree 0, pass 1, disagree 2
    kind = (1.0 - votes.values[grouped]).astype(np.int64)
    key = (vote_group[grouped] * 3 + kind) * width + votes.cols[grouped]
    counts = np.bincount(key, minlength=n_groups * 3 * width)
    counts = counts.reshape(n_groups, 3, width).astype(float)
    agree, passed, disagree = counts[:, 0], counts[:, 1], counts[:, 2]
    return np.stack([agree, disagree, agree + passed + disagree], axis=1)


def statement_stats(
    votes: Votes, row_group: IntArray, n_groups: int
) -> tuple[
    dict[int, list[GroupStatement]],
    list[dict[str, Any]],
    list[dict[str, Any]],
    dict[int, list[list[int]]],
]:
    """Representative statements of each group, and statements every group agrees (disagrees) on.

    Polis's tests: a statement represents a group when the group agrees (or disagrees) with it
    clearly more than the other grouped participants (two-proportion z-test) and clearly more
    often than not (one-proportion z-test), both at the 90 % level; the five with the highest
    ratio × z × probability are kept. A consensus statement is one each group agrees with
    (its smoothed agreement above one half at the 90 % level). Moderated-out statements never
    qualify; only grouped participants' votes are counted.
    """
    allowed = ~votes.moderated_out
    tallies = _tallies(votes, row_group[votes.rows], n_groups)
    all_a, all_d, all_s = tallies.sum(axis=0)
    representative: dict[int, list[GroupStatement]] = {}
    per_group: list[tuple[FloatArray, FloatArray, FloatArray]] = []
    for group in range(n_groups):
        na, nd, ns = tallies[group]
        ra, rd, rs = all_a - na, all_d - nd, all_s - ns
        per_group.append((na, nd, ns))
        best: dict[int, tuple[float, GroupStatement]] = {}
        for direction, yes, rest_yes in (("agree", na, ra), ("disagree", nd, rd)):
            p = (yes + 1) / (ns + 2)
            within = _prop_z(yes, ns)
            versus = _two_prop_z(yes, ns, rest_yes, rs)
            ratio = p / ((rest_yes + 1) / (rs + 2))
            ok = allowed & (within > Z_90) & (versus > Z_90) & (ratio > 1) & (ns > 0)
            for index in np.flatnonzero(ok):
                item = GroupStatement(
                    statement=int(votes.statements[index]),
                    direction=direction,
                    agree=int(na[index]),
                    disagree=int(nd[index]),
                    seen=int(ns[index]),
                    rest_agree=int(ra[index]),
                    rest_disagree=int(rd[index]),
                    rest_seen=int(rs[index]),
                    probability=float(p[index]),
                    z_score=float(versus[index]),
                    ratio=float(ratio[index]),
                )
                rank = item.ratio * item.z_score * item.probability
                if int(index) not in best or rank > best[int(index)][0]:
                    best[int(index)] = (rank, item)
        ranked = sorted(best.values(), key=lambda pair: (-pair[0], pair[1].statement))
        representative[group] = [item for _rank, item in ranked[:PER_GROUP]]
    consensus: list[dict[str, Any]] = []
    consensus_disagree: list[dict[str, Any]] = []
    if per_group:
        for slot, target in ((0, consensus), (1, consensus_disagree)):
            chances = [(t[slot] + 1) / (t[2] + 2) for t in per_group]
            each = np.all(
                [
                    (p > 0.5) & (_prop_z(t[slot], t[2]) > Z_90)
                    for p, t in zip(chances, per_group, strict=True)
                ],
                axis=0,
            )
            product = np.prod(chances, axis=0)
            for index in np.argsort(-product, kind="stable"):
                if each[index] and allowed[index]:
                    target.append(
                        {
                            "statement": int(votes.statements[index]),
                            "groups": [
                                {"yes": int(t[slot][index]), "seen": int(t[2][index])}
                                for t in per_group
                            ],
                        }
                    )
                if len(target) >= PER_GROUP:
                    break
    counts = tallies.astype(np.int64)
    per_statement = {
        int(votes.statements[c]): [[int(x) for x in counts[g, :, c]] for g in range(n_groups)]
        for c in np.flatnonzero(allowed)
    }
    return representative, consensus, consensus_disagree, per_statement


# --- The computation -----------------------------------------------------------------------------


@dataclass
class _Clusters:
    base_of: IntArray  # base cluster of each counted participant
    centres: FloatArray
    groups: IntArray  # group of each counted participant, numbered by size
    silhouettes: dict[int, float]


def _cluster(points: FloatArray, ids: IntArray) -> _Clusters:
    if len(points) == 0:
        return _Clusters(
            np.zeros(0, dtype=np.int64), np.zeros((0, 2)), np.zeros(0, dtype=np.int64), {}
        )
    distinct = len(np.unique(points, axis=0))
    base_of, centres = kmeans(points, min(BASE_K, distinct))
    weights = np.bincount(base_of, minlength=len(centres)).astype(float)
    grouping = group_base_clusters(centres, weights)
    groups = _numbered_by_size(grouping.labels[base_of], ids)
    return _Clusters(base_of, centres, groups, grouping.silhouettes)


def _regroup_without(
    clusters: _Clusters, points: FloatArray, ids: IntArray, keep: NDArray[np.bool_]
) -> IntArray:
    """Groups formed again from the base clusters' remaining members (centres re-averaged)."""
    base_of = clusters.base_of[keep]
    used, compact = np.unique(base_of, return_inverse=True)
    compact = compact.astype(np.int64).reshape(-1)
    weights = np.bincount(compact, minlength=len(used)).astype(float)
    centres = (
        np.column_stack(
            [np.bincount(compact, weights=points[keep, a], minlength=len(used)) for a in range(2)]
        )
        / weights[:, None]
    )
    grouping = group_base_clusters(centres, weights)
    return _numbered_by_size(grouping.labels[compact], ids[keep])


def firmness(clusters: _Clusters, points: FloatArray, ids: IntArray) -> Firmness:
    """Leave out each tenth of the counted participants in turn and group the rest again.

    The tenths come from one fixed shuffle (seed ``FIRMNESS_SEED``), so the figure is
    reproducible. The base clusters keep their other members; their centres and weights are
    recomputed and the groups formed from scratch. A fold brings the same groups back when it
    finds as many groups and its grouping of the remaining people agrees with the full one
    (adjusted Rand index ≥ ``SAME_GROUPS_ARI``).
    """
    n = len(ids)
    n_groups = int(clusters.groups.max()) + 1 if n else 0
    if n < FIRMNESS_FOLDS or n_groups < 2:
        return Firmness()
    order = np.random.default_rng(FIRMNESS_SEED).permutation(n)
    fold_of = np.empty(n, dtype=np.int64)
    fold_of[order] = np.arange(n) % FIRMNESS_FOLDS
    same = same_k = 0
    scores = []
    for fold in range(FIRMNESS_FOLDS):
        keep = fold_of != fold
        again = _regroup_without(clusters, points, ids, keep)
        score = adjusted_rand_index(clusters.groups[keep], again)
        scores.append(score)
        if int(again.max()) + 1 == n_groups:
            same_k += 1
            if score >= SAME_GROUPS_ARI:
                same += 1
    return Firmness(
        folds=FIRMNESS_FOLDS, same=same, same_k=same_k, median_ari=float(np.median(scores))
    )


def compute(votes: Votes, *, statistics: bool = True) -> OpinionMapResult:
    """The opinion map of these votes (see the module's docstring). Deterministic."""
    positions, _components = project(votes)
    counted = in_conversation(votes)
    rows = np.flatnonzero(counted)
    ids = votes.participants[rows]
    points = positions[rows]
    clusters = _cluster(points, ids)
    n_groups = int(clusters.groups.max()) + 1 if len(rows) else 0
    if n_groups < 2:
        # one group is no split: nobody is shown as belonging to a group
        n_groups = 0
    row_group = np.full(len(votes.participants), -1, dtype=np.int64)
    if n_groups:
        row_group[rows] = clusters.groups
    representative: dict[int, list[GroupStatement]] = {}
    consensus: list[dict[str, Any]] = []
    consensus_disagree: list[dict[str, Any]] = []
    tallies: dict[int, list[list[int]]] = {}
    if statistics and n_groups:
        representative, consensus, consensus_disagree, tallies = statement_stats(
            votes, row_group, n_groups
        )
    groups = {int(p): int(g) for p, g in zip(ids, clusters.groups, strict=True)} if n_groups else {}
    return OpinionMapResult(
        participants=votes.participants,
        positions=positions,
        in_conversation=counted,
        groups=groups,
        n_groups=n_groups,
        group_sizes={g: int((clusters.groups == g).sum()) for g in range(n_groups)},
        representative=representative,
        consensus=consensus,
        consensus_disagree=consensus_disagree,
        silhouettes=clusters.silhouettes,
        firmness=firmness(clusters, points, ids) if statistics and n_groups else Firmness(),
        statements=int((~votes.moderated_out).sum()),
        votes=len(votes),
        tallies=tallies,
    )


def _codes(labels: Sequence[Any]) -> IntArray:
    array = np.asarray(labels)
    if array.dtype.kind not in "iub":
        array = np.asarray([str(x) for x in labels])
    _values, codes = np.unique(array, return_inverse=True)
    return codes.astype(np.int64).reshape(-1)


def adjusted_rand_index(labels_a: Sequence[Any], labels_b: Sequence[Any]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items."""
    if len(labels_a) != len(labels_b):
        raise ValueError("labellings differ in length")
    n = len(labels_a)
    if n < 2:
        return 1.0
    a = _codes(labels_a)
    b = _codes(labels_b)
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a.reshape(-1), b.reshape(-1)), 1)

    def pairs(x: FloatArray) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows = pairs(table.sum(axis=1))
    cols = pairs(table.sum(axis=0))
    expected = rows * cols / (n * (n - 1) / 2)
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
