"""The SMOTE family's memory plan, pure Python: values per k-NN group and tree
sample, the refusal and the bound it offers instead."""

from spark_resample import _buckets, _footprint
from spark_resample._footprint import VALUE_BUDGET, ClassPlan


def test_a_group_holds_its_rows_other_rows_and_two_arrays_per_pair():
    plan = ClassPlan(rows=10_000, new_rows=1_000_000, k=5, others=300)
    # 4,096 rows (the bound), 300 other rows, 4,096 x 5 pairs of two arrays.
    assert _footprint.group_values(plan, 4096, 20) == (4096 + 300 + 2 * 20_480) * 20
    # Few synthetic rows: a pair per synthetic row at most.
    few = ClassPlan(rows=100, new_rows=7, k=5, others=0)
    assert _footprint.group_values(few, 4096, 3) == (100 + 14) * 3


def test_smote_spreads_synthetic_rows_over_buckets_by_their_rows():
    """100,000 rows asked for 50,000 more: a bucket of 4,096 rows gets at most
    2,048 of them (SMOTE), but may get all (BorderlineSMOTE, ADASYN: by weight)."""
    by_rows = ClassPlan(rows=100_000, new_rows=50_000, k=5, others=0, spread_by_rows=True)
    assert _footprint.group_values(by_rows, 4096, 3000) == (4096 + 2 * 2048) * 3000
    assert _footprint.excess({1: by_rows}, 4096, 3000, 1000) is None
    by_weight = ClassPlan(rows=100_000, new_rows=50_000, k=5, others=0)
    assert _footprint.group_values(by_weight, 4096, 3000) == (4096 + 2 * 20_480) * 3000
    assert _footprint.excess({1: by_weight}, 4096, 3000, 1000) is not None
    # A share that does not divide evenly rounds up; a class in one bucket gets all.
    odd = ClassPlan(rows=10, new_rows=7, k=5, others=0, spread_by_rows=True)
    assert _footprint.group_values(odd, 3, 1) == 3 + 2 * 3
    assert _footprint.group_values(odd, 4096, 1) == 10 + 2 * 7


def test_only_a_class_larger_than_one_bucket_sends_a_tree_sample():
    plan = ClassPlan(rows=5000, new_rows=10, k=5, others=0)
    assert _footprint.sample_values(plan, 8192, 50, 20_000) == 0
    assert _footprint.sample_values(plan, 4096, 50, 20_000) == 5000 * 50
    assert _footprint.sample_values(plan, 4096, 50, 1_000) == 1000 * 50


def test_the_default_groups_fit_up_to_about_1490_features():
    plan = {1: ClassPlan(rows=10**9, new_rows=10**11, k=5, others=0)}
    fits = _buckets.sample_rows(1489)
    assert _footprint.excess(plan, 4096, 1489, fits) is None
    found = _footprint.excess(plan, 4096, 1490, _buckets.sample_rows(1490))
    assert found.values == 4096 * 11 * 1490 and found.budget == VALUE_BUDGET
    assert "k-NN group" in found.where


def test_the_offered_bound_is_the_largest_that_fits():
    plans = {
        "a": ClassPlan(rows=50_000, new_rows=10**6, k=5, others=0),
        "b": ClassPlan(rows=300, new_rows=20, k=3, others=0),
    }
    dimension = 4000
    bound = _footprint.largest_fitting_bound(plans, 4096, 12, dimension, 1000)
    assert _footprint.excess(plans, bound, dimension, 1000) is None
    assert _footprint.excess(plans, bound + 1, dimension, 1000) is not None
    assert bound == VALUE_BUDGET // (11 * dimension)


def test_no_bound_is_offered_when_the_smallest_does_not_fit():
    # Other-class rows alone exceed the budget: no bucket bound shrinks them.
    plans = {1: ClassPlan(rows=1000, new_rows=10**6, k=5, others=65_536)}
    assert _footprint.excess(plans, 4096, 2000, 1000) is not None
    assert _footprint.largest_fitting_bound(plans, 4096, 12, 2000, 1000) is None


def test_a_bound_that_needs_a_tree_sample_too_large_for_the_driver_is_not_offered():
    # 100 rows of 200,000 values: one group holds 1,100 x 200,000 (too many);
    # 30 rows a group would fit, but then the class needs a tree sample.
    plans = {1: ClassPlan(rows=100, new_rows=10**6, k=5, others=0)}
    dimension = 200_000
    assert _footprint.excess(plans, 4096, dimension, 100).values == 1100 * dimension
    # A sample of all 100 rows is 20M values, above the driver's 16.7M ...
    assert _footprint.largest_fitting_bound(plans, 4096, 12, dimension, 100) is None
    # ... the sample the dimension allows (20 rows) is not.
    rows = _buckets.sample_rows(dimension)
    assert rows == 20
    assert _footprint.largest_fitting_bound(plans, 4096, 12, dimension, rows) == 30


def test_the_tree_sample_shrinks_with_the_dimension():
    assert _buckets.sample_rows(20) == _buckets.SAMPLE_ROWS
    assert _buckets.sample_rows(209) == _buckets.SAMPLE_ROWS
    assert _buckets.sample_rows(65_536) == 64
    assert _buckets.sample_rows(1 << 30) == 1
    for dimension in (210, 1000, 65_536):
        assert _buckets.sample_rows(dimension) * dimension <= _buckets.SAMPLE_VALUES
