"""Validation and fitting shared by the SMOTE family (``_SmoteEstimatorBase``):
the checks of the input and the parameters before any job, the per-class
checks in the class count's job, the neighbours per class and the memory
footprint."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Tuple

from pyspark.ml.functions import vector_to_array
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DateType,
    NumericType,
    StringType,
    TimestampNTZType,
    TimestampType,
)

from . import _buckets, _footprint
from ._base import (
    ClassStats,
    Sampler,
    SamplerModel,
    categorical_features,
    require_columns,
    require_types,
    require_vector,
)
from ._columns import any_not_finite, col, missing_counts, rows_missing_any
from ._smote_params import _MAX_SIZE, _MIN_SIZE, DEFAULT_MAX_OTHER_ROWS, _SmoteParams, _vector_sizes
from ._strategy import OVER, format_label

logger = logging.getLogger(__name__)

# What copyCols may hold: types that cross the generating UDF's Arrow
# batches as they are (nested types and vectors are not copied).
_COPYABLE = (
    NumericType,
    StringType,
    BooleanType,
    DateType,
    TimestampType,
    TimestampNTZType,
    BinaryType,
)

# Name in ClassStats.extra of the count of rows with a null, NaN or infinite
# feature (an array of one count; _check_features counts per column only when
# it is not 0). The vector size checks' names are in _smote_params.
_MISSING = "__missing"


class _SmoteEstimatorBase(Sampler, _SmoteParams):
    """Validation and fitting shared by the SMOTE family."""

    _kind = OVER

    def _neighbor_count(self) -> int:
        return self.getKNeighbors()

    def _validate_input(self, dataset: DataFrame) -> None:
        super()._validate_input(dataset)
        if self._neighbor_count() < 1:
            name = "nNeighbors" if self.hasParam("nNeighbors") else "kNeighbors"
            raise ValueError(f"{name} must be >= 1, got {self._neighbor_count()}.")
        if self.getMaxBucketSize() < 2 * (self._neighbor_count() + 1):
            raise ValueError(
                f"maxBucketSize {self.getMaxBucketSize()} is too small for "
                f"{self._neighbor_count()} neighbours; use at least "
                f"{2 * (self._neighbor_count() + 1)} (default 4096)."
            )
        if self.hasParam("maxOtherRows") and self.getOrDefault("maxOtherRows") < 1:
            raise ValueError(
                f"maxOtherRows must be >= 1, got {self.getOrDefault('maxOtherRows')} "
                f"(default {DEFAULT_MAX_OTHER_ROWS})."
            )
        marker = self.getSyntheticCol()
        # Compared ignoring case, as Spark resolves names by default: a column
        # "Is_Synthetic" would otherwise be overwritten by the marker.
        clash = [c for c in dataset.columns if c.lower() == marker.lower()]
        if clash:
            same = "" if clash[0] == marker else f" as {clash[0]!r} (names match ignoring case)"
            raise ValueError(
                f"syntheticCol {marker!r} is already a column of the DataFrame{same}; set "
                "syntheticCol to a new name or drop the column."
            )
        param = self._categories_param
        require_columns(dataset, **{f"{param}[{c!r}]": c for c in self._categorical_cols()})
        self._validate_feature_roles()
        self._validate_copy_cols(dataset)
        self._validate_features(dataset)

    def _validate_features(self, dataset: DataFrame) -> None:
        """The feature columns (or vector) exist and have types the variant interpolates."""
        categorical = self._categorical_cols()
        numeric = self._numeric_cols()
        if numeric is None:
            features = self.getFeaturesCol()
            # A table straight from CSV or SQL has feature columns, not a vector.
            also = ", or list the numeric feature columns in inputCols"
            require_columns(dataset, also, featuresCol=features)
            require_vector(dataset, features, "SMOTE", also)
            self._refuse_indexed_categories(dataset.schema[features].metadata)
            return
        if not numeric:
            if categorical:  # SMOTENC: every listed column is categorical
                raise ValueError(
                    f"SMOTENC needs at least one numeric feature in inputCols besides "
                    f"categoricalCols {categorical} (as imbalanced-learn's does). For "
                    "categorical features only, use SMOTEN."
                )
            raise ValueError("inputCols is empty; list at least one numeric column.")
        require_columns(dataset, **{f"inputCols[{c!r}]": c for c in numeric})
        require_types(
            dataset,
            "inputCols",
            numeric,
            (NumericType,),
            "SMOTE interpolates numeric features only. Cast it to a number, drop it, or "
            "(with SMOTENC) list it in categoricalCols.",
        )

    def _repeated_names_problem(self) -> Optional[Tuple[str, str]]:
        # idCol does not help: the synthetic rows are unioned by name.
        return ("synthetic rows join the table by column name", "")

    def _refuse_indexed_categories(self, metadata: Dict[str, Any]) -> None:
        """A vector whose ML attributes mark features nominal (VectorIndexer,
        or a StringIndexer output assembled): interpolated, a category index
        becomes one neither row has (between 0 and 2: 1), or no category at
        all, which a tree model truncates to one. One-hot dimensions
        ("binary") are interpolated, as imbalanced-learn's SMOTE does."""
        nominal = categorical_features(metadata, ("nominal",))
        if nominal:
            listed = ", ".join(f"{j} ({name!r})" for j, name in sorted(nominal.items()))
            raise ValueError(
                f"featuresCol {self.getFeaturesCol()!r} holds category indices (its ML "
                f"attributes mark feature(s) {listed} nominal); interpolated, they would "
                "become categories neither row has. Use SMOTENC on the columns before "
                "assembling (numeric ones in inputCols, categories in categoricalCols), "
                "or resample before indexing."
            )

    def _validate_feature_roles(self) -> None:
        """Refuse the label, weight or id column among the features (easy to do
        with ``inputCols=df.columns``, and never meant), and a feature listed
        twice. A label would leak the class into the neighbour search of
        BorderlineSMOTE and ADASYN, a weight would weigh in distances and then be
        overwritten, an interpolated id would give synthetic rows the ids of real
        rows, and a repeated feature would count twice in every distance."""
        roles = {self.getLabelCol(): "labelCol"}
        if self.isDefined(self.weightCol):
            roles[self.getWeightCol()] = "weightCol"
        if self.getIdCol() is not None:
            roles[self.getIdCol()] = "idCol"
        for param, names in (
            ("inputCols", self._numeric_cols() or []),
            (self._categories_param, self._categorical_cols()),
        ):
            for i, name in enumerate(names):
                if name in roles:
                    raise ValueError(
                        f"{param} lists {name!r}, which is {roles[name]}: it is not a "
                        f"feature to interpolate. Leave it out of {param}."
                    )
                if name in names[:i]:
                    raise ValueError(f"{param} lists {name!r} twice; list each feature once.")

    def _validate_copy_cols(self, dataset: DataFrame) -> None:
        copied = self.getCopyCols()
        if not copied:
            return
        require_columns(dataset, **{f"copyCols[{c!r}]": c for c in copied})
        computed = {
            self.getLabelCol(): "labelCol",
            **(
                {c: "inputCols" for c in self._numeric_cols()}
                if self._numeric_cols() is not None
                else {self.getFeaturesCol(): "featuresCol"}
            ),
            **{c: self._categories_param for c in self._categorical_cols()},
        }
        if self.isDefined(self.weightCol):
            computed[self.getWeightCol()] = "weightCol"
        for name in copied:
            if name in computed:
                raise ValueError(
                    f"copyCols column {name!r} is also {computed[name]}, which synthetic "
                    f"rows get computed; leave it out of copyCols."
                )
        require_types(
            dataset,
            "copyCols",
            copied,
            _COPYABLE,
            "copied columns must be numbers, strings, booleans, dates, timestamps or "
            "binary. Leave it out (it is then null on synthetic rows) or convert it.",
        )

    def _class_aggregates(self, dataset: DataFrame) -> Dict[str, Any]:
        """Null, NaN or infinite features and vector sizes, per class, in the class count's job."""
        numeric = self._numeric_cols()
        checks: Dict[str, Any] = {}
        if numeric is None:
            features = self.getFeaturesCol()
            # vector_to_array fails on null: nulls are counted, not converted.
            values = F.when(col(features).isNotNull(), vector_to_array(col(features)))
            checks[_MISSING] = F.array(
                F.count(F.when(col(features).isNull() | any_not_finite(values), 1))
            )
            checks[_MAX_SIZE] = F.max(F.size(values))
            checks[_MIN_SIZE] = F.min(F.size(values))
        else:
            # Counts of rows with any such value: the check every fit pays
            # for. Only when it finds some does a second job count them per
            # column, to name the culprits (_check_features).
            checks[_MISSING] = rows_missing_any(numeric)
        # A null category is a category of its own (as imbalanced-learn's
        # SMOTENC has it), so categorical columns need no check.
        return checks

    def _fit_model(
        self, model: SamplerModel, dataset: DataFrame, stats: ClassStats, targets: Dict[Any, int]
    ) -> None:
        grown = [c for c, t in targets.items() if t > stats.counts[c]]
        model._k_by_class = self._neighbors_per_class(stats, grown)
        model._median_std = {}
        if grown:
            self._check_features(stats, dataset)
            self._check_footprint(stats, targets, model._k_by_class)
            self._fit_extra(model, dataset, stats, grown)

    def _neighbors_per_class(self, stats: ClassStats, grown: List[Any]) -> Dict[Any, int]:
        k = self._neighbor_count()
        name = "nNeighbors" if self.hasParam("nNeighbors") else "kNeighbors"
        per_class = {}
        for label in grown:
            n = stats.counts[label]
            if n > k:
                per_class[label] = k
            elif self.getAllowFewerNeighbors() and n >= 2:
                logger.warning(
                    "class %s has %d rows, fewer than %s + 1 = %d; using %d neighbours",
                    format_label(label),
                    n,
                    name,
                    k + 1,
                    n - 1,
                )
                per_class[label] = n - 1
            else:
                raise ValueError(
                    f"class {format_label(label)} has {n} row(s); {type(self).__name__} "
                    f"needs at least {name} + 1 = {k + 1} rows of each over-sampled class. "
                    f"Set {name} to at most {max(n - 1, 1)}, set allowFewerNeighbors=True, "
                    "or leave the class out of samplingStrategy."
                )
        return per_class

    def _check_features(self, stats: ClassStats, dataset: DataFrame) -> None:
        """Raise for null, NaN or infinite features or vectors of differing sizes, from the
        per-class checks of ``_class_aggregates``."""
        per_class = list(stats.extra.values())
        numeric = self._numeric_cols()
        if numeric is None:
            named = {self.getFeaturesCol(): sum(checks[_MISSING][0] for checks in per_class)}
        elif any(any(checks[_MISSING]) for checks in per_class):
            named = dict(zip(numeric, dataset.select(missing_counts(numeric)).first()[0]))
        else:
            named = {}
        for name, missing in named.items():
            if missing:
                raise ValueError(
                    f"column {name!r} has {missing} row(s) with null, NaN or infinite "
                    "values; SMOTE cannot place a synthetic row from them. Drop or impute "
                    "those rows (e.g. pyspark.ml.feature.Imputer) before resampling."
                )
        if numeric is None:
            largest, smallest = _vector_sizes(stats)
            if largest != smallest:
                raise ValueError(
                    f"featuresCol {self.getFeaturesCol()!r} holds vectors of sizes "
                    f"{smallest} to {largest}; all must have the same size."
                )

    def _check_footprint(
        self, stats: ClassStats, targets: Dict[Any, int], k_by_class: Dict[Any, int]
    ) -> None:
        """Raise if a k-NN group or a tree sample would hold more feature values
        than ``_footprint`` allows as dense arrays (high-dimensional
        vectors), before the job that would exhaust a Python worker."""
        dimension = self._dimension(stats)
        total = sum(stats.counts.values())
        cap = self._other_rows_cap()
        plans = {
            c: _footprint.ClassPlan(
                rows=stats.counts[c],
                new_rows=targets[c] - stats.counts[c],
                k=k,
                others=0 if cap is None else min(cap, total - stats.counts[c]),
                spread_by_rows=cap is None,
            )
            for c, k in k_by_class.items()
        }
        bound, sample_rows = self.getMaxBucketSize(), _buckets.sample_rows(dimension)
        found = _footprint.excess(plans, bound, dimension, sample_rows)
        if found is None:
            return
        smallest = 2 * (self._neighbor_count() + 1)
        fitting = _footprint.largest_fitting_bound(plans, bound, smallest, dimension, sample_rows)
        what = self._dimension_text(dimension)
        remedies = [] if fitting is None else [f"set maxBucketSize to at most {fitting:,}"]
        if cap is not None:
            remedies.append(f"lower maxOtherRows (now {cap:,})")
        remedies.append(
            "reduce the dimension first (e.g. pyspark.ml.feature.PCA, "
            "UnivariateFeatureSelector, or a smaller HashingTF numFeatures)"
        )
        remedy = ", ".join(remedies) + ", or use RandomOverSampler, which copies rows of any size"
        raise ValueError(
            f"{what}; {type(self).__name__} holds its rows as dense arrays, sparse vectors "
            f"included, and here {found.where} would hold about {found.values:,} values, "
            f"above the {found.budget:,} allowed ({found.values * 8 / 2**30:.1f} GiB as "
            f"float64). {remedy[0].upper()}{remedy[1:]}."
        )

    def _fit_extra(
        self, model: SamplerModel, dataset: DataFrame, stats: ClassStats, grown: List[Any]
    ) -> None:
        """Hook for what a variant learns beyond the common checks."""
