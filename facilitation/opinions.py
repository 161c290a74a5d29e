"""Opinion groups: who rates alike, found from the ratings (issue 16, docs/opinions.md).

Guarantees:
- `OpinionMatrix` holds the latest non-confused rating of each participant on
  the current round of each proposition, as +1/+0.5/0/-0.5/-1, with running
  sums (per column sum and count, pairwise cross products). One rating changes
  them in O(propositions). Every value is a multiple of 0.5, so every sum is
  exact in binary floating point: the incremental sums equal a recount, and do
  not depend on the order ratings arrived in.
- `compute` is a pure function of the matrix (and, for labels only, of the
  previous result): same ratings in, same groups and figures out.
"""

from dataclasses import dataclass, field
from itertools import permutations
from math import exp, log, sqrt
from typing import Any

import numpy as np
import numpy.typing as npt

from .vocabulary import AGREE, CONFUSED, DISAGREE, NEUTRAL, STRONGLY_AGREE, STRONGLY_DISAGREE

Array = npt.NDArray[np.float64]

POSITION: dict[int, float] = {
    STRONGLY_AGREE: 1.0,
    AGREE: 0.5,
    NEUTRAL: 0.0,
    DISAGREE: -0.5,
    STRONGLY_DISAGREE: -1.0,
}
MIN_RATINGS = 7  # a participant is placed with at least min(7, propositions) ratings
MIN_K, MAX_K = 2, 5
BASE_CLUSTERS = 100  # base clusters first, so grouping cost does not grow with the hall
LLOYD_ROUNDS = 25
Z_90 = 1.2816  # one-sided 90% significance, as Pol.is uses
REPRESENTATIVE_PER_GROUP = 5


def position(value: int) -> float | None:
    """The matrix entry of a scale index; confused (and anything else) is missing."""
    return None if value == CONFUSED else POSITION.get(value)


@dataclass(slots=True)
class OpinionMatrix:
    """Plain lists and dicts, so it snapshots as JSON and compares structurally."""

    columns: list[str] = field(default_factory=list)  # proposition ids, in order added
    rows: dict[str, dict[str, float]] = field(default_factory=dict)  # participant -> pid -> x
    sums: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    cross: list[list[float]] = field(default_factory=list)  # sum of x_j * x_k, missing as 0
    index: dict[str, int] = field(default_factory=dict)  # proposition id -> column
    # Entries changed so far: the shell's cadence counts these; not part of the data.
    revision: int = field(default=0, compare=False)

    def add_column(self, proposition_id: str) -> None:
        self.index[proposition_id] = len(self.columns)
        self.columns.append(proposition_id)
        self.sums.append(0.0)
        self.counts.append(0)
        for line in self.cross:
            line.append(0.0)
        self.cross.append([0.0] * len(self.columns))

    def set(self, participant_id: str, proposition_id: str, value: float | None) -> None:
        """Make `value` (None: missing) the participant's entry; O(propositions)."""
        row = self.rows.get(participant_id, {})
        old = row.get(proposition_id)
        if old == value:
            return
        index = self.index
        j = index[proposition_id]
        delta = (value or 0.0) - (old or 0.0)
        for other, x in row.items():
            if other != proposition_id:
                k = index[other]
                self.cross[j][k] += delta * x
                self.cross[k][j] += delta * x
        self.cross[j][j] += (value or 0.0) ** 2 - (old or 0.0) ** 2
        self.sums[j] += delta
        self.counts[j] += (value is not None) - (old is not None)
        self.revision += 1
        if value is None:
            row.pop(proposition_id, None)
        else:
            row[proposition_id] = value
        if row:
            self.rows[participant_id] = row
        else:
            self.rows.pop(participant_id, None)

    def clear_column(self, proposition_id: str) -> None:
        """A new round starts empty."""
        for participant_id in sorted(self.rows):
            self.set(participant_id, proposition_id, None)

    def drop_row(self, participant_id: str) -> None:
        for proposition_id in sorted(self.rows.get(participant_id, {})):
            self.set(participant_id, proposition_id, None)


def copy_of(matrix: OpinionMatrix) -> OpinionMatrix:
    """An independent copy, O(entries), to compute on while the live matrix moves on."""
    return OpinionMatrix(
        list(matrix.columns),
        {pid: dict(row) for pid, row in matrix.rows.items()},
        list(matrix.sums),
        list(matrix.counts),
        [list(line) for line in matrix.cross],
        dict(matrix.index),
        matrix.revision,
    )


def recount(matrix: OpinionMatrix) -> OpinionMatrix:
    """A matrix rebuilt from the entries alone (the reference the running sums must equal)."""
    fresh = OpinionMatrix()
    for pid in matrix.columns:
        fresh.add_column(pid)
    for participant_id in sorted(matrix.rows):
        for proposition_id, x in sorted(matrix.rows[participant_id].items()):
            fresh.set(participant_id, proposition_id, x)
    return fresh


# --- Figures -------------------------------------------------------------------


def agreement(agree: int, seen: int) -> float:
    """Agreement probability with pseudocounts: (A + 1) / (S + 2)."""
    return (agree + 1) / (seen + 2)


def group_consensus(per_group: list[tuple[int, int]]) -> float | None:
    """Geometric mean of the groups' agreement probabilities; None without groups.

    The geometric mean, unlike Pol.is's plain product, does not shrink as the
    number of groups grows, so the figure over 3 opinion groups compares with
    the one over 7 stakeholder groups.
    """
    if not per_group:
        return None
    return exp(sum(log(agreement(a, s)) for a, s in per_group) / len(per_group))


def prop_test(successes: int, trials: int) -> float:
    """z of a proportion above one half, with pseudocounts: 2 sqrt(n+1) ((s+1)/(n+1) - 1/2)."""
    return 2 * sqrt(trials + 1) * ((successes + 1) / (trials + 1) - 0.5)


def two_prop_test(s1: int, n1: int, s2: int, n2: int) -> float:
    """z of proportion 1 above proportion 2, each with one pseudocount added to s and n."""
    s1p, n1p, s2p, n2p = s1 + 1, n1 + 1, s2 + 1, n2 + 1
    p1, p2 = s1p / n1p, s2p / n2p
    pooled = (s1p + s2p) / (n1p + n2p)
    spread = sqrt(pooled * (1 - pooled) * (1 / n1p + 1 / n2p))
    return 0.0 if spread == 0 else (p1 - p2) / spread


@dataclass(frozen=True, slots=True)
class Representative:
    proposition_id: str
    direction: str  # "agree" or "disagree"
    probability: float  # pa: (A_in + 1) / (S_in + 2)
    ratio: float  # ra: pa / pa_out
    z_probability: float
    z_ratio: float


def representativeness(
    proposition_id: str, inside: tuple[int, int, int], outside: tuple[int, int, int]
) -> Representative | None:
    """The stronger significant direction for one group; counts are (agree, disagree, seen).

    Significant: both prop_test(in) and two_prop_test(in vs out) exceed Z_90.
    """
    best: Representative | None = None
    for direction, i in (("agree", 0), ("disagree", 1)):
        s_in, n_in, s_out, n_out = inside[i], inside[2], outside[i], outside[2]
        pa = agreement(s_in, n_in)
        ra = pa / agreement(s_out, n_out)
        z_pa, z_ra = prop_test(s_in, n_in), two_prop_test(s_in, n_in, s_out, n_out)
        if z_pa <= Z_90 or z_ra <= Z_90:
            continue
        found = Representative(proposition_id, direction, pa, ra, z_pa, z_ra)
        if best is None or ra * pa > best.ratio * best.probability:
            best = found
    return best


# --- Groups --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Group:
    label: int  # 1-based, stable between updates
    members: tuple[str, ...]  # participant ids, sorted
    representative: tuple[Representative, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True, slots=True)
class Opinions:
    columns: tuple[str, ...]
    axes: tuple[tuple[float, ...], ...]  # two unit vectors over columns
    points: dict[str, tuple[float, float]]  # participant -> position on the map
    groups: tuple[Group, ...]
    consensus: dict[str, float | None]  # proposition -> consensus over opinion groups
    # participant -> label, built once: every phone's own group is looked up after each
    # recompute, and a scan of the members made that O(participants^2) (0.44 s at 10,000).
    labels: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        labels = {pid: g.label for g in self.groups for pid in g.members}
        object.__setattr__(self, "labels", labels)

    def group_of(self, participant_id: str) -> int | None:
        return self.labels.get(participant_id)


def to_json(opinions: Opinions) -> dict[str, Any]:
    """A result as plain JSON, every float as is (JSON floats round-trip exactly)."""
    return {
        "columns": list(opinions.columns),
        "axes": [list(axis) for axis in opinions.axes],
        "points": opinions.points,
        "groups": [
            [g.label, list(g.members), [_representative_json(r) for r in g.representative]]
            for g in opinions.groups
        ],
        "consensus": opinions.consensus,
    }


def _representative_json(r: Representative) -> list[Any]:
    return [r.proposition_id, r.direction, r.probability, r.ratio, r.z_probability, r.z_ratio]


def from_json(found: dict[str, Any]) -> Opinions:
    """The result `to_json` was given, equal to it."""
    return Opinions(
        tuple(found["columns"]),
        tuple(tuple(axis) for axis in found["axes"]),
        {pid: (x, y) for pid, (x, y) in found["points"].items()},
        tuple(
            Group(label, tuple(members), tuple(Representative(*r) for r in representative))
            for label, members, representative in found["groups"]
        ),
        found["consensus"],
    )


def axes(matrix: OpinionMatrix, dims: int = 2) -> Array:
    """Top eigenvectors of the covariance (missing as 0), rows = axes, fixed signs.

    Sign rule: each axis's largest-magnitude component (lowest index on ties) is
    positive, so the map does not flip between updates.
    """
    p = len(matrix.columns)
    n = len(matrix.rows)
    if p == 0 or n == 0:
        return np.zeros((0, p))
    mean = np.array(matrix.sums) / n
    cov = np.array(matrix.cross) / n - np.outer(mean, mean)
    values, vectors = np.linalg.eigh(cov)  # ascending; symmetric solver is deterministic
    order = np.argsort(-values, kind="stable")[: min(dims, p)]
    chosen = vectors[:, order].T.copy()
    for axis in chosen:
        top = int(np.argmax(np.round(np.abs(axis), 12)))
        if axis[top] < 0:
            axis *= -1
    return chosen


def placed(matrix: OpinionMatrix) -> tuple[list[str], Array]:
    """Participants with at least min(7, propositions) ratings, sorted by id, and their
    rows of the matrix (NaN where missing)."""
    need = min(MIN_RATINGS, len(matrix.columns))
    ids = sorted(i for i, row in matrix.rows.items() if need > 0 and len(row) >= need)
    columns, nan, rows = matrix.columns, float("nan"), matrix.rows
    # One flat pass into a preallocated array: a list per row and numpy working
    # out the shape of a list of lists took 2.6 times as long (2.8 against 1.1 ms
    # for a hall of 10,000 rating one proposition), on every recompute.
    cells = (rows[i].get(c, nan) for i in ids for c in columns)
    dense = np.fromiter(cells, dtype=float, count=len(ids) * len(columns))
    return ids, dense.reshape(len(ids), len(columns))


def project(matrix: OpinionMatrix, dense: Array, chosen: Array) -> Array:
    """Map positions of the placed rows.

    Centred by the column means, missing as the mean, then scaled by
    sqrt(propositions / rated) as Pol.is does, so sparse raters are not pulled
    to the centre.
    """
    n, p = dense.shape
    if n == 0 or chosen.shape[0] == 0:
        return np.zeros((n, 2))
    mean = np.array(matrix.sums) / len(matrix.rows)
    missing = np.isnan(dense)
    centred = np.where(missing, 0.0, dense - mean)
    rated = p - missing.sum(axis=1)
    points = centred @ chosen.T * np.sqrt(p / rated)[:, None]
    if points.shape[1] < 2:
        points = np.hstack([points, np.zeros((n, 2 - points.shape[1]))])
    return np.asarray(points, dtype=np.float64)


def _maximin(points: Array, weights: Array, k: int) -> Array:
    """Deterministic seeds: the heaviest point nearest the mean, then farthest points."""
    centre = np.average(points, axis=0, weights=weights)
    first = int(np.lexsort((-weights, np.sum((points - centre) ** 2, axis=1)))[0])
    seeds = [first]
    nearest = np.sum((points - points[first]) ** 2, axis=1)
    for _ in range(1, k):
        nxt = int(np.argmax(nearest))  # first index on ties: points are in a fixed order
        seeds.append(nxt)
        nearest = np.minimum(nearest, np.sum((points - points[nxt]) ** 2, axis=1))
    return points[seeds].copy()


def kmeans(points: Array, weights: Array, k: int) -> npt.NDArray[np.int64]:
    """Weighted Lloyd iterations from maximin seeds; returns an assignment per point."""
    centres = _maximin(points, weights, k)
    assign = np.full(len(points), -1, dtype=np.int64)
    norms = (points**2).sum(axis=1)[:, None]
    for _ in range(LLOYD_ROUNDS):
        dist = norms - 2 * points @ centres.T + (centres**2).sum(axis=1)[None, :]
        new = np.argmin(dist, axis=1).astype(np.int64)
        if np.array_equal(new, assign):
            break
        assign = new
        mass = np.bincount(assign, weights=weights, minlength=k)
        for d in range(points.shape[1]):
            total = np.bincount(assign, weights=weights * points[:, d], minlength=k)
            centres[:, d] = np.where(mass > 0, total / np.maximum(mass, 1e-300), centres[:, d])
    return assign


def silhouette(points: Array, weights: Array, assign: npt.NDArray[np.int64]) -> float:
    """Weighted mean silhouette over the base clusters."""
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    labels = sorted(set(assign.tolist()))
    if len(labels) < 2:
        return -1.0
    mean_to = np.stack(
        [(dist[:, assign == c] * weights[assign == c]).sum(axis=1) for c in labels], axis=1
    )
    sizes = np.array([weights[assign == c].sum() for c in labels])
    own = np.array([labels.index(a) for a in assign.tolist()])
    total = 0.0
    for i in range(len(points)):
        own_size = sizes[own[i]] - weights[i]
        a = mean_to[i, own[i]] / own_size if own_size > 0 else 0.0
        b = min(mean_to[i, c] / sizes[c] for c in range(len(labels)) if c != own[i])
        s = 0.0 if own_size <= 0 or max(a, b) == 0 else (b - a) / max(a, b)
        total += weights[i] * s
    return float(total / weights.sum())


def cluster(points: Array) -> npt.NDArray[np.int64] | None:
    """Base clusters over the distinct points, then 2-5 groups by silhouette."""
    distinct, inverse, counts = np.unique(
        np.round(points, 9), axis=0, return_inverse=True, return_counts=True
    )
    inverse = inverse.reshape(-1)
    if len(distinct) < MIN_K:
        return None
    weights = counts.astype(np.float64)
    base_k = min(BASE_CLUSTERS, len(distinct))
    base = kmeans(distinct, weights, base_k)
    centres = np.array(
        [np.average(distinct[base == c], axis=0, weights=weights[base == c]) for c in range(base_k)]
    )
    base_weights = np.array([weights[base == c].sum() for c in range(base_k)])
    best: tuple[float, npt.NDArray[np.int64]] | None = None
    for k in range(MIN_K, min(MAX_K, base_k) + 1):
        assign = kmeans(centres, base_weights, k)
        score = silhouette(centres, base_weights, assign) if k < base_k else 0.0
        if best is None or score > best[0] + 1e-9:  # ties keep the fewer groups
            best = (score, assign)
    assert best is not None
    return best[1][base][inverse]


def _label(
    clusters: list[tuple[str, ...]], previous: "Opinions | None"
) -> list[tuple[int, tuple[str, ...]]]:
    """Labels 1..k: matched to the previous groups by most shared members, else by size."""
    clusters = sorted(clusters, key=lambda c: (-len(c), c))
    if previous is None or not previous.groups:
        return [(i + 1, c) for i, c in enumerate(clusters)]
    old = {g.label: set(g.members) for g in previous.groups}
    pool = sorted(set(old) | set(range(1, len(clusters) + 1)))
    # Members shared by each (label, cluster) pair, counted once, not once per permutation.
    overlap = {
        (lab, i): len(old.get(lab, set()).intersection(c))
        for lab in pool
        for i, c in enumerate(clusters)
    }
    best: tuple[int, tuple[int, ...]] | None = None
    for labels in permutations(pool, len(clusters)):
        shared = sum(overlap[lab, i] for i, lab in enumerate(labels))
        if best is None or shared > best[0]:
            best = (shared, labels)
    assert best is not None
    return sorted(zip(best[1], clusters, strict=True))


def _counts(dense: Array, rows: npt.NDArray[np.bool_]) -> Array:
    """Per column (agree, disagree, seen) counts over the chosen rows: shape (3, columns)."""
    part = dense[rows]
    return np.stack(
        [(part > 0).sum(axis=0), (part < 0).sum(axis=0), (~np.isnan(part)).sum(axis=0)]
    ).astype(np.float64)


def compute(matrix: OpinionMatrix, previous: Opinions | None = None) -> Opinions:
    """Axes, map, groups, representative propositions and consensus over opinion groups."""
    chosen = axes(matrix)
    ids, dense = placed(matrix)
    points = project(matrix, dense, chosen)
    assign = cluster(points) if len(ids) >= 2 * MIN_K else None
    members: list[tuple[str, ...]] = []
    if assign is not None:
        for c in sorted(set(assign.tolist())):
            members.append(
                tuple(pid for pid, a in zip(ids, assign.tolist(), strict=True) if a == c)
            )
    labelled = _label(members, previous)
    row_of = {pid: r for r, pid in enumerate(ids)}
    counts = {}
    for label, m in labelled:
        mask = np.zeros(len(ids), dtype=bool)
        mask[[row_of[pid] for pid in m]] = True
        counts[label] = _counts(dense, mask)
    every = _counts(dense, np.ones(len(ids), dtype=bool))
    groups = []
    for label, m in labelled:
        groups.append(Group(label, m, _representative(matrix.columns, counts[label], every)))
    consensus = {
        pid: group_consensus(
            [(int(counts[label][0, j]), int(counts[label][2, j])) for label, _ in labelled]
        )
        for j, pid in enumerate(matrix.columns)
    }
    return Opinions(
        tuple(matrix.columns),
        tuple(tuple(float(x) for x in axis) for axis in chosen),
        {pid: (float(x), float(y)) for pid, (x, y) in zip(ids, points.tolist(), strict=True)},
        tuple(groups),
        consensus,
    )


def _representative(columns: list[str], inside: Array, every: Array) -> tuple[Representative, ...]:
    found = []
    for j, pid in enumerate(columns):
        here = (int(inside[0, j]), int(inside[1, j]), int(inside[2, j]))
        rest = (int(every[0, j]) - here[0], int(every[1, j]) - here[1], int(every[2, j]) - here[2])
        rep = representativeness(pid, here, rest)
        if rep is not None:
            found.append(rep)
    found.sort(key=lambda r: (-r.ratio * r.probability, r.proposition_id))
    return tuple(found[:REPRESENTATIVE_PER_GROUP])


def stakeholder_consensus(by_group: dict[str, list[int]]) -> float | None:
    """The same geometric-mean form over declared stakeholder groups' tally vectors."""
    per_group = []
    for group in sorted(by_group):
        v = by_group[group]
        seen = sum(v) - v[CONFUSED]
        if seen > 0:
            per_group.append((v[STRONGLY_AGREE] + v[AGREE], seen))
    return group_consensus(per_group)
