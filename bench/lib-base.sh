# A second throw-away wharfd of another build (BASE=path/to/wharfd.js: a baseline such as
# main's `node scripts/build.mjs daemon` in a `git archive` copy), timed in the same rounds
# as the candidate: others load this machine, so baseline and candidate must alternate.
# Source after lib.sh and bench_start. base_start sets BASE_HOST (a DOCKER_HOST value) and
# imports busybox; base_stop (call it from the EXIT trap) removes everything it made.
BASE_ROOT=$BENCH_ROOT-b BASE_EXEC=$BENCH_EXEC-b BASE_PID= BASE_HOST=

base_start() {
  [ -n "${BASE:-}" ] || return 0
  node "$BASE" --data-root "$BASE_ROOT" --exec-root "$BASE_EXEC" -H "unix://$BASE_EXEC/wharf.sock" --cgroup-parent "wharf-$BENCH_TAG-b" \
    --bridge "${BENCH_BRIDGE}b" --config-file /nonexistent >>"/tmp/wharf-$BENCH_TAG-b.log" 2>&1 &
  BASE_PID=$!
  BASE_HOST=unix://$BASE_EXEC/wharf.sock
  for _ in $(seq 200); do curl -fsS --unix-socket "$BASE_EXEC/wharf.sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.05; done
  DOCKER_HOST=$BASE_HOST bash "$REPO/contrib/mkimage-busybox.sh" --client docker --import busybox:latest >/dev/null
}

base_stop() {
  [ -n "$BASE_PID" ] || return 0
  local ids; ids=$(DOCKER_HOST=$BASE_HOST docker ps -aq 2>/dev/null)
  [ -n "$ids" ] && DOCKER_HOST=$BASE_HOST docker rm -f $ids >/dev/null 2>&1
  kill "$BASE_PID" 2>/dev/null; wait "$BASE_PID" 2>/dev/null
  ip link del dev "${BENCH_BRIDGE}b" 2>/dev/null; nft delete table inet "${BENCH_BRIDGE}b" 2>/dev/null
  rm -rf "$BASE_ROOT" "$BASE_EXEC" "/tmp/wharf-$BENCH_TAG-b.log"
  rmdir /sys/fs/cgroup/*/"wharf-$BENCH_TAG-b" 2>/dev/null || true
  BASE_PID=
}
