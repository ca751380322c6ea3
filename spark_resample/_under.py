"""Random under-sampling."""

from __future__ import annotations

import math
from typing import Any, Dict, List

from pyspark import keyword_only
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from ._base import Sampler, SamplerModel
from ._columns import col, label_in, label_lookup
from ._exact import TooFewRows, cut_condition, find_cuts, partial_ties
from ._params import HasExact
from ._random import poisson_copies, uniform
from ._strategy import UNDER


class _UnderSamplerParams(HasExact):
    replacement = Param(
        Params._dummy(),
        "replacement",
        "if true, the rows kept of an under-sampled class are drawn with replacement "
        "(a bootstrap of the target size, as imbalanced-learn's replacement=True): a "
        "row may come out several times",
        typeConverter=TypeConverters.toBoolean,
    )

    def __init__(self) -> None:
        super().__init__()
        self._setDefault(replacement=False)

    def getReplacement(self) -> bool:
        return self.getOrDefault(self.replacement)


class RandomUnderSamplerModel(SamplerModel, _UnderSamplerParams):
    """Fitted :class:`RandomUnderSampler`."""

    def _resample(self, dataset: DataFrame) -> DataFrame:
        columns = dataset.columns
        stats = self._class_stats
        targets = self._targeted()
        if not targets:
            return self._finish(dataset, columns, {})
        if self.getReplacement():
            return self._with_replacement(dataset, columns, targets)
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

    def _with_replacement(
        self, dataset: DataFrame, columns: List[str], targets: Dict[Any, int]
    ) -> DataFrame:
        """Each row of an under-sampled class comes out Poisson(mean) times.

        Approximate: mean = target / count, so the class's size is Poisson
        around its target. Exact: the mean is set a little above (target + 10
        sqrt(target) + 10 copies in all, short of the target with probability
        below 1e-20 when rows differ), every copy gets a draw of its own, and
        the target's number of copies with the smallest draws are kept (the
        exact cut, as without replacement). Given their total, Poisson copies
        are spread over the rows as a multinomial, and a random subset of them
        as well: exactly a bootstrap sample of the target size."""
        stats = self._class_stats
        if not self.getExact():
            means = {c: k / stats.counts[c] for c, k in targets.items()}
            repeated = self._poisson_copies(dataset, means)
            factors = {c: 1.0 / p for c, p in means.items() if p > 0}
            return self._finish(repeated, columns, factors, appended=self._COPY_HELPERS)
        drawn_total = {c: k + 10 * math.sqrt(k) + 10 if k else 0 for c, k in targets.items()}
        weight_col = self.getWeightCol() if self.isDefined(self.weightCol) else None
        while True:
            means = {c: m / stats.counts[c] for c, m in drawn_total.items()}
            repeated = self._poisson_copies(dataset, means)
            copy_draw: Column = uniform(F.col(self._HASH), F.col(self._COPY))
            try:
                cuts = find_cuts(
                    repeated,
                    self.getLabelCol(),
                    copy_draw,
                    {c: (max(math.ceil(drawn_total[c]), k + 1), k) for c, k in targets.items()},
                    weight_col if weight_col in columns else None,
                    self._collation(),
                    open_top=True,
                )
                break
            except TooFewRows as short:
                # Identical rows (without idCol) share their draws and so their
                # number of copies: their total varies more than the margin
                # allows. Twice the copies again; more copies for the same
                # draw, so this ends.
                drawn_total.update({c: 2 * drawn_total[c] for c in short.classes})
        label, collation = col(self.getLabelCol()), self._collation()
        kept = repeated.where(
            ~label_in(label, targets, collation)
            | cut_condition(self.getLabelCol(), copy_draw, cuts, collation)
        )
        ties = partial_ties(repeated, self.getLabelCol(), copy_draw, cuts)
        if ties is not None:
            kept = kept.union(ties)  # by position, as above
        factors = {
            c: stats.weight_sums[c] / cut.kept_weight
            for c, cut in cuts.items()
            if cut.kept_weight > 0
        }
        return self._finish(kept, columns, factors, appended=self._COPY_HELPERS)

    def _poisson_copies(self, dataset: DataFrame, means: Dict[Any, float]) -> DataFrame:
        """``dataset`` with each row of a class in ``means`` repeated
        Poisson(mean) times (copies 1, 2, ...; none for 0) and other rows once
        (copy 0), with the helper columns ``_COPY_HELPERS``."""
        label, collation = col(self.getLabelCol()), self._collation()
        targeted = label_in(label, means, collation)
        drawn = self._with_draw(dataset, only=targeted)
        draw = F.col(self._DRAW)
        # A row gets a copy when its draw reaches P(no copy) = exp(-mean).
        # Filtered on that first, the rows without copies (most of them) skip
        # counting and exploding: at 2M rows 1.7 x the scan, against 2.3 x
        # exploding an empty array for them (measured).
        none = label_lookup(label, {c: math.exp(-m) for c, m in means.items()}, collation)
        copies = poisson_copies(label, means, draw, collation)
        copy_numbers = F.when(targeted, F.sequence(F.lit(1), copies)).otherwise(F.array(F.lit(0)))
        return drawn.where(~targeted | (draw >= none)).select(
            "*", F.explode(copy_numbers).alias(self._COPY)
        )


class RandomUnderSampler(Sampler, _UnderSamplerParams):
    """Under-sample the targeted classes by keeping a random subset of their rows
    (with ``replacement=True``, a bootstrap sample of them).

    Parameters
    ----------
    labelCol : str, default "label"
    samplingStrategy : str, float, dict or callable, default "auto"
        "auto" (= "not minority"), "majority", "not minority", "not majority",
        "all"; a float ratio minority/majority after resampling (binary labels);
        a dict ``{label: rows to keep}``; or a callable given the class counts
        ``{label: rows}`` at fit and returning such a dict.
    exact : bool, default False
        If False, each row of a targeted class is kept with probability
        target / count (one pass). If True, exactly ``target`` rows are kept
        (one extra aggregation pass; no sort or shuffle of the input).
    replacement : bool, default False
        If True, the kept rows are drawn with replacement, as imbalanced-learn's
        ``replacement=True``: each row of a targeted class comes out Poisson(
        target / count) times (with ``exact=True``: exactly ``target`` rows, a
        bootstrap sample of that size). Other classes stay as they are.
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
        replacement: bool = False,
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
        replacement: bool = False,
        weightCol: Any = None,
        seed: Any = None,
        idCol: Any = None,
    ) -> RandomUnderSampler:
        return self._set_given(self._input_kwargs)

    def setReplacement(self, value: bool) -> RandomUnderSampler:
        return self._set(replacement=value)
