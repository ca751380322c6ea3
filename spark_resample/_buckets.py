"""Locality buckets for the SMOTE family: a PCA tree fitted on a bounded
sample of one class, then a plan that turns the tree's leaves into buckets of
bounded size holding at least k + 1 rows.

Pure NumPy (no Spark import). The tree is fitted on the driver on at most
:func:`sample_rows` rows per class and applied to every row inside a pandas
UDF. Each node splits its sample at the median of the projection on the
sample's first principal component, so leaves hold about equal shares of the
class and near points share a leaf (a "PCA tree", the balanced cousin of a
random-projection tree). Leaves whose measured size exceeds the bound are
split further by the row hash (a random split: memory stays bounded even when
the sample misjudged a leaf), and leaves below k + 1 rows are merged with
their neighbour in tree order, which is a sibling or cousin in space.

A huge class outgrows what the sample can shape: the tree stops at depth 9
(32 sample rows a leaf), so above 512 leaves x 64 sub-keys x the bound
(134M rows at 4096) single sub-keys exceed the bound. Such a sub-key is
split by a second hash into parts whose expected size leaves six standard
deviations of room under the bound, so no bucket grows with the class.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

import numpy as np

from ._knn import allocate

SAMPLE_ROWS = 20_000
"""At most this many rows per class reach the driver to fit the tree."""

SAMPLE_VALUES = 1 << 22
"""At most about this many feature values per class reach the driver: the
sample travels as pickled rows and lands as Python floats (about 32 bytes a
value), and 1,000 rows of 65,536 values ran a 4 GB driver out of heap
(measured). Below 210 features this leaves the 20,000 rows whole."""


def sample_rows(dimension: int) -> int:
    """Rows of a class's tree sample at ``dimension`` features (at least one:
    a tree of depth 0, and the hash sub-keys alone cut the class)."""
    return max(1, min(SAMPLE_ROWS, SAMPLE_VALUES // max(dimension, 1)))


SUB_KEY_BITS = 6
SUB_KEYS = 1 << SUB_KEY_BITS
"""Rows of a leaf are spread over this many hash sub-keys (the hash's low
bits), the unit in which an oversized leaf is split. The bits above them
split a sub-key that is oversized on its own (:func:`split_parts`)."""

_MIN_SAMPLE_PER_LEAF = 32  # below this a median split is mostly noise


@dataclass(frozen=True)
class PcaTree:
    """A complete binary tree of depth ``depth``: node ``i`` (heap order) sends
    ``x`` right when ``x @ directions[i] > thresholds[i]``."""

    directions: np.ndarray  # (2**depth - 1, d)
    thresholds: np.ndarray  # (2**depth - 1,)
    depth: int

    def leaves(self, x: np.ndarray) -> np.ndarray:
        """Leaf index in [0, 2**depth) of every row of ``x``."""
        node = np.zeros(len(x), dtype=np.int64)
        for _ in range(self.depth):
            projection = np.einsum("ij,ij->i", x, self.directions[node])
            node = 2 * node + 1 + (projection > self.thresholds[node])
        return node - (2**self.depth - 1)


def tree_depth(class_rows: int, sample_rows: int, max_bucket_size: int) -> int:
    """Depth giving leaves of about half the bucket bound (room for the
    sample's misjudgement), limited so each leaf keeps enough sample rows."""
    if class_rows <= max_bucket_size:
        return 0
    wanted = math.ceil(math.log2(class_rows / (max_bucket_size / 2)))
    if sample_rows >= class_rows:  # the sample is the class: leaf sizes are exact
        return wanted
    affordable = int(math.floor(math.log2(max(sample_rows / _MIN_SAMPLE_PER_LEAF, 1))))
    return max(0, min(wanted, affordable))


def _first_component(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    centered = x - x.mean(axis=0)
    v = rng.standard_normal(x.shape[1])
    for _ in range(30):  # power iteration on the covariance, without forming it
        w = centered.T @ (centered @ v)
        norm = np.linalg.norm(w)
        if norm == 0:
            return v / np.linalg.norm(v)
        v = w / norm
    return v


def fit_tree(sample: np.ndarray, depth: int, rng: np.random.Generator) -> PcaTree:
    """Fit a :class:`PcaTree` on ``sample`` (rows in a deterministic order).

    Examples
    --------
    >>> x = np.random.default_rng(0).normal(size=(400, 3))
    >>> tree = fit_tree(x, 2, np.random.default_rng(1))
    >>> np.bincount(tree.leaves(x)).tolist()
    [100, 100, 100, 100]
    """
    sample = np.asarray(sample, dtype=np.float64)
    n_nodes = 2**depth - 1
    d = sample.shape[1]
    directions = np.zeros((n_nodes, d))
    thresholds = np.zeros(n_nodes)
    members = [np.arange(len(sample))]
    for node in range(n_nodes):
        idx = members[node]
        if len(idx) >= 2:
            direction = _first_component(sample[idx], rng)
            projection = sample[idx] @ direction
            threshold = float(np.median(projection))
            if not np.any(projection > threshold):  # ties at the median: split below it
                below = projection[projection < threshold]
                threshold = float(below.max()) if len(below) else threshold
            directions[node], thresholds[node] = direction, threshold
            right = projection > threshold
        else:
            right = np.zeros(len(idx), dtype=bool)
        members += [idx[~right], idx[right]]
    return PcaTree(directions, thresholds, depth)


@dataclass(frozen=True)
class BucketPlan:
    """Where each (leaf, sub-key) goes, and the size of each bucket.

    A sub-key split into parts (``parts[key]`` > 1) goes to the buckets
    ``bucket_of[key]`` to ``bucket_of[key] + parts[key] - 1``, picked by the
    row hash; its buckets' ``sizes`` are then expected sizes.
    """

    bucket_of: Dict[Tuple[int, int], int]
    sizes: List[int]
    parts: Dict[Tuple[int, int], int] = field(default_factory=dict)


def split_parts(rows: int, max_size: int) -> int:
    """Parts for a sub-key of ``rows`` rows split at random by the row hash.

    Each part gets a binomial share of the rows, whose standard deviation is
    below the square root of the bound: parts of expected size at most
    ``max_size - 6 sqrt(max_size)`` (and at most half the bound for tiny
    bounds) stay under the bound but with negligible probability.

    Examples
    --------
    >>> split_parts(4096, 4096), split_parts(500_000, 4096)
    (2, 135)
    """
    target = max(max_size - 6.0 * math.sqrt(max_size), max_size / 2.0)
    return max(1, math.ceil(rows / target))


def plan_buckets(counts: Dict[Tuple[int, int], int], min_size: int, max_size: int) -> BucketPlan:
    """Turn row counts per (leaf, sub-key) into buckets.

    A leaf up to ``max_size`` rows is one unit; a larger one is cut into
    consecutive runs of sub-keys of at most ``max_size`` rows, and a sub-key
    larger than that on its own is split into :func:`split_parts` parts.
    Units are then taken in leaf order and joined until each bucket holds at
    least ``min_size`` rows; a short tail joins the last bucket.

    Examples
    --------
    >>> plan = plan_buckets({(0, 0): 3, (1, 0): 10, (2, 0): 2}, min_size=6, max_size=100)
    >>> plan.sizes, plan.bucket_of[(0, 0)], plan.bucket_of[(2, 0)]
    ([15], 0, 0)
    >>> split = plan_buckets({(0, 0): 300, (0, 1): 50}, min_size=6, max_size=100)
    >>> split.sizes, split.bucket_of, split.parts
    ([50, 50, 50, 50, 50, 50, 50], {(0, 0): 0, (0, 1): 6}, {(0, 0): 6})
    """
    by_leaf: Dict[int, List[Tuple[int, int]]] = {}
    for (leaf, sub), n in sorted(counts.items()):
        by_leaf.setdefault(leaf, []).append((sub, n))
    units: List[Tuple[List[Tuple[int, int]], int, int]] = []  # ([(leaf, sub)], rows, parts)
    for leaf, subs in by_leaf.items():
        total = sum(n for _, n in subs)
        if total <= max_size:
            units.append(([(leaf, s) for s, _ in subs], total, 1))
            continue
        run: List[Tuple[int, int]] = []
        run_rows = 0
        for sub, n in subs:
            if run and run_rows + n > max_size:
                units.append((run, run_rows, 1))
                run, run_rows = [], 0
            if n > max_size:
                units.append(([(leaf, sub)], n, split_parts(n, max_size)))
                continue
            run.append((leaf, sub))
            run_rows += n
        if run:
            units.append((run, run_rows, 1))

    bucket_of: Dict[Tuple[int, int], int] = {}
    parts: Dict[Tuple[int, int], int] = {}
    sizes: List[int] = []
    pending: List[Tuple[int, int]] = []
    pending_rows = 0
    for keys, n, n_parts in units:
        if n_parts > 1:
            (key,) = keys
            first = len(sizes)
            bucket_of[key], parts[key] = first, n_parts
            sizes += allocate(n, [1.0] * n_parts).tolist()
            # Rows pending below min_size join the first part whole.
            for pending_key in pending:
                bucket_of[pending_key] = first
            sizes[first] += pending_rows
            pending, pending_rows = [], 0
            continue
        pending += keys
        pending_rows += n
        if pending_rows >= min_size:
            for key in pending:
                bucket_of[key] = len(sizes)
            sizes.append(pending_rows)
            pending, pending_rows = [], 0
    if pending:
        if not sizes:  # the whole class is below min_size; callers check before
            sizes.append(0)
        for key in pending:
            bucket_of[key] = len(sizes) - 1
        sizes[-1] += pending_rows
    return BucketPlan(bucket_of, sizes, parts)
