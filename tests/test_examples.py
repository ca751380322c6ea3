"""The notebook example runs end to end (classic and Connect), on a small table."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "databricks_pipeline.py"


@pytest.fixture
def small_example(monkeypatch):
    monkeypatch.setenv("EXAMPLE_ROWS", "6000")


def test_databricks_example_tunes_and_scores_the_whole_test_set(spark, small_example, capsys):
    shown = []
    # As on Databricks: `spark` and `display` are given to the notebook.
    names = runpy.run_path(
        str(EXAMPLE), init_globals={"spark": spark, "display": lambda df: shown.append(df)}
    )
    printed = capsys.readouterr().out
    assert shown, "the class counts were not displayed"
    assert names["scored"].count() == names["test"].count()
    # The test set holds a fifth of each class, exactly (stratified_split).
    for label, n in names["raw"].groupBy("is_fraud").count().collect():
        assert names["test"].where(f"is_fraud = {label}").count() == n - int(n * 0.8 + 0.5)
    best = names["best"]
    assert best.targetCounts_[1] == best.classCounts_[1]  # every fraud row kept
    assert best.targetCounts_[0] < best.classCounts_[0]
    for name in ("tuned undersampling", "no resampling", "balanced class weights"):
        assert 0.0 < names["results"][name] <= 1.0
        assert f"test balanced accuracy, {name}:" in printed
    assert len(names["cv_model"].avgMetrics) == 4
    # What the notebook shows: without resampling the model predicts (almost)
    # no fraud; the tuned under-sampling learns the minority class.
    balanced_accuracy = names["balanced_accuracy"]
    assert balanced_accuracy["no resampling"] < 0.55
    assert balanced_accuracy["tuned undersampling"] > balanced_accuracy["no resampling"] + 0.08
    # And with weightCol the under-sampled model's probabilities are calibrated
    # again: their mean is the fraud rate, not the balanced data's half.
    rate, mean_probability = names["fraud_rate"], names["mean_probability"]
    assert abs(mean_probability["with weightCol"] - rate) < 0.25 * rate
    assert mean_probability["tuned undersampling"] > 5 * rate
