"""Many classes: per-class values are looked up in a map literal, not a CASE.

A CASE of a branch per class, or an OR of a term per class, overflowed the
JVM's stack in Spark's analysis (exact modes at 1000 classes) or ran the scan
interpreted, 20-50 x slower. ``label_lookup`` switches to a map above
``CASE_UP_TO`` classes; these tests run both sides of that switch.
"""

from __future__ import annotations

import numpy as np
import pyspark
import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F

from spark_resample import SMOTE, ClassWeighter, RandomOverSampler, RandomUnderSampler
from spark_resample._columns import CASE_UP_TO, label_in, label_lookup

from .helpers import binomial_bounds, class_counts, poisson_bounds, with_partitions

# Collations (COLLATE, UTF8_LCASE) are Spark 4's.
needs_collations = pytest.mark.skipif(
    pyspark.__version__ < "4", reason="string collations arrived in Spark 4.0"
)

# Labels of each type, more than CASE_UP_TO of them; the first few also run the CASE.
LABELS = {
    "int": list(range(-3, 12)),
    "bigint": [2**40 + i for i in range(12)],
    "tinyint": list(range(12)),
    "double": [i / 10 for i in range(12)],
    # float32 values of 0.1 etc. are not the doubles 0.1: the lookup must match
    # the label as collected from the column.
    "float": [i / 10 for i in range(12)],
    "string": ["a", "it's", "back\\slash", "new\nline", "", "ünï", "%", "x" * 300]
    + [f"s{i}" for i in range(4)],
}


@pytest.mark.parametrize("label_type", list(LABELS))
@pytest.mark.parametrize("how_many", [3, None], ids=["CASE", "map"])
def test_label_lookup_finds_every_label_of_each_type(spark, label_type, how_many):
    labels = LABELS[label_type][:how_many]
    how_many = len(labels)
    df = spark.createDataFrame([(v,) for v in labels + labels[:1]], f"label {label_type}")
    # Collected labels are the keys, as the samplers get them from the class count.
    keys = [r[0] for r in df.distinct().collect()]
    assert len(keys) == how_many
    unknown = keys[-1]
    known = keys[:-1]
    values = {k: float(i) + 0.5 for i, k in enumerate(known)}
    lists = {k: [float(i)] * (i + 1) for i, k in enumerate(known)}  # arrays of other lengths
    names = {k: f"'{i}'\\" for i, k in enumerate(known)}
    label = F.col("label")
    rows = df.select(
        "label",
        label_lookup(label, values).alias("value"),
        label_lookup(label, lists).alias("list"),
        label_lookup(label, names).alias("name"),
        label_in(label, known).alias("known"),
    ).collect()
    assert len(rows) == how_many + 1
    for row in rows:
        if row.label == unknown:
            assert (row.value, row.list, row.name, row.known) == (None, None, None, False)
        else:
            assert (row.value, row.list, row.name, row.known) == (
                values[row.label],
                lists[row.label],
                names[row.label],
                True,
            )


def test_mixed_integer_and_float_values_become_doubles(spark):
    df = spark.range(CASE_UP_TO + 2).withColumnRenamed("id", "label")
    values = {i: (i if i % 2 else i + 0.25) for i in range(CASE_UP_TO + 2)}
    got = {r[0]: r[1] for r in df.select("label", label_lookup(F.col("label"), values)).collect()}
    assert got == {i: float(v) for i, v in values.items()}


def case_insensitive_labels(spark, how_many: int):
    """20 rows of each class c0, c1, ... under UTF8_LCASE, each class's rows
    spelled "cK" and "CK" alike (alternating runs of how_many rows)."""
    rows = [
        (i, ("C" if (i // how_many) % 2 else "c") + str(i % how_many)) for i in range(how_many * 20)
    ]
    df = spark.createDataFrame(rows, "id long, label string")
    return df.withColumn("label", F.expr("collate(label, 'UTF8_LCASE')"))


@needs_collations
def test_a_collated_class_is_named_by_its_smallest_spelling_whatever_the_partitioning(spark):
    """groupBy names a collated class by the first spelling it meets ("b" or
    "B"), which follows the partitioning; the class is named "B" (smallest
    in binary order) every time, so that ties between classes ("minority":
    "B" against "a", both of 60 rows) and SMOTE's per-class draws do not
    follow the partitioning either."""
    rows = [(i, "b" if i % 2 else "B", float(i)) for i in range(60)]
    rows += [(100 + i, "a", float(i)) for i in range(60)]
    rows += [(200 + i, "c", float(i)) for i in range(600)]
    df = spark.createDataFrame(rows, "id long, label string, x double").withColumn(
        "label", F.expr("collate(label, 'UTF8_LCASE')")
    )
    reference = None
    for data in (df, with_partitions(df, 3), with_partitions(df, 5), df.orderBy(F.desc("id"))):
        model = RandomOverSampler(samplingStrategy="minority").fit(data)
        assert model.classCounts_ == {"B": 60, "a": 60, "c": 600}
        assert model.targetCounts_ == {"B": 600, "a": 60, "c": 600}
        synthetic = SMOTE(inputCols=["x"], seed=3).resample(data).where("is_synthetic")
        if reference is None:
            reference = synthetic
        assert_df_equality(synthetic, reference, ignore_row_order=True)


@needs_collations
@pytest.mark.parametrize("how_many", [3, CASE_UP_TO + 4], ids=["CASE", "map"])
def test_a_case_insensitive_label_is_one_class_per_collation(spark, how_many):
    # Under UTF8_LCASE "C1" and "c1" are one class, as Spark's groupBy counts
    # them. Every lookup (a CASE, or a map whose keys take the collation) must
    # find both spellings' rows, and a dict key in either spelling names the
    # class. A lookup that missed a spelling would leave its rows untouched.
    df = case_insensitive_labels(spark, how_many)

    def lower_counts(out):
        return {k.lower(): n for k, n in class_counts(out).items()}

    # Keys spelled "CK" whatever spelling the count returned for class K.
    under = {f"C{i}": 5 + i for i in range(how_many)}
    model = RandomUnderSampler(exact=True, samplingStrategy=under, weightCol="w").fit(df)
    assert sorted(model.classCounts_.values()) == [20] * how_many
    out = model.transform(df)
    assert lower_counts(out) == {f"c{i}": 5 + i for i in range(how_many)}
    sums = out.groupBy(F.lower("label")).agg(F.sum("w")).collect()
    assert {r[0]: r[1] for r in sums} == pytest.approx({f"c{i}": 20.0 for i in range(how_many)})
    approximate = RandomUnderSampler(samplingStrategy={f"C{i}": 2 for i in range(how_many)})
    low, high = binomial_bounds(20, 0.1)
    assert all(low <= n <= high for n in lower_counts(approximate.resample(df)).values())
    bootstrap = RandomUnderSampler(exact=True, replacement=True, samplingStrategy=under)
    assert lower_counts(bootstrap.resample(df)) == {f"c{i}": 5 + i for i in range(how_many)}
    over = {f"C{i}": 33 + i for i in range(how_many)}
    grown = RandomOverSampler(exact=True, samplingStrategy=over).resample(df)
    assert lower_counts(grown) == {f"c{i}": 33 + i for i in range(how_many)}
    # Approximate: each of a class's 20 rows gets Poisson(9) copies, 180 in all
    # (a missed spelling would get none: about 90).
    grown = RandomOverSampler(samplingStrategy={f"C{i}": 200 for i in range(how_many)})
    low, high = poisson_bounds(180)
    assert all(low <= n - 20 <= high for n in lower_counts(grown.resample(df)).values())
    weights = {f"C{i}": 1.0 + i for i in range(how_many)}
    weighted = ClassWeighter(classWeights=weights).fit(df).transform(df)
    by_class = weighted.groupBy(F.lower("label")).agg(F.max("weight"), F.min("weight"))
    assert {r[0]: (r[1], r[2]) for r in by_class.collect()} == {
        f"c{i}": (1.0 + i, 1.0 + i) for i in range(how_many)
    }
    with pytest.raises(ValueError, match=r"keys 'c1' and 'C1' name the same class"):
        RandomOverSampler(samplingStrategy={"c1": 30, "C1": 40}).fit(df)


@pytest.fixture(scope="module")
def thousand(spark):
    """1000 classes of 3 to 7 rows (class c has 3 + c % 5), features x0, x1."""
    rows = [
        (c * 10 + j, c, float(j), float((c * 7 + j * 3) % 11))
        for c in range(1000)
        for j in range(3 + c % 5)
    ]
    return spark.createDataFrame(rows, "id long, label int, x0 double, x1 double").cache()


def test_exact_samplers_on_a_thousand_classes(thousand):
    under = RandomUnderSampler(exact=True, weightCol="w").resample(thousand)
    assert class_counts(under) == {c: 3 for c in range(1000)}
    sums = {r[0]: r[1] for r in under.groupBy("label").agg(F.sum("w")).collect()}
    assert sums == pytest.approx({c: 3 + c % 5 for c in range(1000)})
    bootstrap = RandomUnderSampler(exact=True, replacement=True, weightCol="w")
    drawn = bootstrap.resample(thousand)
    assert class_counts(drawn) == {c: 3 for c in range(1000)}
    sums = {r[0]: r[1] for r in drawn.groupBy("label").agg(F.sum("w")).collect()}
    assert sums == pytest.approx({c: 3 + c % 5 for c in range(1000)})
    over = RandomOverSampler(exact=True).resample(thousand)
    assert class_counts(over) == {c: 7 for c in range(1000)}
    weighted = ClassWeighter().fit(thousand).transform(thousand)
    sums = {r[0]: r[1] for r in weighted.groupBy("label").agg(F.sum("weight")).collect()}
    balanced = thousand.count() / 1000
    assert sums == pytest.approx({c: balanced for c in range(1000)})


def test_approximate_samplers_on_a_thousand_classes(thousand):
    # The 200 classes of n rows (n = 3 .. 7) keep each row with probability
    # 3 / n (under) or add Poisson(7 / n - 1) copies of each (over): kept rows
    # are Binomial(200 n, 3 / n), added rows Poisson(200 (7 - n)) per size.
    under = class_counts(RandomUnderSampler().resample(thousand))
    over = class_counts(RandomOverSampler().resample(thousand))
    assert set(under) <= set(range(1000)) and set(over) == set(range(1000))
    for n in range(3, 8):
        classes = [c for c in range(1000) if 3 + c % 5 == n]
        low, high = binomial_bounds(200 * n, 3 / n)
        assert low <= sum(under.get(c, 0) for c in classes) <= high, n
        low, high = poisson_bounds(200 * (7 - n)) if n < 7 else (0, 0)
        assert low <= sum(over[c] - n for c in classes) <= high, n
        assert all(over[c] >= n for c in classes)  # every original row stays


def test_smote_on_a_hundred_classes(thousand):
    hundred = thousand.where("label < 100")
    out = SMOTE(inputCols=["x0", "x1"], kNeighbors=2).resample(hundred)
    assert class_counts(out) == {c: 7 for c in range(100)}


@needs_collations
def test_per_feature_std_of_a_case_insensitive_label_is_keyed_by_the_counted_class(spark):
    """RandomOverSampler's shrinkage scales and SMOTENC's median std group rows
    by the class's place among the counted labels, under the collation: both
    spellings' rows count in one class, and the result is keyed by the
    spelling the fit counted (grouped by the label, a class could come back
    in the other one)."""
    from pyspark.ml.functions import array_to_vector

    from spark_resample import SMOTENC
    from spark_resample._params import pairs_to_dict

    df = case_insensitive_labels(spark, 3).select(
        "*",
        array_to_vector(F.array(F.col("id").cast("double"), F.lit(1.0))).alias("features"),
        (F.col("id") % 2).cast("string").alias("cat"),
    )
    wanted = {"C0": 40, "c1": 40}
    # A per-class shrinkage's keys match under the collation too.
    shrinkage = {"c0": 1.0, "C1": 2.0, "C2": 9.0}
    model = RandomOverSampler(samplingStrategy=wanted, shrinkage=shrinkage).fit(df)
    counted = {k.lower(): k for k in model.classCounts_}
    scales = pairs_to_dict(model.getOrDefault(model.featureScales))
    assert set(scales) == {counted["c0"], counted["c1"]}
    # Class K holds ids K, K + 3, ... (both spellings): the std of 20 ids 3
    # apart, times imbalanced-learn's factor (4 / ((d + 2) n)) ** (1 / (d + 4)).
    ids_std = float(np.std(np.arange(20) * 3.0))
    factor = (4.0 / (4 * 20)) ** (1.0 / 6)
    for key in scales:
        times = shrinkage[key.lower()] if key.lower() in shrinkage else shrinkage[key.upper()]
        assert scales[key] == pytest.approx([times * ids_std * factor, 0.0])
    smotenc = SMOTENC(categoricalCols=["cat"], samplingStrategy=wanted, kNeighbors=3).fit(df)
    # The median of the two features' std: (ids_std + 0) / 2.
    assert smotenc._median_std == pytest.approx(
        {counted["c0"]: ids_std / 2, counted["c1"]: ids_std / 2}
    )
