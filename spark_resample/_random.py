"""Per-row random draws derived from (seed, stable row key).

Spark's ``rand(seed)`` and ``sample()`` seed each partition by its index, so the
same seed selects other rows when the partitioning or the order within a
partition changes, and a task retried after a shuffle can lose or duplicate
rows. Here every draw is a hash of the seed and the row itself (or a user id
column), so it depends on nothing but the data. Identical rows get identical
draws: each row's expected share of the output is as it should be, while a
group of identical rows is kept, dropped or copied together.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as sql_types
from pyspark.sql.types import ArrayType, DataType, MapType, StructType, UserDefinedType

from ._columns import label_lookup, quote

_TWO_POW_53 = float(2**53)


# Spark 4's semi-structured type; PySpark 3.5 has none.
_VARIANT = getattr(sql_types, "VariantType", None)


def _unhashable(data_type: DataType) -> bool:
    """Whether ``data_type`` is or holds a map or a variant, which xxhash64 refuses."""
    if isinstance(data_type, MapType) or (_VARIANT and isinstance(data_type, _VARIANT)):
        return True
    if isinstance(data_type, ArrayType):
        return _unhashable(data_type.elementType)
    if isinstance(data_type, StructType):
        return any(_unhashable(field.dataType) for field in data_type.fields)
    return False


# JSON writes timestamps in the session time zone unless told one: hashed
# JSON must not change with the session's setting (sessions in two regions).
# Its default formats stop at the millisecond, which would give rows that
# differ only in a timestamp's microseconds one key (and one draw). No quoted
# 'T' in the patterns: they go into a SQL string literal below.
STABLE_JSON = {
    "timeZone": "UTC",
    "timestampFormat": "yyyy-MM-dd HH:mm:ss.SSSSSSXXX",
    "timestampNTZFormat": "yyyy-MM-dd HH:mm:ss.SSSSSS",
}
_STABLE_JSON_SQL = "map(" + ", ".join(f"'{k}', '{v}'" for k, v in STABLE_JSON.items()) + ")"


def content_hash(names: Sequence[str]) -> Column:
    """A 64-bit hash of the row's values in columns ``names`` (distinct names),
    through their JSON form, which every type has: an order among rows that
    share a draw (rows sharing an ``idCol`` value) that follows their content,
    not the partitioning. Rows with the same content hash alike."""
    fields = ", ".join(quote(n) for n in names)
    return F.xxhash64(F.to_json(F.expr(f"struct({fields})"), STABLE_JSON))


def _hashable_sql(name: str, data_type: DataType) -> str:
    # Spark refuses to hash maps (equal maps may hash differently) and
    # variants (Spark 4: semi-structured data, e.g. parse_json). Their JSON
    # form is stable for the same data read the same way: a variant's object
    # keys come out sorted. Inside a struct, a null column gives "{}", which
    # no value gives.
    ref = quote(name)
    if _unhashable(data_type):
        return f"to_json(struct({ref}), {_STABLE_JSON_SQL})"
    return ref


_MASK_62 = (1 << 62) - 1
# Rows of at most this many plain columns are hashed in chains of two. The
# chains' code is inlined in the stage's generated method: at 64 columns of
# doubles it outgrew what the JVM compiles and the scan ran 7x slower
# (measured), while 32 columns measured fine; 24 leaves room for types whose
# hash takes more code than a double's.
_PAIRED_UP_TO = 24


def _is_plain(data_type: DataType) -> bool:
    return not isinstance(data_type, (ArrayType, MapType, StructType, UserDefinedType))


def _chain_seed(seed: int, index: int) -> int:
    """A seed of its own for each chain, derived from (seed, index) by the
    SplitMix64 finaliser, so that no two chains hash alike."""
    z = (int(seed) * 0x9E3779B97F4A7C15 + index + 1) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return (z ^ (z >> 31)) & _MASK_62


def _balanced(parts: Sequence[str], operator: str) -> str:
    """``parts`` joined by ``operator`` as a balanced expression tree."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    left, right = _balanced(parts[:middle], operator), _balanced(parts[middle:], operator)
    return f"({left} {operator} {right})"


def row_hash(
    df: DataFrame, seed: int, id_col: Optional[str] = None, columns: Optional[Sequence[str]] = None
) -> Column:
    """A 64-bit hash of (seed, row key). The key is ``id_col`` if given, else
    ``columns`` (default: every column of ``df``).

    Rows of up to 24 plain columns are hashed in chains of two columns, each
    with a seed of its own, combined by XOR and mixed once more with the seed.
    One ``xxhash64`` over all columns is a single chain of dependent
    multiplications, one link per column; independent chains run side by side
    in the CPU: on 22 columns of 10M rows the hash measured 0.38 s over a plain
    filter, against 0.65 s for one chain. XOR of per-position hashes is simple
    tabulation hashing (Patrascu and Thorup, 2012: 3-independent, with
    Chernoff-type concentration), and the final mix hides its linearity.
    Wider rows, or rows with nested columns, are one chain (Spark splits one
    long hash into small compiled methods; many chains outgrew them).

    xxhash64 skips nulls, so rows that differ only in where a value and a null
    sit, (v, null) and (null, v), would hash alike: where the nulls are is
    hashed too, as a bit mask beside the chains of two (a ``CASE`` per chain
    instead measured a third slower on columns half null) or an array of flags
    in the single chain.

    Built as one SQL expression: one call to the JVM (or one Connect message)
    instead of a few per column, which measured a noticeable share of a
    sampler's time on small and medium inputs.
    """
    # The schema is read once: over Spark Connect each ``df.schema`` is a copy
    # (unpickled), which on 1000 columns took 3 ms, 3 s for one per column.
    types: Dict[str, DataType] = {}
    for field in df.schema.fields:
        types.setdefault(field.name, field.dataType)  # the first of equal names, as schema[name]
    names: List[str] = [id_col] if id_col else list(columns or types)
    values = [_hashable_sql(n, types[n]) for n in names]
    if id_col:
        return _id_hash(id_col, values[0], seed)
    if len(values) == 1:
        return F.expr(f"xxhash64({int(seed)}, {values[0]})")
    if len(values) <= _PAIRED_UP_TO and all(_is_plain(types[n]) for n in names):
        chains = [
            f"xxhash64({_chain_seed(seed, i)}, {', '.join(values[i : i + 2])})"
            for i in range(0, len(values), 2)
        ]
        mask = _balanced([f"IF({v} IS NULL, {1 << j}L, 0L)" for j, v in enumerate(values)], "+")
        chains.append(f"xxhash64({_chain_seed(seed, len(values))}, {mask})")
        return F.expr(f"xxhash64({int(seed)}, {_balanced(chains, '^')})")
    nulls = ", ".join(f"{v} IS NULL" for v in values)
    return F.expr(f"xxhash64({int(seed)}, {', '.join(values)}, array({nulls}))")


def _id_hash(id_col: str, value: str, seed: int) -> Column:
    """``xxhash64(seed, id)``, failing the job on a null id: every row without
    an id would share one draw, kept, dropped or copied together (5,000 such
    rows of a class were all dropped at once). Checked here, where the draw is
    made, rather than in the fit's class count: there it meant reading the id
    column too, 5-10 % of the idCol path's time at 2M rows (here: within the
    noise), and it would refuse nulls in rows that never need a draw."""
    message = (
        f"idCol {id_col!r} is null in a row that needs a random draw; each row's draw "
        "derives from its id, so rows without one would all share a draw. Fill the ids "
        "with a stable key, or leave idCol unset (the draw then hashes all columns)."
    )
    return F.when(F.expr(f"{value} IS NULL"), F.raise_error(F.lit(message))).otherwise(
        F.expr(f"xxhash64({int(seed)}, {value})")
    )


def uniform(hash_col: Column, *salt: object) -> Column:
    """A uniform draw in [0, 1) from a 64-bit hash; ``salt`` derives further
    independent draws (e.g. per copy and per feature) from the same row."""
    if salt:
        hash_col = F.xxhash64(hash_col, *[s if isinstance(s, Column) else F.lit(s) for s in salt])
    return F.shiftrightunsigned(hash_col, 11).cast("double") / F.lit(_TWO_POW_53)


def standard_normal(hash_col: Column, *salt: object) -> Column:
    """A N(0, 1) draw by Box-Muller from two salted uniforms of the row hash."""
    u1 = F.lit(1.0) - uniform(hash_col, *salt, "normal-radius")  # in (0, 1]
    u2 = uniform(hash_col, *salt, "normal-angle")
    return F.sqrt(F.lit(-2.0) * F.log(u1)) * F.cos(F.lit(6.283185307179586) * u2)


def poisson_cdf(mean: float, tail: float = 1e-12) -> List[float]:
    """P(X <= j) for j = 0, 1, ... until the remaining tail is below ``tail``
    (mean 0: [1.0], no copies)."""
    if mean <= 0:
        return [1.0]
    cdf: List[float] = []
    total, j = 0.0, 0
    log_mean = math.log(mean)
    while True:
        total += math.exp(-mean + j * log_mean - math.lgamma(j + 1))
        cdf.append(min(total, 1.0))
        if j > mean and 1.0 - total < tail:
            return cdf
        j += 1


def poisson_copies(
    label: Column, means: Mapping[Any, float], draw: Column, collation: Optional[str] = None
) -> Column:
    """A Poisson(``means[class]``) count per row of a class in ``means``, from
    the row's uniform ``draw`` by inverse CDF: the count of CDF entries <= the
    draw (use it only on those rows: others have no CDF).

    Counted as the draw's place in the CDF sorted together with it, high to
    low: the entries above the draw come first, and array_position finds the
    first value equal to it, whichever of equal values sorts first. Counted
    with a higher-order function (``size(filter(cdf, p -> p <= u))``), the
    stage measured 0.4-0.6 s slower at 2M rows even with 1 % of them counting:
    Spark evaluates such a function outside the generated code, from a row it
    builds for every row of the stage. (An unrolled binary search in nested
    IFs made the generated code too large to compile at ~180 entries.)"""
    tables = {c: poisson_cdf(m) for c, m in means.items()}
    cdfs = label_lookup(label, tables, collation)
    # The sizes are looked up on their own: size(cdfs) repeats the table in
    # the plan; at 1000 classes a query over 5,000 rows ran 1.1-1.3 s that
    # way against 0.9 s (measured).
    sizes = label_lookup(label, {c: len(cdf) for c, cdf in tables.items()}, collation)
    with_draw = F.sort_array(F.concat(cdfs, F.array(draw)), asc=False)
    # By name: PySpark 3.5's array_position takes a Python value, not a Column.
    place = F.call_function("array_position", with_draw, draw)
    return (sizes + 1 - place).cast("int")
