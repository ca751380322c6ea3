"""Samplers in a plain Pipeline and CrossValidator: train-only by construction."""

import numpy as np
import pytest
from chispa import assert_df_equality
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.classification import LogisticRegression
from pyspark.ml.evaluation import BinaryClassificationEvaluator
from pyspark.ml.feature import VectorAssembler
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder

from spark_resample import (
    RandomOverSampler,
    RandomOverSamplerModel,
    RandomUnderSampler,
    RandomUnderSamplerModel,
)

from . import helpers
from .helpers import LabelRecorder, class_counts, labelled

SAMPLERS = [
    pytest.param(lambda: RandomUnderSampler(exact=True), {0: 60, 1: 60}, id="under"),
    pytest.param(lambda: RandomOverSampler(exact=True), {0: 600, 1: 600}, id="over"),
]


@pytest.fixture(scope="module")
def data(spark):
    train = labelled(spark, {0: 600, 1: 60}, features=3).cache()
    test = labelled(spark, {0: 200, 1: 20}, features=3).cache()
    return train, test


def _pipeline(sampler):
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=["x0", "x1", "x2"], outputCol="features"),
            sampler,
            LabelRecorder(),
            LogisticRegression(maxIter=5),
        ]
    )


@pytest.mark.parametrize("make,trained_on", SAMPLERS)
def test_pipeline_trains_on_resampled_data_and_scores_untouched(data, make, trained_on, tmp_path):
    train, test = data
    helpers.FIT_LOG.clear()
    model = _pipeline(make()).fit(train)
    assert helpers.FIT_LOG == [trained_on]

    scored = model.transform(test)
    assert_df_equality(scored.select(*test.columns), test, ignore_row_order=True)
    # Even the training DataFrame itself passes through at predict time.
    assert model.transform(train).count() == train.count()

    model.write().overwrite().save(str(tmp_path / "model"))
    loaded = PipelineModel.load(str(tmp_path / "model"))
    assert_df_equality(
        loaded.transform(test).select("id", "prediction"),
        scored.select("id", "prediction"),
        ignore_row_order=True,
    )


@pytest.mark.parametrize("make,trained_on", SAMPLERS)
def test_scoring_the_training_data_scores_every_row_with_the_sampler_first(data, make, trained_on):
    """First in the Pipeline, the sampler gets the training DataFrame itself back
    at scoring time; like imbalanced-learn's Pipeline, it passes it through."""
    train, _ = data
    assembler = VectorAssembler(inputCols=["x0", "x1", "x2"], outputCol="features")
    helpers.FIT_LOG.clear()
    model = Pipeline(
        stages=[make(), assembler, LabelRecorder(), LogisticRegression(maxIter=5)]
    ).fit(train)
    assert helpers.FIT_LOG == [trained_on]
    assert_df_equality(model.transform(train).select(*train.columns), train, ignore_row_order=True)
    # With params too (PipelineModel.transform copies itself, then transforms).
    lr = model.stages[-1]
    assert model.transform(train, {lr.predictionCol: "p"}).count() == train.count()
    # The model on its own still resamples the DataFrame it was fitted on.
    sampler_model = model.stages[0]
    assert sampler_model.transform(train) is not train


@pytest.mark.parametrize("make,trained_on", SAMPLERS)
def test_a_nested_pipeline_resamples_for_the_stages_after_it(data, make, trained_on):
    """Pipeline.fit runs a fitted inner Pipeline's transform over the training
    data: the outer stages after it train on resampled data; scoring passes all."""
    train, _ = data
    assembler = VectorAssembler(inputCols=["x0", "x1", "x2"], outputCol="features")
    helpers.FIT_LOG.clear()
    inner = Pipeline(stages=[make(), assembler])
    model = Pipeline(stages=[inner, LabelRecorder(), LogisticRegression(maxIter=5)]).fit(train)
    assert helpers.FIT_LOG == [trained_on]
    assert model.transform(train).count() == train.count()


# parallelism 2: CrossValidator fits and evaluates in a thread pool; each
# thread's sampler models must still tell their training folds from the
# validation folds.
@pytest.mark.parametrize("parallelism", [1, 2])
def test_cross_validator_trains_on_resampled_folds_and_evaluates_untouched(data, parallelism):
    train, _ = data
    helpers.FIT_LOG.clear()
    helpers.TRANSFORM_LOG.clear()
    pipeline = _pipeline(RandomUnderSampler(exact=True))
    lr = pipeline.getStages()[-1]
    grid = ParamGridBuilder().addGrid(lr.regParam, [0.0, 0.1]).build()
    cv = CrossValidator(
        estimator=pipeline,
        estimatorParamMaps=grid,
        evaluator=BinaryClassificationEvaluator(),
        numFolds=3,
        seed=7,
        parallelism=parallelism,
    )
    cv_model = cv.fit(train)
    # Every fit (3 folds x 2 settings, then the refit on all data) saw balanced data.
    assert len(helpers.FIT_LOG) == 7
    assert all(len(set(c.values())) == 1 for c in helpers.FIT_LOG)
    assert helpers.FIT_LOG[-1] == {0: 60, 1: 60}
    # Pipeline.fit also runs the recorder's model on the (balanced) training
    # data; the other calls are the validation folds, which must arrive
    # untouched: together, for each of the 2 settings, they are the whole data.
    validation = [c for c in helpers.TRANSFORM_LOG if c[0] != c[1]]
    assert len(validation) == 6
    assert sum(c[0] for c in validation) == 2 * 600
    assert sum(c[1] for c in validation) == 2 * 60
    assert cv_model.avgMetrics[0] > 0.5


@pytest.mark.parametrize("make,trained_on", SAMPLERS)
def test_model_passes_other_dataframes_through(data, make, trained_on):
    train, test = data
    model = make().fit(train)
    assert model.transform(test) is test
    # The same data in another DataFrame object is another DataFrame.
    assert model.transform(train.select("*")).count() == train.count()
    assert class_counts(model.transform(train)) == trained_on


@pytest.mark.parametrize(
    "make,model_class",
    [
        (
            lambda: RandomUnderSampler(
                samplingStrategy={1: 50, "0": 70}, exact=True, weightCol="w", seed=5, idCol="id"
            ),
            RandomUnderSamplerModel,
        ),
        (
            # Class 0 is not grown: its shrinkage is not used.
            lambda: RandomOverSampler(samplingStrategy={"1": 100}, shrinkage={1: 0.5, "0": 2.0}),
            RandomOverSamplerModel,
        ),
        (
            # Built with numpy (np.unique, dict(value_counts())): np.int64 keys and counts.
            lambda: RandomUnderSampler(
                samplingStrategy={np.int64(0): np.int64(70)}, exact=True, seed=np.int64(5)
            ),
            RandomUnderSamplerModel,
        ),
    ],
    ids=["under-exact-weights", "over-shrinkage", "numpy-keys"],
)
def test_estimator_and_model_persistence(data, tmp_path, make, model_class):
    train = VectorAssembler(inputCols=["x0", "x1"], outputCol="features").transform(data[0])
    sampler = make()
    sampler.write().overwrite().save(str(tmp_path / "sampler"))
    loaded = type(sampler).load(str(tmp_path / "sampler"))
    assert loaded.uid == sampler.uid
    for param in sampler.params:
        if sampler.isSet(param):
            assert loaded.isSet(loaded.getParam(param.name)), param.name
    # Dict keys come back from JSON as strings; fit restores the label's type.
    if loaded.getExact():
        want = class_counts(sampler.fit(train).transform(train))
        fitted = loaded.fit(train)
        assert class_counts(fitted.transform(train)) == want
    else:
        fitted = loaded.fit(train)
    assert all(isinstance(k, int) for k in fitted.targetCounts_)
    if isinstance(sampler, RandomOverSampler):
        scales = fitted.getOrDefault("featureScales")
        assert scales == sampler.fit(train).getOrDefault("featureScales")
        assert [label for label, _ in scales] == [1]

    fitted.write().overwrite().save(str(tmp_path / "model"))
    model = model_class.load(str(tmp_path / "model"))
    assert model.classCounts_ == {0: 600, 1: 60}
    assert model.targetCounts_ == fitted.targetCounts_
    assert model.transform(train) is train  # a loaded model only passes data through


def test_construct_without_arguments_and_defaults():
    for stage in (RandomUnderSampler(), RandomOverSampler()):
        assert stage.getLabelCol() == "label"
        assert stage.getSamplingStrategy() == "auto"
        assert stage.getOrDefault("seed") == RandomUnderSampler().getOrDefault("seed")
        assert stage.getExact() is False


def test_setters_chain(data):
    train, _ = data
    sampler = RandomUnderSampler().setSamplingStrategy(0.5).setExact(True).setSeed(3)
    assert class_counts(sampler.resample(train)) == {0: 120, 1: 60}
