"""weight_sum: a sum of weights equal to the last bit whatever the order of
the rows, and the weighted outputs built on it (exact under- and
over-sampling, SMOTE, the evaluator) likewise."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from spark_resample import (
    SMOTE,
    ImbalancedClassificationEvaluator,
    RandomOverSampler,
    RandomUnderSampler,
)
from spark_resample._weight_sum import weight_sum

from .helpers import with_partitions


def _sums(df):
    rows = df.groupBy("g").agg(weight_sum(F.col("w")).alias("s")).collect()
    return {row["g"]: row["s"] for row in rows}


def _shuffled(df):
    return df.repartition(7, "w").sortWithinPartitions(F.rand(3))


def test_sums_are_the_same_in_any_order_and_close_to_the_exact_sum(spark):
    rnd = random.Random(5)
    groups = {
        "narrow": lambda: rnd.uniform(0.01, 3.0),
        # Every binary order of the range summed exactly, [2^-32, 2^40), and zeros.
        "wide": lambda: (
            0.0 if rnd.random() < 0.05 else math.ldexp(rnd.uniform(1, 2), rnd.randint(-32, 39))
        ),
        "one": lambda: 1.0,
    }
    rows = [(g, draw()) for g, draw in groups.items() for _ in range(4000)]
    df = spark.createDataFrame(rows, "g string, w double")
    reference = _sums(with_partitions(df, 1))
    for other in (with_partitions(df, 4), with_partitions(df, 17), _shuffled(df)):
        assert _sums(other) == reference  # to the last bit
    for g in groups:
        exact = sum(Fraction(w) for group, w in rows if group == g)
        assert abs(Fraction(reference[g]) - exact) <= 4 * math.ulp(float(exact))
    assert reference["one"] == 4000.0


def test_floating_point_sums_do_follow_the_order(spark):
    """What weight_sum is for: sum() itself gives other last bits after a repartition."""
    rnd = random.Random(5)
    df = spark.createDataFrame(
        [(0, rnd.uniform(0.01, 3.0)) for _ in range(4000)], "g int, w double"
    )

    def plain(d):
        return d.agg(F.sum("w")).first()[0]

    sums = {plain(with_partitions(df, n)) for n in (1, 4, 17)} | {plain(_shuffled(df))}
    assert len(sums) > 1


def test_nulls_are_skipped_and_weights_outside_the_range_summed_as_floats(spark):
    df = spark.createDataFrame(
        [
            ("some", 2.5),
            ("some", None),
            ("none", None),
            ("tiny", 1e-12),
            ("tiny", 1.0),
            ("huge", 1e13),
            ("huge", 0.5),
            ("negative", -2.0),
            ("negative", 0.25),
        ],
        "g string, w double",
    )
    assert _sums(df) == {
        "some": 2.5,
        "none": None,
        "tiny": 1.0 + 1e-12,
        "huge": 1e13 + 0.5,
        "negative": -1.75,
    }


@pytest.fixture(scope="module")
def weighted(spark):
    rnd = random.Random(11)
    rows = [(i, int(i < 300), rnd.random(), rnd.uniform(0.01, 3.0)) for i in range(3000)]
    return spark.createDataFrame(rows, "id long, label int, x double, w double")


@pytest.mark.parametrize(
    "sampler",
    [
        RandomUnderSampler(exact=True, weightCol="w", seed=1),
        RandomOverSampler(exact=True, weightCol="w", seed=1),
        SMOTE(inputCols=["x"], weightCol="w", seed=1),
    ],
    ids=["exact under", "exact over", "SMOTE"],
)
def test_rescaled_weights_do_not_follow_the_partitioning(weighted, sampler):
    reference = sampler.copy().resample(with_partitions(weighted, 1))
    for other in (with_partitions(weighted, 4), with_partitions(weighted, 17), _shuffled(weighted)):
        assert_df_equality(
            sampler.copy().resample(other), reference, ignore_row_order=True, ignore_nullable=True
        )


def test_weighted_metrics_do_not_follow_the_partitioning(weighted):
    scored = weighted.withColumn("prediction", (F.col("x") < 0.2).cast("double"))
    for metric in ("balancedAccuracy", "geometricMean", "macroF1", "macroPrecision"):
        evaluator = ImbalancedClassificationEvaluator(metricName=metric, weightCol="w")
        values = {evaluator.evaluate(with_partitions(scored, n)) for n in (1, 4, 17)}
        assert len(values | {evaluator.evaluate(_shuffled(scored))}) == 1, metric
