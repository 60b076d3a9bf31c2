#!/bin/bash
# Issue 7's builder targets, against a throw-away wharfd, with the docker CLI's classic
# builder (DOCKER_BUILDKIT=0). A 10-step Dockerfile on busybox, a 20 MB, 1,000-file context:
#   fully cached rebuild, end to end          (≤ 300 ms)
#   rebuild after changing one file copied in the last step   (≤ 1 s)
#   per-RUN overhead beyond the command itself (≤ 80 ms)
# Usage: bash bench/build.sh   (as root; prints one line per figure)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_start
export DOCKER_BUILDKIT=0
CTX=$(mktemp -d)
trap 'rm -rf "$CTX"; bench_stop' EXIT
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
b() { docker build -q "$CTX" >/dev/null; }
b
echo "fully cached rebuild (docker build -q, 20 MB / 1,000 files): median $(median_ms 10 "docker build -q $CTX") ms"
n=0
t=$(median_ms 10 --prepare "bash -c 'echo \$RANDOM\$RANDOM >$CTX/last/one'" "docker build -q $CTX")
echo "rebuild after changing the file copied in the last step: median $t ms"
cat >"$CTX/Dockerfile.run" <<'DF'
FROM busybox
RUN true
DF
cat >"$CTX/Dockerfile.norun" <<'DF'
FROM busybox
LABEL x=1
DF
with=$(median_ms 10 "docker build -q --no-cache -f $CTX/Dockerfile.run $CTX/last")
without=$(median_ms 10 "docker build -q --no-cache -f $CTX/Dockerfile.norun $CTX/last")
echo "one uncached RUN true: median $with ms; same build with a LABEL instead: median $without ms; RUN overhead ≈ $(python3 -c "print('%.0f' % ($with - $without))") ms"
