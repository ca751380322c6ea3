# Sourced by the other scripts: checks Java and Python, creates the virtual
# environment (.venv, or $SPARK_RESAMPLE_VENV) on first use, installs the project
# with its extras when pyproject.toml changed, and points PySpark at it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SPARK_RESAMPLE_VENV:-$ROOT/.venv}"
PYTHON_BIN="${PYTHON:-python3}"

die() { echo "error: $*" >&2; exit 1; }

check_java() {
  local java_cmd="java"
  [ -n "${JAVA_HOME:-}" ] && java_cmd="$JAVA_HOME/bin/java"
  if ! command -v "$java_cmd" >/dev/null 2>&1; then
    die "Java 17 or newer is needed by Spark and was not found. Install it (Debian/Ubuntu:
  apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) or set JAVA_HOME."
  fi
  local version major
  version=$("$java_cmd" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')
  major=${version%%.*}
  [ "$major" = "1" ] && major=$(echo "$version" | cut -d. -f2)
  if [ -z "$major" ] || [ "$major" -lt 17 ]; then
    die "Java $version found; Spark 4 needs Java 17 or newer. Install openjdk-17 and set JAVA_HOME."
  fi
}

check_python() {
  command -v "$PYTHON_BIN" >/dev/null 2>&1 || die "$PYTHON_BIN not found; install Python 3.9+ or set PYTHON."
  "$PYTHON_BIN" -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
    || die "$("$PYTHON_BIN" --version) is too old; spark-resample needs Python 3.9+ (set PYTHON)."
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating virtual environment in $VENV" >&2
    "$PYTHON_BIN" -m venv "$VENV"
  fi
  local stamp="$VENV/.stamp-spark-resample" want
  want=$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing spark-resample and its dependencies into $VENV (takes a few minutes the first time)" >&2
    "$VENV/bin/python" -m pip install -q -e "$ROOT[spark,dev]" >&2
    echo "$want" > "$stamp"
  fi
}

check_java
check_python
ensure_venv
export PATH="$VENV/bin:$PATH"
# Python workers must use the environment's interpreter, or pandas UDFs cannot import pyarrow.
export PYSPARK_PYTHON="$VENV/bin/python"
export PYSPARK_DRIVER_PYTHON="$VENV/bin/python"
export SPARK_RESAMPLE_ROOT="$ROOT"
