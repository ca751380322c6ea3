#!/usr/bin/env bash
# A Spark standalone cluster on 127.0.0.1 from the pip-installed pyspark: one
# master and two workers (1 core, 1 GB each), for tests and trying out spark-submit.
#
#   scripts/cluster.sh start    start, wait until both workers registered, print the master URL
#   scripts/cluster.sh status   print the master URL and the alive workers (exit 1 if down)
#   scripts/cluster.sh stop     stop the processes started by `start`, by their pids
#
# State (pids, ports, logs, worker dirs) lives in $SPARK_RESAMPLE_CLUSTER_DIR
# (default work/cluster). Ports are picked free at start, so several clusters can
# run side by side on one machine.
# SPARK_RESAMPLE_PYTHON=/path/to/python runs the Spark installed for that
# interpreter (and its Python on the executors) instead of the project's .venv:
# a driver's Spark must match the cluster's (the tests on Spark 3.5 set it).
if [ -n "${SPARK_RESAMPLE_PYTHON:-}" ]; then
  set -euo pipefail
  ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  export PYSPARK_PYTHON="$SPARK_RESAMPLE_PYTHON"
else
  source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
fi
PY="${SPARK_RESAMPLE_PYTHON:-python}"
STATE="${SPARK_RESAMPLE_CLUSTER_DIR:-$ROOT/work/cluster}"
WORKERS=2
WAIT_SECONDS="${SPARK_RESAMPLE_CLUSTER_WAIT:-180}"
SPARK_HOME="$("$PY" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export SPARK_HOME
# Everything binds to the loopback address only.
export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1 SPARK_MASTER_HOST=127.0.0.1
export SPARK_DAEMON_MEMORY=256m
# No REST submission server: it would take a fixed port (6066) shared by every cluster here.
export SPARK_MASTER_OPTS="-Dspark.master.rest.enabled=false ${SPARK_MASTER_OPTS:-}"
# Executors run Python workers with the environment's interpreter (env.sh sets it).
export PYSPARK_PYTHON

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The daemon is ours only if the pid still runs the class we started (pids get reused).
is_ours() {
  local pid=$1 class=$2
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "$class"
}

alive_workers() {
  "$PY" - "$(cat "$STATE/webui_url")/json/" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as response:
        status = json.load(response)
except OSError:
    print(-1)
else:
    print(sum(1 for w in status.get("workers", []) if w.get("state") == "ALIVE"))
EOF
}

launch() {  # name class args...: start one daemon in the background, record its pid
  local name=$1; shift
  # spark-class execs java, so $! is the JVM's pid.
  nohup "$SPARK_HOME/bin/spark-class" "$@" > "$STATE/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$STATE/$name.pid"
}

stop_one() {
  local name=$1 class=$2 pid
  [ -f "$STATE/$name.pid" ] || return 0
  pid=$(cat "$STATE/$name.pid")
  if is_ours "$pid" "$class"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do is_ours "$pid" "$class" || break; sleep 0.2; done
    if is_ours "$pid" "$class"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$STATE/$name.pid"
}

stop() {
  for i in $(seq 1 $WORKERS); do stop_one "worker$i" org.apache.spark.deploy.worker.Worker; done
  stop_one master org.apache.spark.deploy.master.Master
}

start() {
  if [ -f "$STATE/master.pid" ] && is_ours "$(cat "$STATE/master.pid")" deploy.master.Master; then
    die "a cluster from $STATE is already running ($(cat "$STATE/master_url")); stop it first"
  fi
  mkdir -p "$STATE/logs"
  local port webui master_url
  port=$(free_port)
  webui=$(free_port)
  master_url="spark://127.0.0.1:$port"
  echo "$master_url" > "$STATE/master_url"
  echo "http://127.0.0.1:$webui" > "$STATE/webui_url"
  # A failed start leaves nothing running.
  trap 'stop' ERR INT TERM
  launch master org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port "$webui"
  for i in $(seq 1 $WORKERS); do
    mkdir -p "$STATE/worker$i"
    launch "worker$i" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.1 --cores 1 --memory 1g --webui-port "$(free_port)" \
      --work-dir "$STATE/worker$i" "$master_url"
  done
  local deadline=$((SECONDS + WAIT_SECONDS))
  until [ "$(alive_workers)" = "$WORKERS" ]; do
    if [ $SECONDS -ge $deadline ]; then
      echo "error: $WORKERS workers did not register with $master_url within ${WAIT_SECONDS}s;" \
        "logs in $STATE/logs" >&2
      stop
      exit 1
    fi
    for name in master $(seq -f 'worker%g' 1 $WORKERS); do
      if ! kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null; then
        echo "error: $name exited during start; see $STATE/logs/$name.log:" >&2
        tail -n 5 "$STATE/logs/$name.log" >&2
        stop
        exit 1
      fi
    done
    sleep 1
  done
  trap - ERR INT TERM
  echo "$master_url"
}

status() {
  [ -f "$STATE/master.pid" ] && is_ours "$(cat "$STATE/master.pid")" deploy.master.Master \
    || { echo "no cluster running from $STATE"; exit 1; }
  echo "$(cat "$STATE/master_url") with $(alive_workers) alive worker(s); UI $(cat "$STATE/webui_url")"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
