"""RandomUnderSampler: sizes, nothing lost, weights, label types, determinism."""

import math

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from spark_resample import RandomUnderSampler
from spark_resample._random import row_hash

from .helpers import (
    binomial_bounds,
    class_counts,
    id_multiplicity,
    labelled,
    needs_variant,
    poisson_bounds,
    variant_rows,
    with_partitions,
)

COUNTS = {0: 3000, 1: 150}


@pytest.fixture(scope="module")
def binary(spark):
    return labelled(spark, COUNTS).cache()


def test_approximate_counts_sit_within_binomial_bounds(binary):
    out = RandomUnderSampler(seed=11).resample(binary)
    counts = class_counts(out)
    low, high = binomial_bounds(3000, 150 / 3000)
    assert low <= counts[0] <= high
    assert counts[1] == 150


@pytest.mark.parametrize(
    "strategy,expected",
    [
        ("auto", {0: 150, 1: 150}),
        (0.5, {0: 300, 1: 150}),
        ({0: 1234}, {0: 1234, 1: 150}),
        ({0: 0}, {1: 150}),
        ({0: 2999, 1: 1}, {0: 2999, 1: 1}),
    ],
)
def test_exact_mode_gives_exact_counts(binary, strategy, expected):
    model = RandomUnderSampler(samplingStrategy=strategy, exact=True).fit(binary)
    assert class_counts(model.transform(binary)) == expected
    assert {k: v for k, v in model.targetCounts_.items() if v} == expected
    assert model.classCounts_ == COUNTS


def test_exact_mode_on_multiclass(spark):
    df = labelled(spark, {"a": 700, "b": 400, "c": 60}, label_type="string")
    out = RandomUnderSampler(samplingStrategy="all", exact=True).resample(df)
    assert class_counts(out) == {"a": 60, "b": 60, "c": 60}
    out = RandomUnderSampler(samplingStrategy={"a": 100, "b": 399}, exact=True).resample(df)
    assert class_counts(out) == {"a": 100, "b": 399, "c": 60}


@pytest.mark.parametrize("exact", [False, True])
def test_nothing_lost_and_nothing_duplicated(binary, exact):
    out = RandomUnderSampler(samplingStrategy=0.2, exact=exact, seed=5).resample(binary)
    seen = id_multiplicity(out)
    minority_ids = {r.id for r in binary.where("label = 1").select("id").collect()}
    assert all(seen[i] == 1 for i in minority_ids)
    assert max(seen.values()) == 1
    # Kept rows are input rows, column for column.
    kept_ids = binary.join(out.select("id"), "id", "left_semi")
    assert_df_equality(out, kept_ids, ignore_row_order=True)


def test_exact_mode_with_many_identical_rows(spark):
    """Identical rows share a draw: the threshold can fall inside a group of
    them, and exactly the needed number must still come out."""
    rows = (
        [(0, 1.0)] * 500
        + [(0, 2.0)] * 500
        + [(0, float(i)) for i in range(3, 303)]
        + [(1, float(i)) for i in range(40)]
    )
    df = spark.createDataFrame(rows, "label int, x double")
    for target in (1, 7, 300, 501, 1299):
        out = RandomUnderSampler(samplingStrategy={0: target}, exact=True).resample(df)
        assert class_counts(out) == {0: target, 1: 40}, target


def test_a_window_that_misses_is_retried_wider(binary, monkeypatch):
    """A bound failure (probability below delta) leaves a class without a cut:
    it is retried with a wider window and gives the same rows and weights."""
    from spark_resample import _exact

    expected = RandomUnderSampler(samplingStrategy=0.25, exact=True, weightCol="w").resample(binary)
    real_bounds, windows = _exact._bounds, []

    def missing_first(n, k, delta):
        windows.append(delta)
        if len(windows) == 1:
            p = k / n
            return p, p  # an empty window: no k-th value in it
        return real_bounds(n, k, delta)

    monkeypatch.setattr(_exact, "_bounds", missing_first)
    out = RandomUnderSampler(samplingStrategy=0.25, exact=True, weightCol="w").resample(binary)
    assert len(windows) == 2 and windows[1] < windows[0], windows
    assert_df_equality(out, expected, ignore_row_order=True)


@pytest.mark.parametrize(
    "label_type,counts",
    [
        ("int", {0: 400, 1: 40}),
        ("double", {0.0: 400, 1.0: 40}),
        ("string", {"ok": 400, "fraud": 40}),
        ("boolean", {False: 400, True: 40}),
    ],
)
def test_labels_of_every_type(spark, label_type, counts):
    df = labelled(spark, counts, label_type=label_type)
    majority = max(counts, key=counts.get)
    minority = min(counts, key=counts.get)
    model = RandomUnderSampler(exact=True, samplingStrategy={majority: 100}).fit(df)
    assert class_counts(model.transform(df)) == {majority: 100, minority: 40}
    assert set(model.classCounts_) == set(counts)


def test_weights_keep_class_sums_exactly_in_exact_mode(binary):
    out = RandomUnderSampler(samplingStrategy=0.25, exact=True, weightCol="w").resample(binary)
    sums = {r[0]: r[1] for r in out.groupBy("label").agg(F.sum("w")).collect()}
    assert sums[0] == pytest.approx(3000.0, rel=1e-12)
    assert sums[1] == pytest.approx(150.0, rel=1e-12)
    weights = {r[0]: r[1] for r in out.groupBy("label").agg(F.max("w")).collect()}
    assert weights == {0: pytest.approx(3000 / 600), 1: 1.0}


def test_existing_weights_are_multiplied_and_sums_kept(binary):
    weighted = binary.withColumn("w", (F.col("id") % 7 + 1).cast("double"))
    before = {r[0]: r[1] for r in weighted.groupBy("label").agg(F.sum("w")).collect()}
    out = RandomUnderSampler(samplingStrategy=0.25, exact=True, weightCol="w").resample(weighted)
    after = {r[0]: r[1] for r in out.groupBy("label").agg(F.sum("w")).collect()}
    assert after[0] == pytest.approx(before[0], rel=1e-9)
    assert after[1] == pytest.approx(before[1], rel=1e-12)
    assert out.columns == weighted.columns  # the weight column keeps its place
    # One factor per class: weight ratio to the original weight is constant.
    joined = out.alias("o").join(weighted.alias("i"), "id")
    ratios = joined.where("o.label = 0").select((F.col("o.w") / F.col("i.w")).alias("r"))
    low, high = ratios.agg(F.min("r"), F.max("r")).first()
    assert low == pytest.approx(high)


def test_weights_keep_class_sums_in_expectation_in_approximate_mode(binary):
    out = RandomUnderSampler(samplingStrategy=0.1, weightCol="w", seed=3).resample(binary)
    kept = class_counts(out)[0]
    fraction = 1500 / 3000
    low, high = binomial_bounds(3000, fraction)
    total = out.where("label = 0").agg(F.sum("w")).first()[0]
    assert total == pytest.approx(kept / fraction)
    assert low / fraction <= total <= high / fraction


def test_determinism_across_partitionings(binary):
    sampler = RandomUnderSampler(samplingStrategy=0.3, seed=99)
    reference = sampler.resample(with_partitions(binary, 1))
    for partitions in (4, 17):
        assert_df_equality(
            sampler.resample(with_partitions(binary, partitions)), reference, ignore_row_order=True
        )
    shuffled = binary.repartition(7, "x0").sortWithinPartitions(F.rand(3))
    assert_df_equality(sampler.resample(shuffled), reference, ignore_row_order=True)
    exact = RandomUnderSampler(samplingStrategy=0.3, seed=99, exact=True)
    assert_df_equality(
        exact.resample(shuffled), exact.resample(with_partitions(binary, 1)), ignore_row_order=True
    )


@pytest.mark.parametrize("cls", ["under", "over"])
def test_exact_cuts_among_rows_sharing_an_id_do_not_follow_the_partitioning(binary, cls):
    """Rows sharing an idCol value share a draw; an exact cut that falls among
    them takes them in the order of their content. Also after a join that
    left two columns of one name, which idCol allows."""
    from spark_resample import RandomOverSampler

    shared = binary.withColumn("key", F.col("id") % 7)
    if cls == "under":
        sampler = RandomUnderSampler(idCol="key", exact=True, samplingStrategy={0: 1001})
        expected = {0: 1001, 1: 150}
    else:
        sampler = RandomOverSampler(idCol="key", exact=True, samplingStrategy={1: 2001})
        expected = {0: 3000, 1: 2001}

    def rows(df):
        out = sampler.resample(df)
        assert class_counts(out) == expected
        return sorted(tuple(r) for r in out.select("id", "label").collect())

    reference = rows(with_partitions(shared, 1))
    assert rows(with_partitions(shared, 17)) == reference
    assert rows(shared.repartition(7, "x0").sortWithinPartitions(F.rand(3))) == reference
    # Two columns of one name (their content orders the ties, so compare like with like).
    twice = shared.join(shared.select("id", "x0"), "id")
    assert twice.columns.count("x0") == 2
    assert rows(with_partitions(twice, 1)) == rows(with_partitions(twice, 17))


@pytest.mark.parametrize("case", ["ties among rows sharing an id", "a map of timestamps"])
def test_the_output_does_not_change_with_the_session_time_zone(spark, binary, case):
    """JSON, which orders tied rows and keys maps, writes a timestamp in the
    session time zone: a session in another region took other rows."""
    stamped = binary.withColumn("ts", F.timestamp_seconds(F.col("id") * 1000))
    if case == "ties among rows sharing an id":
        df = stamped.withColumn("key", F.col("id") % 7)
        sampler = RandomUnderSampler(idCol="key", exact=True, samplingStrategy={0: 1001})
    else:  # the default row key hashes a map's JSON
        df = stamped.select("id", "label", F.create_map(F.lit("t"), "ts").alias("m"))
        sampler = RandomUnderSampler(exact=True)

    def rows():
        return sorted(r.id for r in sampler.resample(df).collect())

    previous = spark.conf.get("spark.sql.session.timeZone")
    try:
        in_utc = rows()
        spark.conf.set("spark.sql.session.timeZone", "America/Los_Angeles")
        assert rows() == in_utc
    finally:
        spark.conf.set("spark.sql.session.timeZone", previous)


def test_rows_differing_below_a_millisecond_in_a_map_get_their_own_draws(spark):
    """JSON's default timestamp format stops at the millisecond: 1,000 rows
    whose map differs only in a timestamp's microseconds shared one row key,
    so approximate sampling kept all of them or none."""
    df = spark.range(1100).select(
        (F.col("id") >= 1000).alias("label"),
        F.create_map(F.lit("t"), F.timestamp_micros("id")).alias("m"),
        F.create_map(F.lit("t"), F.expr("cast(timestamp_micros(id) AS timestamp_ntz)")).alias("n"),
    )
    for column in ("m", "n"):
        kept = RandomUnderSampler().resample(df.select("label", column))
        majority = kept.filter(~F.col("label")).count()
        lo, hi = binomial_bounds(1000, 0.1)
        assert lo <= majority <= hi, (column, majority)


def test_other_seed_gives_other_rows(binary):
    one = RandomUnderSampler(seed=1, exact=True).resample(binary).select("id")
    two = RandomUnderSampler(seed=2, exact=True).resample(binary).select("id")
    assert one.subtract(two).count() > 0


def test_id_col_makes_draws_independent_of_other_columns(binary):
    sampler = RandomUnderSampler(samplingStrategy=0.3, idCol="id", exact=True)
    base = sampler.resample(binary).select("id")
    widened = sampler.resample(binary.withColumn("extra", F.lit("x"))).select("id")
    assert_df_equality(base, widened, ignore_row_order=True)


def test_column_names_with_dots_and_odd_types(spark):
    df = spark.createDataFrame(
        [(i, i % 10 == 0, {"k": i}, [i, i]) for i in range(200)],
        "`a.b` int, `my label` boolean, m map<string,int>, arr array<int>",
    )
    out = RandomUnderSampler(labelCol="my label", exact=True).resample(df)
    assert class_counts(out, "`my label`") == {True: 20, False: 20}
    assert out.columns == df.columns


def test_row_key_reads_backticks_and_maps(spark):
    """The row hash is one SQL expression: odd names must be quoted in it, and
    rows that differ only in a map column must get different draws."""
    df = spark.createDataFrame(
        [(i % 10 == 0, {"k": i}) for i in range(400)], "`we``ird label` boolean, m map<string,int>"
    )
    out = RandomUnderSampler(labelCol="we`ird label", exact=True).resample(df)
    assert class_counts(out, "`we``ird label`") == {True: 40, False: 40}
    kept = [row.m["k"] for row in out.collect()]
    assert len(set(kept)) == 80  # distinct rows kept once each
    assert df.select(row_hash(df, 7)).distinct().count() == 400


@needs_variant
def test_row_key_reads_variants(spark):
    df = variant_rows(spark, 400)
    assert df.select(row_hash(df, 7)).distinct().count() == 400
    out = RandomUnderSampler(exact=True).resample(df)
    assert class_counts(out) == {True: 40, False: 40}
    assert out.columns == df.columns
    assert out.select(F.to_json(F.struct("v"))).distinct().count() == 80  # kept once each


@pytest.mark.parametrize("width", [5, 30], ids=["chains of two", "one chain"])
def test_row_key_tells_apart_values_in_other_columns_and_moved_nulls(spark, width):
    """xxhash64 skips nulls and the row key hashes narrow rows in chains of
    two columns, wide ones in one chain: either way a value moved to another
    column, or two values swapped, must give another draw; identical rows
    must give the same one."""
    rows = []
    for v in range(1, 41):
        for position in range(width):  # v alone, in each column in turn
            rows.append(tuple(float(v) if i == position else None for i in range(width)))
        for first in range(width - 1):  # v and -v swapped between neighbours
            pair = [None] * width
            pair[first], pair[first + 1] = float(v), float(-v)
            rows.append(tuple(pair))
            pair[first], pair[first + 1] = float(-v), float(v)
            rows.append(tuple(pair))
    schema = ", ".join(f"c{i} double" for i in range(width))
    df = spark.createDataFrame(rows + rows[:50], schema)  # 50 rows twice
    hashed = df.select("*", row_hash(df, 11).alias("h"))
    assert hashed.select("h").distinct().count() == len(rows)
    assert hashed.distinct().count() == len(rows)  # so each row has one hash


def test_wide_rows_are_sampled_exactly(spark, is_connect, tmp_path):
    """1000 columns: the row key's expression stays flat (a deep one overflowed
    the JVM's stack) and exact mode still gives exact counts."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    values = rng.normal(size=(300, 1000))
    values[rng.random(values.shape) < 0.3] = np.nan  # nulls (below), moved about
    table = pd.DataFrame(values, columns=[f"c{i}" for i in range(1000)])
    table.insert(0, "label", (np.arange(300) % 10 == 0).astype(int))
    if is_connect:
        # Over Spark Connect every query over a local relation this wide took
        # about 4 s (its Arrow data travels and is decoded with each plan):
        # 18 s for the test, against 7 s from Parquet. A classic session
        # takes the local relation in 1.4 s, and Parquet in 7.
        arrow = pa.Table.from_pandas(table, preserve_index=False)  # NaN becomes null
        pq.write_table(arrow, str(tmp_path / "wide.parquet"))
        df = spark.read.parquet(str(tmp_path / "wide.parquet"))
    else:
        df = spark.createDataFrame(table.astype(object).where(table.notna(), None))
    assert df.where("c0 IS NULL").count() > 0
    out = RandomUnderSampler(exact=True, seed=4).resample(df)
    assert class_counts(out) == {0: 30, 1: 30}


# replacement=True: imbalanced-learn's bootstrap of the target size.


def _distinct_bounds(n: int, k: float):
    """Binomial bounds on the distinct rows among k drawn with replacement from
    n: each row is drawn at least once with p = 1 - (1 - 1/n) ** k. (Exact
    draws are multinomial, whose distinct count varies less than a binomial:
    the bounds hold with room.)"""
    return binomial_bounds(n, 1 - (1 - 1 / n) ** k)


@pytest.mark.parametrize("target", [1, 600, 2999])
def test_exact_with_replacement_is_a_bootstrap_of_the_target_size(binary, target):
    out = RandomUnderSampler(
        samplingStrategy={0: target}, exact=True, replacement=True, seed=4
    ).resample(binary)
    assert class_counts(out) == {0: target, 1: 150}
    seen = id_multiplicity(out)
    minority_ids = {r.id for r in binary.where("label = 1").select("id").collect()}
    assert all(seen[i] == 1 for i in minority_ids)
    majority = {i: m for i, m in seen.items() if i not in minority_ids}
    low, high = _distinct_bounds(3000, target)
    assert low <= len(majority) <= high
    if target > 100:
        assert max(majority.values()) > 1  # drawn with replacement
    # Every row that comes out is an input row of its class, column for column.
    assert_df_equality(
        out.distinct(), binary.join(out.select("id"), "id", "left_semi"), ignore_row_order=True
    )


def test_approximate_with_replacement_sits_within_poisson_bounds(binary):
    out = RandomUnderSampler(samplingStrategy=0.5, replacement=True, seed=8).resample(binary)
    counts = class_counts(out)
    low, high = poisson_bounds(300)  # 3000 rows, each Poisson(300 / 3000) times
    assert low <= counts[0] <= high and counts[1] == 150
    majority = out.where("label = 0").select("id").distinct().count()
    low, high = binomial_bounds(3000, 1 - math.exp(-0.1))
    assert low <= majority <= high
    assert id_multiplicity(out.where("label = 0")).most_common(1)[0][1] > 1


def test_with_replacement_keeps_weight_sums(binary):
    weighted = binary.withColumn("w", (F.col("id") % 7 + 1).cast("double"))
    before = {r[0]: r[1] for r in weighted.groupBy("label").agg(F.sum("w")).collect()}
    exact = RandomUnderSampler(samplingStrategy=0.25, exact=True, replacement=True, weightCol="w")
    after = {
        r[0]: r[1] for r in exact.resample(weighted).groupBy("label").agg(F.sum("w")).collect()
    }
    assert after[0] == pytest.approx(before[0], rel=1e-9)
    assert after[1] == pytest.approx(before[1], rel=1e-12)
    # Approximate: each copy gets 1 / mean, so the sum is kept in expectation.
    out = RandomUnderSampler(samplingStrategy=0.25, replacement=True, weightCol="v").resample(
        binary
    )
    kept = class_counts(out)[0]
    assert out.where("label = 0").agg(F.sum("v")).first()[0] == pytest.approx(kept * 3000 / 600)


@pytest.mark.parametrize("exact", [False, True])
def test_with_replacement_does_not_follow_the_partitioning(binary, exact):
    sampler = RandomUnderSampler(samplingStrategy=0.3, exact=exact, replacement=True, seed=12)
    reference = sampler.resample(with_partitions(binary, 1))
    shuffled = binary.repartition(7, "x0").sortWithinPartitions(F.rand(3))
    for df in (with_partitions(binary, 17), shuffled):
        assert_df_equality(sampler.resample(df), reference, ignore_row_order=True)


def test_exact_with_replacement_cuts_among_identical_rows(spark, monkeypatch):
    """Identical rows get identical copies and draws: their copies' total can
    fall short of the target (then drawn again with more copies), and a cut
    among them still keeps exactly the target."""
    from spark_resample import _under

    real_find_cuts, short = _under.find_cuts, []

    def recording(*args, **kwargs):
        try:
            return real_find_cuts(*args, **kwargs)
        except _under.TooFewRows:
            short.append(args[3])
            raise

    monkeypatch.setattr(_under, "find_cuts", recording)
    rows = [(0, 1.0)] * 300 + [(0, float(i)) for i in range(2, 202)] + [(1, 0.5)] * 20
    df = spark.createDataFrame(rows, "label int, x double")
    # At 150 rows seed 1's copies fall short (the 300 identical rows drew
    # none) and seed 4's do not; at 1 and 499 rows none of seeds 1-5 did.
    for target, seed in ((1, 1), (150, 1), (150, 4), (499, 1)):
        out = RandomUnderSampler(
            samplingStrategy={0: target}, exact=True, replacement=True, seed=seed
        ).resample(df)
        assert class_counts(out) == {0: target, 1: 20}, (target, seed)
    assert short, "no draw fell short: the retry was not exercised"


def test_a_cut_asked_of_a_class_with_fewer_rows_says_so(binary):
    """With only an estimate of the rows (open_top), a class that has fewer
    than the cut keeps is recognised in the first job."""
    from spark_resample._exact import TooFewRows, find_cuts

    with pytest.raises(TooFewRows, match=r"class\(es\) \['1'\]") as caught:
        find_cuts(binary, "label", F.lit(0.5) * (F.col("id") % 2), {1: (400, 200)}, open_top=True)
    assert caught.value.classes == {1}


def test_replacement_persists_and_is_checked(binary, tmp_path):
    sampler = RandomUnderSampler(
        samplingStrategy={0: 500}, exact=True, replacement=True, weightCol="w", seed=6
    )
    sampler.write().overwrite().save(str(tmp_path / "s"))
    loaded = RandomUnderSampler.load(str(tmp_path / "s"))
    assert loaded.getReplacement() is True
    assert_df_equality(loaded.resample(binary), sampler.resample(binary), ignore_row_order=True)
    assert RandomUnderSampler().getReplacement() is False
    with pytest.raises(TypeError, match='param "replacement".*bool'):
        RandomUnderSampler(replacement="yes")


def test_a_float_label_takes_the_keys_users_write(spark, tmp_path):
    """A FloatType label's classes are 32-bit values (0.1 is 0.10000000149011612
    as a double); {0.1: n} names the class, also after persistence."""
    df = spark.createDataFrame(
        [(i, 0.1 if i < 200 else 2.5) for i in range(220)], "id long, label float"
    )
    sampler = RandomUnderSampler(samplingStrategy={0.1: 50}, exact=True, seed=3)
    model = sampler.fit(df)
    assert class_counts(model.transform(df)) == {0.10000000149011612: 50, 2.5: 20}
    assert model.targetCounts_ == {0.10000000149011612: 50, 2.5: 20}
    sampler.save(str(tmp_path / "sampler"))  # the key comes back as the string "0.1"
    loaded = RandomUnderSampler.load(str(tmp_path / "sampler"))
    assert loaded.fit(df).targetCounts_ == model.targetCounts_
