"""RandomOverSampler: every original stays, sizes, weights, shrinkage, determinism."""

import math

import numpy as np
import pytest
from chispa import assert_df_equality
from pyspark.ml.functions import vector_to_array
from pyspark.ml.linalg import Vectors
from pyspark.sql import functions as F

from spark_resample import RandomOverSampler
from spark_resample._params import pairs_to_dict
from spark_resample._random import poisson_cdf

from .helpers import (
    MIXED_ATTRIBUTES,
    class_counts,
    id_multiplicity,
    labelled,
    poisson_bounds,
    with_attributes,
    with_partitions,
)

COUNTS = {0: 2000, 1: 130}


@pytest.fixture(scope="module")
def binary(spark):
    return labelled(spark, COUNTS).cache()


def test_poisson_table_is_a_cdf():
    for mean in (0.01, 0.7, 3.0, 98.0, 999.0):
        cdf = poisson_cdf(mean)
        assert all(a <= b for a, b in zip(cdf, cdf[1:]))
        assert cdf[-1] > 1 - 1e-9
        expected = sum(1 - p for p in cdf)  # E[X] = sum over j of P(X > j)
        assert expected == pytest.approx(mean, rel=1e-6)


def test_copies_are_the_count_of_cdf_entries_at_or_below_the_draw(spark):
    """The inverse CDF in SQL (the draw's place among the sorted entries)
    against the count in Python, on draws at, just below and between the
    entries, for one class and for a class looked up among many."""
    from spark_resample._random import poisson_copies

    means = {c: m for c, m in enumerate([0.01, 0.7, 3.0, 98.0] + [1.0] * 8)}
    rows = []
    for c in (0, 1, 2, 3):
        cdf = poisson_cdf(means[c])
        for p in cdf[:40] + [0.0, 0.5, 1 - 2**-53]:
            for u in (p, math.nextafter(p, 0.0), (p + 1) / 2):
                if 0.0 <= u < 1.0:
                    rows.append((c, u, sum(q <= u for q in cdf)))
    df = spark.createDataFrame(rows, "label int, u double, expected int")
    label, u = F.col("label"), F.col("u")
    few = poisson_copies(label, {c: means[c] for c in (0, 1, 2, 3)}, u)  # class ids by CASE
    many = poisson_copies(label, means, u)  # class ids from a map
    got = df.select("expected", few.alias("few"), many.alias("many"))
    assert got.dtypes[1:] == [("few", "int"), ("many", "int")]
    wrong = got.agg(F.expr("count_if(few != expected)"), F.expr("count_if(many != expected)"))
    assert tuple(wrong.first()) == (0, 0)


def test_approximate_added_rows_sit_within_poisson_bounds(binary):
    out = RandomOverSampler(seed=4).resample(binary)
    counts = class_counts(out)
    low, high = poisson_bounds(2000 - 130)
    assert counts[0] == 2000
    assert low <= counts[1] - 130 <= high


@pytest.mark.parametrize("exact", [False, True])
def test_every_original_row_stays(binary, exact):
    out = RandomOverSampler(samplingStrategy=0.5, exact=exact, seed=8).resample(binary)
    seen = id_multiplicity(out)
    assert all(seen[r.id] >= 1 for r in binary.select("id").collect())
    assert all(seen[r.id] == 1 for r in binary.where("label = 0").select("id").collect())
    # Copies are copies: the distinct rows of the output are the input rows.
    assert_df_equality(out.distinct(), binary, ignore_row_order=True)


@pytest.mark.parametrize(
    "strategy,expected",
    [
        ("auto", {0: 2000, 1: 2000}),
        (0.3, {0: 2000, 1: 600}),
        ({1: 131}, {0: 2000, 1: 131}),
        ({1: 1000}, {0: 2000, 1: 1000}),
    ],
)
def test_exact_mode_gives_exact_counts(binary, strategy, expected):
    model = RandomOverSampler(samplingStrategy=strategy, exact=True).fit(binary)
    out = model.transform(binary)
    assert class_counts(out) == expected
    assert model.targetCounts_ == expected
    # q copies for all, one more for exactly r rows: multiplicities differ by at most one.
    added = expected[1] - 130
    multiplicities = set(id_multiplicity(out.where("label = 1")).values())
    assert multiplicities <= {1 + added // 130, 2 + added // 130}


def test_exact_mode_on_multiclass_all(spark):
    df = labelled(spark, {"a": 500, "b": 120, "c": 7}, label_type="string")
    out = RandomOverSampler(samplingStrategy="all", exact=True).resample(df)
    assert class_counts(out) == {"a": 500, "b": 500, "c": 500}


def test_exact_mode_with_identical_rows(spark):
    df = spark.createDataFrame(
        [(1, 0.5)] * 30 + [(1, 0.7)] * 3 + [(0, float(i)) for i in range(100)],
        "label int, x double",
    )
    for target in (34, 50, 65, 99):
        out = RandomOverSampler(samplingStrategy={1: target}, exact=True).resample(df)
        assert class_counts(out) == {0: 100, 1: target}


@pytest.mark.parametrize("exact", [False, True])
def test_weights_keep_class_sums(binary, exact):
    weighted = binary.withColumn("w", (F.col("id") % 5 + 1).cast("double"))
    before = {r[0]: r[1] for r in weighted.groupBy("label").agg(F.sum("w")).collect()}
    out = RandomOverSampler(exact=exact, weightCol="w", seed=2).resample(weighted)
    after = {r[0]: r[1] for r in out.groupBy("label").agg(F.sum("w")).collect()}
    assert after[0] == pytest.approx(before[0], rel=1e-12)
    if exact:
        assert after[1] == pytest.approx(before[1], rel=1e-9)
    else:
        # In expectation: the sum scales by (rows out / expected rows out).
        rows_out = class_counts(out)[1]
        assert after[1] / before[1] == pytest.approx(rows_out / 2000, rel=0.1)


def as_arrays(df):
    """Features as arrays for set operations: Spark 3.5 sorts vectors (a
    user-defined type) only in generated code, and the test session runs
    interpreted expressions (tests/conftest.py)."""
    return df.withColumn("features", vector_to_array("features"))


def test_shrinkage_adds_noise_to_copies_only(spark):
    rows = [
        (i, 1 if i < 200 else 0, Vectors.dense([float(i % 13), float(i % 7)])) for i in range(2000)
    ]
    df = spark.createDataFrame(rows, ["id", "label", "features"])
    out = RandomOverSampler(shrinkage=1.0, exact=True, seed=3).resample(df)
    assert class_counts(out) == {0: 1800, 1: 1800}
    # Every original row is there untouched; the copies are new points.
    df, out = as_arrays(df), as_arrays(out)
    assert df.subtract(out).count() == 0
    copies = out.subtract(df)
    assert copies.count() == 1600
    noise = (
        copies.alias("c")
        .join(df.alias("o"), "id")
        .select((F.col("c.features")[0] - F.col("o.features")[0]).alias("d"))
    )
    mean, std = noise.agg(F.mean("d"), F.stddev("d")).first()
    # imbalanced-learn's scale: std of the class x (4 / ((d + 2) n)) ** (1 / (d + 4))
    class_std = (
        df.where("label = 1")
        .select(F.col("features")[0].alias("x"))
        .agg(F.stddev_pop("x"))
        .first()[0]
    )
    scale = class_std * (4 / (4 * 200)) ** (1 / 6)
    assert abs(mean) < 4 * scale / 1600**0.5
    assert std == pytest.approx(scale, rel=0.1)


def test_shrinkage_noise_does_not_follow_the_partitioning(spark):
    """The noise scale is each feature's standard deviation: summed in
    floating point it followed the order of the rows in its last bits, and so
    did the noisy copies (found comparing a classic and a Connect session).
    Bit for bit the same rows over 1, 4 and 17 partitions."""
    rng = np.random.default_rng(8)
    rows = [
        (i, int(i < 300), Vectors.dense(rng.normal(1e3 * (i < 300), [1.0, 1e-3, 1e5])))
        for i in range(1500)
    ]
    df = spark.createDataFrame(rows, ["id", "label", "features"])
    sampler = RandomOverSampler(shrinkage=1.0, exact=True, seed=5)
    reference = as_arrays(sampler.resample(with_partitions(df, 1)))
    for partitions in (4, 17):
        assert_df_equality(
            as_arrays(sampler.resample(with_partitions(df, partitions))),
            reference,
            ignore_row_order=True,
        )


@pytest.mark.parametrize(
    "shrinkage,factors",
    [(0.5, {"a": 0.5, "b": 0.5}), ({"a": 0.5, "b": 2.0, "c": 9.0}, {"a": 0.5, "b": 2.0})],
    ids=["one", "per-class"],
)
def test_shrinkage_scales_are_each_features_std_per_class(spark, shrinkage, factors):
    """imbalanced-learn's smoothed bootstrap: per over-sampled class and per
    feature, shrinkage x std x (4 / ((d + 2) n)) ** (1 / (d + 4)); a constant
    feature gets 0. Three classes of 40 features, every other vector sparse.
    A dict gives each class its own shrinkage (the majority's goes unused)."""
    rng = np.random.default_rng(4)
    d, sizes = 40, {"a": 30, "b": 70, "c": 400}
    rows, expected = [], {}
    for label, n in sizes.items():
        x = rng.normal(size=(n, d)) * np.arange(1, d + 1)
        x[:, 5] = 2.0  # constant
        x[: n // 2, 7] = 0.0  # half zero: stored sparse below
        for i, v in enumerate(x):
            nonzero = {j: float(t) for j, t in enumerate(v) if t}
            rows.append((label, Vectors.sparse(d, nonzero) if i % 2 else Vectors.dense(v)))
        factor = (4.0 / ((d + 2) * n)) ** (1.0 / (d + 4))
        expected[label] = factors.get(label, 0.0) * factor * x.std(axis=0)
    df = spark.createDataFrame(rows, ["label", "features"])
    model = RandomOverSampler(shrinkage=shrinkage).fit(df)
    scales = pairs_to_dict(model.getOrDefault(model.featureScales))
    assert set(scales) == {"a", "b"}  # the majority is not over-sampled
    for label in ("a", "b"):
        assert scales[label] == pytest.approx(expected[label].tolist(), rel=1e-9, abs=1e-12)
        assert scales[label][5] == 0.0


def test_shrinkage_keeps_the_vector_attributes_and_leaves_categories_alone(spark):
    """A tree model reads from the features column's ML attributes which
    features are categories (VectorIndexer, OneHotEncoder). The noisy column
    lost them, so a tree took category indices for numbers; and noise on a
    category index or a one-hot dimension makes no category."""
    rows = [
        (int(i < 40), Vectors.dense([float(i), float(i % 3), float(i % 2)])) for i in range(400)
    ]
    df = with_attributes(spark.createDataFrame(rows, ["label", "features"]), MIXED_ATTRIBUTES)
    model = RandomOverSampler(shrinkage=1.0).fit(df)
    scales = pairs_to_dict(model.getOrDefault(model.featureScales))[1]
    assert scales[0] > 0 and scales[1:] == [0.0, 0.0]
    out = model.transform(df)
    assert out.schema["features"].metadata == df.schema["features"].metadata
    copies = as_arrays(out).select(F.col("features")[0].alias("x"), F.col("features")[1].alias("c"))
    assert copies.where("x != floor(x)").count() > 300  # the numeric feature got noise
    assert {r.c for r in copies.distinct().collect()} == {0.0, 1.0, 2.0}


def test_shrinkage_zero_gives_plain_copies(spark):
    df = spark.createDataFrame(
        [(i % 10 == 0, Vectors.dense([float(i)])) for i in range(300)], ["label", "features"]
    )
    out = RandomOverSampler(shrinkage=0.0, exact=True).resample(df)
    assert_df_equality(as_arrays(out).distinct(), as_arrays(df), ignore_row_order=True)


def test_a_tie_for_minority_does_not_follow_the_partitioning(spark):
    """Two classes of 300 rows: "minority" grows the smaller label, whatever
    order the class count's job returned the classes in (the input's
    partitioning set it: {2: 300, 0: 300, ...} after repartition(3))."""
    df = labelled(spark, {0: 300, 1: 2000, 2: 300})
    for data in (df, with_partitions(df, 3), with_partitions(df, 7), df.orderBy(F.desc("label"))):
        model = RandomOverSampler(samplingStrategy="minority").fit(data)
        assert list(model.classCounts_) == [0, 1, 2]  # in label order
        assert model.targetCounts_ == {0: 2000, 1: 2000, 2: 300}


def test_determinism_across_partitionings(binary):
    for exact in (False, True):
        sampler = RandomOverSampler(samplingStrategy=0.4, exact=exact, seed=17)
        reference = sampler.resample(with_partitions(binary, 1))
        for partitions in (4, 17):
            assert_df_equality(
                sampler.resample(with_partitions(binary, partitions)),
                reference,
                ignore_row_order=True,
            )
