"""Param mixins and type converters shared by every stage.

Persistence writes the param map as JSON, which turns dict keys into strings
and cannot hold arbitrary Python objects; the converters here accept what comes
back from JSON as well as what users write.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasLabelCol, HasSeed, HasWeightCol

from ._strategy import validate_strategy

# A fixed default: pyspark's HasSeed defaults to hash(class name), which differs
# between Python processes (hash randomisation) and so between sessions.
DEFAULT_SEED = 20261124


def to_strategy(value: Any):
    return validate_strategy(value)


def to_label_counts(value: Any) -> List[List[Any]]:
    """Store {label: number} as [[label, number], ...]: a JSON list keeps the
    label's type (int, float, bool, str) where a JSON object would turn it into
    a string."""
    pairs = value.items() if isinstance(value, dict) else value
    return [[label, number] for label, number in pairs]


def pairs_to_dict(pairs: List[Tuple[Any, Any]]) -> Dict[Any, Any]:
    return {label: number for label, number in pairs}


def to_optional_string(value: Any):
    return None if value is None else TypeConverters.toString(value)


class HasFixedSeed(HasSeed):
    def __init__(self) -> None:
        super().__init__()
        self._setDefault(seed=DEFAULT_SEED)


class HasSamplingStrategy(Params):
    samplingStrategy = Param(
        Params._dummy(),
        "samplingStrategy",
        "which classes to resample and to what size: 'auto', 'minority', 'majority', "
        "'not minority', 'not majority', 'all'; a float ratio minority/majority after "
        "resampling (binary labels); a dict {label: final count}; or a callable given "
        "the class counts {label: rows} at fit and returning such a dict (not saved: a "
        "fitted model keeps the dict it returned)",
        typeConverter=to_strategy,
    )

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(samplingStrategy="auto")

    def getSamplingStrategy(self):
        return self.getOrDefault(self.samplingStrategy)

    def setSamplingStrategy(self, value):
        return self._set(samplingStrategy=value)


class HasExact(Params):
    exact = Param(
        Params._dummy(),
        "exact",
        "if true, every resampled class gets exactly its target count (one extra "
        "aggregation pass); if false, one pass with per-row Bernoulli/Poisson draws",
        typeConverter=TypeConverters.toBoolean,
    )

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(exact=False)

    def getExact(self) -> bool:
        return self.getOrDefault(self.exact)

    def setExact(self, value: bool):
        return self._set(exact=value)


class HasIdCol(Params):
    idCol = Param(
        Params._dummy(),
        "idCol",
        "optional column identifying rows; random draws derive from (seed, idCol) "
        "instead of a hash of all columns: faster on wide rows, and it tells apart "
        "rows that are otherwise identical. Ids must be unique and not null (a null id "
        "fails the job that draws for its row; rows sharing an id share a draw)",
        typeConverter=to_optional_string,
    )

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(idCol=None)

    def getIdCol(self):
        return self.getOrDefault(self.idCol)

    def setIdCol(self, value):
        return self._set(idCol=value)


class HasClassCounts(Params):
    """What a fitted sampler learned, kept as params so that it persists."""

    classCounts = Param(
        Params._dummy(),
        "classCounts",
        "rows per class in the data the model was fitted on, as [[label, count], ...]",
        typeConverter=to_label_counts,
    )
    targetCounts = Param(
        Params._dummy(),
        "targetCounts",
        "rows per class after resampling, as [[label, count], ...] (expected counts "
        "when exact is false)",
        typeConverter=to_label_counts,
    )

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(classCounts=[], targetCounts=[])

    @property
    def classCounts_(self) -> Dict[Any, int]:
        """Rows per class before resampling."""
        return pairs_to_dict(self.getOrDefault(self.classCounts))

    @property
    def targetCounts_(self) -> Dict[Any, int]:
        """Rows per class after resampling (exact when ``exact`` is true)."""
        return pairs_to_dict(self.getOrDefault(self.targetCounts))


__all__ = [
    "DEFAULT_SEED",
    "HasClassCounts",
    "HasExact",
    "HasFixedSeed",
    "HasIdCol",
    "HasLabelCol",
    "HasSamplingStrategy",
    "HasWeightCol",
]
