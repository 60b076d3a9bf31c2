#!/bin/bash
# Restart policies and bounded logs, against a throw-away wharfd (bench/lib.sh):
#   on-failure:5 of `exit 1`: wall time to RestartCount 5 and exited, minus the back-offs
#     (100+200+400+800+1600 ms), divided by the 6 runs = wharfd's cost per restart;
#   a container writing 50 MB of log lines with max-size=1m max-file=3: the container's
#     wall time, and the bytes left on disk (bound: 3 MiB).
# Usage: bash bench/restart-logs.sh   (as root)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_start
export DOCKER_HOST=unix://$BENCH_SOCK
now_ms() { date +%s%3N; }

t0=$(now_ms)
docker run -d --name rp --restart on-failure:5 busybox sh -c 'exit 1' >/dev/null
until [ "$(docker inspect -f '{{.State.Status}} {{.RestartCount}}' rp)" = "exited 5" ]; do sleep 0.02; done
t1=$(now_ms)
echo "on-failure:5 to exited: $((t1 - t0)) ms; per restart beyond back-off: $(( (t1 - t0 - 3100) / 6 )) ms"
docker rm rp >/dev/null

t0=$(now_ms)
id=$(docker run -d --log-opt max-size=1m --log-opt max-file=3 busybox sh -c 'yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c 50000000')
docker wait "$id" >/dev/null
t1=$(now_ms)
bytes=$(find "$BENCH_ROOT/containers/$id" -name 'container.log*' -printf '%i %s\n' | sort -u | awk '{s+=$2} END {print s}')
echo "50 MB of log lines: $((t1 - t0)) ms; on disk after: $bytes bytes (bound $((3 * 1024 * 1024)))"
docker rm "$id" >/dev/null
bench_stop
