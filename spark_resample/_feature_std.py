"""Per class, the population standard deviation of each feature
(``feature_std``): RandomOverSampler's shrinkage scales and SMOTENC's median
standard deviation. Computed so that the result does not depend on the order
of the rows (see ``feature_std``)."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Tuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from ._columns import json_table, label_lookup

# feature_std's scale factors 2^(51 - top) for the tops of every group of 8
# binary orders of magnitude a double can be in, as two factors (powers of two
# multiply exactly; as two, neither overflows), for lookup tables. A lookup:
# pow() per value took the job from 0.8 to 2.4 s (10M values).
_LOWEST_TOP = -1072
_SCALE_FACTORS = [
    [math.ldexp(1.0, half(51 - top)) for top in range(_LOWEST_TOP, 1025, 8)]
    for half in (lambda s: s // 2, lambda s: s - s // 2)
]


def feature_std(
    df: DataFrame,
    label: Column,
    classes: List[Any],
    collation: Optional[str],
    values: Column,
    dims: int,
) -> Dict[Any, List[float]]:
    """Per class of ``classes`` (the labels as counted), the population
    standard deviation of each of the ``dims`` entries of the array ``values``
    (0 where there is none); rows of other classes are left out.

    Rows are grouped by the class's place in ``classes``, looked up under the
    label's ``collation``: grouped by the label itself, a collated class comes
    back in whichever spelling the job met first, which need not be the one
    counted. One row per (class, feature), not an aggregate per feature: with
    an aggregate per feature the job took 0.87 s at 20 features, 45-73 s at
    2,000 and outgrew the planner at text sizes; exploded, 0.30 s and 2.1 s
    (measured, 20,000 rows). The result is classes x dims values, what the
    caller keeps anyway; the job's, a row per (class, feature) and group of
    8 binary orders of magnitude its values span (a few)."""
    place = label_lookup(label, {c: i for i, c in enumerate(classes)}, collation)
    # A floating-point sum follows the order its terms arrive in, which the
    # partitioning sets: the last bits of stddev_pop (and the noise scales and
    # distances built on it) would too. So each value is rounded to 42 or more
    # significant bits as a whole number q times a power of two shared by its
    # group of 8 binary orders of magnitude, q is cut into four 13-bit limbs,
    # and the job sums per (class, feature, group) the limbs and their
    # pairwise products: whole numbers, exact in any order (below 2^63 up to
    # 2^37 rows). The driver combines the groups in exact integer arithmetic.
    # |x| < 2^(top + 1) (one order of slack: log2 may round up to the next
    # power of two), so q <= 2^52, rounded half up (v + 0.5 is exact there).
    top = "8 * floor(floor(log2(abs(col))) / 8) + 8"
    scale = F.expr(f"CAST((top - {_LOWEST_TOP}) div 8 + 1 AS INT)")
    factors = [F.element_at(json_table(f, "array<double>"), scale) for f in _SCALE_FACTORS]
    limbs = (
        df.select(place.alias("class"), values.alias("values"))
        .where(F.col("class").isNotNull())
        .select("class", F.posexplode("values"))
        .where("col IS NOT NULL")
        .selectExpr("class", "pos", "col", f"IF(col = 0, NULL, {top}) AS top")
        .select(
            "class",
            "pos",
            "top",
            F.expr("IF(col < 0, -1L, 1L)").alias("sign"),
            F.coalesce(
                (F.abs("col") * factors[0] * factors[1] + F.lit(0.5)).cast("bigint"), F.lit(0)
            ).alias("q"),
        )
        .selectExpr(
            "class",
            "pos",
            "top",
            "sign",
            # shiftright, not >>, which Spark 3.5's SQL does not have.
            *[f"shiftright(q, {13 * i}) & 8191 AS a{i}" for i in range(3)],
            "shiftright(q, 39) AS a3",  # at most 2^13: q may reach 2^52
        )
    )
    pairs = [(i, j) for i in range(4) for j in range(i, 4)]
    rows = (
        limbs.groupBy("class", "pos", "top")
        .agg(
            F.count(F.lit(1)).alias("n"),
            *[F.expr(f"sum(sign * a{i})").alias(f"s{i}") for i in range(4)],
            *[F.expr(f"sum(a{i} * a{j})").alias(f"p{i}{j}") for i, j in pairs],
        )
        .collect()
    )
    groups: Dict[Tuple[int, int], List[Any]] = {}
    for row in rows:
        groups.setdefault((row["class"], row["pos"]), []).append(row)
    std: Dict[Any, List[float]] = {}
    for (place_of, pos), parts in groups.items():
        std.setdefault(classes[place_of], [0.0] * dims)[pos] = _exact_std(parts, pairs)
    return std


def _exact_std(parts: List[Any], pairs: List[Tuple[int, int]]) -> float:
    """The population standard deviation from one (class, feature)'s group
    sums (``feature_std``): of the values as rounded there, x = q 2^(top -
    51), computed exactly in integers and rounded once."""
    n = sum(int(p["n"]) for p in parts)
    tops = [int(p["top"]) for p in parts if p["top"] is not None]
    if not tops or n == 0:
        return 0.0
    low = min(tops)
    total = squares = 0
    for p in parts:
        if p["top"] is None:
            continue  # zeros: counted, nothing to add
        up = int(p["top"]) - low
        q_sum = sum(int(p[f"s{i}"]) << (13 * i) for i in range(4))
        q_squares = sum(
            (1 if i == j else 2) * int(p[f"p{i}{j}"]) << (13 * (i + j)) for i, j in pairs
        )
        total += q_sum << up
        squares += q_squares << (2 * up)
    # n^2 var = n sum(x^2) - (sum x)^2, in units of 2^(2 (low - 51)).
    numerator, denominator = n * squares - total * total, n * n
    if numerator <= 0:
        return 0.0
    # sqrt(numerator / denominator) to about 60 bits, by an integer square
    # root of the ratio scaled by 2^(2 extra) to about 2^122.
    extra = (122 - numerator.bit_length() + denominator.bit_length()) // 2 + 1
    if extra >= 0:
        ratio = (numerator << (2 * extra)) // denominator
    else:
        ratio = numerator // (denominator << (-2 * extra))
    try:
        return math.ldexp(float(math.isqrt(ratio)), low - 51 - extra)
    except OverflowError:  # beyond the largest double, as stddev_pop gives
        return math.inf
