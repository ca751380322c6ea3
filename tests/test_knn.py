"""The pure NumPy kernels of the SMOTE family, the pandas functions its UDFs
run, and the bucket planner: no Spark session."""

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import NearestNeighbors

from spark_resample import _buckets, _knn
from spark_resample._base import SamplerModel
from spark_resample._smote_kernels import (
    _BUCKET,
    _CLASS,
    _COUNT,
    _NEIGHBOR_X,
    _NEW,
    _OTHER,
    _PAIR,
    _SEED_X,
    _WEIGHT,
    _X,
    NEIGHBOR_HASH,
    SEED_HASH,
    _AdasynKernel,
    _BorderlineKernel,
    _Bucket,
    _generate_udf,
    _read_bucket,
    _SmoteKernel,
    _weight_udf,
)


@pytest.mark.parametrize("n,d,k", [(50, 3, 5), (300, 20, 7), (7, 2, 6)])
def test_kneighbors_matches_scikit_learn(n, d, k):
    x = np.random.default_rng(n).normal(size=(n, d))
    ours = _knn.kneighbors(x, k)
    theirs = NearestNeighbors(n_neighbors=k + 1).fit(x).kneighbors(x, return_distance=False)
    assert not (ours == np.arange(n)[:, None]).any()  # never its own neighbour
    # Same neighbour sets (continuous data: no ties); self is theirs' first column.
    assert [set(r) for r in ours] == [set(r[1:]) for r in theirs]


def test_kneighbors_in_blocks_equals_one_block(monkeypatch):
    x = np.random.default_rng(1).normal(size=(200, 4))
    whole = _knn.kneighbors(x, 5)
    monkeypatch.setattr(_knn, "_BLOCK_CELLS", 450)  # two queries per block
    assert (_knn.kneighbors(x, 5) == whole).all()


def test_kneighbors_with_queries_and_exclusion():
    points = np.array([[0.0], [1.0], [2.0], [10.0]])
    got = _knn.kneighbors(points, 2, queries=points[[1, 3]], exclude=np.array([1, 3]))
    assert got.tolist() == [[0, 2], [2, 1]]


def test_kneighbors_refuses_too_many_neighbours():
    with pytest.raises(ValueError, match="k=3"):
        _knn.kneighbors(np.zeros((3, 2)), 3)


def test_bucket_rng_depends_on_every_key_only():
    draw = lambda *key: _knn.bucket_rng(*key).random(3).tolist()  # noqa: E731
    assert draw(1, 2, 3) == draw(1, 2, 3)
    assert len({tuple(draw(*key)) for key in [(1, 2, 3), (2, 2, 3), (1, 3, 3), (1, 2, 4)]}) == 4


def test_pair_counts_are_uniform_over_the_pairs_and_sum_to_the_draws():
    counts = _knn.pair_counts(np.random.default_rng(0), 20, 4, 80_000)
    assert counts.shape == (20, 4) and counts.sum() == 80_000
    # Each pair is drawn with probability 1/80: 1000 expected, sd 31.4.
    assert np.abs(counts - 1000).max() < 6 * np.sqrt(80_000 * (1 / 80) * (79 / 80))
    few = _knn.pair_counts(np.random.default_rng(1), 30, 5, 7)
    assert few.sum() == 7 and (few >= 0).all()


@pytest.mark.parametrize(
    "total,weights",
    [(10, [1, 1, 1]), (0, [3, 4]), (7, [0.0, 0.0]), (1000, [5, 1, 0, 2.5]), (3, [1] * 10)],
)
def test_allocate_is_exact_and_proportional(total, weights):
    got = _knn.allocate(total, weights)
    assert got.sum() == total and (got >= 0).all()
    w = np.asarray(weights, float)
    if w.sum() > 0:
        assert np.all(np.abs(got - total * w / w.sum()) < 1)


def test_most_frequent_marks_the_majority_and_every_tied_code():
    codes = np.array([0, 1, 1, 2])
    neighbors = np.array([[1, 2, 0], [0, 3, 0], [0, 3, 3]])  # (1, 1, 0), (0, 2, 0), (0, 2, 2)
    got = _knn.most_frequent(codes, neighbors, 3)
    assert got.tolist() == [[False, True, False], [True, False, False], [False, False, True]]
    tie = _knn.most_frequent(codes, np.array([[0, 3]]), 3)  # codes 0 and 2, one each
    assert tie.tolist() == [[True, False, True]]


def test_mixed_distance_puts_differing_categories_median_std_apart():
    space = _knn.mixed_distance_points(np.zeros((2, 1)), [np.array([0, 1])], median_std=3.0)
    assert np.linalg.norm(space[0] - space[1]) == pytest.approx(3.0)


def test_pca_tree_keeps_near_points_together_and_balances_leaves():
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0], [20.0, 20.0]])
    x = np.vstack([c + rng.normal(size=(250, 2)) for c in centres])
    tree = _buckets.fit_tree(x, 2, np.random.default_rng(1))
    leaves = tree.leaves(x)
    assert sorted(np.bincount(leaves).tolist()) == [250] * 4
    for blob in range(4):  # each blob lands in one leaf
        assert len(set(leaves[blob * 250 : (blob + 1) * 250].tolist())) == 1


def test_tree_depth_targets_half_buckets_and_respects_the_sample():
    assert _buckets.tree_depth(100, 100, 4096) == 0
    assert _buckets.tree_depth(10_000, 10_000, 1000) == 5  # leaves ~312 <= 500
    assert _buckets.tree_depth(10**8, 20_000, 1000) == 9  # at least 32 sample rows a leaf


def test_plan_buckets_bounds_and_merges():
    rng = np.random.default_rng(3)
    counts = {(leaf, sub): int(rng.integers(0, 30)) for leaf in range(12) for sub in range(8)}
    counts[(3, 0)] = 400  # one sub-key alone above the bound is split in parts
    for leaf in (5, 6, 7):  # tiny leaves get merged
        for sub in range(8):
            counts[(leaf, sub)] = 0
    counts[(6, 2)] = 2
    plan = _buckets.plan_buckets(counts, min_size=6, max_size=120)
    assert sum(plan.sizes) == sum(counts.values())
    assert set(plan.bucket_of) == set(counts)
    assert min(plan.sizes) >= 6
    assert max(plan.sizes) <= 120 + 6  # a merged tail may add up to min_size - 1
    parts = _buckets.split_parts(400, 120)
    assert plan.parts == {(3, 0): parts} and parts == 7  # parts of ~57 leave room for the spread
    first = plan.bucket_of[(3, 0)]
    assert sum(plan.sizes[first : first + parts]) - 400 < 6  # plus a merged tail at most
    assert first + parts - 1 not in plan.bucket_of.values()  # the parts are its own
    # buckets follow leaf order: a bucket's leaves are contiguous
    for bucket in set(plan.bucket_of.values()):  # a split sub-key's later parts have no key
        leaves = sorted({leaf for (leaf, _), b in plan.bucket_of.items() if b == bucket})
        assert leaves == list(range(leaves[0], leaves[-1] + 1))


def test_plan_buckets_of_a_small_class_is_one_bucket():
    plan = _buckets.plan_buckets({(0, 1): 2, (0, 5): 3}, min_size=6, max_size=100)
    assert plan.sizes == [5] and set(plan.bucket_of.values()) == {0}


def _blobs(rng, n_other, n_own, shift):
    return rng.normal(0.0, 1.0, (n_other, 2)), rng.normal(shift, 0.7, (n_own, 2))


@pytest.mark.parametrize("n", [5, 10])
def test_others_among_nearest_counts_exactly_without_a_sample(n):
    rng = np.random.default_rng(4)
    other, own = _blobs(rng, 300, 40, 1.0)
    everything = np.vstack([own, other])
    nn = NearestNeighbors(n_neighbors=n + 1).fit(everything).kneighbors(own)[1][:, 1:]
    expected = (nn >= len(own)).sum(axis=1)
    np.testing.assert_array_equal(_knn.others_among_nearest(own, other, n), expected)


@pytest.mark.parametrize("fraction", [0.5, 0.2, 0.05])
def test_others_among_nearest_from_a_sample_is_close_on_average(fraction):
    """Each sampled row stands for 1 / fraction rows: averaged over samples,
    the estimated count is near the exact one (measured: within 0.6 of 10 at a
    5 % sample), and it stays within [0, n]. Counting only the sampled rows
    among the n nearest would find a fraction of them."""
    rng = np.random.default_rng(5)
    other, own = _blobs(rng, 3000, 150, 1.2)
    n = 10
    exact = _knn.others_among_nearest(own, other, n)
    estimates, naive = [], []
    for _ in range(20):
        kept = other[rng.random(len(other)) < fraction]
        estimate = _knn.others_among_nearest(own, kept, n, len(other) / len(kept))
        assert estimate.min() >= 0 and estimate.max() <= n
        estimates.append(estimate.mean())
        naive.append(_knn.others_among_nearest(own, kept, n).mean())
    assert abs(np.mean(estimates) - exact.mean()) < 0.1 * n
    assert np.mean(naive) < exact.mean() - 0.1 * n


def test_others_among_nearest_sees_a_sampled_row_beyond_the_own_rows():
    """With a sparse sample the n nearest rows seen may all be of the class:
    the ball then grows to the nearest sampled row, whose weight says how
    dense the other classes are there."""
    own = np.array([[float(i)] for i in range(4)])
    other = np.array([[3.5]])
    # row 0: 3 own rows (1, 2, 3) within distance 3.5, then the sampled row of weight 9
    estimate = _knn.others_among_nearest(own, other, 2, other_weight=9.0)
    assert estimate[0] == pytest.approx(2 * 9 / (3 + 9))
    # row 3: the sampled row is its nearest: all of its 2 nearest stand for other rows
    assert estimate[3] == 2.0


def test_count_within_counts_rows_at_the_radius_and_not_the_row_itself():
    points = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0], [6.0, 8.0]])
    counts = _knn.count_within(points, np.array([0, 3]), np.array([25.0, 25.0]))
    assert counts.tolist() == [2.0, 1.0]


def test_the_weight_udf_counts_sampled_other_rows_for_the_rows_they_stand_for():
    """The pandas UDF of the weight pass (and of generation, which reads its
    bucket the same way) gives the kernel the region's other-class count."""
    rng = np.random.default_rng(6)
    other, own = _blobs(rng, 20, 30, 0.5)
    pdf = pd.DataFrame(
        {
            _CLASS: 0,
            _BUCKET: 0,
            _OTHER: [False] * len(own) + [True] * len(other),
            SamplerModel._HASH: rng.permutation(len(own) + len(other)),
            _X: list(np.vstack([own, other])),
        }
    )
    kernel = _AdasynKernel({0: 5})
    bucket, _ = _read_bucket(pdf, [], others_in_region=400)
    assert bucket.other_weight == 400 / 20
    weighted = _weight_udf(kernel, [], {(0, 0): 400})(pdf)[_WEIGHT].iat[0]
    plain = _weight_udf(kernel, [], {})(pdf)[_WEIGHT].iat[0]
    assert weighted == kernel.weight(bucket, 0)
    assert weighted > plain  # each sampled row now stands for 20


def _mixed_bucket(seed):
    other, own = _blobs(np.random.default_rng(seed), 60, 40, 1.0)
    return _Bucket(own, np.arange(40), other, np.arange(40, 100))


def test_adasyn_pairs_give_each_row_its_share_among_its_neighbours():
    bucket, kernel = _mixed_bucket(8), _AdasynKernel({0: 5})
    made = kernel.generate(bucket, 0, 3000, np.random.default_rng(0))
    per_row = np.bincount(made.seed_rows, weights=made.counts, minlength=40)
    np.testing.assert_array_equal(per_row, _knn.allocate(3000, kernel.difficulty(bucket, 0)))
    nn = _knn.kneighbors(bucket.x, 5)
    assert all(n in nn[s] for s, n in zip(made.seed_rows, made.neighbor_rows))
    assert (made.counts > 0).all() and made.towards_other is None


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_borderline_pairs_start_in_danger_and_flag_other_class_neighbours(kind):
    bucket, kernel = _mixed_bucket(9), _BorderlineKernel({0: 5}, 10, kind)
    made = kernel.generate(bucket, 0, 2000, np.random.default_rng(0))
    assert made.counts.sum() == 2000 and (made.counts > 0).all()
    assert set(made.seed_rows) <= set(kernel.danger(bucket).tolist())
    towards = made.neighbor_rows >= len(bucket.x)
    if kind == "borderline-1":
        assert made.towards_other is None and not towards.any()
    else:
        np.testing.assert_array_equal(made.towards_other, towards)
        assert towards.any() and not towards.all()


def test_the_generating_udf_sends_pairs_not_points():
    """Python's output follows the (seed, neighbour) pairs, at most rows x k,
    however many synthetic rows the bucket draws: each pair carries how many
    synthetic rows it makes, and Spark draws their steps and computes the points."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(30, 3))
    n_new = 10_000
    pdf = pd.DataFrame(
        {
            _CLASS: 0,
            _BUCKET: 0,
            _OTHER: False,
            _NEW: n_new,
            SamplerModel._HASH: rng.permutation(30),
            _X: list(x),
        }
    )
    pairs = _generate_udf(_SmoteKernel({0: 5}), 11, [], False, {})(pdf)
    assert len(pairs) <= 30 * 5
    assert pairs[_COUNT].sum() == n_new and (pairs[_COUNT] > 0).all()
    assert pairs[_PAIR].tolist() == list(range(len(pairs)))
    assert not pairs.duplicated([SEED_HASH, NEIGHBOR_HASH]).any()
    bucket, _ = _read_bucket(pdf, [])
    nn = _knn.kneighbors(bucket.x, 5)
    position = {h: i for i, h in enumerate(bucket.hashes)}
    for seed_hash, neighbor_hash, seed_x, neighbor_x in pairs[
        [SEED_HASH, NEIGHBOR_HASH, _SEED_X, _NEIGHBOR_X]
    ].itertuples(index=False):
        seed, neighbor = position[seed_hash], position[neighbor_hash]
        assert neighbor in nn[seed]
        np.testing.assert_array_equal(seed_x, bucket.x[seed])
        np.testing.assert_array_equal(neighbor_x, bucket.x[neighbor])


@pytest.mark.parametrize(
    "categories,cells", [(2, None), (7, 5000)], ids=["per-combination", "per-row-in-blocks"]
)
def test_vdm_distances_are_imbalanced_learns_value_difference_metric(
    categories, cells, monkeypatch
):
    """Rows given as their class probabilities per feature are as far apart
    as imbalanced-learn's ValueDifferenceMetric puts their categories: where
    the combinations of categories are few (distances computed per
    combination) and where they are not (a small block bound forces the
    per-row lookups, several blocks of queries), queries apart from the points."""
    from imblearn.metrics.pairwise import ValueDifferenceMetric

    if cells:
        monkeypatch.setattr(_knn, "_BLOCK_CELLS", cells)

    rng = np.random.default_rng(categories)
    n, features, classes = 300, 4, 3
    codes = rng.integers(0, categories, size=(n, features))
    y = rng.integers(0, classes, size=n)
    vdm = ValueDifferenceMetric(n_categories=[categories] * features).fit(codes, y)
    points = np.hstack([vdm.proba_per_class_[f][codes[:, f]] for f in range(features)])
    queries = np.arange(0, n, 7)
    expected = vdm.pairwise(codes[queries], codes)
    got = np.vstack([d for _, d in _knn.vdm_distances(points, points[queries], None, features)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # The k nearest by that metric, the row itself excluded.
    nn = _knn.kneighbors(points, 4, vdm_features=features)
    full = vdm.pairwise(codes)
    np.fill_diagonal(full, np.inf)
    for i in queries:
        assert np.allclose(np.sort(full[i])[:4], full[i, nn[i]])
