"""Resolve a sampling strategy into per-class target counts.

Pure Python with no Spark import, so it is testable in milliseconds. The forms
and meanings follow imbalanced-learn's ``check_sampling_strategy``:

* strings: "auto", "minority", "majority", "not minority", "not majority", "all";
* a float: binary data only, the desired ratio minority / majority after
  resampling, in (0, 1];
* a dict ``{label: final count}``;
* a callable given the class counts ``{label: rows}`` and returning such a
  dict (imbalanced-learn's callable is given ``y``; the counts are what a
  Spark table can hand it).

Unlike imbalanced-learn, :func:`resolve_targets` always returns the *final* count
per targeted class, for over- and under-sampling alike, so callers never have to
remember which of "rows to add" and "rows to keep" they hold. Untargeted classes
are absent from the result.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any, Callable, Dict, Hashable, Iterable, List, Mapping, Union

import numpy as np

Label = Hashable
Counts = Mapping[Label, int]
Strategy = Union[str, float, int, Mapping[Any, int], Callable[[Dict[Any, int]], Mapping[Any, int]]]

OVER = "over-sampling"
UNDER = "under-sampling"
SAMPLER_KINDS = (OVER, UNDER)

STRATEGY_NAMES = ("auto", "minority", "majority", "not minority", "not majority", "all")


def in_label_order(labels: Iterable[Label]) -> List[Label]:
    """``labels`` sorted (by their shown form if they do not compare): an
    order that does not depend on the order in which Spark returned the
    classes, which follows the input's partitioning."""
    labels = list(labels)
    try:
        return sorted(labels)
    except TypeError:
        return sorted(labels, key=format_label)


# Among classes of equal size, the smallest label is the majority (or the
# minority): imbalanced-learn takes the first in the order of ``y``, which a
# Spark table does not have; taking the first class as counted would let the
# partitioning decide which class "minority" grows.
def _majority(counts: Counts) -> Label:
    return max(in_label_order(counts), key=lambda label: counts[label])


def _minority(counts: Counts) -> Label:
    return min(in_label_order(counts), key=lambda label: counts[label])


# Which classes each named strategy targets; "auto" means "not majority" for
# over-sampling and "not minority" for under-sampling, as in imbalanced-learn.
_TARGETED_CLASSES = {
    "minority": lambda c: {_minority(c)},
    "majority": lambda c: {_majority(c)},
    "not minority": lambda c: set(c) - {_minority(c)},
    "not majority": lambda c: set(c) - {_majority(c)},
    "all": lambda c: set(c),
}
_AUTO = {OVER: "not majority", UNDER: "not minority"}


def plain_value(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; anything else unchanged.

    Strategies and weights are often built with numpy or pandas (``np.unique``,
    ``dict(series.value_counts())``, scikit-learn's ``compute_class_weight``),
    whose ``np.int64`` is not an ``int``: unconverted, such a key would match
    no class and such a count would not pass as an integer, nor would either
    survive persistence as JSON."""
    return value.item() if isinstance(value, np.generic) else value


def format_label(label: Label) -> str:
    """How a label is shown in messages: quoted if it is a string."""
    return repr(label) if isinstance(label, str) else str(label)


def match_label(key: Any, labels: Counts, param: str = "samplingStrategy") -> Label:
    """Find the class a user-given dict key stands for.

    Keys come back from JSON persistence as strings ("1", "1.0", "true"), and
    users write ``{1: n}`` for a double label column. A key matches a label if
    they are equal as Python values or if the key is the label's ``str()`` or
    JSON form. Raises ``ValueError`` naming ``param`` and the key when no class
    matches.
    """
    for label in labels:
        if _same_value(key, label):
            return label
    if isinstance(key, str):
        for label in labels:
            if key in (str(label), json.dumps(label)):
                return label
        # "1" for a double label 1.0, "1.0" for an int label 1.
        try:
            as_number = float(key)
        except ValueError:
            as_number = None
        if as_number is not None:
            for label in labels:
                if _is_number(label) and float(label) == as_number:
                    return label
    # A FloatType label's classes arrive as the doubles of their 32-bit values
    # (0.1 as 0.10000000149011612): a key written as 0.1 names that class.
    single = _as_float32(key)
    if single is not None:
        for label in labels:
            if isinstance(label, float) and label == single:
                return label
    known = ", ".join(format_label(label) for label in sorted(labels, key=str))
    raise ValueError(
        f"{param} names class {format_label(key)}, which is not in the data; "
        f"the classes are: {known}. Use one of them as the dict key."
    )


def match_keys(wanted: Mapping[Any, Any], labels: Counts, param: str) -> Dict[Label, Any]:
    """``wanted`` keyed by the classes its keys stand for (``match_label``).
    Two keys for one class ({1: ..., "1": ...}, as after JSON persistence of
    a dict that had both) are refused, naming ``param``: one value would
    silently win."""
    matched: Dict[Label, Any] = {}
    key_of: Dict[Label, Any] = {}
    for key, value in wanted.items():
        label = match_label(key, labels, param)
        if label in matched:
            raise ValueError(
                f"{param} keys {key_of[label]!r} and {key!r} both name class "
                f"{format_label(label)}; keep one of them."
            )
        matched[label], key_of[label] = value, key
    return matched


def _as_float32(key: Any) -> Any:
    """The double nearest to ``key`` (a number, or a number's string) as a
    32-bit float, or None when it is neither or out of that range."""
    if isinstance(key, str):
        try:
            key = float(key)
        except ValueError:
            return None
    if not _is_number(key):
        return None
    try:
        return struct.unpack("f", struct.pack("f", float(key)))[0]
    except OverflowError:
        return None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same_value(a: Any, b: Any) -> bool:
    # True == 1 in Python; a boolean key must only match a boolean label.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return float(a) == float(b)
    return type(a) is type(b) and a == b


def validate_strategy(strategy: Any) -> Strategy:
    """Check a strategy's form without looking at data; return it normalised.

    Raises ``TypeError`` for a value of the wrong type and ``ValueError`` for an
    unknown name, a ratio outside (0, 1] or a negative count.
    """
    strategy = plain_value(strategy)
    if is_callable_strategy(strategy):
        return strategy  # called with the class counts at fit
    if isinstance(strategy, bool):
        raise TypeError(
            f"samplingStrategy must be a name, a float ratio or a dict, got the boolean {strategy}."
        )
    if isinstance(strategy, str):
        name = strategy.strip().lower().replace("_", " ")
        if name not in STRATEGY_NAMES:
            raise ValueError(
                f"samplingStrategy {strategy!r} is not known; use one of "
                f"{', '.join(repr(n) for n in STRATEGY_NAMES)}, a float ratio or a dict."
            )
        return name
    if isinstance(strategy, (int, float)):
        ratio = float(strategy)
        if math.isnan(ratio) or not 0.0 < ratio <= 1.0:
            raise ValueError(
                f"samplingStrategy ratio {strategy} must be in (0, 1]: it is the "
                "number of minority rows per majority row after resampling."
            )
        return ratio
    if isinstance(strategy, Mapping):
        normalised = {}
        for label, count in strategy.items():
            label, count = plain_value(label), plain_value(count)
            if isinstance(count, bool) or not isinstance(count, (int, float)):
                raise TypeError(
                    f"samplingStrategy count for class {format_label(label)} must be an "
                    f"integer, got {count!r}."
                )
            if count < 0 or count != int(count):
                raise ValueError(
                    f"samplingStrategy count for class {format_label(label)} must be a "
                    f"non-negative integer, got {count!r}."
                )
            normalised[label] = int(count)
        return normalised
    raise TypeError(
        "samplingStrategy must be one of "
        f"{', '.join(repr(n) for n in STRATEGY_NAMES)}, a float ratio, a dict "
        f"{{label: count}} or a callable returning one; got {type(strategy).__name__} "
        f"{strategy!r}."
    )


def called_strategy(strategy: Any, counts: Counts) -> Any:
    """What a callable strategy returns for ``counts`` (a dict of its own to
    keep), checked to be a dict; any other strategy as it is."""
    if not is_callable_strategy(strategy):
        return strategy
    wanted = strategy(dict(counts))
    if not isinstance(wanted, Mapping):
        raise TypeError(
            f"samplingStrategy is a callable ({describe_callable(strategy)}), which must "
            "return a dict {label: final count} for the class counts it is given; it "
            f"returned {type(wanted).__name__} {wanted!r}."
        )
    return validate_strategy(wanted)


def is_callable_strategy(value: Any) -> bool:
    """A function (or other callable object) given as the strategy; a class
    is not one (``dict`` is callable too)."""
    return callable(value) and not isinstance(value, (str, Mapping, type))


def describe_callable(function: Any) -> str:
    return getattr(function, "__qualname__", None) or type(function).__name__


def resolve_targets(strategy: Any, counts: Counts, kind: str) -> Dict[Label, int]:
    """Final row count per targeted class for ``strategy`` applied to ``counts``.

    ``kind`` is :data:`OVER` or :data:`UNDER`. Raises ``ValueError`` when the
    strategy cannot apply to these classes (one class only, an unknown class,
    a target in the wrong direction, a ratio on multi-class data).
    """
    if kind not in SAMPLER_KINDS:
        raise ValueError(f"kind must be one of {SAMPLER_KINDS}, got {kind!r}")
    if len(counts) < 2:
        only = ", ".join(format_label(label) for label in counts) or "none"
        raise ValueError(
            f"The label column holds a single class ({only}); resampling needs at "
            "least two classes. Check the label column and any filter applied before."
        )
    strategy = called_strategy(validate_strategy(strategy), counts)
    if isinstance(strategy, str):
        return _resolve_name(strategy, counts, kind)
    if isinstance(strategy, float):
        return _resolve_ratio(strategy, counts, kind)
    return _resolve_dict(strategy, counts, kind)


def _resolve_name(name: str, counts: Counts, kind: str) -> Dict[Label, int]:
    targeted = _TARGETED_CLASSES[_AUTO[kind] if name == "auto" else name](counts)
    if kind == OVER:
        goal = counts[_majority(counts)]
    else:
        goal = counts[_minority(counts)]
    return {label: goal for label in counts if label in targeted}


def _resolve_ratio(ratio: float, counts: Counts, kind: str) -> Dict[Label, int]:
    if len(counts) != 2:
        raise ValueError(
            f"samplingStrategy ratio {ratio} applies to binary labels only, but the label "
            f"has {len(counts)} classes. Use a dict {{label: count}} or a named strategy."
        )
    majority, minority = _majority(counts), _minority(counts)
    if kind == OVER:
        target = int(counts[majority] * ratio)
        if target < counts[minority]:
            raise ValueError(
                f"samplingStrategy ratio {ratio} asks for {target} rows of minority class "
                f"{format_label(minority)}, which already has {counts[minority]}; an "
                f"over-sampler cannot remove rows. Use a ratio of at least "
                f"{counts[minority] / counts[majority]:.6g}."
            )
        return {minority: target}
    target = int(counts[minority] / ratio)
    if target > counts[majority]:
        raise ValueError(
            f"samplingStrategy ratio {ratio} asks for {target} rows of majority class "
            f"{format_label(majority)}, which has only {counts[majority]}; an "
            f"under-sampler cannot add rows. Use a ratio of at least "
            f"{counts[minority] / counts[majority]:.6g}."
        )
    return {majority: target}


def _resolve_dict(wanted: Mapping[Any, int], counts: Counts, kind: str) -> Dict[Label, int]:
    targets: Dict[Label, int] = {}
    for label, count in match_keys(wanted, counts, "samplingStrategy").items():
        have = counts[label]
        if kind == OVER and count < have:
            raise ValueError(
                f"samplingStrategy asks for {count} rows of class {format_label(label)}, "
                f"which has {have}; an over-sampler only adds rows. Ask for at least {have} "
                "or use an under-sampler."
            )
        if kind == UNDER and count > have:
            raise ValueError(
                f"samplingStrategy asks for {count} rows of class {format_label(label)}, "
                f"which has only {have}; an under-sampler only removes rows. Ask for at "
                f"most {have} or use an over-sampler."
            )
        targets[label] = count
    return targets
