#!/bin/bash
# Cost of the security defaults on `run --rm busybox true`: the default seccomp profile
# against seccomp=unconfined, and --init, on one throw-away wharfd. Prints median ms.
#   bench/security.sh [N]      (default N=20)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
tag=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
root=/tmp/wharf-bench-sec-$tag exec_root=/run/wharf-bench-sec-$tag
sock=$exec_root/wharf.sock
node dist/wharfd.js --data-root "$root" --exec-root "$exec_root" -H "unix://$sock" --cgroup-parent "wharf-bench-$tag" \
  --config-file /nonexistent/daemon.json >/tmp/wharf-bench-sec-$tag.log 2>&1 &
daemon=$!
cleanup() {
  DOCKER_HOST=unix://$sock docker ps -aq | xargs -r env DOCKER_HOST=unix://$sock docker rm -f >/dev/null 2>&1 || true
  kill "$daemon" 2>/dev/null; wait "$daemon" 2>/dev/null || true
  rm -rf "$root" "$exec_root" /tmp/wharf-bench-sec-$tag.log /tmp/wharf-bench-sec-$tag.tar
  rmdir /sys/fs/cgroup/*/wharf-bench-$tag 2>/dev/null || true
}
trap cleanup EXIT
export DOCKER_HOST=unix://$sock
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
bash contrib/mkimage-busybox.sh -o /tmp/wharf-bench-sec-$tag.tar
docker import --change 'CMD ["sh"]' /tmp/wharf-bench-sec-$tag.tar busybox >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  for _ in $(seq "$n"); do
    s=$(date +%s%N); docker run --rm "$@" busybox true >/dev/null; e=$(date +%s%N)
    echo $(((e - s) / 1000000))
  done | median
}
docker run --rm busybox true >/dev/null   # warm-up
echo "run --rm true, default seccomp:   $(measure) ms"
echo "run --rm true, seccomp=unconfined: $(measure --security-opt seccomp=unconfined) ms"
echo "run --rm true, --init:             $(measure --init) ms"
echo "run --rm true, --privileged:       $(measure --privileged) ms"
