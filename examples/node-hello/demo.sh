#!/bin/bash
# The seed's koa example, end to end, from nothing but this machine's apt mirror:
#   1. debian:bookworm (and debian:latest) by contrib/mkimage-debian.sh, if missing;
#   2. node: `FROM debian` + apt-get install nodejs npm (node.Dockerfile), if missing, with
#      the CAs the host added to /usr/local/share/ca-certificates;
#   3. hello: the seed's Dockerfile (WORKDIR /app, COPY . ., RUN npm install koa,
#      ENTRYPOINT ["node", "app.js"]) with its app.js: `wharf build -t hello .`;
#   4. `wharf run -d -p 3000:3000 hello`, then `curl localhost:3000` prints Hello World.
# The container is removed at the end unless --keep.
#
#   bash examples/node-hello/demo.sh [--port HOSTPORT] [--keep] [--cache DIR]
#   (--cache DIR keeps the debootstrap tar there between runs; WHARF_CLIENT=docker uses
#   the docker CLI, with DOCKER_HOST set and DOCKER_BUILDKIT=0)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
client="${WHARF_CLIENT:-wharf}"
port=3000 keep="" cache=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --cache) cache=(--cache "$2"); shift 2 ;;
    *) echo "usage: $0 [--port HOSTPORT] [--keep] [--cache DIR]" >&2; exit 2 ;;
  esac
done
say() { echo "+ $*" >&2; }

if ! "$client" image inspect debian:bookworm >/dev/null 2>&1; then
  say "contrib/mkimage-debian.sh --import debian:bookworm --tag debian:latest"
  bash "$here/../../contrib/mkimage-debian.sh" --client "$client" "${cache[@]}" --import debian:bookworm --tag debian:latest >/dev/null
fi
if ! "$client" image inspect node >/dev/null 2>&1; then
  # Its context: node.Dockerfile and the host's own CAs (see node.Dockerfile).
  ctx=$(mktemp -d)
  mkdir "$ctx/ca"
  cp "$here/node.Dockerfile" "$ctx/Dockerfile"
  find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$ctx/ca/" \; 2>/dev/null || true
  say "$client build -t node (node.Dockerfile)"
  "$client" build -q -t node "$ctx" >/dev/null || { rm -rf "$ctx"; exit 1; }
  rm -rf "$ctx"
fi
say "$client build -t hello ."
(cd "$here" && "$client" build -q -t hello . >/dev/null)

say "$client run -d -p $port:3000 hello"
id=$("$client" run -d -p "$port:3000" hello)
[ -n "$keep" ] || trap '"$client" rm -f "$id" >/dev/null' EXIT
# node needs a moment after `run -d` returns before it listens.
for _ in $(seq 100); do curl -fsS -o /dev/null "http://localhost:$port/" 2>/dev/null && break; sleep 0.1; done
echo "\$ curl localhost:$port"
curl -fsS "http://localhost:$port/"
echo
if [ -n "$keep" ]; then echo "container ${id:0:12} keeps serving on port $port; stop it with: $client rm -f ${id:0:12}"; fi
