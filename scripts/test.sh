#!/usr/bin/env bash
# Installs what is needed (first run) and runs the whole test suite, each stage
# in its own pytest process (one SparkSession per process):
#   1. classic local[2] session
#   2. the same tests over Spark Connect
#   3. task retries under local[2,3]
#   4. a real standalone cluster (master + two workers) via spark-submit and a session
#   5. the smoke set on the newest Spark 3.5 in its own environment (.venv-spark35)
# Stages 4 and 5 spend most of their time starting JVMs and waiting on them, so
# they run in a second lane beside 1-3 (their output is printed when they end).
# Extra arguments go to every pytest run, e.g. scripts/test.sh -x -k under.
# SPARK_RESAMPLE_SKIP_SPARK35=1 skips stage 5 (it installs pyspark 3.5 the first time);
# SPARK_RESAMPLE_TEST_LANES=1 runs every stage one after the other.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
start=$(date +%s)
status=0
failed=()
OWN_PROCESS="cluster or retries"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/spark-resample-tests.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

stage() {  # name, then the command; the suite goes on after a failed stage
  local name=$1 t0=$(date +%s) rc=0
  shift
  echo "== $name"
  "$@" || rc=$?
  echo "== $name: $([ $rc -eq 0 ] && echo passed || echo "FAILED ($rc)") in $(( $(date +%s) - t0 )) s"
  if [ $rc -ne 0 ]; then status=1; failed+=("$name"); fi
}

# Each pytest process gets its own temporary root: two lanes never share one.
pytest_in() {  # python, scratch name, VAR=value settings, then pytest arguments
  local python=$1 name=$2 settings=()
  shift 2
  while [[ "${1:-}" =~ ^[A-Z_0-9]+= ]]; do settings+=("$1"); shift; done
  env "${settings[@]}" "$python" -m pytest -q -p no:cacheprovider --basetemp="$SCRATCH/$name" "$@"
}

lane_b() {  # the standalone cluster and Spark 3.5
  stage "standalone cluster" pytest_in python cluster -m cluster "$@"
  if [ "${SPARK_RESAMPLE_SKIP_SPARK35:-0}" != 1 ]; then
    if PY35=$(bash "$ROOT/scripts/env35.sh"); then
      # Python workers must run the 3.5 environment too (env.sh exported the main one).
      stage "smoke set on Spark 3.5" pytest_in "$PY35" spark35 \
        PYSPARK_PYTHON="$PY35" PYSPARK_DRIVER_PYTHON="$PY35" -m smoke tests/test_smoke.py "$@"
    else
      echo "== could not set up the Spark 3.5 environment"; status=1; failed+=("Spark 3.5 set-up")
    fi
  fi
}

if [ "${SPARK_RESAMPLE_TEST_LANES:-2}" != 1 ]; then
  # A subshell: its status and failures come back through files.
  ( lane_b "$@"; echo "$status" > "$SCRATCH/lane_b.status"
    printf '%s\n' "${failed[@]}" > "$SCRATCH/lane_b.failed" ) > "$SCRATCH/lane_b.log" 2>&1 &
  lane_b_pid=$!
  echo "== standalone cluster and Spark 3.5 run beside the other stages (pid $lane_b_pid)"
fi

stage "classic local[2]" pytest_in python classic -m "not connect_only and not ($OWN_PROCESS)" "$@"
stage "Spark Connect" pytest_in python connect SPARK_RESAMPLE_TEST_MODE=connect \
  -m "not classic_only and not ($OWN_PROCESS)" "$@"
stage "task retries, local[2,3]" pytest_in python retries SPARK_RESAMPLE_TEST_MASTER="local[2,3]" \
  -m retries "$@"

if [ -n "${lane_b_pid:-}" ]; then
  wait "$lane_b_pid" || true
  cat "$SCRATCH/lane_b.log"
  if [ "$(cat "$SCRATCH/lane_b.status" 2>/dev/null || echo 1)" != 0 ]; then
    status=1
    mapfile -t lane_b_failed < <(grep -v '^$' "$SCRATCH/lane_b.failed" 2>/dev/null || echo "second lane")
    failed+=("${lane_b_failed[@]}")
  fi
else
  lane_b "$@"
fi
echo "== test suite took $(( $(date +%s) - start )) s"
if [ $status -ne 0 ]; then echo "== failed: $(IFS=,; echo "${failed[*]}")"; fi
exit $status
