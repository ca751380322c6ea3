"""Small Column helpers used across samplers."""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Mapping, Optional, Sequence

from pyspark.sql import Column
from pyspark.sql import functions as F


def quote(name: str) -> str:
    """The name as a SQL identifier that survives dots and backticks."""
    return "`" + name.replace("`", "``") + "`"


def sql_doubles(values: Iterable[float]) -> str:
    """A SQL array literal of doubles: ``repr`` of a Python float read back as
    ``<repr>D`` is the same double. One string for ``F.expr`` instead of a
    JVM call per entry (as ``F.lit`` of a list costs)."""
    return f"array({', '.join(f'{float(v)!r}D' for v in values)})"


def sql_longs(values: Iterable[int]) -> str:
    """A SQL array literal of longs."""
    return f"array({', '.join(f'{int(v)}L' for v in values)})"


def col(name: str) -> Column:
    """A column reference that survives dots and backticks in the name."""
    return F.col(quote(name))


# Per-column expressions over wide tables are built as one SQL string: built
# Column by Column, each costs several calls to the JVM, and at 500 feature
# columns SMOTE spent 14 s of a 21 s fit and transform only building them
# (measured).


def doubles(names: Iterable[str]) -> Column:
    """The columns ``names`` cast to double, as one array."""
    return F.expr(f"array({', '.join(f'CAST({quote(n)} AS DOUBLE)' for n in names)})")


def _missing_sql(name: str) -> str:
    """Whether column ``name`` as a double is null, NaN or infinite, in SQL."""
    value = f"CAST({quote(name)} AS DOUBLE)"
    return f"({value} IS NULL OR isnan({value}) OR abs({value}) = CAST('inf' AS DOUBLE))"


def missing_counts(names: Iterable[str]) -> Column:
    """Aggregate: per column of ``names``, the rows whose value as a double is
    null, NaN or infinite, as one array of counts: a point SMOTE cannot
    place, as imbalanced-learn refuses it."""
    counts = [f"count(CASE WHEN {_missing_sql(name)} THEN 1 END)" for name in names]
    return F.expr(f"array({', '.join(counts)})")


# Columns per count in ``rows_missing_any``. Spark compiles each aggregate
# function into a method of its own, but one condition over many columns
# outgrows what the JVM compiles (8,000 bytes) and runs interpreted.
_COLUMNS_PER_COUNT = 16


def rows_missing_any(names: Sequence[str]) -> Column:
    """Aggregate: an array of counts, all zero exactly when no column of
    ``names`` holds a null, NaN or infinite value (as a double); each counts
    the rows with such a value in one group of ``_COLUMNS_PER_COUNT`` columns.

    Side by side over 300,000 rows, per column count: ``exists`` over the
    array of the columns took 0.9 s at 24 columns and 8.3 s at 96; one OR
    over all of them 0.4 s and 6.0 s; a count per 16 columns 0.3-0.5 s and
    0.5-0.6 s."""
    groups = [names[i : i + _COLUMNS_PER_COUNT] for i in range(0, len(names), _COLUMNS_PER_COUNT)]
    counts = [
        f"count(CASE WHEN {' OR '.join(_missing_sql(n) for n in group)} THEN 1 END)"
        for group in groups
    ]
    return F.expr(f"array({', '.join(counts)})")


def any_not_finite(values: Column) -> Column:
    """Whether an array of doubles without null elements (``vector_to_array``)
    holds a NaN or an infinity, without a higher-order function (Spark runs
    their lambdas outside its generated code): ``array_max`` puts NaN above
    every number."""
    largest, smallest = F.array_max(values), F.array_min(values)
    return F.isnan(largest) | (largest == F.lit(float("inf"))) | (smallest == F.lit(float("-inf")))


# Up to this many classes a CASE maps labels to values; beyond, a map literal.
# A CASE tests its branches one by one and, with many, outgrows what Spark
# compiles: at 1000 classes a sum over 2M rows took 20 s with a CASE against
# 0.3-0.4 s with a map lookup. From 3 classes up the two measured alike or the
# map faster; at 2 the CASE was as fast or faster.
CASE_UP_TO = 8


def _key_type(keys: Iterable[Any]) -> str:
    """The SQL type that holds every label in ``keys`` exactly (labels are
    integers, floats, strings or booleans: see _base._check_label_type)."""
    kinds = {type(k) for k in keys}
    if kinds <= {bool}:
        return "boolean"
    if kinds <= {int}:
        return "bigint"
    if kinds <= {int, float}:
        return "double"
    return "string"


def _sql_literal(value: Any) -> Optional[str]:
    """``value`` as a SQL literal of the type ``F.lit`` would give it, or None
    for what is not rendered here (a Column, say).
    Strings go through their UTF-8 bytes in hex, which no quoting or escaping
    setting of the SQL parser can change."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)  # int or bigint by its size, as F.lit
    if isinstance(value, float):
        if math.isfinite(value):
            return f"{value!r}D"
        return f"CAST('{value}' AS DOUBLE)"  # 'inf', '-inf', 'nan' read back as such
    if isinstance(value, str):
        return f"CAST(X'{value.encode('utf-8').hex()}' AS STRING)"
    return None


def label_lookup(
    label: Column, values: Mapping[Any, Any], collation: Optional[str] = None
) -> Column:
    """The value ``values[label]`` per row, as a literal; null for other labels.

    A CASE for a few classes, a map literal for more (see ``CASE_UP_TO``). The
    map's keys and the looked-up label are cast to one type that holds every
    label exactly, so that, say, a tinyint label finds its bigint key. The map
    is one SQL string where it can be: built Column by Column, a map of 1000
    classes took 1.4-2.2 s of calls to the JVM, as a string 3 ms.

    ``collation``: the string label's collation (Spark 4), if not binary. The
    CASE compares under it by itself; the map's keys and the looked-up label
    are cast to strings of that collation, so that every spelling of a class
    ("Fraud", "fraud" under UTF8_LCASE) finds its value."""
    if not values:
        return F.lit(None)
    if all(_numbers(v) for v in values.values()):
        return _array_lookup(label, values, collation)
    if len(values) <= CASE_UP_TO:
        expr = None
        for key, value in values.items():
            condition = label == F.lit(key)
            then = F.lit(value)
            expr = F.when(condition, then) if expr is None else expr.when(condition, then)
        return expr
    key_type = _key_type(values)
    json_table = None if collation else _json_map(values)
    if json_table is not None:
        table, value_type = json_table
        lookup = F.from_json(F.lit(table), f"map<string,{value_type}>")
        return F.element_at(lookup, label.cast("string"))
    if key_type == "string" and collation:
        key_type = f"STRING COLLATE {collation}"
    items = list(values.values())
    if any(isinstance(v, float) for v in items) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in items
    ):
        items = [float(v) for v in items]  # one value type: the map needs it
    keys = [f"CAST({_sql_literal(k)} AS {key_type})" for k in values]
    rendered = [_sql_literal(v) for v in items]
    if all(r is not None for r in rendered):
        pairs = ", ".join(f"{k}, {v}" for k, v in zip(keys, rendered))
        lookup_map = F.expr(f"map({pairs})")
    else:
        entries = []
        for key, value in zip(keys, items):
            entries += [F.expr(key), F.lit(value)]
        lookup_map = F.create_map(*entries)
    return F.element_at(lookup_map, label.cast(key_type))


def _json_map(values: Mapping[Any, Any]) -> Optional[tuple]:
    """``values`` as a JSON object string and its SQL value type, when the
    keys are strings or integers (their JSON keys are what ``CAST(label AS
    STRING)`` gives) and the values numbers; else None. Spark parses the
    string once, when it optimises the plan. A SQL map literal is analysed
    again in every DataFrame step built on it: with 20,000 keys one ``select``
    took 5.4 s to analyse, and SMOTEN's resample, whose category lookups are
    read by several steps, 28 s; as JSON the whole query ran in 0.5 s."""
    keys, items = list(values), list(values.values())
    if not (all(type(k) is str for k in keys) or all(type(k) is int for k in keys)):
        return None
    if not all(type(v) in (int, float) for v in items):
        return None
    if all(type(v) is int for v in items):
        value_type = "int" if all(-(2**31) <= v < 2**31 for v in items) else "bigint"
    elif all(math.isfinite(v) for v in items):
        value_type = "double"
    else:
        return None  # NaN and the infinities are not JSON
    return json.dumps({str(k): v for k, v in zip(keys, items)}), value_type


def _numbers(value: Any) -> bool:
    """Whether ``value`` is a list (or tuple) of numbers."""
    return isinstance(value, (list, tuple)) and all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    )


def json_table(rows: Sequence[Any], type_string: str) -> Column:
    """A literal array (of arrays, ...) of ``type_string``, given as a JSON
    string that Spark parses once, when it optimises the plan (``from_json``
    of a literal folds into a literal). Written as SQL array literals, the
    analysis of the plan took 2.4-4 s for 1000 classes of 30 numbers (30,000
    literal expressions, against 0.1 s this way). ``repr`` of a float read
    back as JSON is the same double; NaN and the infinities read back too."""
    return F.from_json(F.lit(json.dumps(rows)), type_string)


def _array_lookup(
    label: Column, values: Mapping[Any, Any], collation: Optional[str] = None
) -> Column:
    """``label_lookup`` of arrays of doubles: the class's position, looked up,
    indexes one ``json_table`` of all the arrays. A filter that looked them up
    from a map ran 2.5 s over 2M rows against 0.5 s from the table; a
    shrinkage scale per feature at 65,536 features took seconds to plan as
    SQL literals."""
    classes = list(values)
    position = label_lookup(label, {c: i + 1 for i, c in enumerate(classes)}, collation)
    table = json_table([[float(v) for v in values[c]] for c in classes], "array<array<double>>")
    return F.element_at(table, position)


def label_in(label: Column, labels: Iterable[Any], collation: Optional[str] = None) -> Column:
    """Whether the row's label is one of ``labels``: ``isin`` for a few, else a
    lookup in the map literal of ``label_lookup`` (``isin`` makes a call to the
    JVM per value: 0.3 s for 1000 classes)."""
    labels = list(labels)
    if len(labels) <= CASE_UP_TO:
        return label.isin(labels)
    return label_lookup(label, dict.fromkeys(labels, True), collation).isNotNull()
