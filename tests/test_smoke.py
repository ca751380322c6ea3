"""Smoke set: every stage once, one pipeline, one persistence round trip.

scripts/test.sh runs it in the Spark 3.5 environment (scripts/env35.sh) only:
on Spark 4.x the rest of the suite covers what it does, classic and over
Connect (``pytest -m smoke`` runs it there too). ``STAGES``, ``stage_params`` and ``table`` are
also what the cluster, retry and job-failure tests run: every stage the package
exports joins them by being exported from spark_resample.
"""

from __future__ import annotations

import inspect
from typing import Any, Dict, List

import pytest
from chispa import assert_df_equality
from pyspark.ml import Estimator, Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

import spark_resample
from spark_resample import (
    ClassWeighter,
    ImbalancedClassificationEvaluator,
    RandomOverSampler,
    RandomUnderSampler,
    Sampler,
    classification_report_imbalanced,
    stratified_folds,
    stratified_split,
)
from spark_resample._strategy import OVER

from .helpers import (
    FIT_LOG,
    LabelRecorder,
    binomial_bounds,
    class_counts,
    id_multiplicity,
    labelled,
    poisson_bounds,
)

pytestmark = pytest.mark.smoke

STAGES: List[type] = sorted(
    (
        obj
        for name in spark_resample.__all__
        if inspect.isclass(obj := getattr(spark_resample, name))
        and issubclass(obj, Estimator)
        and obj is not Sampler
        and not inspect.isabstract(obj)
    ),
    key=lambda cls: cls.__name__,
)
STAGE_IDS = [cls.__name__ for cls in STAGES]

# Targets that are not whole multiples of the class sizes: growing 40 rows to
# 240 exactly would copy each row 6 times whatever the seed, and the cluster,
# retry and other-session tests, which compare outputs, would see no draw.
COUNTS = {0: 240, 1: 45, 2: 25}
FEATURES = ["x0", "x1", "x2"]
# Categorical columns, derived from x0 and x1: SMOTEN's features.
CATEGORIES = ["cat", "band"]
# Params every stage gets when it has them; exact sizes make results comparable.
# weightCol "w" (a column of uneven weights, see with_weights): the weight sums
# that rescale it must come out the same in every process and partitioning.
COMMON: Dict[str, Any] = {"seed": 7, "exact": True, "weightCol": "w"}
PER_STAGE: Dict[str, Dict[str, Any]] = {
    "ClassWeighter": {"classWeights": "balanced", "weightCol": "weight"},
    "SMOTEN": {"inputCols": CATEGORIES},
}


def stage_params(cls: type) -> Dict[str, Any]:
    """JSON-serialisable params for ``cls`` (also passed to the job as --param)."""
    probe = cls()
    params = {key: value for key, value in COMMON.items() if probe.hasParam(key)}
    params.update(PER_STAGE.get(cls.__name__, {}))
    return params


def make_stage(cls: type):
    return cls(**stage_params(cls))


def with_categories(df: DataFrame) -> DataFrame:
    """``df`` with the ``CATEGORIES`` columns: a string and an integer category."""
    return df.withColumns(
        {
            # No ELSE: the column is nullable, as the samplers' outputs make it.
            "cat": F.expr(
                "CASE WHEN x0 < 333 THEN 'low' WHEN x0 < 666 THEN 'mid' "
                "WHEN x0 >= 666 THEN 'high' END"
            ),
            "band": F.expr("CAST(x1 / 250 AS INT)"),
        }
    )


def with_weights(df: DataFrame) -> DataFrame:
    """``df`` with a weight column ``w`` of uneven values in (0, 3], from ``id``:
    floating-point sums of them depend on the order of their terms."""
    return df.withColumn("w", F.expr("0.01D + (id * 7919 % 997) / 333D"))


def table(spark) -> DataFrame:
    """``id, label, x0..x2, cat, band, w, features``: three classes, every row distinct."""
    df = with_weights(with_categories(labelled(spark, COUNTS, features=len(FEATURES))))
    return VectorAssembler(inputCols=FEATURES, outputCol="features").transform(df)


def table_as_parquet(spark, folder) -> str:
    """``table(spark)`` written as parquet (3 part files) under ``folder``, for
    tests that read it in other processes; returns its path."""
    path = str(folder / "table")
    table(spark).repartition(3).write.parquet(path)
    return path


def comparable(df: DataFrame) -> DataFrame:
    """Vectors as arrays, so that chispa can sort and compare rows (a null
    vector, as SMOTEN's synthetic rows have, as a null array)."""
    from pyspark.ml.functions import vector_to_array
    from pyspark.ml.linalg import VectorUDT

    return df.select(
        *[
            F.when(F.col(f.name).isNotNull(), vector_to_array(F.col(f.name))).alias(f.name)
            if isinstance(f.dataType, VectorUDT)
            else F.col(f.name)
            for f in df.schema.fields
        ]
    )


def weight_sums(df: DataFrame, weight_col: str) -> Dict[Any, float]:
    return {r[0]: r[1] for r in df.groupBy("label").agg(F.sum(weight_col)).collect()}


def check_stage_output(cls: type, model, data: DataFrame, out: DataFrame) -> None:
    """What every stage's output must show, whatever the stage."""
    if issubclass(cls, Sampler):
        assert model.targetCounts_ != model.classCounts_, "the sampler changed nothing"
        assert class_counts(out) == model.targetCounts_
        before, after = id_multiplicity(data), id_multiplicity(out.where(F.col("id").isNotNull()))
        if cls._kind == OVER:  # every original row is kept
            assert all(after[i] >= 1 for i in before)
        else:  # kept rows appear once, untargeted classes whole
            assert set(after) <= set(before) and max(after.values()) == 1
        # Exact sizes: each class's weight sum is kept.
        assert weight_sums(out, "w") == pytest.approx(weight_sums(data, "w"), rel=1e-12)
    else:
        sums = weight_sums(out, "weight")
        balanced = sum(COUNTS.values()) / len(COUNTS)
        assert sums == pytest.approx({label: balanced for label in COUNTS})
        assert out.count() == data.count()


@pytest.fixture(scope="module")
def data(spark):
    return table(spark).cache()


def test_every_exported_stage_is_smoked():
    assert {"RandomUnderSampler", "RandomOverSampler", "ClassWeighter"} <= set(STAGE_IDS)


@pytest.mark.parametrize("cls", STAGES, ids=STAGE_IDS)
def test_every_stage_once(data, cls):
    model = make_stage(cls).fit(data)
    check_stage_output(cls, model, data, model.transform(data))


@pytest.mark.parametrize(
    "cls,params",
    [
        (RandomUnderSampler, {}),
        (RandomUnderSampler, {"replacement": True}),
        (RandomUnderSampler, {"replacement": True, "exact": True}),
        (RandomOverSampler, {}),
        (RandomOverSampler, {"shrinkage": 1.0}),
    ],
    ids=["under", "under-replacement", "under-replacement-exact", "over", "over-shrinkage"],
)
def test_the_other_modes_once(data, cls, params):
    """The modes test_every_stage_once (exact, plain) leaves out, each of which
    builds other expressions (Poisson counts, noise): on Spark 3.5, PySpark's
    functions take other arguments than on 4.x."""
    model = cls(seed=7, **params).fit(data)
    counts = class_counts(model.transform(data))
    assert set(counts) <= set(COUNTS) and sum(counts.values()) > 0
    if params.get("exact"):
        assert counts == model.targetCounts_
    elif cls is RandomUnderSampler:  # 240 rows of class 0 drawn down to about 25
        low, high = poisson_bounds(25) if params else binomial_bounds(240, 25 / 240)
        assert low <= counts.get(0, 0) <= high and counts[2] == 25
    else:  # classes 1 and 2 grown to about 240
        assert counts[0] == 240
        for label in (1, 2):
            low, high = poisson_bounds(240 - COUNTS[label])
            assert low <= counts[label] - COUNTS[label] <= high


def test_pipeline_trains_on_resampled_data_and_scores_everything(spark, data):
    pipeline = Pipeline(
        stages=[
            RandomUnderSampler(samplingStrategy={0: 60}, exact=True, seed=7),
            LabelRecorder(),
            LogisticRegression(featuresCol="features", labelCol="label", maxIter=5),
        ]
    )
    FIT_LOG.clear()
    model = pipeline.fit(data)
    assert FIT_LOG == [{**COUNTS, 0: 60}]
    # Scoring data is another DataFrame (transforming the very object the
    # pipeline was fitted on would resample it again, by the train-only contract).
    scored = model.transform(data.select("*"))
    assert scored.count() == data.count()
    assert scored.select("prediction").distinct().count() >= 2
    # The evaluator for imbalanced data scores it (a model better than chance).
    balanced_accuracy = ImbalancedClassificationEvaluator().evaluate(scored)
    assert balanced_accuracy > 1 / len(COUNTS)
    # Its per-class report: the mean of the recalls is the balanced accuracy.
    report = classification_report_imbalanced(scored, outputDict=True)
    recalls = [report[str(float(label))]["rec"] for label in COUNTS]
    assert sum(recalls) / len(recalls) == pytest.approx(balanced_accuracy)


def test_persistence_round_trip(spark, data, tmp_path):
    weighter = ClassWeighter(classWeights={0: 1.0, 1: 6.0, 2: 12.0}, weightCol="w")
    pipeline = Pipeline(
        stages=[
            RandomUnderSampler(samplingStrategy={0: 120}, exact=True, seed=11),
            weighter,
            LogisticRegression(weightCol="w", maxIter=5),
        ]
    )
    pipeline.write().overwrite().save(str(tmp_path / "pipeline"))
    loaded = Pipeline.load(str(tmp_path / "pipeline"))
    assert loaded.getStages()[0].getOrDefault("seed") == 11

    model = loaded.fit(data)
    # Dict keys come back from JSON as strings and are matched to the labels at fit.
    assert model.stages[1].classWeights_ == weighter.getClassWeights()
    model.write().overwrite().save(str(tmp_path / "model"))
    reloaded = PipelineModel.load(str(tmp_path / "model"))
    assert reloaded.stages[0].targetCounts_ == model.stages[0].targetCounts_
    columns = ["id", "w", "prediction"]
    new = data.select("*")
    assert_df_equality(
        reloaded.transform(new).select(*columns),
        model.transform(new).select(*columns),
        ignore_row_order=True,
    )


def test_stratified_folds_and_split_once(data):
    folded = stratified_folds(data, numFolds=3, seed=2)
    sizes = {}
    for label, _, n in folded.groupBy("label", "fold").count().collect():
        sizes.setdefault(label, []).append(n)
    assert {label: sum(n) for label, n in sizes.items()} == COUNTS
    assert all(len(n) == 3 and max(n) - min(n) <= 1 for n in sizes.values()), sizes
    train, test = stratified_split(data, [3, 1], seed=2)
    assert class_counts(test) == {c: n - int(n * 0.75 + 0.5) for c, n in COUNTS.items()}
    assert train.count() + test.count() == data.count()
