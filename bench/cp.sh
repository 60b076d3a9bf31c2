#!/bin/bash
# docker cp of a 100 MB directory of 1,000 files into and out of a running container,
# against `tar c | tar x` of the same directory on the same disk. Prints medians of N runs.
#   bench/cp.sh [N]      (default N=3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-3}
bench_start
work=$(mktemp -d /tmp/wharf-bench-cp.XXXX)
trap 'rm -rf "$work"; bench_stop' EXIT
mkdir "$work/src"
for i in $(seq 1000); do head -c 102400 /dev/urandom > "$work/src/f$i"; done
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ctr=$(docker run -d busybox sleep 3600)
tarx() { rm -rf "$work/t"; mkdir "$work/t"; tar c -C "$work" src | tar x -C "$work/t"; sync; }
cpin() { docker cp -q "$work/src" "$ctr:/in-$((++k))"; sync; }
k=0
cpout() { rm -rf "$work/out"; docker cp -q "$ctr:/in-1" "$work/out"; sync; }
base=$(for _ in $(seq "$n"); do ms tarx; done | median)
in=$(for _ in $(seq "$n"); do ms cpin; done | median)
out=$(for _ in $(seq "$n"); do ms cpout; done | median)
cmp -s "$work/src/f500" "$work/out/f500"
echo "tar c | tar x (100 MB, 1000 files): $base ms"
echo "cp into a running container:        $in ms ($((100 * base / in)) % of tar)"
echo "cp out of a running container:      $out ms ($((100 * base / out)) % of tar)"
