"""Random over-sampling: every original row stays, minority rows are repeated."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Union

from pyspark import keyword_only
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.param import Param, Params
from pyspark.ml.param.shared import HasFeaturesCol
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ._base import (
    ClassStats,
    Sampler,
    SamplerModel,
    categorical_features,
    require_columns,
    require_vector,
)
from ._collation import key_checks, respelled
from ._columns import any_not_finite, col, label_in, label_lookup
from ._exact import cut_condition, find_cuts, partial_ties
from ._feature_std import feature_std
from ._params import HasExact, pairs_to_dict, to_label_counts
from ._random import poisson_copies, standard_normal
from ._strategy import OVER, format_label, match_keys, plain_value

Shrinkage = Union[None, float, Dict[Any, float]]


def _shrinkage_factor(value: Any, of: str) -> float:
    value = plain_value(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(
            f"shrinkage{of} must be a number >= 0 (or, for the whole param, a dict "
            f"{{label: number}}), got {type(value).__name__} {value!r}."
        )
    if math.isnan(value) or value < 0:
        raise ValueError(f"shrinkage{of} must be >= 0, got {value}.")
    return float(value)


def to_shrinkage(value: Any) -> Shrinkage:
    """None, one factor for every over-sampled class, or imbalanced-learn's
    dict form {label: factor}. Persisted as JSON, a dict's keys come back as
    strings; the fit matches them to the classes as it does a strategy's."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {
            plain_value(label): _shrinkage_factor(factor, f" for class {format_label(label)}")
            for label, factor in value.items()
        }
    return _shrinkage_factor(value, "")


class _OverSamplerParams(HasFeaturesCol, HasExact):
    shrinkage = Param(
        Params._dummy(),
        "shrinkage",
        "if set (>= 0), added copies get Gaussian noise on featuresCol (a smoothed "
        "bootstrap, as imbalanced-learn's shrinkage): per-feature std of the class x "
        "shrinkage x (4 / ((d + 2) n)) ** (1 / (d + 4)); a dict {label: shrinkage} "
        "gives each over-sampled class its own",
        typeConverter=to_shrinkage,
    )
    featureScales = Param(
        Params._dummy(),
        "featureScales",
        "learned noise scale per feature for each over-sampled class (with shrinkage)",
        typeConverter=to_label_counts,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(featuresCol="features", shrinkage=None, featureScales=[])

    def getShrinkage(self):
        return self.getOrDefault(self.shrinkage)


class RandomOverSamplerModel(SamplerModel, _OverSamplerParams):
    """Fitted :class:`RandomOverSampler`."""

    def _resample(self, dataset: DataFrame) -> DataFrame:
        """One pass: every row is exploded into itself (copy 0) and its copies.

        Only rows of grown classes are hashed and get a generated array; the
        others explode a constant one-element array. Unioning the input with
        the copies instead was measured slower: a second scan of the input
        costs more than exploding every row in the first."""
        columns = dataset.columns
        stats = self._class_stats
        added = {c: k - stats.counts[c] for c, k in self._targeted().items()}
        if not added:
            return self._finish(dataset, columns, {})
        label, collation = col(self.getLabelCol()), self._collation()
        grown = label_in(label, added, collation)
        drawn = self._with_draw(dataset, only=grown)
        draw = F.col(self._DRAW)
        extra = None
        if self.getExact():
            # q copies of every row, plus one more for exactly r of them.
            whole = {c: a // stats.counts[c] for c, a in added.items()}
            rest = {
                c: (stats.counts[c], a % stats.counts[c])
                for c, a in added.items()
                if a % stats.counts[c]
            }
            weight_col = self.getWeightCol() if self.isDefined(self.weightCol) else None
            cuts = find_cuts(
                drawn,
                self.getLabelCol(),
                draw,
                rest,
                weight_col if weight_col in columns else None,
                collation,
            )
            copies = label_lookup(label, whole, collation) + F.when(
                cut_condition(self.getLabelCol(), draw, cuts, collation), 1
            ).otherwise(0)
            ties = partial_ties(drawn, self.getLabelCol(), draw, cuts)
            if ties is not None:
                # The one extra copy of identical rows that a cut splits.
                extra = ties.withColumn(self._COPY, label_lookup(label, whole, collation) + 1)
            factors = {}
            for c in added:
                kept = cuts[c].kept_weight if c in cuts else 0.0
                factors[c] = stats.weight_sums[c] / ((1 + whole[c]) * stats.weight_sums[c] + kept)
        else:
            means = {c: a / stats.counts[c] for c, a in added.items()}
            copies = poisson_copies(label, means, draw, collation)
            factors = {c: 1.0 / (1.0 + a / stats.counts[c]) for c, a in added.items()}
        # Copy 0 is the original row. array(0) is a constant: no array per row.
        copy_numbers = F.when(grown, F.sequence(F.lit(0), copies)).otherwise(F.array(F.lit(0)))
        repeated = drawn.select("*", F.explode(copy_numbers).alias(self._COPY))
        if extra is not None:
            repeated = repeated.union(extra)  # by position, as in _under
        if self.getShrinkage() is not None:
            repeated = self._add_noise(repeated, dataset.schema[self.getFeaturesCol()].metadata)
        return self._finish(repeated, columns, factors, appended=self._COPY_HELPERS)

    def _add_noise(self, repeated: DataFrame, metadata: Dict[str, Any]) -> DataFrame:
        """``metadata``: the features column's, kept on the noisy column (its
        ML attributes tell a tree model which features are categorical)."""
        features = self.getFeaturesCol()
        scales = label_lookup(
            col(self.getLabelCol()),
            pairs_to_dict(self.getOrDefault(self.featureScales)),
            self._collation(),
        )
        hashed, copy = F.col(self._HASH), F.col(self._COPY)
        # A higher-order function, unlike SMOTE's points (_smote_sql.TERMS_UP_TO):
        # written term by term, 20 features' normal draws make a generated
        # method too large for the JVM to compile, and 1M rows took 11.2-12.6 s
        # against 3.1-4.4 s with transform (the same values; side by side).
        noisy = array_to_vector(
            F.transform(
                vector_to_array(col(features)),
                lambda x, i: x + F.element_at(scales, i + 1) * standard_normal(hashed, copy, i),
            )
        )
        # Originals (copy 0) and classes without learned scales stay as they were.
        noisy_copies = F.when((copy > 0) & scales.isNotNull(), noisy).otherwise(col(features))
        # withMetadata, not alias(metadata=): over Spark Connect, withColumn
        # drops an alias's metadata.
        return repeated.withColumn(features, noisy_copies).withMetadata(features, metadata)


class RandomOverSampler(Sampler, _OverSamplerParams):
    """Over-sample the targeted classes by repeating randomly drawn rows.

    Every original row stays exactly once; added rows are copies of rows of
    the same class.

    Parameters
    ----------
    labelCol : str, default "label"
    samplingStrategy : str, float, dict or callable, default "auto"
        "auto" (= "not majority"), "minority", "not minority", "not majority",
        "all"; a float ratio minority/majority after resampling (binary labels);
        a dict ``{label: final count}``; or a callable given the class counts
        ``{label: rows}`` at fit and returning such a dict.
    exact : bool, default False
        If False, each row of a targeted class gets Poisson(added / count)
        extra copies (like ``sample(withReplacement=True)``), one pass. If
        True, each row gets ``added // count`` copies and exactly
        ``added % count`` distinct rows one more, so each class reaches its
        target exactly (one extra aggregation pass).
    weightCol : str, optional
        If set, rows of an over-sampled class get weight
        ``weight x (class weight sum / weight sum after)`` so each class's
        weight sum is preserved (exactly with ``exact=True``).
    shrinkage : float or dict, optional
        Smoothed bootstrap: added copies get Gaussian noise on ``featuresCol``
        (a vector column), as imbalanced-learn's ``shrinkage``. A dict
        ``{label: shrinkage}`` sets it per class and must name every
        over-sampled class (0 gives plain copies).
    featuresCol : str, default "features"
        Used only with ``shrinkage``.
    seed : int
    idCol : str, optional
        Row key column; default is a hash of all columns.

    Examples
    --------
    >>> ros = RandomOverSampler(samplingStrategy="minority", exact=True)
    >>> balanced = ros.resample(df)                             # doctest: +SKIP
    """

    _kind = OVER
    _model_class = RandomOverSamplerModel

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        samplingStrategy: Any = "auto",
        exact: bool = False,
        weightCol: Any = None,
        shrinkage: Any = None,
        featuresCol: str = "features",
        seed: Any = None,
        idCol: Any = None,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        labelCol: str = "label",
        samplingStrategy: Any = "auto",
        exact: bool = False,
        weightCol: Any = None,
        shrinkage: Any = None,
        featuresCol: str = "features",
        seed: Any = None,
        idCol: Any = None,
    ) -> RandomOverSampler:
        return self._set_given(self._input_kwargs)

    def setShrinkage(self, value: Any) -> RandomOverSampler:
        return self._set(shrinkage=value)

    def _validate_input(self, dataset: DataFrame) -> None:
        super()._validate_input(dataset)
        if self.getShrinkage() is None:
            return
        features = self.getFeaturesCol()
        require_columns(dataset, featuresCol=features)
        require_vector(dataset, features, "shrinkage")

    def _class_aggregates(self, dataset: DataFrame) -> Dict[str, Any]:
        return key_checks(dataset, self.getLabelCol(), self.getShrinkage(), "shrinkage")

    def _shrinkage_per_class(self, stats: ClassStats, grown: List[Any]) -> Dict[Any, float]:
        """The factor of each over-sampled class. A dict must name each of
        them, as in imbalanced-learn; it may name classes that are not grown."""
        shrinkage = self.getShrinkage()
        if not isinstance(shrinkage, Mapping):
            return {c: shrinkage for c in grown}
        given = match_keys(
            respelled(shrinkage, stats.extra, "shrinkage"), stats.counts, "shrinkage"
        )
        missing = [c for c in grown if c not in given]
        if missing:
            raise ValueError(
                f"shrinkage gives no factor for class(es) "
                f"{', '.join(format_label(c) for c in missing)}, which are over-sampled; "
                "name every over-sampled class in the dict (0 gives plain copies) or give "
                "one number for all."
            )
        return given

    def _fit_model(
        self, model: SamplerModel, dataset: DataFrame, stats: ClassStats, targets: Dict[Any, int]
    ) -> None:
        grown = [c for c, k in targets.items() if k > stats.counts[c]]
        if self.getShrinkage() is None or not grown:
            return
        shrinkage = self._shrinkage_per_class(stats, grown)
        features = self.getFeaturesCol()
        label, values = col(self.getLabelCol()), vector_to_array(col(features))
        of_grown = dataset.where(label_in(label, grown, stats.label_collation))
        # vector_to_array fails on null: nulls are counted, not converted.
        present = F.when(col(features).isNotNull(), values)
        checked = of_grown.select(
            F.max(F.size(present)).alias("largest"),
            F.min(F.size(present)).alias("smallest"),
            F.count(F.when(col(features).isNull() | any_not_finite(present), 1)).alias("bad"),
        ).first()
        if checked["bad"]:
            raise ValueError(
                f"featuresCol {features!r} has {checked['bad']} row(s) with a null vector or "
                "NaN or infinite values in the over-sampled classes; shrinkage cannot add noise "
                "to them. Drop or impute those rows (e.g. pyspark.ml.feature.Imputer) first."
            )
        dims = checked["largest"]
        if dims != checked["smallest"]:
            raise ValueError(
                f"featuresCol {features!r} holds vectors of sizes {checked['smallest']} to "
                f"{dims} in the over-sampled classes; shrinkage needs one size."
            )
        std = feature_std(of_grown, label, grown, stats.label_collation, values, dims)
        # No noise on what the column's ML attributes call categorical (from
        # VectorIndexer or OneHotEncoder): a category index or a one-hot
        # dimension plus noise is no category, and a tree model reads it as one.
        fixed = categorical_features(dataset.schema[features].metadata, ("nominal", "binary"))
        scales = {}
        for value, per_feature in std.items():
            n = stats.counts[value]
            smoothing = (4.0 / ((dims + 2) * n)) ** (1.0 / (dims + 4))
            scales[value] = [
                0.0 if j in fixed else shrinkage[value] * smoothing * s
                for j, s in enumerate(per_feature)
            ]
        model._set(featureScales=scales)
