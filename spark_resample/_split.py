"""Stratified folds and splits of exact size per class.

Spark's ``CrossValidator`` splits rows at random (each row falls in a fold by
a per-partition draw), so with rare positives a validation fold can hold far
more or fewer of them than another, and ``randomSplit`` does the same to a
test set. scikit-learn users get stratified folds by default. Here every
class's rows are cut into parts whose sizes are fixed before any row is
drawn: ``round(rows of the class x cumulative weight)`` rows up to each cut,
so equal parts (folds) differ by at most one row per class. The rows in each
part are a uniform random choice: each row's draw u comes from (seed, row
key) (``_random``), and the cuts are the class's order statistics of u,
found without sorting the class (``_exact.find_many_cuts``: one job for every
cut of every class). So the parts do not depend on the partitioning, and a part's
DataFrame, evaluated again, holds the same rows (``randomSplit`` needs its
input cached or sorted for that).
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any, Dict, List, Optional, Sequence, Tuple

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ._base import (
    class_stats,
    require_columns,
    require_dataframe,
    require_distinct_names,
    require_no_reserved_names,
)
from ._columns import col, label_lookup
from ._exact import ClassCut, find_many_cuts
from ._params import DEFAULT_SEED
from ._random import content_hash, row_hash, uniform

_U = "__spark_resample_u"
_CUTS = "__spark_resample_cuts"
_KEY = "__spark_resample_class"
_ORDER = "__spark_resample_order"
_BELOW = "__spark_resample_below"
_PART = "__spark_resample_part"


def stratified_folds(
    df: DataFrame,
    numFolds: int = 3,
    *,
    labelCol: str = "label",
    foldCol: str = "fold",
    seed: int = DEFAULT_SEED,
    idCol: Optional[str] = None,
) -> DataFrame:
    """``df`` with an integer column ``foldCol`` in [0, numFolds): each class's
    rows are split into ``numFolds`` folds whose sizes differ by at most one
    row, as scikit-learn's ``StratifiedKFold``, for
    ``CrossValidator(..., numFolds=numFolds, foldCol=foldCol)``.

    The folds are a uniform random partition of each class, drawn from
    (``seed``, row key): the row's columns, or ``idCol`` if given (rows
    sharing an id are then ordered by their content). The same seed gives
    the same folds whatever the partitioning. One aggregation job runs (with
    the class count before it); the rows are not sorted or shuffled.

    Examples
    --------
    >>> folded = stratified_folds(train, numFolds=5, seed=7)  # doctest: +SKIP
    >>> cv = CrossValidator(estimator=pipeline, estimatorParamMaps=grid,
    ...                     evaluator=evaluator, numFolds=5, foldCol="fold")  # doctest: +SKIP
    >>> model = cv.fit(folded)  # doctest: +SKIP
    """
    if isinstance(numFolds, bool) or not isinstance(numFolds, int) or numFolds < 2:
        raise ValueError(f"numFolds must be an integer >= 2, got {numFolds!r}")
    require_dataframe(df, "stratified_folds")
    if foldCol in df.columns:
        raise ValueError(
            f"foldCol {foldCol!r} is already a column of the DataFrame; name another "
            "foldCol, or drop that column first."
        )
    return _with_parts(df, [1.0] * numFolds, labelCol, seed, idCol, foldCol)


def stratified_split(
    df: DataFrame,
    weights: Sequence[float],
    *,
    labelCol: str = "label",
    seed: int = DEFAULT_SEED,
    idCol: Optional[str] = None,
) -> List[DataFrame]:
    """``df`` split as ``df.randomSplit(weights, seed)``, but per class exactly:
    of a class's n rows, part i holds round(n x (w_0 + .. + w_i) / sum(w)) -
    round(n x (w_0 + .. + w_(i-1)) / sum(w)) rows. Every row is in exactly one
    part, and each part's DataFrame gives the same rows each time it is
    evaluated, whatever the partitioning (see ``stratified_folds``).

    Examples
    --------
    >>> train, test = stratified_split(df, [0.8, 0.2], seed=7)  # doctest: +SKIP
    """
    require_dataframe(df, "stratified_split")
    parts = _check_weights(weights)
    marked = _with_parts(df, parts, labelCol, seed, idCol, _PART)
    return [marked.where(F.col(_PART) == i).drop(_PART) for i in range(len(parts))]


def _check_weights(weights: Any) -> List[float]:
    """The weights as floats (a list, tuple or NumPy array of numbers)."""
    original, problem = weights, None
    try:
        weights = list(weights) if not isinstance(weights, (str, bytes)) else None
    except TypeError:
        weights = None
    if weights is None:
        problem = "a list of numbers"
    elif len(weights) < 2:
        problem = "at least two numbers (one per part)"
    elif not all(isinstance(w, Real) and not isinstance(w, bool) for w in weights):
        problem = "numbers only"
    elif not all(math.isfinite(w) and w >= 0 for w in weights):
        problem = "finite numbers >= 0"
    elif sum(weights) <= 0:
        problem = "numbers with a positive sum"
    if problem:
        raise ValueError(f"weights must be {problem}, got {original!r}")
    return [float(w) for w in weights]


def _counts_before_cuts(n: int, weights: List[float]) -> List[int]:
    """Rows of a class of ``n`` before each cut between parts: the rounded
    cumulative shares (half up), so equal weights give parts of equal size
    give or take one."""
    total, before, out = sum(weights), 0.0, []
    for w in weights[:-1]:
        before += w
        out.append(int(math.floor(n * before / total + 0.5)))
    return out


def _with_parts(
    df: DataFrame,
    weights: List[float],
    label_col: str,
    seed: int,
    id_col: Optional[str],
    part_col: str,
) -> DataFrame:
    require_columns(df, labelCol=label_col, idCol=id_col)
    require_no_reserved_names(df)
    require_distinct_names(df, "each row's part is drawn from its columns")
    stats = class_stats(df, label_col)
    collation = stats.label_collation
    classes = list(stats.counts)
    n_cuts = len(weights) - 1
    before = {c: _counts_before_cuts(stats.counts[c], weights) for c in classes}

    # The cuts between parts of every class, all found in one aggregation
    # job (``find_many_cuts``): one job per cut read the input k - 1 times
    # for k folds. One job over (class x cut, u) pairs made by explode was
    # tried too: the first calls in a new session took 24.6, 31.7 and 9.1 s
    # at 2M rows and five folds (the JIT compiles the row hash fused with the
    # explode slowly).
    u = uniform(row_hash(df, seed, id_col))
    wanted = {
        c: (stats.counts[c], [k for k in before[c] if 0 < k < stats.counts[c]]) for c in classes
    }
    found = find_many_cuts(
        df, label_col, u, {c: nks for c, nks in wanted.items() if nks[1]}, collation=collation
    )
    cuts: Dict[Tuple[Any, int], ClassCut] = {
        (c, j): found[(c, k)] for c in classes for j, k in enumerate(before[c]) if (c, k) in found
    }

    # A row's part is the number of cuts it falls after. Per class, each
    # cut's threshold: a row falls before it when u <= threshold (no row
    # before a cut that takes none: -1; every row before one that takes all: 2).
    thresholds: Dict[Any, List[float]] = {}
    # Rows that share a draw and straddle a cut (identical rows, or rows
    # sharing an id): (class position, u) -> rows of the class below that u.
    straddling: Dict[Tuple[int, float], int] = {}
    for i, c in enumerate(classes):
        row = []
        for j, k in enumerate(before[c]):
            cut = cuts.get((c, j))
            if cut is None:
                row.append(-1.0 if k <= 0 else 2.0)
                continue
            row.append(cut.threshold)
            if not cut.ties_complete:
                straddling[(i, cut.threshold)] = k - cut.ties_taken
        thresholds[c] = row

    label = col(label_col)

    def cuts_passed(value: str) -> str:  # how many of the row's cuts ``value`` is above
        return " + ".join(f"IF({value} > {_CUTS}[{j}], 1, 0)" for j in range(n_cuts))

    after = cuts_passed(_U)
    drawn = df.withColumn(_U, u).withColumn(_CUTS, label_lookup(label, thresholds, collation))
    if not straddling:
        return drawn.withColumn(part_col, F.expr(after)).drop(_U, _CUTS)

    # The straddling rows (a few) get their rank in their group, ordered by
    # content (identical rows: any order gives the same rows), and fall
    # after the cuts that take fewer rows than (rows below + rank).
    position = label_lookup(label, {c: i for i, c in enumerate(classes)}, collation)
    below = F.expr(
        "CASE "
        + " ".join(
            f"WHEN {_KEY} = {i} AND {_U} = {v!r}D THEN {b}L" for (i, v), b in straddling.items()
        )
        + " END"
    )
    drawn = drawn.withColumn(_KEY, position).withColumn(_BELOW, below)
    columns = df.columns
    plain = drawn.where(F.col(_BELOW).isNull()).select(
        *[col(c) for c in columns], F.expr(after).alias(part_col)
    )
    counts = F.expr(f"{_BELOW} + row_number() OVER (PARTITION BY {_KEY}, {_U} ORDER BY {_ORDER})")
    sizes = label_lookup(label, {c: [float(k) for k in before[c]] for c in classes}, collation)
    tied = (
        drawn.where(F.col(_BELOW).isNotNull())
        .withColumn(_ORDER, content_hash(columns))
        .withColumn(_BELOW, counts)
        .withColumn(_CUTS, sizes)
    )
    tied = tied.select(*[col(c) for c in columns], F.expr(cuts_passed(_BELOW)).alias(part_col))
    return plain.union(tied)  # by position: the columns of df, then the part
