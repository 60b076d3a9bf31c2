#!/bin/bash
# Issue 7's builder targets, against a throw-away wharfd, with the docker CLI's classic
# builder (DOCKER_BUILDKIT=0). A 10-step Dockerfile on busybox, a 20 MB, 1,000-file context:
#   fully cached rebuild, end to end          (≤ 300 ms)
#   rebuild after changing one file copied in the last step   (≤ 1 s)
#   per-RUN overhead beyond the command itself (≤ 80 ms)
# Usage: bash bench/build.sh   (as root; prints one line per figure; BENCH_ROUNDS=5;
#        BENCH_ONLY=run measures only the per-RUN overhead; BASE=path/to/other/wharfd.js
#        also measures that build's per-RUN overhead, on its own daemon, builds interleaved
#        one by one with this tree's, BENCH_PAIRS (10) of each kind per round, and both
#        daemons' CPU time per build)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_start
export DOCKER_BUILDKIT=0
CTX=$(mktemp -d)
. "$(dirname "$0")/lib-base.sh"
trap 'set +e; base_stop; rm -rf "$CTX"; bench_stop' EXIT
base_start
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
cat >"$CTX/Dockerfile.run" <<'DF'
FROM busybox
RUN true
DF
cat >"$CTX/Dockerfile.norun" <<'DF'
FROM busybox
LABEL x=1
DF
# The cached-rebuild figures, after the per-RUN ones: the per-RUN figure is taken on a daemon
# holding only busybox (after this phase's 35 builds of a 20 MB context it comes out ~4 ms
# higher: docs/benchmarks.md, seventh pass).
cached_phase() {
  [ "${BENCH_ONLY:-}" != run ] || return 0
  docker build -q "$CTX" >/dev/null 2>&1
  echo "fully cached rebuild (docker build -q, 20 MB / 1,000 files): median $(median_ms 10 "docker build -q $CTX") ms"
  t=$(median_ms 10 --prepare "bash -c 'echo \$RANDOM\$RANDOM >$CTX/last/one'" "docker build -q $CTX")
  echo "rebuild after changing the file copied in the last step: median $t ms"
}
# The two builds alternate in rounds (others' load drifts on a shared machine); the
# overhead is the median of the rounds' differences.
med() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
if [ -z "${BASE:-}" ]; then
  rounds=()
  for r in $(seq "${BENCH_ROUNDS:-5}"); do
    with=$(median_ms 5 "docker build -q --no-cache -f $CTX/Dockerfile.run $CTX/last")
    without=$(median_ms 5 "docker build -q --no-cache -f $CTX/Dockerfile.norun $CTX/last")
    rounds+=("$(python3 -c "print('%.1f' % ($with - $without))")")
    echo "  round $r: RUN true $with ms, LABEL $without ms (load $(cut -d' ' -f1 /proc/loadavg))"
  done
  echo "per-RUN overhead (RUN true build − LABEL build, --no-cache): median of ${#rounds[@]} rounds $(med "${rounds[@]}") ms"
  cached_phase
  exit 0
fi
# With BASE: single builds interleaved one by one (this tree's RUN, the base's RUN, this
# tree's LABEL, the base's LABEL; the order turns each time), BENCH_PAIRS of each per
# round, so both daemons see the same load. A round's overhead is its median RUN build −
# its median LABEL build, per daemon; its ratio is this tree's over the base's.
ms() { local t0 t1; t0=$(date +%s%N); DOCKER_HOST=$1 docker build -q --no-cache -f "$2" "$CTX/last" >/dev/null 2>&1; t1=$(date +%s%N); echo $(((t1 - t0) / 1000)); }
# CPU of a daemon in clock ticks: its own (utime+stime) and its reaped children's (the
# ip, mount, runc… it spawns; not conmon, which detaches).
cpu() { awk '{print $14 + $15, $16 + $17}' "/proc/$1/stat"; }
PIDS=("$BENCH_PID" "$BASE_PID")
declare -A cpu_self=([0]=0 [1]=0 [2]=0 [3]=0) cpu_kids=([0]=0 [1]=0 [2]=0 [3]=0) count=([0]=0 [1]=0 [2]=0 [3]=0)
for _ in 1 2 3; do ms "$DOCKER_HOST" "$CTX/Dockerfile.run" >/dev/null; ms "$BASE_HOST" "$CTX/Dockerfile.run" >/dev/null; done
HOSTS=("$DOCKER_HOST" "$BASE_HOST")
FILES=("$CTX/Dockerfile.run" "$CTX/Dockerfile.norun")
ours=() theirs=() ratios=()
for r in $(seq "${BENCH_ROUNDS:-5}"); do
  declare -A t=()
  for i in $(seq "${BENCH_PAIRS:-10}"); do
    for k in 0 1 2 3; do
      j=$(((k + i) % 4)) # j: bit 0 = daemon (0 this tree, 1 base), bit 1 = Dockerfile
      read -r s0 k0 < <(cpu "${PIDS[$((j & 1))]}")
      t[$j]+=" $(ms "${HOSTS[$((j & 1))]}" "${FILES[$((j >> 1))]}")"
      read -r s1 k1 < <(cpu "${PIDS[$((j & 1))]}")
      cpu_self[$j]=$((cpu_self[$j] + s1 - s0)) cpu_kids[$j]=$((cpu_kids[$j] + k1 - k0)) count[$j]=$((count[$j] + 1))
    done
  done
  # shellcheck disable=SC2086
  read -r o b ro rb lo lb < <(python3 -c "
import statistics as s, sys
m = [s.median(map(int, a.split())) / 1000 for a in sys.argv[1:]]
print('%.1f %.1f %.1f %.1f %.1f %.1f' % (m[0] - m[2], m[1] - m[3], m[0], m[1], m[2], m[3]))" "${t[0]}" "${t[1]}" "${t[2]}" "${t[3]}")
  ours+=("$o") theirs+=("$b") ratios+=("$(python3 -c "print('%.2f' % ($o / $b))")")
  echo "  round $r: this tree RUN $ro − LABEL $lo = $o ms; base RUN $rb − LABEL $lb = $b ms; ratio ${ratios[-1]} (load $(cut -d' ' -f1 /proc/loadavg))"
  unset t
done
echo "per-RUN overhead (RUN true build − LABEL build, --no-cache): median of ${#ours[@]} rounds $(med "${ours[@]}") ms"
echo "baseline ($BASE): median $(med "${theirs[@]}") ms; ratio this/base per round: ${ratios[*]} (median $(med "${ratios[@]}"))"
tick=$(getconf CLK_TCK)
for d in 0 1; do
  python3 -c "
import sys
tick, n_run, n_lab = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sr, kr, sl, kl = (int(x) for x in sys.argv[4:8])
per = lambda v, n: 1000 * v / tick / n
print('%s: wharfd CPU per RUN build %.1f ms own + %.1f ms reaped children; per LABEL build %.1f + %.1f' % (sys.argv[8], per(sr, n_run), per(kr, n_run), per(sl, n_lab), per(kl, n_lab)))
" "$tick" "${count[$d]}" "${count[$((d + 2))]}" "${cpu_self[$d]}" "${cpu_kids[$d]}" "${cpu_self[$((d + 2))]}" "${cpu_kids[$((d + 2))]}" "$([ $d = 0 ] && echo 'this tree' || echo base)"
done
cached_phase
