"""Speed of stratified_folds and stratified_split against a plain scan and Spark's own.

The input is bench_core.py's (default 2,000,000 rows: ``id``, ``label`` and
20 double features, 1 % positives, Parquet under ``--workdir``, reused when
present). Every timed run starts from ``spark.read.parquet(path)`` and ends
by writing every output row to the ``noop`` sink (each part of a split: one
write per part, as a user writes or uses both).

Variants, each against the scan (a):

* ``stratified_folds(df, 5)``, with the default row key and with ``idCol="id"``,
  against the fold column CrossValidator draws itself
  (``(rand(seed) * 5).cast("int")``: random fold sizes per class);
* ``stratified_split(df, [0.8, 0.2])`` (both parts), both row keys, against
  ``df.randomSplit([0.8, 0.2], seed)`` (both parts).

Rounds as in bench_core.py: one warm-up round, whose times are printed too
(the first calls in a new session, while the JIT compiles: what a notebook's
first run sees), then ``--repeats`` rounds, round-robin.

Run: ``.venv/bin/python benchmarks/split_speed.py [--rows 2000000] [--repeats 5]``.
No targets: the folds and splits cost a class count and one aggregation job
before the output pass (all cuts of every class in that one job).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_core import SEED, arguments, load, make_input, noop, report, rounds, session  # noqa: E402

FOLDS = 5
WEIGHTS = [0.8, 0.2]
TARGETS = {
    "scan (a)": (None, None),
    "Spark fold column (rand)": ("scan (a)", None),
    "stratified_folds": ("scan (a)", None),
    "stratified_folds, idCol": ("scan (a)", None),
    "Spark randomSplit, both parts": ("scan (a)", None),
    "stratified_split, both parts": ("scan (a)", None),
    "stratified_split, idCol, both parts": ("scan (a)", None),
}


def variants(spark, path: str):
    from pyspark.sql import functions as F

    from spark_resample import stratified_folds, stratified_split

    def read():
        return spark.read.parquet(path)

    def each(parts) -> None:
        for part in parts:
            noop(part)

    return {
        "scan (a)": lambda: noop(read()),
        "Spark fold column (rand)": lambda: noop(
            read().withColumn("fold", (F.rand(SEED) * FOLDS).cast("int"))
        ),
        "stratified_folds": lambda: noop(stratified_folds(read(), FOLDS, seed=SEED)),
        "stratified_folds, idCol": lambda: noop(
            stratified_folds(read(), FOLDS, seed=SEED, idCol="id")
        ),
        "Spark randomSplit, both parts": lambda: each(read().randomSplit(WEIGHTS, SEED)),
        "stratified_split, both parts": lambda: each(stratified_split(read(), WEIGHTS, seed=SEED)),
        "stratified_split, idCol, both parts": lambda: each(
            stratified_split(read(), WEIGHTS, seed=SEED, idCol="id")
        ),
    }


def main() -> None:
    args = arguments(__doc__.splitlines()[0])
    spark = session(args.master, "split_speed")
    try:
        path = make_input(spark, args.rows, args.workdir)
        print(
            f"input {path}; Spark {spark.version}, master {args.master}, "
            f"{args.repeats} repeats; load average at start {load()}",
            flush=True,
        )
        first, times = rounds(variants(spark, path), args.repeats)
        print("first calls (new session): " + ", ".join(f"{n} {t:.2f}" for n, t in first.items()))
        report(times, TARGETS)
        print(f"\nload average at end {load()}")
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
