# Shared by the bench scripts: a throw-away wharfd on its own roots, with the busybox
# image imported, so a benchmark never touches a user's daemon or data. It has its own
# bridge too (and so its own user-network bridges `<bridge>-…` and nft table `inet <bridge>`:
# src/daemon/wire.ts), removed by bench_stop as test/integration/harness.ts does.
BENCH_TAG=${BENCH_TAG:-bench-$$}
BENCH_ROOT=/tmp/wharf-$BENCH_TAG
BENCH_EXEC=/run/wharf-$BENCH_TAG
BENCH_SOCK=$BENCH_EXEC/wharf.sock
BENCH_BRIDGE=${BENCH_BRIDGE:-wharft$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Starts wharfd in the background (BENCH_PID), appending to its log; does not wait.
bench_wharfd() {
  node "$REPO/dist/wharfd.js" --data-root "$BENCH_ROOT" --exec-root "$BENCH_EXEC" -H "unix://$BENCH_SOCK" \
    --cgroup-parent "wharf-$BENCH_TAG" --bridge "$BENCH_BRIDGE" --config-file /nonexistent >>"/tmp/wharf-$BENCH_TAG.log" 2>&1 &
  BENCH_PID=$!
}

bench_start() {
  command -v hyperfine >/dev/null || { apt-get install -y -q hyperfine >/dev/null; }
  [ -f "$REPO/dist/wharfd.js" ] || (cd "$REPO" && npm run -s build)
  bench_wharfd
  for _ in $(seq 100); do curl -fsS --unix-socket "$BENCH_SOCK" http://x/_ping >/dev/null 2>&1 && break; sleep 0.05; done
  export DOCKER_HOST=unix://$BENCH_SOCK
  bash "$REPO/contrib/mkimage-busybox.sh" --client docker --import busybox:latest >/dev/null
  trap bench_stop EXIT
}

bench_stop() {
  # Runs as the EXIT trap of `set -e` scripts: `wait` on the killed daemon returns 143, and
  # errexit would end the cleanup there.
  set +e
  local ids; ids=$(docker ps -aq 2>/dev/null)
  [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
  kill "$BENCH_PID" 2>/dev/null; wait "$BENCH_PID" 2>/dev/null
  # wharfd keeps its bridges and nft table when it stops (as dockerd does); the bench's go.
  local link
  for link in $(ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}'); do
    # "$BENCH_BRIDGE"b…: a baseline daemon's (lib-base.sh), should its own cleanup not have run.
    case "$link" in "$BENCH_BRIDGE" | "$BENCH_BRIDGE"-* | "$BENCH_BRIDGE"b*) ip link del dev "$link" 2>/dev/null ;; esac
  done
  nft delete table inet "$BENCH_BRIDGE" 2>/dev/null
  rm -rf "$BENCH_ROOT" "$BENCH_EXEC" "/tmp/wharf-$BENCH_TAG.log"
  rmdir /sys/fs/cgroup/*/"wharf-$BENCH_TAG" 2>/dev/null || true
}

# Median in ms of a hyperfine run: median_ms RUNS 'command'
median_ms() {
  local runs=$1; shift
  local json; json=$(mktemp)
  hyperfine -N -w 3 -r "$runs" --export-json "$json" "$@" >/dev/null 2>&1
  python3 -c "import json,sys; print('%.1f' % (json.load(open(sys.argv[1]))['results'][0]['median']*1000))" "$json"
  rm -f "$json"
}
