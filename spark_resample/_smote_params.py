"""The SMOTE family's parameters: those every member shares (``_SmoteParams``)
and the vector features' (``_VectorSmoteParams``)."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasFeaturesCol

from ._base import ClassStats

# BorderlineSMOTE's and ADASYN's maxOtherRows: rows of other classes in one
# bucket before they are sampled. 16 times the default maxBucketSize: a few
# tens of MB per pandas UDF call at 20 features.
DEFAULT_MAX_OTHER_ROWS = 65536


# Names of the per-class vector size checks in ClassStats.extra.
_MAX_SIZE, _MIN_SIZE = "__max_size", "__min_size"


def _to_optional_list(value: Any):
    return None if value is None else TypeConverters.toListString(value)


class _SmoteParams(Params):
    inputCols = Param(
        Params._dummy(),
        "inputCols",
        "numeric feature columns, used instead of featuresCol when set",
        typeConverter=_to_optional_list,
    )
    kNeighbors = Param(
        Params._dummy(),
        "kNeighbors",
        "nearest same-class neighbours a synthetic row may be drawn towards",
        typeConverter=TypeConverters.toInt,
    )
    maxBucketSize = Param(
        Params._dummy(),
        "maxBucketSize",
        "bound on the rows of one class in one k-NN bucket (memory per task)",
        typeConverter=TypeConverters.toInt,
    )
    syntheticCol = Param(
        Params._dummy(),
        "syntheticCol",
        "boolean output column: true on synthetic rows, false on original rows",
        typeConverter=TypeConverters.toString,
    )
    allowFewerNeighbors = Param(
        Params._dummy(),
        "allowFewerNeighbors",
        "if true, a class with n <= kNeighbors rows uses n - 1 neighbours (with a "
        "logged warning) instead of raising",
        typeConverter=TypeConverters.toBoolean,
    )
    copyCols = Param(
        Params._dummy(),
        "copyCols",
        "columns a synthetic row takes from the row it is drawn from (its seed); the "
        "other columns SMOTE does not compute are null on synthetic rows",
        typeConverter=_to_optional_list,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(
            inputCols=None,
            kNeighbors=5,
            maxBucketSize=4096,
            syntheticCol="is_synthetic",
            allowFewerNeighbors=False,
            copyCols=None,
        )

    def getInputCols(self) -> Optional[List[str]]:
        return self.getOrDefault(self.inputCols)

    def getKNeighbors(self) -> int:
        return self.getOrDefault(self.kNeighbors)

    def getMaxBucketSize(self) -> int:
        return self.getOrDefault(self.maxBucketSize)

    def getSyntheticCol(self) -> str:
        return self.getOrDefault(self.syntheticCol)

    def getAllowFewerNeighbors(self) -> bool:
        return self.getOrDefault(self.allowFewerNeighbors)

    def getCopyCols(self) -> List[str]:
        return self.getOrDefault(self.copyCols) or []

    def setCopyCols(self, value: List[str]):
        return self._set(copyCols=value)

    def setInputCols(self, value: List[str]):
        return self._set(inputCols=value)

    def setKNeighbors(self, value: int):
        return self._set(kNeighbors=value)

    def setMaxBucketSize(self, value: int):
        return self._set(maxBucketSize=value)

    def setSyntheticCol(self, value: str):
        return self._set(syntheticCol=value)

    @property
    def _needs_others(self) -> bool:
        """Whether the variant searches the other classes' rows as neighbours
        (BorderlineSMOTE, ADASYN: the ones with a bound on them)."""
        return self.hasParam("maxOtherRows")

    def _other_rows_cap(self) -> Optional[int]:
        """Bound on the other classes' rows in one bucket (None: the variant
        brings no other rows)."""
        return self.getOrDefault("maxOtherRows") if self._needs_others else None

    def _dimension(self, stats: ClassStats) -> int:
        """Feature values per row: the numeric columns, or the vector size (from the fit)."""
        numeric = self._numeric_cols()
        return len(numeric) if numeric is not None else _vector_sizes(stats)[0]

    def _point_dimension(self, stats: ClassStats) -> int:
        """Values per synthetic point computed in SQL (SMOTEN interpolates none)."""
        return self._dimension(stats)

    # Whether the kernel leaves one category per categorical column (SMOTEN's
    # vote), or the ties among which each synthetic row draws (SMOTENC's).
    _settled_categories = False

    def _dimension_text(self, dimension: int) -> str:
        """What the dimension is, for the footprint's message."""
        if self._numeric_cols() is None:
            return f"featuresCol {self.getFeaturesCol()!r} holds vectors of {dimension:,} values"
        return f"inputCols lists {dimension:,} columns"

    def _numeric_cols(self) -> Optional[List[str]]:
        """The numeric input columns, or None when featuresCol (a vector) is used."""
        return self.getInputCols()

    def _categorical_cols(self) -> List[str]:
        return []

    #: The param that lists the categorical columns, for messages.
    _categories_param = "categoricalCols"


class _VectorSmoteParams(_SmoteParams, HasFeaturesCol):
    """The variants whose features may be one vector column (all but SMOTEN)."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(featuresCol="features")

    def setFeaturesCol(self, value: str):
        return self._set(featuresCol=value)


def _vector_sizes(stats: ClassStats) -> Tuple[int, int]:
    """(largest, smallest) vector size over all classes, from ``_class_aggregates``."""
    return (
        max(checks[_MAX_SIZE] for checks in stats.extra.values()),
        min(checks[_MIN_SIZE] for checks in stats.extra.values()),
    )
