"""Quality of spark-resample's SMOTE family against imbalanced-learn's.

For each dataset and each stratified training fold, the same classifier is
trained on (a) the fold as is, (b) imbalanced-learn's resampled fold and
(c) ours (on Spark, local[2]); all are scored on the untouched test fold.
Datasets: scikit-learn's ``make_classification`` at several imbalance ratios,
and the bundled breast-cancer and digits data made imbalanced (no download).

Our SMOTE runs twice: with the default bucket bound (one bucket on these
sizes, i.e. exact k-NN) and with ``maxBucketSize=64`` (several buckets per
class), which measures the cost of the locality approximation. BorderlineSMOTE
and ADASYN also run twice: with every majority row searched as a neighbour,
and with ``maxOtherRows=256`` (a sample of the majority, each row counting for
the rows it stands for), which measures the cost of that estimate.

SMOTEN, for categorical features only, runs on the ``make_classification``
data with every feature cut into 5 quantile bins (categories 0-4), the
classifier then trained on the one-hot encoded categories.

Run: ``.venv/bin/python benchmarks/smote_quality.py [--folds 5] [--repeats 2]``.
Acceptance: mean PR-AUC of our SMOTE within 0.01 of imbalanced-learn's on
every dataset; every number is printed, misses included.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Callable, Dict, List, Tuple

import numpy as np
from sklearn.datasets import load_breast_cancer, load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    roc_auc_score,
)
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.preprocessing import OneHotEncoder, StandardScaler

os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

METRICS = ("PR-AUC", "ROC-AUC", "F1", "bal.acc")


def _imbalanced(x: np.ndarray, y: np.ndarray, positives: int, seed: int):
    rng = np.random.default_rng(seed)
    pos = rng.choice(np.flatnonzero(y == 1), size=positives, replace=False)
    keep = np.sort(np.concatenate([np.flatnonzero(y == 0), pos]))
    return x[keep], y[keep]


def _binned(x: np.ndarray, bins: int = 5) -> np.ndarray:
    """Each feature cut at its quantiles into ``bins`` categories 0, 1, ..."""
    cuts = np.linspace(0, 1, bins + 1)[1:-1]
    return np.column_stack([np.searchsorted(np.quantile(f, cuts), f) for f in x.T])


# Datasets whose features are categories (integer codes), for SMOTEN.
CATEGORICAL = "binned "


def datasets() -> Dict[str, Tuple[np.ndarray, np.ndarray]]:
    out = {}
    binned = {}
    for minority in (0.10, 0.05, 0.02):
        x, y = make_classification(
            n_samples=4000,
            n_features=20,
            n_informative=6,
            n_redundant=4,
            weights=[1 - minority],
            class_sep=0.8,
            flip_y=0.01,
            random_state=42,
        )
        out[f"make_classification {minority:.0%}"] = (x, y)
        binned[f"{CATEGORICAL}make_classification {minority:.0%}"] = (_binned(x), y)
    cancer = load_breast_cancer()  # 1 = benign in scikit-learn: make malignant the positive
    out["breast_cancer (40 malignant)"] = _imbalanced(cancer.data, 1 - cancer.target, 40, 0)
    digits = load_digits()
    out["digits 0 vs rest (60 zeros)"] = _imbalanced(
        digits.data, (digits.target == 0).astype(int), 60, 0
    )
    return {**out, **binned}


def score(x_train, y_train, x_test, y_test, categorical: bool = False) -> List[float]:
    if categorical:
        scaler = OneHotEncoder(handle_unknown="ignore").fit(x_train)
    else:
        scaler = StandardScaler().fit(x_train)
    clf = LogisticRegression(max_iter=5000).fit(scaler.transform(x_train), y_train)
    proba = clf.predict_proba(scaler.transform(x_test))[:, 1]
    pred = (proba >= 0.5).astype(int)
    return [
        average_precision_score(y_test, proba),
        roc_auc_score(y_test, proba),
        f1_score(y_test, pred),
        balanced_accuracy_score(y_test, pred),
    ]


def spark_resampler(spark, make: Callable) -> Callable:
    from pyspark.ml.linalg import Vectors

    def resample(x: np.ndarray, y: np.ndarray):
        rows = [(int(label), Vectors.dense(v.tolist())) for v, label in zip(x, y)]
        df = spark.createDataFrame(rows, ["label", "features"])
        out = make().resample(df).select("label", "features").collect()
        return np.array([r.features.toArray() for r in out]), np.array([r.label for r in out])

    return resample


def spark_categorical_resampler(spark, make: Callable) -> Callable:
    """As ``spark_resampler``, the features as integer columns (categories)."""

    def resample(x: np.ndarray, y: np.ndarray):
        names = [f"c{j}" for j in range(x.shape[1])]
        rows = [(int(label), *map(int, v)) for v, label in zip(x, y)]
        df = spark.createDataFrame(rows, ["label", *names])
        out = make(names).resample(df).select("label", *names).collect()
        return np.array([[r[n] for n in names] for r in out]), np.array([r.label for r in out])

    return resample


def samplers(spark, methods: List[str]) -> Dict[str, Tuple[Callable, Callable]]:
    """name -> (imbalanced-learn's fit_resample, ours), for what both offer
    (only names containing one of ``methods``, if given)."""
    import imblearn.over_sampling as imb

    import spark_resample as ours

    pairs = {
        "SMOTE": (imb.SMOTE(random_state=0), lambda: ours.SMOTE(seed=0)),
        "SMOTE bucket<=64": (
            imb.SMOTE(random_state=0),
            lambda: ours.SMOTE(seed=0, maxBucketSize=64),
        ),
    }
    if hasattr(ours, "BorderlineSMOTE"):
        pairs["BorderlineSMOTE-1"] = (
            imb.BorderlineSMOTE(random_state=0),
            lambda: ours.BorderlineSMOTE(seed=0),
        )
    if hasattr(ours, "ADASYN"):
        pairs["ADASYN"] = (imb.ADASYN(random_state=0), lambda: ours.ADASYN(seed=0))
    # The same two with a sample of the other class's rows in each bucket: 256
    # of the 3,200-3,800 majority rows of a training fold (each standing for
    # 12-15), which measures the cost of the maxOtherRows estimate.
    pairs["BorderlineSMOTE-1 others<=256"] = (
        imb.BorderlineSMOTE(random_state=0),
        lambda: ours.BorderlineSMOTE(seed=0, maxOtherRows=256),
    )
    pairs["ADASYN others<=256"] = (
        imb.ADASYN(random_state=0),
        lambda: ours.ADASYN(seed=0, maxOtherRows=256),
    )
    if methods:
        pairs = {name: pair for name, pair in pairs.items() if any(m in name for m in methods)}
    found = {
        name: (imblearn.fit_resample, spark_resampler(spark, make))
        for name, (imblearn, make) in pairs.items()
    }
    if hasattr(ours, "SMOTEN"):
        # Once in one bucket per class (exact k-NN), once in buckets of <= 64
        # rows, which measures the locality approximation on categories.
        for name, bound in (("SMOTEN", 4096), ("SMOTEN bucket<=64", 64)):
            if not methods or any(m in name for m in methods):
                found[name] = (
                    imb.SMOTEN(random_state=0).fit_resample,
                    spark_categorical_resampler(
                        spark,
                        lambda names, bound=bound: ours.SMOTEN(
                            inputCols=names, seed=0, maxBucketSize=bound
                        ),
                    ),
                )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", help="run only the datasets whose name contains this")
    parser.add_argument(
        "--methods", nargs="*", default=[], help="run only the methods whose name contains one"
    )
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    methods = samplers(spark, args.methods)
    misses = []
    started = time.time()
    print(
        f"{args.repeats} x {args.folds}-fold stratified CV; LogisticRegression on scaled features"
    )
    print("mean over folds; 'ours-imb' is the PR-AUC difference\n")
    header = f"{'dataset':30s} {'method':40s} " + " ".join(f"{m:>8s}" for m in METRICS)
    for name, (x, y) in datasets().items():
        categorical = name.startswith(CATEGORICAL)
        # SMOTEN on categorical data only, the others on numeric data only.
        fitting = {m: pair for m, pair in methods.items() if m.startswith("SMOTEN") == categorical}
        if not fitting or (args.only and args.only not in name):
            continue
        print(f"{name}: {len(y)} rows, {int(y.sum())} positives")
        print(header)
        cv = RepeatedStratifiedKFold(n_splits=args.folds, n_repeats=args.repeats, random_state=1)
        results: Dict[str, List[List[float]]] = {}
        refused: Dict[str, str] = {}
        for train, test in cv.split(x, y):
            results.setdefault("no resampling", []).append(
                score(x[train], y[train], x[test], y[test], categorical)
            )
            for method, (theirs, ours) in fitting.items():
                if method in refused:
                    continue
                for who, resample in (("imblearn", theirs), ("ours", ours)):
                    try:
                        xr, yr = resample(x[train], y[train])
                    except (ValueError, RuntimeError) as error:  # e.g. nothing in danger
                        refused[method] = f"{who} refused: {str(error)[:90]}"
                        break
                    results.setdefault(f"{method} {who}", []).append(
                        score(xr, yr, x[test], y[test], categorical)
                    )
        for method, values in results.items():
            if method.rsplit(" ", 1)[0] in refused:
                continue
            mean = np.mean(values, axis=0)
            print(f"{name[:30]:30s} {method:40s} " + " ".join(f"{v:8.4f}" for v in mean))
        for method, reason in refused.items():
            print(f"{name[:30]:30s} {method:40s} {reason}")
        for method in (m for m in fitting if m not in refused):
            diff = (
                np.mean(results[f"{method} ours"], axis=0)[0]
                - np.mean(results[f"{method} imblearn"], axis=0)[0]
            )
            ok = abs(diff) <= 0.01
            print(f"{'':30s} {method + ' ours-imb':40s} {diff:+8.4f} {'ok' if ok else 'MISS'}")
            if not ok:
                misses.append((name, method, diff))
        print()
    print(f"done in {time.time() - started:.0f} s; PR-AUC misses (|ours - imblearn| > 0.01):")
    for name, method, diff in misses:
        print(f"  {name}: {method} {diff:+.4f}")
    if not misses:
        print("  none")
    spark.stop()


if __name__ == "__main__":
    main()
