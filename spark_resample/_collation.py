"""A string label with a non-binary collation (Spark 4): its dict keys.

Under a collation such as ``UTF8_LCASE``, "Fraud" and "fraud" are one class:
Spark's ``groupBy`` counts them together and returns one of the spellings,
whichever it met first. A dict key (``samplingStrategy``, ``classWeights``,
``shrinkage``)
is matched to the counted labels in Python, exactly, so a key in another
spelling would not be found. Here each such key is compared with the label
in Spark, under the column's collation, in the class count's own job, and
then replaced by the spelling that was counted. (The per-class lookups take
the collation too: ``_columns.label_lookup``.)

SMOTENC's categorical columns meet the same question: under ``UTF8_LCASE``,
"US" and "us" are one category, which the generating UDF (pandas, binary
equality) would see as two (``one_spelling``).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import DataType, StringType

from ._columns import col

_BINARY = "UTF8_BINARY"
_PREFIX = "__spark_resample_key_"


def collation_of(data_type: DataType) -> Optional[str]:
    """The collation of a string type if it is not the binary one; else None
    (other types, and Spark 3.5, which has no collations)."""
    if not isinstance(data_type, StringType):
        return None
    collation = getattr(data_type, "collation", None)
    return None if collation in (_BINARY, None) else collation


def key_checks(df: DataFrame, label_col: str, wanted: Any, param: str) -> Dict[str, Column]:
    """Per-class aggregates telling whether the class's label equals each
    string key of the dict ``wanted`` (the value of ``param``) under the
    label's collation; none for a label without a collation, or anything but
    a dict."""
    if not isinstance(wanted, Mapping) or not any(isinstance(key, str) for key in wanted):
        return {}
    types = {field.name: field.dataType for field in df.schema.fields}
    data_type = types.get(label_col)  # a missing column: the class count names it
    if data_type is None or collation_of(data_type) is None:
        return {}
    label = col(label_col)
    return {
        f"{_PREFIX}{param}_{i}": F.max(label == F.lit(key))
        for i, key in enumerate(wanted)
        if isinstance(key, str)
    }


def respelled(wanted: Any, extra: Mapping[Any, Mapping[str, Any]], param: str) -> Any:
    """``wanted`` (the value of ``param``) with each string key replaced by
    the counted label it equals under the collation (``extra``: per class,
    the results of ``key_checks``). Keys that equal no class stay as they
    are, for the usual error."""
    prefix = f"{_PREFIX}{param}_"
    if not isinstance(wanted, Mapping) or not any(
        name.startswith(prefix) for checks in extra.values() for name in checks
    ):
        return wanted
    out: Dict[Any, Any] = {}
    spelled_as: Dict[Any, Any] = {}
    for i, (key, value) in enumerate(wanted.items()):
        name = f"{prefix}{i}"
        matches = [label for label, checks in extra.items() if checks.get(name)]
        label = matches[0] if len(matches) == 1 else key
        if label in out:
            raise ValueError(
                f"The {param} keys {spelled_as[label]!r} and {key!r} name the same class "
                f"{label!r}: the label column's collation does not tell them apart. "
                "Keep one of them."
            )
        out[label], spelled_as[label] = value, key
    return out


def one_spelling(
    rows: DataFrame, columns: Sequence[str], types: Mapping[str, DataType], source: DataFrame
) -> DataFrame:
    """``rows`` with every string column of ``columns`` that has a non-binary
    collation spelled one way per value under that collation: the smallest
    spelling (in binary order) that ``source`` holds for it, so "us" becomes
    "US" wherever ``source`` holds "US" too. Other columns come back
    unchanged. ``types``: the columns' types, given, as reading a
    schema over Spark Connect is a round trip.

    The spelling is looked up with a join on the column, which Spark matches
    under the collation; the table joined has a row per category, small for a
    categorical column."""
    for i, name in enumerate(columns):
        if collation_of(types[name]) is None:
            continue
        key, spelling = f"{_PREFIX}category_{i}", f"{_PREFIX}spelling_{i}"
        spellings = source.groupBy(col(name).alias(key)).agg(
            F.min(F.collate(col(name), _BINARY)).alias(spelling)
        )
        # A null category has no row in the join (null equals nothing): it stays null.
        rows = (
            rows.join(spellings, col(name) == F.col(key), "left")
            .withColumn(name, F.col(spelling).cast(types[name]))
            .drop(key, spelling)
        )
    return rows
