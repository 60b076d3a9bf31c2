#!/bin/bash
# Issue's stats target: `stats --no-stream` of 20 running containers ≤ 200 ms, on a
# throw-away wharfd (bench/lib.sh). Rows: wharf's CLI and docker's CLI, first call after
# start (no cached reading: the daemon takes two readings 100 ms apart) and warm calls
# (the previous reading is the precpu), and the raw API for one container.
# Usage: bash bench/stats.sh [RUNS] [CONTAINERS]   (as root)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
RUNS=${1:-20}
N=${2:-20}
bench_start
for i in $(seq "$N"); do docker run -d --network none --name "stats-$i" -m 64m busybox sleep 600 >/dev/null; done
WHARF="node $REPO/dist/wharf.js"
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
printf '%-58s %6s ms\n' "wharf stats --no-stream ($N running), first call" "$(ms $WHARF stats --no-stream)"
row() { printf '%-58s median %6s ms\n' "$1" "$(median_ms "$RUNS" "$2")"; }
row "wharf stats --no-stream ($N running)" "$WHARF stats --no-stream"
row "docker stats --no-stream ($N running)" "docker stats --no-stream"
row "curl stats?stream=false (1 container)" "curl -fsS --unix-socket $BENCH_SOCK http://x/containers/stats-1/stats?stream=false"
row "curl stats?one-shot=true&stream=false (1 container)" "curl -fsS --unix-socket $BENCH_SOCK http://x/containers/stats-1/stats?stream=false&one-shot=true"
