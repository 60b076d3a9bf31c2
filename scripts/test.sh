#!/bin/bash
# The README's second command (and .ci/run): install what is missing, build, run every
# unit and integration test, then fail if anything was left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
node scripts/check-layers.mjs
npx tsc -p .
status=0
node --test --test-concurrency=1 out/src out/test || status=$?
bash scripts/leak-check.sh || status=1
exit $status
