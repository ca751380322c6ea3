"""Generated imbalanced data for demos, tests and benchmarks.

Rows depend only on (seed, id), never on partitioning, so every run and every
partition count sees the same table.
"""

from __future__ import annotations

from typing import Optional, Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ._random import standard_normal, uniform


def make_imbalanced(
    spark: SparkSession,
    n_rows: int = 100_000,
    n_features: int = 20,
    class_fractions: Sequence[float] = (0.99, 0.01),
    seed: int = 0,
    num_partitions: Optional[int] = None,
    separation: float = 1.0,
) -> DataFrame:
    """A table ``id, label, f0 .. f{d-1}`` with ``label`` in 0..k-1 drawn with
    ``class_fractions`` and Gaussian features whose mean shifts with the class
    on every third feature (so a classifier has something to learn)."""
    total = float(sum(class_fractions))
    base = spark.range(0, n_rows, numPartitions=num_partitions)
    row = F.xxhash64(F.lit(seed), F.col("id"))
    draw = uniform(row, "label")
    cumulative = 0.0
    # Walk the classes in order; the first cumulative bound above the draw wins.
    bounds = []
    for fraction in class_fractions[:-1]:
        cumulative += fraction / total
        bounds.append(cumulative)
    expr = None
    for k, bound in enumerate(bounds):
        expr = F.when(draw < bound, F.lit(k)) if expr is None else expr.when(draw < bound, F.lit(k))
    label = expr.otherwise(F.lit(len(class_fractions) - 1)) if expr is not None else F.lit(0)
    with_label = base.select("id", label.alias("label"), row.alias("_row"))
    features = [
        (
            standard_normal(F.col("_row"), i)
            + (F.col("label") * F.lit(separation) if i % 3 == 0 else F.lit(0.0))
        ).alias(f"f{i}")
        for i in range(n_features)
    ]
    return with_label.select("id", "label", *features)
