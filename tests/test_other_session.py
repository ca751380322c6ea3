"""Over Spark Connect, every stage gives exactly the rows that a classic
session in another process gives for the same seed (issue 6 item 2, DESIGN.md
rule 3).

The other process runs a classic ``local[1]`` session with 7 shuffle
partitions, another Python hash seed and Spark's default code generation and
AQE (the test session runs interpreted, tests/conftest.py), so the comparison
spans the session kind, the process, the task count, the partitioning and
the execution mode. The random samplers run in approximate mode too, SMOTE
with small buckets, so that its locality trees are compared too, and
``stratified_folds``.

Connect only: in a classic run the standalone cluster tests compare every
stage, computed by other processes (spark-submit, and a session on the
cluster's master), with this session's output (tests/test_cluster.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

import pytest
from chispa import assert_df_equality

import spark_resample
from spark_resample import SMOTE, RandomOverSampler, RandomUnderSampler

from .conftest import fast_start
from .test_smoke import STAGES, comparable, stage_params, table_as_parquet

pytestmark = pytest.mark.connect_only

ROOT = Path(__file__).resolve().parents[1]
SMALL_BUCKETS = 16  # classes of 45 and 25 rows: several buckets each (k = 5)


def variants() -> Dict[str, tuple]:
    """{test id: (stage name, params)}: every stage; the random samplers in
    approximate mode too (the stages run exact by default here); and SMOTE
    with small buckets (its locality trees; the other SMOTE-family stages plan
    their buckets with the same code)."""
    found = {cls.__name__: (cls.__name__, stage_params(cls)) for cls in STAGES}
    for cls in (RandomOverSampler, RandomUnderSampler):
        approximate = dict(stage_params(cls), exact=False)
        found[f"{cls.__name__}-approximate"] = (cls.__name__, approximate)
    found["SMOTE-trees"] = ("SMOTE", dict(stage_params(SMOTE), maxBucketSize=SMALL_BUCKETS))
    found["stratified_folds"] = ("stratified_folds", {"numFolds": 4, "seed": 3})
    return found


def apply(name: str, params: dict, df):
    """A variant's output: the stage's fit and transform, or the function's result."""
    made = getattr(spark_resample, name)
    if isinstance(made, type):
        return made(**params).fit(df).transform(df)
    return made(df, **params)


VARIANTS = variants()

OTHER_SESSION = """
import json, sys
from pyspark.sql import SparkSession
from tests.test_other_session import apply
from tests.test_smoke import comparable

spec = json.load(open(sys.argv[1]))
spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "7").getOrCreate())
df = spark.read.parquet(spec["input"])
for name, (stage, params) in spec["variants"].items():
    comparable(apply(stage, params, df)).write.parquet(f"{spec['output']}/{name}")
spark.stop()
"""


@pytest.fixture(scope="module")
def source(spark, tmp_path_factory) -> str:
    return table_as_parquet(spark, tmp_path_factory.mktemp("other-session"))


@pytest.fixture(scope="module")
def theirs(source, tmp_path_factory) -> Path:
    """Every variant's output, written by the other process's classic session."""
    folder = tmp_path_factory.mktemp("other-session-output")
    spec = folder / "spec.json"
    spec.write_text(
        json.dumps({"input": source, "output": str(folder / "out"), "variants": VARIANTS})
    )
    # A classic session whatever this run uses: no Connect settings inherited.
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SPARK_CONNECT", "SPARK_REMOTE"))
    }
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(OTHER_SESSION), str(spec)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=str(ROOT),
        env=fast_start(dict(env, PYTHONHASHSEED="123", PYSPARK_PYTHON=sys.executable)),
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return folder / "out"


@pytest.mark.parametrize("name", list(VARIANTS))
def test_connect_gives_the_rows_of_a_classic_session_in_another_process(
    spark, source, theirs, name
):
    stage, params = VARIANTS[name]
    df = spark.read.parquet(source)
    ours = comparable(apply(stage, params, df))
    assert_df_equality(
        spark.read.parquet(str(theirs / name)),
        ours,
        ignore_row_order=True,
        ignore_nullable=True,  # a parquet round trip makes every column nullable
    )
