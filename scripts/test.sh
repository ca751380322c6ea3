#!/usr/bin/env bash
# Installs what is needed (first run) and runs the whole test suite, each stage
# in its own pytest process (one SparkSession per process):
#   1. classic session, local[2,3] (two task threads, three attempts per task):
#      the suite, then the task-retry tests, then a real standalone cluster
#      (master + two workers) via spark-submit and a session
#   2. the same sampler tests over Spark Connect (remote("local[2]"))
#   3. the smoke set on the newest Spark 3.5 in its own environment (.venv-spark35)
# The stages run one after the other: side by side on 2 cores the suite's
# heavier tests ran about twice as long, and it gained 8 % at best (measured;
# see docs/test-timings.md).
# Extra arguments go to every pytest run, e.g. scripts/test.sh -x -k under.
# SPARK_RESAMPLE_SKIP_SPARK35=1 skips stage 3 (it installs pyspark 3.5 the first time,
# in the background while the first stages run). SPARK_RESAMPLE_SPARK35_FULL=1 runs
# the whole classic suite there instead of the smoke set: about as long as stage 1.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
start=$(date +%s)
status=0
failed=()
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/spark-resample-tests.XXXXXX")

# A class-data-sharing archive makes the short-lived JVMs of the job, cluster
# and other-session tests start in about half the time (tests/jvm_archive.py).
# It is built beside the classic stage, whose cluster tests run last; JVMs
# started before it is ready simply start without it. A filtered run (extra
# pytest arguments) skips it: its half-minute of CPU would mostly slow the few
# tests chosen.
archive_pid=""
if [ $# -eq 0 ]; then
  export SPARK_RESAMPLE_JVM_ARCHIVE="$SCRATCH/jvm.jsa"
  python -m tests.jvm_archive "$SPARK_RESAMPLE_JVM_ARCHIVE" > "$SCRATCH/jvm-archive.log" 2>&1 &
  archive_pid=$!
fi

# The Spark 3.5 environment is set up meanwhile too (the first time: about a
# minute of one core, mostly pip building pyspark 3.5's wheel), in the CPU the
# classic stage leaves idle: that stage keeps about 1.7 of the 2 cores busy.
spark35_pid=""
if [ "${SPARK_RESAMPLE_SKIP_SPARK35:-0}" != 1 ]; then
  bash "$ROOT/scripts/env35.sh" > "$SCRATCH/spark35.python" 2> "$SCRATCH/spark35.log" &
  spark35_pid=$!
fi
# On an early exit (Ctrl-C, a killed run) stop them and what they started
# (env35.sh's pip), not only the shells. Every command here must succeed:
# under set -e a failing one (a process already gone) would become the exit status.
trap 'for pid in $archive_pid $spark35_pid; do pkill -TERM -P $pid 2>/dev/null || true; kill $pid 2>/dev/null || true; done; rm -rf "$SCRATCH"' EXIT

FILTERED=$#  # extra pytest arguments may leave a stage with no test to run
stage() {  # name, then the command; the suite goes on after a failed stage
  local name=$1 t0=$(date +%s) rc=0
  shift
  echo "== $name"
  "$@" || rc=$?
  # pytest exits 5 when no test was selected: fine for a filtered run, an
  # error in a full one (a stage that lost its tests).
  if [ $rc -eq 5 ] && [ "$FILTERED" -gt 0 ]; then
    echo "== $name: no test selected by the filter"
    return
  fi
  echo "== $name: $([ $rc -eq 0 ] && echo passed || echo "FAILED ($rc)") in $(( $(date +%s) - t0 )) s"
  if [ $rc -ne 0 ]; then status=1; failed+=("$name"); fi
}

# Each pytest process gets its own temporary root under one scratch folder.
pytest_in() {  # python, scratch name, VAR=value settings, then pytest arguments
  local python=$1 name=$2 settings=()
  shift 2
  while [[ "${1:-}" =~ ^[A-Z_0-9]+= ]]; do settings+=("$1"); shift; done
  env "${settings[@]}" "$python" -m pytest -q -p no:cacheprovider --durations=5 \
    --basetemp="$SCRATCH/$name" "$@"
}

# The retry and cluster tests share the classic session (tests/conftest.py
# runs them last): a process of their own each cost a JVM start and its warm-up.
# The smoke set runs only on Spark 3.5: on 4.x the suite covers all it does
# (every stage, pipelines, persistence) and more.
stage "classic local[2,3], task retries, standalone cluster" pytest_in python classic \
  -m "not connect_only and not smoke" "$@"
if [ -n "$archive_pid" ] && ! wait $archive_pid; then
  echo "== the JVM class archive was not built; the short-lived JVMs started without it:"
  tail -5 "$SCRATCH/jvm-archive.log"
fi
stage "Spark Connect" pytest_in python connect SPARK_RESAMPLE_TEST_MODE=connect \
  -m "not classic_only and not smoke" "$@"
if [ -n "$spark35_pid" ]; then
  if wait $spark35_pid; then
    PY35=$(tail -1 "$SCRATCH/spark35.python")
    # Python workers must run the 3.5 environment too (env.sh exported the main one).
    # Code generation and AQE on here, as Spark runs by default: see tests/conftest.py.
    if [ "${SPARK_RESAMPLE_SPARK35_FULL:-0}" = 1 ]; then
      stage "classic suite on Spark 3.5" pytest_in "$PY35" spark35 \
        PYSPARK_PYTHON="$PY35" PYSPARK_DRIVER_PYTHON="$PY35" \
        -m "not connect_only" "$@"
    else
      stage "smoke set on Spark 3.5" pytest_in "$PY35" spark35 \
        PYSPARK_PYTHON="$PY35" PYSPARK_DRIVER_PYTHON="$PY35" SPARK_RESAMPLE_TEST_SPARK_DEFAULTS=1 \
        -m smoke tests/test_smoke.py "$@"
    fi
  else
    tail -20 "$SCRATCH/spark35.log"
    echo "== could not set up the Spark 3.5 environment"; status=1; failed+=("Spark 3.5 set-up")
  fi
fi
echo "== test suite took $(( $(date +%s) - start )) s"
if [ $status -ne 0 ]; then echo "== failed: $(IFS=,; echo "${failed[*]}")"; fi
exit $status
