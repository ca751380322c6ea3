"""SMOTEN: categorical features only, imbalanced-learn's value difference metric."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyspark
import pytest
from chispa import assert_df_equality
from imblearn.metrics.pairwise import ValueDifferenceMetric
from pyspark.sql import functions as F
from sklearn.preprocessing import OrdinalEncoder

from spark_resample import SMOTEN, _smoten
from spark_resample._smote_kernels import SEED_HASH

from .helpers import binomial_bounds, class_counts

COLUMNS = ["a", "b", "c"]


def _rows(n=400, seed=0):
    """Three classes; each column's categories lean towards some classes, so
    the value difference metric tells them apart; ``c`` is sometimes null."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        label = int(rng.choice(3, p=[0.8, 0.12, 0.08]))
        a = str(rng.choice(list("pqrs"), p=[[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4]][label > 0]))
        b = int(rng.choice([1, 2, 3], p=[[0.2, 0.3, 0.5], [0.6, 0.3, 0.1], [0.3, 0.6, 0.1]][label]))
        c = (
            None
            if rng.random() < [0.05, 0.3, 0.05][label]
            else bool(rng.random() < 0.3 + label / 4)
        )
        rows.append((i, label, a, b, c, float(i)))
    return rows


@pytest.fixture(scope="module")
def data(spark):
    schema = "id long, label int, a string, b int, c boolean, other double"
    return spark.createDataFrame(_rows(), schema).cache()


def _voted(rows, label, k):
    """Per row id of class ``label``: for each column, the category
    imbalanced-learn's SMOTEN gives a synthetic row of that seed: the most
    frequent among the row and its k nearest rows of the class by the value
    difference metric (fitted on every row), the smallest of those tied (null
    last); None where the k nearest are not one set (rows of other categories
    tie at the k-th distance)."""
    x = np.array([[str(v) for v in r[2:5]] for r in rows], dtype=object)
    y = np.array([r[1] for r in rows])
    encoder = OrdinalEncoder(dtype=np.int32)
    codes = encoder.fit_transform(x)
    vdm = ValueDifferenceMetric(n_categories=[len(c) for c in encoder.categories_]).fit(codes, y)
    own = np.flatnonzero(y == label)
    dist = vdm.pairwise(codes[own])
    voted = {}
    for i, row in enumerate(own):
        others = np.delete(np.arange(len(own)), i)
        order = others[np.argsort(dist[i, others], kind="stable")]
        edge = dist[i, order[k - 1]]
        at_edge = {tuple(x[own[j]]) for j in others if np.isclose(dist[i, j], edge)}
        if len(at_edge) > 1:
            voted[rows[row][0]] = None
            continue
        voters = [rows[own[j]][2:5] for j in np.concatenate([[i], order[:k]])]
        chosen = []
        for column in zip(*voters):
            tally = Counter(column)
            top = max(tally.values())
            tied = [v for v, n in tally.items() if n == top]
            chosen.append(min(tied, key=lambda v: (v is None, v if v is not None else 0)))
        voted[rows[row][0]] = chosen
    return voted


def test_smoten_rows_take_the_most_frequent_categories_around_their_seed(spark, data):
    """Each synthetic row takes, per column, the category most frequent among
    its seed and the seed's 5 nearest rows of the class by the value
    difference metric (the smallest of those tied), as imbalanced-learn's
    SMOTEN; seeds are drawn uniformly; the originals are untouched, the
    targets exact, the types kept and a null category comes out as null."""
    wanted = {1: 200, 2: 150}
    model = SMOTEN(inputCols=COLUMNS, samplingStrategy=wanted, seed=5).fit(data)
    model._debug = True
    out = model.transform(data)
    counts = model.classCounts_
    assert class_counts(out) == {0: counts[0], **wanted}
    for name in COLUMNS:
        assert out.schema[name].dataType == data.schema[name].dataType
    assert_df_equality(
        out.where("NOT is_synthetic").select(*data.columns), data, ignore_row_order=True
    )
    synthetic = out.where("is_synthetic")
    assert synthetic.where("id IS NOT NULL OR other IS NOT NULL").count() == 0
    ids = {r[model._HASH]: r.id for r in model._with_draw(data).collect()}
    rows = _rows()
    for label in wanted:
        voted = _voted(rows, label, 5)
        made = synthetic.where(F.col("label") == label).collect()
        seeds = Counter(ids[r[SEED_HASH]] for r in made)
        checked = 0
        for r in made:
            expected = voted[ids[r[SEED_HASH]]]
            if expected is None:
                continue
            checked += 1
            assert [r[name] for name in COLUMNS] == expected, r
        # The test is not vacuous: most of the class's rows have one set of
        # nearest rows (a property of the data: here all of them), and uniform
        # seeds draw them about as often as that share says.
        share = sum(v is not None for v in voted.values()) / len(voted)
        assert share > 0.6, share
        low, high = binomial_bounds(len(made), share)
        assert low <= checked <= high
        # Uniform seeds: the class's first half (by id) seeds about half the rows.
        own = sorted(i for i in voted)
        first_half = sum(n for i, n in seeds.items() if i in set(own[: len(own) // 2]))
        low, high = binomial_bounds(len(made), (len(own) // 2) / len(own))
        assert low <= first_half <= high
    # Class 1 holds nulls in c (about 30 %): the null category wins some votes.
    assert synthetic.where("label = 1 AND c IS NULL").count() > 0
    assert {r.c for r in synthetic.select("c").distinct().collect()} <= {True, False, None}


def test_smoten_probabilities_count_every_row_and_null_as_a_category(data):
    model = SMOTEN(inputCols=COLUMNS, seed=1).fit(data)
    rows = _rows()
    (a, a_null), (_, _), (c, c_null) = model._vdm
    assert a_null is None and c_null is not None
    for category, probs in a.items():
        labels = [r[1] for r in rows if r[2] == category]
        expected = [labels.count(k) / len(labels) for k in range(3)]
        np.testing.assert_allclose(probs, expected)
    nulls = [r[1] for r in rows if r[4] is None]
    np.testing.assert_allclose(c_null, [nulls.count(k) / len(nulls) for k in range(3)])
    assert set(c) == {True, False}


@pytest.mark.skipif(pyspark.__version__ < "4", reason="string collations arrived in Spark 4.0")
def test_smoten_categories_equal_under_the_collation_are_one(spark):
    """Under UTF8_LCASE "P" and "p" are one category: one class probability
    over both spellings, so a "p" row's nearest rows are the "P" rows too and
    it votes for that one category, spelled the smallest way ("P"). Taken
    apart, the four "p" seeds would vote "p" (itself and its three twins)."""
    minority = ["P"] * 4 + ["p"] * 4 + ["q"] * 6
    rows = [(i, 1, a) for i, a in enumerate(minority)]
    rows += [(i, 0, "q" if i % 3 else "p") for i in range(100, 160)]
    df = spark.createDataFrame(rows, "id long, label int, a string").withColumn(
        "a", F.expr("collate(a, 'UTF8_LCASE')")
    )
    model = SMOTEN(inputCols=["a"], samplingStrategy={1: 300}, seed=2).fit(df)
    ((table, _),) = model._vdm
    assert len(table) == 2  # "P" (or "p") and "q"
    made = model.transform(df).where("is_synthetic")
    spelled = Counter(r.a for r in made.select(F.expr("collate(a, 'UTF8_BINARY') AS a")).collect())
    assert set(spelled) == {"P", "q"}
    low, high = binomial_bounds(286, 8 / 14)
    assert low <= spelled["P"] <= high


@pytest.mark.parametrize(
    "params,error,message",
    [
        ({}, ValueError, r"SMOTEN needs inputCols"),
        ({"inputCols": ["a", "nope"]}, ValueError, r"inputCols\['nope'\] 'nope' is not a column"),
        ({"inputCols": ["a", "other"]}, TypeError, r"inputCols column 'other' has type double"),
        ({"inputCols": ["a", "label"]}, ValueError, r"inputCols lists 'label', which is labelCol"),
        ({"inputCols": ["a"], "kNeighbors": 0}, ValueError, r"kNeighbors must be >= 1"),
    ],
)
def test_smoten_refuses_bad_input_naming_it(data, params, error, message):
    with pytest.raises(error, match=message):
        SMOTEN(**params).fit(data)


def test_smoten_params_are_categorical_columns_only():
    """No featuresCol (a vector is not categories), and inputCols says what it holds."""
    smoten = SMOTEN(inputCols=["a"])
    assert not smoten.hasParam("featuresCol")
    assert "categorical columns" in smoten.getParam("inputCols").doc
    with pytest.raises(TypeError, match="featuresCol"):
        SMOTEN(featuresCol="features")


def test_smoten_refuses_more_categories_than_the_driver_keeps(data, monkeypatch):
    monkeypatch.setattr(_smoten, "MAX_CATEGORIES", 5)
    with pytest.raises(ValueError, match=r"more than 5 categories \(column 'a' the most\)"):
        SMOTEN(inputCols=["c", "a", "b"]).fit(data)


def test_smoten_keeps_fewer_categories_the_more_classes_there_are(data, monkeypatch):
    """The driver's bound is on probabilities, categories x classes: 12 over
    the 3 classes leave room for 4 categories (the columns hold 10)."""
    monkeypatch.setattr(_smoten, "MAX_PROBABILITIES", 12)
    with pytest.raises(ValueError, match=r"more than 4 categories .* here 3 classes"):
        SMOTEN(inputCols=["c", "a", "b"]).fit(data)


def test_smotenc_without_numeric_features_points_to_smoten(data):
    from spark_resample import SMOTENC

    with pytest.raises(ValueError, match=r"For categorical features only, use SMOTEN"):
        SMOTENC(inputCols=["a"], categoricalCols=["a"]).fit(data)


def test_smoten_points_look_up_many_categories(spark):
    """More categories than a CASE handles (a JSON lookup table, string and
    integer keys): each row's point is its categories' class probabilities."""
    rows = [(i, int(i % 5 == 0), f"z{i % 12}", i % 11) for i in range(240)]
    df = spark.createDataFrame(rows, "id long, label int, z string, n int")
    model = SMOTEN(inputCols=["z", "n"], seed=1).fit(df)
    (z_table, _), (n_table, _) = model._vdm
    assert len(z_table) == 12 and len(n_table) == 11
    got = {r.id: r.p for r in df.select("id", model._features(df).alias("p")).collect()}
    for i, _, z, n in rows:
        assert got[i] == z_table[z] + n_table[n]
