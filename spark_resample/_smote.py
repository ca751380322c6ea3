"""The SMOTE family at Spark scale: SMOTE, SMOTENC, BorderlineSMOTE, ADASYN.

How one resample runs (DESIGN.md, "SMOTE at scale"):

1. Rows of the targeted classes (and, for BorderlineSMOTE and ADASYN, rows of
   the other classes) are reduced to (class, row hash, feature array); the
   majority is never shuffled by SMOTE and SMOTENC.
2. A bounded sample per class (at most ``_buckets.sample_rows`` rows, drawn
   from the row hash) reaches the driver and fits a PCA tree; a pandas UDF
   puts every row in a leaf. One aggregation counts rows per (leaf, hash
   sub-key), from which the driver plans buckets of at most ``maxBucketSize``
   rows and at least k + 1 (a sub-key above the bound on its own, in classes
   of over 134M rows, is split by the row hash: ``_buckets``), and spreads
   each class's number of synthetic rows over its buckets so the class
   total is exact.
3. ``applyInPandas`` over (class, bucket) sorts the bucket's rows by hash,
   seeds NumPy from (seed, class, bucket) and runs exact k-NN and the draw of
   ``_knn``: how many synthetic rows each (seed, neighbour) pair makes. It
   returns one row per pair drawn (at most rows x k, whatever the class
   ratio); SQL explodes each pair into its synthetic rows, draws each one's
   step from its hash and computes ``seed + step * (neighbour - seed)``.
   Synthetic rows are unioned onto the untouched original rows.

BorderlineSMOTE and ADASYN first run a pass that measures each bucket's share
(rows in danger, summed difficulty), then spread the total by that share. The
other classes' rows join the buckets of their region in the class's tree; a
bucket whose region holds more than ``maxOtherRows`` of them gets a uniform
sample of about that many (the plan's job counts them per bucket), so no
group's memory grows with the class ratio.

This module plans and assembles the jobs; ``_smote_sql`` holds the SQL
expressions they are built from (the plan's lookups, the points of the
pairs), ``_smote_kernels`` what runs inside the pandas UDFs,
``_smote_params`` the family's parameters and ``_smote_estimator`` the fit's
checks of input and parameters.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

import numpy as np
from pyspark import keyword_only
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    IntegralType,
    StructField,
    StructType,
)

from . import _buckets, _knn
from ._base import SamplerModel
from ._collation import one_spelling
from ._columns import col, doubles, label_in, label_lookup, quote
from ._smote_estimator import _SmoteEstimatorBase
from ._smote_kernels import (
    _BUCKET,
    _CLASS,
    _LEAF,
    _NEW,
    _OTHER,
    _SPARSE,
    _SUB,
    _WEIGHT,
    _X,
    DEBUG_COLUMNS,
    _generate_udf,
    _leaf_udf,
    _SmoteKernel,
    _to_sparse,
    _weight_udf,
    pair_fields,
)
from ._smote_params import _SmoteParams, _VectorSmoteParams
from ._smote_sql import (
    PerKey,
    any_sparse_row,
    bucket_of,
    categorical_transport,
    copy_restored,
    copy_transport,
    copy_transport_type,
    new_in_bucket,
    other_fraction,
    points_of_pairs,
    sql_null,
)
from ._strategy import format_label


class _SmoteModelBase(SamplerModel, _SmoteParams):
    """Shared resampling of the SMOTE family; subclasses give the kernel."""

    # Set by the estimator's fit; used only on the DataFrame fitted on.
    _k_by_class: Dict[Any, int] = {}
    _median_std: Dict[Any, float] = {}
    #: Keep seed hash, neighbour hash and bucket id on synthetic rows (tests).
    _debug = False
    #: After a resample: (class id, row hash, bucket) of every bucketed row of
    #: the class, and of the other classes' rows that joined (lazily), and
    #: (class id, bucket) -> other-class rows of the buckets that got a sample.
    _last_buckets: Optional[DataFrame] = None
    _last_others: Optional[DataFrame] = None
    _last_sampled_others: Dict[Tuple[int, int], int] = {}

    def _kernel(self, ids: Dict[Any, int]) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _features(self, dataset: DataFrame):
        numeric = self._numeric_cols()
        if numeric is None:
            return vector_to_array(col(self.getFeaturesCol()))
        return doubles(numeric)

    def _carried(self) -> Tuple[Dict[str, str], Dict[str, str]]:
        """The names under which the categorical and the copied columns cross
        the UDFs. applyInPandas and mapInPandas hand their function the
        columns as ``df[name]``, which parses the name: a user's "a.b" read
        as field b of a column a, and a backtick failed the plan."""
        return (
            {c: f"__smote_cat_{i}" for i, c in enumerate(self._categorical_cols())},
            {c: f"__smote_copy_{i}" for i, c in enumerate(self.getCopyCols())},
        )

    def _resample(self, dataset: DataFrame) -> DataFrame:
        columns = dataset.columns
        marker = self.getSyntheticCol()
        originals = dataset.withColumn(marker, F.lit(False))
        targeted = self._targeted()
        counts = self._class_stats.counts
        added = {c: t - counts[c] for c, t in targeted.items() if t > counts[c]}
        keep = columns + [marker] + (list(DEBUG_COLUMNS) if self._debug else [])
        if not added:
            return self._finish(originals, columns + [marker], {}, appended=[])
        ids = {label: i for i, label in enumerate(sorted(added, key=format_label))}
        schema = dataset.schema  # once: over Spark Connect each read is a round trip
        rows = self._bucket_rows(self._with_draw(dataset), ids, schema)
        # The first job over all the class rows also tells whether any of them
        # is sparse: the tree sample's when a class needs a tree, else the
        # bucket plan's. Once known false, the flag (a JSON test per row) is
        # dropped, before the leaf UDF, through which Spark cannot prune it.
        # Whether the rows still carry the flag (vector input), tracked here
        # rather than read from their schema: over Spark Connect that is a
        # round trip to the server.
        carries_sparse = self._numeric_cols() is None
        trees, any_sparse = self._fit_trees(rows, ids, carries_sparse)
        if any_sparse is False and carries_sparse:
            rows, carries_sparse = rows.drop(_SPARSE), False
        if any(tree.depth for tree in trees.values()):
            # Not `schema`: that stays the input's, whose types the output's
            # categories and copies are given (not their transport types).
            with_leaf = StructType(rows.schema.fields + [StructField(_LEAF, IntegerType())])
            rows = rows.mapInPandas(_leaf_udf(trees), with_leaf)
        else:
            rows = rows.withColumn(_LEAF, F.lit(0))
        rows = rows.withColumn(_SUB, F.pmod(F.col(self._HASH), F.lit(_buckets.SUB_KEYS)))
        mapping, planned_sparse, other_counts = self._plan(rows, ids, carries_sparse)
        if any_sparse is None:  # no tree sample ran: the plan's job told
            any_sparse = planned_sparse
            if not any_sparse and carries_sparse:
                rows = rows.drop(_SPARSE)
        kernel = self._kernel(ids)
        carried_categories, carried_copies = self._carried()
        categorical = list(carried_categories.values())
        label_of = {i: label for label, i in ids.items()}
        bucketed = rows.withColumn(_BUCKET, bucket_of(mapping, self._bucket_parts))
        sampled_others = self._sampled_others(ids, mapping, other_counts)
        if sampled_others:
            fraction = other_fraction(sampled_others, self._other_rows_cap(), self._bucket_sizes)
            bucketed = bucketed.where(~F.col(_OTHER) | (F.col(self._DRAW) < fraction))
        self._last_buckets = bucketed.where(~F.col(_OTHER)).select(_CLASS, self._HASH, _BUCKET)
        self._last_others = bucketed.where(F.col(_OTHER)).select(_CLASS, self._HASH, _BUCKET)
        self._last_sampled_others = sampled_others
        new_per_bucket = self._spread(
            bucketed, kernel, added, label_of, categorical, sampled_others
        )
        grouped = bucketed.withColumn(_NEW, new_in_bucket(new_per_bucket)).where(F.col(_NEW) > 0)
        out_fields = pair_fields()
        if any_sparse:
            out_fields.append(StructField(_SPARSE, BooleanType()))
        out_fields += [
            StructField(name, ArrayType(schema[c].dataType))
            for c, name in carried_categories.items()
        ]
        out_fields += [
            StructField(name, copy_transport_type(schema[c].dataType))
            for c, name in carried_copies.items()
        ]
        pairs = grouped.groupBy(_CLASS, _BUCKET).applyInPandas(
            _generate_udf(
                kernel,
                self.getOrDefault(self.seed),
                categorical,
                any_sparse,
                sampled_others,
                list(carried_copies.values()),
            ),
            StructType(out_fields),
        )
        seed = self.getOrDefault(self.seed)
        synthetic = points_of_pairs(
            pairs,
            out_fields,
            categorical,
            seed,
            self._point_dimension(self._class_stats),
            settled=self._settled_categories,
        )
        synthetic = self._synthetic_rows(synthetic, dataset, label_of, keep, any_sparse)
        factors = {c: counts[c] / targeted[c] for c in added}
        resampled = originals.unionByName(synthetic, allowMissingColumns=True)
        # The union's columns are ``keep``: the originals' columns, then the
        # debug columns only the synthetic rows have.
        return self._finish(resampled, keep, factors, appended=[])

    def _bucket_rows(self, drawn: DataFrame, ids: Dict[Any, int], schema: StructType) -> DataFrame:
        """The rows the UDFs read (``schema``: the input's)."""
        label = col(self.getLabelCol())
        types = {f.name: f.dataType for f in schema.fields}
        carried_categories, carried_copies = self._carried()
        extra = [
            categorical_transport(c, types[c]).alias(name) for c, name in carried_categories.items()
        ]
        vectors = self._numeric_cols() is None

        def select(frame: DataFrame, class_id, other: bool) -> DataFrame:
            # Only a class's own rows seed synthetic rows: other rows carry no copies.
            copies = [
                copy_transport(F.lit(None).cast(types[c]) if other else col(c), types[c]).alias(
                    name
                )
                for c, name in carried_copies.items()
            ]
            flags = []
            if vectors:
                # A vector's JSON form is the only SQL view of whether it is
                # sparse. Only a class's own rows seed synthetic rows, so rows
                # of other classes skip the test.
                sparse = F.to_json(F.struct(col(self.getFeaturesCol()))).contains('{"type":0,')
                flags.append((F.lit(False) if other else sparse).alias(_SPARSE))
            return frame.select(
                class_id.cast("int").alias(_CLASS),
                F.col(self._HASH),
                F.col(self._DRAW),
                self._features(frame).alias(_X),
                F.lit(other).alias(_OTHER),
                *extra,
                *copies,
                *flags,
            )

        collation = self._collation()
        own = label_in(label, ids, collation)
        rows = select(drawn.where(own), label_lookup(label, ids, collation), False)
        if self._needs_others:
            # Rows of other classes join each targeted class's buckets; they
            # are the neighbours that tell borderline and hard rows apart.
            for label_value, i in ids.items():
                others = drawn.where(label != F.lit(label_value))
                rows = rows.unionByName(select(others, F.lit(i), True))
        # Collated categories spelled one way over every row the UDFs read, own
        # and other classes' alike. From these rows, not the whole input:
        # grouping every row by a collated value cost 1.5-1.9 s more per
        # million rows, these 0.3-0.5 s (three jobs read them; side by side).
        carried_types = {name: types[c] for c, name in carried_categories.items()}
        return one_spelling(rows, list(carried_types), carried_types, source=rows)

    def _fit_trees(
        self, rows: DataFrame, ids: Dict[Any, int], carries_sparse: bool
    ) -> Tuple[Dict[int, _buckets.PcaTree], Optional[bool]]:
        """A PCA tree per class that needs one, from a bounded sample drawn in
        one aggregation over the class rows, and whether any of those rows is
        sparse (None when no class needs a tree: no job runs)."""
        counts = self._class_stats.counts
        bound = self.getMaxBucketSize()
        limit = _buckets.sample_rows(self._dimension(self._class_stats))
        depths = {
            i: _buckets.tree_depth(counts[c], min(counts[c], limit), bound) for c, i in ids.items()
        }
        trees = {i: _buckets.PcaTree(np.zeros((0, 0)), np.zeros(0), 0) for i in ids.values()}
        deep = [i for i, depth in depths.items() if depth]
        self._depths = {i: 0 for i in trees}
        if not deep:
            return trees, None
        label_of = {i: c for c, i in ids.items()}
        fractions = {i: min(1.0, limit / counts[label_of[i]]) for i in deep}
        # null (not picked) for classes without a tree: they have no fraction
        picked = F.col(self._DRAW) < label_lookup(F.col(_CLASS), fractions)
        found = (
            rows.where(~F.col(_OTHER))
            .groupBy(_CLASS)
            .agg(
                F.collect_list(F.when(picked, F.struct(F.col(self._HASH), F.col(_X)))),
                any_sparse_row(carries_sparse),
            )
            .collect()
        )
        sample = {r[0]: r[1] for r in found}
        seed = self.getOrDefault(self.seed)
        for i in deep:
            # The list's order follows the partitioning: sort by hash first.
            picked_rows = sorted((r[0], r[1]) for r in sample.get(i, []))
            x = np.array([values for _, values in picked_rows], dtype=np.float64)
            depth = min(depths[i], _buckets.tree_depth(counts[label_of[i]], len(x), bound))
            trees[i] = _buckets.fit_tree(x, depth, _knn.bucket_rng(seed, i, 0, stream=1))
        self._depths = {i: tree.depth for i, tree in trees.items()}
        return trees, any(bool(r[2]) for r in found)

    def _others_of(self, label: Any) -> int:
        """Rows of the classes other than ``label``."""
        counts = self._class_stats.counts
        return sum(counts.values()) - counts[label]

    def _plan(
        self, rows: DataFrame, ids: Dict[Any, int], carries_sparse: bool
    ) -> Tuple[PerKey, bool, Optional[PerKey]]:
        """(class, leaf, sub-key) -> bucket (the first of its parts where
        ``self._bucket_parts`` splits it), from one aggregation of the class
        rows, whether any of them holds a sparse vector (if the rows still
        carry the flag: ``carries_sparse``), and, when some class's other rows
        exceed ``_other_rows_cap`` and its rows need planning, the other rows
        per (class, leaf, sub-key), counted in the same job (else None)."""
        counts = self._class_stats.counts
        per_class: Dict[int, Dict[Tuple[int, int], int]] = {i: {} for i in ids.values()}
        other_counts: Optional[PerKey] = None
        any_sparse = False
        cap = self._other_rows_cap()
        count_others = cap is not None and any(self._others_of(c) > cap for c in ids)
        if not carries_sparse and all(counts[c] <= self.getMaxBucketSize() for c in ids):
            # Every class is one leaf that fits one bucket, whatever its rows'
            # sub-keys: the class count is the plan, and no job needs to run.
            # (Rows that may hold sparse vectors still go through the job,
            # which tells whether any does.)
            for c, i in ids.items():
                per_class[i][(0, 0)] = counts[c]
        else:
            measured = (
                (rows if count_others else rows.where(~F.col(_OTHER)))
                .groupBy(_CLASS, _OTHER, _LEAF, _SUB)
                .agg(F.count(F.lit(1)), any_sparse_row(carries_sparse))
                .collect()
            )
            other_counts = {} if count_others else None
            for r in measured:
                if r[1]:
                    other_counts[(r[0], r[2], r[3])] = r[4]
                    continue
                per_class[r[0]][(r[2], r[3])] = r[4]
                any_sparse = any_sparse or bool(r[5])
        mapping: PerKey = {}
        self._bucket_sizes: Dict[int, List[int]] = {}
        self._bucket_parts: PerKey = {}
        for label, i in ids.items():
            plan = _buckets.plan_buckets(
                per_class[i], self._k_by_class[label] + 1, self.getMaxBucketSize()
            )
            self._bucket_sizes[i] = plan.sizes
            self._bucket_parts.update({(i, *key): n for key, n in plan.parts.items()})
            # Rows of other classes may fall on a (leaf, sub-key) that no row of
            # the class has: they join the bucket of the nearest key before it
            # (or after, at the start), so none is lost from the neighbourhood.
            leaves = 2 ** self._depths[i]
            keys = [(leaf, sub) for leaf in range(leaves) for sub in range(_buckets.SUB_KEYS)]
            known = [plan.bucket_of.get(key) for key in keys]
            first = next(b for b in known if b is not None)
            for key, bucket in zip(keys, known):
                first = first if bucket is None else bucket
                mapping[(i, *key)] = first
        return mapping, any_sparse, other_counts

    def _sampled_others(
        self,
        ids: Dict[Any, int],
        mapping: PerKey,
        other_counts: Optional[PerKey],
    ) -> Dict[Tuple[int, int], int]:
        """(class, bucket) -> rows of other classes in the bucket's region, for
        the buckets where they exceed ``_other_rows_cap``: those get a uniform
        sample of about that many (the k-NN group's memory stays bounded)."""
        cap = self._other_rows_cap()
        sampled: Dict[Tuple[int, int], int] = {}
        for label, i in ids.items():
            if cap is None or self._others_of(label) <= cap:
                continue
            per_bucket: Dict[int, int] = {}
            if other_counts is None:
                # No plan job ran: every class is one bucket, which all the
                # other classes' rows join.
                per_bucket[0] = self._others_of(label)
            else:
                for (class_id, leaf, sub), n in other_counts.items():
                    if class_id == i:
                        first = mapping[(i, leaf, sub)]
                        # A split sub-key's rows go to its parts about equally.
                        n_parts = self._bucket_parts.get((i, leaf, sub), 1)
                        for j, share in enumerate(_knn.allocate(n, [1.0] * n_parts)):
                            per_bucket[first + j] = per_bucket.get(first + j, 0) + int(share)
            sampled.update({(i, b): n for b, n in per_bucket.items() if n > cap})
        return sampled

    def _spread(
        self,
        bucketed: DataFrame,
        kernel: Any,
        added: Dict[Any, int],
        label_of: Dict[int, Any],
        categorical: List[str],
        sampled_others: Dict[Tuple[int, int], int],
    ) -> Dict[Tuple[int, int], int]:
        """Synthetic rows per (class, bucket), summing to each class's total."""
        if hasattr(kernel, "weight"):
            # A StructType, not a DDL string: over Spark Connect the client
            # sends a string to the server to be parsed.
            schema = StructType(
                [
                    StructField(_CLASS, IntegerType()),
                    StructField(_BUCKET, IntegerType()),
                    StructField(_WEIGHT, DoubleType()),
                ]
            )
            measured = (
                bucketed.groupBy(_CLASS, _BUCKET)
                .applyInPandas(_weight_udf(kernel, categorical, sampled_others), schema)
                .collect()
            )
            weights: Dict[int, List[float]] = {
                i: [0.0] * len(s) for i, s in self._bucket_sizes.items()
            }
            for r in measured:
                weights[r[0]][r[1]] = r[2]
        else:
            weights = {i: [float(s) for s in sizes] for i, sizes in self._bucket_sizes.items()}
        spread: Dict[Tuple[int, int], int] = {}
        for i, w in weights.items():
            if sum(w) <= 0:
                raise ValueError(self._no_weight_message(label_of[i]))
            for bucket, n in enumerate(_knn.allocate(added[label_of[i]], w)):
                spread[(i, bucket)] = int(n)
        return spread

    def _no_weight_message(self, label: Any) -> str:  # pragma: no cover - two-pass only
        return f"class {format_label(label)} has no row to generate from"

    def _synthetic_rows(
        self,
        synthetic: DataFrame,
        dataset: DataFrame,
        label_of: Dict[int, Any],
        keep: List[str],
        any_sparse: bool,
    ) -> DataFrame:
        schema = dataset.schema
        label_name = self.getLabelCol()
        values = {
            label_name: label_lookup(F.col(_CLASS), label_of).cast(schema[label_name].dataType),
            self.getSyntheticCol(): F.lit(True),
        }
        numeric = self._numeric_cols()
        if numeric is None:
            dense = array_to_vector(F.col(_X))
            if any_sparse:
                sparse = F.udf(_to_sparse, VectorUDT())(F.col(_X))
                dense = F.when(F.col(_SPARSE), sparse).otherwise(dense)
            values[self.getFeaturesCol()] = dense
        else:
            for j, name in enumerate(numeric):
                value = f"{_X}[{j}]"
                if isinstance(schema[name].dataType, IntegralType):
                    value = f"round({value})"  # an integer feature stays an integer
                values[name] = f"CAST({value} AS {schema[name].dataType.simpleString()})"
        carried_categories, carried_copies = self._carried()
        for name, carried in carried_categories.items():
            values[name] = F.col(carried)
        for name, carried in carried_copies.items():
            values[name] = copy_restored(carried, schema[name].dataType)
        weight_col = self.getWeightCol() if self.isDefined(self.weightCol) else None
        if weight_col in schema.names:
            # The class's mean weight; _finish then scales the class by n / target,
            # so the class's weight sum stays what it was, exactly.
            stats = self._class_stats
            means = {i: stats.weight_sums[c] / stats.counts[c] for i, c in label_of.items()}
            values[weight_col] = label_lookup(F.col(_CLASS), means)
        if self._debug:
            values.update({c: F.col(c) for c in DEBUG_COLUMNS})
        for name in keep:  # the other columns are null on synthetic rows
            if name not in values:
                null = sql_null(schema[name].dataType)
                values[name] = null if null else F.lit(None).cast(schema[name].dataType)
        # Two projections: the few values that are Columns under numbered
        # names, then every output column as one list of SQL strings (one call
        # to the JVM however wide the table; see _columns.doubles).
        computed = {n: v for n, v in values.items() if isinstance(v, Column)}
        temp = {n: f"__smote_out_{i}" for i, n in enumerate(computed)}
        synthetic = synthetic.select("*", *[v.alias(temp[n]) for n, v in computed.items()])
        out = [f"{temp.get(name, values[name])} AS {quote(name)}" for name in keep]
        return synthetic.selectExpr(*out)


_SHARED_DOC = """
    Parameters
    ----------
    labelCol : str, default "label"
    featuresCol : str, default "features"
        A Spark ML vector column (dense or sparse). A synthetic vector is sparse
        when its seed row's vector is.
    inputCols : list of str, optional
        Numeric columns used instead of ``featuresCol``; synthetic values are
        cast back to each column's type (integers rounded).
    samplingStrategy : str, float, dict or callable, default "auto"
        As imbalanced-learn's: final count per over-sampled class (a callable
        is given the class counts ``{label: rows}``).
    maxBucketSize : int, default 4096
        Bound on the rows of one class in one k-NN bucket, and so on the memory
        of one pandas UDF call. Larger buckets are closer to exact k-NN.
    syntheticCol : str, default "is_synthetic"
        Added boolean column, true on synthetic rows.
    allowFewerNeighbors : bool, default False
        If true, a class with too few rows uses ``n - 1`` neighbours (logged).
    weightCol : str, optional
        If set, a synthetic row weighs the class's mean weight, then every row
        of an over-sampled class is scaled by ``n / target``: the class's weight
        sum is preserved exactly (a new column starts at 1).
    seed : int
    idCol : str, optional
        Row key for the hash that orders rows in a bucket; default all columns.
    copyCols : list of str, optional
        Columns a synthetic row takes from its seed row (the row it is drawn
        from, towards a neighbour): a date, a segment, a group id for grouped
        cross-validation. Numbers, strings, booleans, dates, timestamps or binary.

    Synthetic rows carry the label, the features, the marker and ``copyCols``;
    every other column is null there. Original rows and columns are untouched. The output is
    the same for the same seed whatever the partitioning.
"""


class SMOTEModel(_SmoteModelBase, _VectorSmoteParams):
    """Fitted :class:`SMOTE`."""

    def _kernel(self, ids: Dict[Any, int]) -> Any:
        return _SmoteKernel({i: self._k_by_class[c] for c, i in ids.items()})


class SMOTE(_SmoteEstimatorBase, _VectorSmoteParams):
    __doc__ = (
        """Synthetic Minority Over-sampling TEchnique, with k-NN per locality bucket.

    Each synthetic row is ``x + u (nn - x)``: ``x`` a row of the class, ``nn``
    one of its ``kNeighbors`` nearest rows of the same class within its bucket,
    ``u`` uniform in [0, 1); exactly as many per class as the strategy asks.
"""
        + _SHARED_DOC
        + """
    kNeighbors : int, default 5

    Examples
    --------
    >>> smote = SMOTE(featuresCol="features", kNeighbors=5, seed=7)
    >>> balanced = smote.resample(df)                           # doctest: +SKIP
    >>> Pipeline(stages=[assembler, smote, LogisticRegression()]).fit(df)  # doctest: +SKIP
    """
    )

    _model_class = SMOTEModel

    @keyword_only
    def __init__(
        self,
        *,
        labelCol: str = "label",
        featuresCol: str = "features",
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
        featuresCol: str = "features",
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
    ) -> SMOTE:
        return self._set_given(self._input_kwargs)
