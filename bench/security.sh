#!/bin/bash
# Cost of the security defaults on `run --rm busybox true`: the default seccomp profile
# against seccomp=unconfined, and --init, on one throw-away wharfd. Prints median ms.
#   bench/security.sh [N]      (default N=20)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
n=${1:-20}
bench_start

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
