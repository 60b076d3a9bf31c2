#!/bin/bash
# Issue 7's builder targets, against a throw-away wharfd, with the docker CLI's classic
# builder (DOCKER_BUILDKIT=0). A 10-step Dockerfile on busybox, a 20 MB, 1,000-file context:
#   fully cached rebuild, end to end          (≤ 300 ms)
#   rebuild after changing one file copied in the last step   (≤ 1 s)
#   per-RUN overhead beyond the command itself (≤ 80 ms)
# Usage: bash bench/build.sh   (as root; prints one line per figure; BENCH_ROUNDS=5;
#        BENCH_ONLY=run measures only the per-RUN overhead; BASE=path/to/other/wharfd.js
#        also measures that build's per-RUN overhead, on its own daemon, in the same rounds)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_start
export DOCKER_BUILDKIT=0
CTX=$(mktemp -d)
trap 'rm -rf "$CTX"; bench_stop' EXIT
[ -z "${BASE:-}" ] || bench_base_start "$BASE"
mkdir -p "$CTX/data" "$CTX/last"
for i in $(seq 999); do head -c 20480 /dev/urandom >"$CTX/data/f$i"; done
echo 1 >"$CTX/last/one"
cat >"$CTX/Dockerfile" <<'DF'
FROM busybox
ENV A=1
WORKDIR /app
COPY data /app/data
RUN echo one > /one
RUN echo two > /two
LABEL x=y
EXPOSE 80
CMD ["sh"]
COPY last /app/last
DF
if [ "${BENCH_ONLY:-}" != run ]; then
  docker build -q "$CTX" >/dev/null
  echo "fully cached rebuild (docker build -q, 20 MB / 1,000 files): median $(median_ms 10 "docker build -q $CTX") ms"
  t=$(median_ms 10 --prepare "bash -c 'echo \$RANDOM\$RANDOM >$CTX/last/one'" "docker build -q $CTX")
  echo "rebuild after changing the file copied in the last step: median $t ms"
fi
cat >"$CTX/Dockerfile.run" <<'DF'
FROM busybox
RUN true
DF
cat >"$CTX/Dockerfile.norun" <<'DF'
FROM busybox
LABEL x=1
DF
# The two builds alternate in rounds (others' load drifts on a shared machine); the
# overhead is the median of the rounds' differences. With BASE, the baseline daemon's
# round runs beside each of this tree's, and the round's ratio is this tree's over the base's.
overhead() {
  local with without
  with=$(median_ms 5 "docker build -q --no-cache -f $CTX/Dockerfile.run $CTX/last")
  without=$(median_ms 5 "docker build -q --no-cache -f $CTX/Dockerfile.norun $CTX/last")
  python3 -c "print('%.1f' % ($with - $without))"
  echo "RUN true $with ms, LABEL $without ms" >&2
}
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
rounds=() base_rounds=() ratios=()
for r in $(seq "${BENCH_ROUNDS:-5}"); do
  # Even rounds measure the base first: neither daemon always follows the other.
  if [ -n "${BASE:-}" ] && [ $((r % 2)) = 0 ]; then
    base_rounds+=("$(DOCKER_HOST=$BENCH_BASE_HOST overhead 2>"$CTX/bdetail")")
  fi
  rounds+=("$(overhead 2>"$CTX/detail")")
  line="  round $r: $(cat "$CTX/detail") → ${rounds[-1]} ms"
  if [ -n "${BASE:-}" ]; then
    [ $((r % 2)) = 0 ] || base_rounds+=("$(DOCKER_HOST=$BENCH_BASE_HOST overhead 2>"$CTX/bdetail")")
    ratios+=("$(python3 -c "print('%.2f' % (${rounds[-1]} / ${base_rounds[-1]}))")")
    line+="; base: $(cat "$CTX/bdetail") → ${base_rounds[-1]} ms; ratio ${ratios[-1]}"
  fi
  echo "$line (load $(cut -d' ' -f1 /proc/loadavg))"
done
echo "per-RUN overhead (RUN true build − LABEL build, --no-cache): median of ${#rounds[@]} rounds $(med "${rounds[@]}") ms"
if [ -n "${BASE:-}" ]; then
  echo "baseline ($BASE): median $(med "${base_rounds[@]}") ms; ratio this/base per round: ${ratios[*]} (median $(med "${ratios[@]}"))"
fi
