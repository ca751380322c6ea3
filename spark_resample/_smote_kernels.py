"""The SMOTE family's work inside the pandas UDFs: plain Python objects on
NumPy arrays, no Spark. One (class, bucket) group arrives as a pandas frame;
the kernels compute its k-NN, weights and synthetic rows (``_knn`` holds the
numerical pieces), seeded by (seed, class, bucket) so nothing depends on the
order the shuffle delivered the rows in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import pandas as pd
from pyspark.ml.linalg import SparseVector

from . import _buckets, _knn
from ._base import SamplerModel

# Helper columns; none survives into the output unless debugging.
_CLASS = "__smote_class"
_X = "__smote_x"
_SPARSE = "__smote_sparse"
_OTHER = "__smote_other"
_LEAF = "__smote_leaf"
_SUB = "__smote_sub"
_BUCKET = "__smote_bucket"
_NEW = "__smote_new"
_WEIGHT = "__smote_weight"
_SEED_X = "__smote_seed_x"
_NEIGHBOR_X = "__smote_neighbor_x"
_STEPS = "__smote_steps"
SEED_HASH = "__smote_seed_hash"
NEIGHBOR_HASH = "__smote_neighbor_hash"
DEBUG_COLUMNS = (SEED_HASH, NEIGHBOR_HASH, _BUCKET)


@dataclass
class _Bucket:
    """The rows of one (class, bucket) group, sorted by row hash."""

    x: np.ndarray  # (n, d) rows of the class
    hashes: np.ndarray
    other_x: np.ndarray  # (m, d) rows of other classes (BorderlineSMOTE, ADASYN)
    other_hashes: np.ndarray
    codes: List[np.ndarray] = field(default_factory=list)  # categorical codes per column
    n_codes: List[int] = field(default_factory=list)
    # Rows of other classes each row of ``other_x`` stands for: above 1 when
    # they are a sample (the bucket's region held more than maxOtherRows).
    other_weight: float = 1.0


@dataclass
class _Generated:
    """Synthetic rows ``x[seed] + step * (neighbour - x[seed])``, as their
    ingredients: the UDF sends one row per (seed, neighbour) pair with the
    steps of its synthetic rows, and Spark computes the points. Python then
    holds the pairs (at most rows x k feature vectors) and a few numbers per
    synthetic row (its draw and step), never the synthetic rows' features."""

    seed_rows: np.ndarray  # index into the class rows
    neighbor_rows: np.ndarray  # index into class rows, then other rows
    steps: np.ndarray  # (s,)
    codes: List[np.ndarray] = field(default_factory=list)


@dataclass
class _SmoteKernel:
    """SMOTE (and SMOTENC when ``median_std`` is given) on one bucket."""

    k: Dict[int, int]
    median_std: Dict[int, float] = field(default_factory=dict)

    def space(self, bucket: _Bucket, class_id: int) -> np.ndarray:
        if not bucket.codes:
            return bucket.x
        return _knn.mixed_distance_points(bucket.x, bucket.codes, self.median_std[class_id])

    def generate(
        self, bucket: _Bucket, class_id: int, n_new: int, rng: np.random.Generator
    ) -> _Generated:
        k = min(self.k[class_id], len(bucket.x) - 1)
        nn = _knn.kneighbors(self.space(bucket, class_id), k)
        rows, cols, steps = _knn.draw_pairs(rng, len(bucket.x), k, n_new)
        codes = [
            _knn.most_frequent(c, nn[rows], n, rng) for c, n in zip(bucket.codes, bucket.n_codes)
        ]
        return _Generated(rows, nn[rows, cols], steps, codes)


@dataclass
class _BorderlineKernel:
    k: Dict[int, int]
    m: int
    kind: str

    def danger(self, bucket: _Bucket) -> np.ndarray:
        m = min(self.m, len(bucket.x) + len(bucket.other_x) - 1)
        n_other = _knn.others_among_nearest(bucket.x, bucket.other_x, m, bucket.other_weight)
        return np.flatnonzero((n_other >= m / 2) & (n_other < m))

    def weight(self, bucket: _Bucket, class_id: int) -> float:
        return float(len(self.danger(bucket)))

    def generate(
        self, bucket: _Bucket, class_id: int, n_new: int, rng: np.random.Generator
    ) -> _Generated:
        danger = self.danger(bucket)
        pool = bucket.x if self.kind == "borderline-1" else np.vstack([bucket.x, bucket.other_x])
        k = min(self.k[class_id], len(pool) - 1)
        nn = _knn.kneighbors(pool, k, queries=bucket.x[danger], exclude=danger)
        rows, cols, steps = _knn.draw_pairs(rng, len(danger), k, n_new)
        targets = nn[rows, cols]
        if self.kind == "borderline-2":
            # imbalanced-learn: towards a row of another class, at most half way.
            towards_other = targets >= len(bucket.x)
            steps[towards_other] *= rng.uniform(0.0, 0.5, size=int(towards_other.sum()))
        return _Generated(danger[rows], targets, steps)


@dataclass
class _AdasynKernel:
    k: Dict[int, int]

    def difficulty(self, bucket: _Bucket, class_id: int) -> np.ndarray:
        k = min(self.k[class_id], len(bucket.x) + len(bucket.other_x) - 1)
        n_other = _knn.others_among_nearest(bucket.x, bucket.other_x, k, bucket.other_weight)
        return n_other / k

    def weight(self, bucket: _Bucket, class_id: int) -> float:
        return float(self.difficulty(bucket, class_id).sum())

    def generate(
        self, bucket: _Bucket, class_id: int, n_new: int, rng: np.random.Generator
    ) -> _Generated:
        per_row = _knn.allocate(n_new, self.difficulty(bucket, class_id))
        k = min(self.k[class_id], len(bucket.x) - 1)
        nn = _knn.kneighbors(bucket.x, k)
        rows = np.repeat(np.arange(len(bucket.x)), per_row)
        targets = nn[rows, rng.integers(0, k, size=n_new)]
        return _Generated(rows, targets, rng.random(n_new))


def _read_bucket(
    pdf: pd.DataFrame, categorical: List[str], others_in_region: Optional[int] = None
) -> Tuple[_Bucket, pd.DataFrame]:
    """Sort a group by (other class, hash): row order in a group follows the
    shuffle, and every draw must not depend on it. ``others_in_region``: the
    count of other-class rows the group's rows of other classes were sampled
    from, if they were."""
    pdf = pdf.sort_values([_OTHER, SamplerModel._HASH], kind="stable").reset_index(drop=True)
    other = pdf[_OTHER].to_numpy(dtype=bool)
    x = np.stack(pdf[_X].to_numpy()) if len(pdf) else np.zeros((0, 0))
    hashes = pdf[SamplerModel._HASH].to_numpy(dtype=np.int64)
    own = pdf[~other]
    codes, n_codes = [], []
    for name in categorical:
        code, uniques = pd.factorize(own[name], sort=True)
        codes.append(code.astype(np.int64))
        n_codes.append(len(uniques))
    bucket = _Bucket(x[~other], hashes[~other], x[other], hashes[other], codes, n_codes)
    if others_in_region is not None and other.any():
        bucket.other_weight = others_in_region / int(other.sum())
    return bucket, own


def _bucket_key(pdf: pd.DataFrame) -> Tuple[int, int]:
    return int(pdf[_CLASS].iat[0]), int(pdf[_BUCKET].iat[0])


def _weight_udf(
    kernel: Any, categorical: List[str], sampled_others: Dict[Tuple[int, int], int]
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """``sampled_others``: (class, bucket) -> other-class rows in the bucket's
    region, for the buckets that got a sample of them."""

    def weigh(pdf: pd.DataFrame) -> pd.DataFrame:
        class_id, bucket_id = _bucket_key(pdf)
        bucket, _ = _read_bucket(pdf, categorical, sampled_others.get((class_id, bucket_id)))
        weight = kernel.weight(bucket, class_id) if len(bucket.x) > 1 else 0.0
        return pd.DataFrame({_CLASS: [class_id], _BUCKET: [bucket_id], _WEIGHT: [weight]})

    return weigh


def _generate_udf(
    kernel: Any,
    seed: int,
    categorical: List[str],
    track_sparse: bool,
    sampled_others: Dict[Tuple[int, int], int],
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    def generate(pdf: pd.DataFrame) -> pd.DataFrame:
        class_id, bucket_id = _bucket_key(pdf)
        n_new = int(pdf[_NEW].iat[0])
        bucket, own = _read_bucket(pdf, categorical, sampled_others.get((class_id, bucket_id)))
        rng = _knn.bucket_rng(seed, class_id, bucket_id)
        made = kernel.generate(bucket, class_id, n_new, rng)
        # One output row per (seed, neighbour) pair, in pair order, holding
        # the steps (and categories) of its synthetic rows in draw order.
        n_pool = len(bucket.x) + len(bucket.other_x)
        order = np.argsort(made.seed_rows * n_pool + made.neighbor_rows, kind="stable")
        seeds, targets = made.seed_rows[order], made.neighbor_rows[order]
        first = np.flatnonzero(
            np.r_[True, (seeds[1:] != seeds[:-1]) | (targets[1:] != targets[:-1])]
        )
        seeds, targets = seeds[first], targets[first]
        pool = bucket.x
        if len(targets) and targets.max() >= len(bucket.x):  # borderline-2
            pool = np.vstack([bucket.x, bucket.other_x])
        all_hashes = np.concatenate([bucket.hashes, bucket.other_hashes])
        out = {
            _CLASS: np.full(len(first), class_id, dtype=np.int32),
            _SEED_X: list(bucket.x[seeds]),
            _NEIGHBOR_X: list(pool[targets]),
            _STEPS: np.split(made.steps[order], first[1:]),
            SEED_HASH: bucket.hashes[seeds],
            NEIGHBOR_HASH: all_hashes[targets],
            _BUCKET: np.full(len(first), bucket_id, dtype=np.int32),
        }
        if track_sparse:
            out[_SPARSE] = own[_SPARSE].to_numpy(dtype=bool)[seeds]
        for name, codes in zip(categorical, made.codes):
            uniques = np.asarray(pd.factorize(own[name], sort=True)[1])
            out[name] = np.split(uniques[codes[order]], first[1:])
        return pd.DataFrame(out)

    return generate


def _leaf_udf(trees: Dict[int, _buckets.PcaTree]):
    def assign(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for pdf in batches:
            leaf = np.zeros(len(pdf), dtype=np.int32)
            classes = pdf[_CLASS].to_numpy()
            for class_id, tree in trees.items():
                rows = np.flatnonzero(classes == class_id)
                if len(rows) and tree.depth:
                    x = np.stack(pdf[_X].to_numpy()[rows])
                    leaf[rows] = tree.leaves(x)
            yield pdf.assign(**{_LEAF: leaf})

    return assign


def _to_sparse(values):
    """The synthetic point as a SparseVector (a plain Python UDF). No type
    hints: PySpark 4 reads a UDF's hints to pick a pandas UDF kind, and warns
    at every call when they name no pandas type."""
    values = np.asarray(values, dtype=np.float64)
    nonzero = np.flatnonzero(values)
    return SparseVector(len(values), nonzero.tolist(), values[nonzero].tolist())
