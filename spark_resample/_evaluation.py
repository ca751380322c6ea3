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
        require_dataframe(dataset, type(self).__name__)
        weight_col = self.getWeightCol() if self.isDefined(self.weightCol) else None
        label_col, prediction_col = self.getLabelCol(), self.getPredictionCol()
        require_columns(
            dataset, labelCol=label_col, predictionCol=prediction_col, weightCol=weight_col
        )
        # Checked before the job: cast to double, another type would read as nulls.
        for param, name in (
            ("labelCol", label_col),
            ("predictionCol", prediction_col),
            ("weightCol", weight_col),
        ):
            if name:
                require_types(
                    dataset, param, [name], (NumericType,), "the evaluator needs numbers there."
                )
        cells = confusion(dataset, label_col, prediction_col, weight_col)
        return metric(self.getMetricName(), cells)


def confusion(
    df: DataFrame, label_col: str, prediction_col: str, weight_col: Any = None
) -> Dict[Tuple[float, float], float]:
    """The confusion matrix's cells that hold rows, (label, prediction) -> weight,
    labels and predictions as doubles (Spark ML's predictions are)."""
    weight = col(weight_col).cast("double") if weight_col else F.lit(1.0)
    rows = (
        df.select(
            col(label_col).cast("double").alias("label"),
            col(prediction_col).cast("double").alias("prediction"),
            weight.alias("w"),
        )
        .groupBy("label", "prediction")
        .agg(
            F.sum("w").alias("w"),
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


def metric(name: str, cells: Dict[Tuple[float, float], float]) -> float:
    """``name`` (one of METRICS) of the confusion matrix ``cells``."""
    true: Dict[float, float] = {}
    predicted: Dict[float, float] = {}
    for (label, prediction), w in cells.items():
        true[label] = true.get(label, 0.0) + w
        predicted[prediction] = predicted.get(prediction, 0.0) + w
    if not any(true.values()):
        raise ValueError("cannot evaluate an empty DataFrame (no rows, or all weights 0)")
    hits = {label: cells.get((label, label), 0.0) for label in set(true) | set(predicted)}

    def recall(c: float) -> float:
        return hits[c] / true[c] if true.get(c) else 0.0

    def precision(c: float) -> float:
        return hits[c] / predicted[c] if predicted.get(c) else 0.0

    if name == "balancedAccuracy":  # over the classes with labelled weight, as scikit-learn
        weighed = [c for c in true if true[c]]
        return sum(recall(c) for c in weighed) / len(weighed)
    classes = sorted(hits)
    if name == "geometricMean":
        recalls = [recall(c) for c in classes]
        if min(recalls) == 0.0:
            return 0.0
        return math.exp(sum(math.log(r) for r in recalls) / len(recalls))
    if name == "macroPrecision":
        return sum(precision(c) for c in classes) / len(classes)
    f1 = [
        2 * precision(c) * recall(c) / (precision(c) + recall(c))
        if precision(c) + recall(c)
        else 0.0
        for c in classes
    ]
    return sum(f1) / len(f1)
