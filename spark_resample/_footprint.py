"""How many feature values the SMOTE family holds at once as dense arrays, and
the fit's refusal of a plan that would exhaust a Python worker.

Pure Python, no Spark import. One k-NN group (a pandas UDF call) holds its
class rows, the other classes' rows it searches (BorderlineSMOTE, ADASYN) and,
on the way out, a seed and a neighbour array per (seed, neighbour) pair drawn;
the driver holds the tree sample of a class larger than one bucket. All are
dense float64 arrays of the feature dimension, sparse vectors included: a
HashingTF vector of its default 262,144 features is 2 MB a row there, and a
group of 1,000 such rows asked for many synthetic rows took a Python worker to
21 GB before the kernel killed it (measured), after minutes of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

VALUE_BUDGET = 1 << 26
"""Feature values (512 MiB as float64) one k-NN group may hold. The worker
holds each three to five times over (Arrow and pandas copies, the pairs
picked out), measured at 65,536 features: a group of 268M values by this
count peaked at 7.5 GB, one of 67M (the budget) at 2.8 GB. The budget leaves
the default groups (4,096 rows, k = 5) alone up to about 1,490 features; by
this count the 1,000-row group above held 2.9 billion values."""

SAMPLE_BUDGET = VALUE_BUDGET // 4
"""Feature values one class's tree sample may hold: it reaches the driver as
Python floats in lists, about 32 bytes a value, not 8."""


@dataclass(frozen=True)
class ClassPlan:
    """What one over-sampled class asks of the k-NN groups."""

    rows: int  # rows of the class
    new_rows: int  # synthetic rows to make
    k: int  # neighbours per row
    others: int  # rows of other classes a group searches (0 for SMOTE, SMOTENC)
    # SMOTE and SMOTENC spread the synthetic rows over the buckets by their
    # rows; BorderlineSMOTE and ADASYN by measured weights, which may put
    # them all in one bucket.
    spread_by_rows: bool = False


def group_values(plan: ClassPlan, bound: int, dimension: int) -> int:
    """Values in the class's largest k-NN group at ``maxBucketSize`` ``bound``:
    its rows, the other rows it searches, and two arrays per pair drawn (at
    most a pair per row and neighbour, at most one per synthetic row of the
    bucket)."""
    rows = min(plan.rows, bound)
    new_rows = plan.new_rows
    if plan.spread_by_rows:  # largest remainder: at most the share rounded up
        new_rows = -(-new_rows * rows // max(plan.rows, 1))
    pairs = min(rows * plan.k, new_rows)
    return (rows + plan.others + 2 * pairs) * dimension


def sample_values(plan: ClassPlan, bound: int, dimension: int, sample_rows: int) -> int:
    """Values in the class's tree sample on the driver (none when the class
    fits one bucket)."""
    return 0 if plan.rows <= bound else min(plan.rows, sample_rows) * dimension


@dataclass(frozen=True)
class Excess:
    """The largest holding above its budget: where, how many values, the budget."""

    where: str
    values: int
    budget: int


def excess(
    plans: Dict[Any, ClassPlan], bound: int, dimension: int, sample_rows: int
) -> Optional[Excess]:
    """The k-NN group or tree sample furthest above its budget (relative to
    the budget), or None when all fit."""
    found = []
    for p in plans.values():
        group = group_values(p, bound, dimension)
        if group > VALUE_BUDGET:
            found.append(Excess("a k-NN group (one Python worker)", group, VALUE_BUDGET))
        sample = sample_values(p, bound, dimension, sample_rows)
        if sample > SAMPLE_BUDGET:
            found.append(Excess("a class's tree sample (the driver)", sample, SAMPLE_BUDGET))
    return max(found, key=lambda e: e.values / e.budget, default=None)


def largest_fitting_bound(
    plans: Dict[Any, ClassPlan], bound: int, smallest: int, dimension: int, sample_rows: int
) -> Optional[int]:
    """The largest ``maxBucketSize`` in [``smallest``, ``bound``] under which
    every group and tree sample fits the budget, or None if none does.

    Group sizes only shrink with the bound, so a binary search finds the
    largest bound at which the groups fit; tree samples only appear as the
    bound drops below a class's rows, so if they do not fit there, no smaller
    bound helps either."""
    if not all(group_values(p, smallest, dimension) <= VALUE_BUDGET for p in plans.values()):
        return None
    low, high = smallest, bound
    while low < high:
        middle = (low + high + 1) // 2
        if all(group_values(p, middle, dimension) <= VALUE_BUDGET for p in plans.values()):
            low = middle
        else:
            high = middle - 1
    return None if excess(plans, low, dimension, sample_rows) else low
