"""SMOTENC, BorderlineSMOTE and ADASYN: the SMOTE family's variants, each a
params mixin, a model giving its kernel, and an estimator (``_smote`` holds
what they share)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import numpy as np
from pyspark import keyword_only
from pyspark.ml.functions import vector_to_array
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import DataFrame
from pyspark.sql.types import BooleanType, IntegralType, StringType

from ._base import ClassStats, SamplerModel, require_types
from ._columns import col, doubles
from ._feature_std import feature_std
from ._smote import _SHARED_DOC, _SmoteModelBase
from ._smote_estimator import _SmoteEstimatorBase
from ._smote_kernels import _AdasynKernel, _BorderlineKernel, _SmoteKernel
from ._smote_params import DEFAULT_MAX_OTHER_ROWS, _vector_sizes, _VectorSmoteParams
from ._strategy import format_label


class _SmoteNcParams(_VectorSmoteParams):
    categoricalCols = Param(
        Params._dummy(),
        "categoricalCols",
        "string, integer or boolean columns treated as categories: they count in the distance "
        "through the median of the numeric standard deviations, and a synthetic row "
        "takes the most frequent category among its neighbours; null is a category of its own",
        typeConverter=TypeConverters.toListString,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(categoricalCols=[])

    def getCategoricalCols(self) -> List[str]:
        return self.getOrDefault(self.categoricalCols)

    def setCategoricalCols(self, value: List[str]):
        return self._set(categoricalCols=value)

    def _numeric_cols(self) -> Optional[List[str]]:
        numeric = self.getInputCols()
        if numeric is None:
            return None
        return [c for c in numeric if c not in self.getCategoricalCols()]

    def _categorical_cols(self) -> List[str]:
        return list(self.getCategoricalCols())


class SMOTENCModel(_SmoteModelBase, _SmoteNcParams):
    """Fitted :class:`SMOTENC`."""

    def _kernel(self, ids: Dict[Any, int]) -> Any:
        return _SmoteKernel(
            {i: self._k_by_class[c] for c, i in ids.items()},
            {i: self._median_std.get(c, 0.0) for c, i in ids.items()},
        )


class SMOTENC(_SmoteEstimatorBase, _SmoteNcParams):
    __doc__ = (
        """SMOTE for numeric and categorical features, as imbalanced-learn's SMOTENC.

    Distances add, for every categorical column on which two rows differ, the
    median of the class's numeric standard deviations (imbalanced-learn's
    one-hot scaled by median / sqrt(2)). A synthetic row interpolates the numeric
    features and takes, per categorical column, the most frequent category among
    the seed row's ``kNeighbors`` neighbours (ties broken at random). A null
    category is a category of its own, as imbalanced-learn's encoder makes a
    missing value: it counts in the distance and the vote like any other. A
    string column with a collation (Spark 4, e.g. ``UTF8_LCASE``) holds one
    category per value under it ("US" and "us" are one); synthetic rows spell
    each category the smallest way in binary order ("US") among the rows of
    the classes grown.
"""
        + _SHARED_DOC
        + """
    categoricalCols : list of str
        String, integer or boolean columns. They may also be listed in ``inputCols``; with
        ``featuresCol``, they are separate columns next to the vector. Without
        categorical columns SMOTENC is SMOTE.
    kNeighbors : int, default 5

    Examples
    --------
    >>> smote_nc = SMOTENC(inputCols=["age", "income"], categoricalCols=["country"])
    >>> balanced = smote_nc.resample(df)                        # doctest: +SKIP
    """
    )

    _model_class = SMOTENCModel

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        featuresCol: str = "features",
        inputCols: Any = None,
        categoricalCols: Any = None,
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
        featuresCol: str = "features",
        inputCols: Any = None,
        categoricalCols: Any = None,
        samplingStrategy: Any = "auto",
        kNeighbors: int = 5,
        maxBucketSize: int = 4096,
        syntheticCol: str = "is_synthetic",
        allowFewerNeighbors: bool = False,
        weightCol: Any = None,
        seed: Any = None,
        idCol: Any = None,
        copyCols: Any = None,
    ) -> SMOTENC:
        return self._set_given(self._input_kwargs)

    def _validate_input(self, dataset: DataFrame) -> None:
        super()._validate_input(dataset)
        require_types(
            dataset,
            "categoricalCols",
            self._categorical_cols(),
            (StringType, IntegralType, BooleanType),
            "categories must be strings, integers or booleans. Cast the column.",
        )

    def _fit_extra(
        self, model: SamplerModel, dataset: DataFrame, stats: ClassStats, grown: List[Any]
    ) -> None:
        if not self._categorical_cols():
            return
        label = col(self.getLabelCol())
        numeric = self._numeric_cols()
        if numeric is None:
            values = vector_to_array(col(self.getFeaturesCol()))
            dims, _ = _vector_sizes(stats)  # all equal: checked before
        else:
            values, dims = doubles(numeric), len(numeric)
        std = feature_std(dataset, label, grown, stats.label_collation, values, dims)
        model._median_std = {c: float(np.median(per_feature)) for c, per_feature in std.items()}


class _OtherRowsParams(_VectorSmoteParams):
    """For the variants whose k-NN also searches the other classes' rows."""

    maxOtherRows = Param(
        Params._dummy(),
        "maxOtherRows",
        "bound on the rows of other classes in one k-NN bucket (memory per task); "
        "beyond it a uniform sample of about that many joins the bucket, each "
        "sampled row counting for the rows it stands for",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(maxOtherRows=DEFAULT_MAX_OTHER_ROWS)

    def getMaxOtherRows(self) -> int:
        return self.getOrDefault(self.maxOtherRows)

    def setMaxOtherRows(self, value: int):
        return self._set(maxOtherRows=value)


_OTHER_ROWS_DOC = """    maxOtherRows : int, default 65536
        Bound on the rows of other classes in one bucket. The rows of the other
        classes that fall in a bucket's region (the bucket's part of its class's
        PCA tree) join it, to be searched as neighbours. Where more than
        ``maxOtherRows`` fall, a uniform sample of about that many joins (drawn
        from the row hash), and each sampled row counts for the rows it stands
        for: a row's count of other-class rows among its nearest is then an
        estimate (close on average, noisier per row as the sample thins; see
        the README). Up to the bound, the search is exact within the bucket.
"""


class _BorderlineParams(_OtherRowsParams):
    kind = Param(
        Params._dummy(),
        "kind",
        "'borderline-1' (neighbours of the same class) or 'borderline-2' (also "
        "towards rows of other classes, at most half way)",
        typeConverter=TypeConverters.toString,
    )
    mNeighbors = Param(
        Params._dummy(),
        "mNeighbors",
        "neighbours among all classes that decide whether a row is in danger",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(kind="borderline-1", mNeighbors=10)

    def getKind(self) -> str:
        return self.getOrDefault(self.kind)

    def getMNeighbors(self) -> int:
        return self.getOrDefault(self.mNeighbors)


class BorderlineSMOTEModel(_SmoteModelBase, _BorderlineParams):
    """Fitted :class:`BorderlineSMOTE`."""

    def _kernel(self, ids: Dict[Any, int]) -> Any:
        k = {i: self._k_by_class[c] for c, i in ids.items()}
        return _BorderlineKernel(k, self.getMNeighbors(), self.getKind())

    def _no_weight_message(self, label: Any) -> str:
        return (
            f"no row of class {format_label(label)} is in danger (at least half, but not "
            f"all, of its {self.getMNeighbors()} nearest rows in other classes), so "
            "BorderlineSMOTE has no row to generate from. Use SMOTE, or a larger mNeighbors."
        )


class BorderlineSMOTE(_SmoteEstimatorBase, _BorderlineParams):
    __doc__ = (
        """Borderline SMOTE: synthetic rows only from rows "in danger".

    A row is in danger when at least half, but not all, of its ``mNeighbors``
    nearest rows (all classes, within its bucket) belong to other classes.
    Synthetic rows start from danger rows only, towards one of their
    ``kNeighbors`` nearest rows of the class ("borderline-1") or of any class
    ("borderline-2", at most half way towards another class), as in
    imbalanced-learn. Rows of the other classes join the buckets of each
    over-sampled class (see ``maxOtherRows``), and the class total is spread
    over buckets by their danger rows.
"""
        + _SHARED_DOC
        + """
    kNeighbors : int, default 5
    mNeighbors : int, default 10
    kind : str, default "borderline-1"
"""
        + _OTHER_ROWS_DOC
        + """
    Examples
    --------
    >>> sampler = BorderlineSMOTE(kind="borderline-2", mNeighbors=10)
    >>> balanced = sampler.resample(df)                         # doctest: +SKIP
    """
    )

    _model_class = BorderlineSMOTEModel

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        featuresCol: str = "features",
        inputCols: Any = None,
        samplingStrategy: Any = "auto",
        kNeighbors: int = 5,
        mNeighbors: int = 10,
        kind: str = "borderline-1",
        maxBucketSize: int = 4096,
        maxOtherRows: int = DEFAULT_MAX_OTHER_ROWS,
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
        featuresCol: str = "features",
        inputCols: Any = None,
        samplingStrategy: Any = "auto",
        kNeighbors: int = 5,
        mNeighbors: int = 10,
        kind: str = "borderline-1",
        maxBucketSize: int = 4096,
        maxOtherRows: int = DEFAULT_MAX_OTHER_ROWS,
        syntheticCol: str = "is_synthetic",
        allowFewerNeighbors: bool = False,
        weightCol: Any = None,
        seed: Any = None,
        idCol: Any = None,
        copyCols: Any = None,
    ) -> BorderlineSMOTE:
        return self._set_given(self._input_kwargs)

    def _validate_input(self, dataset: DataFrame) -> None:
        super()._validate_input(dataset)
        if self.getKind() not in ("borderline-1", "borderline-2"):
            raise ValueError(
                f"kind must be 'borderline-1' or 'borderline-2', got {self.getKind()!r}."
            )
        if self.getMNeighbors() < 1:
            raise ValueError(f"mNeighbors must be >= 1, got {self.getMNeighbors()}.")


class _AdasynParams(_OtherRowsParams):
    nNeighbors = Param(
        Params._dummy(),
        "nNeighbors",
        "neighbours that measure a row's difficulty (all classes) and that synthetic "
        "rows are drawn towards (same class); replaces kNeighbors",
        typeConverter=TypeConverters.toInt,
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._setDefault(nNeighbors=5)

    def getNNeighbors(self) -> int:
        return self.getOrDefault(self.nNeighbors)


class ADASYNModel(_SmoteModelBase, _AdasynParams):
    """Fitted :class:`ADASYN`."""

    def _kernel(self, ids: Dict[Any, int]) -> Any:
        return _AdasynKernel({i: self._k_by_class[c] for c, i in ids.items()})

    def _no_weight_message(self, label: Any) -> str:
        return (
            f"no row of class {format_label(label)} has a row of another class among its "
            f"{self.getNNeighbors()} nearest neighbours, so ADASYN has no difficulty to "
            "spread rows by. Use SMOTE."
        )


class ADASYN(_SmoteEstimatorBase, _AdasynParams):
    __doc__ = (
        """ADASYN: more synthetic rows where the class is harder to learn.

    Each row's difficulty is the fraction of its ``nNeighbors`` nearest rows
    (all classes, within its bucket) that belong to other classes. The class
    total is spread over buckets, then over rows, in proportion to difficulty
    (largest remainder, so the total is exact where imbalanced-learn rounds per
    row); each synthetic row goes from its row towards one of its
    ``nNeighbors`` nearest rows of the same class. Rows of the other classes
    join the buckets of each over-sampled class (see ``maxOtherRows``).
"""
        + _SHARED_DOC
        + """
    nNeighbors : int, default 5
"""
        + _OTHER_ROWS_DOC
        + """
    Examples
    --------
    >>> balanced = ADASYN(nNeighbors=5).resample(df)            # doctest: +SKIP
    """
    )

    _model_class = ADASYNModel

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        featuresCol: str = "features",
        inputCols: Any = None,
        samplingStrategy: Any = "auto",
        nNeighbors: int = 5,
        maxBucketSize: int = 4096,
        maxOtherRows: int = DEFAULT_MAX_OTHER_ROWS,
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
        featuresCol: str = "features",
        inputCols: Any = None,
        samplingStrategy: Any = "auto",
        nNeighbors: int = 5,
        maxBucketSize: int = 4096,
        maxOtherRows: int = DEFAULT_MAX_OTHER_ROWS,
        syntheticCol: str = "is_synthetic",
        allowFewerNeighbors: bool = False,
        weightCol: Any = None,
        seed: Any = None,
        idCol: Any = None,
        copyCols: Any = None,
    ) -> ADASYN:
        return self._set_given(self._input_kwargs)

    def _neighbor_count(self) -> int:
        return self.getNNeighbors()
