"""Class weights as a column, for models that take a weightCol."""

from __future__ import annotations

import math
from typing import Any, Dict

from pyspark import keyword_only
from pyspark.ml import Estimator, Model
from pyspark.ml.param import Param, Params
from pyspark.ml.param.shared import HasLabelCol, HasWeightCol
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ._base import class_stats, require_dataframe
from ._collation import collation_of, key_checks, respelled
from ._columns import col, label_lookup
from ._params import pairs_to_dict, to_label_counts
from ._persistence import Persistable
from ._strategy import format_label, match_keys, plain_value


def to_class_weights(value: Any):
    if isinstance(value, str):
        if value.strip().lower() != "balanced":
            raise ValueError(
                f"classWeights {value!r} is not known; use 'balanced' or a dict {{label: weight}}."
            )
        return "balanced"
    if isinstance(value, dict):
        value = {plain_value(label): plain_value(weight) for label, weight in value.items()}
        for label, weight in value.items():
            if (
                isinstance(weight, bool)
                or not isinstance(weight, (int, float))
                or math.isnan(weight)
                or weight <= 0
            ):
                raise ValueError(
                    f"classWeights gives class {format_label(label)} the weight {weight!r}; "
                    "class weights must be positive numbers."
                )
        return {label: float(weight) for label, weight in value.items()}
    raise TypeError(f"classWeights must be 'balanced' or a dict {{label: weight}}, got {value!r}.")


class _ClassWeighterParams(HasLabelCol, HasWeightCol):
    classWeights = Param(
        Params._dummy(),
        "classWeights",
        "'balanced' (n / (classes x class count), as scikit-learn) or a dict "
        "{label: weight}; classes missing from the dict weigh 1",
        typeConverter=to_class_weights,
    )
    learnedWeights = Param(
        Params._dummy(),
        "learnedWeights",
        "the weight per class learned by fit, as [[label, weight], ...]",
        typeConverter=to_label_counts,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(
            labelCol="label", weightCol="weight", classWeights="balanced", learnedWeights=[]
        )

    def getClassWeights(self):
        return self.getOrDefault(self.classWeights)


class ClassWeighterModel(Model, _ClassWeighterParams, Persistable):
    """Writes ``weightCol`` = existing weight (1 if absent) x class weight.

    Data without the label column (scoring data) passes through unchanged;
    classes not seen by fit keep their weight."""

    @property
    def classWeights_(self) -> Dict[Any, float]:
        return pairs_to_dict(self.getOrDefault(self.learnedWeights))

    def _transform(self, dataset: DataFrame) -> DataFrame:
        label_col, weight_col = self.getLabelCol(), self.getWeightCol()
        # The schema once: over Spark Connect each read is a copy.
        types = {field.name: field.dataType for field in dataset.schema.fields}
        if label_col not in types:
            return dataset
        existing = col(weight_col).cast("double") if weight_col in types else F.lit(1.0)
        weights = label_lookup(col(label_col), self.classWeights_, collation_of(types[label_col]))
        factor = F.coalesce(weights, F.lit(1.0))
        return dataset.withColumn(weight_col, existing * factor)


class ClassWeighter(Estimator, _ClassWeighterParams, Persistable):
    """Add or multiply a class-weight column.

    ``classWeights="balanced"`` learns n / (k x n_c) per class c (k classes,
    n rows), scikit-learn's ``class_weight="balanced"``; a dict gives the
    weights directly. Pair it with a classifier's ``weightCol``.

    Examples
    --------
    >>> model = ClassWeighter(weightCol="w").fit(df)            # doctest: +SKIP
    >>> model.classWeights_                                     # doctest: +SKIP
    {0: 0.505, 1: 50.0}
    """

    @keyword_only
    def __init__(
        self, *, labelCol: str = "label", weightCol: str = "weight", classWeights: Any = "balanced"
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self, *, labelCol: str = "label", weightCol: str = "weight", classWeights: Any = "balanced"
    ) -> ClassWeighter:
        return self._set(**self._input_kwargs)

    def setLabelCol(self, value: str) -> ClassWeighter:
        return self._set(labelCol=value)

    def setWeightCol(self, value: str) -> ClassWeighter:
        return self._set(weightCol=value)

    def setClassWeights(self, value: Any) -> ClassWeighter:
        return self._set(classWeights=value)

    def _fit(self, dataset: DataFrame) -> ClassWeighterModel:
        require_dataframe(dataset, type(self).__name__)
        wanted = self.getClassWeights()
        label_col = self.getLabelCol()
        stats = class_stats(
            dataset,
            label_col,
            self.getWeightCol(),
            key_checks(dataset, label_col, wanted, "classWeights"),
        )
        counts = stats.counts
        if len(counts) < 2:
            only = ", ".join(format_label(c) for c in counts) or "none"
            raise ValueError(
                f"labelCol {self.getLabelCol()!r} holds a single class ({only}); class "
                "weights need at least two classes."
            )
        wanted = respelled(wanted, stats.extra, "classWeights")
        if wanted == "balanced":
            total = sum(counts.values())
            weights = {c: total / (len(counts) * n) for c, n in counts.items()}
        else:
            weights = match_keys(wanted, counts, "classWeights")
        model = ClassWeighterModel()
        self._copyValues(model)
        return model._set(learnedWeights=weights)
