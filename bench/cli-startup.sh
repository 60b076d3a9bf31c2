#!/bin/bash
# Issue's CLI targets, against a throw-away wharfd (bench/lib.sh):
#   wharf version (calls the daemon)               within 20 ms of `node -e 0`
#   wharf run --rm --network none busybox true     median ≤ 150 ms
# with docker's CLI on the same daemon beside each, so the CLI's share is visible.
# Usage: bash bench/cli-startup.sh [RUNS]   (as root; prints one median per line)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
RUNS=${1:-40}
[ -e "$REPO/dist/wharf.js" ] || (cd "$REPO" && node scripts/build.mjs cli)
bench_start
WHARF="node $REPO/dist/wharf.js"
# A failing command is a finding, not noise: show its output instead of a number.
row() {
  local m
  if m=$(median_ms "$RUNS" "$1" 2>/dev/null) && [ -n "$m" ]; then printf '%-56s median %6s ms\n' "$1" "$m"
  else printf '%-56s FAILED:\n' "$1"; $1 2>&1 | sed 's/^/    /'; fi
}
row 'node -e 0'
row "$WHARF --version"
row "$WHARF version"
row 'docker version'
row "$WHARF run --rm --network none busybox true"
row 'docker run --rm --network none busybox true'
