"""Small Column helpers used across samplers."""

from __future__ import annotations

import json
import numbers
from typing import Any, Mapping, Optional

from pyspark.sql import Column
from pyspark.sql import functions as F


def col(name: str) -> Column:
    """A column reference that survives dots and backticks in the name."""
    return F.col("`" + name.replace("`", "``") + "`")


def literal(value: Any) -> Column:
    """``F.lit``, but a list of numbers becomes one array<double> literal built
    from JSON: ``F.lit(list)`` makes one JVM call per element, which for a
    Poisson CDF of a few hundred entries costs more than the query it feeds.
    The optimizer folds the parse away."""
    if (
        isinstance(value, (list, tuple))
        and len(value) > 8
        and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in value)
    ):
        return F.from_json(F.lit(json.dumps([float(v) for v in value])), "array<double>")
    return F.lit(value)


def label_lookup(label: Column, values: Mapping[Any, Any]) -> Optional[Column]:
    """A CASE expression mapping each label to a literal; null for other labels.

    A handful of classes at most, so a CASE beats a join or a map literal
    (which cannot hold array values of different lengths per key)."""
    expr = None
    for key, value in values.items():
        condition = label == F.lit(key)
        expr = (
            F.when(condition, literal(value))
            if expr is None
            else expr.when(condition, literal(value))
        )
    return expr if expr is not None else F.lit(None)
