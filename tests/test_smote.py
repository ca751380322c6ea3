"""SMOTE on Spark: geometry, exact targets, untouched originals, determinism,
vector/column inputs, weights and every input error."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest
from chispa import assert_df_equality
from pyspark.ml.functions import array_to_vector, vector_to_array
from pyspark.ml.linalg import DenseVector, SparseVector, Vectors, VectorUDT
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, LongType, StructField, StructType

from spark_resample import SMOTE
from spark_resample._smote_kernels import DEBUG_COLUMNS, NEIGHBOR_HASH, SEED_HASH

from .helpers import (
    MIXED_ATTRIBUTES,
    class_counts,
    needs_variant,
    variant_rows,
    with_attributes,
    with_partitions,
)

BUCKET = DEBUG_COLUMNS[2]
VECTOR_SCHEMA = StructType(
    [
        StructField("id", LongType()),
        StructField("label", IntegerType()),
        StructField("features", VectorUDT()),
    ]
)


def blobs(spark, counts, d=3, seed=0, vector=True):
    """``id, label, features`` (or ``x0..``) with a Gaussian blob per class."""
    rng = np.random.default_rng(seed)
    rows, next_id = [], 0
    for label, n in counts.items():
        centre = rng.normal(scale=4.0, size=d)
        for x in centre + rng.normal(size=(n, d)):
            values = [float(v) for v in x]
            rows.append(
                (next_id, label, Vectors.dense(values)) if vector else (next_id, label, *values)
            )
            next_id += 1
    if vector:
        return spark.createDataFrame(rows, VECTOR_SCHEMA)
    columns = ", ".join(f"x{j} double" for j in range(d))
    return spark.createDataFrame(rows, f"id long, label int, {columns}")


@pytest.fixture(scope="module")
def data(spark):
    return blobs(spark, {0: 400, 1: 90, 2: 40}).cache()


def test_bucket_and_count_lookups_follow_the_plan(spark):
    """The planned buckets and per-bucket counts reach the rows as SQL lookups:
    every (class, leaf, sub-key) gets its planned bucket and count, for classes
    with several leaves, several buckets and keys of other classes' rows only."""
    from spark_resample import _buckets
    from spark_resample._base import SamplerModel
    from spark_resample._smote_kernels import _BUCKET as BUCKET_COL
    from spark_resample._smote_kernels import _CLASS, _LEAF, _NEW, _SUB
    from spark_resample._smote_sql import bucket_of, new_in_bucket

    subs = _buckets.SUB_KEYS
    plan = {0: [0] * 70 + [1] * 58 + [2] * 3 * subs, 1: [0] * 10 + [1] * 30 + [2] * (subs - 40)}
    mapping = {
        (c, key // subs, key % subs): bucket
        for c, buckets in plan.items()
        for key, bucket in enumerate(buckets)
    }
    news = {(0, 0): 5, (0, 1): 0, (0, 2): 7, (1, 0): 2, (1, 1): 3, (1, 2): 11}
    keys = spark.createDataFrame(
        [(c, leaf, sub, 0) for c, leaf, sub in mapping],
        f"{_CLASS} int, {_LEAF} int, {_SUB} long, {SamplerModel._HASH} long",
    )
    looked_up = keys.withColumn(BUCKET_COL, bucket_of(mapping)).withColumn(
        _NEW, new_in_bucket(news)
    )
    got = {(r[0], r[1], r[2]): (r[4], r[5]) for r in looked_up.collect()}
    assert got == {key: (bucket, news[(key[0], bucket)]) for key, bucket in mapping.items()}
    # A sub-key split into parts: the hash's bits above the sub-key pick the part.
    split = {(0, 2, 5): 3}  # in class 0's bucket 2: buckets 2, 3 and 4
    hashes = [0, 64, 128, 192, 64 * 7 + 5, -1, -64]
    rows = spark.createDataFrame(
        [(0, 2, 5, h) for h in hashes] + [(0, 2, 6, 64)],
        f"{_CLASS} int, {_LEAF} int, {_SUB} long, {SamplerModel._HASH} long",
    )
    parts = [r[0] for r in rows.select(bucket_of(mapping, split)).collect()]
    assert parts == [2 + (h % 2**64 >> 6) % 3 for h in hashes] + [2]


def test_synthetic_points_lie_between_a_row_and_a_near_same_class_row_of_its_bucket(data):
    k = 4
    model = SMOTE(kNeighbors=k, maxBucketSize=30, seed=11).fit(data)
    model._debug = True
    out = model.transform(data)
    synthetic = out.where("is_synthetic").collect()
    originals = model._with_draw(data).select("label", "features", model._HASH).collect()
    by_hash = {r[model._HASH]: r for r in originals}
    buckets = {(r[0], r[1]): r[2] for r in model._last_buckets.collect()}
    members = {}
    for (class_id, h), b in buckets.items():
        members.setdefault((class_id, b), []).append(h)
    assert len({b for (_, b) in members}) > 2  # several buckets per class
    assert synthetic
    for row in synthetic:
        seed, neighbor = by_hash[row[SEED_HASH]], by_hash[row[NEIGHBOR_HASH]]
        assert seed["label"] == neighbor["label"] == row["label"]
        x, y, s = (
            np.asarray(v.toArray()) for v in (seed.features, neighbor.features, row.features)
        )
        u = float(np.dot(s - x, y - x) / np.dot(y - x, y - x))
        assert 0 <= u < 1
        np.testing.assert_allclose(s, x + u * (y - x), atol=1e-9)
        # the neighbour is one of the seed's k nearest rows of its own bucket
        class_id = next(c for (c, h) in buckets if h == row[SEED_HASH])
        bucket = buckets[(class_id, row[SEED_HASH])]
        assert buckets[(class_id, row[NEIGHBOR_HASH])] == bucket == row[BUCKET]
        mates = [h for h in members[(class_id, bucket)] if h != row[SEED_HASH]]
        dist = sorted(np.linalg.norm(by_hash[h].features.toArray() - x) for h in mates)
        assert np.linalg.norm(y - x) <= dist[k - 1] + 1e-12


def test_pairs_become_synthetic_rows_with_uniform_steps_and_tie_breaks(spark, monkeypatch):
    """The SQL half of the draw: each (seed, neighbour) pair's ``count`` rows
    get steps uniform in [0, 1) (in [0, 1) x [0, 0.5) towards another class,
    as imbalanced-learn's borderline-2), one of the tied categories at
    random, and the point ``seed + step * (neighbour - seed)``: the same
    rows whether the point is written term by term or (many features) with
    ``zip_with``."""
    from pyspark.sql.types import ArrayType, StringType

    from spark_resample import _smote_sql
    from spark_resample._smote_kernels import _X, pair_fields
    from spark_resample._smote_sql import points_of_pairs

    fields = pair_fields() + [StructField("c", ArrayType(StringType()))]
    n = 3000
    pairs = spark.createDataFrame(
        [
            (0, [0.0, 0.0], [2.0, 4.0], n, 0, False, 11, 12, 0, ["p", "q"]),
            (0, [1.0, 1.0], [1.0, 3.0], n, 1, True, 13, 14, 0, ["r"]),
        ],
        StructType(fields),
    )

    def steps(seed):
        rows = points_of_pairs(pairs, fields, ["c"], seed, 2).collect()
        with monkeypatch.context() as patched:
            patched.setattr(_smote_sql, "TERMS_UP_TO", 1)
            assert sorted(points_of_pairs(pairs, fields, ["c"], seed, 2).collect()) == sorted(rows)
        same = [(r[_X][1] / 4.0, r.c) for r in rows if r[_X][0] == r[_X][1] / 2.0 and r.c != "r"]
        half = [(r[_X][1] - 1.0) / 2.0 for r in rows if r.c == "r"]
        for r in rows:  # on its pair's segment, the first feature exactly as NumPy computes it
            if r.c == "r":
                assert r[_X][0] == 1.0
            else:
                assert r[_X][0] == 0.0 + (r[_X][1] / 4.0) * 2.0
        assert len(rows) == 2 * n and len(same) == len(half) == n
        return np.array([u for u, _ in same]), [c for _, c in same], np.array(half)

    u, categories, v = steps(seed=3)
    sd = np.sqrt(n * 0.25)  # of a binomial(n, 1/2) count
    assert u.min() >= 0 and u.max() < 1 and len(set(u.tolist())) == n
    assert abs((u < 0.5).sum() - n / 2) < 5 * sd and abs((u < 0.1).sum() - n / 10) < 5 * sd
    assert abs(categories.count("p") - n / 2) < 5 * sd and set(categories) == {"p", "q"}
    # u times a uniform in [0, 0.5): mean 1/8, variance 1/36 - 1/64
    assert v.min() >= 0 and v.max() < 0.5
    assert abs(v.mean() - 0.125) < 5 * np.sqrt((1 / 36 - 1 / 64) / n)
    again, categories_again, _ = steps(seed=3)
    assert (again == u).all() and categories_again == categories
    assert not np.isin(steps(seed=4)[0], u).any()


def test_targets_exact_originals_untouched_and_marker(data):
    out = SMOTE(samplingStrategy={1: 250, 2: 131}, maxBucketSize=32).resample(data)
    assert class_counts(out) == {0: 400, 1: 250, 2: 131}
    assert out.columns == data.columns + ["is_synthetic"]
    assert_df_equality(
        out.where("not is_synthetic").drop("is_synthetic"), data, ignore_row_order=True
    )
    synthetic = out.where("is_synthetic")
    assert synthetic.where("id is not null").count() == 0
    assert class_counts(synthetic) == {1: 160, 2: 91}
    assert out.where("is_synthetic is null").count() == 0


@needs_variant
def test_variant_columns_pass_through_originals_and_are_null_on_synthetic_rows(spark):
    df = variant_rows(spark, 300, F.sin("id").alias("x0"), F.cos(F.col("id") * 3).alias("x1"))
    out = SMOTE(inputCols=["x0", "x1"], kNeighbors=3, seed=5).resample(df)
    assert class_counts(out) == {False: 270, True: 270}
    as_text = [F.to_json(F.struct(c)).alias(c) for c in ("label", "v", "s", "x0", "x1")]
    assert_df_equality(
        out.where("not is_synthetic").select(*as_text), df.select(*as_text), ignore_row_order=True
    )
    assert out.where("is_synthetic and (v is not null or s is not null)").count() == 0


def test_auto_balances_every_class_one_at_a_time(data):
    model = SMOTE(maxBucketSize=64).fit(data)
    out = model.transform(data)
    assert class_counts(out) == {0: 400, 1: 400, 2: 400}
    assert model.targetCounts_ == {0: 400, 1: 400, 2: 400}


def _synthetic(df, model_or_sampler):
    out = model_or_sampler.resample(df).where("is_synthetic")
    return sorted((r.label, tuple(round(v, 9) for v in r.features)) for r in out.collect())


def test_same_seed_same_output_whatever_the_partitioning(data):
    sampler = SMOTE(maxBucketSize=32, seed=5)
    reference = _synthetic(data.coalesce(1), sampler)
    for parts in (4, 17):
        assert _synthetic(with_partitions(data, parts), sampler) == reference
    assert (
        _synthetic(data.repartition(3, "features").sortWithinPartitions("id"), sampler) == reference
    )
    other_seed = _synthetic(data, SMOTE(maxBucketSize=32, seed=6))
    assert other_seed != reference


def test_ids_shared_by_rows_still_give_one_output_whatever_the_partitioning(data):
    """Rows sharing an idCol value share a hash: the rows of a bucket are then
    ordered by their features too, not left in the order the shuffle brought."""
    from pyspark.sql import functions as F

    shared = data.withColumn("id", F.col("id") % 7)
    sampler = SMOTE(maxBucketSize=32, seed=5, idCol="id")
    reference = _synthetic(shared.coalesce(1), sampler)
    assert _synthetic(with_partitions(shared, 17), sampler) == reference
    assert _synthetic(shared.repartition(3, "features"), sampler) == reference


def test_input_columns_keep_their_types_and_integers_stay_integers(spark):
    rows = [(i, "pos" if i < 15 else "neg", float(i % 7) + i / 100, i * 3 % 11) for i in range(75)]
    df = spark.createDataFrame(rows, "id long, label string, x double, n int")
    out = SMOTE(inputCols=["x", "n"], kNeighbors=3).resample(df)
    assert out.schema["n"].dataType.simpleString() == "int"
    assert out.schema["label"].dataType.simpleString() == "string"
    assert class_counts(out) == {"pos": 60, "neg": 60}
    synthetic = out.where("is_synthetic").collect()
    pos = [r for r in rows if r[1] == "pos"]
    assert all(min(r[2] for r in pos) <= s.x <= max(r[2] for r in pos) for s in synthetic)
    assert all(min(r[3] for r in pos) <= s.n <= max(r[3] for r in pos) for s in synthetic)


# With buckets of at most 8 rows the class needs a PCA tree: whether a row is
# sparse is then learnt in the tree sample's job, otherwise in the bucket plan's.
@pytest.mark.parametrize("bucket", [4096, 8], ids=["no-tree", "tree"])
def test_sparse_vectors_stay_sparse_dense_stay_dense(spark, bucket):
    rows = []
    for i in range(60):
        label = int(i < 20)
        if label and i % 2:
            v = SparseVector(5, [0, 3], [1.0 + i, 2.0])
        else:
            v = DenseVector([float(i), 1.0, 2.0, 0.5, float(i % 3)])
        rows.append((i, label, v))
    df = spark.createDataFrame(rows, VECTOR_SCHEMA)
    out = SMOTE(kNeighbors=3, seed=2, maxBucketSize=bucket).fit(df)
    out._debug = True
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        synthetic = out.transform(df).where("is_synthetic").collect()
    # The sparse-vector UDF gave PySpark 4 no hints to misread (a UserWarning per call).
    assert not [w for w in caught if "type hints" in str(w.message)]
    assert (max(out._depths.values()) > 0) == (bucket == 8)
    hashes = {r[out._HASH]: r.features for r in out._with_draw(df).collect()}
    assert len(synthetic) == 20
    kinds = {type(r.features) for r in synthetic}
    assert kinds == {SparseVector, DenseVector}  # both kinds seeded synthetic rows
    for r in synthetic:
        assert type(r.features) is type(hashes[r[SEED_HASH]])


def test_weights_keep_each_class_sum(spark):
    df = blobs(spark, {0: 200, 1: 40}, d=2).withColumn("w", (1 + F.col("id") % 3).cast("double"))
    before = {r[0]: r[1] for r in df.groupBy("label").sum("w").collect()}
    out = SMOTE(weightCol="w", kNeighbors=3).resample(df)
    after = {r[0]: r[1] for r in out.groupBy("label").sum("w").collect()}
    assert after == pytest.approx(before)
    synthetic_weights = [r.w for r in out.where("is_synthetic").collect()]
    assert synthetic_weights == pytest.approx([before[1] / 200] * 160)
    # a new weight column: each class sums to its original count
    fresh = SMOTE(weightCol="new_w", kNeighbors=3).resample(df.drop("w"))
    sums = {r[0]: r[1] for r in fresh.groupBy("label").sum("new_w").collect()}
    assert sums == pytest.approx({0: 200.0, 1: 40.0})


# Errors -------------------------------------------------------------------


def test_too_small_class_is_refused_with_advice(spark):
    df = blobs(spark, {0: 50, 1: 4})
    with pytest.raises(ValueError, match=r"class 1 has 4 row\(s\).*kNeighbors \+ 1 = 6.*at most 3"):
        SMOTE().fit(df)


def test_too_small_class_can_use_fewer_neighbours(spark, caplog):
    df = blobs(spark, {0: 50, 1: 4})
    with caplog.at_level(logging.WARNING, logger="spark_resample._smote_estimator"):
        out = SMOTE(allowFewerNeighbors=True).resample(df)
    assert class_counts(out) == {0: 50, 1: 50}
    assert "class 1 has 4 rows" in caplog.text and "using 3 neighbours" in caplog.text


def test_null_nan_or_infinite_features_are_named_and_counted(spark):
    odd = {3: float("nan"), 30: float("inf"), 31: float("-inf")}
    rows = [(i, int(i < 20), odd.get(i, float(i)), 1.0) for i in range(60)]
    df = spark.createDataFrame(rows, "id long, label int, a double, b double")
    with pytest.raises(ValueError, match=r"column 'a' has 3 row\(s\) with null, NaN or infinite"):
        SMOTE(inputCols=["a", "b"]).fit(df)
    vectors = spark.createDataFrame(
        [
            (i, int(i < 20), None if i == 7 else Vectors.dense([float(i), odd.get(i, 0.0)]))
            for i in range(60)
        ],
        VECTOR_SCHEMA,
    )
    with pytest.raises(ValueError, match=r"column 'features' has 4 row\(s\) with null, NaN or inf"):
        SMOTE().fit(vectors)
    # Many columns are checked in groups (a count per 16 columns): one NaN in
    # the third group, in the majority class, is found and named too.
    wide = [f"c{j}" for j in range(40)]
    rows = [
        (i, int(i < 20), *[float("nan") if (i, j) == (50, 33) else float(i + j) for j in range(40)])
        for i in range(60)
    ]
    with pytest.raises(ValueError, match=r"column 'c33' has 1 row\(s\) with null, NaN or inf"):
        SMOTE(inputCols=wide).fit(spark.createDataFrame(rows, ["id", "label", *wide]))


def test_vectors_of_differing_sizes_are_refused(spark):
    # The odd vector is in the majority class: the check covers every class.
    vectors = spark.createDataFrame(
        [(i, int(i < 20), Vectors.dense([float(i)] * (3 if i == 41 else 2))) for i in range(60)],
        VECTOR_SCHEMA,
    )
    with pytest.raises(ValueError, match=r"featuresCol 'features' holds vectors of sizes 2 to 3"):
        SMOTE().fit(vectors)


def test_non_numeric_features_are_refused(spark):
    df = spark.createDataFrame([(1, 0, "x", 1.0)], "id long, label int, s string, v double")
    with pytest.raises(TypeError, match=r"inputCols column 's' has type string.*categoricalCols"):
        SMOTE(inputCols=["v", "s"]).fit(df)
    with pytest.raises(TypeError, match=r"featuresCol 'v' has type double.*VectorAssembler"):
        SMOTE(featuresCol="v").fit(df)
    # An array of numbers (an embedding, say) is shown the conversion, which works.
    arrays = blobs(spark, {0: 30, 1: 10}).select("label", vector_to_array("features").alias("e"))
    with pytest.raises(TypeError, match=r"featuresCol 'e' has type array<double>.*array_to_vector"):
        SMOTE(featuresCol="e").fit(arrays)
    converted = arrays.withColumn("e", array_to_vector("e"))
    assert class_counts(SMOTE(featuresCol="e").resample(converted)) == {0: 30, 1: 30}
    with pytest.raises(ValueError, match=r"inputCols\['nope'\] 'nope' is not a column"):
        SMOTE(inputCols=["nope"]).fit(df)
    # A table of feature columns (from CSV, say) is pointed at inputCols.
    with pytest.raises(ValueError, match=r"featuresCol 'features' is not a column.*in inputCols"):
        SMOTE().fit(df)


def test_existing_marker_column_and_bad_sizes_are_refused(data):
    with pytest.raises(ValueError, match="syntheticCol 'id' is already a column"):
        SMOTE(syntheticCol="id").fit(data)
    # Spark resolves names ignoring case: the marker would overwrite the column.
    with pytest.raises(ValueError, match="syntheticCol 'ID' is already a column.* as 'id'"):
        SMOTE(syntheticCol="ID").fit(data)
    with pytest.raises(ValueError, match="maxBucketSize 8 is too small"):
        SMOTE(maxBucketSize=8).fit(data)
    with pytest.raises(ValueError, match="kNeighbors must be >= 1"):
        SMOTE(kNeighbors=0).fit(data)


def _wide_sparse(spark, dimension, counts):
    """``id, label, features``: sparse vectors of ``dimension`` values, three non-zero."""
    rows, rng = [], np.random.default_rng(3)
    for label, n in counts.items():
        for _ in range(n):
            at = sorted(rng.choice(dimension, size=3, replace=False).tolist())
            rows.append((len(rows), label, SparseVector(dimension, at, [1.0, 2.0, 3.0])))
    return spark.createDataFrame(rows, VECTOR_SCHEMA)


def test_groups_too_large_for_a_python_worker_are_refused_at_fit(spark, monkeypatch):
    """k-NN groups hold rows as dense arrays. Here the budget is 2**20 values
    (the default, 2**26, needs vectors whose densifying would slow the suite;
    tests/test_footprint.py checks its arithmetic): 2,048 features (sparse)
    in a group of 50 rows and 250 pairs is 1,126,400 values. The message names
    the column and its size and offers the bound that fits (11 x 46 x 2,048 <=
    2**20). BorderlineSMOTE's group also holds the 300 other-class rows, which
    a bound does not shrink: it needs a smaller one ((19 + 300 + 2 x 95) x
    2,048 <= 2**20), or fewer other rows."""
    from spark_resample import BorderlineSMOTE, _footprint

    monkeypatch.setattr(_footprint, "VALUE_BUDGET", 1 << 20)
    df = _wide_sparse(spark, 2048, {0: 300, 1: 50})
    with pytest.raises(
        ValueError,
        match=r"featuresCol 'features' holds vectors of 2,048 values; SMOTE holds .*"
        r"a k-NN group \(one Python worker\) would hold about 1,126,400 values, above the "
        r"1,048,576 allowed.*Set maxBucketSize to at most 46, reduce the dimension",
    ):
        SMOTE().fit(df)
    assert SMOTE(maxBucketSize=46).fit(df).targetCounts_ == {0: 300, 1: 300}
    with pytest.raises(
        ValueError,
        match=r"about 1,650,688 values.*\. Set maxBucketSize to at most 19, lower maxOtherRows "
        r"\(now 65,536\), reduce",
    ):
        BorderlineSMOTE(maxBucketSize=46).fit(df)


@needs_variant  # the same Spark 4 release brought collations
def test_other_columns_are_null_on_synthetic_rows_whatever_their_type(spark):
    """The synthetic rows' projection writes typed nulls as SQL where SQL reads
    the type back as written; vectors, nested, map, collated and decimal
    columns must come out in their own type too."""
    rows = [
        (i, int(i < 10), float(i), float(i % 3), Vectors.dense([1.0, 2.0]), "Ab") for i in range(40)
    ]
    df = spark.createDataFrame(rows, ["id", "label", "a", "b", "v", "s"]).select(
        "*",
        F.expr("collate(s, 'UTF8_LCASE')").alias("cs"),
        F.expr("named_struct('x y', 1, 'z', array(1, 2))").alias("st"),
        F.expr("map('k', 1)").alias("m"),
        F.expr("CAST(1.5 AS DECIMAL(10,2))").alias("d"),
        F.expr("timestamp_ntz'2020-01-01 00:00:00'").alias("tn"),
        F.lit(None).cast("binary").alias("bin"),
    )
    out = SMOTE(inputCols=["a", "b"], kNeighbors=3, seed=1).resample(df)
    assert [(f.name, f.dataType) for f in out.schema.fields] == [
        (f.name, f.dataType) for f in df.schema.fields
    ] + [("is_synthetic", out.schema["is_synthetic"].dataType)]
    others = [c for c in df.columns if c not in ("label", "a", "b")]
    synthetic = out.where("is_synthetic").select(*others).collect()
    assert len(synthetic) == 20
    assert all(v is None for row in synthetic for v in row)


def test_a_vector_of_category_indices_is_refused_one_hot_is_not(spark):
    """Interpolated, a category index (VectorIndexer, an assembled
    StringIndexer output) becomes a category neither row has; one-hot
    dimensions are interpolated, as imbalanced-learn's SMOTE does."""
    rows = [
        (int(i < 40), Vectors.dense([float(i), float(i % 3), float(i % 2)])) for i in range(200)
    ]
    df = spark.createDataFrame(rows, ["label", "features"])
    indexed = with_attributes(df, MIXED_ATTRIBUTES)
    with pytest.raises(ValueError) as caught:
        SMOTE().fit(indexed)
    message = str(caught.value)
    assert all(w in message for w in ["featuresCol 'features'", "1 ('c') nominal", "SMOTENC"])
    attrs = MIXED_ATTRIBUTES["ml_attr"]["attrs"]
    one_hot = {
        "ml_attr": {
            "num_attrs": 3,
            "attrs": {
                "numeric": attrs["numeric"],
                "binary": [{"idx": 1, "name": "c"}, {"idx": 2, "name": "b"}],
            },
        }
    }
    out = SMOTE(kNeighbors=3).resample(with_attributes(df, one_hot))
    assert class_counts(out) == {0: 160, 1: 160}
