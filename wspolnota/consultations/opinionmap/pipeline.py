"""Polis's opinion-map pipeline in numpy, with the state Polis keeps between recomputations.

One recomputation (``recompute``) takes the participant × statement vote matrix and the state
left by the previous one, and:

1. decides who counts: a participant counts once they have voted on ``min(7, statements)``
   statements (or, while fewer than 15 count, the most active ones do) and, once in, stays in;
2. fills each missing vote with the statement's mean, centres, and finds two principal
   components by power iteration started from the previous components (100 iterations);
3. projects every participant using only the votes they cast, pushed out from the centre by
   ``sqrt(statements / votes cast)`` so that people who voted little are not all in the middle;
4. groups the counted participants into at most 100 *base clusters* by k-means that starts from
   the previous base clusters (a participant keeps their base cluster unless it moved away);
5. groups the base clusters (weighted by size) into k = 2 … min(5, 2 + bases/12) *groups*, each k
   by k-means started from the previous grouping for that k, picks the k with the best
   silhouette, and switches to a new k only after it has won four recomputations in a row;
6. finds each group's representative statements and the statements all groups agree on.

``replay`` feeds a vote log to ``recompute`` in time order, in batches, as a live conversation
would; that is how an imported Polis conversation gets the state Polis had when it published its
groups. Votes: 1 agree, -1 disagree, 0 pass.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

BASE_K = 100
MAX_K = 5
GROUP_K_BUFFER = 4
PCA_ITERATIONS = 100
BASE_ITERATIONS = 100
GROUP_ITERATIONS = 20
MIN_VOTES = 7
GREEDY_PARTICIPANTS = 15
SAME_CLUSTERING_THRESHOLD = 0.01
DEFAULT_BATCH_MS = 60_000
DEFAULT_RELOAD_MS = 24 * 60 * 60 * 1000
# From 2017-02-27 (polismath b68ca8b6a, moderated-out columns zeroed in the rating matrix) until
# 2017-10-21 (90b5b9e62, votes counted from a separate raw matrix) Polis counted a participant's
# votes for "in the conversation" on the zeroed matrix: every moderated-out statement that had
# a column counted as voted on, for everyone.
ZEROED_COUNTED_FROM_MS = 1_488_153_600_000  # 2017-02-27 00:00 UTC
ZEROED_COUNTED_UNTIL_MS = 1_508_544_000_000  # 2017-10-21 00:00 UTC
Z_90 = 1.2816


# --- Votes ---------------------------------------------------------------------------------------


class VoteLog:
    """The latest vote of each participant on each statement, rows and columns in arrival order.

    Besides the matrix it keeps the sums that the covariance of the votes is made of, updated in
    O(statements) per vote, so a recomputation after a few new votes does not start from the
    whole matrix: ``S = Vᵀ V``, ``B = Mᵀ V`` and ``N = Mᵀ M`` where ``V`` holds the votes (0 where
    none) and ``M`` marks who voted on what.
    """

    def __init__(self, *, keep_sums: bool = False) -> None:
        self.keep_sums = keep_sums
        self.participants: list[int] = []
        self.statements: list[int] = []
        self._row: dict[int, int] = {}
        self._col: dict[int, int] = {}
        self._matrix = np.full((64, 16), np.nan)
        self._sums: tuple[FloatArray, FloatArray, FloatArray] | None = None
        if keep_sums:
            self._sums = (np.zeros((16, 16)), np.zeros((16, 16)), np.zeros((16, 16)))

    def _grow(self, rows: int, cols: int) -> None:
        height, width = self._matrix.shape
        if rows <= height and cols <= width:
            return
        new_width = max(cols, width * 2) if cols > width else width
        bigger = np.full((max(rows, height * 2) if rows > height else height, new_width), np.nan)
        bigger[:height, :width] = self._matrix
        self._matrix = bigger
        if self._sums is not None and new_width > width:
            grown = []
            for block in self._sums:
                wider = np.zeros((new_width, new_width))
                wider[:width, :width] = block
                grown.append(wider)
            self._sums = (grown[0], grown[1], grown[2])

    def add(self, participant: int, statement: int, vote: float) -> None:
        row = self._row.get(participant)
        if row is None:
            row = self._row[participant] = len(self.participants)
            self.participants.append(participant)
        col = self._col.get(statement)
        if col is None:
            col = self._col[statement] = len(self.statements)
            self.statements.append(statement)
        self._grow(row + 1, col + 1)
        old = self._matrix[row, col]
        if self._sums is not None:
            values = np.nan_to_num(self._matrix[row], nan=0.0)
            mask = (~np.isnan(self._matrix[row])).astype(float)
            old_value = 0.0 if np.isnan(old) else float(old)
            old_mask = 0.0 if np.isnan(old) else 1.0
            s, b, n = self._sums
            d, dm = vote - old_value, 1.0 - old_mask
            old_values, old_masks = values.copy(), mask.copy()
            values[col], mask[col] = vote, 1.0
            s[col] += d * values
            s[:, col] += d * old_values
            b[col] += dm * values
            b[:, col] += d * old_masks
            n[col] += dm * mask
            n[:, col] += dm * old_masks
        self._matrix[row, col] = vote

    def add_many(self, votes: Iterable[tuple[int, int, float]]) -> None:
        for participant, statement, vote in votes:
            self.add(participant, statement, vote)

    def add_arrays(
        self, participants: NDArray[Any], statements: NDArray[Any], votes: NDArray[Any]
    ) -> None:
        """Add many votes at once (in order; a later vote on the same pair replaces the earlier)."""
        for ids, names, index in (
            (participants, self.participants, self._row),
            (statements, self.statements, self._col),
        ):
            _values, first = np.unique(ids, return_index=True)
            for position in np.sort(first):
                key = int(ids[position])
                if key not in index:
                    index[key] = len(names)
                    names.append(key)
        rows = np.fromiter((self._row[int(p)] for p in participants), dtype=np.int64)
        cols = np.fromiter((self._col[int(s)] for s in statements), dtype=np.int64)
        self._grow(len(self.participants), len(self.statements))
        self._matrix[rows, cols] = np.asarray(votes, dtype=np.float64)
        self._sums = None

    @property
    def matrix(self) -> FloatArray:
        """Participants × statements; NaN where the participant has not voted."""
        return self._matrix[: len(self.participants), : len(self.statements)]

    def sums(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(S, B, N)`` for the statements so far (computed once, then kept up to date).

        Worth keeping when many small batches of votes are each followed by a recomputation (a
        replay); a single recomputation computes the covariance straight from the votes.
        """
        width = self._matrix.shape[1]
        if self._sums is None:
            rows, cols = np.nonzero(~np.isnan(self._matrix))
            self._sums = _pair_sums(rows, cols, self._matrix[rows, cols], width)
        k = len(self.statements)
        s, b, n = self._sums
        return s[:k, :k], b[:k, :k], n[:k, :k]

    def coo(self) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]:
        """The votes cast as (rows, columns, values), row by row."""
        matrix = self.matrix
        rows, cols = np.nonzero(~np.isnan(matrix))
        return rows.astype(np.int64), cols.astype(np.int64), matrix[rows, cols]

    def __len__(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.matrix)))


def _pair_sums(
    rows: NDArray[np.int64], cols: NDArray[np.int64], values: FloatArray, width: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``S``, ``B`` and ``N`` from the votes cast, visiting only pairs of votes by one person.

    Votes are sparse (people vote on a few dozen statements), so summing over each person's
    pairs of votes costs far less than multiplying the dense participants × statements matrix.
    """
    size = width * width
    s = np.zeros(size)
    b = np.zeros(size)
    n = np.zeros(size)
    if len(rows):
        counts = np.bincount(rows)
        ends = np.cumsum(counts)
        # rows come sorted from np.nonzero; work in slices of about two million pairs
        budget = 2_000_000
        start_row = 0
        while start_row < len(counts):
            pairs = np.cumsum(counts[start_row:] ** 2)
            stop_row = start_row + max(1, int(np.searchsorted(pairs, budget, side="right")))
            lo = int(ends[start_row - 1]) if start_row else 0
            hi = int(ends[stop_row - 1])
            r, c, v = rows[lo:hi], cols[lo:hi], values[lo:hi]
            per = counts[r]
            first = np.repeat(np.arange(len(r)), per)
            offsets = np.arange(len(first)) - np.repeat(np.cumsum(per) - per, per)
            row_start = (ends - counts)[r] - lo
            second = np.repeat(row_start, per) + offsets
            flat = c[first] * width + c[second]
            s += np.bincount(flat, weights=v[first] * v[second], minlength=size)
            b += np.bincount(flat, weights=v[second], minlength=size)
            n += np.bincount(flat, minlength=size)
            start_row = stop_row
    return s.reshape(width, width), b.reshape(width, width), n.reshape(width, width)


# --- State ---------------------------------------------------------------------------------------


@dataclass
class Cluster:
    id: int
    members: list[int]
    center: FloatArray


@dataclass
class OpinionState:
    """What Polis remembers between recomputations."""

    in_conv: set[int] = field(default_factory=set)
    components: dict[int, FloatArray] = field(default_factory=dict)  # statement id -> (pc1, pc2)
    base_clusters: list[Cluster] = field(default_factory=list)
    group_clusterings: dict[int, list[Cluster]] = field(default_factory=dict)
    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None
    updates: int = 0

    def to_json(self) -> dict[str, Any]:
        def clusters(items: list[Cluster]) -> list[dict[str, Any]]:
            return [
                {"id": c.id, "members": list(c.members), "center": [float(x) for x in c.center]}
                for c in items
            ]

        return {
            "in_conv": sorted(self.in_conv),
            "components": {str(t): [float(x) for x in v] for t, v in self.components.items()},
            "base_clusters": clusters(self.base_clusters),
            "group_clusterings": {str(k): clusters(v) for k, v in self.group_clusterings.items()},
            "last_k": self.last_k,
            "last_k_count": self.last_k_count,
            "smoothed_k": self.smoothed_k,
            "updates": self.updates,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OpinionState:
        def clusters(items: list[dict[str, Any]]) -> list[Cluster]:
            return [
                Cluster(int(c["id"]), [int(m) for m in c["members"]], np.asarray(c["center"]))
                for c in items
            ]

        return cls(
            in_conv={int(p) for p in data.get("in_conv", [])},
            components={int(t): np.asarray(v) for t, v in data.get("components", {}).items()},
            base_clusters=clusters(data.get("base_clusters", [])),
            group_clusterings={
                int(k): clusters(v) for k, v in data.get("group_clusterings", {}).items()
            },
            last_k=data.get("last_k"),
            last_k_count=int(data.get("last_k_count", 0)),
            smoothed_k=data.get("smoothed_k"),
            updates=int(data.get("updates", 0)),
        )


@dataclass
class GroupStatement:
    statement: int
    agree: int
    disagree: int
    seen: int
    direction: str  # "agree" or "disagree"
    probability: float
    z_score: float
    ratio: float


@dataclass
class OpinionMapResult:
    participants: list[int]
    positions: FloatArray  # one (x, y) row per participant, in ``participants`` order
    groups: dict[int, int]  # participant id -> group number 0…k-1 (only counted participants)
    n_groups: int
    representative: dict[int, list[GroupStatement]]
    consensus: list[int]
    consensus_disagree: list[int]
    statement_positions: dict[int, tuple[float, float]]
    group_sizes: dict[int, int]
    silhouettes: dict[int, float]

    def to_json(self) -> dict[str, Any]:
        return {
            "groups": {str(p): g for p, g in sorted(self.groups.items())},
            "n_groups": self.n_groups,
            "group_sizes": {str(g): n for g, n in sorted(self.group_sizes.items())},
            "consensus": self.consensus,
            "consensus_disagree": self.consensus_disagree,
            "representative": {
                str(g): [
                    {
                        "statement": s.statement,
                        "direction": s.direction,
                        "agree": s.agree,
                        "disagree": s.disagree,
                        "seen": s.seen,
                        "probability": round(s.probability, 4),
                    }
                    for s in items
                ]
                for g, items in sorted(self.representative.items())
            },
            "silhouettes": {str(k): round(v, 4) for k, v in sorted(self.silhouettes.items())},
        }


# --- PCA -----------------------------------------------------------------------------------------


def _power_iteration(cov: FloatArray, start: FloatArray, iterations: int) -> FloatArray:
    vector = start / (np.linalg.norm(start) or 1.0)
    last = 0.0
    for _ in range(iterations + 1):
        # einsum runs in one thread: on a busy machine a threaded BLAS matrix-vector product
        # of this size spends more time waiting for its threads than computing.
        product = np.einsum("ij,j->i", cov, vector)
        value = float(np.linalg.norm(product))
        if value == 0.0:
            return vector
        vector = product / value
        if value == last:
            break
        last = value
    return vector


def _components(
    cov: FloatArray, n_rows: int, starts: list[FloatArray | None], rng: np.random.Generator
) -> FloatArray:
    """Two principal components by power iteration with deflation (as Polis computes them)."""
    n_cols = cov.shape[0]
    found = []
    for index in range(min(2, min(n_rows, n_cols))):
        start = starts[index] if index < len(starts) else None
        if start is None or not np.any(start):
            start = rng.random(n_cols)
        pc = _power_iteration(cov, start, PCA_ITERATIONS)
        found.append(pc)
        norm2 = float(pc @ pc)
        if norm2 > 0:
            # Remove the component from the data (Gram–Schmidt), i.e. cov <- P cov P with
            # P = I - pc pc^T / |pc|^2, written as rank-one updates to stay O(n^2).
            unit = pc / math.sqrt(norm2)
            c_u = cov @ unit
            cov = (
                cov
                - np.outer(unit, c_u)
                - np.outer(c_u, unit)
                + float(unit @ c_u) * np.outer(unit, unit)
            )
    while len(found) < 2:
        found.append(np.zeros(n_cols))
    return np.vstack(found)


# --- k-means as Polis runs it --------------------------------------------------------------------


def _weighted_center(points: FloatArray, weights: FloatArray | None) -> FloatArray:
    if weights is None or float(weights.sum()) == 0:
        return np.asarray(points.mean(axis=0))
    return np.asarray((points * weights[:, None]).sum(axis=0) / float(weights.sum()))


def _centers_of(
    points: FloatArray, labels: NDArray[np.int64], n: int, weights: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """Weighted centre and member count of each label 0…n-1 (label -1 is ignored).

    A label whose members all weigh nothing gets the plain mean of its members.
    """
    keep = labels >= 0
    kept = labels[keep]
    kept_points = points[keep]
    counts = np.bincount(kept, minlength=n).astype(float)
    w = None if weights is None else weights[keep]
    totals = counts if w is None else np.bincount(kept, weights=w, minlength=n)
    weighted = kept_points if w is None else kept_points * w[:, None]
    sums = np.column_stack(
        [np.bincount(kept, weights=weighted[:, d], minlength=n) for d in range(points.shape[1])]
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        centers = sums / totals[:, None]
        unweighted = (totals <= 0) & (counts > 0)
        if w is not None and unweighted.any():
            plain = np.column_stack(
                [
                    np.bincount(kept, weights=kept_points[:, d], minlength=n)
                    for d in range(points.shape[1])
                ]
            )
            centers[unweighted] = plain[unweighted] / counts[unweighted, None]
    return centers, counts


def _same_clustering(old: FloatArray, new: FloatArray) -> bool:
    if len(old) != len(new):
        return False
    a = old[np.lexsort(old.T[::-1])]
    b = new[np.lexsort(new.T[::-1])]
    return bool(np.all(np.sqrt(((a - b) ** 2).sum(axis=1)) < SAME_CLUSTERING_THRESHOLD))


def _nearest(points: FloatArray, centers: FloatArray) -> tuple[NDArray[np.int64], FloatArray]:
    d2 = np.zeros((len(points), len(centers)))
    for axis in range(points.shape[1]):
        d2 += (points[:, axis, None] - centers[None, :, axis]) ** 2
    nearest = d2.argmin(axis=1)
    return nearest, np.maximum(d2[np.arange(len(points)), nearest], 0.0)


def _init_clusters(points: FloatArray, k: int) -> tuple[list[int], FloatArray]:
    """The first k distinct rows (Polis's deterministic start for a new clustering)."""
    _values, first = np.unique(points, axis=0, return_index=True)
    chosen = np.sort(first)[:k]
    return list(range(len(chosen))), points[chosen].copy()


def _clean_start(
    names: NDArray[np.int64],
    points: FloatArray,
    last: list[Cluster],
    k: int,
    weights: FloatArray | None,
) -> tuple[list[int], FloatArray]:
    """Carry the previous clusters over to the current positions, splitting off outliers.

    Each previous cluster is re-centred on where its members are now (clusters whose members are
    all gone are dropped, identical ones merged); then, while there are fewer clusters than k and
    than distinct positions, the point farthest from every centre starts a cluster of its own.
    """
    labels = np.full(len(names), -1, dtype=np.int64)
    sizes = [len(c.members) for c in last]
    if sum(sizes):
        members = np.fromiter(
            (m for c in last for m in c.members), dtype=np.int64, count=sum(sizes)
        )
        owner = np.repeat(np.arange(len(last), dtype=np.int64), sizes)
        order = np.argsort(names, kind="stable")
        sorted_names = names[order]
        at = np.minimum(np.searchsorted(sorted_names, members), len(names) - 1)
        found = sorted_names[at] == members
        labels[order[at[found]]] = owner[found]
    centers, counts = _centers_of(points, labels, len(last), weights)
    alive = [i for i in range(len(last)) if counts[i] > 0]
    if not alive:
        return [max((c.id for c in last), default=-1) + 1], _weighted_center(points, weights)[
            None, :
        ]
    ids: list[int] = []
    kept: list[int] = []
    by_center: dict[tuple[float, ...], int] = {}
    remap = np.full(len(last), -1, dtype=np.int64)
    for i in alive:
        key = tuple(centers[i].tolist())
        twin = by_center.get(key)
        if twin is None:
            by_center[key] = len(kept)
            remap[i] = len(kept)
            kept.append(i)
            ids.append(last[i].id)
        else:
            remap[i] = twin
            if counts[i] > counts[kept[twin]]:
                ids[twin] = last[i].id
    labels = np.where(labels >= 0, remap[np.maximum(labels, 0)], -1)
    centers, counts = _centers_of(points, labels, len(kept), weights)
    possible = min(k, len(np.unique(points, axis=0))) if len(ids) < k else len(ids)
    while len(ids) < possible:
        _nearest_index, distance = _nearest(points, centers)
        outlier = int(distance.argmax())
        if distance[outlier] <= 0:
            break
        previous = int(labels[outlier])
        labels[outlier] = len(ids)
        ids.append(max(ids) + 1)
        centers = np.vstack([centers, points[outlier]])
        if previous >= 0:
            mask = labels == previous
            if mask.any():
                centers[previous] = _weighted_center(
                    points[mask], None if weights is None else weights[mask]
                )
    return ids, centers


def kmeans(
    names: NDArray[np.int64],
    points: FloatArray,
    k: int,
    *,
    last: list[Cluster] | None,
    max_iterations: int,
    weights: FloatArray | None = None,
) -> list[Cluster]:
    """Polis's k-means: deterministic start or the previous clusters, stop when centres settle."""
    if len(points) == 0:
        return []
    if last:
        ids, centers = _clean_start(names, points, last, k, weights)
    else:
        ids, centers = _init_clusters(points, k)
    iterations = max_iterations
    while True:
        nearest, _distance = _nearest(points, centers)
        new_centers, counts = _centers_of(points, nearest, len(ids), weights)
        keep = counts > 0
        ids = [i for i, k_ in zip(ids, keep, strict=True) if k_]
        remap = np.cumsum(keep) - 1
        nearest = remap[nearest]
        new_centers = new_centers[keep]
        settled = _same_clustering(centers, new_centers)
        centers = new_centers
        if iterations == 0 or settled:
            break
        iterations -= 1
    order = np.argsort(nearest, kind="stable")
    bounds = np.searchsorted(nearest[order], np.arange(len(ids) + 1))
    clusters = [
        Cluster(ids[j], names[order[bounds[j] : bounds[j + 1]]].tolist(), centers[j])
        for j in range(len(ids))
    ]
    return sorted(clusters, key=lambda c: c.id)


def silhouette(distances: FloatArray, labels: NDArray[np.int64]) -> float:
    """Mean silhouette over items (a singleton's is 0), from a full distance matrix."""
    n = len(labels)
    if n == 0:
        return 0.0
    groups, index = np.unique(labels, return_inverse=True)
    if len(groups) < 2:
        return 0.0
    onehot = np.zeros((n, len(groups)))
    onehot[np.arange(n), index] = 1.0
    sums = distances @ onehot
    sizes = onehot.sum(axis=0)
    own_size = sizes[index] - 1
    a = np.divide(sums[np.arange(n), index], own_size, out=np.zeros(n), where=own_size > 0)
    means = sums / sizes[None, :]
    means[np.arange(n), index] = np.inf
    b = means.min(axis=1)
    top = np.maximum(a, b)
    values = np.where((own_size > 0) & (top > 0), (b - a) / np.where(top > 0, top, 1.0), 0.0)
    return float(values.mean())


# --- One recomputation ---------------------------------------------------------------------------


def _in_conversation(
    state: OpinionState, participants: Sequence[int], counts: NDArray[np.int64], n_cmts: int
) -> set[int]:
    in_conv = set(state.in_conv)
    threshold = min(MIN_VOTES, n_cmts)
    in_conv.update(int(p) for p, c in zip(participants, counts, strict=True) if c >= threshold)
    if len(in_conv) < GREEDY_PARTICIPANTS:
        order = np.argsort(-counts, kind="stable")
        for index in order:
            if len(in_conv) >= GREEDY_PARTICIPANTS:
                break
            in_conv.add(int(participants[index]))
    return in_conv


def _prop_z(successes: FloatArray, n: FloatArray) -> FloatArray:
    s, m = successes + 1, n + 1
    return np.asarray(2 * np.sqrt(m) * (s / m - 0.5))


def _two_prop_z(s1: FloatArray, n1: FloatArray, s2: FloatArray, n2: FloatArray) -> FloatArray:
    s1, n1, s2, n2 = s1 + 1, n1 + 1, s2 + 1, n2 + 1
    p1, p2 = s1 / n1, s2 / n2
    pooled = (s1 + s2) / (n1 + n2)
    spread = np.sqrt(np.maximum(pooled * (1 - pooled) * (1 / n1 + 1 / n2), 1e-12))
    return np.asarray(np.where(pooled >= 1, 0.0, (p1 - p2) / spread))


def _statement_stats(
    votes: tuple[NDArray[np.int64], NDArray[np.int64], FloatArray],
    statements: Sequence[int],
    group_rows: dict[int, NDArray[np.int64]],
    mod_out: set[int],
    per_group: int = 5,
) -> tuple[dict[int, list[GroupStatement]], list[int], list[int]]:
    """Representative statements of each group and consensus statements across groups."""
    rows, cols, vals = votes
    width = len(statements)
    allowed = np.asarray([s not in mod_out for s in statements])

    def tally(mask: NDArray[np.bool_]) -> tuple[FloatArray, FloatArray, FloatArray]:
        c, v = cols[mask], vals[mask]
        return (
            np.bincount(c[v > 0], minlength=width).astype(float),
            np.bincount(c[v < 0], minlength=width).astype(float),
            np.bincount(c, minlength=width).astype(float),
        )

    all_a, all_d, all_s = tally(np.ones(len(rows), dtype=bool))
    totals = {"a": all_a, "d": all_d, "s": all_s}
    row_group = np.full(int(rows.max()) + 1 if len(rows) else 0, -1, dtype=np.int64)
    for group, members in group_rows.items():
        row_group[members] = group
    representative: dict[int, list[GroupStatement]] = {}
    probabilities = []
    for group in group_rows:
        na, nd, ns = tally(row_group[rows] == group)
        ra_, rd_, rs_ = totals["a"] - na, totals["d"] - nd, totals["s"] - ns
        pa, pd = (na + 1) / (ns + 2), (nd + 1) / (ns + 2)
        probabilities.append((pa, pd, ns))
        candidates: list[GroupStatement] = []
        for direction, n_yes, rest_yes, p in (("agree", na, ra_, pa), ("disagree", nd, rd_, pd)):
            within = _prop_z(n_yes, ns)
            versus = _two_prop_z(n_yes, ns, rest_yes, rs_)
            ratio = p / ((rest_yes + 1) / (rs_ + 2))
            ok = allowed & (within > Z_90) & (versus > Z_90) & (ratio > 1) & (ns > 0)
            for index in np.flatnonzero(ok):
                candidates.append(
                    GroupStatement(
                        statement=int(statements[index]),
                        agree=int(na[index]),
                        disagree=int(nd[index]),
                        seen=int(ns[index]),
                        direction=direction,
                        probability=float(p[index]),
                        z_score=float(versus[index]),
                        ratio=float(ratio[index]),
                    )
                )
        candidates.sort(key=lambda s: -(s.ratio * s.z_score * s.probability))
        representative[group] = candidates[:per_group]
    consensus: list[int] = []
    consensus_disagree: list[int] = []
    if probabilities:
        for slot, target in ((0, consensus), (1, consensus_disagree)):
            product = np.prod([p[slot] for p in probabilities], axis=0)
            each_group = np.all(
                [
                    (p[slot] > 0.5) & (_prop_z(p[slot] * (p[2] + 2) - 1, p[2]) > Z_90)
                    for p in probabilities
                ],
                axis=0,
            )
            order = np.argsort(-product, kind="stable")
            target.extend(int(statements[i]) for i in order if each_group[i] and allowed[i])
            del target[per_group:]
    return representative, consensus, consensus_disagree


def recompute(
    log: VoteLog,
    state: OpinionState | None = None,
    *,
    mod_out: Iterable[int] = (),
    seed: int = 0,
    statistics: bool = True,
    count_moderated_as_voted: bool = False,
) -> tuple[OpinionState, OpinionMapResult]:
    """One recomputation of the opinion map from the votes so far and the previous state.

    ``statistics=False`` skips representative and consensus statements (for replayed history).
    ``count_moderated_as_voted=True`` decides who counts as Polis did in 2017 (see
    ``ZEROED_COUNTED_FROM_MS``): each moderated-out statement counts as voted on by everyone.
    """
    state = state or OpinionState()
    mod_out = set(mod_out)
    rng = np.random.default_rng(seed + state.updates)
    participants = list(log.participants)
    statements = list(log.statements)
    rows, cols, vals = log.coo()
    n_ptpts, n_cmts = len(participants), len(statements)
    # Moderated-out statements are zeroed for everyone (Polis counts them as voted, value 0).
    is_out = np.asarray([s in mod_out for s in statements], dtype=bool)
    out_cols = np.flatnonzero(is_out)
    if count_moderated_as_voted:
        counts = np.bincount(rows[~is_out[cols]], minlength=n_ptpts) + len(out_cols)
    else:
        counts = np.bincount(rows, minlength=n_ptpts)
    in_conv = _in_conversation(state, participants, counts, n_cmts)
    col_counts = np.bincount(cols, minlength=n_cmts)
    col_sums = np.bincount(cols, weights=vals, minlength=n_cmts)
    center = np.divide(col_sums, col_counts, out=np.zeros(n_cmts), where=col_counts > 0)
    center[out_cols] = 0.0
    # Missing votes are filled with the statement's mean, so after centring they are zeros:
    # only the votes cast carry anything.
    centred = vals - center[cols]
    centred[is_out[cols]] = 0.0
    if log.keep_sums:
        # Σ over participants of (v_j - c_j)(v_k - c_k) on the votes cast, from the kept sums.
        s_sum, b_sum, n_sum = log.sums()
        cov = (
            s_sum
            - b_sum.T * center[None, :]
            - b_sum * center[:, None]
            + n_sum * np.outer(center, center)
        )
        cov[out_cols, :] = 0.0
        cov[:, out_cols] = 0.0
    else:
        # Large conversations: single precision halves the one big product; the components
        # it yields differ from double precision far below what moves anyone between groups.
        big = n_ptpts * n_cmts > 1_000_000
        dense = np.zeros((n_ptpts, n_cmts), dtype=np.float32 if big else np.float64)
        dense[rows, cols] = centred
        cov = (dense.T @ dense).astype(np.float64)
        del dense

    starts: list[FloatArray | None] = []
    if state.components:
        for index in range(2):
            vector = np.ones(n_cmts)
            for col, statement in enumerate(statements):
                previous = state.components.get(statement)
                if previous is not None:
                    vector[col] = previous[index]
            starts.append(vector)
    comps = _components(cov, n_ptpts, starts, rng)
    n_votes = np.bincount(rows[~is_out[cols]], minlength=n_ptpts) + len(out_cols)
    scale = np.sqrt(n_cmts / np.maximum(n_votes, 1))
    positions = (
        np.column_stack(
            [
                np.bincount(rows, weights=centred * comps[i, cols], minlength=n_ptpts)
                for i in range(2)
            ]
        )
        * scale[:, None]
    )
    cmt_scale = math.sqrt(n_cmts)
    statement_positions = {
        s: (float(-comps[0, i] * cmt_scale), float(-comps[1, i] * cmt_scale))
        for i, s in enumerate(statements)
    }

    row_of = {p: i for i, p in enumerate(participants)}
    conv_rows = np.asarray([row_of[p] for p in participants if p in in_conv], dtype=np.int64)
    conv_names = np.asarray([participants[i] for i in conv_rows], dtype=np.int64)
    conv_points = positions[conv_rows]
    base = kmeans(
        conv_names,
        conv_points,
        BASE_K,
        last=state.base_clusters or None,
        max_iterations=BASE_ITERATIONS,
    )
    base_ids = np.asarray([c.id for c in base], dtype=np.int64)
    base_points = np.vstack([c.center for c in base]) if base else np.zeros((0, 2))
    base_weights = np.asarray([len(c.members) for c in base], dtype=float)
    max_k = min(MAX_K, 2 + len(base) // 12)
    clusterings: dict[int, list[Cluster]] = {}
    silhouettes: dict[int, float] = {}
    if len(base) >= 2:
        diff = base_points[:, None, :] - base_points[None, :, :]
        distances = np.sqrt((diff**2).sum(axis=2))
        index_of = {int(b): i for i, b in enumerate(base_ids)}
        for k in range(2, max_k + 1):
            clustering = kmeans(
                base_ids,
                base_points,
                k,
                last=state.group_clusterings.get(k),
                max_iterations=GROUP_ITERATIONS,
                weights=base_weights,
            )
            clusterings[k] = clustering
            labels = np.zeros(len(base_ids), dtype=np.int64)
            for cluster in clustering:
                for member in cluster.members:
                    labels[index_of[member]] = cluster.id
            silhouettes[k] = silhouette(distances, labels)

    new_state = OpinionState(
        in_conv=in_conv,
        components={s: comps[:, i].copy() for i, s in enumerate(statements)},
        base_clusters=base,
        group_clusterings=clusterings,
        last_k=state.last_k,
        last_k_count=state.last_k_count,
        smoothed_k=state.smoothed_k,
        updates=state.updates + 1,
    )
    chosen: list[Cluster] = []
    if clusterings:
        best = max(silhouettes.values())
        this_k = max(k for k, v in silhouettes.items() if v == best)
        same = state.last_k is not None and this_k == state.last_k
        this_count = state.last_k_count + 1 if same else 1
        smoothed = this_k if this_count >= GROUP_K_BUFFER else (state.smoothed_k or this_k)
        if smoothed not in clusterings:
            smoothed = this_k
        new_state.last_k, new_state.last_k_count, new_state.smoothed_k = (
            this_k,
            this_count,
            smoothed,
        )
        chosen = clusterings[smoothed]
    elif len(base) == 1:
        chosen = [Cluster(0, [base[0].id], base[0].center)]

    members_of_base = {c.id: c.members for c in base}
    groups: dict[int, int] = {}
    group_rows: dict[int, NDArray[np.int64]] = {}
    for number, cluster in enumerate(sorted(chosen, key=lambda c: c.id)):
        member_rows = []
        for base_id in cluster.members:
            for participant in members_of_base.get(base_id, []):
                groups[participant] = number
                member_rows.append(row_of[participant])
        group_rows[number] = np.asarray(sorted(member_rows), dtype=np.int64)
    representative: dict[int, list[GroupStatement]] = {}
    consensus: list[int] = []
    consensus_disagree: list[int] = []
    if statistics:
        representative, consensus, consensus_disagree = _statement_stats(
            (rows, cols, vals), statements, group_rows, mod_out
        )
    result = OpinionMapResult(
        participants=participants,
        positions=positions,
        groups=groups,
        n_groups=len(group_rows),
        representative=representative,
        consensus=consensus,
        consensus_disagree=consensus_disagree,
        statement_positions=statement_positions,
        group_sizes={g: len(r) for g, r in group_rows.items()},
        silhouettes=silhouettes,
    )
    return new_state, result


# --- Replaying a conversation --------------------------------------------------------------------


def reloaded(state: OpinionState) -> OpinionState:
    """The state as Polis has it after reloading a conversation from its store.

    Polis keeps a conversation's state in memory while its maths worker runs, but stores only part
    of it (``prep-main`` in ``conv_man.clj``: who counts, the principal components, the base
    clusters, the groups shown) and reloads only that when the worker restarts and the
    conversation gets a vote again (``restructure-json-conv``). The grouping for every k
    (``group-clusterings``) and the smoothing of k (``group-k-smoother``) are not stored, so the
    first recomputation after a reload groups the base clusters from a fresh start for every k
    and shows the k with the best silhouette straight away.
    """
    return OpinionState(
        in_conv=set(state.in_conv),
        components=dict(state.components),
        base_clusters=list(state.base_clusters),
        updates=state.updates,
    )


def replay(
    votes: Sequence[tuple[int, int, int, float]],
    *,
    mod_out: Iterable[int] = (),
    batch_ms: int = DEFAULT_BATCH_MS,
    reload_ms: int | None = DEFAULT_RELOAD_MS,
    state: OpinionState | None = None,
) -> tuple[OpinionState, OpinionMapResult, VoteLog]:
    """Recompute after each batch of votes, in time order, as a live conversation does.

    ``votes`` holds ``(timestamp_ms, participant, statement, vote)``. A batch closes when a vote
    comes more than ``batch_ms`` after the batch's first vote. When no vote came for more than
    ``reload_ms`` (a day; a Polis export does not say when its worker restarted, so we assume it
    did in any such pause), the conversation is reloaded as Polis reloads it (``reloaded``) and
    recomputed once, as Polis does when it loads a conversation, before the new votes are added;
    ``reload_ms=None`` never reloads. Recomputations dated between ``ZEROED_COUNTED_FROM_MS``
    and ``ZEROED_COUNTED_UNTIL_MS`` decide who counts as Polis did then.
    """
    mod_out = set(mod_out)
    ordered = sorted(votes, key=lambda v: v[0])
    log = VoteLog(keep_sums=True)
    result: OpinionMapResult | None = None
    batch_start: int | None = None
    last_vote: int | None = None
    pending = False

    def step(
        current: OpinionState | None, last: bool = False
    ) -> tuple[OpinionState, OpinionMapResult]:
        dated = last_vote is not None and (
            ZEROED_COUNTED_FROM_MS <= last_vote < ZEROED_COUNTED_UNTIL_MS
        )
        return recompute(
            log, current, mod_out=mod_out, statistics=last, count_moderated_as_voted=dated
        )

    for timestamp, participant, statement, vote in ordered:
        if batch_start is not None and timestamp - batch_start > batch_ms and pending:
            state, result = step(state)
            pending = False
            batch_start = None
        if (
            reload_ms is not None
            and state is not None
            and last_vote is not None
            and timestamp - last_vote > reload_ms
        ):
            if pending:
                state, result = step(state)
                pending = False
                batch_start = None
            state, result = step(reloaded(state))
        if batch_start is None:
            batch_start = timestamp
        log.add(participant, statement, vote)
        last_vote = timestamp
        pending = True
    if pending or result is None:
        state, result = step(state, last=True)
    assert state is not None
    return state, result, log


def adjusted_rand_index(labels_a: Sequence[Any], labels_b: Sequence[Any]) -> float:
    """Hubert and Arabie's adjusted Rand index of two labellings of the same items."""
    if len(labels_a) != len(labels_b):
        raise ValueError("labellings differ in length")
    n = len(labels_a)
    if n < 2:
        return 1.0
    _a_values, a = np.unique(np.asarray([str(x) for x in labels_a]), return_inverse=True)
    _b_values, b = np.unique(np.asarray([str(x) for x in labels_b]), return_inverse=True)
    table = np.zeros((a.max() + 1, b.max() + 1))
    np.add.at(table, (a, b), 1)

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
