#!/bin/bash
# Issue 5's networking targets, against a throw-away wharfd with its own bridge (bench/lib.sh):
#   run --rm busybox true, default bridge vs --network none        ≤ 20 ms above none
#     (RUNS alternating pairs, docker's CLI and wharf's)
#   TCP host → container, 1000 MiB per transfer, 5 rounds (BENCH_ROUNDS) of one transfer per
#     path: published port (127.0.0.1 and the host's own address) vs the container's IP
#                                                                   ≥ 80 % of direct
#   HTTP GET of a small file from busybox httpd, a new connection per request, REQS per
#     path, the paths interleaved: published port vs direct         within 10 %
#   50 containers on one user network: A lookups of their names from a container's netns
#     to the network's DNS server, one at a time and 16 at a time  p99 ≤ 5 ms
# The clients are bench/network-probe.mjs (Node), on the host or in a container's netns.
# The container side is busybox only: `nc -ll -e` with a `cat > /dev/null` handler as the
# TCP sink (it closes after reading everything, so the time covers the whole transfer).
#
# Usage: bash bench/network.sh [RUNS] [REQS]       (as root; defaults 30 and 1000)
# Against Docker: BENCH_TARGET=docker with DOCKER_HOST set. For docker-reference.sh's
# dockerd, also BENCH_NETNS=<its netns> (REF_NETNS in $REF_STATE/state.env): its bridge and
# published ports exist only there, so the host-side clients run there too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
RUNS=${1:-30}
REQS=${2:-1000}
ROUNDS=${BENCH_ROUNDS:-5}
TARGET=${BENCH_TARGET:-wharf}
PROBE="node $REPO/bench/network-probe.mjs"
# Host-side clients: in the host's netns, or in the reference daemon's.
HOSTNS=()
[ -n "${BENCH_NETNS:-}" ] && HOSTNS=(nsenter "--net=/run/netns/$BENCH_NETNS")

if [ "$TARGET" = wharf ]; then
  bench_start
else
  command -v hyperfine >/dev/null || apt-get install -y -q hyperfine >/dev/null
  docker image inspect busybox >/dev/null 2>&1 || bash "$REPO/contrib/mkimage-busybox.sh" --client docker --import busybox:latest >/dev/null
  # Only what this script made: containers and the network named nb-*.
  docker_cleanup() {
    set +e
    docker ps -aq --filter name=nb- | xargs -r docker rm -f >/dev/null 2>&1
    docker network rm nb-dns >/dev/null 2>&1
  }
  trap docker_cleanup EXIT
fi
echo "target: $TARGET ($(docker version -f '{{.Server.Version}}' 2>/dev/null)), $(date -u +%FT%TZ)"

field() { docker inspect -f "$2" "$1"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Waits until a TCP port answers (a server in a container listens a moment after run -d).
wait_tcp() { for _ in $(seq 100); do "${HOSTNS[@]}" bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return; sleep 0.05; done; echo "no answer on $1:$2" >&2; exit 1; }

# ---- 1. run --rm: default bridge vs --network none -------------------------------------
echo
echo "## run --rm busybox true: $RUNS pairs, --network none and default bridge alternating (ms)"
# Alternating pairs rather than two hyperfine runs one after the other: the machine's load
# drifts over a minute, and would land on one side of the comparison.
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
clis=(docker)
[ "$TARGET" = wharf ] && clis+=("node $REPO/dist/wharf.js")
for cli in "${clis[@]}"; do
  $cli run --rm --network none busybox true >/dev/null; $cli run --rm busybox true >/dev/null   # warm-up
  pairs=()
  for _ in $(seq "$RUNS"); do pairs+=("$(ms $cli run --rm --network none busybox true) $(ms $cli run --rm busybox true)"); done
  printf '%s\n' "${pairs[@]}" | python3 -c "
import statistics, sys
p = [tuple(int(x) / 1000 for x in l.split()) for l in sys.stdin]
none, bridge = statistics.median(a for a, _ in p), statistics.median(b for _, b in p)
diff = statistics.median(b - a for a, b in p)
print('%-8s CLI: --network none %6.1f ms, default bridge %6.1f ms: %+.1f ms (median of pair differences %+.1f; target <= +20)' % (sys.argv[1], none, bridge, bridge - none, diff))
" "$(basename "${cli##* }" .js)"
done

# ---- 2. TCP throughput and HTTP latency, published port vs direct ----------------------
# The host's own address (not loopback, not a container bridge), when it has one.
hostaddr=$("${HOSTNS[@]}" ip -4 -o addr show scope global | awk '{split($4, a, "/"); print $2, a[1]}' \
  | { grep -Ev "^(${BENCH_BRIDGE}|docker|dref|br-|wharf|veth)" || true; } | awk 'NR==1 {print $2}')
SINK='printf "#!/bin/sh\nexec cat >/dev/null\n" >/sink && chmod +x /sink && exec nc -ll -p 5001 -e /sink'
WEB='mkdir -p /www && head -c 512 /dev/zero | tr "\0" x > /www/index.html && exec httpd -f -p 80 -h /www'
docker run -d --name nb-sink -p 15001:5001 busybox sh -c "$SINK" >/dev/null
docker run -d --name nb-web -p 18080:80 busybox sh -c "$WEB" >/dev/null
sink_ip=$(field nb-sink '{{.NetworkSettings.IPAddress}}')
web_ip=$(field nb-web '{{.NetworkSettings.IPAddress}}')
wait_tcp "$sink_ip" 5001
wait_tcp "$web_ip" 80
paths=("direct $sink_ip 5001 $web_ip 80" "port-127.0.0.1 127.0.0.1 15001 127.0.0.1 18080")
[ -n "$hostaddr" ] && paths+=("port-$hostaddr $hostaddr 15001 $hostaddr 18080")

echo
echo "## TCP host → container, 1000 MiB per transfer, $ROUNDS rounds of one transfer per path (MB/s)"
# Each path against the direct transfer of the same round: the load moves between rounds
# more than the paths differ.
declare -A tcp ratio
for round in $(seq "$ROUNDS"); do
  for p in "${paths[@]}"; do
    read -r name ip port _ <<<"$p"
    mbs=$("${HOSTNS[@]}" $PROBE send "$ip" "$port" 1000)
    echo "round $round $name: $mbs"
    mbs=${mbs%% *}
    [ "$name" = direct ] && direct=$mbs
    tcp[$name]+="$mbs "
    ratio[$name]+="$(( 100 * mbs / direct )) "
  done
done
for p in "${paths[@]}"; do
  read -r name _ <<<"$p"
  printf '%-24s median %5s MB/s; median of per-round ratios %3s %% of direct (target ≥ 80 %%)\n' "$name" \
    "$(echo ${tcp[$name]} | tr ' ' '\n' | median)" "$(echo ${ratio[$name]} | tr ' ' '\n' | median)"
done

echo
echo "## HTTP GET of a 512-byte file, a new connection each, $REQS per path, paths interleaved (ms)"
urls=()
for p in "${paths[@]}"; do read -r _ _ _ ip port <<<"$p"; urls+=("http://$ip:$port/index.html"); done
out=$("${HOSTNS[@]}" $PROBE http "$REQS" "${urls[@]}")
d50=$(awk 'NR==1 {print $3}' <<<"$out") dmean=$(awk 'NR==1 {print $9}' <<<"$out")
i=0
for p in "${paths[@]}"; do
  read -r name _ <<<"$p"
  i=$((i + 1))
  read -r _ _ m50 _ _ _ m99 _ mmean _ <<<"$(sed -n "${i}p" <<<"$out")"
  printf '%-24s p50 %s ms (%+.1f %%), mean %s ms (%+.1f %%), p99 %s ms (target within 10 %% of direct)\n' "$name" \
    "$m50" "$(python3 -c "print(100 * ($m50 / $d50 - 1))")" "$mmean" "$(python3 -c "print(100 * ($mmean / $dmean - 1))")" "$m99"
done
docker rm -f nb-sink nb-web >/dev/null

# ---- 3. DNS with 50 containers on one user network -------------------------------------
echo
echo "## DNS: 50 containers on one user network, 5000 A lookups of their names"
docker network create nb-dns >/dev/null
names=()
for i in $(seq 50); do docker run -d --network nb-dns --name "nb-dns-$i" busybox sleep 1000 >/dev/null; names+=("nb-dns-$i"); done
# A name must resolve as soon as `run -d` returns (Docker's behaviour); checked on the last one
# before any other container starts, then the client container starts.
fresh=$(docker exec nb-dns-1 nslookup nb-dns-50 2>&1 | grep -c '^Address: [0-9.]*$' || true)
echo "the last container started resolves right after its run -d: $([ "$fresh" = 1 ] && echo yes || echo "NO (NXDOMAIN)")"
docker run -d --network nb-dns --name nb-dns-client busybox sleep 1000 >/dev/null
server=$(docker exec nb-dns-client awk '/^nameserver/ {print $2; exit}' /etc/resolv.conf)
pid=$(field nb-dns-client '{{.State.Pid}}')
for conc in 1 16; do
  echo "$conc at a time, server $server: $(nsenter --net="/proc/$pid/ns/net" $PROBE dns "$server" 5000 "$conc" "${names[@]}") (target p99 ≤ 5 ms)"
done
docker ps -aq --filter name=nb-dns | xargs -r docker rm -f >/dev/null
docker network rm nb-dns >/dev/null
