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
# Each round copies to a new path (a counter bumped here would not survive the $(…) subshell).
cpin() { docker cp -q "$work/src" "$ctr:/in-$1"; sync; }
cpout() { rm -rf "$work/out"; docker cp -q "$ctr:/in-1" "$work/out"; sync; }
# Others load this machine: tar and cp alternate round by round, and the percentages are
# medians of each round's own ratio.
T=() I=() O=() RI=() RO=()
for r in $(seq "$n"); do
  t=$(ms tarx) i=$(ms cpin "$r") o=$(ms cpout)
  T+=("$t") I+=("$i") O+=("$o") RI+=($((100 * t / i))) RO+=($((100 * t / o)))
done
cmp -s "$work/src/f500" "$work/out/f500"
med() { printf '%s\n' "$@" | median; }
echo "tar c | tar x (100 MB, 1000 files): $(med "${T[@]}") ms (runs: ${T[*]})"
echo "cp into a running container:        $(med "${I[@]}") ms; median of per-round ratios $(med "${RI[@]}") % of tar (${RI[*]})"
echo "cp out of a running container:      $(med "${O[@]}") ms; median of per-round ratios $(med "${RO[@]}") % of tar (${RO[*]})"
