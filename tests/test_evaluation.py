"""ImbalancedClassificationEvaluator: the metrics scikit-learn and
imbalanced-learn compute, weighted or not; inside CrossValidator; persisted;
bad input refused naming it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from imblearn.metrics import geometric_mean_score
from pyspark.ml import Pipeline
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
from pyspark.sql import functions as F
from sklearn.metrics import balanced_accuracy_score, f1_score, precision_score

from spark_resample import ImbalancedClassificationEvaluator, RandomUnderSampler
from spark_resample._evaluation import METRICS
from spark_resample._evaluation import metric as metric_of

from .helpers import PREDICTION_CASE_IDS, PREDICTION_CASES, labelled, predictions

REFERENCE = {
    "balancedAccuracy": balanced_accuracy_score,
    "geometricMean": geometric_mean_score,
    "macroF1": lambda t, p, **kw: f1_score(t, p, average="macro", zero_division=0, **kw),
    "macroPrecision": lambda t, p, **kw: precision_score(
        t, p, average="macro", zero_division=0, **kw
    ),
}


@pytest.mark.filterwarnings("ignore")  # scikit-learn warns of classes only predicted
@pytest.mark.parametrize("classes,predicted,weightless", PREDICTION_CASES, ids=PREDICTION_CASE_IDS)
def test_metrics_equal_scikit_learn_and_imbalanced_learn(spark, classes, predicted, weightless):
    true, guess, weight, df = predictions(spark, classes, predicted, weightless)
    for metric, reference in REFERENCE.items():
        evaluator = ImbalancedClassificationEvaluator(metricName=metric)
        assert evaluator.evaluate(df) == pytest.approx(reference(true, guess), abs=1e-12), metric
        weighted = evaluator.copy().setWeightCol("w")
        expected = reference(true, guess, sample_weight=weight)
        assert weighted.evaluate(df) == pytest.approx(expected, abs=1e-12), metric


@pytest.mark.filterwarnings("ignore")  # scikit-learn warns of the class without weight
def test_a_class_whose_rows_all_weigh_0_is_still_a_class(spark):
    """As in scikit-learn, a class is one of the values, whatever its rows
    weigh: class 2 (weight 0, predicted right) has no defined recall."""
    rows = [(0.0, 0.0, 1.0), (0.0, 1.0, 1.0), (1.0, 1.0, 2.0), (2.0, 2.0, 0.0)]
    df = spark.createDataFrame(rows, "label double, prediction double, w double")
    true, guess, weight = (np.array(column) for column in zip(*rows))
    for metric, reference in REFERENCE.items():
        expected = reference(true, guess, sample_weight=weight)
        evaluator = ImbalancedClassificationEvaluator(metricName=metric, weightCol="w")
        assert evaluator.evaluate(df) == pytest.approx(expected, abs=1e-12), metric


def test_a_majority_only_model_scores_low_where_spark_scores_high(spark):
    """On 1 % positives, predicting the majority everywhere: Spark's
    weighted F1 is about 0.985, balanced accuracy 0.5, the G-mean 0."""
    from pyspark.ml.evaluation import MulticlassClassificationEvaluator

    df = spark.createDataFrame(
        [(float(i < 10), 0.0) for i in range(1000)], "label double, prediction double"
    )
    assert MulticlassClassificationEvaluator(metricName="f1").evaluate(df) > 0.98
    assert ImbalancedClassificationEvaluator().evaluate(df) == 0.5
    assert ImbalancedClassificationEvaluator(metricName="geometricMean").evaluate(df) == 0.0


def test_cross_validator_picks_by_it_and_it_persists(spark, tmp_path):
    df = labelled(spark, {0: 400, 1: 40}, features=2).withColumn(
        "label", F.col("label").cast("double")
    )
    lr = LogisticRegression(maxIter=5)
    pipeline = Pipeline(
        stages=[
            VectorAssembler(inputCols=["x0", "x1"], outputCol="features"),
            RandomUnderSampler(seed=1),
            lr,
        ]
    )
    evaluator = ImbalancedClassificationEvaluator(metricName="geometricMean")
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 10.0]).build()
    cv = CrossValidator(
        estimator=pipeline, estimatorParamMaps=grid, evaluator=evaluator, numFolds=2, seed=3
    )
    model = cv.fit(df)
    assert len(model.avgMetrics) == 2 and all(0.0 <= m <= 1.0 for m in model.avgMetrics)
    best = [0.0, 10.0][int(np.argmax(model.avgMetrics))]  # larger is better
    assert model.bestModel.stages[2].getRegParam() == best
    evaluator.write().overwrite().save(str(tmp_path / "evaluator"))
    loaded = ImbalancedClassificationEvaluator.load(str(tmp_path / "evaluator"))
    assert loaded.getMetricName() == "geometricMean" and loaded.isLargerBetter()
    scored = model.transform(df)
    assert loaded.evaluate(scored) == evaluator.evaluate(scored)


@pytest.mark.parametrize(
    "make,message",
    [
        (
            lambda: ImbalancedClassificationEvaluator(metricName="f1"),
            r"metricName 'f1' is not known",
        ),
        (
            lambda: ImbalancedClassificationEvaluator(labelCol="nope"),
            r"labelCol 'nope' is not a column",
        ),
        (
            lambda: ImbalancedClassificationEvaluator(predictionCol="nope"),
            r"predictionCol 'nope' is not a column",
        ),
        (
            lambda: ImbalancedClassificationEvaluator(weightCol="nope"),
            r"weightCol 'nope' is not a column",
        ),
    ],
)
def test_bad_parameters_and_columns_are_refused_naming_them(spark, make, message):
    df = spark.createDataFrame([(0.0, 0.0), (1.0, 1.0)], "label double, prediction double")
    with pytest.raises(ValueError, match=message):
        make().evaluate(df)


@pytest.mark.parametrize("param", ["labelCol", "predictionCol", "weightCol"])
def test_columns_that_are_not_numbers_are_refused_naming_them(spark, param):
    df = spark.createDataFrame(
        [(0.0, 0.0, 1.0, "a")], "label double, prediction double, w double, s string"
    )
    with pytest.raises(TypeError, match=rf"{param} column 's' has type string"):
        ImbalancedClassificationEvaluator(**{param: "s"}).evaluate(df)


def test_a_pandas_frame_is_refused_naming_the_evaluator():
    import pandas as pd

    frame = pd.DataFrame({"label": [0.0, 1.0], "prediction": [0.0, 1.0]})
    with pytest.raises(
        TypeError, match=r"ImbalancedClassificationEvaluator needs a Spark DataFrame"
    ):
        ImbalancedClassificationEvaluator().evaluate(frame)


@pytest.mark.parametrize(
    "rows,params,message",
    [
        ([(None, 0.0, 1.0), (1.0, 1.0, 1.0)], {}, r"labelCol 'label' has null or NaN values"),
        ([(0.0, float("nan"), 1.0), (1.0, 1.0, 1.0)], {}, r"predictionCol 'prediction' has null"),
        (
            [(0.0, 0.0, -1.0), (1.0, 1.0, 1.0)],
            {"weightCol": "w"},
            r"weightCol 'w' has null, NaN or negative",
        ),
        (
            [(0.0, 0.0, None), (1.0, 1.0, 1.0)],
            {"weightCol": "w"},
            r"weightCol 'w' has null, NaN or negative",
        ),
        ([], {}, r"cannot evaluate an empty DataFrame"),
    ],
    ids=["null-label", "nan-prediction", "negative-weight", "null-weight", "empty"],
)
def test_bad_values_are_refused_naming_the_column(spark, rows, params, message):
    df = spark.createDataFrame(rows, "label double, prediction double, w double")
    with pytest.raises(ValueError, match=message):
        ImbalancedClassificationEvaluator(**params).evaluate(df)


def test_metrics_do_not_depend_on_the_order_the_cells_arrive_in():
    """The job returns the confusion cells in an order that can follow the
    partitioning; floating-point sums over them must not."""
    # Found by search: every metric's last bits followed the order before.
    cells = {
        (0.0, 0.0): 0.7,
        (0.0, 1.0): 0.3,
        (0.0, 2.0): 0.3,
        (1.0, 1.0): 0.3,
        (1.0, 0.0): 0.9,
        (2.0, 0.0): 0.1,
        (2.0, 2.0): 0.2,
    }
    for name in METRICS:
        values = {metric_of(name, dict(order)) for order in itertools.permutations(cells.items())}
        assert len(values) == 1, name
