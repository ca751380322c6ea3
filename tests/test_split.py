"""stratified_folds and stratified_split: exact sizes per class, every row in
exactly one part, parts drawn uniformly and the same whatever the partitioning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType

from spark_resample import RandomUnderSampler, stratified_folds, stratified_split

from . import helpers
from .helpers import LabelRecorder, binomial_bounds, class_counts, labelled

COUNTS = {0: 503, 1: 37, 2: 4}


@pytest.fixture(scope="module")
def data(spark):
    return labelled(spark, COUNTS).cache()


def _sizes(df, part: str):
    """{(label, part): rows}"""
    return {(r[0], r[1]): r[2] for r in df.groupBy("label", part).count().collect()}


def test_folds_cut_each_class_into_sizes_that_differ_by_at_most_one(data):
    folded = stratified_folds(data, numFolds=5, seed=3)
    assert folded.schema["fold"].dataType == IntegerType()
    sizes = _sizes(folded, "fold")
    assert {fold for _, fold in sizes} <= set(range(5))
    for label, n in COUNTS.items():
        per_fold = [sizes.get((label, fold), 0) for fold in range(5)]
        assert sum(per_fold) == n
        assert max(per_fold) - min(per_fold) <= 1, (label, per_fold)
    # Every row exactly once, as it was.
    assert_df_equality(folded.drop("fold"), data, ignore_row_order=True)


def test_folds_are_uniform_random_and_follow_the_seed(data):
    """A class's rows fall in a fold uniformly: about a fifth of the even ids
    of class 0 are in fold 0; another seed gives other folds."""
    folded = stratified_folds(data, numFolds=5, seed=3).where("label = 0")
    even = folded.where("id % 2 = 0")
    n_even = even.count()
    low, high = binomial_bounds(n_even, 101 / 503)
    assert low <= even.where("fold = 0").count() <= high
    other = stratified_folds(data, numFolds=5, seed=4).where("label = 0")
    moved = folded.join(other.withColumnRenamed("fold", "other"), "id").where("fold != other")
    low, high = binomial_bounds(503, 4 / 5)
    assert low <= moved.count() <= high


def test_the_same_folds_whatever_the_partitioning(data):
    expected = stratified_folds(data, numFolds=4, seed=11).select("id", "fold")
    for partitions in (1, 4, 17):
        again = stratified_folds(data.repartition(partitions), numFolds=4, seed=11)
        assert_df_equality(again.select("id", "fold"), expected, ignore_row_order=True)


def test_split_gives_each_part_its_rounded_share_of_every_class(data):
    train, test = stratified_split(data, [0.7, 0.3], seed=2)
    assert class_counts(train) == {0: 352, 1: 26, 2: 3}  # round(0.7 n), half up
    assert class_counts(test) == {0: 151, 1: 11, 2: 1}
    assert_df_equality(train.unionByName(test), data, ignore_row_order=True)
    # Evaluated again, on another partitioning: the same rows.
    train_again, _ = stratified_split(data.repartition(7), [7, 3], seed=2)
    assert_df_equality(train_again, train, ignore_row_order=True)


def test_split_into_three_with_an_empty_part(data):
    parts = stratified_split(data, np.array([0.5, 0.0, 0.5]), seed=5)
    assert parts[1].count() == 0
    assert class_counts(parts[0]) == {0: 252, 1: 19, 2: 2}
    assert class_counts(parts[2]) == {0: 251, 1: 18, 2: 2}


def _with_repeats(spark):
    """Class 0: 30 identical rows and 10 others; class 1: 12 identical rows
    and 3 others. Four folds cut through both groups of identical rows."""
    rows = [(0, 1.0)] * 30 + [(0, float(i)) for i in range(10, 20)]
    rows += [(1, 5.0)] * 12 + [(1, float(i)) for i in range(20, 23)]
    return spark.createDataFrame(rows, "label int, x double")


def test_identical_rows_across_a_cut_are_split_exactly(spark):
    df = _with_repeats(spark)
    expected = stratified_folds(df, numFolds=4, seed=1)
    sizes = _sizes(expected, "fold")
    assert [sizes.get((0, f), 0) for f in range(4)] == [10, 10, 10, 10]
    assert sorted(sizes.get((1, f), 0) for f in range(4)) == [3, 4, 4, 4]
    # Both groups of identical rows straddle cuts: 30 of class 0's 40 rows
    # and 12 of class 1's 15 cannot sit in one fold.
    spread = expected.where("x IN (1.0, 5.0)").groupBy("label").agg(F.countDistinct("fold"))
    assert all(r[1] > 1 for r in spread.collect())
    for partitions in (1, 17):
        again = stratified_folds(df.repartition(partitions), numFolds=4, seed=1)
        assert_df_equality(again, expected, ignore_row_order=True)


def test_rows_sharing_an_id_are_split_by_their_content(data):
    """With idCol shared by ten rows at a time, rows of one id share a draw;
    where a cut falls among them, their content orders them, not the partitioning."""
    shared = data.withColumn("group", F.floor(F.col("id") / 10))
    expected = stratified_folds(shared, numFolds=3, seed=8, idCol="group")
    sizes = _sizes(expected, "fold")
    for label, n in COUNTS.items():
        per_fold = [sizes.get((label, fold), 0) for fold in range(3)]
        assert sum(per_fold) == n and max(per_fold) - min(per_fold) <= 1, (label, per_fold)
    for partitions in (1, 17):
        again = stratified_folds(shared.repartition(partitions), numFolds=3, seed=8, idCol="group")
        assert_df_equality(
            again.select("id", "fold"), expected.select("id", "fold"), ignore_row_order=True
        )


def test_cross_validator_validates_on_the_stratified_folds(spark):
    """CrossValidator(foldCol=...) takes the folds as they are: each
    validation fold holds half of each class exactly, and the sampler in the
    pipeline still balances only the training folds."""
    train = labelled(spark, {0: 600, 1: 60}, features=3)
    folded = stratified_folds(train, numFolds=2, seed=7)
    pipeline = Pipeline(
        stages=[
            VectorAssembler(inputCols=["x0", "x1", "x2"], outputCol="features"),
            RandomUnderSampler(exact=True),
            LabelRecorder(),
            LogisticRegression(maxIter=5),
        ]
    )
    helpers.FIT_LOG.clear()
    helpers.TRANSFORM_LOG.clear()
    cv = CrossValidator(
        estimator=pipeline,
        estimatorParamMaps=ParamGridBuilder().build(),
        evaluator=BinaryClassificationEvaluator(),
        numFolds=2,
        foldCol="fold",
        parallelism=1,
    )
    cv.fit(folded)
    validation = [c for c in helpers.TRANSFORM_LOG if c[0] != c[1]]
    assert validation == [{0: 300, 1: 30}] * 2
    # The training folds (the other half) under-sampled to 30 : 30, then the refit.
    assert helpers.FIT_LOG == [{0: 30, 1: 30}] * 2 + [{0: 60, 1: 60}]


def _large(spark, identical: int = 0):
    """Class 0: 5,000 rows, the first ``identical`` of them identical (one
    draw); class 1: 900 rows; class 2: 100. Weights 1 to 3. Five folds'
    windows are apart for class 0, partly merged for class 1 and all one for
    class 2."""
    same = F.col("id") < identical
    return spark.range(6000).select(
        F.when(same, F.lit(-1)).otherwise(F.col("id")).alias("id"),
        F.when(F.col("id") < 5000, 0).when(F.col("id") < 5900, 1).otherwise(2).alias("label"),
        F.when(same, F.lit(2.0)).otherwise(F.col("id") % 3 + 1).cast("double").alias("w"),
    )


def test_all_cuts_of_every_class_come_from_one_job(spark, monkeypatch):
    """stratified_folds finds its cuts in one aggregation job, whatever the
    class sizes: windows apart (class 0), partly merged (class 1) or all one
    (class 2); each class still splits exactly."""
    from spark_resample import _exact

    jobs, real = [], _exact._find_cuts_once

    def recording(df, label_col, u, windows, *rest):
        jobs.append({label: len(ws) for label, ws in windows.items()})
        return real(df, label_col, u, windows, *rest)

    monkeypatch.setattr(_exact, "_find_cuts_once", recording)
    df = _large(spark)
    sizes = _sizes(stratified_folds(df, numFolds=5, seed=4), "fold")
    assert len(jobs) == 1 and jobs[0][0] == 4 and jobs[0][2] == 1, jobs
    for label, n in {0: 5000, 1: 900, 2: 100}.items():
        assert [sizes.get((label, f), 0) for f in range(5)] == [n // 5] * 5


def test_many_cuts_at_once_equal_the_cuts_one_at_a_time(spark, monkeypatch):
    """The cuts of one job over several windows per class (weights summed
    across them, ties at a threshold) are those found one cut per job, also
    where a window missed and is retried wider."""
    from spark_resample import _exact
    from spark_resample._random import row_hash, uniform

    df = _large(spark, identical=600)
    u = uniform(row_hash(df, 5))
    wanted = {0: (5000, [1000, 2000, 3000, 4000]), 1: (900, [180, 360, 540, 720]), 2: (100, [50])}
    one_by_one = {
        (label, k): _exact.find_cuts(df, "label", u, {label: (n, k)}, weight_col="w")[label]
        for label, (n, ks) in wanted.items()
        for k in ks
    }
    # The 600 identical rows of class 0 straddle a cut: the ties are split.
    assert any(not cut.ties_complete and cut.ties_total == 600 for cut in one_by_one.values())
    assert _exact.find_many_cuts(df, "label", u, wanted, weight_col="w") == one_by_one

    real_bounds, calls = _exact._bounds, []

    def missing_one(n, k, delta):
        calls.append((k, delta))
        if k == 3000 and len([c for c in calls if c[0] == 3000]) == 1:
            return k / n, k / n  # an empty window: no k-th value in it
        return real_bounds(n, k, delta)

    monkeypatch.setattr(_exact, "_bounds", missing_one)
    assert _exact.find_many_cuts(df, "label", u, wanted, weight_col="w") == one_by_one
    assert [k for k, _ in calls].count(3000) >= 2, calls


def test_a_later_window_without_rows_is_a_miss_not_too_few_rows(spark, monkeypatch):
    """A window reaching 1 that no row reached, after an earlier window of
    the class, does not mean the class is short: the k-th value lies below
    it. It is retried wider (not refused with TooFewRows) and gives the cut
    a fitting window gives."""
    from spark_resample import _exact
    from spark_resample._random import row_hash, uniform

    df = spark.range(1000).select("id", F.lit(0).alias("label"))
    u = uniform(row_hash(df, 3))
    wanted = {0: (1000, [100, 900])}
    expected = _exact.find_many_cuts(df, "label", u, wanted)
    real_bounds, first = _exact._bounds, {}

    def skewed(n, k, delta):
        if first.setdefault(k, delta) == delta:  # the first round only
            return (0.05, 0.9999) if k == 100 else (0.99995, 1.0)
        return real_bounds(n, k, delta)

    monkeypatch.setattr(_exact, "_bounds", skewed)
    assert _exact.find_many_cuts(df, "label", u, wanted) == expected


@pytest.mark.parametrize(
    "call,error,message",
    [
        (lambda df: stratified_folds(df, 1), ValueError, r"numFolds must be an integer >= 2"),
        (lambda df: stratified_folds(df, 2.0), ValueError, r"numFolds must be an integer >= 2"),
        (
            lambda df: stratified_folds(df, foldCol="x0"),
            ValueError,
            r"foldCol 'x0' is already a column",
        ),
        (
            lambda df: stratified_folds(df, labelCol="nope"),
            ValueError,
            r"labelCol 'nope' is not a column",
        ),
        (
            lambda df: stratified_folds(df, idCol="nope"),
            ValueError,
            r"idCol 'nope' is not a column",
        ),
        (lambda df: stratified_split(df, [1.0]), ValueError, r"weights must be at least two"),
        (lambda df: stratified_split(df, [0.5, -0.1]), ValueError, r"weights must be finite"),
        (lambda df: stratified_split(df, [0, 0]), ValueError, r"weights must be numbers with a"),
        (lambda df: stratified_split(df, "ab"), ValueError, r"weights must be a list of numbers"),
        (
            lambda df: stratified_split(df, 3),
            ValueError,
            r"weights must be a list of numbers, got 3",
        ),
        (
            lambda df: stratified_folds(df.withColumn("x0", F.lit(1)).crossJoin(df.select("x0"))),
            ValueError,
            r"\['x0'\] occur more than once",
        ),
    ],
)
def test_bad_input_is_refused_naming_it(data, call, error, message):
    with pytest.raises(error, match=message):
        call(data)


def test_null_labels_and_pandas_frames_are_refused(spark, data):
    with_null = data.withColumn("label", F.when(F.col("id") != 3, F.col("label")))
    with pytest.raises(ValueError, match=r"labelCol 'label' has 1 null value"):
        stratified_folds(with_null)
    with pytest.raises(TypeError, match=r"stratified_split needs a Spark DataFrame"):
        stratified_split(pd.DataFrame({"label": [0, 1]}), [1, 1])
