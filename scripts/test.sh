#!/usr/bin/env bash
# Installs what is needed (first run) and runs the whole test suite, each stage
# in its own pytest process (one SparkSession per process):
#   classic local[2] session              | the same tests over Spark Connect
#   a real standalone cluster (master +   | task retries under local[2,3]
#     two workers), spark-submit + session | the smoke set on the newest Spark 3.5
#                                           |   in its own environment (.venv-spark35)
# The two lanes run side by side, each stage after the one above it. The test
# sessions' JVMs compile with C1 only (tests/conftest.py), so a lane uses
# about one core of two: side by side the suite took ~X % less time (measured).
# Each lane's output is shown when the lane ends.
# Extra arguments go to every pytest run, e.g. scripts/test.sh -x -k under.
# SPARK_RESAMPLE_SKIP_SPARK35=1 skips the Spark 3.5 stage (it installs pyspark 3.5 the first time).
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
start=$(date +%s)
OWN_PROCESS="cluster or retries"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/spark-resample-tests.XXXXXX")
FAILED="$SCRATCH/failed-stages"
: > "$FAILED"
background=()
stop_background() {
  for pid in "${background[@]}"; do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  rm -rf "$SCRATCH"
}
trap stop_background EXIT

# A class-data-sharing archive makes the short-lived JVMs of the job, cluster
# and other-session tests start in about half the time (tests/jvm_archive.py).
# It is built at the start; JVMs started before it is ready simply start
# without it. A filtered run (extra pytest arguments) skips it: its
# half-minute of CPU would mostly slow the few tests chosen.
ARCHIVE_READY="$SCRATCH/jvm-archive.done"
if [ $# -eq 0 ]; then
  export SPARK_RESAMPLE_JVM_ARCHIVE="$SCRATCH/jvm.jsa"
  ( rc=0
    python -m tests.jvm_archive "$SPARK_RESAMPLE_JVM_ARCHIVE" > "$SCRATCH/jvm-archive.log" 2>&1 || rc=$?
    echo $rc > "$ARCHIVE_READY" ) &
  background+=($!)
else
  echo skipped > "$ARCHIVE_READY"
fi

# The Spark 3.5 environment is set up meanwhile (mostly pip's downloads and unpacking).
SPARK35_READY="$SCRATCH/spark35.done"
if [ "${SPARK_RESAMPLE_SKIP_SPARK35:-0}" != 1 ]; then
  ( rc=0
    bash "$ROOT/scripts/env35.sh" > "$SCRATCH/spark35.python" 2> "$SCRATCH/spark35.log" || rc=$?
    echo $rc > "$SPARK35_READY" ) &
  background+=($!)
fi

wait_for() {  # a file a background step writes when it ends
  while [ ! -s "$1" ]; do sleep 1; done
}

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
  if [ $rc -ne 0 ]; then echo "$name" >> "$FAILED"; fi
}

# Each pytest process gets its own temporary root under one scratch folder.
pytest_in() {  # python, scratch name, VAR=value settings, then pytest arguments
  local python=$1 name=$2 settings=()
  shift 2
  while [[ "${1:-}" =~ ^[A-Z_0-9]+= ]]; do settings+=("$1"); shift; done
  env "${settings[@]}" "$python" -m pytest -q -p no:cacheprovider --durations=5 \
    --basetemp="$SCRATCH/$name" "$@"
}

classic_lane() {
  stage "classic local[2]" pytest_in python classic -m "not connect_only and not ($OWN_PROCESS)" "$@"
  wait_for "$ARCHIVE_READY"
  if [ "$(cat "$ARCHIVE_READY")" != 0 ] && [ "$(cat "$ARCHIVE_READY")" != skipped ]; then
    echo "== the JVM class archive was not built; the short-lived JVMs start without it:"
    tail -5 "$SCRATCH/jvm-archive.log"
  fi
  stage "standalone cluster" pytest_in python cluster -m cluster "$@"
}

connect_lane() {
  stage "Spark Connect" pytest_in python connect SPARK_RESAMPLE_TEST_MODE=connect \
    -m "not classic_only and not ($OWN_PROCESS)" "$@"
  stage "task retries, local[2,3]" pytest_in python retries SPARK_RESAMPLE_TEST_MASTER="local[2,3]" \
    -m retries "$@"
  [ "${SPARK_RESAMPLE_SKIP_SPARK35:-0}" != 1 ] || return 0
  wait_for "$SPARK35_READY"
  if [ "$(cat "$SPARK35_READY")" = 0 ]; then
    local py35
    py35=$(tail -1 "$SCRATCH/spark35.python")
    # Python workers must run the 3.5 environment too (env.sh exported the main one).
    # Code generation and AQE on here, as Spark runs by default: see tests/conftest.py.
    stage "smoke set on Spark 3.5" pytest_in "$py35" spark35 \
      PYSPARK_PYTHON="$py35" PYSPARK_DRIVER_PYTHON="$py35" SPARK_RESAMPLE_TEST_SPARK_DEFAULTS=1 \
      -m smoke tests/test_smoke.py "$@"
  else
    cat "$SCRATCH/spark35.log"
    echo "== could not set up the Spark 3.5 environment"
    echo "Spark 3.5 set-up" >> "$FAILED"
  fi
}

declare -A lane_log
classic_lane "$@" > "$SCRATCH/classic-lane.log" 2>&1 &
lane_log[$!]="$SCRATCH/classic-lane.log"
background+=($!)
connect_lane "$@" > "$SCRATCH/connect-lane.log" 2>&1 &
lane_log[$!]="$SCRATCH/connect-lane.log"
background+=($!)
echo "== two lanes started: classic then the standalone cluster; Connect, retries then Spark 3.5"
for _ in 1 2; do
  ended=""
  wait -n -p ended "${!lane_log[@]}" || true
  cat "${lane_log[$ended]}"
  unset "lane_log[$ended]"
done

echo "== test suite took $(( $(date +%s) - start )) s"
if [ -s "$FAILED" ]; then
  echo "== failed: $(paste -sd, "$FAILED")"
  exit 1
fi
