"""Small Column helpers used across samplers."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional

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


def label_lookup(label: Column, values: Mapping[Any, Any]) -> Optional[Column]:
    """A CASE expression mapping each label to a literal; null for other labels.

    A handful of classes at most, so a CASE beats a join or a map literal
    (which cannot hold array values of different lengths per key)."""
    expr = None
    for key, value in values.items():
        condition = label == F.lit(key)
        expr = (
            F.when(condition, F.lit(value)) if expr is None else expr.when(condition, F.lit(value))
        )
    return expr if expr is not None else F.lit(None)
