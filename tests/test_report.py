"""classification_report_imbalanced: imbalanced-learn's report, from a
DataFrame; weighted specificity as the weighted confusion matrix gives it;
bad input refused naming it."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.metrics import classification_report_imbalanced as imblearn_report
from sklearn.metrics import multilabel_confusion_matrix

from spark_resample import classification_report_imbalanced

from .helpers import PREDICTION_CASE_IDS, PREDICTION_CASES, predictions

PER_CLASS = ("pre", "rec", "spe", "f1", "geo", "iba", "sup")


def _assert_reports_equal(ours, expected, headers=PER_CLASS):
    assert set(ours) == set(expected)
    for key, value in expected.items():
        if isinstance(value, dict):
            for header in headers:
                assert ours[key][header] == pytest.approx(value[header], abs=1e-12), (key, header)
        elif key.startswith("avg_") and key[4:] not in headers:
            continue
        else:
            assert ours[key] == pytest.approx(value, abs=1e-12), key


@pytest.mark.filterwarnings("ignore")  # scikit-learn warns of undefined ratios (0, as here)
@pytest.mark.parametrize("classes,predicted,weightless", PREDICTION_CASES, ids=PREDICTION_CASE_IDS)
def test_the_report_equals_imbalanced_learns(spark, classes, predicted, weightless):
    true, guess, _, df = predictions(spark, classes, predicted, weightless)
    ours = classification_report_imbalanced(df, outputDict=True)
    _assert_reports_equal(ours, imblearn_report(true, guess, output_dict=True, zero_division=0))
    assert all(isinstance(ours[str(float(c))]["sup"], int) for c in classes)
    for digits in (2, 4):
        expected = imblearn_report(true, guess, digits=digits, zero_division=0)
        assert classification_report_imbalanced(df, digits=digits) == expected
    alpha = imblearn_report(true, guess, alpha=0.5, output_dict=True, zero_division=0)
    _assert_reports_equal(classification_report_imbalanced(df, alpha=0.5, outputDict=True), alpha)


def _weighted_one_against_rest(true, guess, weight):
    """Per class (sorted): specificity, geo and iba (alpha 0.1) from
    scikit-learn's weighted one-against-the-rest confusion matrices."""
    labels = np.unique(np.concatenate([true, guess]))
    matrices = multilabel_confusion_matrix(true, guess, sample_weight=weight, labels=labels)
    expected = {}
    for label, ((tn, fp), (fn, tp)) in zip(labels, matrices):
        recall = tp / (tp + fn) if tp + fn else 0.0
        specificity = tn / (tn + fp) if tn + fp else 0.0
        geo = np.sqrt(recall * specificity)
        expected[str(label)] = {
            "spe": specificity,
            "geo": geo,
            "iba": (1 + 0.1 * (recall - specificity)) * geo**2,
        }
    return expected


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("classes,predicted,weightless", PREDICTION_CASES, ids=PREDICTION_CASE_IDS)
def test_weighted_reports_weigh_every_cell(spark, classes, predicted, weightless):
    """Precision, recall, F1 and support as imbalanced-learn's with
    sample_weight. Its specificity (0.14) takes the true negatives as the
    row count less weighted sums, so its weighted spe, geo and iba mix counts
    and weights; here they come from the weighted confusion matrix, as
    scikit-learn's multilabel_confusion_matrix gives it."""
    true, guess, weight, df = predictions(spark, classes, predicted, weightless)
    ours = classification_report_imbalanced(df, weightCol="w", outputDict=True)
    reference = imblearn_report(true, guess, sample_weight=weight, output_dict=True)
    _assert_reports_equal(ours, reference, headers=("pre", "rec", "f1", "sup"))
    for label, expected in _weighted_one_against_rest(true, guess, weight).items():
        for header, value in expected.items():
            assert ours[label][header] == pytest.approx(value, abs=1e-12), (label, header)
    support = {label: row["sup"] for label, row in ours.items() if isinstance(row, dict)}
    for header in ("spe", "geo", "iba"):
        average = sum(ours[label][header] * s for label, s in support.items())
        assert ours[f"avg_{header}"] == pytest.approx(average / sum(support.values()), abs=1e-12)


def test_a_majority_only_model_shows_the_missed_class(spark):
    df = spark.createDataFrame(
        [(float(i < 10), 0.0) for i in range(1000)], "label double, prediction double"
    )
    report = classification_report_imbalanced(df, outputDict=True)
    assert report["1.0"]["rec"] == 0.0 and report["1.0"]["sup"] == 10
    assert report["0.0"]["rec"] == 1.0 and report["0.0"]["spe"] == 0.0
    assert report["avg_rec"] == pytest.approx(0.99)  # support-weighted, as imbalanced-learn's
    assert report["avg_geo"] == 0.0


@pytest.mark.parametrize(
    "kwargs,error,message",
    [
        ({"labelCol": "nope"}, ValueError, r"labelCol 'nope' is not a column"),
        ({"predictionCol": "nope"}, ValueError, r"predictionCol 'nope' is not a column"),
        ({"weightCol": "nope"}, ValueError, r"weightCol 'nope' is not a column"),
        ({"labelCol": "s"}, TypeError, r"labelCol column 's' has type string"),
        ({"digits": -1}, ValueError, r"digits must be a number >= 0, got -1"),
        ({"digits": 1.5}, ValueError, r"digits must be a whole number, got 1.5"),
        ({"alpha": "high"}, ValueError, r"alpha must be a number >= 0, got 'high'"),
    ],
)
def test_bad_arguments_are_refused_naming_them(spark, kwargs, error, message):
    df = spark.createDataFrame(
        [(0.0, 0.0, 1.0, "a"), (1.0, 1.0, 1.0, "b")],
        "label double, prediction double, w double, s string",
    )
    with pytest.raises(error, match=message):
        classification_report_imbalanced(df, **kwargs)


def test_a_pandas_frame_and_null_labels_are_refused_naming_them(spark):
    import pandas as pd

    frame = pd.DataFrame({"label": [0.0, 1.0], "prediction": [0.0, 1.0]})
    with pytest.raises(TypeError, match=r"classification_report_imbalanced needs a Spark"):
        classification_report_imbalanced(frame)
    df = spark.createDataFrame([(None, 0.0), (1.0, 1.0)], "label double, prediction double")
    with pytest.raises(ValueError, match=r"labelCol 'label' has null or NaN values"):
        classification_report_imbalanced(df)
