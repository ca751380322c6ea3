"""The sampler base: class statistics, input validation and the train-only
fit/transform contract shared by every sampler.

A sampler is an Estimator. ``fit(df)`` counts the classes once and returns a
model that remembers (by weak reference) the DataFrame it was fitted on. The
model resamples only that very DataFrame and passes any other through
unchanged. ``Pipeline.fit`` calls ``model.transform`` on the object it has just
fitted on, so the next stage trains on resampled data, while at predict time,
in CrossValidator's validation folds and after save/load, data passes through.
A fitted PipelineModel's transform passes even the fitted-on DataFrame through
(``_scoring``): scoring the training data scores every row.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from pyspark.errors import AnalysisException
from pyspark.ml import Estimator, Model
from pyspark.ml.linalg import VectorUDT
from pyspark.ml.util import MLWriter
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DataType,
    DoubleType,
    FloatType,
    IntegralType,
    NumericType,
    StringType,
)

from ._collation import collation_of, key_checks, respelled
from ._columns import col, label_lookup
from ._params import (
    HasClassCounts,
    HasFixedSeed,
    HasIdCol,
    HasLabelCol,
    HasSamplingStrategy,
    HasWeightCol,
)
from ._persistence import Persistable
from ._random import row_hash, uniform
from ._scoring import in_pipeline_scoring
from ._strategy import (
    called_strategy,
    describe_callable,
    format_label,
    in_label_order,
    is_callable_strategy,
    resolve_targets,
)
from ._weight_sum import weight_sum


@dataclass(frozen=True)
class ClassStats:
    """Per-class row counts and weight sums of one DataFrame, and per class the
    values of any extra aggregates a sampler asked for (``class_stats``'s ``extra``)."""

    counts: Dict[Any, int]
    weight_sums: Dict[Any, float]
    extra: Dict[Any, Dict[str, Any]] = field(default_factory=dict)
    # The string label's collation if not binary (Spark 4): lookups need it.
    label_collation: Optional[str] = None


def require_dataframe(dataset: Any, stage: str) -> None:
    """Raise ``TypeError`` unless ``dataset`` is a Spark DataFrame (classic or
    Spark Connect): a pandas or pandas-on-Spark frame otherwise fails later on
    an attribute it lacks ("'Index' object has no attribute 'count'")."""
    if isinstance(dataset, DataFrame):
        return
    try:  # Spark 3.5's Connect DataFrame is not a pyspark.sql.DataFrame
        from pyspark.sql.connect.dataframe import DataFrame as ConnectDataFrame

        if isinstance(dataset, ConnectDataFrame):
            return
    except Exception:  # Connect's dependencies are not installed
        pass
    kind = f"{type(dataset).__module__}.{type(dataset).__qualname__}"
    raise TypeError(
        f"{stage} needs a Spark DataFrame, got a {kind}. Convert a pandas DataFrame with "
        "spark.createDataFrame(pdf), a pandas-on-Spark one with psdf.to_spark()."
    )


def require_columns(df: DataFrame, otherwise: str = "", **columns: Optional[str]) -> None:
    """Raise if a named column is missing; ``columns`` maps param name to value.
    ``otherwise`` adds another remedy (", or ...")."""
    existing = df.columns  # once: over Spark Connect each call copies the schema
    for param, name in columns.items():
        if name is not None and name not in existing:
            raise ValueError(
                f"{param} {name!r} is not a column of the DataFrame; its columns are "
                f"{existing}. Set {param} to the right column name{otherwise}."
            )


def require_types(
    df: DataFrame, param: str, names: Iterable[str], allowed: Tuple[type, ...], why: str
) -> None:
    """Raise ``TypeError`` for the first of ``names`` (columns given by
    ``param``) whose type is none of ``allowed``; ``why`` says what is needed
    and what to do."""
    schema = df.schema  # once: a copy per call over Spark Connect
    for name in names:
        data_type = schema[name].dataType
        if not isinstance(data_type, allowed):
            raise TypeError(f"{param} column {name!r} has type {data_type.simpleString()}; {why}")


def require_vector(df: DataFrame, name: str, needed_by: str, otherwise: str = "") -> None:
    """Raise ``TypeError`` unless featuresCol ``name`` holds Spark ML vectors.
    An array of numbers (embeddings, pandas-made features) is one function call
    away, which the message shows; ``otherwise`` adds another remedy."""
    data_type = df.schema[name].dataType
    if isinstance(data_type, VectorUDT):
        return
    if isinstance(data_type, ArrayType) and isinstance(data_type.elementType, NumericType):
        remedy = (
            f"Convert it: df.withColumn({name!r}, pyspark.ml.functions.array_to_vector({name!r}))"
        )
    else:
        remedy = "Build one with VectorAssembler"
    raise TypeError(
        f"featuresCol {name!r} has type {data_type.simpleString()}; {needed_by} needs a "
        f"Spark ML vector column. {remedy}{otherwise}."
    )


def categorical_features(metadata: Mapping[str, Any], kinds: Sequence[str]) -> Dict[int, str]:
    """{index: name} of a vector column's features whose ML attributes (in
    the column's metadata, written by VectorAssembler, VectorIndexer,
    OneHotEncoder) are of ``kinds``: "nominal" (category indices) or
    "binary" (one-hot dimensions)."""
    attrs = metadata.get("ml_attr", {}).get("attrs", {})
    return {
        int(a["idx"]): str(a.get("name", f"#{a['idx']}"))
        for kind in kinds
        for a in attrs.get(kind, [])
    }


def _is_streaming(df: DataFrame) -> bool:
    """``df.isStreaming``, or False where even that fails (a plan that does not
    analyse): the caller then re-raises its own error, not this one."""
    try:
        return bool(df.isStreaming)
    except Exception:
        return False


def require_distinct_names(df: DataFrame, reason: str, remedy: str = "") -> None:
    """Raise if a column name occurs more than once (a join keeps both sides'
    columns of the same name): Spark cannot tell such columns apart by name."""
    names = df.columns
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(
            f"column name(s) {repeated} occur more than once in the DataFrame (e.g. after "
            f"a join); {reason}, and columns of the same name cannot be told apart. Drop "
            f"or rename the repeats before resampling{remedy}."
        )


# Helper columns the samplers add to the rows while they work (and drop
# before returning) start with these; a user column of such a name would be
# overwritten by one, then dropped with it.
RESERVED_PREFIXES = ("__spark_resample_", "__smote_")


def require_no_reserved_names(df: DataFrame) -> None:
    """Raise if a column name starts with a prefix the samplers' helper columns use."""
    taken = [n for n in df.columns if n.startswith(RESERVED_PREFIXES)]
    if taken:
        raise ValueError(
            f"column name(s) {taken} start with {' or '.join(map(repr, RESERVED_PREFIXES))}, "
            "which spark-resample keeps for the helper columns it adds while resampling; "
            "such a column would be overwritten and dropped. Rename it before resampling."
        )


def _check_label_type(df: DataFrame, label_col: str) -> DataType:
    data_type = df.schema[label_col].dataType
    if isinstance(data_type, (IntegralType, FloatType, DoubleType, StringType, BooleanType)):
        return data_type
    raise TypeError(
        f"labelCol {label_col!r} has type {data_type.simpleString()}; labels must be "
        "integer, float/double, string or boolean. Cast the column, e.g. to double or string."
    )


def _check_weight_type(df: DataFrame, weight_col: str) -> None:
    data_type = df.schema[weight_col].dataType
    if not isinstance(data_type, NumericType):
        raise TypeError(
            f"weightCol {weight_col!r} has type {data_type.simpleString()}; weights must "
            "be numeric. Cast the column to double."
        )


def class_stats(
    df: DataFrame,
    label_col: str,
    weight_col: Optional[str] = None,
    extra: Optional[Mapping[str, Column]] = None,
) -> ClassStats:
    """Count rows (and sum weights) per class in one aggregation job, and raise
    ``ValueError`` for null or NaN labels and null, NaN or non-positive weights.

    ``weight_col`` is used only if it is a column of ``df``; otherwise every
    row weighs 1. ``extra`` maps names to aggregate expressions evaluated per
    class in the same job (a sampler's own input checks: one scan, not two).
    The result has one row per class, so collecting it is safe.
    """
    require_columns(df, labelCol=label_col)
    label_type = _check_label_type(df, label_col)
    label = col(label_col)
    has_weight = weight_col is not None and weight_col in df.columns
    aggregates = [F.count(F.lit(1)).alias("n")]
    if has_weight:
        _check_weight_type(df, weight_col)
        weight = col(weight_col).cast("double")
        aggregates += [
            weight_sum(weight).alias("w"),
            F.count(F.when(weight.isNull() | F.isnan(weight), 1)).alias("w_missing"),
            F.count(F.when(weight <= 0, 1)).alias("w_nonpositive"),
        ]
    extra = dict(extra or {})
    aliases = {name: f"__extra_{i}" for i, name in enumerate(extra)}
    aggregates += [expr.alias(aliases[name]) for name, expr in extra.items()]
    collation = collation_of(label_type)
    if collation:
        # groupBy names a collated class ("Fraud", "fraud") by whichever
        # spelling it met first, which follows the partitioning; the class is
        # named by its smallest spelling in binary order instead, so that
        # classCounts_, ties and the SMOTE family's per-class draws do not.
        aggregates.append(F.min(F.collate(label, "UTF8_BINARY")).alias("__spelling"))
    try:
        rows = df.groupBy(label.alias("label")).agg(*aggregates).collect()
    except AnalysisException:
        # Asked only after the count failed: over Spark Connect each question
        # about a DataFrame is a round trip to the server.
        if _is_streaming(df):
            raise ValueError(
                "fit needs a batch DataFrame, and this one is streaming: the class "
                "counts are those of the whole table, which a stream never finishes. "
                "Resample each micro-batch instead: "
                "stream.writeStream.foreachBatch(lambda batch, _: "
                "sampler.resample(batch).write.mode('append').saveAsTable(...))."
            ) from None
        raise

    counts: Dict[Any, int] = {}
    weight_sums: Dict[Any, float] = {}
    extras: Dict[Any, Dict[str, Any]] = {}
    for row in rows:
        value = row["__spelling"] if collation else row["label"]
        if value is None:
            raise ValueError(
                f"labelCol {label_col!r} has {row['n']} null value(s). Drop or fill the rows "
                "with a null label before resampling."
            )
        if isinstance(value, float) and math.isnan(value):
            raise ValueError(
                f"labelCol {label_col!r} has {row['n']} NaN value(s). Drop or fill the rows "
                "with a NaN label before resampling."
            )
        if has_weight and row["w_missing"]:
            raise ValueError(
                f"weightCol {weight_col!r} has {row['w_missing']} null or NaN value(s) in "
                f"class {format_label(value)}. Fill them (e.g. with 1.0) before resampling."
            )
        if has_weight and row["w_nonpositive"]:
            raise ValueError(
                f"weightCol {weight_col!r} has {row['w_nonpositive']} zero or negative "
                f"value(s) in class {format_label(value)}; weights must be positive. "
                "Drop those rows or fix the weights."
            )
        counts[value] = int(row["n"])
        weight_sums[value] = float(row["w"]) if has_weight else float(row["n"])
        extras[value] = {name: row[alias] for name, alias in aliases.items()}
    if not counts:
        # Said apart from "a single class": an empty input usually means a
        # filter or a join upstream removed every row.
        raise ValueError(
            f"The DataFrame has no rows, so labelCol {label_col!r} has no class to count. "
            "Check the filters or joins that built it."
        )
    # In label order: the rows came in an order that follows the input's
    # partitioning, and the counts reach users (classCounts_, a callable
    # strategy) and whatever iterates over them.
    order = in_label_order(counts)
    return ClassStats(
        counts={c: counts[c] for c in order},
        weight_sums={c: weight_sums[c] for c in order},
        extra={c: extras[c] for c in order},
        label_collation=collation,
    )


class _SamplerParams(HasLabelCol, HasFixedSeed, HasSamplingStrategy, HasWeightCol, HasIdCol):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(labelCol="label")

    def setLabelCol(self, value: str):
        return self._set(labelCol=value)

    def setWeightCol(self, value: str):
        return self._set(weightCol=value)

    def setSeed(self, value: int):
        return self._set(seed=value)


class SamplerModel(Model, _SamplerParams, HasClassCounts, Persistable):
    """A fitted sampler: resamples the DataFrame it was fitted on, passes any
    other through unchanged."""

    _fitted_on: Optional[weakref.ReferenceType[DataFrame]] = None

    def _transform(self, dataset: DataFrame) -> DataFrame:
        fitted_on = self._fitted_on() if self._fitted_on is not None else None
        if fitted_on is None or fitted_on is not dataset or in_pipeline_scoring():
            return dataset
        return self._resample(dataset)

    def _resample(self, dataset: DataFrame) -> DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def _collation(self) -> Optional[str]:
        """The fitted string label's collation if not binary (for lookups)."""
        return self._class_stats.label_collation

    # Helpers for the samplers' _resample.

    _DRAW = "__spark_resample_u"
    _HASH = "__spark_resample_h"
    _COPY = "__spark_resample_copy"  # a row's copy number, where rows are repeated
    # The helper columns of a repeated row, in the order they are appended.
    _COPY_HELPERS = [_HASH, _DRAW, _COPY]

    def _row_hash(self, dataset: DataFrame) -> Column:
        """The row's 64-bit hash of (seed, row key)."""
        return row_hash(dataset, self.getOrDefault(self.seed), self.getIdCol())

    def _draw(self, dataset: DataFrame) -> Column:
        """The row's uniform draw in [0, 1) from (seed, row key)."""
        return uniform(self._row_hash(dataset))

    def _with_draw(self, dataset: DataFrame, only: Optional[Column] = None) -> DataFrame:
        """Add the row's hash of (seed, row key) and a uniform draw from it.
        With ``only``, other rows get nulls and are not hashed at all."""
        hashed = self._row_hash(dataset)
        if only is not None:
            hashed = F.when(only, hashed)
        return dataset.withColumn(self._HASH, hashed).withColumn(
            self._DRAW, uniform(F.col(self._HASH))
        )

    def _targeted(self) -> Dict[Any, int]:
        """Classes whose count changes, with their final count."""
        counts = self.classCounts_
        return {label: n for label, n in self.targetCounts_.items() if n != counts[label]}

    def _finish(
        self,
        resampled: DataFrame,
        columns: List[str],
        factors: Dict[Any, float],
        appended: Optional[List[str]] = None,
    ) -> DataFrame:
        """Keep ``columns`` in their order (dropping helper columns); with
        ``weightCol`` set, multiply each class's weight (1 where the column is
        new) by its factor.

        ``appended``: when the caller knows that ``resampled`` holds
        ``columns`` in order followed by these helper columns, no schema is
        read; over Spark Connect each read of a new DataFrame's columns is a
        round trip to the server (about 50 ms on a local one).

        Each column named separately costs a call to the JVM (or a Connect
        message) in building the plan, which at 2M rows measured a third of a
        plain scan: drop helpers by name and rescale with one ``withColumn``."""
        if appended is not None:
            if appended:
                resampled = resampled.drop(*appended)
        else:
            helpers = [c for c in resampled.columns if c not in columns]
            if helpers:
                resampled = resampled.drop(*helpers)
            if resampled.columns != columns:
                resampled = resampled.select(*[col(c) for c in columns])
        if not self.isDefined(self.weightCol):
            return resampled
        weight_col = self.getWeightCol()
        weight = col(weight_col).cast("double") if weight_col in columns else F.lit(1.0)
        lookup = label_lookup(col(self.getLabelCol()), factors, self._collation())
        factor = F.coalesce(lookup, F.lit(1.0))
        # Replaces the column in place, or appends it when it is new.
        return resampled.withColumn(weight_col, weight * factor)


class Sampler(Estimator, _SamplerParams, Persistable):
    """Template for every sampler: validate, count, resolve the targets, then
    hand over to the sampler's own ``_fit_model``."""

    _kind: str  # strategy.OVER or strategy.UNDER
    _model_class: type

    def _set_given(self, kwargs: Dict[str, Any]) -> Sampler:
        """``setParams`` body: optional params left at None keep their defaults."""
        return self._set(**{k: v for k, v in kwargs.items() if v is not None})

    def resample(self, dataset: DataFrame) -> DataFrame:
        """Resample ``dataset`` directly: ``fit(dataset).transform(dataset)``."""
        return self.fit(dataset).transform(dataset)

    def write(self) -> MLWriter:
        strategy = self.getSamplingStrategy()
        if is_callable_strategy(strategy):
            raise TypeError(
                f"samplingStrategy is a callable ({describe_callable(strategy)}), which "
                "cannot be saved: Spark ML saves params as JSON. Save the fitted model "
                "instead (it keeps the dict the callable returned), or give this sampler a "
                "dict or a named strategy."
            )
        return super().write()

    def _validate_input(self, dataset: DataFrame) -> None:
        """Checks a sampler adds to the common ones; runs before any job."""
        require_columns(dataset, idCol=self.getIdCol())
        require_no_reserved_names(dataset)
        problem = self._repeated_names_problem()
        if problem:
            require_distinct_names(dataset, *problem)

    def _repeated_names_problem(self) -> Optional[Tuple[str, str]]:
        """Why column names that occur twice break this sampler, and the remedy
        beyond renaming; None if they do not."""
        if self.getIdCol() is None:
            return (
                "without idCol every column is part of each row's random draw",
                ", or set idCol to a column that identifies rows",
            )
        return None

    def _fit(self, dataset: DataFrame) -> SamplerModel:
        require_dataframe(dataset, type(self).__name__)
        self._validate_input(dataset)
        strategy, label_col = self.getSamplingStrategy(), self.getLabelCol()
        stats = class_stats(
            dataset,
            label_col,
            self._weight_col_or_none(),
            {
                **self._class_aggregates(dataset),
                **key_checks(dataset, label_col, strategy, "samplingStrategy"),
            },
        )
        strategy = respelled(strategy, stats.extra, "samplingStrategy")
        # A callable is called once; the model keeps the dict it returned,
        # which (unlike the callable) can be saved.
        called = called_strategy(strategy, stats.counts)
        targets = resolve_targets(called, stats.counts, self._kind)
        model = self._model_class()
        self._copyValues(model)
        if called is not strategy:
            model._set(samplingStrategy=called)
        final = dict(stats.counts)
        final.update(targets)
        model._set(classCounts=stats.counts, targetCounts=final)
        model._class_stats = stats
        self._fit_model(model, dataset, stats, targets)
        model._fitted_on = weakref.ref(dataset)
        return model

    def _class_aggregates(self, dataset: DataFrame) -> Dict[str, Column]:
        """Hook: aggregates a sampler needs per class, computed in the class
        count's job (``ClassStats.extra``) instead of a job of their own."""
        return {}

    def _weight_col_or_none(self) -> Optional[str]:
        return self.getOrDefault(self.weightCol) if self.isDefined(self.weightCol) else None

    def _fit_model(
        self, model: SamplerModel, dataset: DataFrame, stats: ClassStats, targets: Dict[Any, int]
    ) -> None:
        """Hook for what a sampler learns beyond the class counts."""
