"""SMOTE as a plain Pipeline stage and inside CrossValidator: it resamples the
training data only, and a saved PipelineModel loads and passes data through."""

import pytest
from chispa import assert_df_equality
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

from spark_resample import SMOTE, SMOTEModel

from . import helpers
from .helpers import LabelRecorder, labelled


@pytest.fixture(scope="module")
def data(spark):
    train = labelled(spark, {0: 300, 1: 40}, features=3).cache()
    test = labelled(spark, {0: 100, 1: 10}, features=3).cache()
    return train, test


def _pipeline(**smote):
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=["x0", "x1", "x2"], outputCol="features"),
            SMOTE(maxBucketSize=32, **smote),
            LabelRecorder(),
            LogisticRegression(maxIter=5),
        ]
    )


def test_pipeline_trains_on_smote_output_and_scores_test_rows_untouched(data, tmp_path):
    train, test = data
    helpers.FIT_LOG.clear()
    model = _pipeline().fit(train)
    assert helpers.FIT_LOG == [{0: 300, 1: 300}]

    scored = model.transform(test)
    assert "is_synthetic" not in scored.columns
    assert_df_equality(scored.select(*test.columns), test, ignore_row_order=True)
    assert model.transform(train).count() == train.count()

    model.write().overwrite().save(str(tmp_path / "model"))
    loaded = PipelineModel.load(str(tmp_path / "model"))
    assert isinstance(loaded.stages[1], SMOTEModel)
    assert loaded.stages[1].getMaxBucketSize() == 32
    assert_df_equality(
        loaded.transform(test).select("id", "prediction"),
        scored.select("id", "prediction"),
        ignore_row_order=True,
    )


def test_input_columns_in_a_pipeline(data):
    train, test = data
    pipeline = Pipeline(
        stages=[
            SMOTE(inputCols=["x0", "x1", "x2"], kNeighbors=3),
            VectorAssembler(inputCols=["x0", "x1", "x2"], outputCol="features"),
            LogisticRegression(maxIter=5),
        ]
    )
    model = pipeline.fit(train)
    assert model.transform(test).count() == test.count()


def test_cross_validator_trains_on_smote_folds_and_evaluates_untouched(data):
    train, _ = data
    helpers.FIT_LOG.clear()
    helpers.TRANSFORM_LOG.clear()
    pipeline = _pipeline()
    lr = pipeline.getStages()[-1]
    cv = CrossValidator(
        estimator=pipeline,
        estimatorParamMaps=ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.1]).build(),
        evaluator=BinaryClassificationEvaluator(),
        numFolds=2,
        seed=7,
        parallelism=1,
    )
    cv_model = cv.fit(train)
    # 2 folds x 2 settings, then the refit on all data: all trained on balanced data.
    assert len(helpers.FIT_LOG) == 5
    assert all(len(set(c.values())) == 1 for c in helpers.FIT_LOG)
    assert helpers.FIT_LOG[-1] == {0: 300, 1: 300}
    validation = [c for c in helpers.TRANSFORM_LOG if c[0] != c[1]]
    assert len(validation) == 4
    assert sum(c[0] for c in validation) == 2 * 300
    assert sum(c[1] for c in validation) == 2 * 40
    assert cv_model.avgMetrics[0] > 0.5


def test_estimator_persistence_and_pass_through(data, tmp_path):
    train, test = data
    smote = SMOTE(kNeighbors=3, inputCols=["x0", "x1"], samplingStrategy={1: 100}, seed=9)
    smote.write().overwrite().save(str(tmp_path / "smote"))
    loaded = SMOTE.load(str(tmp_path / "smote"))
    assert loaded.getInputCols() == ["x0", "x1"]
    assert loaded.getKNeighbors() == 3
    assert loaded.getOrDefault("seed") == 9
    model = loaded.fit(train)
    assert model.transform(test) is test
