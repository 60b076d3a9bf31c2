#!/bin/bash
# The README quickstart, end to end: builds the httpd-cgi image if it is missing, runs busybox
# httpd with the port published, and asks the CGI script; prints `name=car size=small`.
# The container is removed at the end unless --keep.
#
#   bash examples/httpd-cgi/demo.sh [--port HOSTPORT] [--keep]     (default port 8819)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=8819 keep=
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--port HOSTPORT] [--keep]" >&2; exit 2 ;;
  esac
done

wharf image inspect httpd-cgi >/dev/null 2>&1 || bash "$here/build.sh" >/dev/null
id=$(wharf run -d -p "$port:8819" httpd-cgi httpd -f -p 8819 -h /www)
[ -n "$keep" ] || trap 'wharf rm -f "$id" >/dev/null' EXIT
url="http://localhost:$port/cgi-bin/kungfu?name=car&size=small"
# httpd needs a moment after `run -d` returns before it listens.
for _ in $(seq 50); do curl -fsS -o /dev/null "http://localhost:$port/" 2>/dev/null && break; sleep 0.1; done
echo "\$ curl '$url'"
curl -fsS "$url"
if [ -n "$keep" ]; then echo "container ${id:0:12} keeps serving on port $port; stop it with: wharf rm -f ${id:0:12}"; fi
