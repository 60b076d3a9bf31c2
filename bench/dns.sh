#!/bin/bash
# Embedded DNS lookup latency, 50 containers on one network (issue target: p99 ≤ 5 ms).
# No root, no wharfd: the server runs on 127.0.53.1 with a fake upstream (bench/dns.ts).
# Usage: bash bench/dns.sh [LOOKUPS] [CONCURRENCY]
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p . >/dev/null || true   # others' folders may not compile mid-edit; ours must
node out/bench/dns.js "${1:-5000}" "${2:-16}"
