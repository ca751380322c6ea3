"""Random under-sampling."""

from __future__ import annotations

from typing import Any

from pyspark import keyword_only
from pyspark.sql import DataFrame

from ._base import Sampler, SamplerModel
from ._columns import col, label_in, label_lookup
from ._exact import cut_condition, find_cuts, partial_ties
from ._params import HasExact
from ._strategy import UNDER


class RandomUnderSamplerModel(SamplerModel, HasExact):
    """Fitted :class:`RandomUnderSampler`."""

    def _resample(self, dataset: DataFrame) -> DataFrame:
        columns = dataset.columns
        stats = self._class_stats
        targets = self._targeted()
        if not targets:
            return self._finish(dataset, columns, {})
        label, collation = col(self.getLabelCol()), self._collation()
        # Untouched classes first: their rows skip the hash (OR short-circuits).
        untouched = ~label_in(label, targets, collation)
        if self.getExact():
            draw = self._draw(dataset)
            wanted = {c: (stats.counts[c], k) for c, k in targets.items()}
            weight_col = self.getWeightCol() if self.isDefined(self.weightCol) else None
            cuts = find_cuts(
                dataset,
                self.getLabelCol(),
                draw,
                wanted,
                weight_col if weight_col in columns else None,
                collation,
            )
            kept = dataset.where(
                untouched | cut_condition(self.getLabelCol(), draw, cuts, collation)
            )
            ties = partial_ties(dataset, self.getLabelCol(), draw, cuts)
            if ties is not None:
                # By position (the same columns in the same order): by name
                # would refuse two columns of one name, which idCol allows.
                kept = kept.union(ties)
            # Exact: the kept weight is known, so the class's weight sum is kept exactly.
            factors = {
                c: stats.weight_sums[c] / cut.kept_weight
                for c, cut in cuts.items()
                if cut.kept_weight > 0
            }
        else:
            fraction = {c: k / stats.counts[c] for c, k in targets.items()}
            fractions = label_lookup(label, fraction, collation)
            kept = dataset.where(untouched | (self._draw(dataset) < fractions))
            # Approximate: 1 / keep fraction keeps the weight sum in expectation.
            factors = {c: 1.0 / p for c, p in fraction.items() if p > 0}
        return self._finish(kept, columns, factors)


class RandomUnderSampler(Sampler, HasExact):
    """Under-sample the targeted classes by keeping a random subset of their rows.

    Parameters
    ----------
    labelCol : str, default "label"
    samplingStrategy : str, float or dict, default "auto"
        "auto" (= "not minority"), "majority", "not minority", "not majority",
        "all"; a float ratio minority/majority after resampling (binary labels);
        or a dict ``{label: rows to keep}``.
    exact : bool, default False
        If False, each row of a targeted class is kept with probability
        target / count (one pass). If True, exactly ``target`` rows are kept
        (one extra aggregation pass; no sort or shuffle of the input).
    weightCol : str, optional
        If set, kept rows of an under-sampled class get weight
        ``weight x (class weight sum / kept weight sum)`` (weight 1 if the
        column is absent), so each class's weight sum is preserved: exactly
        with ``exact=True``, in expectation otherwise.
    seed : int
        Draws derive from (seed, row key): the same seed gives the same rows
        whatever the partitioning.
    idCol : str, optional
        Row key column; default is a hash of all columns.

    Examples
    --------
    >>> rus = RandomUnderSampler(samplingStrategy=0.5, exact=True, weightCol="w")
    >>> balanced = rus.resample(df)                             # doctest: +SKIP
    >>> rus.fit(df).targetCounts_                               # doctest: +SKIP
    {0: 2000, 1: 1000}
    """

    _kind = UNDER
    _model_class = RandomUnderSamplerModel

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        samplingStrategy: Any = "auto",
        exact: bool = False,
        weightCol: Any = None,
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
        seed: Any = None,
        idCol: Any = None,
    ) -> RandomUnderSampler:
        return self._set_given(self._input_kwargs)
