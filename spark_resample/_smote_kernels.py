"""The SMOTE family's work inside the pandas UDFs: plain Python objects on
NumPy arrays, no Spark. One (class, bucket) group arrives as a pandas frame;
the kernels compute its k-NN, weights and synthetic rows (``_knn`` holds the
numerical pieces), seeded by (seed, class, bucket) so nothing depends on the
order the shuffle delivered the rows in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd
from pyspark.ml.linalg import SparseVector
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StructField,
)

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
_COUNT = "__smote_count"
_PAIR = "__smote_pair"
_TOWARDS_OTHER = "__smote_towards_other"
SEED_HASH = "__smote_seed_hash"
NEIGHBOR_HASH = "__smote_neighbor_hash"
DEBUG_COLUMNS = (SEED_HASH, NEIGHBOR_HASH, _BUCKET)


def pair_fields() -> List[StructField]:
    """The generating UDF's output columns, one row per (seed, neighbour)
    pair; the sparse flag and the categorical columns (as arrays of the
    tied categories) follow when there are any."""
    return [
        StructField(_CLASS, IntegerType()),
        StructField(_SEED_X, ArrayType(DoubleType())),
        StructField(_NEIGHBOR_X, ArrayType(DoubleType())),
        StructField(_COUNT, LongType()),
        StructField(_PAIR, IntegerType()),
        StructField(_TOWARDS_OTHER, BooleanType()),
        StructField(SEED_HASH, LongType()),
        StructField(NEIGHBOR_HASH, LongType()),
        StructField(_BUCKET, IntegerType()),
    ]


@dataclass
class _Bucket:
    """The rows of one (class, bucket) group, sorted by row hash."""

    x: np.ndarray  # (n, d) rows of the class
    hashes: np.ndarray
    other_x: np.ndarray  # (m, d) rows of other classes (BorderlineSMOTE, ADASYN)
    other_hashes: np.ndarray
    codes: List[np.ndarray] = field(default_factory=list)  # categorical codes per column
    # Per categorical column, its categories in code order (``categories``).
    categories: List[np.ndarray] = field(default_factory=list)
    # Rows of other classes each row of ``other_x`` stands for: above 1 when
    # they are a sample (the bucket's region held more than maxOtherRows).
    other_weight: float = 1.0


@dataclass
class _Pairs:
    """Synthetic rows as their ingredients: (seed, neighbour) pairs and how
    many synthetic rows ``x[seed] + step * (neighbour - x[seed])`` each pair
    makes. The UDF sends one row per pair and Spark draws the steps (and the
    categories among ties) from each synthetic row's hash and computes the
    points, so Python holds at most rows x k pairs, however many synthetic
    rows the bucket is asked for."""

    seed_rows: np.ndarray  # index into the class rows
    neighbor_rows: np.ndarray  # index into class rows, then other rows
    counts: np.ndarray  # synthetic rows per pair, all > 0
    # borderline-2: the neighbour is of another class, so the step goes at
    # most half way (imbalanced-learn multiplies it by a uniform in [0, 0.5)).
    towards_other: Optional[np.ndarray] = None
    # SMOTENC, per categorical column: shape (class rows, codes), true for the most
    # frequent codes among each row's neighbours.
    tied: List[np.ndarray] = field(default_factory=list)


def _drawn(counts: np.ndarray, neighbors: np.ndarray, seeds: Optional[np.ndarray] = None):
    """The pairs drawn at least once, in (seed, neighbour slot) order:
    (seed rows, neighbour rows, counts). ``counts`` and ``neighbors`` have
    shape (queries, k); ``seeds`` maps queries to class rows (default: the same)."""
    queries, slots = np.nonzero(counts)
    seed_rows = queries if seeds is None else seeds[queries]
    return seed_rows, neighbors[queries, slots], counts[queries, slots]


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
    ) -> _Pairs:
        k = min(self.k[class_id], len(bucket.x) - 1)
        nn = _knn.kneighbors(self.space(bucket, class_id), k)
        counts = _knn.pair_counts(rng, len(bucket.x), k, n_new)
        tied = [
            _knn.most_frequent(c, nn, len(values))
            for c, values in zip(bucket.codes, bucket.categories)
        ]
        return _Pairs(*_drawn(counts, nn), tied=tied)


@dataclass
class _SmotenKernel:
    """SMOTEN on one bucket, as imbalanced-learn's: seed rows drawn uniformly
    with replacement, and each synthetic row takes, per column, the most
    frequent category among its seed and the seed's ``k`` nearest rows of the
    class by the value difference metric (``_knn.vdm_distances``; the rows'
    points are their class probabilities), the smallest of those tied (in
    ``categories`` order, null last). The pairs are (seed, seed): nothing is
    interpolated, and a seed makes the same row each time."""

    k: Dict[int, int]
    n_features: int

    def generate(
        self, bucket: _Bucket, class_id: int, n_new: int, rng: np.random.Generator
    ) -> _Pairs:
        n = len(bucket.x)
        k = min(self.k[class_id], n - 1)
        nn = _knn.kneighbors(bucket.x, k, vdm_features=self.n_features)
        voters = np.hstack([np.arange(n)[:, None], nn])
        counts = rng.multinomial(n_new, np.full(n, 1.0 / n))
        seeds = np.flatnonzero(counts)
        # imbalanced-learn's SMOTEN takes the mode (scipy's: the smallest code
        # among ties), unlike its SMOTENC, which picks among ties at random.
        # With k + 1 voters over few categories ties are common, and picking
        # at random instead changed the PR-AUC of benchmarks/smote_quality.py's
        # binned data by +0.03 to +0.06; the smallest matched it to 0.0000.
        smallest = [
            most & (np.cumsum(most, axis=1) == 1)
            for most in (
                _knn.most_frequent(c, voters, len(values))
                for c, values in zip(bucket.codes, bucket.categories)
            )
        ]
        return _Pairs(seeds, seeds, counts[seeds], tied=smallest)


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
    ) -> _Pairs:
        danger = self.danger(bucket)
        pool = bucket.x if self.kind == "borderline-1" else np.vstack([bucket.x, bucket.other_x])
        k = min(self.k[class_id], len(pool) - 1)
        nn = _knn.kneighbors(pool, k, queries=bucket.x[danger], exclude=danger)
        counts = _knn.pair_counts(rng, len(danger), k, n_new)
        made = _Pairs(*_drawn(counts, nn, seeds=danger))
        if self.kind == "borderline-2":
            made.towards_other = made.neighbor_rows >= len(bucket.x)
        return made


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
    ) -> _Pairs:
        per_row = _knn.allocate(n_new, self.difficulty(bucket, class_id))
        k = min(self.k[class_id], len(bucket.x) - 1)
        nn = _knn.kneighbors(bucket.x, k)
        # Each row's synthetic rows go to its neighbours uniformly.
        counts = rng.multinomial(per_row, np.full(k, 1.0 / k))
        return _Pairs(*_drawn(counts, nn))


def categories(values: pd.Series) -> Tuple[np.ndarray, np.ndarray]:
    """(code per row, the categories in code order) of a categorical column's
    values in one group.

    Categories are sorted, and a missing value (null) is a category of its own,
    after the others, as imbalanced-learn's one-hot encoder has it. Integer
    columns arrive as decimals (``categorical_transport``): an integer column
    with nulls would reach pandas as float64, which holds integers exactly only
    up to 2**53. The categories come back as Python values (ints, strings,
    booleans, None) for Arrow to write in the column's own type."""
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=False)
    plain = [
        None if pd.isna(u) else int(u) if isinstance(u, Decimal) else u
        for u in np.asarray(uniques, dtype=object)
    ]
    return codes.astype(np.int64), np.asarray(plain, dtype=object)


def _read_bucket(
    pdf: pd.DataFrame, categorical: List[str], others_in_region: Optional[int] = None
) -> Tuple[_Bucket, pd.DataFrame]:
    """Sort a group by (other class, hash, features): row order in a group
    follows the shuffle, and every draw must not depend on it. Rows share a
    hash when they are identical, which makes their order moot, or when they
    share an ``idCol`` value: the features then order them. ``others_in_region``:
    the count of other-class rows the group's rows of other classes were
    sampled from, if they were."""
    x = np.stack(pdf[_X].to_numpy()) if len(pdf) else np.zeros((0, 0))
    hashes = pdf[SamplerModel._HASH].to_numpy(dtype=np.int64)
    other = pdf[_OTHER].to_numpy(dtype=bool)
    # np.lexsort sorts by its last key first. The features are read only where
    # hashes tie: a key per feature costs a pass each.
    order = np.lexsort((hashes, other))
    tied = (hashes[order][1:] == hashes[order][:-1]) & (other[order][1:] == other[order][:-1])
    if tied.any():
        order = np.lexsort((*x.T[::-1], hashes, other))
    pdf = pdf.iloc[order].reset_index(drop=True)
    x, hashes, other = x[order], hashes[order], other[order]
    own = pdf[~other]
    codes, values = [], []
    for name in categorical:
        code, uniques = categories(own[name])
        codes.append(code)
        values.append(uniques)
    bucket = _Bucket(x[~other], hashes[~other], x[other], hashes[other], codes, values)
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
    copied: Sequence[str] = (),
) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """``copied``: columns each pair takes from its seed row (``copyCols``)."""

    def generate(pdf: pd.DataFrame) -> pd.DataFrame:
        class_id, bucket_id = _bucket_key(pdf)
        n_new = int(pdf[_NEW].iat[0])
        bucket, own = _read_bucket(pdf, categorical, sampled_others.get((class_id, bucket_id)))
        rng = _knn.bucket_rng(seed, class_id, bucket_id)
        made = kernel.generate(bucket, class_id, n_new, rng)
        n_pairs = len(made.seed_rows)
        pool = bucket.x
        if made.towards_other is not None:  # borderline-2: neighbours of any class
            pool = np.vstack([bucket.x, bucket.other_x])
        all_hashes = np.concatenate([bucket.hashes, bucket.other_hashes])
        towards_other = made.towards_other
        out = {
            _CLASS: np.full(n_pairs, class_id, dtype=np.int32),
            _SEED_X: list(bucket.x[made.seed_rows]),
            _NEIGHBOR_X: list(pool[made.neighbor_rows]),
            _COUNT: made.counts.astype(np.int64),
            # The pair's place in the bucket: with (seed, class, bucket) it
            # seeds the hashes of the pair's synthetic rows.
            _PAIR: np.arange(n_pairs, dtype=np.int32),
            _TOWARDS_OTHER: np.zeros(n_pairs, bool) if towards_other is None else towards_other,
            SEED_HASH: bucket.hashes[made.seed_rows],
            NEIGHBOR_HASH: all_hashes[made.neighbor_rows],
            _BUCKET: np.full(n_pairs, bucket_id, dtype=np.int32),
        }
        if track_sparse:
            out[_SPARSE] = own[_SPARSE].to_numpy(dtype=bool)[made.seed_rows]
        for name, tied, uniques in zip(categorical, made.tied, bucket.categories):
            # The categories the seed's neighbours tie on; Spark picks one per synthetic row.
            out[name] = [uniques[is_max] for is_max in tied[made.seed_rows]]
        for name in copied:  # the seed row's value, its dtype (and nulls) kept
            out[name] = own[name].iloc[made.seed_rows].reset_index(drop=True)
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
