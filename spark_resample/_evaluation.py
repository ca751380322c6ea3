"""Metrics for imbalanced classification, as a Spark ML Evaluator.

Spark's ``MulticlassClassificationEvaluator`` averages per-class metrics
weighted by class size ("f1", "weightedRecall", ...), so on data with 1 %
positives a model that predicts the majority everywhere scores about 0.98.
scikit-learn and imbalanced-learn judge such models by macro averages, in
which every class counts alike; this evaluator computes those, for
``CrossValidator`` and ``TrainValidationSplit`` or on its own:

* ``balancedAccuracy`` (default): the mean recall over the classes present
  in the labels (scikit-learn's ``balanced_accuracy_score``);
* ``geometricMean``: the geometric mean of the per-class recalls over the
  labels' and predictions' classes, 0 if a class has recall 0
  (imbalanced-learn's ``geometric_mean_score``; binary: the square root of
  sensitivity x specificity);
* ``macroF1``, ``macroPrecision``: the unweighted means over the labels' and
  predictions' classes, 0 where undefined (scikit-learn's ``f1_score`` and
  ``precision_score`` with ``average="macro"``).

One aggregation job counts (label, prediction) pairs, or sums ``weightCol``
over them; only the confusion matrix's cells that hold rows reach the driver
(at most classes x classes numbers).
"""

from __future__ import annotations

import math
from typing import Any, Dict, Tuple

from pyspark import keyword_only
from pyspark.ml.evaluation import Evaluator
from pyspark.ml.param import Param, Params
from pyspark.ml.param.shared import HasLabelCol, HasPredictionCol, HasWeightCol
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import NumericType

from ._base import require_columns, require_dataframe, require_types
from ._columns import col
from ._persistence import Persistable
from ._weight_sum import weight_sum

METRICS = ("balancedAccuracy", "geometricMean", "macroF1", "macroPrecision")


def to_metric_name(value: Any) -> str:
    if value not in METRICS:
        raise ValueError(f"metricName {value!r} is not known; use one of {', '.join(METRICS)}.")
    return value


class ImbalancedClassificationEvaluator(
    Evaluator, HasLabelCol, HasPredictionCol, HasWeightCol, Persistable
):
    """Macro-averaged metrics for imbalanced classification (see the module
    docstring). Larger is better for every metric.

    Examples
    --------
    >>> evaluator = ImbalancedClassificationEvaluator(metricName="geometricMean")  # doctest: +SKIP
    >>> cv = CrossValidator(estimator=pipeline, estimatorParamMaps=grid,
    ...                     evaluator=evaluator, numFolds=5)  # doctest: +SKIP
    """

    metricName = Param(
        Params._dummy(),
        "metricName",
        "metric: " + ", ".join(METRICS),
        typeConverter=to_metric_name,
    )

    @keyword_only
    def __init__(
        self,
        *,
        metricName: str = "balancedAccuracy",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        weightCol: str = None,
    ) -> None:
        super().__init__()
        self._setDefault(
            metricName="balancedAccuracy", labelCol="label", predictionCol="prediction"
        )
        self._set(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        metricName: str = "balancedAccuracy",
        labelCol: str = "label",
        predictionCol: str = "prediction",
        weightCol: str = None,
    ) -> ImbalancedClassificationEvaluator:
        return self._set(**self._input_kwargs)

    def setMetricName(self, value: str) -> ImbalancedClassificationEvaluator:
        return self._set(metricName=value)

    def getMetricName(self) -> str:
        return self.getOrDefault(self.metricName)

    def setLabelCol(self, value: str) -> ImbalancedClassificationEvaluator:
        return self._set(labelCol=value)

    def setPredictionCol(self, value: str) -> ImbalancedClassificationEvaluator:
        return self._set(predictionCol=value)

    def setWeightCol(self, value: str) -> ImbalancedClassificationEvaluator:
        return self._set(weightCol=value)

    def isLargerBetter(self) -> bool:
        return True

    def _evaluate(self, dataset: DataFrame) -> float:
        weight_col = self.getWeightCol() if self.isDefined(self.weightCol) else None
        cells = checked_confusion(
            dataset, self.getLabelCol(), self.getPredictionCol(), weight_col, type(self).__name__
        )
        return metric(self.getMetricName(), cells)


def checked_confusion(
    dataset: Any, label_col: str, prediction_col: str, weight_col: Any, caller: str
) -> Dict[Tuple[float, float], float]:
    """:func:`confusion` of ``dataset`` after checking, before any job, that
    it is a Spark DataFrame (``caller`` is named if not) with the columns,
    of number types."""
    require_dataframe(dataset, caller)
    require_columns(dataset, labelCol=label_col, predictionCol=prediction_col, weightCol=weight_col)
    # Checked before the job: cast to double, another type would read as nulls.
    for param, name in (
        ("labelCol", label_col),
        ("predictionCol", prediction_col),
        ("weightCol", weight_col),
    ):
        if name:
            require_types(dataset, param, [name], (NumericType,), f"{caller} needs numbers there.")
    return confusion(dataset, label_col, prediction_col, weight_col)


def confusion(
    df: DataFrame, label_col: str, prediction_col: str, weight_col: Any = None
) -> Dict[Tuple[float, float], float]:
    """The confusion matrix's cells that hold rows, (label, prediction) -> weight,
    labels and predictions as doubles (Spark ML's predictions are)."""
    weight = col(weight_col).cast("double") if weight_col else F.lit(1.0)
    # Unweighted, a cell's weight is its row count: no need to sum limbs.
    total = weight_sum(F.col("w")) if weight_col else F.count(F.lit(1)).cast("double")
    rows = (
        df.select(
            col(label_col).cast("double").alias("label"),
            col(prediction_col).cast("double").alias("prediction"),
            weight.alias("w"),
        )
        .groupBy("label", "prediction")
        .agg(
            total.alias("w"),
            F.min("w").alias("least"),
            F.count(F.lit(1)).alias("n"),
            F.count("w").alias("weighed"),
        )
        .collect()
    )
    cells: Dict[Tuple[float, float], float] = {}
    for row in rows:
        label, prediction, w = row["label"], row["prediction"], row["w"]
        for param, name, value in (
            ("labelCol", label_col, label),
            ("predictionCol", prediction_col, prediction),
        ):
            if value is None or math.isnan(value):
                raise ValueError(
                    f"{param} {name!r} has null or NaN values; drop or fill those rows "
                    "before evaluating."
                )
        if weight_col and (row["weighed"] < row["n"] or math.isnan(w) or row["least"] < 0):
            raise ValueError(
                f"weightCol {weight_col!r} has null, NaN or negative values; weights must be "
                "numbers >= 0."
            )
        # Cells of weight 0 count too: as in scikit-learn, a class is one of the
        # labels' or predictions' values whatever its rows weigh.
        cells[(label, prediction)] = cells.get((label, prediction), 0.0) + w
    return cells


class Tallies:
    """Per-class sums of a confusion matrix: the weight labelled, predicted
    and predicted right, for every class of the labels and predictions.
    Undefined ratios are 0, as scikit-learn's ``zero_division`` default gives."""

    def __init__(self, cells: Dict[Tuple[float, float], float]) -> None:
        self.true: Dict[float, float] = {}
        self.predicted: Dict[float, float] = {}
        # In the cells' order, not the order the job returned them in (which
        # can follow the partitioning): floating-point sums depend on it.
        for (label, prediction), w in sorted(cells.items()):
            self.true[label] = self.true.get(label, 0.0) + w
            self.predicted[prediction] = self.predicted.get(prediction, 0.0) + w
        self.total = sum(self.true[c] for c in sorted(self.true))
        if not self.total:
            raise ValueError("cannot evaluate an empty DataFrame (no rows, or all weights 0)")
        self.classes = sorted(set(self.true) | set(self.predicted))
        self.hits = {c: cells.get((c, c), 0.0) for c in self.classes}

    def recall(self, c: float) -> float:
        return self.hits[c] / self.true[c] if self.true.get(c) else 0.0

    def precision(self, c: float) -> float:
        return self.hits[c] / self.predicted[c] if self.predicted.get(c) else 0.0

    def specificity(self, c: float) -> float:
        """The recall of "not c": rows of other classes not predicted c."""
        negatives = self.total - self.true.get(c, 0.0)
        false_positives = self.predicted.get(c, 0.0) - self.hits[c]
        return (negatives - false_positives) / negatives if negatives else 0.0

    def f1(self, c: float) -> float:
        p, r = self.precision(c), self.recall(c)
        return 2 * p * r / (p + r) if p + r else 0.0


def metric(name: str, cells: Dict[Tuple[float, float], float]) -> float:
    """``name`` (one of METRICS) of the confusion matrix ``cells``."""
    tallies = Tallies(cells)
    if name == "balancedAccuracy":  # over the classes with labelled weight, as scikit-learn
        weighed = [c for c in tallies.classes if tallies.true.get(c)]
        return sum(tallies.recall(c) for c in weighed) / len(weighed)
    classes = tallies.classes
    if name == "geometricMean":
        recalls = [tallies.recall(c) for c in classes]
        if min(recalls) == 0.0:
            return 0.0
        return math.exp(sum(math.log(r) for r in recalls) / len(recalls))
    if name == "macroPrecision":
        return sum(tallies.precision(c) for c in classes) / len(classes)
    return sum(tallies.f1(c) for c in classes) / len(classes)
