"""Task retries lose and duplicate nothing (DESIGN.md rule 3, issue 6 item 4).

Needs a classic session with master ``local[2,3]`` (three attempts per
task), the tests' default in classic mode (tests/conftest.py). For every
exported stage, the output with failing or killed first attempts, and with an
upstream partitioning that changes from one evaluation to the next, must equal
the output of a run without any of that.

Failures are injected by pandas UDFs that look at
``TaskContext.get().attemptNumber()`` and write a marker file before failing,
so each test also proves the failure really happened:

- after the output: ``mapInPandas`` over the resampled rows, in the same Spark
  stage as the sampler's last work (for the SMOTE family, the
  ``applyInPandas`` over buckets after its shuffle: those tasks fail too);
- upstream: ``repartition(5)`` then a failing ``mapInPandas`` as the input, so
  every job of the sampler (class counts, exact cuts, bucket planning, the
  output) recomputes its input on the retried tasks, after a shuffle;
- a Python worker killed with SIGKILL on its first attempt.
"""

from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pandas as pd
import pytest
from chispa import assert_df_equality
from pyspark import TaskContext
from pyspark.ml.feature import VectorAssembler
from pyspark.sql import DataFrame

from .conftest import RETRYING_MASTER
from .helpers import labelled
from .test_smoke import (
    COUNTS,
    FEATURES,
    STAGE_IDS,
    STAGES,
    comparable,
    make_stage,
    with_categories,
    with_weights,
)

pytestmark = [pytest.mark.retries, pytest.mark.classic_only]

MASTER = RETRYING_MASTER
# Two tasks fail their first attempt: both partitions of an output the
# sampler does not shuffle (the shared session has two), two of five upstream.
FAILING_PARTITIONS = (0, 1)
SYNTHETIC = "is_synthetic"  # the SMOTE family's default syntheticCol


@pytest.fixture(scope="module", autouse=True)
def retrying_session(spark):
    """Every test here needs task retries: no silent pass under local[2]."""
    master = spark.conf.get("spark.master")
    assert master == MASTER, (
        f"tests/test_retries.py needs master {MASTER} (3 attempts per task), got {master}; "
        f'run it with SPARK_RESAMPLE_TEST_MASTER="{MASTER}" (the default in classic mode)'
    )
    return spark


def raw(spark) -> DataFrame:
    """``table(spark)`` of test_smoke before its vector column is assembled
    (a vector column cannot pass through ``mapInPandas``)."""
    return with_weights(with_categories(labelled(spark, COUNTS, features=len(FEATURES))))


def assemble(df: DataFrame) -> DataFrame:
    return VectorAssembler(inputCols=FEATURES, outputCol="features").transform(df)


def resampled(cls: type, df: DataFrame) -> DataFrame:
    """The stage's output as plain columns; fitted and transformed on the very
    same object (the train-only contract)."""
    return comparable(make_stage(cls).fit(df).transform(df))


def local_copy(spark, df: DataFrame) -> DataFrame:
    """Evaluate ``df`` once and hold its rows, so a comparison does not run it again."""
    return spark.createDataFrame(df.collect(), df.schema)


_outputs: Dict[str, DataFrame] = {}
_references: Dict[str, DataFrame] = {}


def output(spark, cls: type) -> DataFrame:
    """The stage fitted once on the test table and its (lazy) output: the tests
    that inject failures after the output evaluate it again with failing tasks
    on top. The library caches nothing, so every evaluation recomputes the
    output, the SMOTE family's shuffle and bucket k-NN included (the marker
    files show the failing tasks ran)."""
    if cls.__name__ not in _outputs:
        _outputs[cls.__name__] = resampled(cls, assemble(raw(spark)))
    return _outputs[cls.__name__]


def reference(spark, cls: type) -> DataFrame:
    """The output without failures, computed once per stage."""
    if cls.__name__ not in _references:
        _references[cls.__name__] = local_copy(spark, output(spark, cls))
    return _references[cls.__name__]


def assert_same(spark, cls: type, out: DataFrame) -> None:
    assert_df_equality(local_copy(spark, out), reference(spark, cls), ignore_row_order=True)


def faulty(
    markers: Path, tag: str, fails: Callable[[int, pd.DataFrame], bool], kill: bool = False
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    """A ``mapInPandas`` function that passes rows through, except on the
    first attempt of a task where ``fails(partition, batch)``: there it writes
    a marker file, then raises (or, with ``kill``, SIGKILLs its Python worker)."""
    folder = str(markers)

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        context = TaskContext.get()
        first = context.attemptNumber() == 0
        partition = context.partitionId()

        def fail(batch: pd.DataFrame) -> None:
            synthetic = SYNTHETIC in batch.columns and bool(batch[SYNTHETIC].any())
            name = (
                f"{tag}-stage{context.stageId()}-part{partition}"
                f"-attempt{context.attemptNumber()}" + ("-synthetic" if synthetic else "")
            )
            Path(folder, name).touch()
            if kill:
                os.kill(os.getpid(), signal.SIGKILL)
            raise RuntimeError(f"injected failure: {name}")

        for batch in batches:
            if first and fails(partition, batch):
                fail(batch)
            yield batch

    return run


def marker_names(markers: Path, tag: str) -> List[str]:
    return sorted(p.name for p in markers.iterdir() if p.name.startswith(tag + "-"))


def is_smote(cls: type) -> bool:
    return make_stage(cls).hasParam("syntheticCol")


def failing_partitions(partition: int, batch: pd.DataFrame) -> bool:
    # Partitions 0 and 1, and every task that ran SMOTE's post-shuffle
    # applyInPandas (its output partitions hold the synthetic rows).
    return partition in FAILING_PARTITIONS or (
        SYNTHETIC in batch.columns and bool(batch[SYNTHETIC].any())
    )


@pytest.fixture
def markers(tmp_path) -> Path:
    path = tmp_path / "markers"
    path.mkdir()
    return path


@pytest.mark.parametrize("cls", STAGES, ids=STAGE_IDS)
def test_failures_after_the_output_change_nothing(retrying_session, markers, cls):
    spark = retrying_session
    out = output(spark, cls)
    tag = f"after-{uuid.uuid4().hex[:6]}"
    failing = out.mapInPandas(faulty(markers, tag, failing_partitions), out.schema)
    assert_same(spark, cls, failing)
    names = marker_names(markers, tag)
    for partition in FAILING_PARTITIONS:
        assert any(f"-part{partition}-" in n for n in names), names
    assert all("-attempt0" in n for n in names), names  # retries succeeded
    if is_smote(cls):  # the bucket k-NN after the shuffle failed and was retried
        assert any(n.endswith("-synthetic") for n in names), names


@pytest.mark.parametrize("cls", STAGES, ids=STAGE_IDS)
def test_failures_upstream_change_nothing(retrying_session, markers, cls):
    spark = retrying_session
    tag = f"upstream-{uuid.uuid4().hex[:6]}"
    source = raw(spark).repartition(5)
    source = source.mapInPandas(
        faulty(markers, tag, lambda partition, _: partition in FAILING_PARTITIONS), source.schema
    )
    assert_same(spark, cls, resampled(cls, assemble(source)))
    names = marker_names(markers, tag)
    for partition in FAILING_PARTITIONS:
        assert any(f"-part{partition}-" in n for n in names), names
    # Every job of the sampler (counts, cuts, buckets, output) read the input.
    assert len({n.split("-part")[0] for n in names}) >= 2, names
    assert all("-attempt0" in n for n in names), names


@pytest.mark.parametrize("cls", STAGES, ids=STAGE_IDS)
def test_killed_python_worker_changes_nothing(retrying_session, markers, cls):
    spark = retrying_session
    out = output(spark, cls)
    tag = f"kill-{uuid.uuid4().hex[:6]}"
    smote = is_smote(cls)

    def fails(partition: int, batch: pd.DataFrame) -> bool:
        if smote:  # a task that ran the bucket k-NN
            return SYNTHETIC in batch.columns and bool(batch[SYNTHETIC].any())
        return partition == 0

    killing = out.mapInPandas(faulty(markers, tag, fails, kill=True), out.schema)
    assert_same(spark, cls, killing)
    names = marker_names(markers, tag)
    assert names and all("-attempt0" in n for n in names), names


@pytest.fixture
def unsorted_round_robin(retrying_session):
    """Round-robin repartitioning without Spark's sort-before-repartition, so
    that row placement follows the (here random) order of the input rows."""
    key = "spark.sql.execution.sortBeforeRepartition"
    before = retrying_session.conf.get(key)
    retrying_session.conf.set(key, "false")
    yield
    retrying_session.conf.set(key, before)


def shuffled_rows(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Rows in a new random order on every evaluation (unseeded on purpose)."""
    import numpy as np

    for batch in batches:
        yield batch.iloc[np.random.default_rng().permutation(len(batch))]


def unstable(spark, partitions: int) -> DataFrame:
    """``table(spark)`` whose row order, and so row placement after an unsorted
    round-robin repartition, changes from one evaluation to the next."""
    df = raw(spark)
    df = df.mapInPandas(shuffled_rows, df.schema)
    df = df.repartition(partitions) if partitions > 1 else df.coalesce(1)
    return assemble(df)


def test_unstable_input_really_moves_rows(retrying_session, unsorted_round_robin):
    from pyspark.sql import functions as F

    # A new DataFrame per evaluation: collecting the same one again would reuse
    # its shuffle files and so its placement.
    placements = {
        tuple(
            sorted(
                tuple(r)
                for r in unstable(retrying_session, 7)
                .select("id", F.spark_partition_id().alias("p"))
                .collect()
            )
        )
        for _ in range(3)
    }
    assert len(placements) > 1, "the same placement three times: the test input is stable"


@pytest.mark.parametrize("cls", STAGES, ids=STAGE_IDS)
def test_changing_upstream_partitioning_changes_nothing(
    retrying_session, unsorted_round_robin, cls
):
    spark = retrying_session
    for partitions in (7, 1):
        assert_same(spark, cls, resampled(cls, unstable(spark, partitions)))
