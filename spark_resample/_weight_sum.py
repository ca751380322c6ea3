"""A sum of weights that does not depend on the order of the rows
(``weight_sum``): the class weight sums and kept weights that rescale weights
in exact under-sampling and the SMOTE family, and the evaluator's weighted
confusion cells."""

from __future__ import annotations

import math
from functools import reduce

from pyspark.sql import Column
from pyspark.sql import functions as F

# Weights in [2^-32, 2^40) (about 2.3e-10 to 1.1e12), and 0, have their bits
# summed exactly: those lie between 2^-84 (the last of 2^-32's 53) and 2^39.
_LEAST, _BOUND = math.ldexp(1.0, -32), math.ldexp(1.0, 40)
# w = high 2^-22 + low 2^-84, high and low whole numbers below 2^62, each cut
# into limbs of 18 bits (the last of 8).
_HIGH_BIT, _LOW_BIT = -22, -84
_LIMB_BITS = 18
_LIMBS_PER_PART = 4
_MASK = (1 << _LIMB_BITS) - 1


def weight_sum(weight: Column) -> Column:
    """``sum(weight)`` as an aggregate Column whose value is a function of the
    multiset of weights alone.

    A floating-point sum follows the order its terms arrive in, which the
    partitioning sets: the last bits of a class's weight sum (and of the
    weights rescaled by it) would follow ``repartition``. Here each weight is
    split exactly into two whole numbers (a power-of-two scaling, a cast and
    a subtraction, all exact for these weights), each cut into 18-bit limbs
    that are summed as longs (exact in any order up to 2^45 rows), and the
    eight sums are combined in a fixed order: within a few units in the last
    place of the exact sum. A group holding a weight outside the range (or a
    NaN) gives the floating-point sum; nulls are skipped, as by sum."""
    in_range = (weight == 0) | ((weight >= _LEAST) & (weight < _BOUND))
    # Rows out of range take no part in the limbs (a cast of 1e300 x 2^22 to
    # a long would fail under ANSI mode); nulls stay null.
    x = F.when(~in_range, F.lit(0.0)).otherwise(weight)
    high = (x * F.lit(math.ldexp(1.0, -_HIGH_BIT))).cast("bigint")
    low = (
        (x - high.cast("double") * F.lit(math.ldexp(1.0, _HIGH_BIT)))
        * F.lit(math.ldexp(1.0, -_LOW_BIT))
    ).cast("bigint")
    terms = []
    for part, lowest_bit in ((low, _LOW_BIT), (high, _HIGH_BIT)):
        for j in range(_LIMBS_PER_PART):
            limb = F.shiftright(part, _LIMB_BITS * j).bitwiseAND(F.lit(_MASK))
            scale = F.lit(math.ldexp(1.0, lowest_bit + _LIMB_BITS * j))
            terms.append(F.sum(limb).cast("double") * scale)
    # Smallest first: the partial sums grow, each rounding is relative to them.
    exact = reduce(lambda total, term: total + term, terms)
    outside = F.count(F.when(~in_range, 1))
    return F.when(outside == 0, exact).otherwise(F.sum(weight))
