"""The built wheel installs and runs on its own (issue 6 item 6).

What ``%pip install spark-resample`` does on Databricks: install the wheel
into an environment that already has Spark and the scientific stack, then
import and run a sampler. The environment is tests/packaging.py's bare venv
(the main environment's packages, but not spark_resample); the wheel goes in
with ``--no-deps`` because the index here is not where it is published.
"""

from __future__ import annotations

import json
import subprocess
import zipfile

import pytest

from .conftest import fast_start
from .packaging import bare_venv, build_wheel, clean_env, pip_install, site_packages

pytestmark = pytest.mark.classic_only  # runs its own Spark in a subprocess

RUN_A_SAMPLER = """
import json, spark_resample
from pyspark.sql import SparkSession
from spark_resample import RandomUnderSampler
spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "2").getOrCreate())
df = spark.createDataFrame([(i, int(i % 10 == 0)) for i in range(200)], "id long, label int")
model = RandomUnderSampler(exact=True, seed=3).fit(df)
out = model.transform(df)
counts = {str(r.label): r["count"] for r in out.groupBy("label").count().collect()}
print(json.dumps({"file": spark_resample.__file__, "version": spark_resample.__version__,
                  "counts": counts}))
spark.stop()
"""


@pytest.fixture(scope="module")
def wheel():
    return build_wheel()


def metadata(wheel) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name).decode()


def test_wheel_ships_the_package_and_py_typed_only(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "spark_resample/py.typed" in names
    assert "spark_resample/__init__.py" in names and "spark_resample/jobs.py" in names
    top_level = {n.split("/")[0] for n in names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"spark_resample"}, top_level


def test_wheel_metadata_keeps_pyspark_an_extra(wheel):
    requires = [
        line.split(":", 1)[1].strip()
        for line in metadata(wheel).splitlines()
        if line.startswith("Requires-Dist:")
    ]
    plain = [r for r in requires if "extra ==" not in r]
    for package in ("numpy", "pandas", "pyarrow", "scikit-learn"):
        assert any(r.startswith(package) for r in plain), (package, plain)
    assert any(r.startswith("pandas") and "<3" in r for r in plain), plain
    # %pip install must not replace the cluster's own Spark.
    assert not any(r.startswith("pyspark") for r in plain), plain
    assert any(r.startswith("pyspark") and 'extra == "spark"' in r for r in requires), requires


def test_installed_wheel_imports_and_runs_a_sampler(wheel, tmp_path):
    python = bare_venv("wheel")
    pip_install(python, "--no-deps", str(wheel))
    done = subprocess.run(
        [str(python), "-c", RUN_A_SAMPLER],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),  # not the checkout: the import must come from the install
        env=fast_start(clean_env(PYSPARK_PYTHON=str(python), PYSPARK_DRIVER_PYTHON=str(python))),
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["file"].startswith(site_packages(python)), result
    assert result["version"] in wheel.name
    assert result["counts"] == {"0": 20, "1": 20}
