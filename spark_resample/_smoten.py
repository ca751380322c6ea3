"""SMOTEN: the SMOTE family's member for categorical features only, as
imbalanced-learn's SMOTEN.

Distances are imbalanced-learn's value difference metric: two categories of a
column are as far apart as the classes of the rows holding them differ. The
fit counts, in one aggregation over every row, the rows per (column,
category, class); the driver keeps P(class | category) per column (bounded:
``MAX_CATEGORIES``, ``MAX_PROBABILITIES``). In the resample each row of an
over-sampled class becomes the point of its categories' class probabilities,
so SMOTE's locality buckets and k-NN groups serve unchanged; inside a group
the kernel measures the value difference metric on those points
(``_smote_kernels._SmotenKernel``).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from pyspark import keyword_only
from pyspark.ml.param import Param, Params
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, IntegralType, StringType

from ._base import ClassStats, SamplerModel, require_columns, require_types
from ._collation import collation_of
from ._columns import col, label_lookup, quote, sql_doubles
from ._smote import _SHARED_DOC, _SmoteModelBase
from ._smote_estimator import _SmoteEstimatorBase
from ._smote_kernels import _SmotenKernel
from ._smote_params import _SmoteParams, _to_optional_list
from ._strategy import format_label

# Categories (over all inputCols) whose class probabilities reach the driver,
# and those probabilities (categories x classes: with many classes, fewer
# categories); a fit that finds more refuses, naming the column with the most.
MAX_CATEGORIES = 65536
MAX_PROBABILITIES = 2**22

# Per column: P(class | category) for each category (classes in ``classes``
# order), and for the null category if the column holds nulls.
_Table = Tuple[Dict[Any, List[float]], Optional[List[float]]]


class _SmotenParams(_SmoteParams):
    inputCols = Param(
        Params._dummy(),
        "inputCols",
        "the categorical columns (strings, integers or booleans): the features",
        typeConverter=_to_optional_list,
    )
    _categories_param = "inputCols"

    def _numeric_cols(self) -> Optional[List[str]]:
        return []

    def _categorical_cols(self) -> List[str]:
        return list(self.getInputCols() or [])

    def _dimension(self, stats: ClassStats) -> int:
        return len(self._categorical_cols()) * len(stats.counts)

    def _point_dimension(self, stats: ClassStats) -> int:
        return 0

    _settled_categories = True  # the kernel's vote: the smallest of the most frequent

    def _dimension_text(self, dimension: int) -> str:
        return (
            f"inputCols' {len(self._categorical_cols()):,} columns give {dimension:,} class "
            "probabilities per row"
        )


class SMOTENModel(_SmoteModelBase, _SmotenParams):
    """Fitted :class:`SMOTEN`."""

    # Set by the fit; used only on the DataFrame fitted on: per column, its
    # table and its collation (read from the fitted DataFrame's schema there,
    # which over Spark Connect is cached by then, instead of a round trip here).
    _vdm: List[_Table] = []
    _collations: List[Optional[str]] = []

    def _kernel(self, ids: Dict[Any, int]) -> Any:
        k = {i: self._k_by_class[c] for c, i in ids.items()}
        return _SmotenKernel(k, len(self._categorical_cols()))

    def _features(self, dataset: DataFrame) -> Column:
        """Each row's point: per column, the class probabilities of its category."""
        classes = len(self._class_stats.counts)
        parts = []
        for name, (table, null_probs), collation in zip(
            self._categorical_cols(), self._vdm, self._collations
        ):
            value = col(name)
            nowhere = sql_doubles([0.0] * classes)  # a category the fit did not see
            looked_up = F.coalesce(label_lookup(value, table, collation), F.expr(nowhere))
            if null_probs is not None:
                looked_up = F.when(value.isNull(), F.expr(sql_doubles(null_probs))).otherwise(
                    looked_up
                )
            parts.append(looked_up)
        return F.concat(*parts)


class SMOTEN(_SmoteEstimatorBase, _SmotenParams):
    __doc__ = (
        """SMOTE for categorical features only, as imbalanced-learn's SMOTEN.

    Every column of ``inputCols`` is a category (string, integer or boolean;
    null is a category of its own). Rows are compared by imbalanced-learn's
    value difference metric: per column, two categories are
    (sum over classes of |P(class | one) - P(class | other)|) ** 2 apart, with
    the probabilities counted over all rows at fit time. A synthetic row starts
    from a row of the class drawn uniformly (its seed, within its locality
    bucket) and takes, per column, the most frequent category among the seed
    and its ``kNeighbors`` nearest rows of the class, the smallest of those
    tied (as imbalanced-learn's mode; a null category counts as the largest).
    A string column with a collation (Spark 4) holds one
    category per value under it; synthetic rows spell each category the
    smallest way in binary order among the rows of the classes grown.
"""
        + _SHARED_DOC.replace(
            """    featuresCol : str, default "features"
        A Spark ML vector column (dense or sparse). A synthetic vector is sparse
        when its seed row's vector is.
    inputCols : list of str, optional
        Numeric columns used instead of ``featuresCol``; synthetic values are
        cast back to each column's type (integers rounded).
""",
            """    inputCols : list of str
        The categorical columns (strings, integers or booleans): the features.
""",
        )
        + """
    kNeighbors : int, default 5

    The fit keeps P(class | category) for every category on the driver: at
    most 65,536 categories over all ``inputCols``, and 2**22 probabilities
    (fewer categories above 64 classes; group rare categories first above that).

    Examples
    --------
    >>> smoten = SMOTEN(inputCols=["country", "device", "plan"])
    >>> balanced = smoten.resample(df)                          # doctest: +SKIP
    """
    )

    _model_class = SMOTENModel

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        inputCols: Any = None,
        samplingStrategy: Any = "auto",
        kNeighbors: int = 5,
        maxBucketSize: int = 4096,
        syntheticCol: str = "is_synthetic",
        allowFewerNeighbors: bool = False,
        weightCol: Any = None,
        seed: Any = None,
        idCol: Any = None,
        copyCols: Any = None,
    ) -> None:
        super().__init__()
        self.setParams(**self._input_kwargs)

    @keyword_only
    def setParams(
        self,
        *,
        labelCol: str = "label",
        inputCols: Any = None,
        samplingStrategy: Any = "auto",
        kNeighbors: int = 5,
        maxBucketSize: int = 4096,
        syntheticCol: str = "is_synthetic",
        allowFewerNeighbors: bool = False,
        weightCol: Any = None,
        seed: Any = None,
        idCol: Any = None,
        copyCols: Any = None,
    ) -> SMOTEN:
        return self._set_given(self._input_kwargs)

    def _validate_features(self, dataset: DataFrame) -> None:
        columns = self._categorical_cols()
        if not columns:
            raise ValueError(
                "SMOTEN needs inputCols: the categorical columns (strings, integers or "
                "booleans) it compares rows by. For numeric features use SMOTE, for both "
                "SMOTENC."
            )
        require_columns(dataset, **{f"inputCols[{c!r}]": c for c in columns})
        require_types(
            dataset,
            "inputCols",
            columns,
            (StringType, IntegralType, BooleanType),
            "SMOTEN's features are categories: strings, integers or booleans. Cast the "
            "column, or use SMOTENC (numeric columns in inputCols, categories in "
            "categoricalCols).",
        )

    def _class_aggregates(self, dataset: DataFrame) -> Dict[str, Any]:
        return {}  # a null category is a category of its own: nothing to refuse

    def _check_features(self, stats: ClassStats, dataset: DataFrame) -> None:
        return None  # see _class_aggregates; and there are no vectors

    def _fit_extra(
        self, model: SamplerModel, dataset: DataFrame, stats: ClassStats, grown: List[Any]
    ) -> None:
        columns = self._categorical_cols()
        model._vdm = class_probabilities(dataset, self.getLabelCol(), columns, stats)
        schema = dataset.schema
        model._collations = [collation_of(schema[c].dataType) for c in columns]


def class_probabilities(
    dataset: DataFrame, label_col: str, columns: List[str], stats: ClassStats
) -> List[_Table]:
    """Per column of ``columns``: P(class | category) for each of its
    categories, over every row, classes in ``format_label`` order (the order
    of ``SMOTENModel._features``' blocks), in one aggregation job.

    The rows are expanded to one per (row, column), holding that column's
    value in a column of its own type (a grouping set per column, written
    out): a collated string column groups its categories under its collation.
    Counted per (column, category, class), then gathered per (column,
    category), which merges the spellings the first grouping kept per class."""
    classes = sorted(stats.counts, key=format_label)
    class_of = label_lookup(
        col(label_col), {c: i for i, c in enumerate(classes)}, stats.label_collation
    )
    n = len(columns)
    values = [f"__smoten_v{i}" for i in range(n)]
    expanded = dataset.select(
        class_of.alias("k"),
        F.explode(F.sequence(F.lit(0), F.lit(n - 1))).alias("f"),
        *[col(c).alias(v) for c, v in zip(columns, values)],
    ).selectExpr("k", "f", *[f"IF(f = {i}, {v}, NULL) AS {v}" for i, v in enumerate(values)])
    per_class = expanded.groupBy("f", *values, "k").count()
    per_category = per_class.groupBy("f", *values).agg(
        F.map_from_entries(F.collect_list(F.struct("k", "count"))).alias("counts")
    )
    bound = min(MAX_CATEGORIES, MAX_PROBABILITIES // len(classes))
    found = per_category.limit(bound + 1).collect()
    if len(found) > bound:
        most = max(range(n), key=lambda i: sum(1 for r in found if r["f"] == i))
        raise ValueError(
            f"inputCols holds more than {bound:,} categories (column {columns[most]!r} "
            f"the most); SMOTEN keeps a class probability per category and class on the "
            f"driver (at most {MAX_CATEGORIES:,} categories and {MAX_PROBABILITIES:,} "
            f"probabilities; here {len(classes):,} classes). Group rare categories into "
            f"one (or hash them into fewer) before resampling, or leave "
            f"{quote(columns[most])} out of inputCols."
        )
    tables: List[_Table] = [({}, None) for _ in columns]
    for row in found:
        f = row["f"]
        category = row[values[f]]
        total = sum(row["counts"].values())
        probs = [row["counts"].get(k, 0) / total for k in range(len(classes))]
        table, null_probs = tables[f]
        if category is None:
            tables[f] = (table, probs)
        else:
            table[category] = probs
    return tables
