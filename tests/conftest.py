"""One SparkSession for the whole suite.

``SPARK_RESAMPLE_TEST_MODE=connect`` runs the same tests against a local Spark
Connect server (``SparkSession.builder.remote("local[2]")``) in its own pytest
process; scripts/test.sh runs the suite both ways. Tests that only make sense
in one mode are marked ``classic_only`` or ``connect_only``.
``SPARK_RESAMPLE_TEST_MASTER`` overrides the local master (default
``local[2,3]`` in classic mode, ``local[2]`` over Connect).
"""

from __future__ import annotations

import os
import sys

import pytest

from .jvm_archive import FAST_START_FLAGS, archive_flags

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)

MODE = os.environ.get("SPARK_RESAMPLE_TEST_MODE", "classic")
RETRYING_MASTER = "local[2,3]"  # two task threads, three attempts per task
# Classic: two task threads and three attempts per task, which the retry tests
# need (tests/test_retries.py); the other tests pass the same either way, so they
# share that session instead of a process of their own (a JVM start and its
# warm-up saved). Connect: ``remote("local[2]")``, as users start it.
MASTER = os.environ.get(
    "SPARK_RESAMPLE_TEST_MASTER", "local[2]" if MODE == "connect" else RETRYING_MASTER
)


def fast_start_jvm() -> str:
    """Flags for the short-lived JVMs the tests start (spark-submit drivers,
    executors, job subprocesses): C1 only and a serial GC start faster on 2
    cores (cluster stage 247 s before, 165-186 s after), and the class-data
    archive of tests/jvm_archive.py once scripts/test.sh has built it (145 ->
    114 s). The shared test session keeps the JVM's defaults: neither made the
    classic stage faster."""
    return f"{FAST_START_FLAGS} {archive_flags()}".strip()


def fast_start(env: dict) -> dict:
    """``env`` for a subprocess that runs Spark for one short job: every JVM it
    starts (the launcher, the driver) gets ``fast_start_jvm()`` through
    JDK_JAVA_OPTIONS, which the ``java`` launcher reads. Start-up flags only:
    the job is the same."""
    return dict(env, JDK_JAVA_OPTIONS=fast_start_jvm())


def pytest_configure(config):
    config.addinivalue_line("markers", "classic_only: needs a classic (non-Connect) session")
    config.addinivalue_line("markers", "connect_only: needs a Spark Connect session")


def pytest_collection_modifyitems(config, items):
    """The retry tests, then the cluster tests, run last: a retry test kills
    Python workers on purpose, and the cluster's short-lived JVMs start faster
    once scripts/test.sh's class-data archive, built in the background meanwhile,
    is ready (tests/jvm_archive.py)."""
    last = {"retries": 1, "cluster": 2}

    def position(item) -> int:
        return max((last[m.name] for m in item.iter_markers() if m.name in last), default=0)

    items.sort(key=position)  # stable: the order within each group stays


# The shared sessions run hundreds of small queries, where Spark's fixed costs
# dominate: compiling generated code for every new query, and adaptive
# execution's extra stage submissions and re-planning. Interpreted expressions
# and no AQE, with two shuffle partitions (one per core), took a fifth to a
# third off the stages on the 2-core CI machine (clean-clone runs: classic
# 514 -> 424 s, Connect 418 -> 293 s, retries 249 -> 167 s). Results do not
# depend on these: Spark itself falls back to interpreted code when generated
# code fails to compile, and the draws depend on no partitioning. Code
# generation and AQE stay on, as users run Spark, in the jobs' own sessions, in
# the standalone cluster's jobs and session (whose outputs the cluster tests
# compare with this session's), in the Spark 3.5 smoke stage
# (SPARK_RESAMPLE_TEST_SPARK_DEFAULTS=1 leaves these settings out), and in the
# benchmarks.
FAST_SMALL_QUERIES = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.adaptive.enabled": "false",
}
SPARK_DEFAULTS = os.environ.get("SPARK_RESAMPLE_TEST_SPARK_DEFAULTS") == "1"
# The shared session's JVM (the driver, which also runs the tasks in local
# mode) with the parallel (throughput) collector instead of the default G1:
# G1's concurrent threads and heavier write barriers compete with the query
# threads for the 2 cores. Measured on two test files, alternating: 93/96 s
# against 111/102 s with G1. A JVM choice only: no Spark setting changes, so it
# applies to every stage, the Spark 3.5 one included.
SHARED_SESSION_JVM = "-XX:+UseParallelGC"


def _builder():
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName("spark-resample-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .config("spark.driver.extraJavaOptions", SHARED_SESSION_JVM)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if not SPARK_DEFAULTS:
        for key, value in FAST_SMALL_QUERIES.items():
            builder = builder.config(key, value)
    if MODE == "connect":
        return builder.remote(MASTER)
    return builder.master(MASTER)


@pytest.fixture(scope="session")
def spark():
    session = _builder().getOrCreate()
    yield session
    session.stop()


@pytest.fixture(scope="session")
def is_connect(spark) -> bool:
    return MODE == "connect"
