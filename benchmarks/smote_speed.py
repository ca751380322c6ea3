"""Speed of spark-resample's SMOTE against imbalanced-learn's, same data, same run.

For each size (default 1M and 4M rows x 20 features, 5 % positives), the data
is generated once with NumPy and written to Parquet under ``--workdir``. Then:

* imbalanced-learn: ``SMOTE().fit_resample(X, y)`` on the in-memory arrays
  (loading excluded);
* ours: ``SMOTE(inputCols=...).resample(spark.read.parquet(...))`` on
  ``local[2]``, written to the ``noop`` sink so that every row is produced
  (reading the Parquet file included; the session is started beforehand,
  and one untimed run on a 100,000-row table warms the JVM and the Python
  workers up).

Both balance to 1:1. While ours runs, a thread polls the resident memory of
every Python worker process (psutil) and reports the largest one seen, the
number the bucket bound is meant to cap.

Run: ``.venv/bin/python benchmarks/smote_speed.py [--rows 1000000 4000000]``.
Targets: ours within 2x of imbalanced-learn at 1M; time per row at 4M at most
1.2x that at 1M; worker memory bounded by the bucket size.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from typing import Dict, List

import numpy as np

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

FEATURES = [f"f{j}" for j in range(20)]


def make_data(rows: int, path: str, seed: int = 0, positive_share: float = 0.05) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if os.path.exists(path):
        return
    rng = np.random.default_rng(seed)
    label = (rng.random(rows) < positive_share).astype(np.int32)
    x = rng.normal(size=(rows, len(FEATURES)))
    x[label == 1, :5] += 1.5  # positives shifted in 5 of the 20 features
    table = pa.table({"label": label, **{name: x[:, j] for j, name in enumerate(FEATURES)}})
    pq.write_table(table, path, row_group_size=250_000)


def bench_session():
    """The benchmarks' session: local[2], 6 GB of driver memory, 8 shuffle partitions."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "6g")
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def load_numpy(path: str):
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    x = np.column_stack([table[name].to_numpy() for name in FEATURES])
    return x, table["label"].to_numpy()


class WorkerMemory:
    """Largest resident set size of any Python worker process, polled."""

    def __init__(self, interval: float = 0.1) -> None:
        import psutil

        self._me = psutil.Process()
        self._interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for proc in self._me.children(recursive=True):
                try:
                    cmd = " ".join(proc.cmdline())
                    if "pyspark.daemon" in cmd or "pyspark.worker" in cmd:
                        self.peak = max(self.peak, proc.memory_info().rss)
                except Exception:  # a worker may exit between listing and reading
                    continue
            self._stop.wait(self._interval)

    def __enter__(self) -> WorkerMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_ours(spark, path: str, bucket: int) -> Dict[str, float]:
    from spark_resample import SMOTE

    df = spark.read.parquet(path)
    sampler = SMOTE(inputCols=FEATURES, maxBucketSize=bucket, seed=0)
    with WorkerMemory() as memory:
        start = time.perf_counter()
        sampler.resample(df).write.format("noop").mode("overwrite").save()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "worker_mb": memory.peak / 2**20}


def run_imblearn(x: np.ndarray, y: np.ndarray) -> float:
    from imblearn.over_sampling import SMOTE

    start = time.perf_counter()
    SMOTE(random_state=0).fit_resample(x, y)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 4_000_000])
    parser.add_argument("--buckets", type=int, nargs="+", default=[4096, 1024])
    parser.add_argument("--workdir", default="/tmp/smote_speed")
    parser.add_argument("--skip-imblearn-above", type=int, default=10**9)
    parser.add_argument(
        "--warmup-rows", type=int, default=100_000, help="untimed first run of ours (0: none)"
    )
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    spark = bench_session()
    spark.range(10).count()  # start-up outside the timings
    if args.warmup_rows:
        # One untimed run of ours on a small table first: otherwise the first
        # timed run also pays the JVM's JIT warm-up and the Python workers'
        # start (1M rows, buckets of 4096: 14.6 s as the first run, 8.4 s after it).
        warmup = os.path.join(args.workdir, f"data_{args.warmup_rows}.parquet")
        make_data(args.warmup_rows, warmup)
        run_ours(spark, warmup, args.buckets[0])

    results: List[Dict[str, float]] = []
    for rows in args.rows:
        path = os.path.join(args.workdir, f"data_{rows}.parquet")
        make_data(rows, path)
        x, y = load_numpy(path)
        theirs = run_imblearn(x, y) if rows <= args.skip_imblearn_above else float("nan")
        del x
        for bucket in args.buckets:
            ours = run_ours(spark, path, bucket)
            results.append({"rows": rows, "bucket": bucket, "imblearn": theirs, **ours})
            r = results[-1]
            print(
                f"rows={rows} bucket={bucket}: ours {r['seconds']:.1f} s, imblearn "
                f"{theirs:.1f} s, worker peak {r['worker_mb']:.0f} MB",
                flush=True,
            )

    print(
        "\n| rows | minority | maxBucketSize | ours (s) | imbalanced-learn (s) | ours / imblearn "
        "| us per row | worker peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['rows']:,} | ~{int(r['rows'] * 0.05):,} | {r['bucket']} | {r['seconds']:.1f} "
            f"| {r['imblearn']:.1f} | {r['seconds'] / r['imblearn']:.2f} "
            f"| {1e6 * r['seconds'] / r['rows']:.2f} | {r['worker_mb']:.0f} |"
        )
    sizes = sorted(set(args.rows))
    if len(sizes) > 1:
        print()
        for bucket in args.buckets:
            per_row = {
                r["rows"]: r["seconds"] / r["rows"] for r in results if r["bucket"] == bucket
            }
            growth = per_row[sizes[-1]] / per_row[sizes[0]]
            print(
                f"bucket {bucket}: time per row at {sizes[-1]:,} / at {sizes[0]:,} = {growth:.2f} "
                f"(target <= 1.2)"
            )
    spark.stop()


if __name__ == "__main__":
    main()
