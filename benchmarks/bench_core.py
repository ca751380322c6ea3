"""Speed of the random samplers against a plain scan and against Spark's own sampling.

The input (default 2,000,000 rows: ``id``, ``label`` and 20 double features,
1 % positives) is generated once with
``spark_resample.datasets.make_imbalanced(spark, rows, 20, (0.99, 0.01), seed=0)``
and written as Parquet under ``--workdir`` (reused when present). Every timed
run starts from ``spark.read.parquet(path)``, so a sampler's fit (its class
count) reads only the label column, as in real use, and ends by writing every
output row to the ``noop`` sink. Times are wall clock for the whole call, fit
included for our samplers (``sampler.resample(df).write.format("noop")...``).

Variants:

* baselines: (a) ``df`` to noop (the scan); (b) ``df.unionByName(df)`` to noop
  (the scan an oversampler that doubles its input can be held to);
* ``RandomUnderSampler`` to 1:1 ("auto"), approximate and ``exact=True``, each
  with the default row key (a hash of all columns) and with ``idCol="id"``;
  ratio against (a);
* ``RandomOverSampler`` to 1:1, approximate and exact, both row keys; ratio
  against (b);
* Spark's own: ``df.sampleBy("label", fractions, seed)`` with the
  undersampler's keep fractions (known beforehand, so no count) against (a);
  ``minority.sample(True, added / minority, seed).unionByName(df)`` against (b);
* for the analysis, not targets: the undersampler's ``fit`` alone, and the
  sampling pass alone (``model.transform(df)`` of a model fitted on ``df``
  outside the timed call) for both undersamplers and the approximate
  oversampler, to show the fit's share.

One warm-up round runs every variant once; then each of ``--repeats`` rounds
runs every variant once, round-robin, starting one variant later each round,
so that load from other processes on the machine hits all variants alike.
Reported: the median time per variant, the ratio of medians to the baseline,
and the median of the per-round ratios (the baseline of the same round).

Run: ``.venv/bin/python benchmarks/bench_core.py [--rows 2000000] [--repeats 5]``.
Targets (issue 4), ratios against the noop baseline: approximate undersampling
<= 1.3 and exact undersampling <= 2.0 against (a); oversampling to balance
<= 1.5 against (b).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple, Union

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

N_FEATURES = 20
SEED = 0

# name -> (baseline name, target ratio or None)
TARGETS: Dict[str, Tuple[Optional[str], Optional[float]]] = {
    "scan (a)": (None, None),
    "scan of df ∪ df (b)": (None, None),
    "RUS approximate": ("scan (a)", 1.3),
    "RUS exact": ("scan (a)", 2.0),
    "RUS approximate, idCol": ("scan (a)", 1.3),
    "RUS exact, idCol": ("scan (a)", 2.0),
    "Spark sampleBy": ("scan (a)", None),
    "RUS approximate, replacement": ("scan (a)", None),
    "RUS exact, replacement": ("scan (a)", None),
    "RUS fit only": ("scan (a)", None),
    "RUS approximate, transform only": ("scan (a)", None),
    "RUS exact, transform only": ("scan (a)", None),
    "RUS exact, weightCol": ("scan (a)", None),
    "ROS approximate": ("scan of df ∪ df (b)", 1.5),
    "ROS exact": ("scan of df ∪ df (b)", 1.5),
    "ROS approximate, idCol": ("scan of df ∪ df (b)", 1.5),
    "ROS exact, idCol": ("scan of df ∪ df (b)", 1.5),
    "Spark sample(withReplacement) ∪ df": ("scan of df ∪ df (b)", None),
    "ROS approximate, transform only": ("scan of df ∪ df (b)", None),
}


class Untimed(NamedTuple):
    """A variant whose set-up stays out of the timed call: ``setup()`` runs
    first and returns the callable that is timed."""

    setup: Callable[[], Callable[[], None]]


Variant = Union[Callable[[], None], Untimed]


def make_input(spark, rows: int, workdir: str) -> str:
    """Write the generated table once; later runs reuse it."""
    from spark_resample.datasets import make_imbalanced

    path = os.path.join(workdir, f"core_{rows}x{N_FEATURES}.parquet")
    if os.path.exists(os.path.join(path, "_SUCCESS")):
        return path
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    df = make_imbalanced(spark, rows, N_FEATURES, (0.99, 0.01), seed=SEED, num_partitions=8)
    df.write.mode("overwrite").parquet(tmp)
    shutil.rmtree(path, ignore_errors=True)
    os.rename(tmp, path)
    return path


def noop(df) -> None:
    df.write.format("noop").mode("overwrite").save()


def variants(spark, path: str, counts: Dict[int, int]) -> Dict[str, Variant]:
    from pyspark.sql import functions as F

    from spark_resample import RandomOverSampler, RandomUnderSampler

    n_major, n_minor = counts[0], counts[1]
    keep = {0: n_minor / n_major, 1: 1.0}
    added = n_major - n_minor

    def read():
        return spark.read.parquet(path)

    def under(**kw):
        return lambda: noop(RandomUnderSampler(seed=SEED, **kw).resample(read()))

    def weighted_under(**kw):
        # Uneven weights from the id (the table has none): the class count
        # and the cut sum them (_weight_sum), the output rescales them.
        def run():
            df = read().withColumn("w", F.expr("0.5D + (id % 1000) / 1000D"))
            noop(RandomUnderSampler(seed=SEED, weightCol="w", **kw).resample(df))

        return run

    def over(**kw):
        return lambda: noop(RandomOverSampler(seed=SEED, **kw).resample(read()))

    def transform_only(cls, **kw):
        # Fitted outside the timed call, on the very DataFrame it then resamples.
        def run():
            df = read()
            model = cls(seed=SEED, **kw).fit(df)
            return lambda: noop(model.transform(df))

        return Untimed(run)

    def spark_over():
        df = read()
        minority = df.where(F.col("label") == 1)
        noop(minority.sample(True, added / n_minor, SEED).unionByName(df))

    def union():
        df = read()
        noop(df.unionByName(df))

    return {
        "scan (a)": lambda: noop(read()),
        "scan of df ∪ df (b)": union,
        "RUS approximate": under(),
        "RUS exact": under(exact=True),
        "RUS approximate, idCol": under(idCol="id"),
        "RUS exact, idCol": under(exact=True, idCol="id"),
        "Spark sampleBy": lambda: noop(read().sampleBy("label", keep, SEED)),
        "RUS approximate, replacement": under(replacement=True),
        "RUS exact, replacement": under(exact=True, replacement=True),
        "RUS fit only": lambda: RandomUnderSampler(seed=SEED).fit(read()),
        "RUS approximate, transform only": transform_only(RandomUnderSampler),
        "RUS exact, transform only": transform_only(RandomUnderSampler, exact=True),
        "RUS exact, weightCol": weighted_under(exact=True),
        "ROS approximate": over(),
        "ROS exact": over(exact=True),
        "ROS approximate, idCol": over(idCol="id"),
        "ROS exact, idCol": over(exact=True, idCol="id"),
        "Spark sample(withReplacement) ∪ df": spark_over,
        "ROS approximate, transform only": transform_only(RandomOverSampler),
    }


def timed(run: Variant) -> float:
    """Wall time of one run of a variant (without an ``Untimed`` set-up)."""
    if isinstance(run, Untimed):
        run = run.setup()
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def arguments(description: str, only: bool = False) -> argparse.Namespace:
    """The benchmarks' common options (``--only`` where asked); makes ``--workdir``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workdir", default="work/bench")
    parser.add_argument("--master", default="local[2]")
    if only:
        parser.add_argument(
            "--only", nargs="*", help="run only variants whose name contains one of these"
        )
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    return args


def session(master: str, name: str):
    """A session as the benchmarks run: code generation and AQE on (Spark's defaults)."""
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master(master)
        .appName(name)
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def rounds(
    runs: Dict[str, Variant], repeats: int
) -> Tuple[Dict[str, float], Dict[str, List[float]]]:
    """One warm-up round, then ``repeats`` rounds, each variant once per
    round, round-robin from one variant later each round, so that load from
    other processes hits all variants alike: (warm-up times, times per round)."""
    names = list(runs)
    first = {name: timed(runs[name]) for name in names}
    times: Dict[str, List[float]] = {name: [] for name in names}
    for r in range(repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            times[name].append(timed(runs[name]))
        print(
            f"round {r + 1}: "
            + ", ".join(f"{name} {times[name][-1]:.2f}" for name in names)
            + f"; load {load()}",
            flush=True,
        )
    return first, times


def main() -> None:
    args = arguments(__doc__.splitlines()[0], only=True)
    spark = session(args.master, "bench_core")
    try:
        path = make_input(spark, args.rows, args.workdir)
        counts = {
            row["label"]: row["count"]
            for row in spark.read.parquet(path).groupBy("label").count().collect()
        }
        print(
            f"input {path}: {sum(counts.values()):,} rows, classes {dict(sorted(counts.items()))}; "
            f"Spark {spark.version}, master {args.master}, {args.repeats} repeats; "
            f"load average at start {load()}",
            flush=True,
        )
        runs = variants(spark, path, counts)
        if args.only:
            runs = {
                k: v
                for k, v in runs.items()
                if TARGETS[k][0] is None or any(s in k for s in args.only)
            }
        _, times = rounds(runs, args.repeats)
        report(times)
        print(f"\nload average at end {load()}")
    finally:
        spark.stop()


def report(
    times: Dict[str, List[float]],
    targets: Dict[str, Tuple[Optional[str], Optional[float]]] = TARGETS,
) -> None:
    """A Markdown table: each variant's median, and its ratio to its baseline
    (``targets``: name -> (baseline name, target ratio or None))."""
    median = {name: statistics.median(t) for name, t in times.items()}
    print(
        "\n| variant | median (s) | min-max (s) | vs | ratio of medians "
        "| median per-round ratio | target | result |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---|")
    for name, t in times.items():
        base, target = targets[name]
        if base is None or base not in times:
            ratio = paired = "" if base else "1.00"
            vs, verdict, tgt = "", "", ""
        else:
            r = median[name] / median[base]
            p = statistics.median(a / b for a, b in zip(t, times[base]))
            ratio, paired, vs = f"{r:.2f}", f"{p:.2f}", base.split(" ")[-1]
            tgt = f"<= {target}" if target else ""
            verdict = ("PASS" if r <= target else "MISS") if target else ""
        print(
            f"| {name} | {median[name]:.2f} | {min(t):.2f}-{max(t):.2f} | {vs} | {ratio} "
            f"| {paired} | {tgt} | {verdict} |"
        )


if __name__ == "__main__":
    main()
