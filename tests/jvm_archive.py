"""A class-data-sharing (CDS) archive for the short-lived JVMs the tests start.

Every spark-submit driver, standalone executor and ``python -m
spark_resample.jobs`` subprocess spends most of its start loading and verifying
the same classes from Spark's jars. Java 17 dumps the classes a JVM loaded
into an archive at exit (``-XX:ArchiveClassesAtExit``) that later JVMs map
instead (``-XX:SharedArchiveFile``). Measured on the 2-core machine: a trivial
spark-submit 6.2 -> 3.4 s, the standalone cluster stage 145 -> 114 s.

``python -m tests.jvm_archive PATH`` builds it: a local driver with the
fast-start flags runs every exported stage once on the smoke table and writes
the output as Parquet, as the cluster and job tests do, then dumps what it
loaded; the file appears at PATH only when complete. ``conftest.fast_start``
adds it to the flags of the JVMs it starts once it exists. The archive is a
start-up cache only: a JVM whose version or class path differs ignores it
(the warning is silenced) and starts as it would without.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Flags that make a short JVM start faster; the archive must be dumped with the
# same ones it is used with.
FAST_START_FLAGS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
ARCHIVE_ENV = "SPARK_RESAMPLE_JVM_ARCHIVE"


def archive_flags() -> str:
    """The flags that map the archive named by $SPARK_RESAMPLE_JVM_ARCHIVE, if it is built."""
    archive = os.environ.get(ARCHIVE_ENV)
    if not archive or not os.path.isfile(archive):
        return ""
    return f"-XX:SharedArchiveFile={archive} -Xlog:cds=off -Xlog:cds+dynamic=off"


def _workload(folder: Path) -> None:
    """What the short JVMs of the tests do: every stage, Parquet in and out."""
    from pyspark.sql import SparkSession

    from .test_smoke import STAGES, make_stage, table

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    source = str(folder / "input")
    table(spark).repartition(3).write.parquet(source)
    for cls in STAGES:
        df = spark.read.parquet(source)
        make_stage(cls).fit(df).transform(df).write.parquet(str(folder / cls.__name__))
    jvm = spark.sparkContext._gateway.proc  # the driver JVM (spark-submit execs java)
    spark.stop()
    # The driver exits when its stdin closes, and dumps the archive as it exits:
    # wait for that, not just for this Python process.
    jvm.stdin.close()
    jvm.wait(timeout=300)


def build(path: Path) -> None:
    """Run the workload in a driver that dumps its classes, then move the
    archive to ``path`` (so a reader never maps a half-written file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jvm-archive-", dir=path.parent) as scratch:
        dumped = Path(scratch) / "archive.jsa"
        # Only the driver dumps: JDK_JAVA_OPTIONS would reach spark-submit's
        # launcher JVM too, which exits first and would write the file.
        options = f"{FAST_START_FLAGS} -XX:ArchiveClassesAtExit={dumped}"
        submit_args = f'--driver-java-options "{options}" pyspark-shell'
        env = dict(os.environ, PYSPARK_SUBMIT_ARGS=submit_args)
        env.pop("JDK_JAVA_OPTIONS", None)
        subprocess.run(
            [sys.executable, "-m", "tests.jvm_archive", "--workload", scratch],
            env=env,
            check=True,
            timeout=600,
            cwd=Path(__file__).resolve().parents[1],
        )
        if not dumped.is_file():
            raise RuntimeError(f"the driver wrote no archive at {dumped}")
        os.replace(dumped, path)


if __name__ == "__main__":
    if sys.argv[1] == "--workload":
        _workload(Path(sys.argv[2]))
    else:
        build(Path(sys.argv[1]))
