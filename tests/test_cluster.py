"""Every stage on a real standalone cluster equals local mode (issue 6 item 1).

This is also the suite's check that another process and session, with other
partitioning and another Python hash seed, give the same output for the same
seed (DESIGN.md rule 3): the spark-submit jobs and the cluster session against
this session. tests/test_other_session.py does the same over Spark Connect.

``scripts/cluster.sh`` starts a master and two workers (1 core, 1 GB each) on
127.0.0.1 from the pip-installed pyspark. The driver and the executors run a
Python that does NOT have spark_resample (tests/packaging.py ``bare_venv``), so
the library reaches them only the way users ship it: the built wheel, renamed
``.zip`` (PySpark puts only .zip/.egg/.jar py-files on the executors' path),
through ``spark-submit --py-files`` or ``SparkContext.addPyFile``.

``pytest -m cluster`` runs it alone; scripts/test.sh runs it at the end of the
classic stage (tests/conftest.py orders it last).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from chispa import assert_df_equality

from .conftest import fast_start, fast_start_jvm
from .packaging import ROOT, bare_venv, clean_env, wheel_as_zip
from .test_smoke import (
    STAGE_IDS,
    STAGES,
    comparable,
    make_stage,
    stage_params,
    table_as_parquet,
)

pytestmark = [pytest.mark.cluster, pytest.mark.classic_only]

SPARK_SUBMIT_TIMEOUT = 300


@pytest.fixture(scope="module")
def shipped():
    """(bare python, the wheel as a .zip for py-files)."""
    return bare_venv("cluster"), wheel_as_zip()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, shipped):
    """The master URL of a running cluster; stopped (by pid) after the module."""
    state = tmp_path_factory.mktemp("cluster")
    # The master and workers do little work: the fast-start flags suit them too.
    # They run this interpreter's Spark, which the drivers run too (the Spark
    # 3.5 environment's, say): a driver cannot talk to another version's master.
    env = dict(
        os.environ,
        SPARK_RESAMPLE_CLUSTER_DIR=str(state),
        SPARK_DAEMON_JAVA_OPTS=fast_start_jvm(),
        SPARK_RESAMPLE_PYTHON=sys.executable,
    )
    script = str(ROOT / "scripts" / "cluster.sh")
    started = subprocess.run(
        ["bash", script, "start"], capture_output=True, text=True, env=env, timeout=300
    )
    assert started.returncode == 0, f"cluster did not start:\n{started.stdout}{started.stderr}"
    master = started.stdout.strip().splitlines()[-1]
    assert master.startswith("spark://127.0.0.1:"), started.stdout
    try:
        status = subprocess.run(["bash", script, "status"], capture_output=True, text=True, env=env)
        assert "2 alive worker(s)" in status.stdout, status.stdout + status.stderr
        yield master
    finally:
        subprocess.run(["bash", script, "stop"], capture_output=True, env=env, timeout=120)
        for pid_file in state.glob("*.pid"):  # stop removes them once the daemon is gone
            pytest.fail(f"cluster.sh stop left {pid_file.name}")


@pytest.fixture(scope="module")
def input_path(spark, tmp_path_factory) -> str:
    return table_as_parquet(spark, tmp_path_factory.mktemp("cluster-input"))


@pytest.fixture(scope="module")
def local_results(spark, input_path):
    """Each stage's local-mode output, computed once and held (both tests compare with it):
    ``local_results(cls)``."""
    held = {}

    def result(cls: type):
        if cls.__name__ not in held:
            df = spark.read.parquet(input_path)
            out = comparable(make_stage(cls).fit(df).transform(df))
            held[cls.__name__] = spark.createDataFrame(out.collect(), out.schema)
        return held[cls.__name__]

    return result


def shipped_env(python: Path) -> dict:
    """Driver and executors on the bare Python, with a Python hash seed of
    their own (PySpark passes the driver's to the executors); nothing on
    PYTHONPATH; the driver-side JVMs (spark-submit's launcher, the driver)
    start fast."""
    return fast_start(
        clean_env(
            PYSPARK_PYTHON=str(python), PYSPARK_DRIVER_PYTHON=str(python), PYTHONHASHSEED="123"
        )
    )


def test_session_on_the_cluster_equals_local_mode(
    spark, cluster, shipped, input_path, local_results, tmp_path
):
    python, pyfile = shipped
    output = tmp_path / "out"
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "master": cluster,
                "pyfile": str(pyfile),
                "input": input_path,
                "output": str(output),
                "executor_java_options": fast_start_jvm(),
                "stages": {cls.__name__: stage_params(cls) for cls in STAGES},
            }
        )
    )
    done = subprocess.run(
        [str(python), str(ROOT / "tests" / "cluster_driver.py"), str(spec)],
        capture_output=True,
        text=True,
        env=shipped_env(python),
        cwd=str(tmp_path),
        timeout=SPARK_SUBMIT_TIMEOUT * 2,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    where = json.loads(done.stdout.strip().splitlines()[-1])
    # The package came from the shipped zip, on the driver and on every executor.
    assert where["driver"].startswith(str(pyfile)), where
    assert where["executors"] and all(pyfile.name in f for f in where["executors"]), where
    for cls in STAGES:
        assert_df_equality(
            comparable(spark.read.parquet(str(output / cls.__name__))),
            local_results(cls),
            ignore_row_order=True,
            ignore_nullable=True,  # a parquet round trip makes every column nullable
        )


def spark_submit(cluster: str, shipped, input_path: str, folder: Path, cls: type):
    """``spark-submit`` of jobs/resample.py for one stage; returns the finished process."""
    python, pyfile = shipped
    import pyspark

    folder.mkdir()
    command = [
        str(Path(pyspark.__file__).parent / "bin" / "spark-submit"),
        "--master",
        cluster,
        "--py-files",
        str(pyfile),
        "--executor-memory",
        "768m",
        "--driver-java-options",
        fast_start_jvm(),
        "--conf",
        f"spark.executor.extraJavaOptions={fast_start_jvm()}",
        # One core (one worker) per job, so that two jobs run side by side.
        "--conf",
        "spark.cores.max=1",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.sql.shuffle.partitions=4",
        str(ROOT / "jobs" / "resample.py"),
        "resample",
        "--input",
        input_path,
        "--output",
        str(folder / "out"),
        "--sampler",
        cls.__name__,
        "--summary",
        str(folder / "summary.json"),
    ]
    for key, value in stage_params(cls).items():
        command += ["--param", f"{key}={json.dumps(value)}"]
    # Run from a folder without the checkout, so nothing imports it by accident.
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=shipped_env(python),
        cwd=str(folder),
        timeout=SPARK_SUBMIT_TIMEOUT,
    )


@pytest.fixture(scope="module")
def submitted(cluster, shipped, input_path, tmp_path_factory):
    """Every stage's job, two at a time (the cluster has two 1-core workers):
    {stage name: (finished process, its folder)}."""
    root = tmp_path_factory.mktemp("submitted")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            cls.__name__: pool.submit(
                spark_submit, cluster, shipped, input_path, root / cls.__name__, cls
            )
            for cls in STAGES
        }
    return {name: (future.result(), root / name) for name, future in futures.items()}


@pytest.mark.parametrize("cls", STAGES, ids=STAGE_IDS)
def test_spark_submit_of_the_job_equals_local_mode(spark, submitted, local_results, cls):
    done, folder = submitted[cls.__name__]
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["sampler"] == cls.__name__
    assert_df_equality(
        comparable(spark.read.parquet(str(folder / "out"))),
        local_results(cls),
        ignore_row_order=True,
        ignore_nullable=True,  # a parquet round trip makes every column nullable
    )
