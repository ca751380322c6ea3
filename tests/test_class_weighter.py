"""ClassWeighter: balanced and explicit weights, pass-through on scoring data."""

import pytest
from pyspark.sql import functions as F

from spark_resample import ClassWeighter, ClassWeighterModel

from .helpers import labelled


@pytest.fixture(scope="module")
def data(spark):
    return labelled(spark, {0: 900, 1: 90, 2: 10}).cache()


def test_balanced_weights_follow_scikit_learn(data):
    import numpy as np
    from sklearn.utils.class_weight import compute_class_weight

    model = ClassWeighter().fit(data)
    y = np.array([0] * 900 + [1] * 90 + [2] * 10)
    expected = compute_class_weight("balanced", classes=np.array([0, 1, 2]), y=y)
    assert model.classWeights_ == pytest.approx(dict(enumerate(expected)))
    out = model.transform(data)
    sums = {r[0]: r[1] for r in out.groupBy("label").agg(F.sum("weight")).collect()}
    assert sums == pytest.approx({0: 1000 / 3, 1: 1000 / 3, 2: 1000 / 3})
    assert out.count() == 1000


def test_dict_weights_and_existing_weight_column(data):
    weighted = data.withColumn("w", F.lit(2.0))
    model = ClassWeighter(weightCol="w", classWeights={"2": 10.0, 1: 3}).fit(weighted)
    assert model.classWeights_ == {2: 10.0, 1: 3.0}
    weights = {
        r[0]: r[1] for r in model.transform(weighted).groupBy("label").agg(F.max("w")).collect()
    }
    assert weights == {0: 2.0, 1: 6.0, 2: 20.0}


def test_scoring_data_without_label_passes_through(data):
    model = ClassWeighter().fit(data)
    scoring = data.drop("label")
    assert model.transform(scoring) is scoring


def test_persistence(data, tmp_path):
    model = ClassWeighter(classWeights={1: 5.0}).fit(data)
    model.write().overwrite().save(str(tmp_path / "cw"))
    loaded = ClassWeighterModel.load(str(tmp_path / "cw"))
    assert loaded.classWeights_ == {1: 5.0}
    estimator = ClassWeighter(classWeights={1: 5.0})
    estimator.write().overwrite().save(str(tmp_path / "est"))
    assert ClassWeighter.load(str(tmp_path / "est")).fit(data).classWeights_ == {1: 5.0}


def test_weights_from_scikit_learn_arrays(data, tmp_path):
    """The common hand-off: compute_class_weight's numpy array keyed by np.unique's
    classes (np.int64, which is not an int) works and survives persistence."""
    import numpy as np
    from sklearn.utils.class_weight import compute_class_weight

    y = np.array([0] * 900 + [1] * 90 + [2] * 10)
    classes = np.unique(y)
    weights = dict(zip(classes, compute_class_weight("balanced", classes=classes, y=y)))
    model = ClassWeighter(classWeights=weights).fit(data)
    assert model.classWeights_ == pytest.approx({0: 1000 / 2700, 1: 1000 / 270, 2: 1000 / 30})
    model.write().overwrite().save(str(tmp_path / "cw"))
    assert ClassWeighterModel.load(str(tmp_path / "cw")).classWeights_ == model.classWeights_
    sums = {
        r[0]: r[1] for r in model.transform(data).groupBy("label").agg(F.sum("weight")).collect()
    }
    assert sums == pytest.approx({0: 1000 / 3, 1: 1000 / 3, 2: 1000 / 3})


@pytest.mark.parametrize(
    "weights,error,words",
    [
        ("even", ValueError, ["'even'", "balanced"]),
        ({1: 0}, ValueError, ["class 1", "positive"]),
        ({1: -2.0}, ValueError, ["class 1", "positive"]),
        (3, TypeError, ["classWeights"]),
    ],
)
def test_bad_class_weights(weights, error, words):
    with pytest.raises(error) as caught:
        ClassWeighter(classWeights=weights)
    assert all(w in str(caught.value) for w in words)


def test_unknown_class_in_dict(data):
    with pytest.raises(ValueError, match="classWeights names class 7, which is not in the data"):
        ClassWeighter(classWeights={7: 2.0}).fit(data)
