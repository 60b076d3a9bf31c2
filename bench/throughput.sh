#!/bin/bash
# Issue 4: 50 × `run -d busybox sleep 1000` then `rm -f` each, with one client and with
# four concurrent clients; prints ms per start and per rm (wall time / count).
# Against a throw-away wharfd, or against DOCKER_HOST when BENCH_TARGET=docker.
# Usage: bash bench/throughput.sh [COUNT]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
COUNT=${1:-50}
if [ "${BENCH_TARGET:-wharf}" = wharf ]; then bench_start; fi

now_ms() { date +%s%3N; }
phase() { # phase CLIENTS: starts COUNT containers with CLIENTS parallel clients, then removes them
  local clients=$1 t0 t1 t2
  t0=$(now_ms)
  seq "$COUNT" | xargs -P "$clients" -I{} docker run -d --name "tp-{}" busybox sleep 1000 >/dev/null
  t1=$(now_ms)
  seq "$COUNT" | xargs -P "$clients" -I{} docker rm -f "tp-{}" >/dev/null
  t2=$(now_ms)
  echo "$clients client(s): $(( (t1 - t0) / COUNT )) ms per run -d, $(( (t2 - t1) / COUNT )) ms per rm -f (wall time / $COUNT)"
}
phase 1
phase 4
