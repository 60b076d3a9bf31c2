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
# Others load this machine: tar and commit alternate round by round, and the ratio is the
# median of each round's own.
T=() C=() R=()
for _ in $(seq "$n"); do
  t=$(ms tarc) c=$(ms commit)
  T+=("$t") C+=("$c") R+=("$(awk -v a="$c" -v b="$t" 'BEGIN{printf "%.2f", a/b}')")
done
med() { printf '%s\n' "$@" | median; }
echo "tar c of the 1000 files: $(med "${T[@]}") ms (runs: ${T[*]})"
echo "commit:                  $(med "${C[@]}") ms; median of per-round ratios $(med "${R[@]}")x tar (${R[*]})"
