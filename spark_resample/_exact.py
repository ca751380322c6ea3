"""Select exactly k rows per class with the DataFrame API only.

Every row carries a uniform draw u (from its key, see ``_random``). Taking the
k rows of a class with the smallest u is a simple random sample of size k. To
find the k-th smallest u without sorting the class, we use the idea of ScaSRS
(Meng, 2013), behind Spark's RDD ``sampleByKeyExact``: with n rows and
p = k / n, rows with u < p_low are almost surely among the k smallest and rows
with u >= p_high almost surely are not, where the bounds come from a Bernstein
tail bound with failure probability ``delta``. One aggregation counts the rows
below p_low and gathers the u of the few rows in [p_low, p_high) (the
"waitlist", O(sqrt(k)) values); the k-th smallest u is then found among those
on the executors. Only a few numbers per class reach the driver. If a bound
fails (probability below ``delta`` per class), that class is redone with a
wider window.

Several cuts per class (stratified folds: k - 1 of them) are found in the
same job (``find_many_cuts``): each row falls in at most one of its class's
windows (overlapping windows, as a small class's are, are merged into one),
and a window's rows below it are the rows counted below it plus those of the
class's earlier windows.

Rows with equal u are identical rows, rows sharing an ``idCol`` value (or a
53-bit hash collision): when the threshold falls among several of them,
``ties_taken`` of them are taken with ``limit``, in the order of a hash of
their content (``partial_ties``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce
from typing import Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from ._columns import col, json_table, label_lookup, sql_doubles
from ._random import content_hash
from ._weight_sum import weight_sum

_TIE_ORDER = "__spark_resample_tie_order"
_PER_WINDOW = "array<array<double>>"  # per class, a number per window
_DELTA = 5e-5  # Spark's own choice in StratifiedSamplingUtils


@dataclass(frozen=True)
class ClassCut:
    """Keep rows with u < threshold, plus ``ties_taken`` rows with u == threshold."""

    threshold: float
    ties_taken: int
    ties_total: int
    kept_weight: float

    @property
    def ties_complete(self) -> bool:
        return self.ties_taken == self.ties_total


def _bounds(n: int, k: int, delta: float) -> Tuple[float, float]:
    p = k / n
    gamma = -math.log(delta) / n
    low = max(0.0, p + gamma - math.sqrt(gamma * gamma + 3.0 * gamma * p))
    high = min(1.0, p + gamma + math.sqrt(gamma * gamma + 2.0 * gamma * p))
    return low, high


def find_cuts(
    df: DataFrame,
    label_col: str,
    u: Column,
    wanted: Mapping[Any, Tuple[int, int]],
    weight_col: Optional[str] = None,
    collation: Optional[str] = None,
    open_top: bool = False,
) -> Dict[Any, ClassCut]:
    """For each class ``label -> (rows in class, rows to keep)`` find the cut
    that keeps exactly that many rows with the smallest u.

    ``open_top``: the row count is only an estimate, known to be a little
    above the rows to keep; every window then reaches up to 1 (the few rows
    above the k-th are gathered too), so that a class with fewer rows than
    asked is recognised in the first job and raises :class:`TooFewRows`.

    ``weight_col`` (optional) is summed over the kept rows, so callers can
    rescale weights to preserve the class's weight sum exactly. ``collation``:
    a string label's, if not binary (see ``label_lookup``).
    """
    many = {label: (n, [k]) for label, (n, k) in wanted.items()}
    found = find_many_cuts(df, label_col, u, many, weight_col, collation, open_top)
    return {label: found[(label, k)] for label, (_, k) in wanted.items()}


def find_many_cuts(
    df: DataFrame,
    label_col: str,
    u: Column,
    wanted: Mapping[Any, Tuple[int, Sequence[int]]],
    weight_col: Optional[str] = None,
    collation: Optional[str] = None,
    open_top: bool = False,
) -> Dict[Tuple[Any, int], ClassCut]:
    """:func:`find_cuts` for several cuts per class, ``label -> (rows in
    class, [rows to keep, ...])``, all in one job (a retry of missed windows
    aside): ``(label, rows to keep) -> cut``. Stratified folds cut each class
    k - 1 times; one job per cut read the input k - 1 times."""
    cuts: Dict[Tuple[Any, int], ClassCut] = {}
    pending: Dict[Any, Tuple[int, List[int]]] = {}
    for label, (n, ks) in wanted.items():
        for k in sorted(set(ks)):
            if k >= n:
                raise ValueError(f"cannot cut {k} of {n} rows of class {label!r}: keep it whole")
            if k <= 0:
                cuts[(label, k)] = ClassCut(
                    threshold=0.0, ties_taken=0, ties_total=0, kept_weight=0.0
                )
            else:
                pending.setdefault(label, (n, []))[1].append(k)
    delta = _DELTA
    while pending:
        windows = {
            label: [(k, *_bounds(n, k, delta)) for k in ks] for label, (n, ks) in pending.items()
        }
        if open_top:
            windows = {label: [(k, low, 1.0) for k, low, _ in w] for label, w in windows.items()}
        found, short = _find_cuts_once(df, label_col, u, _merged(windows), weight_col, collation)
        if short:
            raise TooFewRows(short)
        cuts.update(found)
        left = {
            label: (n, [k for k in ks if (label, k) not in found])
            for label, (n, ks) in pending.items()
        }
        pending = {label: (n, ks) for label, (n, ks) in left.items() if ks}
        delta *= delta  # a bound failed: retry those cuts with a much wider window
    return cuts


class TooFewRows(RuntimeError):
    """A class has fewer rows than its cut keeps (``classes``: those labels)."""

    def __init__(self, classes: Set[Any]) -> None:
        super().__init__(f"fewer rows than the cut keeps in class(es) {sorted(map(repr, classes))}")
        self.classes = classes


@dataclass
class _Window:
    """Rows with u in [low, high) are gathered; ``ks``: the cuts found among them."""

    low: float
    high: float
    ks: List[int]


def _merged(windows: Mapping[Any, List[Tuple[int, float, float]]]) -> Dict[Any, List[_Window]]:
    """Each class's windows ``(k, low, high)``, overlapping ones merged, in
    increasing order: each row falls in at most one window of its class.
    (The cuts of a small class lie closer together than their windows are wide.)"""
    merged: Dict[Any, List[_Window]] = {}
    for label, ws in windows.items():
        out: List[_Window] = []
        for k, low, high in sorted(ws, key=lambda w: (w[1], w[2])):
            if out and low < out[-1].high:
                out[-1].high = max(out[-1].high, high)
                out[-1].ks.append(k)
            else:
                out.append(_Window(low, high, [k]))
        merged[label] = out
    return merged


def _find_cuts_once(
    df, label_col, u, windows, weight_col, collation
) -> Tuple[Dict[Tuple[Any, int], ClassCut], Set[Any]]:
    """The cuts found in one job, and the classes known to have fewer rows
    than a cut keeps (those whose window reached 1 and held too few)."""
    # Written as SQL over the class's position c in ``classes`` (1-based, null
    # for other classes): each Column built in Python costs calls to the JVM
    # (or a Connect message) and each DataFrame step an analysis of the plan,
    # which measured about as long as the aggregation job itself on small inputs.
    classes = list(windows)
    slots = max(len(ws) for ws in windows.values())  # windows of the class with the most
    position = label_lookup(col(label_col), {c: i + 1 for i, c in enumerate(classes)}, collation)
    top = f"element_at({sql_doubles(windows[c][-1].high for c in classes)}, c)"
    weight = col(weight_col).cast("double") if weight_col else F.lit(1.0)
    # u gets its own projection, so the filter below it (pushed under it by
    # the optimizer) and the aggregation read one hash: rows of other classes
    # and rows at or above the last window, which tell nothing, skip the rest;
    # the aggregation (collect_list runs interpreted, row by row) sees only
    # the rows in windows, a few per cut, besides counting those below them.
    drawn = df.select(position.alias("c"), u.alias("u"), weight.alias("w")).where(
        f"c IS NOT NULL AND u < {top}"
    )
    if slots == 1:
        low = f"element_at({sql_doubles(windows[c][0].low for c in classes)}, c)"
        drawn = drawn.selectExpr("c", "0 AS g", "u", "w", f"{low} AS low")
    else:
        # The row's window g: the number of its class's windows that end at
        # or below u (the classes with fewer windows padded with ends above 1).
        pad = [2.0] * slots
        ends = json_table(
            [([w.high for w in windows[c]] + pad)[:slots] for c in classes], _PER_WINDOW
        )
        lows = json_table(
            [([w.low for w in windows[c]] + pad)[:slots] for c in classes], _PER_WINDOW
        )
        window = " + ".join(f"IF(u >= ends[{i}], 1, 0)" for i in range(slots - 1))
        drawn = (
            drawn.select(
                "c",
                "u",
                "w",
                F.element_at(ends, F.col("c")).alias("ends"),
                F.element_at(lows, F.col("c")).alias("lows"),
            )
            .selectExpr("c", f"{window} AS g", "u", "w", "lows")
            .selectExpr("c", "g", "u", "w", "lows[g] AS low")
        )
    stats = drawn.groupBy("c", "g").agg(
        F.expr("count_if(u < low) AS below"),
        F.coalesce(weight_sum(F.when(F.col("u") < F.col("low"), F.col("w"))), F.lit(0.0)).alias(
            "w_below"
        ),
        F.expr("sort_array(collect_list(IF(u >= low, struct(u, w), NULL))) AS waitlist"),
    )
    if slots > 1:
        # Rows below a window: those counted below it, plus every row of
        # its class's earlier windows and between them (a few rows per class).
        earlier = (
            "OVER (PARTITION BY c ORDER BY g ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
        )
        stats = stats.selectExpr(
            "c",
            "g",
            "waitlist",
            "below",
            "w_below",
            "below + size(waitlist) AS rows_in",
            "w_below + aggregate(waitlist, 0D, (s, x) -> s + x.w) AS w_in",
        ).selectExpr(
            "c",
            "g",
            "waitlist",
            f"below + coalesce(sum(rows_in) {earlier}, 0) AS below",
            f"w_below + coalesce(sum(w_in) {earlier}, 0D) AS w_below",
        )
    # Each window's cuts, k rows each: the k-th smallest u is at position
    # need_left = k - (rows below the window) in the sorted waitlist, found on
    # the executors. Only a handful of numbers per cut are collected. need_left
    # 0 (all k below the window) gives no threshold either; the retry's wider
    # window moves its low end down.
    ks = json_table(
        [[w.ks for w in windows[c]] + [None] * (slots - len(windows[c])) for c in classes],
        "array<array<array<bigint>>>",
    )
    result = (
        stats.select(
            "c",
            "below",
            "w_below",
            "waitlist",
            F.explode(F.element_at(F.element_at(ks, F.col("c")), F.col("g") + 1)).alias("k"),
        )
        .selectExpr(
            "c",
            "k",
            "k - below AS need_left",
            "w_below",
            "waitlist",
        )
        .selectExpr(
            "c",
            "k",
            "need_left",
            "w_below",
            "waitlist",
            "IF(need_left BETWEEN 1 AND size(waitlist),"
            " element_at(waitlist, CAST(need_left AS INT)).u, NULL) AS threshold",
        )
        .selectExpr(
            "c",
            "k",
            "threshold",
            "need_left > size(waitlist) AS too_few",
            "CAST(need_left - size(filter(waitlist, x -> x.u < threshold)) AS INT) AS ties_taken",
            "size(filter(waitlist, x -> x.u = threshold)) AS ties_total",
            "w_below + aggregate(filter(waitlist, x -> x.u < threshold), 0D, (s, x) -> s + x.w)"
            " AS w_before",
            "aggregate(filter(waitlist, x -> x.u = threshold), 0D, (s, x) -> s + x.w) AS w_at",
        )
        .collect()
    )
    cuts = {}
    # A class has fewer rows than a cut keeps when that cut's window reaches
    # 1 and holds too few of the rows above those below it, or when its first
    # window reaches 1 and no row at all reached it (a class without rows,
    # say: no result row). A later window without rows has no result row
    # either, but the k-th value may lie below it: retried wider like any
    # miss, until it is merged into the first.
    reach_one = {(c, k) for c in classes for w in windows[c] if w.high >= 1.0 for k in w.ks}
    short = {(c, k) for c in classes if windows[c][0].high >= 1.0 for k in windows[c][0].ks}
    for row in result:
        label, k = classes[row["c"] - 1], int(row["k"])
        if row["too_few"] and (label, k) in reach_one:
            short.add((label, k))
        elif not row["too_few"]:
            short.discard((label, k))
        if row["threshold"] is None:
            continue  # the window missed the k-th value; retried by the caller
        taken, total = int(row["ties_taken"]), int(row["ties_total"])
        kept_weight = float(row["w_before"]) + float(row["w_at"]) * taken / total
        cuts[(label, k)] = ClassCut(float(row["threshold"]), taken, total, kept_weight)
    return cuts, {label for label, _ in short}


def cut_condition(
    label_col: str, u: Column, cuts: Mapping[Any, ClassCut], collation: Optional[str] = None
) -> Column:
    """True for rows the cuts keep, except the ties of classes whose threshold
    splits a group of identical rows (those come from :func:`partial_ties`).

    The class's threshold is looked up per row (``label_lookup``): an OR of a
    term per class overflowed the JVM's stack in Spark's analysis at 1000
    classes. Classes without a threshold keep nothing."""
    label = col(label_col)
    # Classes whose ties are taken whole keep u <= threshold; the others u < threshold.
    below, through = {}, {}
    for value, cut in cuts.items():
        if cut.ties_taken == 0 and cut.ties_total == 0:
            continue  # nothing to keep
        (through if cut.ties_complete else below)[value] = cut.threshold
    condition = F.lit(False)
    if through:
        condition = condition | F.coalesce(
            u <= label_lookup(label, through, collation), F.lit(False)
        )
    if below:
        condition = condition | F.coalesce(u < label_lookup(label, below, collation), F.lit(False))
    return condition


def partial_ties(
    df: DataFrame, label_col: str, u: Column, cuts: Mapping[Any, ClassCut]
) -> Optional[DataFrame]:
    """The rows at a threshold that splits a group of rows with one draw.

    Without ``idCol`` such rows are identical, and any ``ties_taken`` of them
    are the same multiset. Rows that share an ``idCol`` value need not be: they
    are taken in the order of a hash of their content (only these few rows
    are hashed and ordered), or which of them come out would follow the
    partitioning."""
    label = col(label_col)
    split = {v: cut for v, cut in cuts.items() if not cut.ties_complete and cut.ties_taken > 0}
    if not split:
        return None
    names = df.columns
    # Hashed by position: a join may have left two columns of one name, which
    # a struct of them could not be written as JSON under.
    positional = [f"c{i}" for i in range(len(names))]
    # One SQL string, not a Column per column (calls to the JVM, or Connect
    # messages, by the thousand on wide rows).
    content = content_hash(positional)
    parts = [
        df.where((label == F.lit(value)) & (u == F.lit(cut.threshold)))
        .toDF(*positional)
        .withColumn(_TIE_ORDER, content)
        .orderBy(_TIE_ORDER)
        .limit(cut.ties_taken)
        .drop(_TIE_ORDER)
        .toDF(*names)
        for value, cut in split.items()
    ]
    return reduce(DataFrame.union, parts)  # by position: the columns of df, in order
