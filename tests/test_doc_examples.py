"""The examples in the library's docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import spark_resample

MODULES = sorted(m.name for m in pkgutil.iter_modules(spark_resample.__path__, "spark_resample."))

pytestmark = pytest.mark.classic_only  # no Spark needed: once is enough


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False)
    assert failures == 0, f"{failures} docstring example(s) of {name} failed; see the output above"


def test_the_examples_are_found():
    # A rename that hid every example from doctest would pass the test above.
    found = sum(
        len(test.examples)
        for name in MODULES
        for test in doctest.DocTestFinder().find(importlib.import_module(name))
    )
    assert found >= 10, found
