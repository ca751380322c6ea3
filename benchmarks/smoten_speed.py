"""Speed of spark-resample's SMOTEN against imbalanced-learn's, same data, same run.

The data (default 100,000, 200,000 and 1,000,000 rows) has 10 categorical
columns, ``c0`` .. ``c9`` with 5 .. 14 categories (integers in the even
columns, strings in the odd ones), and about 6 % positives, more where
``c0`` and ``c1`` are high. It is generated once with NumPy and written to
Parquet under ``--workdir``. Then:

* imbalanced-learn: ``SMOTEN(random_state=0).fit_resample(X, y)`` on the
  in-memory columns (loading excluded). Its SMOTEN computes the value
  difference metric between every pair of minority rows at once, a rows x
  rows float64 matrix (and as large a one per column while it sums them):
  1.25 GB each at 200,000 rows (about 12,500 positives), 31 GB at 1M rows
  (about 63,000), so by default it is skipped above 200,000 rows
  (``--skip-imblearn-above``);
* ours: ``SMOTEN(inputCols=...).resample(spark.read.parquet(...))`` on
  ``local[2]``, written to the ``noop`` sink (reading the Parquet file
  included; one untimed run on a 20,000-row table first warms the JVM and
  the Python workers up), with the peak resident memory of any Python worker.

Both balance to 1:1. Run:
``.venv/bin/python benchmarks/smoten_speed.py [--rows 100000 200000 1000000]``.
No target of its own: it shows how ours compares where imbalanced-learn
runs, and that ours goes on where imbalanced-learn's memory runs out.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Dict, List

import numpy as np

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

from smote_speed import WorkerMemory, bench_session  # noqa: E402  (beside this script)

COLUMNS = [f"c{j}" for j in range(10)]


def make_data(rows: int, path: str, seed: int = 0) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if os.path.exists(path):
        return
    rng = np.random.default_rng(seed)
    codes = [rng.integers(0, 5 + j, size=rows) for j in range(len(COLUMNS))]
    # About 6 % positives, from 3 % where c0 and c1 are 0 up to 10 %.
    label = (rng.random(rows) < 0.03 + 0.01 * codes[0] + 0.005 * codes[1]).astype(np.int32)
    columns = {
        name: code if j % 2 == 0 else np.char.add("v", code.astype(str))
        for j, (name, code) in enumerate(zip(COLUMNS, codes))
    }
    pq.write_table(pa.table({"label": label, **columns}), path, row_group_size=250_000)


def run_ours(spark, path: str) -> Dict[str, float]:
    from spark_resample import SMOTEN

    df = spark.read.parquet(path)
    sampler = SMOTEN(inputCols=COLUMNS, seed=0)
    with WorkerMemory() as memory:
        start = time.perf_counter()
        sampler.resample(df).write.format("noop").mode("overwrite").save()
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "worker_mb": memory.peak / 2**20}


def run_imblearn(path: str) -> float:
    import pyarrow.parquet as pq
    from imblearn.over_sampling import SMOTEN

    table = pq.read_table(path)
    x = np.column_stack([table[name].to_numpy().astype(object) for name in COLUMNS])
    y = table["label"].to_numpy()
    start = time.perf_counter()
    SMOTEN(random_state=0).fit_resample(x, y)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 200_000, 1_000_000])
    parser.add_argument("--workdir", default="/tmp/smoten_speed")
    parser.add_argument("--skip-imblearn-above", type=int, default=200_000)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    spark = bench_session()
    warmup = os.path.join(args.workdir, "data_20000.parquet")
    make_data(20_000, warmup)
    run_ours(spark, warmup)

    results: List[Dict[str, float]] = []
    for rows in args.rows:
        path = os.path.join(args.workdir, f"data_{rows}.parquet")
        make_data(rows, path)
        positives = spark.read.parquet(path).where("label = 1").count()
        theirs = run_imblearn(path) if rows <= args.skip_imblearn_above else float("nan")
        ours = run_ours(spark, path)
        results.append({"rows": rows, "positives": positives, "imblearn": theirs, **ours})
        print(
            f"rows={rows}: ours {ours['seconds']:.1f} s, imblearn {theirs:.1f} s, "
            f"worker peak {ours['worker_mb']:.0f} MB",
            flush=True,
        )

    print(
        "\n| rows | positives | ours (s) | imbalanced-learn (s) | ours / imblearn "
        "| us per row | worker peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        skipped = r["imblearn"] != r["imblearn"]  # NaN: not run
        theirs = "skipped (memory)" if skipped else f"{r['imblearn']:.1f}"
        ratio = "-" if skipped else f"{r['seconds'] / r['imblearn']:.2f}"
        print(
            f"| {r['rows']:,} | {r['positives']:,} | {r['seconds']:.1f} | {theirs} | {ratio} "
            f"| {1e6 * r['seconds'] / r['rows']:.2f} | {r['worker_mb']:.0f} |"
        )
    spark.stop()


if __name__ == "__main__":
    main()
