"""Sampling strategy resolution: pure Python, imbalanced-learn's forms and meanings."""

import pytest
from imblearn.utils import check_sampling_strategy

from spark_resample._strategy import (
    OVER,
    UNDER,
    match_keys,
    match_label,
    resolve_targets,
    validate_strategy,
)

BINARY = {0: 900, 1: 100}
MULTI = {"a": 600, "b": 300, "c": 100}


def imblearn_final_counts(strategy, counts, kind):
    """imbalanced-learn's answer as final counts (it gives rows to add for over-sampling)."""
    import numpy as np

    y = np.concatenate([np.full(n, i) for i, n in enumerate(counts.values())])
    labels = list(counts)
    sampling_type = "over-sampling" if kind == OVER else "under-sampling"
    if isinstance(strategy, dict):
        strategy = {labels.index(k): v for k, v in strategy.items()}
    resolved = check_sampling_strategy(strategy, y, sampling_type)
    if kind == OVER:
        return {labels[i]: counts[labels[i]] + n for i, n in resolved.items()}
    return {labels[i]: n for i, n in resolved.items()}


@pytest.mark.parametrize("kind", [OVER, UNDER])
@pytest.mark.parametrize("counts", [BINARY, MULTI], ids=["binary", "multiclass"])
@pytest.mark.parametrize(
    "strategy", ["auto", "minority", "majority", "not minority", "not majority", "all"]
)
def test_named_strategies_match_imbalanced_learn(strategy, counts, kind):
    if (kind, strategy) in ((OVER, "majority"), (UNDER, "minority")):
        # imbalanced-learn refuses these; ours resolve to no-op targets.
        assert all(
            resolve_targets(strategy, counts, kind)[c] == counts[c]
            for c in resolve_targets(strategy, counts, kind)
        )
        return
    ours = resolve_targets(strategy, counts, kind)
    theirs = imblearn_final_counts(strategy, counts, kind)
    assert ours == theirs


@pytest.mark.parametrize("kind", [OVER, UNDER])
def test_classes_of_equal_size_go_to_the_smallest_label_whatever_the_counts_order(kind):
    """Spark returns the classes in an order that follows the input's
    partitioning; imbalanced-learn's first-in-y has no Spark equivalent."""
    tied_minority = [
        {0: 300, 1: 2000, 2: 300},
        {2: 300, 0: 300, 1: 2000},
        {1: 2000, 2: 300, 0: 300},
    ]
    for counts in tied_minority:
        targets = resolve_targets("minority", counts, kind)
        assert targets == ({0: 2000} if kind == OVER else {0: 300})
        # "not minority" leaves exactly the smallest of the tied labels out.
        assert set(resolve_targets("not minority", counts, kind)) == {1, 2}
    tied_majority = [{"b": 50, "a": 50, "c": 5}, {"c": 5, "a": 50, "b": 50}]
    for counts in tied_majority:
        assert resolve_targets("majority", counts, kind) == (
            {"a": 50} if kind == OVER else {"a": 5}
        )
        assert set(resolve_targets("not majority", counts, kind)) == {"b", "c"}


@pytest.mark.parametrize("kind,ratio", [(OVER, 0.5), (OVER, 1.0), (UNDER, 0.5), (UNDER, 0.25)])
def test_float_ratio_matches_imbalanced_learn(kind, ratio):
    assert resolve_targets(ratio, BINARY, kind) == imblearn_final_counts(ratio, BINARY, kind)


def test_dict_gives_final_counts():
    assert resolve_targets({1: 500}, BINARY, OVER) == {1: 500}
    assert resolve_targets({0: 200}, BINARY, UNDER) == {0: 200}
    assert resolve_targets({"a": 0}, MULTI, UNDER) == {"a": 0}


@pytest.mark.parametrize(
    "key,labels,expected",
    [
        ("1", {0: 1, 1: 1}, 1),  # int label back from JSON
        ("1.0", {0.0: 1, 1.0: 1}, 1.0),  # double label back from JSON
        ("1", {0.0: 1, 1.0: 1}, 1.0),
        (1, {0.0: 1, 1.0: 1}, 1.0),  # int key on a double label
        ("true", {True: 1, False: 1}, True),
        ("True", {True: 1, False: 1}, True),
        ("fraud", {"fraud": 1, "ok": 1}, "fraud"),
    ],
)
def test_dict_keys_restore_the_label_type(key, labels, expected):
    matched = match_label(key, labels)
    assert matched == expected and type(matched) is type(expected)


FLOAT_01 = 0.10000000149011612  # 0.1 as a 32-bit float: a FloatType label's class


@pytest.mark.parametrize("key", [0.1, "0.1", FLOAT_01])
def test_a_key_names_the_float_class_it_rounds_to(key):
    assert match_label(key, {FLOAT_01: 200, 2.5: 20}) == FLOAT_01


def test_a_key_that_rounds_to_no_float_class_is_refused():
    with pytest.raises(ValueError, match="class 0.3, which is not in the data"):
        match_label(0.3, {FLOAT_01: 200, 2.5: 20})
    with pytest.raises(ValueError, match=r"class 1e\+39, which is not in the data"):
        match_label(1e39, {FLOAT_01: 200, 2.5: 20})


def test_boolean_key_does_not_match_integer_label():
    with pytest.raises(ValueError, match="class True"):
        match_label(True, {0: 1, 1: 1})


@pytest.mark.parametrize("param", ["samplingStrategy", "classWeights", "shrinkage"])
def test_two_keys_for_one_class_are_refused(param):
    """{1: .., "1": ..}: both match class 1, and one value silently won."""
    with pytest.raises(ValueError, match=f"{param} keys 1 and '1' both name class 1"):
        match_keys({1: 10, "1": 20}, {0: 5, 1: 5}, param)
    assert match_keys({"1": 10, 0: 3}, {0: 5, 1: 5}, param) == {1: 10, 0: 3}


def test_a_strategy_with_two_keys_for_one_class_is_refused():
    with pytest.raises(ValueError, match="samplingStrategy keys 1.0 and '1'"):
        resolve_targets({1.0: 10, "1": 20}, {0: 50, 1: 5}, OVER)


def test_strategy_names_are_normalised():
    assert validate_strategy("Not_Minority") == "not minority"


@pytest.mark.parametrize(
    "strategy,error,words",
    [
        ("most", ValueError, ["'most'", "auto"]),
        (0.0, ValueError, ["(0, 1]"]),
        (1.5, ValueError, ["1.5", "(0, 1]"]),
        (-0.2, ValueError, ["-0.2"]),
        (True, TypeError, ["boolean"]),
        ([1, 2], TypeError, ["list"]),
        ({1: -5}, ValueError, ["class 1", "non-negative"]),
        ({1: 2.5}, ValueError, ["class 1", "2.5"]),
        ({1: "many"}, TypeError, ["class 1", "'many'"]),
    ],
)
def test_malformed_strategies_are_refused(strategy, error, words):
    with pytest.raises(error) as caught:
        validate_strategy(strategy)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    "strategy,counts,kind,words",
    [
        ("auto", {1: 10}, UNDER, ["single class", "1"]),
        ({2: 5}, BINARY, UNDER, ["class 2", "not in the data", "0, 1"]),
        ({"x": 5}, MULTI, OVER, ["class 'x'", "'a', 'b', 'c'"]),
        ({0: 1000}, BINARY, UNDER, ["1000 rows of class 0", "only 900", "over-sampler"]),
        ({1: 50}, BINARY, OVER, ["50 rows of class 1", "has 100", "under-sampler"]),
        (0.5, MULTI, UNDER, ["binary labels only", "3 classes"]),
        (0.05, BINARY, OVER, ["minority class 1", "at least 0.111111"]),
        (0.05, BINARY, UNDER, ["majority class 0", "at least 0.111111"]),
    ],
)
def test_strategies_that_cannot_apply_are_refused(strategy, counts, kind, words):
    with pytest.raises(ValueError) as caught:
        resolve_targets(strategy, counts, kind)
    for word in words:
        assert word in str(caught.value), str(caught.value)


@pytest.mark.parametrize("kind", [OVER, UNDER])
def test_a_callable_is_given_the_counts_as_imbalanced_learn_gives_y(kind):
    """imbalanced-learn calls a callable with y; ours gets the class counts,
    all a Spark table can hand over. The same rule gives the same targets."""
    import numpy as np

    seen = []

    def halfway(counts):  # every other class halfway to the majority's size (or minority's)
        seen.append(counts)
        goal = max(counts.values()) if kind == OVER else min(counts.values())
        return {c: (n + goal) // 2 for c, n in counts.items() if n != goal}

    ours = resolve_targets(halfway, MULTI, kind)
    assert seen == [MULTI]
    assert ours == ({"b": 450, "c": 350} if kind == OVER else {"a": 350, "b": 200})
    labels = list(MULTI)
    y = np.concatenate([np.full(n, i) for i, n in enumerate(MULTI.values())])

    def halfway_of_y(y):
        counts = {labels[i]: int(n) for i, n in zip(*np.unique(y, return_counts=True))}
        return {labels.index(c): n for c, n in halfway(counts).items()}

    resolved = check_sampling_strategy(halfway_of_y, y, kind)
    theirs = {labels[i]: n + (MULTI[labels[i]] if kind == OVER else 0) for i, n in resolved.items()}
    assert ours == theirs


def test_what_a_callable_returns_is_checked():
    with pytest.raises(TypeError, match=r"callable \(.*<lambda>\), which must return a dict"):
        resolve_targets(lambda counts: [1], BINARY, UNDER)
    with pytest.raises(ValueError, match="1000 rows of class 0"):
        resolve_targets(lambda counts: {0: 1000}, BINARY, UNDER)
    with pytest.raises(ValueError, match="class 7"):
        resolve_targets(lambda counts: {7: 10}, BINARY, UNDER)
    # A class is callable but is no strategy.
    with pytest.raises(TypeError, match="or a callable returning one; got type"):
        validate_strategy(dict)


def test_labels_of_every_type():
    for counts in ({0: 9, 1: 1}, {0.0: 9, 1.0: 1}, {"no": 9, "yes": 1}, {False: 9, True: 1}):
        minority = min(counts, key=counts.get)
        majority = max(counts, key=counts.get)
        assert resolve_targets("auto", counts, OVER) == {minority: 9}
        assert resolve_targets("auto", counts, UNDER) == {majority: 1}


def test_numpy_scalars_count_as_the_python_values_they_hold():
    """Keys and counts built with numpy or pandas (np.unique, dict(value_counts()))."""
    import numpy as np

    classes, counts = np.unique(np.array([0] * 90 + [1] * 10), return_counts=True)
    assert resolve_targets(dict(zip(classes, counts // 2)), {0: 90, 1: 10}, UNDER) == {
        0: 45,
        1: 5,
    }
    normalised = validate_strategy({np.int64(1): np.int64(40)})
    assert normalised == {1: 40}
    assert [type(v) for pair in normalised.items() for v in pair] == [int, int]
    assert resolve_targets({np.float64(1.0): np.int32(40)}, {0.0: 90, 1.0: 10}, OVER) == {1.0: 40}
    assert resolve_targets({np.str_("b"): np.uint8(40)}, {"a": 90, "b": 10}, OVER) == {"b": 40}
    assert resolve_targets({np.bool_(True): np.int64(40)}, {False: 90, True: 10}, OVER) == {
        True: 40
    }
    assert validate_strategy(np.float32(0.5)) == 0.5
    assert type(validate_strategy(np.float32(0.5))) is float
    # A numpy boolean is no more a count than a Python one.
    with pytest.raises(TypeError, match="class 1"):
        validate_strategy({1: np.bool_(True)})


def test_the_module_does_not_import_spark():
    import subprocess
    import sys

    # Import the file directly: the package __init__ imports pyspark on purpose.
    code = (
        "import importlib.util, sys; "
        "spec = importlib.util.spec_from_file_location('s', 'spark_resample/_strategy.py'); "
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); "
        "sys.exit(any(k.startswith('pyspark') for k in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
