#!/bin/bash
# Issue 4: wharfd restart with 100 containers (50 running): time from starting wharfd
# to its first answered /_ping, and to a `docker ps -a` that lists all 100.
# Usage: bash bench/restart-100.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_start
for i in $(seq 50); do docker run -d --name "rs-run-$i" busybox sleep 1000 >/dev/null; done
for i in $(seq 50); do docker create --name "rs-cr-$i" busybox true >/dev/null; done
kill "$BENCH_PID"; wait "$BENCH_PID" 2>/dev/null || true
t0=$(date +%s%N)
bench_wharfd
until curl -fsS --unix-socket "$BENCH_SOCK" http://x/_ping >/dev/null 2>&1; do sleep 0.005; done
t1=$(date +%s%N)
n=$(docker ps -aq | wc -l); running=$(docker ps -q | wc -l)
t2=$(date +%s%N)
echo "restart with 100 containers (50 running): serving after $(( (t1 - t0) / 1000000 )) ms; ps -a lists $n ($running running) after $(( (t2 - t0) / 1000000 )) ms"
