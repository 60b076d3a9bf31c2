#!/bin/bash
# docker cp of a 100 MB directory of 1,000 files into and out of a running container,
# against `tar c | tar x` of the same directory on the same disk. Prints medians of N runs.
#   bench/cp.sh [N]      (default N=3)
# BASE=path/to/other/wharfd.js also times a daemon of that build in the same rounds
# (bench/lib-base.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n=${1:-3}
bench_start
source "$(dirname "$0")/lib-base.sh"
work=$(mktemp -d /tmp/wharf-bench-cp.XXXX)
trap 'set +e; base_stop; rm -rf "$work"; bench_stop' EXIT
mkdir "$work/src"
for i in $(seq 1000); do head -c 102400 /dev/urandom > "$work/src/f$i"; done
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ctr=$(docker run -d busybox sleep 3600)
base_start
[ -z "$BASE_PID" ] || bctr=$(DOCKER_HOST=$BASE_HOST docker run -d busybox sleep 3600)
tarx() { rm -rf "$work/t"; mkdir "$work/t"; tar c -C "$work" src | tar x -C "$work/t"; sync; }
# Each round copies to a new path (a counter bumped here would not survive the $(…) subshell).
cpin() { docker cp -q "$work/src" "$ctr:/in-$1"; sync; }
cpout() { rm -rf "$work/out"; docker cp -q "$ctr:/in-1" "$work/out"; sync; }
# The same through wharf's own CLI (its extraction, not the docker CLI's, on the way out).
wcpout() { rm -rf "$work/out"; node "$REPO/dist/wharf.js" cp -q "$ctr:/in-1" "$work/out"; sync; }
bcpin() { DOCKER_HOST=$BASE_HOST docker cp -q "$work/src" "$bctr:/in-$1"; sync; }
bcpout() { rm -rf "$work/out"; DOCKER_HOST=$BASE_HOST docker cp -q "$bctr:/in-1" "$work/out"; sync; }
# Others load this machine: tar and cp alternate round by round, and the percentages are
# medians of each round's own ratio.
T=() I=() O=() W=() RI=() RO=() RW=() BI=() BO=() BRI=() BRO=()
for r in $(seq "$n"); do
  t=$(ms tarx) i=$(ms cpin "$r") o=$(ms cpout)
  T+=("$t") I+=("$i") O+=("$o") RI+=($((100 * t / i))) RO+=($((100 * t / o)))
  w=$(ms wcpout); W+=("$w") RW+=($((100 * t / w)))
  if [ -n "$BASE_PID" ]; then
    i=$(ms bcpin "$r") o=$(ms bcpout)
    BI+=("$i") BO+=("$o") BRI+=($((100 * t / i))) BRO+=($((100 * t / o)))
  fi
done
cmp -s "$work/src/f500" "$work/out/f500"
med() { printf '%s\n' "$@" | median; }
echo "tar c | tar x (100 MB, 1000 files): $(med "${T[@]}") ms (runs: ${T[*]})"
echo "cp into a running container:        $(med "${I[@]}") ms; median of per-round ratios $(med "${RI[@]}") % of tar (${RI[*]})"
echo "cp out of a running container:      $(med "${O[@]}") ms; median of per-round ratios $(med "${RO[@]}") % of tar (${RO[*]})"
echo "wharf cp out (wharf's CLI extracts): $(med "${W[@]}") ms; median of per-round ratios $(med "${RW[@]}") % of tar (${RW[*]})"
if [ -n "$BASE_PID" ]; then
  echo "baseline ($BASE) cp into:           $(med "${BI[@]}") ms; median of per-round ratios $(med "${BRI[@]}") % of tar (${BRI[*]})"
  echo "baseline ($BASE) cp out:            $(med "${BO[@]}") ms; median of per-round ratios $(med "${BRO[@]}") % of tar (${BRO[*]})"
fi
