#!/usr/bin/env bash
# Installs what is needed (first run) and runs the whole test suite:
# classic local mode, then the same tests over Spark Connect, in separate processes.
# Extra arguments go to every pytest run, e.g. scripts/test.sh -x -k under.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
start=$(date +%s)
status=0
echo "== tests, classic local[2] session"
python -m pytest -q -p no:cacheprovider -m "not connect_only and not cluster" "$@" || status=$?
echo "== the same tests over Spark Connect"
SPARK_RESAMPLE_TEST_MODE=connect python -m pytest -q -p no:cacheprovider \
  -m "not classic_only and not cluster" "$@" || status=$?
echo "== test suite took $(( $(date +%s) - start )) s"
exit $status
