"""Bad input gets a clear error naming the culprit, for every sampler."""

import pytest
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql import functions as F
from pyspark.sql.types import IntegerType, StructField, StructType

from spark_resample import ClassWeighter, RandomOverSampler, RandomUnderSampler

from .helpers import class_counts, labelled

SAMPLERS = [
    pytest.param(RandomUnderSampler, id="under"),
    pytest.param(RandomOverSampler, id="over"),
]
ALL_STAGES = SAMPLERS + [pytest.param(ClassWeighter, id="weights")]


def _raises(error, words, call):
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


@pytest.fixture(scope="module")
def data(spark):
    return labelled(spark, {0: 50, 1: 10}).cache()


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_missing_label_column(data, stage):
    _raises(
        ValueError,
        ["labelCol", "'target'", "not a column"],
        lambda: stage(labelCol="target").fit(data),
    )


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_null_labels(spark, stage):
    df = spark.createDataFrame(
        [(0, 1.0)] * 5 + [(1, 2.0)] * 5 + [(None, 3.0)] * 2, "label int, x double"
    )
    _raises(ValueError, ["labelCol 'label'", "2 null"], lambda: stage().fit(df))


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_nan_labels(spark, stage):
    df = spark.createDataFrame([(0.0,)] * 5 + [(1.0,)] * 5 + [(float("nan"),)] * 3, "label double")
    _raises(ValueError, ["labelCol 'label'", "3 NaN"], lambda: stage().fit(df))


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_single_class(spark, stage):
    df = spark.createDataFrame([("yes", 1.0)] * 5, "label string, x double")
    _raises(ValueError, ["single class", "'yes'"], lambda: stage().fit(df))


def test_empty_input_to_the_class_weighter(data):
    # The samplers' case is in test_common_checks.
    _raises(ValueError, ["no rows", "labelCol 'label'"], lambda: ClassWeighter().fit(data.limit(0)))


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_label_of_unsupported_type(spark, stage):
    df = spark.createDataFrame([([1], 1.0)], "label array<int>, x double")
    _raises(TypeError, ["labelCol 'label'", "array<int>", "Cast"], lambda: stage().fit(df))


@pytest.mark.parametrize("stage", SAMPLERS)
def test_unknown_class_in_dict(data, stage):
    _raises(
        ValueError,
        ["class 5", "not in the data", "0, 1"],
        lambda: stage(samplingStrategy={5: 10}).fit(data),
    )


def test_undersampler_asked_for_more_rows_than_exist(data):
    _raises(
        ValueError,
        ["80 rows of class 0", "only 50", "over-sampler"],
        lambda: RandomUnderSampler(samplingStrategy={0: 80}).fit(data),
    )


def test_oversampler_asked_for_fewer_rows_than_exist(data):
    _raises(
        ValueError,
        ["5 rows of class 1", "has 10", "under-sampler"],
        lambda: RandomOverSampler(samplingStrategy={1: 5}).fit(data),
    )


@pytest.mark.parametrize("stage", SAMPLERS)
def test_float_ratio_on_multiclass(spark, stage):
    df = labelled(spark, {0: 30, 1: 20, 2: 10})
    _raises(
        ValueError, ["binary labels only", "3 classes"], lambda: stage(samplingStrategy=0.5).fit(df)
    )


@pytest.mark.parametrize("stage", SAMPLERS)
@pytest.mark.parametrize("ratio", [0.0, 1.01, -1.0, float("nan")])
def test_ratio_outside_unit_interval(stage, ratio):
    _raises(ValueError, ["samplingStrategy", "(0, 1]"], lambda: stage(samplingStrategy=ratio))


@pytest.mark.parametrize("stage", SAMPLERS)
def test_ratio_in_the_wrong_direction(data, stage):
    # 10 / 50 = 0.2 already; 0.1 would need removing minority or adding majority rows.
    _raises(
        ValueError,
        ["samplingStrategy ratio 0.1", "at least 0.2"],
        lambda: stage(samplingStrategy=0.1).fit(data),
    )


@pytest.mark.parametrize("stage", ALL_STAGES)
@pytest.mark.parametrize(
    "bad,words",
    [
        (0.0, ["1 zero or negative"]),
        (-2.0, ["1 zero or negative"]),
        (None, ["1 null or NaN"]),
        (float("nan"), ["1 null or NaN"]),
    ],
)
def test_bad_weights(spark, stage, bad, words):
    df = spark.createDataFrame([(0, 1.0)] * 6 + [(1, 1.0)] * 3 + [(1, bad)], "label int, w double")
    _raises(ValueError, ["weightCol 'w'", "class 1"] + words, lambda: stage(weightCol="w").fit(df))


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_non_numeric_weights(spark, stage):
    df = spark.createDataFrame([(0, "a")] * 6 + [(1, "b")] * 3, "label int, w string")
    _raises(TypeError, ["weightCol 'w'", "string"], lambda: stage(weightCol="w").fit(df))


@pytest.mark.parametrize("stage", SAMPLERS)
def test_missing_id_column(data, stage):
    _raises(ValueError, ["idCol 'key'", "not a column"], lambda: stage(idCol="key").fit(data))


@pytest.mark.parametrize("stage", SAMPLERS)
def test_repeated_column_names_need_an_id_col(data, stage):
    twice = data.join(data.select("id", "x1"), "id")  # a join keeps both x1
    _raises(ValueError, ["['x1']", "more than once", "idCol"], lambda: stage().fit(twice))
    strategy = {0: 20} if stage is RandomUnderSampler else {1: 30}
    out = stage(idCol="id", samplingStrategy=strategy, exact=True).resample(twice)
    assert class_counts(out) == {0: 50, 1: 10, **strategy}


def test_a_pandas_frame_is_refused_with_the_conversion(data):
    # The samplers' version is in test_common_checks.
    pdf = data.limit(5).toPandas()
    _raises(
        TypeError,
        ["ClassWeighter", "pandas.core.frame.DataFrame", "createDataFrame"],
        lambda: ClassWeighter().fit(pdf),
    )


@pytest.mark.parametrize("stage", ALL_STAGES)
def test_streaming_input_is_refused_with_advice(spark, stage):
    stream = spark.readStream.format("rate").load()
    stream = stream.select((F.col("value") % 2).cast("int").alias("label"), "value")
    _raises(ValueError, ["streaming", "foreachBatch"], lambda: stage().fit(stream))


def test_shrinkage_needs_a_vector_features_column(spark, data):
    _raises(
        ValueError,
        ["featuresCol 'features'", "not a column"],
        lambda: RandomOverSampler(shrinkage=1.0).fit(data),
    )
    _raises(
        TypeError,
        ["featuresCol 'x0'", "double", "VectorAssembler"],
        lambda: RandomOverSampler(shrinkage=1.0, featuresCol="x0").fit(data),
    )
    arrays = data.select("label", F.array("x0", "x1").alias("e"))
    _raises(
        TypeError,
        ["featuresCol 'e'", "array<double>", "array_to_vector('e')"],
        lambda: RandomOverSampler(shrinkage=1.0, featuresCol="e").fit(arrays),
    )
    df = spark.createDataFrame([(0, Vectors.dense([1.0]))] * 3, ["label", "features"])
    _raises(ValueError, ["shrinkage", ">= 0"], lambda: RandomOverSampler(shrinkage=-1.0).fit(df))


def test_shrinkage_per_class_is_checked(spark):
    df = spark.createDataFrame(
        [(i % 3, Vectors.dense([float(i)])) for i in range(30)] + [(0, Vectors.dense([0.0]))] * 20,
        ["label", "features"],
    )
    for shrinkage, error, words in [
        ({1: 0.5}, ValueError, ["shrinkage gives no factor", "class(es) 2", "over-sampled"]),
        ({1: 0.5, 2: 1.0, 7: 1.0}, ValueError, ["shrinkage names class 7", "0, 1, 2"]),
        ({1: -0.5, 2: 1.0}, ValueError, ["shrinkage for class 1", ">= 0", "-0.5"]),
        ({1: "big", 2: 1.0}, TypeError, ["shrinkage for class 1", "number", "'big'"]),
        ("big", TypeError, ["shrinkage must be a number", "dict"]),
    ]:
        _raises(error, words, lambda s=shrinkage: RandomOverSampler(shrinkage=s).fit(df))


def _vector_rows(spark, odd):
    """Class 0: 20 rows, class 1 (over-sampled): 5, whose row 21 is ``odd``."""
    rows = [(int(i >= 20), Vectors.dense([float(i), 1.0])) for i in range(25)]
    rows[21] = (1, odd)
    schema = StructType([StructField("label", IntegerType()), StructField("features", VectorUDT())])
    return spark.createDataFrame(rows, schema)


@pytest.mark.parametrize(
    "odd, words",
    [
        (None, ["1 row(s) with a null vector"]),
        (Vectors.dense([float("nan"), 1.0]), ["1 row(s)", "NaN or infinite"]),
        (Vectors.dense([1.0, float("-inf")]), ["1 row(s)", "NaN or infinite"]),
        (Vectors.sparse(3, [0], [1.0]), ["vectors of sizes 2 to 3"]),
    ],
    ids=["null", "nan", "infinite", "sizes"],
)
def test_shrinkage_refuses_vectors_it_cannot_add_noise_to(spark, odd, words):
    df = _vector_rows(spark, odd)
    _raises(
        ValueError,
        ["featuresCol 'features'", *words],
        lambda: RandomOverSampler(shrinkage=1.0).fit(df),
    )
    # Without shrinkage the features are only copied: nothing to refuse.
    assert RandomOverSampler().fit(df).targetCounts_ == {0: 20, 1: 20}


def test_unknown_strategy_name():
    _raises(
        ValueError,
        ["'balanced'", "not minority"],
        lambda: RandomUnderSampler(samplingStrategy="balanced"),
    )
