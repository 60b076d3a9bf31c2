#!/bin/bash
# Issue 9's compose targets on a 5-service busybox project (images present, nothing to
# build), against a throw-away wharfd (bench/lib.sh):
#   wharf compose up -d (from nothing)   ≤ 1.5 s
#   wharf compose up -d (no change)      ≤ 300 ms
#   wharf compose down                   ≤ 1 s plus the containers' stop time (SIGKILL here: ~0)
# Each round runs the CLI floor (`wharf compose version`, no daemon work) beside them, so
# the CLI's own share is visible; medians over the rounds, with the load average.
#   bash bench/compose.sh [ROUNDS]   (default 10; as root)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ROUNDS=${1:-10}
(cd "$REPO" && npm run -s build)
bench_start
work=$(mktemp -d /tmp/wharf-bench-compose.XXXX)
trap 'rm -rf "$work"; bench_stop' EXIT
{
  echo 'services:'
  for s in web api worker cache db; do
    printf '  %s:\n    image: busybox\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n' "$s"
    [ "$s" = web ] && printf '    depends_on: [api]\n    ports: ["127.0.0.1::80"]\n'
    [ "$s" = api ] && printf '    depends_on: [db, cache]\n'
  done
  printf 'volumes:\n  data: {}\n'
} > "$work/compose.yaml"
C="node $REPO/dist/wharf.js compose -p benchc --project-directory $work"
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$work/floor"; : > "$work/cold"; : > "$work/warm"; : > "$work/down"
$C up -d >/dev/null 2>&1 && $C down >/dev/null 2>&1   # first-use costs (network pool, image lookups) out of the figures
for _ in $(seq "$ROUNDS"); do
  ms $C version >> "$work/floor"
  ms $C up -d >> "$work/cold"
  ms $C up -d >> "$work/warm"
  ms $C down >> "$work/down"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), rounds: $ROUNDS"
echo "compose version (CLI floor):  $(median < "$work/floor") ms"
echo "compose up -d, 5 services:    $(median < "$work/cold") ms"
echo "compose up -d, no change:     $(median < "$work/warm") ms"
echo "compose down, 5 services:     $(median < "$work/down") ms"
