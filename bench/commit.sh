#!/bin/bash
# docker commit of a container that changed 1,000 files (100 KB each), against the time
# to tar those files (tar c to a file on the same disk). Prints medians of N runs.
#   bench/commit.sh [N]      (default N=3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-3}
bench_start
work=$(mktemp -d /tmp/wharf-bench-commit.XXXX)
trap 'rm -rf "$work"; bench_stop' EXIT
mkdir "$work/src"
for i in $(seq 1000); do head -c 102400 /dev/urandom > "$work/src/f$i"; done
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ctr=$(docker create busybox true)
docker cp -q "$work/src" "$ctr:/data"
tarc() { tar c -C "$work" src -f "$work/t.tar"; sync; }
commit() { docker commit "$ctr" >>"$work/ids"; sync; }
base=$(for _ in $(seq "$n"); do ms tarc; done | median)
c=$(for _ in $(seq "$n"); do ms commit; done | median)
echo "tar c of the 1000 files: $base ms"
echo "commit:                  $c ms ($(awk -v a="$c" -v b="$base" 'BEGIN{printf "%.2f", a/b}')x tar)"
