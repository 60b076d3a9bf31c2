#!/bin/bash
# docker commit of a container that changed 1,000 files (100 KB each), against the time
# to tar those files (tar c to a file on the same disk). Prints medians of N runs.
#   bench/commit.sh [N]      (default N=3)
# BASE=path/to/other/wharfd.js also times commits on a daemon of that build (a baseline,
# e.g. main's `node scripts/build.mjs daemon` in a `git archive` copy), in the same rounds.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-3}
bench_start
work=$(mktemp -d /tmp/wharf-bench-commit.XXXX)
source "$(dirname "$0")/lib-base.sh"
trap 'set +e; base_stop; rm -rf "$work"; bench_stop' EXIT
mkdir "$work/src"
for i in $(seq 1000); do head -c 102400 /dev/urandom > "$work/src/f$i"; done
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ctr=$(docker create busybox true)
docker cp -q "$work/src" "$ctr:/data"
base_start
if [ -n "$BASE_PID" ]; then
  bctr=$(DOCKER_HOST=$BASE_HOST docker create busybox true)
  DOCKER_HOST=$BASE_HOST docker cp -q "$work/src" "$bctr:/data"
fi
tarc() { tar c -C "$work" src -f "$work/t.tar"; sync; }
commit() { docker commit "$ctr" >>"$work/ids"; sync; }
bcommit() { DOCKER_HOST=$BASE_HOST docker commit "$bctr" >>"$work/bids"; sync; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
# Others load this machine: tar and commit alternate round by round, and the ratio is the
# median of each round's own.
# A file that differs each round (copied in untimed) makes every commit a new layer: an
# unchanged container would give the same layer blob, already stored, with nothing to fsync.
echo 0 > "$work/round"
T=() C=() R=() B=() BR=()
for r in $(seq "$n"); do
  echo "$r" > "$work/round"
  docker cp -q "$work/round" "$ctr:/round"
  [ -z "$BASE_PID" ] || DOCKER_HOST=$BASE_HOST docker cp -q "$work/round" "$bctr:/round"
  t=$(ms tarc) c=$(ms commit)
  T+=("$t") C+=("$c") R+=("$(ratio "$c" "$t")")
  if [ -n "$BASE_PID" ]; then b=$(ms bcommit); B+=("$b") BR+=("$(ratio "$b" "$t")"); fi
done
# The committed image runs and has the files (its layer is unpacked on first use).
[ "$(docker run --rm "$(tail -1 "$work/ids")" cat /data/f500 | cmp - "$work/src/f500" && echo same)" = same ]
med() { printf '%s\n' "$@" | median; }
echo "tar c of the 1000 files: $(med "${T[@]}") ms (runs: ${T[*]})"
echo "commit:                  $(med "${C[@]}") ms; median of per-round ratios $(med "${R[@]}")x tar (${R[*]})"
[ -z "$BASE_PID" ] || echo "baseline commit ($BASE): $(med "${B[@]}") ms; median of per-round ratios $(med "${BR[@]}")x tar (${BR[*]})"
