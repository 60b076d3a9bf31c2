#!/bin/bash
# Issue 8's registry targets, against a throw-away wharfd and Debian's docker-registry on
# 127.0.0.1, with a synthetic ~120 MB image (three layers of this machine's /usr/lib and
# /usr/share content, so they compress like a distro: ~3:1):
#   pull into an empty store      ≤ 1.3× the floor `curl | gzip -d | tar -x` of the layers
#   push (layers gzipped anew)    ≤ 1.3× the floor `gzip | curl --upload-file -` of the layers
#   re-pull of a present image    ≤ 100 ms
# Floors run the layers in parallel, as wharf does (3 downloads / 5 uploads at a time).
# REF=1 also measures the reference Docker 20.10 (docker-reference.sh), in the same rounds.
# `docker load` of the same layers is timed too: it shows what the image store's unpacking
# costs without network or gzip.
# BASE=path/to/other/wharfd.js also times pulls of that build (a baseline, e.g. HEAD's
# `node scripts/build.mjs daemon` in a `git archive` copy) in the same rounds, on its own
# daemon; PULL_ONLY=1 skips push and load (REF=1 still times Docker's pulls).
# Usage: bash bench/registry.sh [RUNS]   (as root; prints one line per figure)
set -euo pipefail
RUNS=${1:-5}
REPO=$(cd "$(dirname "$0")/.." && pwd)
TAG=$(head -c2 /dev/urandom | od -An -tx1 | tr -d ' \n')
BRIDGE=wharft$TAG
ROOT=/tmp/wharf-benchreg-$TAG
EXEC=/run/wharf-benchreg-$TAG
SOCK=$EXEC/wharf.sock
WORK=$(mktemp -d /tmp/wharf-benchreg-work.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
REG=127.0.0.1:$PORT
PIDS=()
REF_STATE=

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [ -n "$REF_STATE" ]; then /work/shared/tools/docker-reference.sh stop "$REF_STATE" >/dev/null 2>&1; fi
  for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^$BRIDGE(-|$)"); do ip link del dev "$l"; done
  nft delete table inet "$BRIDGE" 2>/dev/null
  rmdir /sys/fs/cgroup/*/"wharf-benchreg-$TAG" /sys/fs/cgroup/*/"wharf-benchreg-b$TAG" 2>/dev/null
  for l in $(ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${BRIDGE}b(-|$)"); do ip link del dev "$l"; done
  nft delete table inet "${BRIDGE}b" 2>/dev/null
  rm -rf "$ROOT" "$EXEC" "$ROOT-b" "$EXEC-b" "$WORK"
}
trap cleanup EXIT

# Others may load this machine while we measure: floor and engine runs alternate, round by
# round, and each figure is the median of its rounds.
# timed PREPARE COMMAND: runs PREPARE (untimed) and `sync`, then prints COMMAND's wall ms.
timed() {
  bash -c "$1" >/dev/null 2>&1 || true
  sync
  local t0; t0=$(date +%s%N)
  bash -c "$2" >/dev/null || { echo "failed: $2" >&2; return 1; }
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Median in ms of a hyperfine run (short commands): median_ms RUNS COMMAND
median_ms() {
  hyperfine -N -w 3 -r "$1" --export-json "$WORK/hf.json" "$2" >/dev/null 2>&1 || { echo "failed: $2" >&2; return 1; }
  python3 -c "import json,sys; print('%.0f' % (json.load(open(sys.argv[1]))['results'][0]['median']*1000))" "$WORK/hf.json"
}
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1])/float(sys.argv[2])))" "$1" "$2"; }
sha() { sha256sum "$1" | cut -c1-64; }

# --- the image: three layers, gzipped deterministically, a config and a schema 2 manifest
cd "$WORK"
tar -C / -cf L1.tar usr/lib/python3.11
tar -C / -cf L2.tar usr/lib/git-core usr/share/i18n usr/share/zoneinfo usr/share/mime
tar -C / -cf L3.tar usr/share/perl
LAYERS=(L1 L2 L3)
for l in "${LAYERS[@]}"; do gzip -n -6 -c "$l.tar" > "$l.tar.gz" & done; wait
python3 - "${LAYERS[@]}" <<'EOF'
import hashlib, json, os, sys
def sha(p):
    h = hashlib.sha256()
    with open(p, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''): h.update(b)
    return 'sha256:' + h.hexdigest()
layers = sys.argv[1:]
diff_ids = [sha(f'{l}.tar') for l in layers]
config = {'architecture': 'amd64', 'os': 'linux', 'config': {'Cmd': ['sh'], 'Env': ['PATH=/usr/bin:/bin']},
          'rootfs': {'type': 'layers', 'diff_ids': diff_ids},
          'history': [{'created': '2024-01-01T00:00:00Z', 'created_by': f'ADD {l}'} for l in layers]}
cb = json.dumps(config).encode()
open('config.json', 'wb').write(cb)
manifest = {'schemaVersion': 2, 'mediaType': 'application/vnd.docker.distribution.manifest.v2+json',
            'config': {'mediaType': 'application/vnd.docker.container.image.v1+json', 'size': len(cb), 'digest': 'sha256:' + hashlib.sha256(cb).hexdigest()},
            'layers': [{'mediaType': 'application/vnd.docker.image.rootfs.diff.tar.gzip', 'size': os.path.getsize(f'{l}.tar.gz'), 'digest': sha(f'{l}.tar.gz')} for l in layers]}
open('manifest.json', 'w').write(json.dumps(manifest, indent=3))
# `docker save` layout, for `docker load` before each push run.
os.makedirs('save', exist_ok=True)
cfg = hashlib.sha256(cb).hexdigest() + '.json'
open(f'save/{cfg}', 'wb').write(cb)
for l in layers: os.link(f'{l}.tar', f'save/{l}.tar')
json.dump([{'Config': cfg, 'RepoTags': ['bench/registry:latest'], 'Layers': [f'{l}.tar' for l in layers]}], open('save/manifest.json', 'w'))
EOF
tar -C save -cf save.tar . && rm -rf save
raw=0 gz=0
for l in "${LAYERS[@]}"; do raw=$((raw + $(stat -c %s "$l.tar"))); gz=$((gz + $(stat -c %s "$l.tar.gz"))); done
echo "image: ${#LAYERS[@]} layers, $((raw / 1000000)) MB of tar, $((gz / 1000000)) MB gzipped"

# --- the registry, holding the image as $REG/bench/base:latest
mkdir -p registry
cat > registry/config.yml <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $WORK/registry/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$PORT}
EOF
docker-registry serve registry/config.yml > registry/log 2>&1 & PIDS+=($!)
for _ in $(seq 100); do curl -fsS -o /dev/null "http://$REG/v2/" 2>/dev/null && break; sleep 0.05; done
upload() { # upload REPO FILE
  local loc sep
  loc=$(curl -fsS -X POST -D - -o /dev/null "http://$REG/v2/$1/blobs/uploads/" | awk -F': ' 'tolower($1)=="location" {print $2}' | tr -d '\r')
  sep='?'; case $loc in *\?*) sep='&';; esac
  curl -fsS -o /dev/null -T "$2" "$loc${sep}digest=sha256:$(sha "$2")"
}
for l in "${LAYERS[@]}"; do upload bench/base "$l.tar.gz"; done
upload bench/base config.json
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/vnd.docker.distribution.manifest.v2+json' --data-binary @manifest.json "http://$REG/v2/bench/base/manifests/latest"

# --- floors: the same layers with curl, gzip and tar, all three at once
# Into a directory flagged as ext4's "top directory" (chattr +T), as wharfd's layers/ is
# (src/image/spread.ts): each layer then lands in a block group of its own rather than in
# the one the last round's `rm` just freed, where ext4 without a journal (this host) scans
# past every inode freed in the last minutes for each new one. New names each round (as
# wharfd's temp names are): Orlov hashes a top directory's name to choose where to start
# looking, so a fixed name lands in the group it just freed. PLAIN_FLOOR=1 also times the
# floor into a plain directory with fixed names, as earlier runs of this script did.
cat > floor-pull.sh <<EOF
for l in ${LAYERS[*]}; do
  d=\$(sha256sum $WORK/\$l.tar.gz | cut -c1-64); mkdir -p $WORK/x/\$l-\$\$
  curl -fsS http://$REG/v2/bench/base/blobs/sha256:\$d | gzip -d | tar -x -C $WORK/x/\$l-\$\$ &
done
wait
EOF
cat > floor-pull-plain.sh <<EOF
for l in ${LAYERS[*]}; do
  d=\$(sha256sum $WORK/\$l.tar.gz | cut -c1-64); mkdir -p $WORK/x/\$l
  curl -fsS http://$REG/v2/bench/base/blobs/sha256:\$d | gzip -d | tar -x -C $WORK/x/\$l &
done
wait
EOF
cat > floor-push.sh <<EOF
for l in ${LAYERS[*]}; do
  ( loc=\$(curl -fsS -X POST -D - -o /dev/null http://$REG/v2/bench/floor/blobs/uploads/ | awk -F': ' 'tolower(\$1)=="location" {print \$2}' | tr -d '\r')
    gzip -n -6 -c $WORK/\$l.tar | curl -fsS -o /dev/null -T - "\$loc&digest=sha256:\$(sha256sum $WORK/\$l.tar.gz | cut -c1-64)" ) &
done
wait
EOF

# --- wharfd, on its own roots and bridge
[ -f "$REPO/dist/wharfd.js" ] || (cd "$REPO" && npm run -s build)
node "$REPO/dist/wharfd.js" --data-root "$ROOT" --exec-root "$EXEC" -H "unix://$SOCK" --cgroup-parent "wharf-benchreg-$TAG" \
  --bridge "$BRIDGE" --config-file /nonexistent > "$WORK/wharfd.log" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do curl -fsS --unix-socket "$SOCK" http://x/_ping >/dev/null 2>&1 && break; sleep 0.05; done
if [ -n "${BASE:-}" ]; then
  node "$BASE" --data-root "$ROOT-b" --exec-root "$EXEC-b" -H "unix://$EXEC-b/wharf.sock" --cgroup-parent "wharf-benchreg-b$TAG" \
    --bridge "${BRIDGE}b" --config-file /nonexistent > "$WORK/wharfd-b.log" 2>&1 & PIDS+=($!)
  for _ in $(seq 100); do curl -fsS --unix-socket "$EXEC-b/wharf.sock" http://x/_ping >/dev/null 2>&1 && break; sleep 0.05; done
fi
base() { echo "env DOCKER_HOST=unix://$EXEC-b/wharf.sock $*"; }
export DOCKER_HOST=unix://$SOCK DOCKER_CONFIG=$WORK/docker-config
IMG=$REG/bench/base:latest
# rmi leaves no layer and (once the collector has run) no kept blob: the store is empty.
empty() { echo "docker rmi -f \$(docker images -q) >/dev/null 2>&1; sleep 0.3; rm -rf $WORK/x"; }
# Each push: a freshly loaded image (so its layers are gzipped anew, as Docker always does)
# to a repository that has none of its blobs. push_prepare REGISTRY / push_run REGISTRY
push_prepare() { echo "$(empty); docker load -q -i $WORK/save.tar; n=\$(( \$(cat $WORK/push-n 2>/dev/null || echo 0) + 1 )); echo \$n > $WORK/push-n; docker tag bench/registry:latest $1/bench/push\$n"; }
push_run() { echo "docker push -q $1/bench/push\$(cat $WORK/push-n)"; }

# --- the reference Docker 20.10 (REF=1): its own network namespace, so a second
# docker-registry serving the same storage runs in there, on 127.0.0.1:5000.
RREG=127.0.0.1:5000
if [ "${REF:-0}" = 1 ]; then
  eval "$(DOCKER_HOST= /work/shared/tools/docker-reference.sh start 2>/dev/null)"
  . "$REF_STATE/state.env"
  REF_HOST=$DOCKER_HOST
  export DOCKER_HOST=unix://$SOCK
  sed "s/127.0.0.1:$PORT/$RREG/" registry/config.yml > registry/ref.yml
  nsenter --net="/run/netns/$REF_NETNS" docker-registry serve registry/ref.yml > registry/ref.log 2>&1 & PIDS+=($!)
  for _ in $(seq 100); do nsenter --net="/run/netns/$REF_NETNS" curl -fsS -o /dev/null "http://$RREG/v2/" 2>/dev/null && break; sleep 0.05; done
fi
# Docker remembers which registry repositories hold a layer (v2 metadata, kept after rmi)
# and would mount instead of pushing: its push runs start without that memory.
forget() { echo "rm -rf $REF_STATE/data/image/overlay2/distribution"; }
ref() { echo "env DOCKER_HOST=$REF_HOST $*"; }

fp=() fq=() wp=() wl=() fu=() wu=() rp=() ru=() bp=()
for _ in $(seq "$RUNS"); do
  fp+=("$(timed "rm -rf $WORK/x; mkdir $WORK/x; chattr +T $WORK/x" "bash $WORK/floor-pull.sh")")
  if [ "${PLAIN_FLOOR:-0}" = 1 ]; then fq+=("$(timed "rm -rf $WORK/x" "bash $WORK/floor-pull-plain.sh")"); fi
  wp+=("$(timed "$(empty)" "docker pull -q $IMG")")
  if [ -n "${BASE:-}" ]; then bp+=("$(timed "$(base "bash -c '$(empty)'")" "$(base docker pull -q "$IMG")")"); fi
  if [ -n "$REF_STATE" ]; then rp+=("$(timed "$(ref "bash -c '$(empty)'")" "$(ref docker pull -q "$RREG/bench/base:latest")")"); fi
  [ "${PULL_ONLY:-0}" = 1 ] && continue
  wl+=("$(timed "$(empty)" "docker load -q -i $WORK/save.tar")")
  fu+=("$(timed true "bash $WORK/floor-push.sh")")
  wu+=("$(timed "$(push_prepare "$REG")" "$(push_run "$REG")")")
  if [ -n "$REF_STATE" ]; then ru+=("$(timed "$(ref "bash -c '$(push_prepare "$RREG")'"); $(forget)" "$(ref "$(push_run "$RREG")")")"); fi
done
bash -c "$(empty)"
vs() { echo "median $(median "${@:3}") ms ($(ratio "$(median "${@:3}")" "$2")× the floor; runs: ${*:3})"; }
# Median of round-by-round ratios to the floor (robust to load that changes between rounds):
# per_round "FLOOR RUNS" "RUNS"
per_round() { python3 -c "import sys,statistics; f=sys.argv[1].split(); w=sys.argv[2].split(); r=sorted(float(b)/float(a) for a,b in zip(f,w)); print('per-round ratio median %.2f (%s)' % (statistics.median(r), ' '.join('%.2f' % x for x in r)))" "$1" "$2"; }
FP=$(median "${fp[@]}") FU=$(median "${fu[@]}")
echo "floor: curl | gzip -d | tar -x, 3 layers at once: median $FP ms (runs: ${fp[*]})"
[ "${PLAIN_FLOOR:-0}" = 1 ] && echo "floor into a plain directory: $(vs x "$FP" "${fq[@]}")"
echo "wharf: docker pull into an empty store: $(vs x "$FP" "${wp[@]}"); $(per_round "${fp[*]}" "${wp[*]}")"
[ -z "${BASE:-}" ] || echo "baseline ($BASE): docker pull into an empty store: $(vs x "$FP" "${bp[@]}"); $(per_round "${fp[*]}" "${bp[*]}")"
[ -z "$REF_STATE" ] || echo "docker 20.10: docker pull into an empty store: $(vs x "$FP" "${rp[@]}"); $(per_round "${fp[*]}" "${rp[*]}")"
[ "${PULL_ONLY:-0}" = 1 ] && exit 0
echo "wharf: docker load of the same layers (no network, no gzip): $(vs x "$FP" "${wl[@]}")"
echo "floor: gzip | curl -T -, 3 layers at once: median $FU ms (runs: ${fu[*]})"
echo "wharf: docker push of a loaded image (gzip + upload): $(vs x "$FU" "${wu[@]}")"
[ -z "$REF_STATE" ] || echo "docker 20.10: docker push of a loaded image: $(vs x "$FU" "${ru[@]}")"
docker pull -q "$IMG" >/dev/null
echo "wharf: docker pull of a present image: median $(median_ms 20 "docker pull -q $IMG") ms"
echo "wharf: store after one pull: $(du -sm "$ROOT" | cut -f1) MB ($(du -sm "$ROOT/distribution" | cut -f1) MB of it kept compressed blobs)"
if [ -n "$REF_STATE" ]; then
  DOCKER_HOST=$REF_HOST docker pull -q "$RREG/bench/base:latest" >/dev/null
  echo "docker 20.10: docker pull of a present image: median $(median_ms 20 "$(ref docker pull -q "$RREG/bench/base:latest")") ms"
fi
