"""The SMOTE family's SQL side: the driver's bucket plan reaching the rows as
lookup expressions, the synthetic points computed from the generating UDF's
(seed, neighbour) pairs, and the types in which categorical and copied
columns cross the UDFs. Each is one SQL expression (or a few): a Column built
per class, bucket or feature costs a call to the JVM (or a Connect message)."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegralType,
    LongType,
    NumericType,
    StringType,
    StructField,
    TimestampNTZType,
    TimestampType,
)

from . import _buckets
from ._base import SamplerModel
from ._columns import col, sql_doubles, sql_longs
from ._random import uniform
from ._smote_kernels import (
    _BUCKET,
    _CLASS,
    _COUNT,
    _LEAF,
    _NEIGHBOR_X,
    _PAIR,
    _SEED_X,
    _SPARSE,
    _SUB,
    _TOWARDS_OTHER,
    _X,
)


def per_class_arrays(per_class: Dict[int, str]) -> str:
    """A SQL expression for the array of class ``__smote_class`` (ids 0, 1, ...)."""
    return f"element_at(array({', '.join(per_class[i] for i in sorted(per_class))}), {_CLASS} + 1)"


PerKey = Dict[Tuple[int, int, int], int]  # a value per (class, leaf, sub-key)


def key_lookup(mapping: PerKey) -> Column:
    """A value per (class, leaf, sub-key), as one SQL expression: per class, a
    lookup array indexed by leaf * SUB_KEYS + sub-key. The plan assigns
    buckets in key order, so each class's array is a run of equal values per
    bucket, written as ``array_repeat`` runs that Spark folds into one
    literal when it optimises the plan."""
    runs: Dict[int, List[List[int]]] = {}
    for (i, _, _), value in sorted(mapping.items()):
        class_runs = runs.setdefault(i, [])
        if class_runs and class_runs[-1][0] == value:
            class_runs[-1][1] += 1
        else:
            class_runs.append([value, 1])
    lookups = {
        i: f"flatten(array({', '.join(f'array_repeat({v}, {n})' for v, n in class_runs)}))"
        for i, class_runs in runs.items()
    }
    key = f"CAST({_LEAF} * {_buckets.SUB_KEYS} + {_SUB} + 1 AS INT)"
    return F.expr(f"element_at({per_class_arrays(lookups)}, {key})")


def bucket_of(mapping: PerKey, parts: Optional[PerKey] = None) -> Column:
    """The bucket of each row, from its (class, leaf, sub-key): ``mapping``
    gives the (first) bucket, and a sub-key split into ``parts[key]`` buckets
    adds the row hash's bits above the sub-key's modulo the parts. Lookups
    in SQL, not a broadcast join with a table of the mapping: that made the
    same buckets, but building the table from a Python list and broadcasting
    it cost a job each time (on a 300-row table a resample took 7-20 % longer
    that way; on 400,000 rows the two measured the same)."""
    bucket = key_lookup(mapping)
    if not parts:
        return bucket
    n_parts = key_lookup({key: parts.get(key, 1) for key in mapping})
    above_sub_key = F.shiftrightunsigned(F.col(SamplerModel._HASH), _buckets.SUB_KEY_BITS)
    return bucket + F.pmod(above_sub_key, n_parts.cast("long")).cast("int")


def other_fraction(
    sampled_others: Dict[Tuple[int, int], int], cap: int, bucket_sizes: Dict[int, List[int]]
) -> Column:
    """The share of other-class rows kept in each row's (class, bucket): about
    ``cap`` of them where the region holds more, all elsewhere."""
    arrays = {
        i: sql_doubles(
            cap / sampled_others[(i, b)] if (i, b) in sampled_others else 1.0
            for b in range(len(sizes))
        )
        for i, sizes in bucket_sizes.items()
    }
    return F.expr(f"element_at({per_class_arrays(arrays)}, {_BUCKET} + 1)")


def new_in_bucket(new_per_bucket: Dict[Tuple[int, int], int]) -> Column:
    """The synthetic rows to draw in each row's (class, bucket), as one SQL expression."""
    per_class: Dict[int, Dict[int, int]] = {}
    for (i, bucket), n in new_per_bucket.items():
        per_class.setdefault(i, {})[bucket] = n
    arrays = {i: sql_longs(news[b] for b in range(len(news))) for i, news in per_class.items()}
    return F.expr(f"element_at({per_class_arrays(arrays)}, {_BUCKET} + 1)")


# Up to this many features a synthetic point is one SQL array of per-feature
# terms, which Spark compiles; above, ``zip_with``. The terms' generated method
# grows with them, and past the JVM's limit for compiling a method (8,000
# bytes) it runs interpreted: 1M synthetic rows took 0.5-0.7 s at 36
# features, 7.6-8.0 s at 48 (``zip_with``: 1.8-2.2 s and 2.2-2.6 s).
TERMS_UP_TO = 24
# SMOTENC's categories are picked in the same projection, which they grow too:
# 24 features with 3 categorical columns were 1.9 s faster term by term than
# with ``zip_with`` (1M rows, 5 % positives), with 10 columns 2-3 s slower.
PICKS_WITH_TERMS = 3


def points_of_pairs(
    pairs: DataFrame,
    fields: List[StructField],
    categorical: List[str],
    seed: int,
    dimension: int,
    settled: bool = False,
) -> DataFrame:
    """One row per synthetic row from the generating UDF's (seed, neighbour)
    pairs, in SQL: each pair's ``count`` rows get a step ``u`` uniform in
    [0, 1) (borderline-2, towards another class: ``u`` times a uniform in
    [0, 0.5), as imbalanced-learn) from the hash of (seed, class, bucket,
    pair, row index), and the point ``seed + step * (neighbour - seed)``,
    the same arithmetic as NumPy's ``a + s * (b - a)``, over ``dimension``
    features. SMOTENC's category is drawn the same way among the categories
    the seed's neighbours tie on; ``settled``: the kernel left one category
    per column (SMOTEN's), taken as it is, without a draw.

    Up to ``TERMS_UP_TO`` features (and ``PICKS_WITH_TERMS`` categorical
    columns), without a higher-order function: Spark
    runs their lambdas outside its generated code, from a row built for every
    row. Side by side on 1M synthetic rows of 20 features: 1.2-1.4 s with the
    steps drawn by ``transform`` and the point by ``zip_with``, 0.3-0.4 s
    with plain expressions."""
    index, step = "__smote_index", "__smote_step"

    def draw(i: Column) -> Column:  # the hash of the pair's i-th synthetic row
        return F.xxhash64(F.lit(int(seed)), F.lit("smote-step"), _CLASS, _BUCKET, _PAIR, i)

    def step_of(i: Column) -> Column:
        u = uniform(draw(i))
        half = F.lit(0.5) * uniform(draw(i), "half")
        return F.when(F.col(_TOWARDS_OTHER), u * half).otherwise(u)

    rows = F.sequence(F.lit(0).cast("long"), F.col(_COUNT) - 1)
    # No point at all (SMOTEN): only the categories' picks, which need no lambda.
    if dimension == 0 or (dimension <= TERMS_UP_TO and len(categorical) <= PICKS_WITH_TERMS):
        # The step in a projection of its own, which the point's terms read
        # (Spark does not copy into the next projection an expression that it
        # reads more than once).
        stepped = pairs.select("*", F.explode(rows).alias(index))
        stepped = stepped.select("*", step_of(F.col(index)).alias(step))
        terms = (
            f"{_SEED_X}[{j}] + {step} * ({_NEIGHBOR_X}[{j}] - {_SEED_X}[{j}])"
            for j in range(dimension)
        )
        point = F.expr(f"array({', '.join(terms)})")
    else:
        # The steps come out of the generator, so the lambda reads a column: an
        # expression there would run once per feature (Spark inlines a column
        # read once into the lambda that reads it).
        stepped = pairs.select("*", F.posexplode(F.transform(rows, step_of)).alias(index, step))
        point = F.zip_with(_SEED_X, _NEIGHBOR_X, lambda a, b: a + F.col(step) * (b - a))
    pair_only = (_COUNT, _PAIR, _TOWARDS_OTHER)
    rest = [f.name for f in fields if f.name not in pair_only + (_SEED_X, _NEIGHBOR_X)]
    columns = []
    for j, name in enumerate(rest):
        if name in categorical and settled:
            columns.append(F.element_at(name, 1).alias(name))
        elif name in categorical:  # one of the tied categories, per synthetic row
            u = uniform(draw(F.col(index).cast("long")), "category", j)
            pick = F.floor(u * F.size(name)).cast("int") + 1
            columns.append(F.element_at(name, pick).alias(name))
        else:
            columns.append(F.col(name))
    return stepped.select(point.alias(_X), *columns)


def categorical_transport(name: str, data_type: DataType) -> Column:
    """A categorical column as the UDFs receive it: integers as decimal(20,0),
    which Arrow hands to pandas exactly, nulls included (as float64, integers
    above 2**53 would change); the generator writes the column's own type back
    (``_smote_kernels.categories``)."""
    if isinstance(data_type, IntegralType):
        return col(name).cast("decimal(20,0)")
    return col(name)


def copy_transport(value: Column, data_type: DataType) -> Column:
    """A ``copyCols`` value as the generator receives and returns it, in a
    type pandas holds exactly (``copy_restored`` turns it back):

    * timestamps as microseconds since the epoch: Arrow hands pandas a
      timestamp as the session time zone's wall-clock time, without its
      offset, so in the hour a clock turns back (daylight saving ends) a copy
      came back an hour off (8 of 20 synthetic rows, at America/Los_Angeles);
    * integers as decimal(20,0): with a null among them, pandas gets float64,
      which changed a long above 2**53 (2**62 + 2 came back as 2**62);
    * floats and doubles as strings, which Spark writes with the digits that
      read back to the same value: pandas holds NaN and null alike, and a NaN
      came back null;
    * timestamps without time zone as strings, which read back exactly in any
      session time zone: pandas holds them in nanoseconds, and a date past
      2262 (9999-12-31, a common "no end" value) failed the job."""
    if isinstance(data_type, TimestampType):
        return F.unix_micros(value)
    transport = copy_transport_type(data_type)
    return value if transport == data_type else value.cast(transport)


def copy_transport_type(data_type: DataType) -> DataType:
    if isinstance(data_type, TimestampType):
        return LongType()
    if isinstance(data_type, IntegralType):
        return DecimalType(20, 0)
    if isinstance(data_type, (FloatType, DoubleType, TimestampNTZType)):
        return StringType()
    return data_type


def copy_restored(name: str, data_type: DataType) -> Column:
    """The copied column back in its own type (``copy_transport``)."""
    value = F.col(name)
    if isinstance(data_type, TimestampType):
        return F.timestamp_micros(value)
    return value if copy_transport_type(data_type) == data_type else value.cast(data_type)


def sql_null(data_type: DataType) -> Optional[str]:
    """A typed null as SQL, for the types whose name SQL reads back as it is
    written; None for the others (nested, user-defined such as vectors,
    collated strings), which need a Column."""
    plain = (NumericType, BooleanType, DateType, TimestampType, TimestampNTZType, BinaryType)
    if isinstance(data_type, plain) or data_type.simpleString() == "string":
        return f"CAST(NULL AS {data_type.simpleString()})"
    return None


def any_sparse_row(carries_sparse: bool) -> Column:
    """Aggregate: whether any row holds a sparse vector (false once the
    per-row flag is dropped, or for numeric input columns)."""
    return (F.max(F.col(_SPARSE)) if carries_sparse else F.lit(False)).alias(_SPARSE)
