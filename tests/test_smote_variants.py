"""SMOTENC, BorderlineSMOTE and ADASYN: exact targets, categories taken from
neighbours, danger rows as imbalanced-learn finds them, counts by difficulty."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyspark
import pytest
from chispa import assert_df_equality
from imblearn.over_sampling import BorderlineSMOTE as ImbBorderline
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import functions as F
from sklearn.neighbors import NearestNeighbors

from spark_resample import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, _buckets
from spark_resample._smote_kernels import _BUCKET, _CLASS, NEIGHBOR_HASH, SEED_HASH

from .helpers import binomial_bounds, class_counts, poisson_bounds


def _points(spark, n_major=300, n_minor=60, seed=0):
    """Minority: a safe blob far away, plus rows scattered inside the majority."""
    rng = np.random.default_rng(seed)
    major = rng.normal(size=(n_major, 2))
    safe = rng.normal(loc=8.0, scale=0.5, size=(n_minor // 2, 2))
    mixed = rng.normal(size=(n_minor - n_minor // 2, 2))
    x = np.vstack([major, safe, mixed])
    y = np.array([0] * n_major + [1] * n_minor)
    rows = [(i, int(y[i]), float(a), float(b)) for i, (a, b) in enumerate(x)]
    return spark.createDataFrame(rows, "id long, label int, a double, b double"), x, y


def _debug_run(sampler, df):
    model = sampler.fit(df)
    model._debug = True
    out = model.transform(df)
    hashes = {r[model._HASH]: r.id for r in model._with_draw(df).collect()}
    return out, hashes


def _far_apart(spark):
    """A minority class far from the majority: no row in danger, none hard."""
    rows = [(i, 0, float(i % 17), 0.0) for i in range(100)]
    rows += [(i, 1, 1000.0 + i, 5.0) for i in range(100, 120)]
    return spark.createDataFrame(rows, "id long, label int, a double, b double")


@pytest.fixture(scope="module")
def points(spark):
    df, x, y = _points(spark)
    return df.cache(), x, y


# SMOTENC ------------------------------------------------------------------


def test_smotenc_takes_categories_from_neighbours(spark):
    rng = np.random.default_rng(1)
    rows = []
    for i in range(400):  # majority: category "z" / 0 only
        rows.append((i, 0, *map(float, rng.normal(size=2)), "z", 0, False))
    for i in range(400, 460):  # minority: two far clusters with their own categories
        left = i < 430
        centre = -10.0 if left else 10.0
        rows.append(
            (
                i,
                1,
                *map(float, centre + rng.normal(size=2)),
                *(("a", 7, True) if left else ("b", 9, False)),
            )
        )
    df = spark.createDataFrame(
        rows, "id long, label int, x double, y double, s string, n int, f boolean"
    )
    sampler = SMOTENC(inputCols=["x", "y", "s"], categoricalCols=["s", "n", "f"], kNeighbors=3)
    out = sampler.resample(df)
    assert class_counts(out) == {0: 400, 1: 400}
    assert out.schema["s"].dataType.simpleString() == "string"
    assert out.schema["n"].dataType.simpleString() == "int"
    assert out.schema["f"].dataType.simpleString() == "boolean"
    synthetic = out.where("is_synthetic").collect()
    assert len(synthetic) == 340
    for r in synthetic:
        expected = ("a", 7, True) if r.x < 0 else ("b", 9, False)
        assert (r.s, r.n, r.f) == expected


@pytest.mark.parametrize("bucket", [4096, 16], ids=["one-bucket", "tree"])
def test_smotenc_null_is_a_category_of_its_own(spark, bucket):
    """As in imbalanced-learn, whose encoder makes a missing value a category:
    rows near null-category rows get null; integers keep their exact value and
    type (as float64 in pandas, 2**60 + 1 would come back as 2**60), also when
    the buckets come from a tree (the integers then came back as decimals)."""
    big = 2**60 + 1
    rng = np.random.default_rng(4)
    rows = [(i, 0, *map(float, rng.normal(size=2)), "z", 0, False) for i in range(400)]
    for i in range(400, 460):
        left = i < 430
        centre = -10.0 if left else 10.0
        categories = (None, None, None) if left else ("b", big, True)
        rows.append((i, 1, *map(float, centre + rng.normal(size=2)), *categories))
    df = spark.createDataFrame(
        rows, "id long, label int, x double, y double, s string, n bigint, f boolean"
    )
    out = SMOTENC(
        inputCols=["x", "y"], categoricalCols=["s", "n", "f"], kNeighbors=3, maxBucketSize=bucket
    ).resample(df)
    assert class_counts(out) == {0: 400, 1: 400}
    assert [out.schema[c].dataType.simpleString() for c in "snf"] == ["string", "bigint", "boolean"]
    synthetic = out.where("is_synthetic").collect()
    assert len(synthetic) == 340
    for r in synthetic:
        assert (r.s, r.n, r.f) == ((None, None, None) if r.x < 0 else ("b", big, True))
    assert {r.x < 0 for r in synthetic} == {True, False}


@pytest.mark.parametrize("second", ["q", None], ids=["two-categories", "one-and-null"])
def test_smotenc_category_is_the_most_frequent_among_mixed_distance_neighbours(spark, second):
    # Two minority groups on the same spot, apart only by category, so the
    # categorical term decides many neighbourhoods. A null category counts in
    # the distance and the vote like any other.
    rng = np.random.default_rng(2)
    rows = [(i, 0, float(rng.normal()), "m") for i in range(200)]
    for i in range(200, 240):
        rows.append((i, 1, float(rng.normal(scale=0.1)), "p" if i % 2 else second))
    df = spark.createDataFrame(rows, "id long, label int, x double, c string")
    out, hashes = _debug_run(SMOTENC(inputCols=["x"], categoricalCols=["c"], kNeighbors=3), df)
    minority = [r for r in rows if r[1] == 1]
    x = np.array([r[2] for r in minority])
    cats = np.array([r[3] for r in minority], dtype=object)
    median_std = x.std()  # one numeric feature: its std is the median
    dist = np.sqrt((x[:, None] - x[None, :]) ** 2 + median_std**2 * (cats[:, None] != cats))
    np.fill_diagonal(dist, np.inf)
    position = {r[0]: j for j, r in enumerate(minority)}
    synthetic = out.where("is_synthetic").collect()
    assert len(synthetic) == 160
    for r in synthetic:
        seed, neighbor = position[hashes[r[SEED_HASH]]], position[hashes[r[NEIGHBOR_HASH]]]
        nearest = np.argsort(dist[seed])[:3]
        assert neighbor in nearest
        votes = Counter(cats[nearest].tolist())
        assert votes[r.c] == max(votes.values())


def test_smotenc_on_a_vector_column_equals_smotenc_on_numeric_columns(spark):
    # The categorical distance term is the median of the class's per-feature
    # standard deviations, whether the features are columns or one vector.
    rng = np.random.default_rng(3)
    rows = [(i, 0, *map(float, rng.normal(size=2)), "m") for i in range(200)]
    for i in range(200, 240):
        x, y = rng.normal(scale=(0.1, 3.0))
        rows.append((i, 1, float(x), float(y), "p" if i % 2 else "q"))
    df = spark.createDataFrame(rows, "id long, label int, x double, y double, c string")
    vectors = VectorAssembler(inputCols=["x", "y"], outputCol="features").transform(df)
    on_columns = SMOTENC(inputCols=["x", "y"], categoricalCols=["c"], kNeighbors=3, idCol="id")
    on_vector = SMOTENC(categoricalCols=["c"], kNeighbors=3, idCol="id")
    minority = np.array([r[2:4] for r in rows if r[1] == 1])
    median_std = float(np.median(minority.std(axis=0)))
    for sampler, data in ((on_columns, df), (on_vector, vectors)):
        assert sampler.fit(data)._median_std[1] == pytest.approx(median_std)
    from_columns = sorted(
        (r.c, round(r.x, 9), round(r.y, 9))
        for r in on_columns.resample(df).where("is_synthetic").collect()
    )
    from_vector = sorted(
        (r.c, *(round(v, 9) for v in r.features))
        for r in on_vector.resample(vectors).where("is_synthetic").collect()
    )
    assert len(from_columns) == 160 and from_vector == from_columns


@pytest.mark.skipif(pyspark.__version__ < "4", reason="string collations arrived in Spark 4.0")
def test_smotenc_categories_equal_under_the_collation_are_one(spark):
    """Under UTF8_LCASE, "X" and "x" are one category, to the distance and to
    the vote, and come out spelled one way: the smallest spelling in binary
    order among the grown class's rows (the majority's "Y" does not count,
    nor its nulls). Seven minority rows, each the other six's neighbour: an
    X/x seed's neighbours tie 3 to 3 between X and y, a y seed's vote 4 to 2
    for X, so about 4/7 x 1/2 of the synthetic rows are y. Taken apart, X and
    x (2 and 1 votes against y's 3, or 2 each against y's 2) would make y
    about 5/7 of them."""
    minority = ["X", "X", "x", "x", "y", "y", "y"]
    rows = [(i, 1, float(i), c) for i, c in enumerate(minority)]
    rows += [(i, 0, 100.0 + i, "Y" if i % 2 else None) for i in range(10, 50)]
    df = spark.createDataFrame(rows, "id long, label int, f double, c string").withColumn(
        "c", F.expr("collate(c, 'UTF8_LCASE')")
    )
    out = SMOTENC(
        inputCols=["f"], categoricalCols=["c"], kNeighbors=6, samplingStrategy={1: 707}, seed=3
    ).resample(df)
    assert out.schema["c"].dataType == df.schema["c"].dataType
    spelled = Counter(
        r.c
        for r in out.where("is_synthetic")
        .select(F.expr("collate(c, 'UTF8_BINARY') AS c"))
        .collect()
    )
    assert set(spelled) == {"X", "y"} and sum(spelled.values()) == 700
    low, high = binomial_bounds(700, 2 / 7)
    assert low <= spelled["y"] <= high
    # The original rows keep their own spelling.
    originals = out.where("NOT is_synthetic").select(F.expr("collate(c, 'UTF8_BINARY') AS c"))
    assert sorted(r.c for r in originals.collect() if r.c in ("x", "y")) == [
        "x",
        "x",
        "y",
        "y",
        "y",
    ]


def test_smotenc_refuses_other_categorical_types(spark):
    df = spark.createDataFrame([(1, 0, 1.0, 2.5)], "id long, label int, x double, c double")
    with pytest.raises(TypeError, match=r"categoricalCols column 'c' has type double"):
        SMOTENC(inputCols=["x"], categoricalCols=["c"]).fit(df)


# BorderlineSMOTE ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["borderline-1", "borderline-2"])
def test_borderline_seeds_only_danger_rows_as_imbalanced_learn(points, kind):
    df, x, y = points
    out, hashes = _debug_run(BorderlineSMOTE(inputCols=["a", "b"], kind=kind, seed=3), df)
    assert class_counts(out) == {0: 300, 1: 300}
    theirs = ImbBorderline(kind=kind, random_state=0)
    theirs.fit_resample(x, y)
    danger = set(theirs.in_danger_indices[1].tolist())
    assert 0 < len(danger) < 30  # the safe blob is never in danger
    synthetic = out.where("is_synthetic").collect()
    seeds = {hashes[r[SEED_HASH]] for r in synthetic}
    assert seeds <= danger and len(seeds) > len(danger) // 2
    label = dict(enumerate(y))
    for r in synthetic:
        seed, neighbor = hashes[r[SEED_HASH]], hashes[r[NEIGHBOR_HASH]]
        s, a, b = np.array([r.a, r.b]), x[seed], x[neighbor]
        u = float(np.dot(s - a, b - a) / np.dot(b - a, b - a))
        np.testing.assert_allclose(s, a + u * (b - a), atol=1e-9)
        if label[neighbor] == 1:
            assert 0 <= u < 1
        else:  # borderline-2 only: towards another class, at most half way
            assert kind == "borderline-2" and 0 <= u < 0.5
    if kind == "borderline-2":
        assert any(label[hashes[r[NEIGHBOR_HASH]]] == 0 for r in synthetic)


def test_borderline_without_danger_rows_is_an_error(spark):
    df = _far_apart(spark)
    with pytest.raises(ValueError, match="no row of class 1 is in danger.*Use SMOTE"):
        BorderlineSMOTE(inputCols=["a", "b"]).resample(df)
    with pytest.raises(ValueError, match="kind must be 'borderline-1' or 'borderline-2'"):
        BorderlineSMOTE(inputCols=["a", "b"], kind="borderline-3").fit(df)


# ADASYN -------------------------------------------------------------------


def test_adasyn_spreads_rows_by_difficulty(points):
    df, x, y = points
    out, hashes = _debug_run(ADASYN(inputCols=["a", "b"], seed=4), df)
    assert class_counts(out) == {0: 300, 1: 300}
    minority = np.flatnonzero(y == 1)
    nn = NearestNeighbors(n_neighbors=6).fit(x).kneighbors(x[minority], return_distance=False)
    difficulty = (y[nn[:, 1:]] != 1).mean(axis=1)
    expected = 240 * difficulty / difficulty.sum()
    made = Counter(hashes[r[SEED_HASH]] for r in out.where("is_synthetic").collect())
    for row, want in zip(minority, expected):
        assert abs(made.get(row, 0) - want) < 1  # largest remainder: floor or ceil
    # the safe blob (first half of the minority) gets nothing
    assert sum(made.get(row, 0) for row in minority[:30]) == 0


def test_adasyn_without_hard_rows_is_an_error(spark):
    df = _far_apart(spark)
    with pytest.raises(ValueError, match="no row of class 1 has a row of another class"):
        ADASYN(inputCols=["a", "b"]).resample(df)
    with pytest.raises(ValueError, match=r"nNeighbors \+ 1 = 31"):
        ADASYN(inputCols=["a", "b"], nNeighbors=30).fit(df)


# Rows of other classes beyond maxOtherRows ----------------------------------


@pytest.mark.parametrize(
    "cls,bucket",
    [(BorderlineSMOTE, 4096), (ADASYN, 16)],
    ids=["BorderlineSMOTE-one-bucket", "ADASYN-tree"],
)
def test_other_rows_beyond_the_bound_join_as_a_sample_of_about_that_many(points, cls, bucket):
    """One bucket: all 300 rows of the other class fall in it, no plan job
    runs; with a tree the plan's job counts them per bucket. Either way a
    bucket whose region holds more than maxOtherRows gets a uniform sample of
    about that many, the totals stay exact, and the output does not depend on
    the partitioning."""
    df, _, _ = points
    bound = 60
    sampler = cls(inputCols=["a", "b"], maxOtherRows=bound, maxBucketSize=bucket, seed=3)
    model = sampler.fit(df)
    out = model.transform(df)
    assert class_counts(out) == {0: 300, 1: 300}
    sampled = model._last_sampled_others
    assert sampled, "the bound must bind for this test to mean anything"
    joined = (
        model._last_others.groupBy(_CLASS, _BUCKET)
        .agg(F.count(F.lit(1)), F.countDistinct(model._HASH))
        .collect()
    )
    assert all(r[2] == r[3] for r in joined)  # no row of another class twice in a bucket
    per_bucket = {(r[0], r[1]): r[2] for r in joined}
    for key, n in sampled.items():
        low, high = binomial_bounds(n, bound / n)
        assert low <= per_bucket.get(key, 0) <= high, key
    # Buckets below the bound got all their rows: with the sampled buckets'
    # counts, every row of the other class is accounted for once.
    unsampled = sum(n for key, n in per_bucket.items() if key not in sampled)
    assert sum(sampled.values()) + unsampled == 300
    repartitioned = sampler.resample(df.repartition(3, "b"))
    assert_df_equality(
        out.where("is_synthetic"), repartitioned.where("is_synthetic"), ignore_row_order=True
    )


@pytest.mark.parametrize("cls", [BorderlineSMOTE, ADASYN], ids=lambda c: c.__name__)
def test_max_other_rows_below_one_is_refused(spark, cls):
    with pytest.raises(ValueError, match="maxOtherRows must be >= 1, got 0"):
        cls(inputCols=["a", "b"], maxOtherRows=0).fit(_far_apart(spark))


# A class too large for its tree ---------------------------------------------


@pytest.mark.parametrize("cls", [SMOTE, ADASYN], ids=lambda c: c.__name__)
def test_sub_keys_above_the_bound_are_split_and_no_bucket_outgrows_it(spark, monkeypatch, cls):
    """A class whose sample affords too shallow a tree has single sub-keys
    above maxBucketSize (at the defaults: over 512 leaves x 64 sub-keys x
    4096 = 134M rows; here 2 leaves x 4 sub-keys x 32). Each is split by the
    row hash into parts: no bucket outgrows the bound, every planned bucket
    gets rows, synthetic rows start and end in one bucket, ADASYN's sample of
    other-class rows per part stays within binomial bounds, the totals stay
    exact, and the output does not depend on the partitioning."""
    monkeypatch.setattr(_buckets, "SAMPLE_ROWS", 64)  # a tree of depth 1
    monkeypatch.setattr(_buckets, "SUB_KEY_BITS", 2)
    monkeypatch.setattr(_buckets, "SUB_KEYS", 4)
    rng = np.random.default_rng(5)
    rows = [(i, 0, *map(float, rng.normal(size=2))) for i in range(1200)]
    rows += [(i, 1, *map(float, rng.normal(0.5, 1.0, size=2))) for i in range(1200, 1800)]
    df = spark.createDataFrame(rows, "id long, label int, a double, b double")
    bound, other_bound = 32, 10
    extra = {"maxOtherRows": other_bound} if cls is ADASYN else {}
    sampler = cls(inputCols=["a", "b"], maxBucketSize=bound, seed=2, **extra)
    model = sampler.fit(df)
    model._debug = True
    out = model.transform(df)
    assert class_counts(out) == {0: 1200, 1: 1200}
    assert model._bucket_parts, "no sub-key was split: the test would mean nothing"
    bucket_of = {r[1]: r[2] for r in model._last_buckets.collect()}  # (class, hash, bucket)
    sizes = Counter(bucket_of.values())
    assert sorted(sizes) == list(range(len(model._bucket_sizes[0])))  # none planned is empty
    assert sum(sizes.values()) == 600 and max(sizes.values()) <= bound
    synthetic = out.where("is_synthetic").collect()
    assert len(synthetic) == 600
    for r in synthetic:
        assert bucket_of[r[SEED_HASH]] == bucket_of[r[NEIGHBOR_HASH]] == r[_BUCKET]
    if cls is ADASYN:
        sampled = model._last_sampled_others
        per_bucket = Counter(r[2] for r in model._last_others.collect())
        assert sampled
        # A part keeps each row of its sub-key with probability (1 / parts) x
        # (maxOtherRows / the part's expected count): binomial with mean
        # maxOtherRows, less dispersed than a Poisson of that mean.
        low, high = poisson_bounds(other_bound)
        for _, bucket in sampled:
            assert low <= per_bucket[bucket] <= high, bucket
    repartitioned = sampler.resample(df.repartition(4, "b"))
    assert_df_equality(
        out.where("is_synthetic").drop(SEED_HASH, NEIGHBOR_HASH, _BUCKET),
        repartitioned.where("is_synthetic"),
        ignore_row_order=True,
    )


# The whole family -----------------------------------------------------------


@pytest.mark.parametrize("bucket", [4096, 16], ids=["one-bucket", "tree"])
@pytest.mark.parametrize("cls", [SMOTE, BorderlineSMOTE, ADASYN], ids=lambda c: c.__name__)
def test_numeric_columns_and_a_vector_column_give_the_same_rows(points, cls, bucket):
    """A class that fits one bucket takes its bucket plan from the class count
    when its features are numeric columns, and from the plan's job when they
    are a vector column (which may hold sparse vectors, and the job tells):
    the buckets, and so the synthetic rows, are the same. With a tree, both
    run the jobs."""
    df, _, _ = points
    vectors = VectorAssembler(inputCols=["a", "b"], outputCol="features").transform(df)
    params = dict(idCol="id", seed=3, maxBucketSize=bucket)
    on_columns = cls(inputCols=["a", "b"], **params).resample(df)
    on_vector = cls(**params).resample(vectors)
    from_columns = sorted(
        (round(r.a, 9), round(r.b, 9)) for r in on_columns.where("is_synthetic").collect()
    )
    from_vector = sorted(
        tuple(round(v, 9) for v in r.features) for r in on_vector.where("is_synthetic").collect()
    )
    assert len(from_columns) == 240 and from_vector == from_columns


COPY_STAGES = {
    "SMOTE": SMOTE(inputCols=["a", "b"], kNeighbors=3),
    # Buckets from a tree: the rows, copies included, also cross the leaf UDF.
    "SMOTE-tree": SMOTE(inputCols=["a", "b"], kNeighbors=3, maxBucketSize=16),
    "SMOTENC": SMOTENC(inputCols=["a", "b"], categoricalCols=["c"], kNeighbors=3),
    "BorderlineSMOTE": BorderlineSMOTE(inputCols=["a", "b"], kind="borderline-2", kNeighbors=3),
    "ADASYN": ADASYN(inputCols=["a", "b"], nNeighbors=3),
}


@pytest.mark.parametrize("sampler", COPY_STAGES.values(), ids=COPY_STAGES.keys())
def test_copy_cols_take_the_seed_rows_values(spark, sampler, tmp_path):
    df, _, _ = _points(spark)
    df = df.select(
        "*",
        F.concat(F.lit("seg"), (F.col("id") % 3).cast("string")).alias("c"),
        F.when(F.col("id") % 4 == 0, F.lit(None)).otherwise(F.col("id") % 5).alias("day"),
        F.timestamp_seconds(F.col("id") * 3600).alias("ts"),
        # Above 2**53, with nulls: through pandas as float64 it would change.
        F.when(F.col("id") % 4 != 1, F.lit(2**62) + F.col("id")).alias("big"),
        # NaN and null are one to pandas: a NaN must not come back null.
        F.when(F.col("id") % 3 == 0, F.lit(float("nan")))
        .when(F.col("id") % 3 == 1, F.lit(None))
        .otherwise(F.col("id") / 7)
        .alias("x"),
        # Past pandas' nanosecond range (2262): "no end" dates are common.
        F.expr(
            "CASE WHEN id % 2 = 0 THEN timestamp_ntz'9999-12-31 23:59:59.999999' "
            "ELSE timestamp_ntz'2024-11-03 01:30:00' + make_interval(0, 0, 0, 0, 0, 0, id) END"
        ).alias("tn"),
    )
    copied = ["day", "ts", "big", "x", "tn"]
    sampler = sampler.copy().setCopyCols(copied if type(sampler) is SMOTENC else copied + ["c"])
    sampler.write().overwrite().save(str(tmp_path / "stage"))
    sampler = type(sampler).load(str(tmp_path / "stage"))
    out, hashes = _debug_run(sampler, df)
    assert class_counts(out) == {0: 300, 1: 300}
    originals = {r.id: r for r in df.collect()}
    synthetic = out.where("is_synthetic").collect()
    assert len(synthetic) == 240
    for row in synthetic:
        seed = originals[hashes[row[SEED_HASH]]]
        assert (row.day, row.ts, row.big, row.tn) == (seed.day, seed.ts, seed.big, seed.tn)
        assert repr(row.x) == repr(seed.x)  # nan == nan is False
        if type(sampler) is not SMOTENC:  # SMOTENC computes c from the neighbours
            assert row.c == seed.c
        assert row.id is None  # not copied: null
    assert any(row.day is None for row in synthetic) and any(row.day for row in synthetic)
    assert {repr(row.x)[:3] for row in synthetic} >= {"nan", "Non"}


def test_copied_timestamps_keep_their_instant_in_the_hour_the_clock_turns_back(spark):
    """At 01:30 on 2026-11-01, Los Angeles time happens twice (first -07:00,
    then -08:00). A copied timestamp crossed Arrow as wall-clock time, and
    came back an hour off for 8 of 20 synthetic rows (measured)."""
    previous = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
    try:
        df, _, _ = _points(spark, n_major=40, n_minor=10)
        twice = F.lit(1793521800) + (F.col("id") % 2) * 3600  # 01:30 in each offset
        df = df.withColumn("ts", F.timestamp_seconds(twice))
        out, hashes = _debug_run(SMOTE(inputCols=["a", "b"], kNeighbors=3, copyCols=["ts"]), df)
        seconds = {r.id: r.t for r in df.select("id", F.unix_seconds("ts").alias("t")).collect()}
        synthetic = (
            out.where("is_synthetic").select(SEED_HASH, F.unix_seconds("ts").alias("t")).collect()
        )
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)
    assert len(synthetic) == 30
    assert {r.t for r in synthetic} == {1793521800, 1793525400}
    assert all(r.t == seconds[hashes[r[SEED_HASH]]] for r in synthetic)


def test_label_weight_id_a_repeat_or_no_numeric_feature_is_refused(spark):
    """``inputCols=df.columns`` lists the label (and a weight or id column):
    never a feature to interpolate. A repeat would count twice in distances."""
    df, _, _ = _points(spark)
    df = df.withColumn("w", F.lit(1.0)).withColumn("c", (F.col("id") % 3).cast("string"))
    for sampler, words in [
        (SMOTE(inputCols=["a", "b", "label"]), "inputCols lists 'label', which is labelCol"),
        (SMOTE(inputCols=["a", "w"], weightCol="w"), "inputCols lists 'w', which is weightCol"),
        (SMOTE(inputCols=["a", "id"], idCol="id"), "inputCols lists 'id', which is idCol"),
        (
            SMOTENC(inputCols=["a"], categoricalCols=["c", "label"]),
            "categoricalCols lists 'label', which is labelCol",
        ),
        (SMOTE(inputCols=["a", "b", "a"]), "inputCols lists 'a' twice"),
        (SMOTENC(inputCols=["a"], categoricalCols=["c", "c"]), "categoricalCols lists 'c' twice"),
        (SMOTE(inputCols=[]), "inputCols is empty"),
        (
            SMOTENC(inputCols=["c"], categoricalCols=["c"]),
            r"SMOTENC needs at least one numeric feature in inputCols besides "
            r"categoricalCols \['c'\]",
        ),
    ]:
        with pytest.raises(ValueError, match=words):
            sampler.fit(df)


@pytest.mark.parametrize("bucket", [4096, 16], ids=["one-bucket", "tree"])
def test_categorical_and_copied_columns_with_odd_names(spark, bucket):
    """The pandas UDFs get their columns as df[name], which parses the name:
    "c.d" read as field d of a column c, and a backtick failed the plan."""
    df, _, _ = _points(spark)
    df = df.select(
        "*",
        (F.col("id") % 3).cast("string").alias("ca.t"),
        F.col("id").alias("co`py"),
        (F.col("id") * 2).alias("co py.x"),
    )
    sampler = SMOTENC(
        inputCols=["a", "b"],
        categoricalCols=["ca.t"],
        copyCols=["co`py", "co py.x"],
        kNeighbors=3,
        maxBucketSize=bucket,
    )
    out = sampler.resample(df)
    assert out.columns == df.columns + ["is_synthetic"]
    synthetic = out.where("is_synthetic").collect()
    assert len(synthetic) == 240
    assert {r["ca.t"] for r in synthetic} <= {"0", "1", "2"}
    assert all(r["co py.x"] == 2 * r["co`py"] for r in synthetic)
    assert {r["co`py"] for r in synthetic} <= set(range(300, 360))


def test_copy_cols_that_are_computed_or_not_copyable_are_refused(spark):
    df, _, _ = _points(spark)
    df = df.withColumn("tags", F.array(F.lit("t")))
    for copied, words in [
        (["label"], "labelCol"),
        (["a"], "inputCols"),
        (["nope"], "not a column"),
    ]:
        with pytest.raises(ValueError, match=words):
            SMOTE(inputCols=["a", "b"], copyCols=copied).fit(df)
    with pytest.raises(ValueError, match="weightCol"):
        SMOTE(inputCols=["a"], weightCol="b", copyCols=["b"]).fit(df)
    assembled = VectorAssembler(inputCols=["a", "b"], outputCol="features").transform(df)
    with pytest.raises(ValueError, match="'features' is also featuresCol"):
        SMOTE(copyCols=["features"]).fit(assembled)
    with pytest.raises(TypeError, match=r"copyCols column 'tags' has type array<string>"):
        SMOTE(inputCols=["a", "b"], copyCols=["tags"]).fit(df)
    with pytest.raises(ValueError, match="categoricalCols"):
        SMOTENC(inputCols=["a"], categoricalCols=["b"], copyCols=["b"]).fit(df)
