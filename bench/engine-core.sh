#!/bin/bash
# Issue 3's daemon-side targets, against a throw-away wharfd:
#   docker run --rm --network none busybox true   (median ≤ 100 ms)
#   docker exec CTR true                          (≤ 80 ms)
#   docker ps -a with 100 containers              (≤ 50 ms)
#   wharfd idle RSS                               (≤ 80 MB)
#   per running container overhead (conmon RSS)   (≤ 3 MB)
# Usage: bash bench/engine-core.sh   (as root; prints one line per figure)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_start
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
sleep 1
echo "wharfd idle RSS (started, busybox imported): $(( $(rss_kb "$BENCH_PID") / 1024 )) MB"

echo "docker run --rm --network none busybox true: median $(median_ms 30 'docker run --rm --network none busybox true') ms"
docker run -d --name bench-exec busybox sleep 1000 >/dev/null
echo "docker exec CTR true: median $(median_ms 30 'docker exec bench-exec true') ms"
for i in $(seq 99); do docker create --name "bench-c$i" busybox true >/dev/null; done
echo "docker ps -a (100 containers): median $(median_ms 30 'docker ps -a') ms"
for i in $(seq 99); do docker rm "bench-c$i" >/dev/null; done

echo "wharfd RSS after the runs above (before GC settles): $(( $(rss_kb "$BENCH_PID") / 1024 )) MB"
for i in $(seq 10); do docker run -d --name "bench-r$i" busybox sleep 1000 >/dev/null; done
# PSS, not RSS: conmon's libc and glib pages are shared by every conmon, so RSS would
# count them once per container.
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
total=0 rss=0
for pid in $(pgrep -f "conmon.*$BENCH_EXEC"); do total=$(( total + $(pss_kb "$pid") )); rss=$(( rss + $(rss_kb "$pid") )); done
count=$(pgrep -fc "conmon.*$BENCH_EXEC")
echo "conmon per running container: PSS $(( total / count )) kB, RSS $(( rss / count )) kB (over $count containers)"
