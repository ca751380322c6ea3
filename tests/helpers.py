"""Shared test data builders, statistical bounds and recording pipeline stages."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Sequence, Tuple

import pytest
from pyspark.ml import Estimator, Model
from pyspark.ml.param import Param, Params
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as sql_types
from scipy import stats

# Spark's own sampler tests accept a count where the CDF is in (0.001, 0.999).
TAIL = 0.001


def binomial_bounds(n: int, p: float) -> Tuple[int, int]:
    return int(stats.binom.ppf(TAIL, n, p)), int(stats.binom.ppf(1 - TAIL, n, p))


def poisson_bounds(mean: float) -> Tuple[int, int]:
    return int(stats.poisson.ppf(TAIL, mean)), int(stats.poisson.ppf(1 - TAIL, mean))


def labelled(
    spark: SparkSession, counts: Dict[Any, int], features: int = 2, label_type: str = "int"
) -> DataFrame:
    """Rows ``id, label, x0..`` with ``counts[label]`` rows per label; ids unique,
    features distinct per row (so every row is different)."""
    rows = []
    next_id = 0
    for label, count in counts.items():
        for _ in range(count):
            rows.append(
                (
                    next_id,
                    label,
                    *[float(next_id * (j + 1) % 997) + j / 10 for j in range(features)],
                )
            )
            next_id += 1
    columns = ["id", "label"] + [f"x{j}" for j in range(features)]
    schema = ", ".join([f"id long, label {label_type}"] + [f"x{j} double" for j in range(features)])
    return spark.createDataFrame(rows, schema=schema).select(columns)


def class_counts(df: DataFrame, label: str = "label") -> Dict[Any, int]:
    return {row[0]: row[1] for row in df.groupBy(label).count().collect()}


def id_multiplicity(df: DataFrame, id_col: str = "id") -> Counter:
    return Counter({row[0]: row[1] for row in df.groupBy(id_col).count().collect()})


class _RecorderParams(Params):
    tag = Param(Params._dummy(), "tag", "name under which calls are logged")

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(tag="recorder")


FIT_LOG: List[Dict[Any, int]] = []
TRANSFORM_LOG: List[Dict[Any, int]] = []


class LabelRecorderModel(Model, _RecorderParams, DefaultParamsReadable, DefaultParamsWritable):
    """Logs the class counts of every DataFrame it transforms."""

    def _transform(self, dataset: DataFrame) -> DataFrame:
        if "label" in dataset.columns:
            TRANSFORM_LOG.append(class_counts(dataset))
        return dataset


class LabelRecorder(Estimator, _RecorderParams, DefaultParamsReadable, DefaultParamsWritable):
    """A pipeline stage that logs the class counts of the data it is fitted on,
    to show what the stage after a sampler trains on."""

    def _fit(self, dataset: DataFrame) -> LabelRecorderModel:
        FIT_LOG.append(class_counts(dataset))
        model = LabelRecorderModel()
        self._copyValues(model)
        return model


def sorted_rows(df: DataFrame, columns: Sequence[str]) -> List[tuple]:
    return sorted(tuple(r) for r in df.select(*columns).collect())


def with_partitions(df: DataFrame, n: int) -> DataFrame:
    return df.repartition(n) if n > 1 else df.coalesce(1)


__all__ = ["F"]


# VARIANT (parse_json) is Spark 4's; the tests that use it are for 4.x only.
needs_variant = pytest.mark.skipif(
    not hasattr(sql_types, "VariantType"), reason="VARIANT columns arrived in Spark 4.0"
)


def variant_rows(spark, n: int, *extra):
    """``label, v, s``: rows that differ only in a VARIANT column (Spark 4's
    semi-structured type, which xxhash64 refuses), one of them null, and a
    struct holding a variant; then ``extra`` columns (of ``id``)."""
    return spark.range(n).select(
        (F.col("id") % 10 == 0).alias("label"),
        F.when(F.col("id") == 0, F.lit(None))
        .otherwise(F.expr("""parse_json(concat('{"k": ', id, ', "tail": [1, {"a": true}]}'))"""))
        .alias("v"),
        F.expr("named_struct('inner', parse_json(cast(id % 3 AS STRING)))").alias("s"),
        *extra,
    )


# ML attributes as VectorAssembler writes them from a numeric column, a
# VectorIndexer/StringIndexer category index and a one-hot dimension.
MIXED_ATTRIBUTES = {
    "ml_attr": {
        "num_attrs": 3,
        "attrs": {
            "numeric": [{"idx": 0, "name": "x"}],
            "nominal": [{"idx": 1, "name": "c", "vals": ["0", "1", "2"]}],
            "binary": [{"idx": 2, "name": "b"}],
        },
    }
}


def with_attributes(df, metadata, column="features"):
    """``df`` with ``metadata`` on its vector column ``column``."""
    return df.withMetadata(column, metadata)


# Labels and predictions for the metrics' tests: (label classes, predicted
# classes, a class whose rows weigh 0).
PREDICTION_CASES = [
    ([0, 1], [0, 1], None),
    ([0, 1, 2], [0, 1, 2], None),
    ([0, 1, 2], [0, 1, 2, 3], None),
    ([0, 1, 2], [0, 1], None),
    ([0, 1, 2], [0, 1, 2], 1),
]
PREDICTION_CASE_IDS = [
    "binary",
    "three-classes",
    "a-class-only-predicted",
    "a-class-never-predicted",
    "a-class-of-weight-0",
]


def predictions(spark, classes, predicted, weightless=None, n=600):
    """(labels, predictions, weights) as numpy arrays and as a DataFrame
    (label, prediction, w): labels with ``classes`` rare to common;
    predictions right about 70 % of the time, else any of ``predicted``
    (which may hold a class no label has); weights 0.5, 1 or 3, 0 for the
    rows of class ``weightless``."""
    import numpy as np

    rng = np.random.default_rng(len(predicted) * 10 + len(classes))
    share = np.linspace(1, 4, len(classes))
    true = rng.choice(classes, size=n, p=share / share.sum())
    guess = np.where(rng.random(n) < 0.7, true, rng.choice(predicted, size=n))
    guess = np.where(np.isin(guess, predicted), guess, predicted[0])
    weight = rng.choice([0.5, 1.0, 3.0], size=n)
    if weightless is not None:
        weight[true == weightless] = 0.0
    true, guess = true.astype(float), guess.astype(float)
    df = spark.createDataFrame(
        [(float(t), float(p), float(w)) for t, p, w in zip(true, guess, weight)],
        "label double, prediction double, w double",
    )
    return true, guess, weight, df
