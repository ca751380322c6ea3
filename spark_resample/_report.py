"""A per-class report of a classifier's predictions, as imbalanced-learn's
``classification_report_imbalanced``: precision, recall, specificity, F1,
geometric mean and index balanced accuracy of every class, with their
support-weighted averages.

One aggregation job counts (label, prediction) pairs (the same as
``ImbalancedClassificationEvaluator``'s); only the confusion matrix's cells
that hold rows reach the driver.
"""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Union

from ._evaluation import Tallies, checked_confusion

HEADERS = ("pre", "rec", "spe", "f1", "geo", "iba", "sup")
_AVERAGE_ROW = "avg / total"


def classification_report_imbalanced(
    dataset: Any,
    labelCol: str = "label",
    predictionCol: str = "prediction",
    weightCol: Optional[str] = None,
    *,
    digits: int = 2,
    alpha: float = 0.1,
    outputDict: bool = False,
) -> Union[str, Dict[str, Any]]:
    """Per-class metrics of the predictions in ``dataset``, as
    imbalanced-learn's ``classification_report_imbalanced(y_true, y_pred)``
    (``sample_weight`` = ``weightCol``).

    For each class of the labels and predictions (one against the rest):
    ``pre`` precision, ``rec`` recall (sensitivity), ``spe`` specificity,
    ``f1``, ``geo`` sqrt(recall x specificity), ``iba`` the index balanced
    accuracy (1 + ``alpha`` (recall - specificity)) x geo², and ``sup`` the
    support (rows, or their weight, labelled so). Undefined ratios are 0. The
    last row averages each metric weighted by support, and totals it.

    Returns the report as text (``digits`` decimals), or with
    ``outputDict=True`` as imbalanced-learn's dictionary: ``{str(label):
    {"pre": ..., ..., "sup": ...}, "avg_pre": ..., ..., "total_support": ...}``,
    labels as Spark ML gives them (doubles: "0.0", "1.0").

    Example::

        print(classification_report_imbalanced(model.transform(test), labelCol="is_fraud"))
    """
    for name, value in (("digits", digits), ("alpha", alpha)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ValueError(f"{name} must be a number >= 0, got {value!r}.")
    if isinstance(digits, float) and not digits.is_integer():
        raise ValueError(f"digits must be a whole number, got {digits!r}.")
    cells = checked_confusion(
        dataset, labelCol, predictionCol, weightCol, "classification_report_imbalanced"
    )
    report = _report(Tallies(cells), alpha, weighted=bool(weightCol))
    return report if outputDict else _as_text(report, int(digits))


def _report(tallies: Tallies, alpha: float, weighted: bool) -> Dict[str, Any]:
    report: Dict[str, Any] = {}
    for c in tallies.classes:
        recall, specificity = tallies.recall(c), tallies.specificity(c)
        geo = math.sqrt(recall * specificity)
        support = tallies.true.get(c, 0.0)
        report[str(c)] = {
            "pre": tallies.precision(c),
            "rec": recall,
            "spe": specificity,
            "f1": tallies.f1(c),
            "geo": geo,
            "iba": (1 + alpha * (recall - specificity)) * geo**2,
            # Counted rows are whole numbers (sums of 1.0, exact); weights need not be.
            "sup": support if weighted else int(support),
        }
    rows = list(report.values())
    total = sum(row["sup"] for row in rows)
    for header in HEADERS[:-1]:
        report[f"avg_{header}"] = sum(row[header] * row["sup"] for row in rows) / total
    report["total_support"] = total
    return report


def _as_text(report: Dict[str, Any], digits: int) -> str:
    """The report laid out as imbalanced-learn prints it."""
    labels = [key for key, value in report.items() if isinstance(value, dict)]
    width = max([len(label) for label in labels] + [len(_AVERAGE_ROW), digits])

    def line(first: str, cells: List[str]) -> str:
        return f"{first:>{width}}  " + " ".join(f"{cell:>9}" for cell in cells) + "\n"

    def number(value: float) -> str:
        return f"{value:0.{digits}f}"

    text = line("", list(HEADERS)) + "\n"
    for label in labels:
        row = report[label]
        text += line(label, [number(row[h]) for h in HEADERS[:-1]] + [f"{row['sup']}"])
    averages = [number(report[f"avg_{h}"]) for h in HEADERS[:-1]]
    return text + "\n" + line(_AVERAGE_ROW, averages + [f"{report['total_support']}"])
