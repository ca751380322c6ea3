#!/usr/bin/env bash
# Installs what is needed (first run), generates an imbalanced table and runs
# the resampling job on it in local mode, printing class counts before and after.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
WORK="${DEMO_DIR:-$ROOT/work/demo}"
mkdir -p "$WORK"
python -m spark_resample.jobs generate --output "$WORK/input" --rows "${DEMO_ROWS:-200000}" --overwrite
python -m spark_resample.jobs resample --config "$ROOT/conf/undersample.json" \
  --input "$WORK/input" --output "$WORK/output" --summary "$WORK/summary.json" --overwrite
