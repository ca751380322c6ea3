"""Jobs fail cleanly (issue 6 item 5): a job that fails or is killed mid-way
leaves no output at the destination, exits non-zero with a one-line reason,
and a rerun produces the same output as an undisturbed run.

The failing job runs as users run it, ``python -m spark_resample.jobs
resample ...``, in its own process (its own Spark driver), so that it can be
killed and its exit status and stderr seen. The rerun calls the same
``main()`` in this process, on the shared session, as tests/test_jobs.py
does: a second process would only add a JVM start, and that the job gives
the same output in another process is what the cluster's spark-submit tests
show, for every stage (tests/test_cluster.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

import pyarrow.parquet as pq
import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame

from spark_resample import RandomUnderSampler
from spark_resample.jobs import main

from .conftest import fast_start
from .helpers import labelled

pytestmark = pytest.mark.classic_only  # the job builds its own classic session

# Approximate mode: the row draws are made in the write itself, so a bad row
# group is found by the write's tasks (exact mode would meet it earlier, in its
# cut job, and so fail before writing anything).
SAMPLER = ["--sampler", "RandomUnderSampler", "--param", "exact=false", "--seed", "5"]


def job_args(input_path: Path, output: Path) -> List[str]:
    return ["resample", "--input", str(input_path), "--output", str(output), *SAMPLER]


def job(input_path: Path, output: Path) -> List[str]:
    """The job as a command of its own process, with a Spark driver of its own."""
    return [
        sys.executable,
        "-m",
        "spark_resample.jobs",
        *job_args(input_path, output),
        "--master",
        "local[2]",
    ]


def run(command: List[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, capture_output=True, text=True, timeout=300, env=fast_start(os.environ)
    )


def leftovers(output: Path) -> List[str]:
    """Anything the job left at or beside its destination."""
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(output.name))


@pytest.fixture(scope="module")
def source(spark, tmp_path_factory) -> Path:
    """Four part files, every row distinct."""
    path = tmp_path_factory.mktemp("failures") / "input"
    labelled(spark, {0: 4000, 1: 200}, features=3).repartition(4).write.parquet(str(path))
    return path


@pytest.fixture(scope="module")
def reference(spark, source) -> DataFrame:
    """What an undisturbed run writes (the job's output equals the in-process
    sampler's: tests/test_jobs.py)."""
    return RandomUnderSampler(exact=False, seed=5).resample(spark.read.parquet(str(source)))


def corrupt_feature_column(part: Path) -> bytes:
    """Overwrite the data pages of column x2 in ``part`` with garbage and
    return the original bytes. The label column stays readable, so the
    sampler's fit (which reads only the label) succeeds and the failure comes
    late, in the write, after other tasks have written their files."""
    original = part.read_bytes()
    chunk = pq.ParquetFile(str(part)).metadata.row_group(0)
    (column,) = [
        chunk.column(i) for i in range(chunk.num_columns) if chunk.column(i).path_in_schema == "x2"
    ]
    start = column.dictionary_page_offset or column.data_page_offset
    damaged = bytearray(original)
    damaged[start : start + column.total_compressed_size] = b"\xff" * column.total_compressed_size
    part.write_bytes(bytes(damaged))
    return original


def test_bad_input_found_late_leaves_no_output_and_a_rerun_matches(
    spark, source, reference, tmp_path
):
    output = tmp_path / "out"
    (part,) = sorted(source.glob("part-*.parquet"))[-1:]
    original = corrupt_feature_column(part)
    try:
        failed = run(job(source, output))
    finally:
        part.write_bytes(original)
    assert failed.returncode == 1, failed.stderr[-3000:]
    reason = failed.stderr.strip().splitlines()[-1]
    assert reason.startswith("spark-resample: error: "), failed.stderr[-3000:]
    assert part.name in reason, reason  # the one line names the broken file
    assert leftovers(output) == [], "a failed job left output or staging behind"

    assert main(job_args(source, output)) == 0  # the rerun
    assert_df_equality(spark.read.parquet(str(output)), reference, ignore_row_order=True)


def test_killed_job_leaves_no_output_and_a_rerun_matches(
    spark, source, reference, tmp_path, capsys
):
    output = tmp_path / "out"
    # Its own process group: SIGKILL reaches the driver JVM too, as when a
    # container or a node dies.
    process = subprocess.Popen(
        job(source, output),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=fast_start(os.environ),
    )
    deadline = time.monotonic() + 240
    try:
        while not any(".staging-" in name for name in leftovers(output)):
            assert process.poll() is None, "the job ended before its write started"
            assert time.monotonic() < deadline, "the job did not start writing"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    # Killed in the write: at most an orphaned staging directory beside the
    # destination (nothing can clean up after SIGKILL), never the destination.
    assert not output.exists()
    orphaned = leftovers(output)
    assert all(".staging-" in name for name in orphaned), orphaned

    capsys.readouterr()
    assert main(job_args(source, output)) == 0  # the rerun
    assert_df_equality(spark.read.parquet(str(output)), reference, ignore_row_order=True)
    # The rerun leaves them (another run might be writing there) but names them.
    assert leftovers(output) == sorted(orphaned + [output.name])
    note = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert note == [
        f"spark-resample: note: {', '.join(orphaned)} beside the output may be left by an "
        "interrupted run; delete them once no other run writes to this output"
    ]


# A job whose failing task ends at once while another task of the same stage
# is still busy in a Python worker: that task is cancelled only after the
# failure reached the driver, and the JVM logs its abort to the same stderr.
# The run's write is replaced by such a job; the rest is the real main().
SLOW_TO_CANCEL = """
import sys, time
from pyspark.sql import functions as F
from pyspark.sql.types import LongType
from spark_resample import jobs

def fails_fast_while_another_task_is_busy(x):
    if x == 0:
        raise ValueError("the broken part")
    time.sleep(3)
    return x

def run_resample(args):
    spark = jobs._session(args.master, "slow to cancel")
    slow = F.udf(fails_fast_while_another_task_is_busy, LongType())
    spark.range(0, 2, 1, 2).select(slow("id")).write.format("noop").mode("overwrite").save()

jobs.run_resample = run_resample
sys.exit(jobs.main(sys.argv[1:]))
"""


def test_the_reason_is_the_last_line_even_while_cancelled_tasks_wind_down(source, tmp_path):
    command = job(source, tmp_path / "out")
    failed = run([sys.executable, "-c", SLOW_TO_CANCEL, *command[3:]])
    assert failed.returncode == 1, failed.stderr[-3000:]
    assert "Aborting" in failed.stderr or "TaskKilled" in failed.stderr, failed.stderr[-3000:]
    reason = failed.stderr.strip().splitlines()[-1]
    assert reason.startswith("spark-resample: error: "), failed.stderr[-3000:]
    assert "the broken part" in reason, reason
