"""Python worker memory and time of the SMOTE family at a high class ratio.

The data: ``--rows`` rows x 20 features, ``--positive-share`` positives
(default 1M rows, 0.4 %: about 4,000 positives, which fit one bucket of the
default ``maxBucketSize`` 4096). Balancing 1:1 then asks one bucket for
about 250 synthetic rows per row, and every row of the other class falls in
that bucket's region, the two things that are not bounded by the bucket size
alone. Each run on ``local[2]`` writes the output to the ``noop`` sink while
a thread polls the resident memory of every Python worker
(``smote_speed.WorkerMemory``):

* SMOTE;
* BorderlineSMOTE and ADASYN with the default ``maxOtherRows`` (65536), and
  with ``--no-bound`` also with ``maxOtherRows`` = the row count (every other
  row joins the bucket, as before the bound existed; minutes per run).

One untimed run on a small table first warms the JVM and the workers up.

Run: ``.venv/bin/python benchmarks/worker_memory.py [--rows 1000000]
[--positive-share 0.004] [--no-bound] [--samplers SMOTE ADASYN]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smote_speed import FEATURES, WorkerMemory, bench_session, make_data  # noqa: E402

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)


def run(spark, cls, path: str, bound: Optional[int]):
    df = spark.read.parquet(path)
    params = {} if bound is None else {"maxOtherRows": bound}
    sampler = cls(inputCols=FEATURES, seed=0, **params)
    with WorkerMemory() as memory:
        start = time.perf_counter()
        sampler.resample(df).write.format("noop").mode("overwrite").save()
        seconds = time.perf_counter() - start
    return seconds, memory.peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--positive-share", type=float, default=0.004)
    parser.add_argument("--workdir", default="/tmp/worker_memory")
    parser.add_argument("--no-bound", action="store_true", help="also run without maxOtherRows")
    parser.add_argument(
        "--samplers", nargs="*", default=[], help="run only these samplers (class names)"
    )
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)

    from spark_resample import ADASYN, SMOTE, BorderlineSMOTE

    spark = bench_session()
    warmup = os.path.join(args.workdir, "warmup.parquet")
    make_data(20_000, warmup)
    run(spark, BorderlineSMOTE, warmup, None)
    path = os.path.join(args.workdir, f"data_{args.rows}_{args.positive_share}.parquet")
    make_data(args.rows, path, positive_share=args.positive_share)
    positives = spark.read.parquet(path).where("label = 1").count()
    print(f"{args.rows:,} rows, {positives:,} positives, 20 features, local[2]")
    print("| sampler | maxOtherRows | time (s) | worker peak RSS (MB) |")
    print("|---|---:|---:|---:|")
    runs = [(SMOTE, None, "")]
    for cls in (BorderlineSMOTE, ADASYN):
        runs.append((cls, 65536, "65,536 (default)"))
        if args.no_bound:
            runs.append((cls, args.rows, f"{args.rows:,} (no bound)"))
    if args.samplers:
        runs = [r for r in runs if r[0].__name__ in args.samplers]
    for cls, bound, label in runs:
        seconds, mb = run(spark, cls, path, bound)
        print(f"| {cls.__name__} | {label} | {seconds:.1f} | {mb:.0f} |", flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
