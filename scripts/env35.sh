#!/usr/bin/env bash
# Creates (first use) the Spark 3.5 environment .venv-spark35 — newest pyspark 3.5.x
# with the pins it needs — and installs the project into it. Prints its python path.
# Databricks LTS runtimes still ship Spark 3.5, so CI runs a smoke set there.
#   numpy<2:    pyspark 3.5's pandas/Arrow conversion predates NumPy 2.
#   pandas<2.3: pyspark 3.5 is tested up to pandas 2.2.
#   pyarrow<17: newer pyarrow wheels need NumPy 2.
# imbalanced-learn and build are for the whole suite on Spark 3.5
# (SPARK_RESAMPLE_SPARK35_FULL=1 scripts/test.sh): the reference tests and the wheel test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV35="${SPARK_RESAMPLE_VENV35:-$ROOT/.venv-spark35}"
PYTHON_BIN="${PYTHON:-python3}"
REQS=("pyspark>=3.5,<3.6" "numpy<2" "pandas>=1.5,<2.3" "pyarrow>=11,<17" "pytest>=7" "chispa>=0.10" "scipy"
  "imbalanced-learn>=0.12" "build>=1")

if [ ! -x "$VENV35/bin/python" ]; then
  echo "Creating the Spark 3.5 environment in $VENV35" >&2
  "$PYTHON_BIN" -m venv "$VENV35"
fi
stamp="$VENV35/.stamp-spark-resample"
want=$( (cat "$ROOT/pyproject.toml"; printf '%s\n' "${REQS[@]}") | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing pyspark 3.5 and spark-resample into $VENV35 (a few minutes the first time)" >&2
  "$VENV35/bin/python" -m pip install -q "${REQS[@]}" -e "$ROOT" >&2
  echo "$want" > "$stamp"
fi
echo "$VENV35/bin/python"
