"""Checks every sampler must pass, run over every sampler the package exports
(imbalanced-learn's estimator_checks, for Spark): new samplers join by being
exported from spark_resample."""

import inspect

import pytest
from chispa import assert_df_equality
from pyspark.ml.feature import VectorAssembler

import spark_resample
from spark_resample import Sampler
from spark_resample._strategy import OVER

from .helpers import class_counts, labelled
from .test_smoke import CATEGORIES, with_categories

SAMPLER_CLASSES = sorted(
    (
        obj
        for name in spark_resample.__all__
        if inspect.isclass(obj := getattr(spark_resample, name))
        and issubclass(obj, Sampler)
        and obj is not Sampler
    ),
    key=lambda cls: cls.__name__,
)
IDS = [cls.__name__ for cls in SAMPLER_CLASSES]
COUNTS = {0: 300, 1: 60, 2: 30}


def _features(cls) -> dict:
    """The params that name the features where a sampler has no default
    (SMOTEN: categorical columns only)."""
    return {"inputCols": CATEGORIES} if cls.__name__ == "SMOTEN" else {}


def _make(cls, **params):
    sampler = cls(**{**_features(cls), **params})
    if sampler.hasParam("exact"):
        sampler.set(sampler.getParam("exact"), True)
    return sampler


@pytest.fixture(scope="module")
def data(spark):
    df = with_categories(labelled(spark, COUNTS, features=3))
    return VectorAssembler(inputCols=["x0", "x1", "x2"], outputCol="features").transform(df).cache()


def test_every_sampler_is_checked():
    names = set(IDS)
    assert {"RandomUnderSampler", "RandomOverSampler"} <= names


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_constructs_without_arguments_with_a_fixed_seed(cls):
    sampler = cls()
    assert sampler.getOrDefault("seed") == spark_resample.DEFAULT_SEED
    assert sampler.getLabelCol() == "label"
    assert sampler.getSamplingStrategy() == "auto"


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_one_class_is_refused(spark, data, cls):
    with pytest.raises(ValueError, match="single class"):
        _make(cls).fit(data.where("label = 0"))


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_an_empty_input_is_named_as_such(spark, data, cls):
    with pytest.raises(ValueError, match="has no rows, so labelCol 'label'"):
        _make(cls).fit(data.where("label > 5"))


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_a_pandas_frame_is_refused_with_the_conversion(data, cls):
    pdf = data.limit(5).toPandas()
    with pytest.raises(
        TypeError,
        match=rf"{cls.__name__} needs a Spark DataFrame, got a "
        r"pandas.core.frame.DataFrame.*spark.createDataFrame\(pdf\)",
    ):
        _make(cls).fit(pdf)
    with pytest.raises(TypeError, match=r"got a builtins.list"):
        _make(cls).fit([(0, 1.0)])


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_null_ids_are_refused_where_a_row_needs_a_draw(data, cls):
    """Rows without an id would all share one draw: the job that draws fails.
    (Approximate mode: exact over-sampling to a multiple of a class draws nothing.)"""
    import pyspark
    from pyspark.sql import functions as F

    if int(pyspark.__version__.split(".")[0]) >= 4:
        from pyspark.errors import SparkRuntimeException as raised  # USER_RAISED_EXCEPTION
    else:  # Spark 3.5 reports raise_error as a plain Java RuntimeException
        from py4j.protocol import Py4JJavaError as raised

    def with_null_ids(classes):
        hole = (F.col("id") % 7 == 3) & F.col("label").isin(*classes)
        return data.withColumn("id", F.when(~hole, F.col("id")))

    with pytest.raises(raised) as caught:
        cls(idCol="id", **_features(cls)).resample(with_null_ids([0, 1, 2])).count()
    message = str(caught.value)
    assert "idCol 'id' is null in a row that needs a random draw" in message
    assert "leave idCol unset" in message
    # Null ids in a class whose rows are never drawn for change nothing.
    untouched = {"RandomUnderSampler": 2, "RandomOverSampler": 0}.get(cls.__name__)
    if untouched is not None:
        holed = with_null_ids([untouched])
        got = class_counts(cls(idCol="id").resample(holed))
        assert got == class_counts(cls(idCol="id").resample(data))


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_repeated_column_names_are_named(data, cls):
    twice = data.join(data.select("id", "x2"), "id")  # a join keeps both x2
    with pytest.raises(ValueError, match=r"\['x2'\] occur more than once") as caught:
        _make(cls).fit(twice)
    # idCol is offered only where it helps: not where synthetic rows are unioned by name.
    assert ("idCol" in str(caught.value)) == (not cls().hasParam("syntheticCol"))


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
@pytest.mark.parametrize("name", ["__spark_resample_u", "__smote_class"])
def test_columns_named_like_helper_columns_are_refused(data, cls, name):
    """A helper column added while resampling would overwrite such a column
    (and be dropped with it): refused before any job, naming the column."""
    from pyspark.sql import functions as F

    with pytest.raises(ValueError, match="keeps for the helper columns") as caught:
        _make(cls).fit(data.withColumn(name, F.lit(7)))
    message = str(caught.value)
    assert f"[{name!r}]" in message and "Rename it" in message


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_streaming_input_is_refused_with_advice(spark, cls):
    from pyspark.ml.functions import array_to_vector
    from pyspark.sql import functions as F

    stream = (
        spark.readStream.format("rate")
        .load()
        .select(
            (F.col("value") % 3).cast("int").alias("label"),
            array_to_vector(F.array(F.col("value").cast("double"))).alias("features"),
            *[(F.col("value") % 4).cast("int").alias(name) for name in CATEGORIES],
        )
    )
    with pytest.raises(ValueError, match="streaming.*foreachBatch"):
        _make(cls).fit(stream)


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_targets_are_reached_and_other_classes_untouched(data, cls):
    grow = cls._kind == OVER
    wanted = {2: 90} if grow else {0: 100}
    model = _make(cls, samplingStrategy=wanted).fit(data)
    out = model.transform(data)
    expected = {**COUNTS, **wanted}
    assert class_counts(out) == expected
    assert model.targetCounts_ == expected
    untouched = [c for c in COUNTS if c not in wanted]
    assert_df_equality(
        out.where(f"label in {tuple(untouched)}").select(*data.columns),
        data.where(f"label in {tuple(untouched)}"),
        ignore_row_order=True,
    )
    if grow:  # every original row of the grown class is still there
        originals = data.where("label = 2")
        assert originals.subtract(out.select(*data.columns)).count() == 0


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_other_dataframes_pass_through(data, cls):
    model = _make(cls).fit(data)
    other = data.limit(50)
    assert model.transform(other) is other


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_a_callable_strategy_is_called_once_and_its_dict_kept(data, cls, tmp_path):
    """imbalanced-learn takes a callable strategy; here it is given the class
    counts. The fitted model keeps (and saves) the dict it returned; the
    sampler itself cannot be saved, and says why."""
    calls = []
    wanted = {2: 60} if cls._kind == OVER else {0: 150}

    def twice_the_smallest(counts):
        calls.append(counts)
        return wanted

    sampler = _make(cls, samplingStrategy=twice_the_smallest)
    model = sampler.fit(data)
    assert calls == [COUNTS]
    assert model.targetCounts_ == {**COUNTS, **wanted}
    assert class_counts(model.transform(data)) == {**COUNTS, **wanted}
    assert model.getSamplingStrategy() == wanted
    model.write().overwrite().save(str(tmp_path / "m"))
    reloaded = type(model).load(str(tmp_path / "m"))
    assert {int(k): v for k, v in reloaded.getSamplingStrategy().items()} == wanted
    with pytest.raises(
        TypeError, match=r"callable \(.*twice_the_smallest\), which cannot be saved"
    ):
        sampler.write()


@pytest.mark.parametrize("cls", SAMPLER_CLASSES, ids=IDS)
def test_persistence_round_trip(data, cls, tmp_path):
    sampler = _make(cls, samplingStrategy={"2": 45} if cls._kind == OVER else {"0": 45}, seed=3)
    sampler.write().overwrite().save(str(tmp_path / "s"))
    loaded = cls.load(str(tmp_path / "s"))
    assert loaded.getOrDefault("seed") == 3
    want = class_counts(sampler.resample(data))
    assert class_counts(loaded.resample(data)) == want
    model = sampler.fit(data)
    model.write().overwrite().save(str(tmp_path / "m"))
    reloaded = type(model).load(str(tmp_path / "m"))
    assert reloaded.targetCounts_ == model.targetCounts_
    assert reloaded.transform(data) is data
